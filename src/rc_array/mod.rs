//! `RcArray`: a label and an array shared on one thread through a single
//! pointer, with plain (non-atomic) strong and weak counts, as `Rc<[T]>`.
//! The count code is in `counts.rs`, the raw pointers in `raw.rs`, the weak
//! handle in `weak.rs`.

mod borrow;
mod counts;
mod raw;
mod weak;

use core::cell::Cell;
use core::marker::PhantomData;
use core::mem;
use core::panic::{RefUnwindSafe, UnwindSafe};
use core::ptr::NonNull;

use crate::allocation::{Allocator, Global, TryReserveError};
use crate::block::{clone_contents, Block, Builder, FromBuilder, Header};
use crate::HeapArray;
pub use borrow::RcArrayBorrow;
use counts::increment;
pub use weak::WeakRcArray;

/// The header of an `RcArray` block: the strong and weak counts, the
/// length and the allocator (no byte for a zero-sized one).
///
/// The counts follow std's `Rc`: the strong count is the number of
/// `RcArray` handles; the weak count is the number of `WeakRcArray`
/// handles plus one held by all the strong handles together while any
/// exists. The label and the elements drop with the last strong handle,
/// the block is freed with the last weak count.
#[repr(C)]
pub(crate) struct RcHeader<A> {
    strong: Cell<usize>,
    weak: Cell<usize>,
    len: usize,
    alloc: A,
}

impl<A> RcHeader<A> {
    /// The header of a block with one strong handle and no weak one.
    fn new(len: usize, alloc: A) -> Self {
        RcHeader {
            strong: Cell::new(1),
            weak: Cell::new(1),
            len,
            alloc,
        }
    }
}

impl<A: Allocator> Header for RcHeader<A> {
    type Alloc = A;
    // SAFETY: the trait's contract: `header` points to a header of an
    // allocated block; the result is a place inside it.
    unsafe fn alloc(header: *mut Self) -> *mut A {
        // SAFETY: a place inside the header the caller points to.
        unsafe { &raw mut (*header).alloc }
    }
}

/// The block behind `RcArray` and `WeakRcArray`.
pub(crate) type RcBlock<E, L, A> = Block<RcHeader<A>, L, E>;

/// A reference-counted label and array for one thread, reached through a
/// single pointer: a drop-in for `Rc<[E]>`, with weak handles
/// ([`WeakRcArray`]).
///
/// Cloning an `RcArray` bumps a plain counter; the last strong handle to
/// drop drops the label and the elements, and the block is freed when no
/// weak handle is left either, as with `std::rc::Rc`. A cycle of strong
/// handles (an `RcArray` whose elements hold clones of itself, through a
/// `RefCell` say) is never freed; make the back edges weak. It is neither
/// `Send` nor `Sync`; share across threads with
/// [`ArcArray`](crate::ArcArray).
///
/// Associated functions (`RcArray::strong_count(&a)`), as in std, keep
/// the handle's own API from shadowing methods of `[E]`.
///
/// # Size and alignment
///
/// One word for any allocator, and `Option<RcArray>` is one word. The block
/// holds the strong and weak counts and the length (three words), the
/// allocator (no byte for [`Global`]), the label, then the elements. The
/// last parameter, `A`, is the [`Allocator`] the block comes from, as for
/// [`HeapArray`](crate::HeapArray#allocator).
///
/// # Unique ownership
///
/// There is no unique `RcArray` type: [`RcArray::try_unique`],
/// [`RcArray::into_unique`] and [`RcArray::unwrap_or_clone`] (std's
/// `try_unwrap`, `into_inner`, `unwrap_or_clone`) return the owned handle,
/// a [`HeapArray`], as std's return the owned `T`. The label and the
/// elements move into its block with one copy of their bytes (no `Clone`,
/// no drop), because a `HeapArray` block has another header (no counts;
/// the length in the handle) and so the label and the elements at other
/// offsets. Handing out the `RcArray` block itself would need a second
/// owned type over the counted header, with its own constructors, traits
/// and unsafe code, for the saving of one `memcpy` that an allocation
/// already costs; and while the array stays shared-typed,
/// [`RcArray::get_mut`] and [`RcArray::make_mut`] already write in place
/// when the handle is unique.
///
/// # Examples
///
/// ```
/// use heaparray::*;
///
/// let a = RcArray::with_label("shared", 3, |_, i| i);
/// let b = a.clone();
/// let w = RcArray::downgrade(&a);
/// assert_eq!((RcArray::strong_count(&a), RcArray::weak_count(&a)), (2, 1));
/// assert!(RcArray::ptr_eq(&a, &b));
/// assert_eq!(*b.get_label(), "shared");
/// drop((a, b));
/// assert!(w.upgrade().is_none());
/// ```
pub struct RcArray<E, L = (), A: Allocator = Global> {
    block: NonNull<u8>,
    _owns: PhantomData<(L, E, A)>,
}

