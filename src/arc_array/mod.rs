//! `ArcArray`: a label and an array shared across threads through one
//! pointer, with atomic strong and weak counts alone on their cache lines.
//! The count protocol is in `counts.rs`; the weak and unique handles in
//! `weak.rs` and `unique.rs`.

mod counts;
mod layout;
mod unique;
mod weak;

use core::marker::PhantomData;
use core::mem::{self, ManuallyDrop};
use core::ops::Deref;
use core::panic::{RefUnwindSafe, UnwindSafe};
use core::ptr::NonNull;

use crate::block::{fill, Block, Builder, FromBuilder};
use crate::HeapArray;
use counts::Counts;
pub use layout::{ArcLayout, Compact, Padded};
pub use unique::UniqueArcArray;
pub use weak::WeakArcArray;

/// An [`ArcArray`] in the [`Compact`] layout: counts and length in 24
/// bytes, no padding. Same API; see [`Compact`] for when to prefer it.
///
/// ```
/// use heaparray::*;
/// let a = CompactArcArray::with_label("small", 4, |_, i| i as u64);
/// let b = a.clone();
/// assert_eq!((&*b, ArcArray::strong_count(&a)), (&[0, 1, 2, 3][..], 2));
/// ```
pub type CompactArcArray<E, L = ()> = ArcArray<E, L, Compact>;

/// The [`WeakArcArray`] of a [`CompactArcArray`].
pub type CompactWeakArcArray<E, L = ()> = WeakArcArray<E, L, Compact>;

/// The [`UniqueArcArray`] of a [`CompactArcArray`].
pub type CompactUniqueArcArray<E, L = ()> = UniqueArcArray<E, L, Compact>;

/// The header of an `ArcArray` block: the counts, the layout's gap (counts
/// and gap fill `layout::COUNTS_REGION`, 128 bytes on `x86_64`, for
/// [`Padded`]; none for [`Compact`]), then the
/// length, which starts the read-mostly region shared with the label and
/// elements.
#[repr(C)]
pub(crate) struct ArcHeader<P: ArcLayout> {
    counts: Counts,
    _gap: P::Gap,
    len: usize,
}

impl<P: ArcLayout> ArcHeader<P> {
    pub(crate) fn new(len: usize) -> Self {
        ArcHeader {
            counts: Counts::new(),
            _gap: P::GAP,
            len,
        }
    }
}

/// The block behind `ArcArray`, `WeakArcArray` and `UniqueArcArray`.
pub(crate) type ArcBlock<E, L, P> = Block<ArcHeader<P>, L, E>;

impl<E, L, P: ArcLayout> Block<ArcHeader<P>, L, E> {
    /// The counts.
    ///
    /// # Safety
    ///
    /// The block is allocated (some strong or weak count is held) for `'a`.
    #[inline]
    unsafe fn counts<'a>(self) -> &'a Counts {
        // SAFETY: the header is initialised for the block's whole life and
        // the counts are only accessed atomically through shared references.
        // The reference covers the counts alone, never the data (rust#55005).
        unsafe { &(*self.header()).counts }
    }

    /// The length, fixed for the block's life.
    ///
    /// # Safety
    ///
    /// The block is allocated (some strong or weak count is held).
    #[inline]
    unsafe fn len(self) -> usize {
        // SAFETY: the header is initialised and `len` is never written after
        // `Builder::finish`; read through the raw pointer, no reference.
        unsafe { (*self.header()).len }
    }

    /// Releases one weak count and frees the block if it was the last.
    ///
    /// # Safety
    ///
    /// The caller holds a weak count (a weak handle, or the one of the
    /// strong handles after the last of them dropped the contents) and does
    /// not use the block afterwards.
    unsafe fn release_weak(self) {
        // SAFETY: the caller's weak count keeps the block allocated.
        if unsafe { self.counts() }.decrement_weak() {
            // SAFETY: that was the last count of any kind: nothing else can
            // reach the block.
            unsafe { self.free() }
        }
    }

