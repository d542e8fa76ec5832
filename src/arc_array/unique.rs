//! `UniqueArcArray`: an `ArcArray` block with exactly one handle and no
//! weak ones, so it can be written freely before it is shared.

use core::marker::PhantomData;
use core::mem::{self, ManuallyDrop, MaybeUninit};
use core::ops::DerefMut;
use core::panic::{RefUnwindSafe, UnwindSafe};
use core::ptr::NonNull;

use super::{ArcArrayBase, ArcBlock, ArcHeader, ArcLayout, Padded};

use crate::allocation::{self, Allocator, Global, TryReserveError};
use crate::block::{Builder, FromBuilder, Header};
use crate::HeapArray;

/// The only handle to an [`ArcArray`](crate::ArcArray) block: full `&mut` access to the
/// label and the elements, growth like a `Vec`'s
/// ([`push`](UniqueArcArrayBase::push), `extend`,
/// [`reserve`](UniqueArcArrayBase::reserve), ...), then
/// [`shareable`](UniqueArcArray::shareable) turns it into an `ArcArray`
/// without a copy.
///
/// Made by building one directly (with a closure, from an iterator, or
/// empty [`with_capacity`](UniqueArcArrayBase::with_capacity)), or by
/// [`ArcArray::try_unique`](crate::ArcArrayBase::try_unique) and
/// [`ArcArray::into_unique`](crate::ArcArrayBase::into_unique) of the only
/// handle, which give back an array that grows again.
///
/// # Size and alignment
///
/// One word; `Option<UniqueArcArray>` is one word too. Same block as
/// `ArcArray`: while it is unique the strong count's word holds its
/// capacity, and sharing it writes that word back to one strong handle,
/// so the capacity costs a shared block nothing.
///
/// # Equality, order and hashing
///
/// `==`, `Ord` and `Hash` take the label, then the elements, as a derived
/// struct `{ label, elements }` would (and triomphe's `HeaderSlice`): a
/// label often says what the elements mean (a node's kind, a unit, a
/// version), and arrays that mean different things are not equal. With
/// `L = ()` they are exactly the slice's, and `Borrow<[E]>` lets a map of
/// unlabelled arrays be searched by `&[E]`; compare `&a[..] == &b[..]` for
/// the elements alone.
///
/// # Examples
///
/// ```
/// use heaparray::*;
/// let mut u = UniqueArcArray::with_label(0u32, 3, |_, i| i as u32);
/// u[2] = 10;
/// *u.get_label_mut() = u.iter().sum();
/// let a: ArcArray<u32, u32> = u.shareable();
/// assert_eq!(*a.get_label(), 11);
/// ```
///
/// `Vec` push, then `Arc::<[T]>::from(vec)`, migrated: the block that grew
/// is the one shared.
///
/// ```
/// use heaparray::*;
/// let mut u = UniqueArcArray::new(0, |_| 0u64);
/// for i in 0..1000 {
///     u.push(i); // doubling growth, through the block's allocator
/// }
/// let a: ArcArray<u64> = u.shareable(); // one `shrink` at most, no copy
/// let b = a.clone();
/// drop(a);
/// // The only handle again: grow it further.
/// let mut u = ArcArray::try_unique(b).unwrap();
/// u.push(1000);
/// assert_eq!(u.len(), 1001);
/// ```
pub type UniqueArcArray<E, L = (), A = Global> = UniqueArcArrayBase<E, L, Padded, A>;

/// The one type behind [`UniqueArcArray`](crate::UniqueArcArray) (layout [`Padded`]) and [`CompactUniqueArcArray`](crate::CompactUniqueArcArray)
/// (layout [`Compact`](crate::Compact)), generic over the layout `P`, as
/// [`ArcArrayBase`](crate::ArcArrayBase) is. See [`UniqueArcArray`](crate::UniqueArcArray) for the
/// handle's documentation.
///
/// ```
/// use heaparray::{ArcLayout, Global, UniqueArcArrayBase};
/// fn fill<P: ArcLayout>(u: &mut UniqueArcArrayBase<u8, (), P, Global>) {
///     u.extend([1, 2]);
/// }
/// let mut u = heaparray::CompactUniqueArcArray::with_capacity(2);
/// fill(&mut u);
/// assert_eq!(*u.shareable(), [1, 2]);
/// ```
pub struct UniqueArcArrayBase<E, L, P: ArcLayout, A: Allocator> {
    pub(super) block: NonNull<u8>,
    _owns: PhantomData<(L, E, P, A)>,
}

