//! `RcArray`: a label and an array shared on one thread through a single
//! pointer, with plain (non-atomic) strong and weak counts, as `Rc<[T]>`.
//! The weak handle is in `weak.rs`.

mod weak;

use core::cell::Cell;
use core::marker::PhantomData;
use core::mem::{self, ManuallyDrop};
use core::ops::Deref;
use core::panic::{RefUnwindSafe, UnwindSafe};
use core::ptr::NonNull;

use crate::allocation::{self, Allocator, Global, TryReserveError};
use crate::block::{build, try_fill, Block, Builder, FromBuilder, Header};
use crate::HeapArray;
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

/// Adds one to a count, aborting the process if it would exceed
/// `isize::MAX`, as `Rc` does (only reachable by leaking handles).
#[inline]
fn increment(count: &Cell<usize>) {
    let n = count.get();
    if n >= isize::MAX as usize {
        crate::sync::abort();
    }
    count.set(n + 1);
}

/// Gives a claimed strong count back if dropped: armed while the contents
/// of a block move out (`RcBlock::claim_and_move`), so that a move that
/// unwinds leaves the caller's handle counted.
struct Unclaim<'a>(&'a Cell<usize>);

impl Drop for Unclaim<'_> {
    fn drop(&mut self) {
        self.0.set(1);
    }
}

impl<E, L, A: Allocator> Block<RcHeader<A>, L, E> {
    /// The strong count.
    ///
    /// # Safety
    ///
    /// The block is allocated (some strong or weak count is held) for `'a`.
    #[inline]
    unsafe fn strong<'a>(self) -> &'a Cell<usize> {
        // SAFETY: the header is initialised for the block's whole life; the
        // count is a `Cell`, only accessed through shared references. The
        // reference covers the count alone, never the allocator or the
        // data.
        unsafe { &(*self.header()).strong }
    }

    /// The weak count (the weak handles, plus one while a strong handle
    /// exists).
    ///
    /// # Safety
    ///
    /// As [`Block::strong`].
    #[inline]
    unsafe fn weak<'a>(self) -> &'a Cell<usize> {
        // SAFETY: as `strong`.
        unsafe { &(*self.header()).weak }
    }

    /// The length, fixed for the block's life.
    ///
    /// # Safety
    ///
    /// The block is allocated (some strong or weak count is held).
    #[inline]
    unsafe fn len(self) -> usize {
        // SAFETY: the header is initialised and `len` is never written after
        // `Builder::try_finish`; read through the raw pointer, no reference.
        unsafe { (*self.header()).len }
    }

    /// Releases one weak count and frees the block (with the allocator in
    /// its header, which is then dropped) if it was the last count.
    ///
    /// # Safety
    ///
    /// The caller holds a weak count (a weak handle's, or the one of the
    /// strong handles once the last of them has dropped or moved out the
    /// contents) and does not use the block afterwards.
    unsafe fn release_weak(self) {
        // SAFETY: the caller's count keeps the block allocated.
        let weak = unsafe { self.weak() };
        let left = weak.get() - 1;
        weak.set(left);
        if left == 0 {
            // SAFETY: that was the last count of any kind: the strong
            // handles' weak count is gone, so the strong count is 0 and the
            // contents are dropped or moved out; no handle reaches the
            // block. Its header holds the allocator it came from, for its
            // length; `dispose` moves it out first, frees, then drops it.
            unsafe { self.dispose(self.len()) }
        }
    }

    /// Drops the contents, then releases the strong handles' weak count,
    /// freeing the block if no weak handle is left, even if a destructor
    /// panics.
    ///
    /// # Safety
    ///
    /// The caller dropped the last strong handle (the strong count is 0),
    /// the contents are initialised and unreferenced, and it does not use
    /// the block afterwards.
    unsafe fn drop_last_strong(self) {
        // SAFETY: the caller's promises; the weak count of the strong
        // handles, now the caller's, keeps the block allocated while the
        // destructors run (they may drop, clone or try to upgrade weak
        // handles: `upgrade` refuses a strong count of 0), and is released
        // once, after them.
        unsafe {
            let len = self.len();
            self.drop_contents_then(len, |block| block.release_weak());
        }
    }

