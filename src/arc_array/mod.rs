//! `ArcArray`: a label and an array shared across threads through one
//! pointer, with atomic strong and weak counts alone on their cache lines.
//! The count protocol is in `counts.rs`; the weak and unique handles in
//! `weak.rs` and `unique.rs`.

mod borrow;
mod conversions;
mod counts;
mod edit;
mod empty;
mod grow;
mod header;
mod layout;
mod raw;
mod unique;
mod weak;

use core::marker::PhantomData;
use core::mem::{self, ManuallyDrop};
use core::panic::{RefUnwindSafe, UnwindSafe};
use core::ptr::NonNull;

use crate::allocation::{Allocator, Global};
use crate::block::clone_contents;

use counts::{Counts, LastStrong};
pub(crate) use header::{ArcBlock, ArcHeader};

pub use borrow::{ArcArrayBorrow, ArcArrayBorrowBase};
pub use layout::{ArcLayout, Compact, Padded};
pub use unique::{UniqueArcArray, UniqueArcArrayBase, UniqueArcArrayIntoIter};
pub use weak::{WeakArcArray, WeakArcArrayBase};

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
/// offset 0    counts: AtomicU64 (strong and weak, 32 bits each)
///        8    gap (uninitialised)
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
/// [`CompactArcArray`] is the same handle in the [`Compact`] layout: the counts
/// and `len` in 16 bytes, then the label and the elements, 128 bytes
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

/// An [`ArcArray`] in the [`Compact`] layout: counts and length in 16
/// bytes, no padding, as small as triomphe's `ThinArc` and smaller than
/// `Arc<[T]>` with its handle. The same type, methods and
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
///
/// ```
/// use heaparray::*;
/// let a = CompactArcArray::from([1]);
/// let w: CompactWeakArcArray<i32> = CompactArcArray::downgrade(&a);
/// assert!(w.upgrade().is_some());
/// ```
pub type CompactWeakArcArray<E, L = (), A = Global> = WeakArcArrayBase<E, L, Compact, A>;

/// The [`ArcArrayBorrow`] of a [`CompactArcArray`].
///
/// ```
/// use heaparray::*;
/// let a = CompactArcArray::from([1, 2]);
/// let b: CompactArcArrayBorrow<'_, i32> = CompactArcArray::borrow(&a);
/// assert_eq!(b.clone_arc().len(), 2);
/// ```
pub type CompactArcArrayBorrow<'a, E, L = (), A = Global> =
    ArcArrayBorrowBase<'a, E, L, Compact, A>;

/// The [`UniqueArcArray`] of a [`CompactArcArray`].
///
/// ```
/// use heaparray::*;
/// let mut u: CompactUniqueArcArray<u8> = CompactUniqueArcArray::with_capacity(1);
/// u.push(1);
/// let a: CompactArcArray<u8> = u.shareable();
/// assert_eq!(*a, [1]);
/// ```
pub type CompactUniqueArcArray<E, L = (), A = Global> = UniqueArcArrayBase<E, L, Compact, A>;

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

/// `Send`, `Sync` and `UnwindSafe` of the strong and the weak handle,
/// which have the same bounds for the same reasons: a weak handle upgrades
/// into a strong one on its thread, and either may be the last owner, the
/// one that frees the block with the allocator.
macro_rules! impl_shared_auto_traits {
    ($($handle:ident),*) => {$(
        // SAFETY: handles on several threads share the label, the elements
        // and the allocator (`&L`, `&[E]`, `&A` from each, a weak handle's
        // once it upgrades), so all must be `Sync`; and any thread may hold
        // the last handle and drop them, or take them with `try_unique` /
        // `make_mut`, or free the block with the allocator, so all must be
        // `Send`. This is `Arc<T, A>`'s `T: Send + Sync, A: Send + Sync`
        // (and `Weak<T, A>`'s), for every part. The counts are atomic.
        unsafe impl<E: Send + Sync, L: Send + Sync, P: ArcLayout, A: Allocator + Send + Sync> Send
            for $handle<E, L, P, A>
        {
        }
        // SAFETY: a `&` to a handle can be cloned (or upgraded) into an
        // owned strong handle on another thread, so sharing it is sending
        // one: the same bounds as `Send`.
        unsafe impl<E: Send + Sync, L: Send + Sync, P: ArcLayout, A: Allocator + Send + Sync> Sync
            for $handle<E, L, P, A>
        {
        }
        // Like `Arc<T, A>: UnwindSafe where T: RefUnwindSafe, A: UnwindSafe`:
        // a panic while a handle is borrowed can only have left the data as
        // `&`-access leaves it.
        impl<E: RefUnwindSafe, L: RefUnwindSafe, P: ArcLayout, A: Allocator + UnwindSafe> UnwindSafe
            for $handle<E, L, P, A>
        {
        }
    )*};
}
impl_shared_auto_traits!(ArcArrayBase, WeakArcArrayBase);