// SAFETY: the only handle owns the label, the elements and the allocator
// as a `Box<_, A>` does, so `Box`'s bounds apply. `shareable` on the
// receiving thread is sound with them: the `ArcArray` it makes is only
// `Send`/`Sync` under `ArcArray`'s own, stronger bounds.
unsafe impl<E: Send, L: Send, P: ArcLayout, A: Allocator + Send> Send
    for UniqueArcArrayBase<E, L, P, A>
{
}
// SAFETY: `&UniqueArcArray` gives out `&L`, `&[E]` and `&A` only, as `&Box`.
unsafe impl<E: Sync, L: Sync, P: ArcLayout, A: Allocator + Sync> Sync
    for UniqueArcArrayBase<E, L, P, A>
{
}
impl<E: UnwindSafe, L: UnwindSafe, P: ArcLayout, A: Allocator + UnwindSafe> UnwindSafe
    for UniqueArcArrayBase<E, L, P, A>
{
}
impl<E: RefUnwindSafe, L: RefUnwindSafe, P: ArcLayout, A: Allocator + RefUnwindSafe> RefUnwindSafe
    for UniqueArcArrayBase<E, L, P, A>
{
}

impl<E, L, P: ArcLayout, A: Allocator> UniqueArcArrayBase<E, L, P, A> {
    impl_label_access! {
        /// The label.
        ///
        /// # Examples
        ///
        /// ```
        /// use heaparray::*;
        /// let u = UniqueArcArray::with_label(5u8, 0, |_, _| ());
        /// assert_eq!(*u.get_label(), 5);
        /// ```
        fn get_label;

        /// The label by mutable reference.
        ///
        /// # Examples
        ///
        /// ```
        /// use heaparray::*;
        /// let mut u = UniqueArcArray::with_label(5u8, 0, |_, _| ());
        /// *u.get_label_mut() = 6;
        /// assert_eq!(*u.get_label(), 6);
        /// ```
        fn get_label_mut;
    }

    /// Turns this into a shareable [`ArcArray`](crate::ArcArray) with no copy: the block and
    /// its counts (one strong handle) are already an `ArcArray`'s.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = UniqueArcArray::new(2, |i| i).shareable();
    /// let b = a.clone();
    /// assert_eq!(ArcArray::strong_count(&b), 2);
    /// ```
    #[must_use]
    #[inline]
    #[doc(alias = "into_arc")]
    #[doc(alias = "freeze")]
    pub fn shareable(self) -> ArcArrayBase<E, L, P, A> {
        let block = self.raw();
        // SAFETY: the one handle reads its block's length and capacity.
        let (len, cap) = unsafe { (block.len(), block.unique_capacity()) };
        if len == cap || mem::size_of::<E>() == 0 {
            // Full: the strong word becomes (or already is) the one
            // strong count.
            // SAFETY: the one handle; `len` elements initialised in a
            // block allocated for `len`.
            unsafe { block.set_unique_len_and_capacity(len, len) };
            return ArcArrayBase::from_block(ManuallyDrop::new(self).block);
        }
        // The handle lets go of the block for the shrink: if the allocator
        // unwinds, the contents leak (it may have freed the block).
        let this = ManuallyDrop::new(self);
        // SAFETY: the one handle owns the block outright, allocated for
        // `cap`; `len` elements fit in the shrunk block.
        match unsafe { block.try_resize_owned(cap, len, false) } {
            Ok(shrunk) => {
                // SAFETY: the one handle of the shrunk block, full now:
                // its strong word becomes the one strong count.
                unsafe { shrunk.set_unique_len_and_capacity(len, len) };
                ArcArrayBase::from_block(shrunk.as_non_null())
            }
            Err(err) => {
                // The block is untouched: the handle owns it again, and
                // drops it if the error handler unwinds.
                let _unique = ManuallyDrop::into_inner(this);
                allocation::fail(&err)
            }
        }
    }