    /// Ends the strong handles' hold on the block once the last of them has
    /// dropped the contents: frees the block at once if no weak handle
    /// exists (one atomic load, not a second read-modify-write), otherwise
    /// releases the strong handles' weak count.
    ///
    /// # Safety
    ///
    /// The caller dropped the last strong handle (the strong count is 0),
    /// the contents are dropped, and it does not use the block afterwards.
    unsafe fn release_last_strong(self) {
        // SAFETY: the strong handles' weak count, now the caller's, keeps
        // the block allocated.
        if unsafe { self.counts() }.weak_handles_left() {
            // SAFETY: the caller holds the strong handles' weak count.
            unsafe { self.release_weak() }
        } else {
            // SAFETY: no weak handle exists and none can appear (strong
            // count 0): the caller holds the last count of any kind.
            unsafe { self.free() }
        }
    }

    /// Frees the block (its contents are already dropped or moved out).
    ///
    /// # Safety
    ///
    /// The caller holds the last count of any kind and does not use the
    /// block afterwards.
    unsafe fn free(self) {
        // SAFETY: the header is live until the deallocation below, and ours
        // alone (caller); the block was allocated for its length.
        unsafe {
            Counts::before_free(&raw mut (*self.header()).counts);
            self.deallocate(self.len());
        }
    }

    /// Makes the caller, holding the claimed strong count (now 0, see
    /// `Counts::claim_unique`), the unique owner of the contents: in place
    /// if no weak handle is left, otherwise by moving the label and the
    /// elements to a new block and leaving the weak handles dead.
    ///
    /// # Safety
    ///
    /// The caller took the strong count to 0 (last `decrement_strong` or a
    /// successful `claim_unique`) and has not dropped the contents.
    unsafe fn into_unique_block(self) -> Self {
        // SAFETY: the strong handles' weak count keeps the block alive.
        let counts = unsafe { self.counts() };
        if !counts.weak_handles_left() {
            counts.restore_unique();
            return self;
        }
        // If the move unwinds (an allocation failure that panics), it has
        // copied nothing: the claimed strong count is given back, so the
        // caller's handle counts again, over its untouched contents.
        let unclaim = Unclaim(counts);
        // SAFETY: the strong count is 0, so no one else reads the contents
        // and the caller owns them; the move leaves them to the new block.
        let moved = unsafe {
            let len = self.len();
            self.move_contents(len, ArcHeader::<P>::new(len))
        };
        mem::forget(unclaim);
        // SAFETY: we hold the strong handles' weak count and are done with
        // the old block; its weak handles free it.
        unsafe { self.release_weak() };
        moved
    }
}

/// Gives a claimed strong count back if dropped: armed while
/// `into_unique_block` moves the contents, so that a move that unwinds
/// leaves the caller's handle counted.
struct Unclaim<'a>(&'a Counts);

impl Drop for Unclaim<'_> {
    fn drop(&mut self) {
        self.0.restore_unique();
    }
}