impl<E, L, P: ArcLayout, A: Allocator> ArcArrayBase<E, L, P, A> {
    impl_label_access! {
        /// The label.
        ///
        /// # Examples
        ///
        /// ```
        /// use heaparray::*;
        /// let a = ArcArray::with_label("meta", 0, |_, _| 0u8);
        /// assert_eq!(*a.get_label(), "meta");
        /// ```
        fn get_label;
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

    /// A weak handle to this block: it keeps the block allocated but not the
    /// label and elements, and can [`upgrade`](WeakArcArray::upgrade) while
    /// a strong handle exists. (The shared empty block of
    /// [`default`](Default::default) always has one: a weak handle to it
    /// always upgrades.)
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
            *this = clone_contents(this.get_label(), this, Self::allocator(this));
        }
    }

    impl_unique_access! {
        ArcArray, |this| this.counts().is_unique();
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
        fn get_mut;
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
        fn make_mut;
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
        fn unwrap_or_clone -> UniqueArcArrayBase<E, L, P, A>;
    }

    /// Unique ownership of the contents if no other strong handle exists
    /// (like `Arc::try_unwrap`); otherwise the handle back. Weak handles can
    /// no longer upgrade afterwards. No copy unless weak handles exist, in
    /// which case the contents move to a new block from a clone of the
    /// allocator (allocation failure: as [`ArcArray::make_mut`]). The
    /// array grows again ([`UniqueArcArray::push`](crate::UniqueArcArrayBase::push)),
    /// and gives its elements back by value (`into_iter`).
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
        // Not the last strong handle: ours is dropped, and that is all.
        this.counts().decrement_strong()?;
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

    impl_block_access! {
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
        fn allocator;
        fn raw -> ArcBlock<E, L, P, A>;
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

    /// The last strong handle is gone: drop the contents, then end the
    /// strong handles' hold on the block as `last` says. Out of line so that `drop` is one atomic
    /// instruction on the common path (as std's `drop_slow`).
    #[inline(never)]
    fn drop_slow(&mut self, last: LastStrong) {
        let block = self.raw();
        // SAFETY: the last strong handle: the contents are initialised and
        // no reference to them is live (upgrade cannot resurrect a count of
        // 0); then the strong handles' hold on the block, ours now, ends
        // (freeing the block if no weak handle is left), even if an
        // element's destructor panics.
        unsafe {
            block.drop_contents_then(block.len(), |block| block.release_last_strong(last));
        }
    }
}

impl<E, L, P: ArcLayout, A: Allocator> Clone for ArcArrayBase<E, L, P, A> {
    /// Another handle to the same block: one relaxed atomic increment.
    ///
    /// Aborts the process if the count would exceed 2^31 - 1 (`i32::MAX`:
    /// both counts share one 64-bit word), as `Arc` does past `isize::MAX`;
    /// only reachable by leaking handles with `mem::forget`.
    #[inline]
    fn clone(&self) -> Self {
        self.counts().increment_strong();
        Self::from_block(self.block)
    }
}

impl<E, L, P: ArcLayout, A: Allocator> Drop for ArcArrayBase<E, L, P, A> {
    #[inline]
    fn drop(&mut self) {
        if let Some(last) = self.counts().decrement_strong() {
            self.drop_slow(last);
        }
    }
}

impl_for_handle!(ArcArray, ArcArrayBase<P: ArcLayout> => impl_deref, impl_slice_traits, impl_constructors);