    impl_block_access! {
        /// The allocator the block came from.
        ///
        /// # Examples
        ///
        /// ```
        /// use heaparray::*;
        /// let u = UniqueArcArray::new_in(2, |i| i, Global);
        /// let _: &Global = UniqueArcArray::allocator(&u);
        /// ```
        fn allocator;
        pub(super) fn raw -> ArcBlock<E, L, P, A>;
    }

    /// Takes over a block with no other handle of any kind, whose strong
    /// word records its capacity (`Counts::unique_capacity`; a count of 1,
    /// none, for every block not grown as a unique array).
    #[inline]
    pub(super) fn from_block(block: NonNull<u8>) -> Self {
        UniqueArcArrayBase {
            block,
            _owns: PhantomData,
        }
    }

    /// The handle of `into_unique_block`'s result: takes over the unique
    /// block first, then releases the old block's weak count, so that if
    /// that release unwinds (freeing the old block runs the allocator),
    /// the new handle drops its contents and block as any handle.
    ///
    /// # Safety
    ///
    /// As `ArcBlock::into_unique_block`'s result: `block` is unique, with
    /// counts 1 and 1, and `old`'s strong handles' weak count is ours.
    pub(super) unsafe fn from_unique_block(
        block: ArcBlock<E, L, P, A>,
        old: Option<ArcBlock<E, L, P, A>>,
    ) -> Self {
        let unique = Self::from_block(block.as_non_null());
        if let Some(old) = old {
            // SAFETY: the caller passes the old block's weak count to us,
            // and nothing uses that block afterwards.
            unsafe { old.release_weak() };
        }
        unique
    }
}

impl<E, L, P: ArcLayout, A: Allocator> FromBuilder<E, L> for UniqueArcArrayBase<E, L, P, A> {
    type Header = ArcHeader<P, A>;
    fn try_from_builder(builder: Builder<ArcHeader<P, A>, L, E>) -> Result<Self, TryReserveError> {
        let (block, _) = builder.try_finish(ArcHeader::<P, A>::new)?;
        Ok(Self::from_block(block.as_non_null()))
    }
}

impl<E, L, P: ArcLayout, A: Allocator> Drop for UniqueArcArrayBase<E, L, P, A> {
    fn drop(&mut self) {
        let block = self.raw();
        // SAFETY: the only handle of any kind: the label and `len` elements
        // are initialised and ours to drop, the block was allocated for
        // its capacity, and nothing uses it again.
        unsafe {
            let (len, cap) = (block.len(), block.unique_capacity());
            block.drop_contents_then(len, |block| ArcHeader::free_block(block, cap));
        }
    }
}

impl<E, L, P: ArcLayout, A: Allocator> DerefMut for UniqueArcArrayBase<E, L, P, A> {
    #[inline]
    fn deref_mut(&mut self) -> &mut [E] {
        let block = self.raw();
        // SAFETY: the only handle, borrowed exclusively.
        unsafe { block.elements_mut(block.len()) }
    }
}

impl<E, L, P: ArcLayout, A: Allocator> UniqueArcArrayBase<MaybeUninit<E>, L, P, A> {
    /// The array of `E` that the written elements make, with no copy (like
    /// `Arc::assume_init`); [`shareable`](UniqueArcArray::shareable) then
    /// shares it.
    ///
    /// # Safety
    ///
    /// Every element is initialised to a valid `E`. Anything less is
    /// undefined behaviour.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let mut u = UniqueArcArray::<u64>::new_uninit(3);
    /// for (i, slot) in u.iter_mut().enumerate() {
    ///     slot.write(1 << i);
    /// }
    /// // SAFETY: every element was written above.
    /// let a: ArcArray<u64> = unsafe { u.assume_init() }.shareable();
    /// assert_eq!(&*a, &[1, 2, 4]);
    /// ```
    #[must_use]
    pub unsafe fn assume_init(self) -> UniqueArcArrayBase<E, L, P, A> {
        // A block of `MaybeUninit<E>` is laid out as one of `E` (same size
        // and alignment), with the same header; the caller promises the
        // elements are valid `E`s.
        UniqueArcArrayBase::from_block(ManuallyDrop::new(self).block)
    }
}