/// A label and an array shared across threads through a single pointer.
///
/// `ArcArray<E>` stands where `Arc<[E]>` or `Arc<Vec<E>>` would: it derefs to
/// `[E]`, clones by bumping an atomic count, and drops its label and
/// elements with the last clone. Unlike `Arc<[E]>` the handle is one word
/// and the block is filled in place (no copy from a `Vec` when built from a
/// closure or an exact-size iterator); unlike `Arc<Vec<E>>` the elements are
/// one pointer hop away and in the same allocation as the counts.
///
/// Associated functions (`ArcArray::strong_count(&a)`), as in std, keep
/// the handle's own API from shadowing methods of `[E]`.
///
/// # Size and alignment
///
/// One word; `Option<ArcArray>` is one word too. In the default layout,
/// [`Padded`], the block is (offsets on `x86_64`, aarch64 and powerpc64;
/// the length sits at the target's cache-line pair as crossbeam-utils'
/// `CachePadded` knows it, which is 256 bytes on s390x and 32 or 64 on
/// other targets)
///
/// ```text
/// offset 0    strong: AtomicUsize, weak: AtomicUsize
///       16    gap (uninitialised)
///      128    len: usize
///      136    (the header is 16-aligned: 8 bytes to round it to 144)
///      144    label: L, then the elements at their alignment
/// ```
///
/// so the counts, written by every clone and drop, never share a cache line
/// (nor the adjacent line a prefetcher pulls in with it) with the data
/// readers touch.
///
/// # Layout
///
/// The third parameter picks the layout: [`Padded`] (the default) or
/// [`Compact`], whose block is strong, weak and `len` in 24 bytes, then the
/// label and the elements: 120 bytes less per block, at the price of the
/// false sharing the gap prevents. [`CompactArcArray`] names it. Both run
/// the same code and have the same methods and traits, with one exception
/// kept for type inference: the inherent constructors (`new`,
/// `with_label`, `with_len`, `par_new`, `par_with_label`) and the `From`
/// conversions are for the default layout only (a call like
/// `ArcArray::new(..)` could not tell which layout is meant otherwise, as
/// `HashMap::new` is for the default hasher only). A compact array is built
/// through the same-named methods of the construction traits, which
/// `use heaparray::*` brings in, or by `collect`:
///
/// ```
/// use heaparray::*;
///
/// let a = CompactArcArray::new(4, |i| i as u64); // MakeArray::new
/// let b = CompactArcArray::with_label("meta", 2, |_, i| i); // LabelledArray
/// let c: CompactArcArray<u64> = (0..4).collect();
/// assert_eq!((&*a, &*c), (&[0, 1, 2, 3][..], &[0, 1, 2, 3][..]));
/// assert_eq!(*b.get_label(), "meta");
/// ```
///
/// # Examples
///
/// ```
/// use heaparray::*;
/// use std::thread;
///
/// let a = ArcArray::with_label("weights", 1000, |_, i| i as f32);
/// let sums: Vec<f32> = (0..4)
///     .map(|t| {
///         let a = a.clone();
///         thread::spawn(move || a[t * 250..(t + 1) * 250].iter().sum::<f32>())
///     })
///     .map(|h| h.join().unwrap())
///     .collect();
/// assert_eq!(sums.iter().sum::<f32>(), 499_500.0);
/// assert_eq!(*a.get_label(), "weights");
/// ```
pub struct ArcArray<E, L = (), P: ArcLayout = Padded> {
    block: NonNull<u8>,
    _owns: PhantomData<(L, E, P)>,
}

// SAFETY: handles on several threads share the label and the elements
// (`&L`, `&[E]` from each), so both must be `Sync`; and any thread may hold
// the last handle and drop them, or take them with `try_unique` /
// `make_mut`, so both must be `Send`. This is `Arc<T>`'s
// `T: Send + Sync`, for both parts. The counts are atomic.
unsafe impl<E: Send + Sync, L: Send + Sync, P: ArcLayout> Send for ArcArray<E, L, P> {}
// SAFETY: `&ArcArray` can be cloned into an owned handle on another thread,
// so sharing it is sending one: the same bounds as `Send`.
unsafe impl<E: Send + Sync, L: Send + Sync, P: ArcLayout> Sync for ArcArray<E, L, P> {}

// Like `Arc<T>: UnwindSafe where T: RefUnwindSafe`: a panic while a
// handle is borrowed can only have left the data as `&`-access leaves it.
impl<E: RefUnwindSafe, L: RefUnwindSafe, P: ArcLayout> UnwindSafe for ArcArray<E, L, P> {}

impl<E, L, P: ArcLayout> ArcArray<E, L, P> {
    /// The label.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = ArcArray::with_label("meta", 0, |_, _| 0u8);
    /// assert_eq!(*a.get_label(), "meta");
    /// ```
    #[must_use]
    #[inline]
    pub fn get_label(&self) -> &L {
        // SAFETY: a strong handle keeps the label initialised, and shared
        // handles never write it (writes need uniqueness).
        unsafe { self.raw().label_ref() }
    }

