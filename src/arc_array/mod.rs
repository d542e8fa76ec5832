//! `ArcArray`: a label and an array shared across threads through one
//! pointer, with atomic strong and weak counts alone on their cache lines.
//! The count protocol is in `counts.rs`; the weak and unique handles in
//! `weak.rs` and `unique.rs`.

mod counts;
mod empty;
mod layout;
mod unique;
mod weak;

use core::marker::PhantomData;
use core::mem::{self, ManuallyDrop};
use core::ops::Deref;
use core::panic::{RefUnwindSafe, UnwindSafe};
use core::ptr::NonNull;

use crate::allocation::{self, Allocator, Global, TryReserveError};
use crate::block::{build, try_fill, Block, Builder, FromBuilder, Header};
use crate::HeapArray;
use counts::Counts;
use layout::CountsAndAlloc;
pub use layout::{ArcLayout, Compact, Padded};
pub use unique::{UniqueArcArray, UniqueArcArrayBase};
pub use weak::{WeakArcArray, WeakArcArrayBase};

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
/// [`CompactArcArray`] is the same handle in the [`Compact`] layout: strong,
/// weak and `len` in 24 bytes, then the label and the elements, 120 bytes
/// less per block than [`Padded`], at the price of the false sharing the
/// gap prevents. Both are aliases of one type, [`ArcArrayBase`], so they
/// have the same constructors, conversions, methods and traits: switching
/// is changing the type name.
///
/// ```
/// use heaparray::CompactArcArray;
///
/// let a = CompactArcArray::new(4, |i| i as u64);
/// let b = CompactArcArray::with_label("meta", 2, |_, i| i);
/// let c = CompactArcArray::from(vec![0u64, 1, 2, 3]);
/// assert_eq!((&*a, &*c), (&[0, 1, 2, 3][..], &[0, 1, 2, 3][..]));
/// assert_eq!(*b.get_label(), "meta");
/// ```
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
pub type ArcArray<E, L = (), A = Global> = ArcArrayBase<E, L, Padded, A>;

/// An [`ArcArray`] in the [`Compact`] layout: counts and length in 24
/// bytes, no padding, as small as `Arc<[T]>`. The same type, methods and
/// traits as [`ArcArray`] ([`ArcArrayBase`] in the other layout); see
/// [`Compact`] for when to prefer it.
///
/// ```
/// use heaparray::CompactArcArray;
///
/// let a = CompactArcArray::with_label("small", 4, |_, i| i as u64);
/// let b = a.clone();
/// assert_eq!((&*b, CompactArcArray::strong_count(&a)), (&[0, 1, 2, 3][..], 2));
/// let v = CompactArcArray::from(vec![1u8, 2, 3]);
/// assert_eq!(&*v, &[1, 2, 3]);
/// ```
pub type CompactArcArray<E, L = (), A = Global> = ArcArrayBase<E, L, Compact, A>;

/// The [`WeakArcArray`] of a [`CompactArcArray`].
pub type CompactWeakArcArray<E, L = (), A = Global> = WeakArcArrayBase<E, L, Compact, A>;

/// The [`UniqueArcArray`] of a [`CompactArcArray`].
pub type CompactUniqueArcArray<E, L = (), A = Global> = UniqueArcArrayBase<E, L, Compact, A>;

/// The header of an `ArcArray` block: the counts and the allocator (the
/// layout's front: padded to `layout::COUNTS_REGION`, 128 bytes on
/// `x86_64`, for [`Padded`]; packed for [`Compact`]), then the length,
/// which starts the read-mostly region shared with the label and elements.
#[repr(C)]
pub(crate) struct ArcHeader<P: ArcLayout, A> {
    front: P::Front<A>,
    len: usize,
}

impl<P: ArcLayout, A> ArcHeader<P, A> {
    pub(crate) fn new(len: usize, alloc: A) -> Self {
        ArcHeader {
            front: P::front(CountsAndAlloc::new(alloc)),
            len,
        }
    }

    /// The counts and the allocator at the header's start.
    #[inline]
    fn slots(header: *mut Self) -> *mut CountsAndAlloc<A> {
        // Both fronts are `repr(C)` with `CountsAndAlloc<A>` at offset 0
        // (`Compact`'s is one, `Padded`'s a union holding one), and the
        // front is the header's first field: the same address.
        header.cast()
    }
}

