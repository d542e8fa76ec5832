//! `RcArray`'s raw pointers: `as_ptr`, `into_raw`, `from_raw`, and the
//! strong count changed through one (`increment_strong_count`,
//! `decrement_strong_count`), as `Rc`'s.

use super::{RcArray, RcBlock};
use crate::allocation::Allocator;

impl_raw_pointers! {
    impl[E, L, A: Allocator] RcArray<E, L, A>, block RcBlock<E, L, A>;
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
    fn ptr_eq;
    /// A pointer to the first element (or where it would be, for an empty
    /// array), valid while a strong handle lives (like `Rc::as_ptr`).
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = RcArray::new(2, |i| i as u8);
    /// // The same address as the slice's `as_ptr` (through `Deref`); but
    /// // only this one carries the whole block's provenance, which
    /// // `RcArrayBorrow::from_raw` needs.
    /// assert_eq!(RcArray::as_ptr(&a), a.as_ptr());
    /// ```
    fn as_ptr;

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
    fn into_raw;

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
    fn from_raw;

    /// Adds one strong count to the block of an [`RcArray::into_raw`]
    /// pointer, without making a handle (like
    /// `Rc::increment_strong_count`).
    ///
    /// Aborts the process if the count would exceed `isize::MAX`, as
    /// `clone`, and if the strong count is 0 (the contents are being
    /// dropped or moved: no handle may come back to them, as `upgrade`
    /// refuses).
    ///
    /// # Safety
    ///
    /// `ptr` came from `RcArray::<E, L, A>::into_raw` with the same type
    /// parameters, on this thread, and the strong count is at least 1 for
    /// the whole call, as std's `Rc::increment_strong_count` asks: a handle
    /// rebuilt from `ptr` is alive, not being dropped, and not inside
    /// `make_mut`, `try_unique`, `into_unique` or `unwrap_or_clone` (whose
    /// allocator calls run user code while the count is claimed).
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
    fn increment_strong_count(this) {
        // A strong count of 0 is a claim or the last drop in progress (the
        // caller broke the contract above): abort rather than let a handle
        // come back to contents that are moving or dropping. One compare.
        if RcArray::strong_count(&this) == 0 {
            crate::sync::abort();
        }
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
    fn decrement_strong_count;
}