    /// The number of strong handles to this block.
    ///
    /// A snapshot: other threads may change it at once.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = ArcArray::new(1, |i| i);
    /// let b = a.clone();
    /// assert_eq!(ArcArray::strong_count(&a), 2);
    /// ```
    #[must_use]
    #[inline]
    pub fn strong_count(this: &Self) -> usize {
        this.counts().strong()
    }

    /// The number of weak handles to this block.
    ///
    /// A snapshot, like [`ArcArray::strong_count`].
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = ArcArray::new(1, |i| i);
    /// let w = ArcArray::downgrade(&a);
    /// assert_eq!(ArcArray::weak_count(&a), 1);
    /// ```
    #[must_use]
    #[inline]
    pub fn weak_count(this: &Self) -> usize {
        this.counts().weak()
    }

    /// Whether two handles point to the same block (like `Arc::ptr_eq`).
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = ArcArray::new(1, |i| i);
    /// let b = a.clone();
    /// let c = ArcArray::new(1, |i| i);
    /// assert!(ArcArray::ptr_eq(&a, &b));
    /// assert!(!ArcArray::ptr_eq(&a, &c));
    /// ```
    #[must_use]
    #[inline]
    pub fn ptr_eq(this: &Self, other: &Self) -> bool {
        this.block == other.block
    }

    /// A weak handle to this block: it keeps the block allocated but not the
    /// label and elements, and can [`upgrade`](WeakArcArray::upgrade) while
    /// a strong handle exists.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = ArcArray::new(2, |i| i);
    /// let w = ArcArray::downgrade(&a);
    /// assert_eq!(&*w.upgrade().unwrap(), &[0, 1]);
    /// drop(a);
    /// assert!(w.upgrade().is_none());
    /// ```
    #[must_use]
    #[inline]
    pub fn downgrade(this: &Self) -> WeakArcArray<E, L, P> {
        this.counts().downgrade();
        WeakArcArray::from_block(this.block)
    }

    /// The elements by mutable reference if this is the only handle, strong
    /// or weak (like `Arc::get_mut`).
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let mut a = ArcArray::new(2, |i| i);
    /// ArcArray::get_mut(&mut a).unwrap()[0] = 7;
    /// let w = ArcArray::downgrade(&a);
    /// assert!(ArcArray::get_mut(&mut a).is_none());
    /// drop(w);
    /// assert_eq!(&*a, &[7, 1]);
    /// ```
    #[inline]
    pub fn get_mut(this: &mut Self) -> Option<&mut [E]> {
        if this.counts().is_unique() {
            // SAFETY: no other handle of any kind exists, and none can be
            // made without `this`, which `&mut` borrows exclusively.
            Some(unsafe { this.raw().elements_mut(this.len()) })
        } else {
            None
        }
    }

    /// The elements by mutable reference, copy-on-write (like
    /// `Arc::make_mut`): if other strong handles share the block, the label
    /// and the elements are cloned into a new block first; if only weak
    /// handles share it, the contents move to a new block (no clone) and
    /// the weak handles can no longer upgrade.
    ///
    /// # Panics
    ///
    /// If a `Clone` panics, what was cloned is dropped, the new block freed
    /// and `this` left unchanged. If the new block cannot be allocated, the
    /// global allocator's error handler runs, as for `Vec` (an abort on
    /// stable Rust); should it unwind instead, `this` is left unchanged
    /// too: still a counted handle over the same contents.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let mut a = ArcArray::new(2, |i| i);
    /// let b = a.clone();
    /// ArcArray::make_mut(&mut a)[0] = 9;
    /// assert_eq!((&*a, &*b), (&[9, 1][..], &[0, 1][..]));
    /// ```
    pub fn make_mut(this: &mut Self) -> &mut [E]
    where
        E: Clone,
        L: Clone,
    {
        if this.counts().claim_unique() {
            // SAFETY: the claim took the strong count to 0 and the contents
            // are intact.
            let block = unsafe { this.raw().into_unique_block() };
            this.block = block.as_non_null();
        } else {
            let (label, len) = (this.get_label().clone(), this.len());
            *this = Self::from_builder(fill(label, len, |_, i| this[i].clone()));
        }
        // SAFETY: `this` is now the only handle of any kind to its block
        // (a fresh clone, a moved block, or a claimed one with no weak
        // handles), and `&mut this` is exclusive.
        unsafe { this.raw().elements_mut(this.len()) }
    }