impl_for_handle!(UniqueArcArray, UniqueArcArrayBase<P: ArcLayout> =>
    impl_deref, impl_slice_traits, impl_uninit, impl_constructors, impl_default, impl_deep_clone,
    impl_slice_mut_traits);

impl<E, L, P: ArcLayout, A: Allocator> From<HeapArray<E, L, A>> for UniqueArcArrayBase<E, L, P, A> {
    /// Moves the label and the elements into a new block from the same
    /// allocator (one copy); the allocator then moves into the new block.
    /// If that allocation fails, `heap` is dropped whole and the global
    /// allocation error handler runs.
    fn from(heap: HeapArray<E, L, A>) -> Self {
        Self::from_block(heap.move_into(ArcHeader::<P, A>::new).as_non_null())
    }
}

/// The elements of a [`UniqueArcArray`] or a
/// [`CompactUniqueArcArray`](crate::CompactUniqueArcArray), by value: what
/// their `into_iter` returns (`P` is the layout, as in
/// [`UniqueArcArrayBase`]).
///
/// It owns the block: the elements not yet yielded, the label and the
/// allocator. Dropping it drops the elements left, then the label, then
/// frees the block through its allocator, even if one of those destructors
/// panics (the others still run; a second panic aborts, as in std). It is
/// double-ended and exact-size, like `vec::IntoIter`, and moves no element
/// until it yields it.
///
/// # Examples
///
/// `Arc::try_unwrap(arc).map(Vec::from)`, migrated: take the elements of
/// the only handle back by value.
///
/// ```
/// use heaparray::*;
///
/// let shared: ArcArray<String> = ArcArray::new(3, |i| format!("item {i}"));
/// let other = shared.clone();
/// // Two handles: not unique, the handle comes back.
/// let shared = ArcArray::try_unique(shared).unwrap_err();
/// drop(other);
/// let v: Vec<String> = ArcArray::try_unique(shared).unwrap().into_iter().collect();
/// assert_eq!(v, ["item 0", "item 1", "item 2"]);
/// ```
///
/// Both ends, and what is left:
///
/// ```
/// use heaparray::*;
///
/// let u = CompactUniqueArcArray::with_label('l', 4, |_, i| i * 10);
/// let mut it = u.into_iter();
/// assert_eq!(it.next_back(), Some(30));
/// assert_eq!(it.next(), Some(0));
/// assert_eq!(it.as_slice(), [10, 20]);
/// assert_eq!(it.len(), 2);
/// ```
pub struct UniqueArcArrayIntoIter<E, L = (), P: ArcLayout = Padded, A: Allocator = Global> {
    inner: crate::block::IntoIter<ArcHeader<P, A>, L, E>,
}

impl_into_iter!(UniqueArcArrayIntoIter<P: ArcLayout> for UniqueArcArray);

impl<E, L, P: ArcLayout, A: Allocator> IntoIterator for UniqueArcArrayBase<E, L, P, A> {
    type Item = E;
    type IntoIter = UniqueArcArrayIntoIter<E, L, P, A>;
    /// Moves the elements out one by one, in place; the label stays in the
    /// block until the iterator is dropped.
    fn into_iter(self) -> Self::IntoIter {
        let block = ManuallyDrop::new(self).raw();
        // SAFETY: the only handle reads its block's length and capacity.
        let (len, cap) = unsafe { (block.len(), block.unique_capacity()) };
        // SAFETY: the only handle of any kind (no other strong or weak
        // handle) owns a finished block, allocated from the allocator in
        // its header for its capacity, and is forgotten: the iterator holds
        // the last count of any kind and frees the block as this handle's
        // drop would (`free`, with no count operation).
        let inner = unsafe { crate::block::IntoIter::new(block, len, cap) };
        UniqueArcArrayIntoIter { inner }
    }
}