impl<P: ArcLayout, A: Allocator> Header for ArcHeader<P, A> {
    type Alloc = A;
    // SAFETY: the trait's contract: `header` points to a header of an
    // allocated block; the result is a place inside it.
    unsafe fn alloc(header: *mut Self) -> *mut A {
        // SAFETY: a place inside the header the caller points to;
        // `ManuallyDrop<A>` is `repr(transparent)` over `A`.
        unsafe { (&raw mut (*Self::slots(header)).alloc).cast() }
    }
}

/// The block behind `ArcArray`, `WeakArcArray` and `UniqueArcArray`.
pub(crate) type ArcBlock<E, L, P, A> = Block<ArcHeader<P, A>, L, E>;

impl<E, L, P: ArcLayout, A: Allocator> Block<ArcHeader<P, A>, L, E> {
    /// The counts.
    ///
    /// # Safety
    ///
    /// The block is allocated (some strong or weak count is held) for `'a`.
    #[inline]
    unsafe fn counts<'a>(self) -> &'a Counts {
        // SAFETY: the header is initialised for the block's whole life and
        // the counts are only accessed atomically through shared references.
        // The reference covers the counts alone, never the allocator beside
        // them or the data (rust#55005).
        unsafe { &(*ArcHeader::slots(self.header())).counts }
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
        // alone (caller); the block was allocated from the allocator in its
        // header for its length, and `dispose` moves that allocator out,
        // frees the block with it and drops it.
        unsafe {
            Counts::before_free(&raw mut (*ArcHeader::slots(self.header())).counts);
            self.dispose(self.len());
        }
    }

    /// Makes the caller, holding the claimed strong count (now 0, see
    /// `Counts::claim_unique`), the unique owner of the contents: in place
    /// if no weak handle is left, otherwise by moving the label and the
    /// elements to a new block, from a clone of the allocator (the weak
    /// handles keep the old block, and free it with the allocator in it),
    /// and leaving the weak handles dead.
    ///
    /// Returns the unique block and, after a move, the old block, whose
    /// strong handles' weak count the caller must release (with
    /// [`Block::release_weak`]) once it holds the unique block as a handle:
    /// that release may free the old block, which runs the allocator's
    /// `deallocate` and drop, user code that may unwind, and an unwind then
    /// must find the caller's handle on the new block, not the freed one.
    ///
    /// # Safety
    ///
    /// The caller took the strong count to 0 (last `decrement_strong` or a
    /// successful `claim_unique`) and has not dropped the contents.
    unsafe fn into_unique_block(self) -> (Self, Option<Self>)
    where
        A: Clone,
    {
        // SAFETY: the strong handles' weak count keeps the block alive.
        let counts = unsafe { self.counts() };
        if !counts.weak_handles_left() {
            counts.restore_unique();
            return (self, None);
        }
        // If the allocator's `clone` panics, or the move fails (the error
        // handler may unwind) or its allocator panics, nothing has been
        // copied: the claimed strong count is given back, so the caller's
        // handle counts again, over its untouched contents.
        let unclaim = Unclaim(counts);
        // SAFETY: the header is initialised and stays so while we hold the
        // strong handles' weak count.
        let alloc = unsafe { self.allocator() }.clone();
        // SAFETY: the block is allocated while we hold a count.
        let len = unsafe { self.len() };
        // SAFETY: the strong count is 0, so no one else reads the contents
        // and the caller owns them; a successful move leaves them to the
        // new block, whose header is written next.
        let moved = match unsafe { self.try_move_contents(len, &alloc) } {
            Ok(moved) => moved,
            Err(err) => allocation::fail(&err),
        };
        // SAFETY: the fresh block's header holds nothing yet.
        unsafe { moved.write_header(ArcHeader::<P, A>::new(len, alloc)) };
        mem::forget(unclaim);
        // The old block keeps the strong handles' weak count, for the
        // caller to release.
        (moved, Some(self))
    }
}