    /// Moves the label and the elements out of the block of the only
    /// strong handle, through `take(block, len, allocator)` (which
    /// allocates a new block from the allocator given and copies them
    /// bitwise), and returns what `take` made.
    ///
    /// The allocator given is a clone of the block's own (the weak handles
    /// keep the old block, and free it with the allocator in it). While
    /// the allocator's `clone` and `take` run (user code), the strong count
    /// is claimed (set to 0), so that no weak handle upgrades into the
    /// contents being moved; if either unwinds, or `take` fails and the
    /// allocation error handler unwinds, nothing has moved and an
    /// [`Unclaim`] guard gives the count back: the caller's handle counts
    /// again, over its untouched contents.
    ///
    /// On return the old block's strong count is 0 and its contents are
    /// moved out; the caller must release the strong handles' weak count
    /// ([`Block::release_weak`]) once it holds what `take` made as a
    /// handle: that release may free the block, which runs the allocator's
    /// `deallocate` and drop, user code that may unwind, and an unwind then
    /// must find the caller's handle on the new block.
    ///
    /// # Safety
    ///
    /// The caller holds the only strong handle (the strong count is 1), and
    /// on return gives up its strong count: it never uses the old block as
    /// a strong handle again. `take` moves the contents only on `Ok`.
    unsafe fn claim_and_move<T>(
        self,
        take: impl FnOnce(Self, usize, A) -> Result<T, TryReserveError>,
    ) -> T
    where
        A: Clone,
    {
        // SAFETY: the caller's strong count keeps the block allocated, and
        // the strong handles' weak count keeps it so until the caller
        // releases it.
        let strong = unsafe { self.strong() };
        debug_assert_eq!(strong.get(), 1);
        strong.set(0);
        let unclaim = Unclaim(strong);
        // SAFETY: the header is initialised and the allocator stays in place
        // while the block is allocated.
        let alloc = unsafe { self.allocator() }.clone();
        // SAFETY: the block is allocated.
        let len = unsafe { self.len() };
        let taken = match take(self, len, alloc) {
            Ok(taken) => taken,
            Err(err) => allocation::fail(&err),
        };
        mem::forget(unclaim);
        taken
    }
}

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

// Like `Rc<T>: UnwindSafe where T: RefUnwindSafe`: a handle moved into
// `catch_unwind` shares its contents with the handles outside, so a panic
// can only have left them as `&`-access leaves them; an `RcArray` of
// `Cell`s is not unwind-safe, as `Rc<[Cell<u8>]>` is not. (The explicit
// impl replaces the automatic one, which only asked `E, L: UnwindSafe`.)
// `RefUnwindSafe` stays automatic: it already needs `E, L: RefUnwindSafe`.
impl<E: RefUnwindSafe, L: RefUnwindSafe, A: Allocator + RefUnwindSafe> UnwindSafe
    for RcArray<E, L, A>
{
}

