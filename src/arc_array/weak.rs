//! `WeakArcArray`: a handle that keeps an `ArcArray` block allocated but
//! not its contents, and can upgrade while a strong handle exists.

use core::fmt;
use core::marker::PhantomData;
use core::ptr::NonNull;

use super::counts::Counts;
use super::{ArcArrayBase, ArcBlock, ArcLayout, Padded};
use crate::allocation::{Allocator, Global};

/// A weak handle to an [`ArcArray`](crate::ArcArray) block, from [`ArcArray::downgrade`](crate::ArcArrayBase::downgrade).
///
/// It does not keep the label and elements alive: once the last strong
/// handle drops, [`upgrade`](WeakArcArray::upgrade) returns `None`. The
/// block itself is freed when the last weak handle drops.
///
/// # Size and alignment
///
/// One word; `Option<WeakArcArray>` is one word too.
///
/// # Examples
///
/// ```
/// use heaparray::*;
/// let a = ArcArray::new(3, |i| i);
/// let w = ArcArray::downgrade(&a);
/// assert_eq!(w.strong_count(), 1);
/// assert_eq!(w.upgrade().map(|a| a.len()), Some(3));
/// drop(a);
/// assert!(w.upgrade().is_none());
/// ```
pub type WeakArcArray<E, L = (), A = Global> = WeakArcArrayBase<E, L, Padded, A>;

/// The one type behind [`WeakArcArray`](crate::WeakArcArray) (layout [`Padded`]) and [`CompactWeakArcArray`](crate::CompactWeakArcArray)
/// (layout [`Compact`](crate::Compact)), generic over the layout `P`, as
/// [`ArcArrayBase`](crate::ArcArrayBase) is. See [`WeakArcArray`](crate::WeakArcArray) for the
/// handle's documentation.
///
/// ```
/// use heaparray::{ArcArrayBase, ArcLayout, Global, WeakArcArrayBase};
/// fn alive<P: ArcLayout>(w: &WeakArcArrayBase<u8, (), P, Global>) -> bool {
///     w.upgrade().is_some()
/// }
/// let a = heaparray::CompactArcArray::from([1u8]);
/// assert!(alive(&ArcArrayBase::downgrade(&a)));
/// ```
pub struct WeakArcArrayBase<E, L, P: ArcLayout, A: Allocator> {
    /// A block, or [`dangling`] for a weak handle that never had one.
    block: NonNull<u8>,
    _owns: PhantomData<(L, E, P, A)>,
}

/// The address of a weak handle made by [`WeakArcArray::new`](crate::WeakArcArrayBase::new): no block is
/// ever there (`usize::MAX` is odd, and every block is aligned to at least
/// 4, the alignment of its counts).
fn dangling() -> NonNull<u8> {
    crate::block::no_block()
}

