//! `ArcArray`'s raw pointers: the element pointer a handle turns into and
//! back from (`as_ptr`, `into_raw`, `from_raw`), and the strong count held
//! by such a pointer (`increment_strong_count`, `decrement_strong_count`),
//! as std's `Arc` has them.

use super::{ArcArrayBase, ArcBlock, ArcLayout};
use crate::allocation::Allocator;

impl_raw_pointers! {
    impl[E, L, P: ArcLayout, A: Allocator] ArcArrayBase<E, L, P, A>, block ArcBlock<E, L, P, A>;
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
    fn ptr_eq;
    /// A pointer to the first element (or where it would be, for an empty
    /// array), valid while a strong handle lives.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = ArcArray::new(2, |i| i as u8);
    /// // The same address as the slice's `as_ptr` (through `Deref`); but
    /// // only this one carries the whole block's provenance, which
    /// // `ArcArrayBorrow::from_raw` needs.
    /// assert_eq!(ArcArray::as_ptr(&a), a.as_ptr());
    /// ```
    fn as_ptr;

    /// Consumes the handle, returning a thin pointer to the first element
    /// for FFI; [`ArcArray::from_raw`](crate::ArcArrayBase::from_raw) turns it back into a handle. The
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
    fn into_raw;

    /// Rebuilds a handle from [`ArcArray::into_raw`](crate::ArcArrayBase::into_raw)'s pointer.
    ///
    /// # Safety
    ///
    /// `ptr` came from `ArcArrayBase::<E, L, P, A>::into_raw` with the same
    /// `E`, `L`, layout `P` and allocator type `A` (a padded array's pointer
    /// does not lead back to a compact block, nor the reverse), and each
    /// such pointer is passed to `from_raw` at most once (or once more per
    /// [`increment_strong_count`](Self::increment_strong_count)).
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let p = CompactArcArray::into_raw(CompactArcArray::from(["a".to_string()]));
    /// // SAFETY: `p` came from `into_raw` of a `CompactArcArray<String>`, once.
    /// let a = unsafe { CompactArcArray::<String>::from_raw(p) };
    /// assert_eq!(*a, ["a"]);
    /// ```
    fn from_raw;

    /// Adds one strong count to the block of an [`ArcArray::into_raw`](crate::ArcArrayBase::into_raw)
    /// pointer, without making a handle (like
    /// `Arc::increment_strong_count`): for FFI and waker-like code that
    /// keeps handles as raw pointers.
    ///
    /// Aborts the process if the count would exceed 2^31 - 1, as
    /// `clone`.
    ///
    /// # Safety
    ///
    /// `ptr` came from `ArcArrayBase::<E, L, P, A>::into_raw` with the same
    /// type parameters, and the strong count is at least 1 for the whole
    /// call, as std's `Arc::increment_strong_count` asks: a handle rebuilt
    /// from `ptr` is alive, not being dropped, and not inside `make_mut`,
    /// `try_unique`, `into_unique` or `unwrap_or_clone` on any thread
    /// (whose claim sets the count to 0 while the allocator runs).
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
    fn increment_strong_count(this) {}

    /// Releases one strong count of the block of an
    /// [`ArcArray::into_raw`](crate::ArcArrayBase::into_raw) pointer (like `Arc::decrement_strong_count`):
    /// as rebuilding the handle with [`ArcArray::from_raw`](crate::ArcArrayBase::from_raw) and dropping
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
    fn decrement_strong_count;
}