    /// Unique ownership of the contents if no other strong handle exists
    /// (like `Arc::try_unwrap`); otherwise the handle back. Weak handles can
    /// no longer upgrade afterwards. No copy unless weak handles exist, in
    /// which case the contents move to a new block.
    ///
    /// # Errors
    ///
    /// The handle itself, unchanged, if another strong handle exists.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = ArcArray::new(2, |i| i);
    /// let b = a.clone();
    /// let a = ArcArray::try_unique(a).unwrap_err();
    /// drop(b);
    /// let mut u = ArcArray::try_unique(a).unwrap();
    /// u[0] = 5;
    /// assert_eq!(&*u, &[5, 1]);
    /// ```
    pub fn try_unique(this: Self) -> Result<UniqueArcArray<E, L, P>, Self> {
        if !this.counts().claim_unique() {
            return Err(this);
        }
        // SAFETY: the claim took the strong count (ours) to 0 and the
        // contents are intact. `this` stays a handle until the block is
        // made unique: if that unwinds, the claim is given back and `this`
        // drops as any handle; then it is forgotten.
        let block = unsafe { this.raw().into_unique_block() };
        mem::forget(this);
        Ok(UniqueArcArray::from_block(block.as_non_null()))
    }

    /// Drops this handle and, if it was the last strong one, returns unique
    /// ownership of the contents (like `Arc::into_inner`): of any number of
    /// threads calling this on the handles of one block, exactly one gets
    /// `Some`.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = ArcArray::new(2, |i| i);
    /// let b = a.clone();
    /// assert!(ArcArray::into_unique(a).is_none());
    /// assert_eq!(&*ArcArray::into_unique(b).unwrap(), &[0, 1]);
    /// ```
    #[must_use]
    pub fn into_unique(this: Self) -> Option<UniqueArcArray<E, L, P>> {
        let this = ManuallyDrop::new(this);
        if !this.counts().decrement_strong() {
            return None;
        }
        let this = ManuallyDrop::into_inner(this);
        // SAFETY: ours was the last strong count, now 0; the contents are
        // intact. As in `try_unique`, `this` drops as any handle if making
        // the block unique unwinds (its count given back), and is
        // forgotten once it is done.
        let block = unsafe { this.raw().into_unique_block() };
        mem::forget(this);
        Some(UniqueArcArray::from_block(block.as_non_null()))
    }

    /// A pointer to the first element (or where it would be, for an empty
    /// array), valid while a strong handle lives.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = ArcArray::new(2, |i| i as u8);
    /// assert_eq!(ArcArray::as_ptr(&a), a.as_ptr());
    /// ```
    #[must_use]
    #[inline]
    pub fn as_ptr(this: &Self) -> *const E {
        this.raw().elems()
    }

    /// Consumes the handle, returning a thin pointer to the first element
    /// for FFI; [`ArcArray::from_raw`] turns it back into a handle. The
    /// pointer is aligned for `E`, even for over-aligned types. Until then
    /// the strong count stays held.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = ArcArray::new(3, |i| i as u32);
    /// let p = ArcArray::into_raw(a);
    /// // SAFETY: `p` came from `into_raw` of an `ArcArray<u32>`.
    /// let a = unsafe { ArcArray::<u32>::from_raw(p) };
    /// assert_eq!(&*a, &[0, 1, 2]);
    /// ```
    #[must_use]
    #[inline]
    pub fn into_raw(this: Self) -> *const E {
        ManuallyDrop::new(this).raw().elems()
    }