// Like `Rc<T, A>: UnwindSafe where T: RefUnwindSafe, A: UnwindSafe` (and
// as `ArcArray`): a handle moved into `catch_unwind` shares its contents
// with the handles outside, so a panic can only have left them as
// `&`-access leaves them; an `RcArray` of `Cell`s is not unwind-safe, as
// `Rc<[Cell<u8>]>` is not. (The explicit impl replaces the automatic one,
// which asked only `E, L, A: UnwindSafe`.) `RefUnwindSafe` stays
// automatic: it already needs `E, L, A: RefUnwindSafe`. A weak handle
// upgrades into an `RcArray`, so it has the same bound.
macro_rules! impl_shared_unwind_safe {
    ($($handle:ident),*) => {$(
        impl<E: RefUnwindSafe, L: RefUnwindSafe, A: Allocator + UnwindSafe> UnwindSafe
            for $handle<E, L, A>
        {
        }
    )*};
}
impl_shared_unwind_safe!(RcArray, WeakRcArray);

impl<E, L, A: Allocator> RcArray<E, L, A> {
    impl_label_access! {
        /// The label.
        ///
        /// # Examples
        ///
        /// ```
        /// use heaparray::*;
        /// let a = RcArray::with_label('l', 0, |_, _| ());
        /// assert_eq!(*a.get_label(), 'l');
        /// ```
        fn get_label;
    }

    /// The number of strong handles to this block (like
    /// `Rc::strong_count`).
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = RcArray::new(1, |i| i);
    /// let _b = a.clone();
    /// assert_eq!(RcArray::strong_count(&a), 2);
    /// ```
    #[must_use]
    #[inline]
    pub fn strong_count(this: &Self) -> usize {
        this.strong().get()
    }

    /// The number of weak handles to this block (like `Rc::weak_count`).
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = RcArray::new(1, |i| i);
    /// assert_eq!(RcArray::weak_count(&a), 0);
    /// let w = RcArray::downgrade(&a);
    /// assert_eq!(RcArray::weak_count(&a), 1);
    /// ```
    #[must_use]
    #[inline]
    pub fn weak_count(this: &Self) -> usize {
        // The strong handles' own weak count is not a weak handle.
        this.weak().get() - 1
    }

    /// A weak handle to this block (like `Rc::downgrade`): it keeps the
    /// block allocated but not the label and elements, and can
    /// [`upgrade`](WeakRcArray::upgrade) while a strong handle exists.
    ///
    /// Aborts the process if the weak count would exceed `isize::MAX`, as
    /// `Rc` does.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = RcArray::new(2, |i| i);
    /// let w = RcArray::downgrade(&a);
    /// assert_eq!(&*w.upgrade().unwrap(), &[0, 1]);
    /// drop(a);
    /// assert!(w.upgrade().is_none());
    /// ```
    #[must_use]
    #[inline]
    pub fn downgrade(this: &Self) -> WeakRcArray<E, L, A> {
        increment(this.weak());
        WeakRcArray::from_block(this.block)
    }