impl<E, L, P: ArcLayout, A: Allocator> WeakArcArrayBase<E, L, P, A> {
    /// A weak handle to nothing: it never upgrades. Allocates nothing, so
    /// it needs no allocator, whatever `A` is.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let w = WeakArcArray::<u8>::new();
    /// assert!(w.upgrade().is_none());
    /// assert_eq!(w.strong_count(), 0);
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::from_block(dangling())
    }

    /// A strong handle, if one still exists (like `Weak::upgrade`). A weak
    /// handle to the shared empty block of `ArcArray::default()` always
    /// upgrades: that block keeps a strong count of its own.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = ArcArray::new(1, |i| i);
    /// let w = ArcArray::downgrade(&a);
    /// assert!(w.upgrade().is_some());
    /// drop(a);
    /// assert!(w.upgrade().is_none());
    /// ```
    #[must_use]
    pub fn upgrade(&self) -> Option<ArcArrayBase<E, L, P, A>> {
        if self.counts()?.upgrade() {
            Some(ArcArrayBase::from_block(self.block))
        } else {
            None
        }
    }

    /// The number of strong handles (0 for [`WeakArcArray::new`](crate::WeakArcArrayBase::new)).
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = ArcArray::new(1, |i| i);
    /// let w = ArcArray::downgrade(&a);
    /// assert_eq!(w.strong_count(), 1);
    /// ```
    pub fn strong_count(&self) -> usize {
        self.counts().map_or(0, Counts::strong)
    }

    /// The number of weak handles, or 0 if no strong handle is left (like
    /// `Weak::weak_count`). A snapshot, but always one the counts held: with
    /// two weak handles, while another thread drops the last strong one, it
    /// is 2 or 0, never 1.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = ArcArray::new(1, |i| i);
    /// let w = ArcArray::downgrade(&a);
    /// let w2 = w.clone();
    /// assert_eq!(w.weak_count(), 2);
    /// drop(a);
    /// assert_eq!(w2.weak_count(), 0);
    /// ```
    pub fn weak_count(&self) -> usize {
        self.counts().map_or(0, Counts::weak_from_weak)
    }

    impl_weak_access! {
        block ArcBlock<E, L, P, A>;
        /// A pointer to where the first element is (like `Weak::as_ptr`):
        /// the pointer [`ArcArray::as_ptr`](crate::ArcArrayBase::as_ptr) gives for the same block. It may
        /// be read through only while a strong handle keeps the elements
        /// alive; after they are dropped it still identifies the block. For
        /// [`WeakArcArray::new`](crate::WeakArcArrayBase::new) it is a dangling sentinel (not aligned, never
        /// null).
        ///
        /// # Examples
        ///
        /// ```
        /// use heaparray::*;
        /// let a = ArcArray::new(2, |i| i as u16);
        /// let w = ArcArray::downgrade(&a);
        /// assert_eq!(w.as_ptr(), ArcArray::as_ptr(&a));
        /// ```
        fn as_ptr;

        /// Consumes the weak handle, keeping its weak count, and returns
        /// [`WeakArcArray::as_ptr`](crate::WeakArcArrayBase::as_ptr)'s pointer (like `Weak::into_raw`): one
        /// word, for FFI; [`WeakArcArray::from_raw`](crate::WeakArcArrayBase::from_raw) turns it back.
        ///
        /// # Examples
        ///
        /// ```
        /// use heaparray::*;
        /// let a = ArcArray::new(2, |i| i as u16);
        /// let p = ArcArray::downgrade(&a).into_raw();
        /// // SAFETY: `p` came from `into_raw` of a `WeakArcArray<u16>`.
        /// let w = unsafe { WeakArcArray::<u16>::from_raw(p) };
        /// assert_eq!(&*w.upgrade().unwrap(), &[0, 1]);
        /// ```
        fn into_raw;

        /// Rebuilds a weak handle from [`WeakArcArray::into_raw`](crate::WeakArcArrayBase::into_raw)'s pointer,
        /// taking over its weak count (like `Weak::from_raw`).
        ///
        /// # Safety
        ///
        /// `ptr` came from `WeakArcArrayBase::<E, L, P, A>::into_raw` with the same
        /// `E`, `L`, layout `P` and allocator type `A`, and each such pointer
        /// is passed to `from_raw` at most once.
        ///
        /// # Examples
        ///
        /// ```
        /// use heaparray::*;
        /// let a = CompactArcArray::from([1u8]);
        /// let p = CompactArcArray::downgrade(&a).into_raw();
        /// // SAFETY: `p` came from `into_raw` of a `CompactWeakArcArray<u8>`, once.
        /// let w = unsafe { CompactWeakArcArray::<u8>::from_raw(p) };
        /// assert!(w.upgrade().is_some());
        /// ```
        fn from_raw;

        /// Whether two weak handles point to the same block (two
        /// [`WeakArcArray::new`](crate::WeakArcArrayBase::new) handles are equal, as std's `Weak::ptr_eq`).
        ///
        /// # Examples
        ///
        /// ```
        /// use heaparray::*;
        /// let a = ArcArray::new(1, |i| i);
        /// let (w1, w2) = (ArcArray::downgrade(&a), ArcArray::downgrade(&a));
        /// assert!(w1.ptr_eq(&w2));
        /// ```
        fn ptr_eq;

        /// The allocator the block came from, or `None` for a handle made by
        /// [`WeakArcArray::new`](crate::WeakArcArrayBase::new), which has no block. The block, and so the
        /// allocator, stays in place while a weak handle exists.
        ///
        /// # Examples
        ///
        /// ```
        /// use heaparray::*;
        /// let a = ArcArray::new_in(1, |i| i, Global);
        /// let w = ArcArray::downgrade(&a);
        /// drop(a);
        /// assert!(w.allocator().is_some());
        /// assert!(WeakArcArray::<u8>::new().allocator().is_none());
        /// ```
        fn allocator;
    }

    /// The counts, unless this handle was made by [`WeakArcArray::new`](crate::WeakArcArrayBase::new).
    fn counts(&self) -> Option<&Counts> {
        let block = self.raw()?;
        // SAFETY: our weak count keeps the block, and so its header,
        // allocated for as long as `&self` lives.
        Some(unsafe { block.counts() })
    }

    /// Takes over one weak count of the block at `block`.
    pub(super) fn from_block(block: NonNull<u8>) -> Self {
        WeakArcArrayBase {
            block,
            _owns: PhantomData,
        }
    }
}

impl<E, L, P: ArcLayout, A: Allocator> Clone for WeakArcArrayBase<E, L, P, A> {
    /// Another weak handle to the same block.
    fn clone(&self) -> Self {
        if let Some(counts) = self.counts() {
            counts.increment_weak();
        }
        Self::from_block(self.block)
    }
}

impl<E, L, P: ArcLayout, A: Allocator> Drop for WeakArcArrayBase<E, L, P, A> {
    fn drop(&mut self) {
        if let Some(block) = self.raw() {
            // SAFETY: we hold a weak count and never use the block again.
            unsafe { block.release_weak() };
        }
    }
}

impl<E, L, P: ArcLayout, A: Allocator> Default for WeakArcArrayBase<E, L, P, A> {
    /// As [`WeakArcArray::new`](crate::WeakArcArrayBase::new).
    fn default() -> Self {
        Self::new()
    }
}

impl<E, L, P: ArcLayout, A: Allocator> fmt::Pointer for WeakArcArrayBase<E, L, P, A> {
    /// Formats [`WeakArcArray::as_ptr`](crate::WeakArcArrayBase::as_ptr).
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = ArcArray::new(1, |i| i);
    /// assert_eq!(format!("{:p}", ArcArray::downgrade(&a)), format!("{a:p}"));
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Pointer::fmt(&self.as_ptr(), f)
    }
}

impl<E, L, P: ArcLayout, A: Allocator> fmt::Debug for WeakArcArrayBase<E, L, P, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if P::PADDED {
            "(WeakArcArray)"
        } else {
            "(CompactWeakArcArray)"
        })
    }
}