    /// Rebuilds a handle from [`ArcArray::into_raw`]'s pointer.
    ///
    /// # Safety
    ///
    /// `ptr` came from `ArcArray::<E, L, P>::into_raw` with the same `E`,
    /// `L` and layout `P` (a padded array's pointer does not lead back to
    /// a compact block, nor the reverse), and each such pointer is passed
    /// to `from_raw` at most once.
    #[inline]
    pub unsafe fn from_raw(ptr: *const E) -> Self {
        // SAFETY: `ptr` is the element pointer of a live block of this type
        // (caller), so stepping back to the block start stays in bounds.
        let block = unsafe { ArcBlock::<E, L, P>::from_elems(ptr) };
        Self::from_block(block.as_non_null())
    }

    #[inline]
    fn raw(&self) -> ArcBlock<E, L, P> {
        // SAFETY: `self.block` came from `as_non_null` of an ArcBlock<E, L, P>.
        unsafe { Block::from_non_null(self.block) }
    }

    #[inline]
    fn counts(&self) -> &Counts {
        // SAFETY: a strong handle keeps the block allocated.
        unsafe { self.raw().counts() }
    }

    /// Takes over one strong count of the block at `block`.
    #[inline]
    pub(crate) fn from_block(block: NonNull<u8>) -> Self {
        ArcArray {
            block,
            _owns: PhantomData,
        }
    }

    /// The last strong handle is gone: drop the contents, then release the
    /// strong handles' weak count. Out of line so that `drop` is one atomic
    /// instruction on the common path (as std's `drop_slow`).
    #[inline(never)]
    fn drop_slow(&mut self) {
        let block = self.raw();
        // SAFETY: the last strong handle: the contents are initialised and
        // no reference to them is live (upgrade cannot resurrect a count of
        // 0); then the strong handles' hold on the block, ours now, ends
        // (freeing the block if no weak handle is left), even if an
        // element's destructor panics.
        unsafe {
            block.drop_contents_then(block.len(), |block| block.release_last_strong());
        }
    }
}

impl<E, L, P: ArcLayout> FromBuilder<E, L> for ArcArray<E, L, P> {
    type Header = ArcHeader<P>;
    fn from_builder(builder: Builder<ArcHeader<P>, L, E>) -> Self {
        UniqueArcArray::from_builder(builder).shareable()
    }
}

impl<E, L, P: ArcLayout> Clone for ArcArray<E, L, P> {
    /// Another handle to the same block: one relaxed atomic increment.
    ///
    /// Aborts the process if the count would exceed `isize::MAX`, as `Arc`
    /// does (only reachable by leaking handles with `mem::forget`).
    #[inline]
    fn clone(&self) -> Self {
        self.counts().increment_strong();
        Self::from_block(self.block)
    }
}

impl<E, L, P: ArcLayout> Drop for ArcArray<E, L, P> {
    #[inline]
    fn drop(&mut self) {
        if self.counts().decrement_strong() {
            self.drop_slow();
        }
    }
}

impl<E, L, P: ArcLayout> Deref for ArcArray<E, L, P> {
    type Target = [E];
    #[inline]
    fn deref(&self) -> &[E] {
        let block = self.raw();
        // SAFETY: a strong handle keeps `len` elements initialised; shared
        // handles never write them.
        unsafe { block.elements(block.len()) }
    }
}

impl_slice_traits!(ArcArray, P: ArcLayout);
impl_constructors!(ArcArray, P: ArcLayout);

impl<E, L> From<HeapArray<E, L>> for ArcArray<E, L> {
    /// Moves the label and the elements into a shared block (one copy).
    fn from(heap: HeapArray<E, L>) -> Self {
        UniqueArcArray::from(heap).shareable()
    }
}

impl<E, L, P: ArcLayout> From<UniqueArcArray<E, L, P>> for ArcArray<E, L, P> {
    /// Shares the block as it is, no copy (as [`UniqueArcArray::shareable`]).
    fn from(unique: UniqueArcArray<E, L, P>) -> Self {
        unique.shareable()
    }
}