    /// Whether this is the only handle to its block, strong or weak (like
    /// the unstable `Rc::is_unique`): when it is, [`RcArray::get_mut`]
    /// returns `Some` and [`RcArray::make_mut`] does not copy.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = RcArray::new(1, |i| i);
    /// assert!(RcArray::is_unique(&a));
    /// let w = RcArray::downgrade(&a);
    /// assert!(!RcArray::is_unique(&a));
    /// drop(w);
    /// let b = a.clone();
    /// assert!(!RcArray::is_unique(&a));
    /// ```
    #[must_use]
    #[inline]
    pub fn is_unique(this: &Self) -> bool {
        Self::strong_count(this) == 1 && Self::weak_count(this) == 0
    }

    /// Makes `this` the only handle of any kind to its block, for
    /// `make_mut` and `make_mut_with_label`: clones the contents into a new
    /// block if other strong handles share it, moves them if only weak
    /// handles do (see `make_mut`'s docs), and otherwise leaves it be.
    fn make_unique(this: &mut Self)
    where
        E: Clone,
        L: Clone,
        A: Clone,
    {
        if Self::strong_count(this) != 1 {
            // `this` keeps its strong count across every call into user
            // code below (the clones of the allocator, label and elements);
            // `*this = ..` stores the new handle even if the old one's drop
            // unwinds.
            *this = clone_contents(this.get_label(), this, Self::allocator(this));
        } else if Self::weak_count(this) != 0 {
            let old = this.raw();
            let take = |old: RcBlock<E, L, A>, len, alloc| {
                // SAFETY: the contents are initialised, and ours to move (the
                // strong count is claimed); on failure nothing has moved.
                let moved = unsafe { old.try_move_contents::<RcHeader<A>, A>(len, &alloc) }?;
                // SAFETY: the fresh block's header holds nothing yet; it was
                // allocated from `alloc`, which moves into it.
                unsafe { moved.write_header(RcHeader::new(len, alloc)) };
                Ok(moved)
            };
            // SAFETY: `this` is the only strong handle and gives its count
            // up: it is switched to the new block below. `take` moves the
            // contents only on `Ok`.
            let moved = unsafe { old.claim_and_move(take) };
            this.block = moved.as_non_null();
            // SAFETY: the old block's strong count is 0 and its contents
            // moved out, so the strong handles' weak count is ours to
            // release, and we are done with the block; `this` already is
            // the new block's handle if freeing it unwinds.
            unsafe { old.release_weak() };
        }
    }

    impl_unique_access! {
        RcArray, |this| Self::is_unique(this);
        /// The elements by mutable reference if this is the only handle, strong
        /// or weak (like `Rc::get_mut`: a weak handle could upgrade and read
        /// them).
        ///
        /// # Examples
        ///
        /// ```
        /// use heaparray::*;
        /// let mut a = RcArray::new(2, |i| i);
        /// RcArray::get_mut(&mut a).unwrap()[0] = 7;
        /// let b = a.clone();
        /// assert!(RcArray::get_mut(&mut a).is_none());
        /// drop(b);
        /// let w = RcArray::downgrade(&a);
        /// assert!(RcArray::get_mut(&mut a).is_none());
        /// drop(w);
        /// assert_eq!(&*a, &[7, 1]);
        /// ```
        fn get_mut;
        /// The elements by mutable reference, copy-on-write (like
        /// `Rc::make_mut`): if other strong handles share the block, the label
        /// and the elements are cloned into a new block first; if only weak
        /// handles share it, the contents move to a new block (one bitwise
        /// copy, no `Clone`) and the weak handles can no longer upgrade.
        ///
        /// The new block comes from a clone of the allocator, as std's
        /// `Rc::make_mut` clones its allocator.
        ///
        /// # Panics
        ///
        /// If a `Clone` (of an element, the label or the allocator) panics,
        /// what was cloned is dropped, the new block freed and `this` left
        /// unchanged. If the new block cannot be allocated, the global
        /// allocation error handler runs, as for `Vec` (an abort on stable
        /// Rust); should it unwind instead, or the allocator panic, `this` is
        /// left unchanged too: still a counted handle over the same contents,
        /// and its weak handles still upgrade.
        ///
        /// # Examples
        ///
        /// ```
        /// use heaparray::*;
        /// let mut a = RcArray::new(2, |i| i);
        /// let b = a.clone();
        /// RcArray::make_mut(&mut a)[0] = 9; // shared: cloned
        /// assert_eq!((&*a, &*b), (&[9, 1][..], &[0, 1][..]));
        ///
        /// let w = RcArray::downgrade(&a);
        /// RcArray::make_mut(&mut a)[1] = 8; // only a weak handle: moved
        /// assert!(w.upgrade().is_none());
        /// assert_eq!(&*a, &[9, 8]);
        /// ```
        fn make_mut;
        /// The label and the elements as an owned [`HeapArray`] (like
        /// `Rc::unwrap_or_clone`): moved out if this is the only strong handle
        /// (as [`RcArray::try_unique`]: one bitwise copy), otherwise cloned
        /// into a new block from a clone of the allocator, and this handle is
        /// dropped.
        ///
        /// # Panics
        ///
        /// If a `Clone` panics: as [`RcArray::make_mut`], what was cloned is
        /// dropped and the new block freed; this handle is dropped too.
        ///
        /// # Examples
        ///
        /// ```
        /// use heaparray::*;
        /// let a = RcArray::with_label('l', 2, |_, i| i);
        /// let b = a.clone();
        /// let mut h = RcArray::unwrap_or_clone(a); // shared: cloned
        /// h[0] = 9;
        /// let g = RcArray::unwrap_or_clone(b); // the last handle: moved
        /// assert_eq!((&*h, &*g, *g.get_label()), (&[9, 1][..], &[0, 1][..], 'l'));
        /// ```
        #[must_use]
        fn unwrap_or_clone -> HeapArray<E, L, A>;
    }