/// The one type behind [`ArcArray`] (layout [`Padded`]) and
/// [`CompactArcArray`] (layout [`Compact`]), generic over the layout `P`,
/// as ndarray's `ArrayBase` is behind its aliases. Name the aliases in
/// code that knows its layout; name this type in code generic over both:
///
/// ```
/// use heaparray::{ArcArray, ArcArrayBase, ArcLayout, Allocator, CompactArcArray};
///
/// fn total<P: ArcLayout, A: Allocator>(a: &ArcArrayBase<u32, (), P, A>) -> u32 {
///     a.iter().sum()
/// }
/// assert_eq!(total(&ArcArray::from(vec![1, 2])), 3);
/// assert_eq!(total(&CompactArcArray::from(vec![1, 2])), 3);
/// ```
///
/// See [`ArcArray`] for the handle's documentation.
pub struct ArcArrayBase<E, L, P: ArcLayout, A: Allocator> {
    block: NonNull<u8>,
    _owns: PhantomData<(L, E, P, A)>,
}

// SAFETY: handles on several threads share the label, the elements and the
// allocator (`&L`, `&[E]`, `&A` from each), so all must be `Sync`; and any
// thread may hold the last handle and drop them, or take them with
// `try_unique` / `make_mut`, or free the block with the allocator, so all
// must be `Send`. This is `Arc<T, A>`'s `T: Send + Sync, A: Send + Sync`,
// for every part. The counts are atomic.
unsafe impl<E: Send + Sync, L: Send + Sync, P: ArcLayout, A: Allocator + Send + Sync> Send
    for ArcArrayBase<E, L, P, A>
{
}
// SAFETY: `&ArcArray` can be cloned into an owned handle on another thread,
// so sharing it is sending one: the same bounds as `Send`.
unsafe impl<E: Send + Sync, L: Send + Sync, P: ArcLayout, A: Allocator + Send + Sync> Sync
    for ArcArrayBase<E, L, P, A>
{
}

// Like `Arc<T, A>: UnwindSafe where T: RefUnwindSafe, A: UnwindSafe`: a
// panic while a handle is borrowed can only have left the data as
// `&`-access leaves it.
impl<E: RefUnwindSafe, L: RefUnwindSafe, P: ArcLayout, A: Allocator + UnwindSafe> UnwindSafe
    for ArcArrayBase<E, L, P, A>
{
}

