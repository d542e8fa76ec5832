//! `RcArrayBorrow`: `ArcArrayBorrow` for one thread, a borrowed handle,
//! one word and `Copy`, that touches no count. Its methods and traits are
//! `impl_borrow!`'s (src/macros/borrow.rs).

use core::marker::PhantomData;
use core::ptr::NonNull;

use super::{RcArray, RcBlock};
use crate::allocation::{Allocator, Global};

/// A borrowed [`RcArray`]: one word, `Copy`, no count touched, for code
/// that passes arrays by reference and only sometimes needs an owned
/// handle ([`clone_arc`](RcArrayBorrow::clone_arc), one increment), as
/// [`ArcArrayBorrow`](crate::ArcArrayBorrow) for one thread.
///
/// Made by [`RcArray::borrow`] from a handle, or by
/// [`from_raw`](RcArrayBorrow::from_raw) from a pointer of
/// [`RcArray::as_ptr`] or [`RcArray::into_raw`] whose owner the caller
/// keeps alive. Neither `Send` nor `Sync`, as `&RcArray`.
///
/// # Examples
///
/// ```
/// use heaparray::*;
///
/// fn total(node: RcArrayBorrow<'_, u32, &str>) -> u32 {
///     node.iter().sum()
/// }
/// let node = RcArray::with_label("leaf", 3, |_, i| i as u32);
/// let b = RcArray::borrow(&node);
/// assert_eq!(total(b), 3);
/// assert_eq!(RcArray::strong_count(&node), 1);
/// let owned = b.clone_arc();
/// assert_eq!(RcArray::strong_count(&node), 2);
/// # drop(owned);
/// ```
///
/// A borrow cannot outlive the handle it came from:
///
/// ```compile_fail
/// use heaparray::*;
/// let b = {
///     let a = RcArray::from([1, 2, 3]);
///     RcArray::borrow(&a) // error: `a` does not live long enough
/// };
/// assert_eq!(b[0], 1);
/// ```
pub struct RcArrayBorrow<'a, E, L = (), A: Allocator = Global> {
    /// The block's first byte, with the provenance of the whole block
    /// (counts included: `clone_arc` writes them).
    block: NonNull<u8>,
    /// Borrows an owned handle for `'a`: covariant, and neither `Send` nor
    /// `Sync` (the pointer is not either), as `&RcArray`.
    _borrows: PhantomData<&'a RcArray<E, L, A>>,
}

impl_borrow!(RcArrayBorrow, RcArrayBorrow, RcArray, RcArray, RcBlock);
