//! `HeapArray`: an owned label and array in one block, reached through a
//! pointer and a length (like `Box<[E]>` with a label).

use core::marker::PhantomData;
use core::mem::{self, ManuallyDrop, MaybeUninit};
use core::ops::{Deref, DerefMut};
use core::ptr::NonNull;

use alloc::vec::Vec;

use crate::allocation::{self, Allocator, Global, TryReserveError};
use crate::block::{Block, Builder, FromBuilder, Header};

/// The header of a `HeapArray` block: only the allocator (nothing at all
/// for a zero-sized one); the length lives in the handle.
#[repr(transparent)]
pub(crate) struct HeapHeader<A>(A);

impl<A: Allocator> Header for HeapHeader<A> {
    type Alloc = A;
    // SAFETY: the trait's contract: `header` points to a header of an
    // allocated block; the result is a place inside it.
    unsafe fn alloc(header: *mut Self) -> *mut A {
        // `repr(transparent)`: the header is the allocator.
        header.cast()
    }
}

/// The block of a `HeapArray`.
type HeapBlock<E, L, A> = Block<HeapHeader<A>, L, E>;

/// An owned array of `E` with a label `L`, in one heap allocation.
///
/// It behaves like `Box<[E]>`: it derefs (mutably) to `[E]`, drops its
/// elements and label when dropped, and can be converted into an
/// [`ArcArray`](crate::ArcArray) to share.
///
/// # Size and alignment
///
/// Two words (a pointer to the block and the length) for any allocator;
/// `Option<HeapArray>` is two words too. The block holds the allocator
/// (no byte for a zero-sized one such as [`Global`]), the label, then the
/// elements at their alignment.
///
/// # Allocator
///
/// The last parameter, `A`, is the [`Allocator`] the block comes from
/// (allocator-api2's trait, so `&bumpalo::Bump` works). It lives in the
/// block, not in the handle, and is dropped after the block is freed with
/// it. The `_in` constructors take one; the others use [`Global`].
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
///
/// let mut a = HeapArray::new(4, |i| i * 10);
/// a[1] += 1;
/// assert_eq!(&a[..], &[0, 11, 20, 30]);
///
/// let mut b = HeapArray::with_label("name", 2, |_, i| i);
/// *b.get_label_mut() = "other";
/// assert_eq!(*b.get_label(), "other");
/// ```
pub struct HeapArray<E, L = (), A: Allocator = Global> {
    block: NonNull<u8>,
    len: usize,
    _owns: PhantomData<(L, E, A)>,
}

// SAFETY: a HeapArray owns its label, elements and allocator exactly as a
// `Box<(L, [E]), A>` would, with no shared state: sending it sends them,
// and sharing `&HeapArray` shares only `&L`, `&[E]` and `&A`.
unsafe impl<E: Send, L: Send, A: Allocator + Send> Send for HeapArray<E, L, A> {}
// SAFETY: as above: `&HeapArray` gives out `&L`, `&[E]` and `&A` only.
unsafe impl<E: Sync, L: Sync, A: Allocator + Sync> Sync for HeapArray<E, L, A> {}

impl<E, L, A: Allocator> HeapArray<E, L, A> {
    impl_label_access! {
        /// The label.
        ///
        /// # Examples
        ///
        /// ```
        /// use heaparray::*;
        /// let a = HeapArray::with_label(7u32, 0, |_, _| 0u8);
        /// assert_eq!(*a.get_label(), 7);
        /// ```
        fn get_label;

        /// The label by mutable reference.
        ///
        /// # Examples
        ///
        /// ```
        /// use heaparray::*;
        /// let mut a = HeapArray::with_label(7u32, 0, |_, _| 0u8);
        /// *a.get_label_mut() += 1;
        /// assert_eq!(*a.get_label(), 8);
        /// ```
        fn get_label_mut;
    }

    /// Splits the array into its label and a `Vec` of its elements (one
    /// copy of the elements; the block is freed).
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = HeapArray::with_label('x', 3, |_, i| i);
    /// assert_eq!(a.into_parts(), ('x', vec![0, 1, 2]));
    /// ```
    #[must_use]
    pub fn into_parts(self) -> (L, Vec<E>) {
        // The vector first: if its allocation fails and unwinds, `self` is
        // still a handle and drops as one.
        let mut elems = Vec::with_capacity(self.len);
        let this = ManuallyDrop::new(self);
        let block = this.raw();
        // SAFETY:
        // - the label and `len` elements are initialised and owned by this
        //   handle, which is forgotten: they are moved out exactly once;
        // - `elems` has room for `len` elements and does not overlap;
        // - the block was allocated from its allocator for `len` and is not
        //   used after.
        unsafe {
            let label = block.label().read();
            core::ptr::copy_nonoverlapping(block.elems(), elems.as_mut_ptr(), this.len);
            elems.set_len(this.len);
            block.dispose(this.len);
            (label, elems)
        }
    }