impl<E, L, P: ArcLayout, A: Allocator> ArcArrayBase<E, L, P, A> {
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
    pub fn downgrade(this: &Self) -> WeakArcArrayBase<E, L, P, A> {
        this.counts().downgrade();
        WeakArcArrayBase::from_block(this.block)
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
    /// The new block comes from a clone of the allocator, as std's
    /// `Arc::make_mut` clones its allocator.
    ///
    /// # Panics
    ///
    /// If a `Clone` (of an element, the label or the allocator) panics,
    /// what was cloned is dropped, the new block freed and `this` left
    /// unchanged. If the new block cannot be allocated, the global
    /// allocation error handler runs, as for `Vec` (an abort on stable
    /// Rust); should it unwind instead, or the allocator panic, `this` is
    /// left unchanged too: still a counted handle over the same contents.
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
        A: Clone,
    {
        if this.counts().claim_unique() {
            // SAFETY: the claim took the strong count to 0 and the contents
            // are intact.
            let (block, old) = unsafe { this.raw().into_unique_block() };
            this.block = block.as_non_null();
            if let Some(old) = old {
                // SAFETY: the old block's weak count, held for the strong
                // handles, is ours to release, and we are done with it;
                // `this` already is the new block's handle if this unwinds.
                unsafe { old.release_weak() };
            }
        } else {
            // `this` keeps its strong count across every call into user
            // code below (the clones of the allocator, label and elements).
            let alloc = Self::allocator(this).clone();
            let (label, len) = (this.get_label().clone(), this.len());
            *this =
                allocation::infallible(build(try_fill(label, len, |_, i| this[i].clone(), alloc)));
        }
        // SAFETY: `this` is now the only handle of any kind to its block
        // (a fresh clone, a moved block, or a claimed one with no weak
        // handles), and `&mut this` is exclusive.
        unsafe { this.raw().elements_mut(this.len()) }
    }

    /// Unique ownership of the contents if no other strong handle exists
    /// (like `Arc::try_unwrap`); otherwise the handle back. Weak handles can
    /// no longer upgrade afterwards. No copy unless weak handles exist, in
    /// which case the contents move to a new block from a clone of the
    /// allocator (allocation failure: as [`ArcArray::make_mut`]).
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
    #[doc(alias = "try_unwrap")]
    pub fn try_unique(this: Self) -> Result<UniqueArcArrayBase<E, L, P, A>, Self>
    where
        A: Clone,
    {
        if !this.counts().claim_unique() {
            return Err(this);
        }
        // SAFETY: the claim took the strong count (ours) to 0 and the
        // contents are intact. `this` stays a handle until the block is
        // made unique: if that unwinds, the claim is given back and `this`
        // drops as any handle; then it is forgotten.
        let (block, old) = unsafe { this.raw().into_unique_block() };
        mem::forget(this);
        // SAFETY: `into_unique_block`'s result, passed on once.
        Ok(unsafe { UniqueArcArrayBase::from_unique_block(block, old) })
    }

    /// Drops this handle and, if it was the last strong one, returns unique
    /// ownership of the contents (like `Arc::into_inner`): of any number of
    /// threads calling this on the handles of one block, exactly one gets
    /// `Some`. As [`ArcArray::try_unique`], the contents move to a new block
    /// if weak handles exist.
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
    #[doc(alias = "into_inner")]
    pub fn into_unique(this: Self) -> Option<UniqueArcArrayBase<E, L, P, A>>
    where
        A: Clone,
    {
        let this = ManuallyDrop::new(this);
        if !this.counts().decrement_strong() {
            return None;
        }
        let this = ManuallyDrop::into_inner(this);
        // SAFETY: ours was the last strong count, now 0; the contents are
        // intact. As in `try_unique`, `this` drops as any handle if making
        // the block unique unwinds (its count given back), and is
        // forgotten once it is done.
        let (block, old) = unsafe { this.raw().into_unique_block() };
        mem::forget(this);
        // SAFETY: `into_unique_block`'s result, passed on once.
        Some(unsafe { UniqueArcArrayBase::from_unique_block(block, old) })
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
    /// `ptr` came from `ArcArrayBase::<E, L, P, A>::into_raw` with the same
    /// `E`, `L`, layout `P` and allocator type `A` (a padded array's pointer
    /// does not lead back to a compact block, nor the reverse), and each
    /// such pointer is passed to `from_raw` at most once.
    #[inline]
    pub unsafe fn from_raw(ptr: *const E) -> Self {
        // SAFETY: `ptr` is the element pointer of a live block of this type
        // (caller), so stepping back to the block start stays in bounds.
        let block = unsafe { ArcBlock::<E, L, P, A>::from_elems(ptr) };
        Self::from_block(block.as_non_null())
    }

    /// Adds one strong count to the block of an [`ArcArray::into_raw`]
    /// pointer, without making a handle (like
    /// `Arc::increment_strong_count`): for FFI and waker-like code that
    /// keeps handles as raw pointers.
    ///
    /// Aborts the process if the count would exceed `isize::MAX`, as
    /// `clone`.
    ///
    /// # Safety
    ///
    /// `ptr` came from `ArcArrayBase::<E, L, P, A>::into_raw` with the same
    /// type parameters, and the strong count it holds is still held (that
    /// handle has not been rebuilt and dropped): the block is alive.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let p = ArcArray::into_raw(ArcArray::new(2, |i| i as u8));
    /// // SAFETY: `p` came from `into_raw` and its count is held.
    /// unsafe { ArcArray::<u8>::increment_strong_count(p) };
    /// // SAFETY: the count `into_raw` kept, and the one just added.
    /// let (a, b) = unsafe { (ArcArray::<u8>::from_raw(p), ArcArray::<u8>::from_raw(p)) };
    /// assert_eq!((ArcArray::strong_count(&a), &*b), (2, &[0, 1][..]));
    /// ```
    #[inline]
    pub unsafe fn increment_strong_count(ptr: *const E) {
        // SAFETY: `ptr` came from `into_raw` and its count is held
        // (caller): the rebuilt handle is valid while `ManuallyDrop` keeps
        // it from releasing that count.
        let this = ManuallyDrop::new(unsafe { Self::from_raw(ptr) });
        // The clone's count is the one added: it is not dropped either.
        mem::forget(ArcArrayBase::clone(&this));
    }

    /// Releases one strong count of the block of an
    /// [`ArcArray::into_raw`] pointer (like `Arc::decrement_strong_count`):
    /// as rebuilding the handle with [`ArcArray::from_raw`] and dropping
    /// it, which drops the contents and may free the block if it was the
    /// last.
    ///
    /// # Safety
    ///
    /// `ptr` came from `ArcArrayBase::<E, L, P, A>::into_raw` with the same
    /// type parameters, and the caller gives up one strong count held for
    /// it (from that `into_raw` or from `increment_strong_count`): after
    /// the last one is released, `ptr` must not be used.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = ArcArray::new(2, |i| i as u8);
    /// let p = ArcArray::into_raw(a.clone());
    /// assert_eq!(ArcArray::strong_count(&a), 2);
    /// // SAFETY: `p` came from `into_raw`; its count is given up here.
    /// unsafe { ArcArray::<u8>::decrement_strong_count(p) };
    /// assert_eq!(ArcArray::strong_count(&a), 1);
    /// ```
    #[inline]
    pub unsafe fn decrement_strong_count(ptr: *const E) {
        // SAFETY: `ptr` came from `into_raw`, and the count the handle
        // takes over is the caller's to give up.
        drop(unsafe { Self::from_raw(ptr) });
    }

    /// Whether this is the only handle to its block, strong or weak (like
    /// the unstable `Arc::is_unique`): when it is, [`ArcArray::get_mut`]
    /// returns `Some` and [`ArcArray::make_mut`] does not copy. A shared
    /// empty block ([`Default`](#impl-Default-for-ArcArrayBase<E,+(),+P,+A>))
    /// is never unique.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = ArcArray::new(1, |i| i);
    /// assert!(ArcArray::is_unique(&a));
    /// let w = ArcArray::downgrade(&a);
    /// assert!(!ArcArray::is_unique(&a));
    /// drop(w);
    /// let b = a.clone();
    /// assert!(!ArcArray::is_unique(&a));
    /// ```
    #[must_use]
    #[inline]
    pub fn is_unique(this: &Self) -> bool {
        this.counts().is_unique()
    }

    /// Unique ownership of the contents (like `Arc::unwrap_or_clone`): the
    /// block itself if this is the only strong handle, with no copy (the
    /// contents move to a new block only if weak handles exist, as
    /// [`ArcArray::try_unique`]); otherwise a clone of the label and the
    /// elements into a new block from a clone of the allocator, and this
    /// handle is dropped.
    ///
    /// # Panics
    ///
    /// If a `Clone` panics: as [`ArcArray::make_mut`], what was cloned is
    /// dropped and the new block freed; this handle is dropped too.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = ArcArray::new(2, |i| i);
    /// let b = a.clone();
    /// let mut u = ArcArray::unwrap_or_clone(a); // shared: cloned
    /// u[0] = 9;
    /// let p = ArcArray::as_ptr(&b);
    /// let v = ArcArray::unwrap_or_clone(b); // the last handle: no copy
    /// assert_eq!((&*u, &*v, v.as_ptr()), (&[9, 1][..], &[0, 1][..], p));
    /// ```
    #[must_use]
    pub fn unwrap_or_clone(this: Self) -> UniqueArcArrayBase<E, L, P, A>
    where
        E: Clone,
        L: Clone,
        A: Clone,
    {
        match Self::try_unique(this) {
            Ok(unique) => unique,
            Err(this) => {
                // `this` keeps its strong count across the clones (user
                // code), and is dropped after them.
                let alloc = Self::allocator(&this).clone();
                let (label, len) = (this.get_label().clone(), this.len());
                allocation::infallible(build(try_fill(label, len, |_, i| this[i].clone(), alloc)))
            }
        }
    }

    /// The allocator the block came from (like `Arc::allocator`). It lives
    /// in the block; the last handle of any kind frees the block with it,
    /// then drops it.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = ArcArray::new_in(2, |i| i, Global);
    /// let _: &Global = ArcArray::allocator(&a);
    /// ```
    #[must_use]
    #[inline]
    pub fn allocator(this: &Self) -> &A {
        // SAFETY: a strong handle keeps the block, and the allocator in its
        // header, in place: only the last owner moves it out.
        unsafe { this.raw().allocator() }
    }

    #[inline]
    fn raw(&self) -> ArcBlock<E, L, P, A> {
        // SAFETY: `self.block` came from `as_non_null` of an
        // ArcBlock<E, L, P, A>.
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
        ArcArrayBase {
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

impl<E, L, P: ArcLayout, A: Allocator> FromBuilder<E, L> for ArcArrayBase<E, L, P, A> {
    type Header = ArcHeader<P, A>;
    fn try_from_builder(builder: Builder<ArcHeader<P, A>, L, E>) -> Result<Self, TryReserveError> {
        UniqueArcArrayBase::try_from_builder(builder).map(UniqueArcArrayBase::shareable)
    }
}

impl<E, L, P: ArcLayout, A: Allocator> Clone for ArcArrayBase<E, L, P, A> {
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

impl<E, L, P: ArcLayout, A: Allocator> Drop for ArcArrayBase<E, L, P, A> {
    #[inline]
    fn drop(&mut self) {
        if self.counts().decrement_strong() {
            self.drop_slow();
        }
    }
}

impl<E, P: ArcLayout, A: Allocator + Default> Default for ArcArrayBase<E, (), P, A> {
    /// An empty array. For elements aligned to at most 16 bytes and a
    /// zero-sized allocator such as [`Global`], this allocates nothing:
    /// like std's `Arc<[T]>::default()`, every such empty array of one
    /// layout shares one static block, which is never freed. Otherwise
    /// (and under loom and shuttle, whose atomics cannot be in a static)
    /// it is an empty block of its own, from `A::default()`.
    ///
    /// The static block holds a strong count of its own, so it behaves as
    /// a block shared with another handle: [`ArcArray::get_mut`] returns
    /// `None`, [`ArcArray::is_unique`] is `false`, [`ArcArray::try_unique`]
    /// gives the handle back and [`ArcArray::into_unique`] `None`;
    /// [`ArcArray::make_mut`] and [`ArcArray::unwrap_or_clone`] move to a
    /// fresh empty block. `strong_count` counts every handle to it.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let (a, b) = (ArcArray::<u64>::default(), ArcArray::<u64>::default());
    /// assert!(a.is_empty() && ArcArray::ptr_eq(&a, &b)); // one static block
    /// let mut c = CompactArcArray::<u8>::default();
    /// assert!(CompactArcArray::get_mut(&mut c).is_none());
    /// assert!(CompactArcArray::make_mut(&mut c).is_empty()); // now its own block
    /// assert!(CompactArcArray::get_mut(&mut c).is_some());
    /// ```
    fn default() -> Self {
        let alloc = A::default();
        match empty::shared_block::<E, P, A>() {
            Some(block) => {
                // The static block is taken to hold an `A`: this one, given
                // up (zero-sized, no drop glue: `shared_block`'s terms).
                mem::forget(alloc);
                // The static's own count, never released, and a clone of it
                // for the caller: one relaxed increment, as any clone.
                let shared = ManuallyDrop::new(Self::from_block(block));
                ArcArrayBase::clone(&shared)
            }
            None => {
                <Self as crate::traits::MakeArrayIn<E, A>>::new_in(0, |_| unreachable!(), alloc)
            }
        }
    }
}

impl<E, L, P: ArcLayout, A: Allocator> Deref for ArcArrayBase<E, L, P, A> {
    type Target = [E];
    #[inline]
    fn deref(&self) -> &[E] {
        let block = self.raw();
        // SAFETY: a strong handle keeps `len` elements initialised; shared
        // handles never write them.
        unsafe { block.elements(block.len()) }
    }
}

impl_slice_traits!(ArcArray, ArcArrayBase<P: ArcLayout>);
impl_constructors!(ArcArray, ArcArrayBase<P: ArcLayout>);

impl<E, L, A: Allocator> From<HeapArray<E, L, A>> for ArcArray<E, L, A> {
    /// Moves the label and the elements into a shared block from the same
    /// allocator (one copy), which then moves into the new block.
    fn from(heap: HeapArray<E, L, A>) -> Self {
        UniqueArcArrayBase::from(heap).shareable()
    }
}

impl<E, L, P: ArcLayout, A: Allocator> From<UniqueArcArrayBase<E, L, P, A>>
    for ArcArrayBase<E, L, P, A>
{
    /// Shares the block as it is, no copy (as [`UniqueArcArray::shareable`]).
    fn from(unique: UniqueArcArrayBase<E, L, P, A>) -> Self {
        unique.shareable()
    }
}