    /// The label and the elements as an owned [`HeapArray`] if this is the
    /// only strong handle (like `Rc::try_unwrap`); otherwise the handle
    /// back. Weak handles can no longer upgrade afterwards.
    ///
    /// The contents move into the `HeapArray`'s block, from a clone of the
    /// allocator, with one bitwise copy (no `Clone`; see "Unique
    /// ownership" on [`RcArray`] for why a copy); the old block is freed
    /// now, or by its last weak handle.
    ///
    /// # Errors
    ///
    /// The handle itself, unchanged, if another strong handle exists.
    ///
    /// # Panics
    ///
    /// As [`RcArray::make_mut`]'s move: if the allocator's `clone` panics,
    /// or the allocation fails and the error handler unwinds, or the
    /// allocator panics, this handle is dropped as a handle (its contents
    /// too if it was the last), and nothing else changes.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = RcArray::new(2, |i| i);
    /// let b = a.clone();
    /// let a = RcArray::try_unique(a).unwrap_err();
    /// drop(b);
    /// let mut h: HeapArray<usize> = RcArray::try_unique(a).unwrap();
    /// h[0] = 5;
    /// assert_eq!(&*h, &[5, 1]);
    /// ```
    #[doc(alias = "try_unwrap")]
    pub fn try_unique(this: Self) -> Result<HeapArray<E, L, A>, Self>
    where
        A: Clone,
    {
        if Self::strong_count(&this) != 1 {
            return Err(this);
        }
        let old = this.raw();
        let take = |old, len, alloc| {
            // SAFETY: the contents are initialised, and ours to move (the
            // strong count is claimed); on failure nothing has moved.
            unsafe { HeapArray::try_take_contents(old, len, alloc) }
        };
        // SAFETY: `this` is the only strong handle; it is forgotten below,
        // once the contents have moved. If the move unwinds, the count is
        // given back and `this` drops as any handle. `take` moves the
        // contents only on `Ok`.
        let heap = unsafe { old.claim_and_move(take) };
        mem::forget(this);
        // SAFETY: the old block's strong count is 0 and its contents moved
        // out: the strong handles' weak count is ours to release; `heap`
        // owns the contents if freeing the old block unwinds.
        unsafe { old.release_weak() };
        Ok(heap)
    }

