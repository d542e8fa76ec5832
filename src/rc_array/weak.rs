//! `WeakRcArray`: a handle that keeps an `RcArray` block allocated but not
//! its contents, and can upgrade while a strong handle exists.

use core::fmt;
use core::marker::PhantomData;
use core::ptr::NonNull;

use super::counts::increment;
use super::{RcArray, RcBlock};
use crate::allocation::{Allocator, Global};
use crate::block::no_block;

/// A weak handle to an [`RcArray`] block, from [`RcArray::downgrade`]
/// (like `std::rc::Weak<[E]>`).
///
/// It does not keep the label and elements alive: once the last strong
/// handle drops, [`upgrade`](WeakRcArray::upgrade) returns `None`. The
/// block itself is freed when the last weak handle drops. Like `RcArray`,
/// it is neither `Send` nor `Sync`.
///
/// # Size and alignment
///
/// One word; `Option<WeakRcArray>` is one word too.
///
/// # Examples
///
/// ```
/// use heaparray::*;
/// let a = RcArray::new(3, |i| i);
/// let w = RcArray::downgrade(&a);
/// assert_eq!(w.strong_count(), 1);
/// assert_eq!(w.upgrade().map(|a| a.len()), Some(3));
/// drop(a);
/// assert!(w.upgrade().is_none());
/// ```
pub struct WeakRcArray<E, L = (), A: Allocator = Global> {
    /// A block, or [`no_block`] for a weak handle that never had one.
    block: NonNull<u8>,
    _owns: PhantomData<(L, E, A)>,
}

impl<E, L, A: Allocator> WeakRcArray<E, L, A> {
    /// A weak handle to nothing (like `Weak::new`): it never upgrades.
    /// Allocates nothing, so it needs no allocator, whatever `A` is.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let w = WeakRcArray::<u8>::new();
    /// assert!(w.upgrade().is_none());
    /// assert_eq!((w.strong_count(), w.weak_count()), (0, 0));
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::from_block(no_block())
    }

    /// A strong handle, if one still exists (like `Weak::upgrade`).
    ///
    /// Aborts the process if the strong count would exceed `isize::MAX`,
    /// as `RcArray::clone`.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = RcArray::new(1, |i| i);
    /// let w = RcArray::downgrade(&a);
    /// assert!(w.upgrade().is_some());
    /// drop(a);
    /// assert!(w.upgrade().is_none());
    /// ```
    #[must_use]
    pub fn upgrade(&self) -> Option<RcArray<E, L, A>> {
        let block = self.raw()?;
        // SAFETY: our weak count keeps the block, and its counts, allocated.
        let strong = unsafe { block.strong() };
        if strong.get() == 0 {
            // The contents are dropped (or moved out, or being dropped):
            // never resurrect them.
            return None;
        }
        increment(strong);
        Some(RcArray::from_block(self.block))
    }

    /// The number of strong handles (0 for [`WeakRcArray::new`], and once
    /// the last strong handle is gone; like `Weak::strong_count`).
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = RcArray::new(1, |i| i);
    /// let w = RcArray::downgrade(&a);
    /// assert_eq!(w.strong_count(), 1);
    /// drop(a);
    /// assert_eq!(w.strong_count(), 0);
    /// ```
    #[must_use]
    pub fn strong_count(&self) -> usize {
        let Some(block) = self.raw() else {
            return 0;
        };
        // SAFETY: our weak count keeps the block, and its counts, allocated.
        unsafe { block.strong() }.get()
    }

    /// The number of weak handles, or 0 if no strong handle is left (like
    /// `Weak::weak_count`).
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = RcArray::new(1, |i| i);
    /// let w = RcArray::downgrade(&a);
    /// let w2 = w.clone();
    /// assert_eq!(w.weak_count(), 2);
    /// drop(a);
    /// assert_eq!(w2.weak_count(), 0);
    /// ```
    #[must_use]
    pub fn weak_count(&self) -> usize {
        let Some(block) = self.raw() else {
            return 0;
        };
        // SAFETY: our weak count keeps the block, and its counts, allocated.
        let (strong, weak) = unsafe { (block.strong().get(), block.weak().get()) };
        if strong == 0 {
            0
        } else {
            // Without the strong handles' own weak count.
            weak - 1
        }
    }

    impl_weak_access! {
        block RcBlock<E, L, A>;
        /// A pointer to where the first element is (like `Weak::as_ptr`): the
        /// pointer [`RcArray::as_ptr`] gives for the same block. It may be read
        /// through only while a strong handle keeps the elements alive; after
        /// they are dropped it still identifies the block. For
        /// [`WeakRcArray::new`] it is a dangling sentinel (not aligned, never
        /// null).
        ///
        /// # Examples
        ///
        /// ```
        /// use heaparray::*;
        /// let a = RcArray::new(2, |i| i as u16);
        /// let w = RcArray::downgrade(&a);
        /// assert_eq!(w.as_ptr(), RcArray::as_ptr(&a));
        /// ```
        fn as_ptr;

        /// Consumes the weak handle, keeping its weak count, and returns
        /// [`WeakRcArray::as_ptr`]'s pointer (like `Weak::into_raw`): one word;
        /// [`WeakRcArray::from_raw`] turns it back.
        ///
        /// # Examples
        ///
        /// ```
        /// use heaparray::*;
        /// let a = RcArray::new(2, |i| i as u16);
        /// let p = RcArray::downgrade(&a).into_raw();
        /// // SAFETY: `p` came from `into_raw` of a `WeakRcArray<u16>`.
        /// let w = unsafe { WeakRcArray::<u16>::from_raw(p) };
        /// assert_eq!(&*w.upgrade().unwrap(), &[0, 1]);
        /// ```
        fn into_raw;

        /// Rebuilds a weak handle from [`WeakRcArray::into_raw`]'s pointer,
        /// taking over its weak count (like `Weak::from_raw`).
        ///
        /// # Safety
        ///
        /// `ptr` came from `WeakRcArray::<E, L, A>::into_raw` with the same `E`,
        /// `L` and allocator type `A`, on this thread, and each such pointer is
        /// passed to `from_raw` at most once.
        ///
        /// # Examples
        ///
        /// ```
        /// use heaparray::*;
        /// let p = WeakRcArray::<u8>::new().into_raw();
        /// // SAFETY: `p` came from `into_raw` of a `WeakRcArray<u8>`.
        /// let w = unsafe { WeakRcArray::<u8>::from_raw(p) };
        /// assert!(w.upgrade().is_none());
        /// ```
        fn from_raw;

        /// Whether two weak handles point to the same block (two
        /// [`WeakRcArray::new`] handles are equal, as std's `Weak::ptr_eq`).
        ///
        /// # Examples
        ///
        /// ```
        /// use heaparray::*;
        /// let a = RcArray::new(1, |i| i);
        /// let (w1, w2) = (RcArray::downgrade(&a), RcArray::downgrade(&a));
        /// assert!(w1.ptr_eq(&w2));
        /// assert!(WeakRcArray::<u8>::new().ptr_eq(&WeakRcArray::new()));
        /// ```
        fn ptr_eq;

        /// The allocator the block came from, or `None` for a handle made by
        /// [`WeakRcArray::new`], which has no block. The block, and so the
        /// allocator, stays in place while a weak handle exists.
        ///
        /// # Examples
        ///
        /// ```
        /// use heaparray::*;
        /// let a = RcArray::new_in(1, |i| i, Global);
        /// let w = RcArray::downgrade(&a);
        /// drop(a);
        /// assert!(w.allocator().is_some());
        /// assert!(WeakRcArray::<u8>::new().allocator().is_none());
        /// ```
        fn allocator;
    }

    /// Takes over one weak count of the block at `block`.
    pub(super) fn from_block(block: NonNull<u8>) -> Self {
        WeakRcArray {
            block,
            _owns: PhantomData,
        }
    }
}