    impl_block_access! {
        /// The allocator the block came from (like `Box::allocator`).
        ///
        /// # Examples
        ///
        /// ```
        /// use heaparray::*;
        /// let a = HeapArray::new_in(2, |i| i, Global);
        /// let b = HeapArray::<usize>::new_in(1, |i| i, *HeapArray::allocator(&a));
        /// assert_eq!(b.len(), 1);
        /// ```
        fn allocator;
        fn raw -> HeapBlock<E, L, A>;
    }

    /// Moves the label and the elements into a new block of header `H2`
    /// from the same allocator, which then moves into that header (made by
    /// `header` from the length and the allocator); the old block is freed.
    /// If the allocation fails, `self` is dropped whole and the global
    /// allocation error handler runs.
    pub(crate) fn move_into<H2: Header<Alloc = A>>(
        self,
        header: impl FnOnce(usize, A) -> H2,
    ) -> Block<H2, L, E> {
        /// Drops the new block's contents and frees it if freeing the old
        /// block unwinds (the allocator's `deallocate` is user code).
        struct Destroy<H2: Header, L, E>(Block<H2, L, E>, usize);
        impl<H2: Header, L, E> Drop for Destroy<H2, L, E> {
            fn drop(&mut self) {
                // SAFETY: armed only while the new block is complete (header,
                // label and `len` elements) and owned by nothing else.
                unsafe { self.0.destroy(self.1) }
            }
        }
        let (block, len) = (self.raw(), self.len);
        // SAFETY: `self` owns its initialised label and `len` elements, and
        // nothing else reads them; on failure nothing has moved.
        let moved = match unsafe { block.try_move_contents(len, Self::allocator(&self)) } {
            Ok(moved) => moved,
            Err(err) => {
                drop(self);
                allocation::fail(&err)
            }
        };
        let _moved_out = ManuallyDrop::new(self);
        // SAFETY: the contents now belong to the new block. The old block's
        // header holds the allocator: it is read out once here and moved
        // into the new header, which holds nothing yet; the old block is
        // never read again.
        unsafe {
            let alloc = HeapHeader::alloc(block.header()).read();
            moved.write_header(header(len, alloc));
        }
        // The new block is whole: from here an unwind drops it.
        let guard = Destroy(moved, len);
        // SAFETY: the old block was allocated for `len` from the allocator
        // now in the new block's header (moved bitwise: the same one), which
        // stays in place while we borrow it.
        unsafe { block.deallocate(len, moved.allocator()) };
        mem::forget(guard);
        moved
    }
}

impl<E, L, A: Allocator> HeapArray<E, L, A> {
    /// Moves the label and the first `len` elements of `block`, a block of
    /// any header, bitwise into a new `HeapArray` block from `alloc` (one
    /// copy, no `Clone`), and the allocator into its header: how a shared
    /// handle hands its contents over to an owned one
    /// (`RcArray::try_unique`). The caller then frees `block` without
    /// dropping them.
    ///
    /// # Safety
    ///
    /// The label and the first `len` elements of `block` are initialised,
    /// and the caller gives them up: on `Ok`, nothing reads, writes or
    /// drops them in `block` again.
    ///
    /// # Errors
    ///
    /// As [`Block::try_move_contents`]: nothing has moved, `block` is as it
    /// was, and `alloc` is dropped (as it is if the allocator unwinds).
    pub(crate) unsafe fn try_take_contents<H>(
        block: Block<H, L, E>,
        len: usize,
        alloc: A,
    ) -> Result<Self, TryReserveError> {
        // SAFETY: the contents are initialised and ours to move (caller);
        // on failure nothing has moved.
        let moved = unsafe { block.try_move_contents::<HeapHeader<A>, A>(len, &alloc) }?;
        // SAFETY: the fresh block's header slot holds nothing yet; the
        // block was allocated from `alloc` for `len`, which moves into it.
        unsafe { moved.write_header(HeapHeader(alloc)) };
        Ok(HeapArray {
            block: moved.as_non_null(),
            len,
            _owns: PhantomData,
        })
    }
}