impl<E, L, A: Allocator> RcArray<E, L, A> {
    /// The label.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = RcArray::with_label('l', 0, |_, _| ());
    /// assert_eq!(*a.get_label(), 'l');
    /// ```
    #[must_use]
    #[inline]
    pub fn get_label(&self) -> &L {
        // SAFETY: the label is initialised while a strong handle lives;
        // shared handles only read it (writes need uniqueness).
        unsafe { self.raw().label_ref() }
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

    /// Whether two handles point to the same block (like `Rc::ptr_eq`).
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = RcArray::new(1, |i| i);
    /// let b = a.clone();
    /// let c = RcArray::new(1, |i| i);
    /// assert!(RcArray::ptr_eq(&a, &b));
    /// assert!(!RcArray::ptr_eq(&a, &c));
    /// ```
    #[must_use]
    #[inline]
    pub fn ptr_eq(this: &Self, other: &Self) -> bool {
        this.block == other.block
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
    #[inline]
    pub fn get_mut(this: &mut Self) -> Option<&mut [E]> {
        if Self::is_unique(this) {
            // SAFETY: no other handle of any kind exists, none can be made
            // without `this`, and `&mut this` is exclusive.
            Some(unsafe { this.raw().elements_mut(this.len()) })
        } else {
            None
        }
    }

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
    pub fn make_mut(this: &mut Self) -> &mut [E]
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
            let alloc = Self::allocator(this).clone();
            let (label, len) = (this.get_label().clone(), this.len());
            *this =
                allocation::infallible(build(try_fill(label, len, |_, i| this[i].clone(), alloc)));
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
        // SAFETY: `this` is now the only handle of any kind to its block (a
        // fresh clone, a moved block, or one with no other handle), and
        // `&mut this` is exclusive.
        unsafe { this.raw().elements_mut(this.len()) }
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
    pub fn unwrap_or_clone(this: Self) -> HeapArray<E, L, A>
    where
        E: Clone,
        L: Clone,
        A: Clone,
    {
        match Self::try_unique(this) {
            Ok(heap) => heap,
            Err(this) => {
                // `this` keeps its strong count across the clones (user
                // code), and is dropped after them.
                let alloc = Self::allocator(&this).clone();
                let (label, len) = (this.get_label().clone(), this.len());
                allocation::infallible(build(try_fill(label, len, |_, i| this[i].clone(), alloc)))
            }
        }
    }

    /// A pointer to the first element (or where it would be, for an empty
    /// array), valid while a strong handle lives (like `Rc::as_ptr`).
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = RcArray::new(2, |i| i as u8);
    /// assert_eq!(RcArray::as_ptr(&a), a.as_ptr());
    /// ```
    #[must_use]
    #[inline]
    pub fn as_ptr(this: &Self) -> *const E {
        this.raw().elems()
    }

    /// Consumes the handle, returning a thin pointer to the first element
    /// (like `Rc::into_raw`, but one word); [`RcArray::from_raw`] turns it
    /// back into a handle. The pointer is aligned for `E`, even for
    /// over-aligned types. Until then the strong count stays held.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = RcArray::new(3, |i| i as u32);
    /// let p = RcArray::into_raw(a);
    /// // SAFETY: `p` came from `into_raw` of an `RcArray<u32>`.
    /// let a = unsafe { RcArray::<u32>::from_raw(p) };
    /// assert_eq!(&*a, &[0, 1, 2]);
    /// ```
    #[must_use]
    #[inline]
    pub fn into_raw(this: Self) -> *const E {
        ManuallyDrop::new(this).raw().elems()
    }

    /// Rebuilds a handle from [`RcArray::into_raw`]'s pointer, taking over
    /// its strong count (like `Rc::from_raw`).
    ///
    /// # Safety
    ///
    /// `ptr` came from `RcArray::<E, L, A>::into_raw` with the same `E`,
    /// `L` and allocator type `A`, on this thread, and each such pointer is
    /// passed to `from_raw` at most once (or once more per
    /// [`RcArray::increment_strong_count`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let p = RcArray::into_raw(RcArray::with_label("l", 2, |_, i| i));
    /// // SAFETY: `p` came from `into_raw` of an `RcArray<usize, &str>`.
    /// let a = unsafe { RcArray::<usize, &str>::from_raw(p) };
    /// assert_eq!(*a.get_label(), "l");
    /// ```
    #[inline]
    pub unsafe fn from_raw(ptr: *const E) -> Self {
        // SAFETY: `ptr` is the element pointer of a live block of this type
        // (caller), so stepping back to the block start stays in bounds.
        let block = unsafe { RcBlock::<E, L, A>::from_elems(ptr) };
        Self::from_block(block.as_non_null())
    }

    /// Adds one strong count to the block of an [`RcArray::into_raw`]
    /// pointer, without making a handle (like
    /// `Rc::increment_strong_count`).
    ///
    /// Aborts the process if the count would exceed `isize::MAX`, as
    /// `clone`.
    ///
    /// # Safety
    ///
    /// `ptr` came from `RcArray::<E, L, A>::into_raw` with the same type
    /// parameters, on this thread, and the strong count it holds is still
    /// held (that handle has not been rebuilt and dropped): the block is
    /// alive.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let p = RcArray::into_raw(RcArray::new(2, |i| i as u8));
    /// // SAFETY: `p` came from `into_raw` and its count is held.
    /// unsafe { RcArray::<u8>::increment_strong_count(p) };
    /// // SAFETY: the count `into_raw` kept, and the one just added.
    /// let (a, b) = unsafe { (RcArray::<u8>::from_raw(p), RcArray::<u8>::from_raw(p)) };
    /// assert_eq!((RcArray::strong_count(&a), &*b), (2, &[0, 1][..]));
    /// ```
    #[inline]
    pub unsafe fn increment_strong_count(ptr: *const E) {
        // SAFETY: `ptr` came from `into_raw` and its count is held
        // (caller): the rebuilt handle is valid while `ManuallyDrop` keeps
        // it from releasing that count.
        let this = ManuallyDrop::new(unsafe { Self::from_raw(ptr) });
        // The clone's count is the one added: it is not dropped either.
        mem::forget(RcArray::clone(&this));
    }

    /// Releases one strong count of the block of an [`RcArray::into_raw`]
    /// pointer (like `Rc::decrement_strong_count`): as rebuilding the
    /// handle with [`RcArray::from_raw`] and dropping it, which drops the
    /// contents if it was the last strong count, and frees the block if no
    /// weak handle is left.
    ///
    /// # Safety
    ///
    /// `ptr` came from `RcArray::<E, L, A>::into_raw` with the same type
    /// parameters, on this thread, and the caller gives up one strong count
    /// held for it (from that `into_raw` or from `increment_strong_count`):
    /// after the last one is released, `ptr` must not be used.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = RcArray::new(2, |i| i as u8);
    /// let p = RcArray::into_raw(a.clone());
    /// assert_eq!(RcArray::strong_count(&a), 2);
    /// // SAFETY: `p` came from `into_raw`; its count is given up here.
    /// unsafe { RcArray::<u8>::decrement_strong_count(p) };
    /// assert_eq!(RcArray::strong_count(&a), 1);
    /// ```
    #[inline]
    pub unsafe fn decrement_strong_count(ptr: *const E) {
        // SAFETY: `ptr` came from `into_raw`, and the count the handle
        // takes over is the caller's to give up.
        drop(unsafe { Self::from_raw(ptr) });
    }

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
    #[must_use]
    #[inline]
    pub fn allocator(this: &Self) -> &A {
        // SAFETY: the header is initialised while any handle lives, and the
        // allocator is only moved out when the last count frees the block.
        unsafe { this.raw().allocator() }
    }

    #[inline]
    fn raw(&self) -> RcBlock<E, L, A> {
        // SAFETY: `self.block` came from `as_non_null` of an RcBlock<E, L, A>.
        unsafe { Block::from_non_null(self.block) }
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

impl<E, L, A: Allocator> Deref for RcArray<E, L, A> {
    type Target = [E];
    #[inline]
    fn deref(&self) -> &[E] {
        let block = self.raw();
        // SAFETY: a strong handle keeps `len` elements initialised, and no
        // handle writes them while shared (`get_mut` needs uniqueness).
        unsafe { block.elements(block.len()) }
    }
}

impl_slice_traits!(RcArray);
impl_constructors!(RcArray);
impl_default!(RcArray);