    /// Drops this handle and, if it was the last strong one, returns its
    /// label and elements as an owned [`HeapArray`] (like
    /// `Rc::into_inner`, which on one thread is
    /// [`try_unique`](RcArray::try_unique)`(this).ok()`).
    ///
    /// # Panics
    ///
    /// As [`RcArray::try_unique`].
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = RcArray::new(2, |i| i);
    /// let b = a.clone();
    /// assert!(RcArray::into_unique(a).is_none());
    /// assert_eq!(&*RcArray::into_unique(b).unwrap(), &[0, 1]);
    /// ```
    #[doc(alias = "into_inner")]
    #[must_use]
    pub fn into_unique(this: Self) -> Option<HeapArray<E, L, A>>
    where
        A: Clone,
    {
        Self::try_unique(this).ok()
    }

    impl_block_access! {
        /// The allocator the block came from (like `Rc::allocator`). It lives
        /// in the block; the last handle of any kind frees the block with it,
        /// then drops it.
        ///
        /// # Examples
        ///
        /// ```
        /// use heaparray::*;
        /// let a = RcArray::new_in(2, |i| i, Global);
        /// let _: &Global = RcArray::allocator(&a);
        /// ```
        fn allocator;
        fn raw -> RcBlock<E, L, A>;
    }

    #[inline]
    fn strong(&self) -> &Cell<usize> {
        // SAFETY: a strong handle keeps the block allocated.
        unsafe { self.raw().strong() }
    }

    #[inline]
    fn weak(&self) -> &Cell<usize> {
        // SAFETY: a strong handle keeps the block allocated.
        unsafe { self.raw().weak() }
    }

    /// Takes over one strong count of the block at `block`.
    #[inline]
    pub(crate) fn from_block(block: NonNull<u8>) -> Self {
        RcArray {
            block,
            _owns: PhantomData,
        }
    }

    /// The last strong handle is gone: drop the contents, then release the
    /// strong handles' weak count. Out of line, as std's `drop_slow`.
    #[inline(never)]
    fn drop_slow(&mut self) {
        // SAFETY: the strong count just reached 0 with this handle's drop:
        // the contents are initialised and no reference to them is live
        // (no strong handle is left, and `upgrade` cannot make one), and
        // the handle never uses the block again.
        unsafe { self.raw().drop_last_strong() }
    }
}

impl<E, L, A: Allocator> From<HeapArray<E, L, A>> for RcArray<E, L, A> {
    /// Moves the label and the elements into a new block from the same
    /// allocator (one copy, no `Clone`), which then moves into the new
    /// block: the way back from [`RcArray::try_unique`]. If that allocation
    /// fails, `heap` is dropped whole and the global allocation error
    /// handler runs.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = RcArray::with_label('x', 3, |_, i| i);
    /// let mut h = RcArray::try_unique(a).unwrap();
    /// h[0] = 7;
    /// let a = RcArray::from(h);
    /// assert_eq!((*a.get_label(), &a[..]), ('x', &[7, 1, 2][..]));
    /// ```
    fn from(heap: HeapArray<E, L, A>) -> Self {
        Self::from_block(heap.move_into(RcHeader::new).as_non_null())
    }
}

impl<E, L, A: Allocator> FromBuilder<E, L> for RcArray<E, L, A> {
    type Header = RcHeader<A>;
    fn try_from_builder(builder: Builder<RcHeader<A>, L, E>) -> Result<Self, TryReserveError> {
        let (block, _) = builder.try_finish(RcHeader::new)?;
        Ok(Self::from_block(block.as_non_null()))
    }
}

impl<E, L, A: Allocator> Clone for RcArray<E, L, A> {
    /// Another handle to the same block.
    ///
    /// Aborts the process if the count would exceed `isize::MAX`, as `Rc`
    /// does (only reachable by leaking handles with `mem::forget`).
    #[inline]
    fn clone(&self) -> Self {
        increment(self.strong());
        Self::from_block(self.block)
    }
}

impl<E, L, A: Allocator> Drop for RcArray<E, L, A> {
    #[inline]
    fn drop(&mut self) {
        let strong = self.strong();
        let left = strong.get() - 1;
        strong.set(left);
        if left == 0 {
            self.drop_slow();
        }
    }
}

impl_for_handle!(RcArray => impl_deref, impl_slice_traits, impl_constructors, impl_default);