impl<E, L, A: Allocator> FromBuilder<E, L> for HeapArray<E, L, A> {
    type Header = HeapHeader<A>;
    fn try_from_builder(builder: Builder<HeapHeader<A>, L, E>) -> Result<Self, TryReserveError> {
        let (block, len) = builder.try_finish(|_, alloc| HeapHeader(alloc))?;
        Ok(HeapArray {
            block: block.as_non_null(),
            len,
            _owns: PhantomData,
        })
    }
}

impl<E, L, A: Allocator> Drop for HeapArray<E, L, A> {
    fn drop(&mut self) {
        let block = self.raw();
        // SAFETY: the handle owns an initialised label and `len` elements in
        // a block allocated from its allocator for `len`; it is never used
        // again.
        unsafe {
            block.destroy(self.len);
        }
    }
}

impl<E, L, A: Allocator> Deref for HeapArray<E, L, A> {
    type Target = [E];
    #[inline]
    fn deref(&self) -> &[E] {
        // SAFETY: `len` initialised elements live as long as the handle;
        // `&self` excludes writers.
        unsafe { self.raw().elements(self.len) }
    }
}

impl<E, L, A: Allocator> DerefMut for HeapArray<E, L, A> {
    #[inline]
    fn deref_mut(&mut self) -> &mut [E] {
        // SAFETY: as `deref`, and `&mut self` makes the access exclusive.
        unsafe { self.raw().elements_mut(self.len) }
    }
}

impl<E, L, A: Allocator> HeapArray<MaybeUninit<E>, L, A> {
    /// The array of `E` that the written elements make, with no copy (like
    /// `Box::assume_init`).
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
    /// let mut a = HeapArray::<String>::new_uninit(2);
    /// a[0].write("a".into());
    /// a[1].write("b".into());
    /// // SAFETY: both elements were written.
    /// let a = unsafe { a.assume_init() };
    /// assert_eq!(a.concat(), "ab");
    /// ```
    #[must_use]
    pub unsafe fn assume_init(self) -> HeapArray<E, L, A> {
        let this = ManuallyDrop::new(self);
        // A block of `MaybeUninit<E>` is laid out as one of `E` (same size
        // and alignment); the caller promises the elements are valid `E`s.
        HeapArray {
            block: this.block,
            len: this.len,
            _owns: PhantomData,
        }
    }
}

impl_for_handle!(HeapArray =>
    impl_slice_traits, impl_uninit, impl_constructors, impl_default, impl_deep_clone, impl_slice_mut_traits);

/// The elements of a [`HeapArray`], by value: what its `into_iter` returns.
///
/// It owns the block: the elements not yet yielded, the label and the
/// allocator. Dropping it drops the elements left, then the label, then
/// frees the block through its allocator, even if one of those destructors
/// panics (the others still run; a second panic aborts, as in std). It is
/// double-ended and exact-size, like `vec::IntoIter`, and moves no element
/// until it yields it (no copy into a `Vec` first).
///
/// # Examples
///
/// ```
/// use heaparray::*;
///
/// let a = HeapArray::with_label("words", 4, |_, i| i.to_string());
/// let mut it = a.into_iter();
/// assert_eq!(it.next().as_deref(), Some("0"));
/// assert_eq!(it.next_back().as_deref(), Some("3"));
/// assert_eq!(it.as_slice(), ["1", "2"]);
/// assert_eq!(it.len(), 2);
/// let rest: Vec<String> = it.collect();
/// assert_eq!(rest, ["1", "2"]);
/// ```
pub struct HeapArrayIntoIter<E, L = (), A: Allocator = Global> {
    inner: crate::block::IntoIter<HeapHeader<A>, L, E>,
}

impl_into_iter!(HeapArrayIntoIter for HeapArray);

impl<E, L, A: Allocator> IntoIterator for HeapArray<E, L, A> {
    type Item = E;
    type IntoIter = HeapArrayIntoIter<E, L, A>;
    /// Moves the elements out one by one, in place; the label stays in the
    /// block until the iterator is dropped.
    fn into_iter(self) -> Self::IntoIter {
        let this = ManuallyDrop::new(self);
        // SAFETY: the handle owns a finished block (allocated from the
        // allocator in its header for `len`, with an initialised label and
        // `len` elements) and is forgotten: the iterator becomes its only
        // owner.
        let inner = unsafe { crate::block::IntoIter::new(this.raw(), this.len, this.len) };
        HeapArrayIntoIter { inner }
    }
}