impl<E, L, A: Allocator> Clone for WeakRcArray<E, L, A> {
    /// Another weak handle to the same block.
    ///
    /// Aborts the process if the weak count would exceed `isize::MAX`.
    fn clone(&self) -> Self {
        if let Some(block) = self.raw() {
            // SAFETY: our weak count keeps the block allocated.
            increment(unsafe { block.weak() });
        }
        Self::from_block(self.block)
    }
}

impl<E, L, A: Allocator> Drop for WeakRcArray<E, L, A> {
    fn drop(&mut self) {
        if let Some(block) = self.raw() {
            // SAFETY: we hold a weak count and never use the block again.
            unsafe { block.release_weak() };
        }
    }
}

impl<E, L, A: Allocator> Default for WeakRcArray<E, L, A> {
    /// As [`WeakRcArray::new`].
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let w: WeakRcArray<u8> = Default::default();
    /// assert!(w.upgrade().is_none());
    /// ```
    fn default() -> Self {
        Self::new()
    }
}

impl<E, L, A: Allocator> fmt::Pointer for WeakRcArray<E, L, A> {
    /// Formats [`WeakRcArray::as_ptr`].
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = RcArray::new(1, |i| i);
    /// assert_eq!(format!("{:p}", RcArray::downgrade(&a)), format!("{a:p}"));
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Pointer::fmt(&self.as_ptr(), f)
    }
}

impl<E, L, A: Allocator> fmt::Debug for WeakRcArray<E, L, A> {
    /// `(WeakRcArray)`, as std's `Weak` prints `(Weak)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// assert_eq!(format!("{:?}", WeakRcArray::<u8>::new()), "(WeakRcArray)");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(WeakRcArray)")
    }
}
