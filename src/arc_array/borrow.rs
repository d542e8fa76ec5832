//! `ArcArrayBorrow`: a borrowed handle, one word and `Copy`, that touches
//! no count: the lifetime ties it to an owner that keeps the block alive,
//! as `&ArcArray` would, without the second hop. Its methods and traits
//! are `impl_borrow!`'s (src/macros/borrow.rs), shared with `RcArrayBorrow`.

use core::marker::PhantomData;
use core::ptr::NonNull;

use super::{ArcArrayBase, ArcBlock, ArcLayout, Padded};
use crate::allocation::{Allocator, Global};

/// A borrowed [`ArcArray`](crate::ArcArray): one word, `Copy`, no count
/// touched, for code that passes arrays by reference (tree nodes, cursors,
/// iterators over children) and only sometimes needs an owned handle
/// ([`clone_arc`](ArcArrayBorrowBase::clone_arc), one increment). triomphe's
/// `ArcBorrow`, for a labelled array.
///
/// Made by [`ArcArray::borrow`](ArcArrayBase::borrow) from a handle, or by
/// [`from_raw`](ArcArrayBorrowBase::from_raw) from a pointer of
/// [`ArcArray::as_ptr`](ArcArrayBase::as_ptr) or
/// [`into_raw`](ArcArrayBase::into_raw) whose owner the caller keeps alive.
///
/// `&ArcArray` is already safe to pass around; the borrow is one hop to
/// the elements instead of two, and it can be rebuilt from a raw pointer
/// (a cursor that stores `*const E`) without a count.
///
/// # Examples
///
/// ```
/// use heaparray::*;
///
/// // A node whose children are nodes: a walk passes borrows, not handles.
/// struct Kind(&'static str);
/// fn leaves(node: ArcArrayBorrow<'_, u32, Kind>) -> u32 {
///     node.iter().sum()
/// }
/// let node = ArcArray::with_label(Kind("leaf"), 3, |_, i| i as u32);
/// let b = ArcArray::borrow(&node);
/// let copy = b; // `Copy`: no count touched
/// assert_eq!(leaves(copy), 3);
/// assert_eq!(b.get_label().0, "leaf");
/// assert_eq!(ArcArray::strong_count(&node), 1);
/// let owned: ArcArray<u32, Kind> = b.clone_arc(); // one increment
/// assert_eq!(ArcArray::strong_count(&node), 2);
/// # drop(owned);
/// ```
///
/// A borrow cannot outlive the handle it came from:
///
/// ```compile_fail
/// use heaparray::*;
/// let b = {
///     let a = ArcArray::from([1, 2, 3]);
///     ArcArray::borrow(&a) // error: `a` does not live long enough
/// };
/// assert_eq!(b[0], 1);
/// ```
/// `Send` and `Sync` exactly when `&ArcArray` is: an array of elements that
/// are `Sync` but not `Send` (a `MutexGuard`) cannot have its borrow sent
/// to another thread, where `clone_arc` could make the last owner
/// (triomphe#66 was an `ArcBorrow` that allowed it):
///
/// ```compile_fail
/// use heaparray::*;
/// fn send<T: Send>(_: T) {}
/// let m = std::sync::Mutex::new(());
/// let a = ArcArray::new(1, |_| m.lock().unwrap());
/// send(ArcArray::borrow(&a)); // error: `MutexGuard` cannot be sent
/// ```
pub type ArcArrayBorrow<'a, E, L = (), A = Global> = ArcArrayBorrowBase<'a, E, L, Padded, A>;

/// The one type behind [`ArcArrayBorrow`] and
/// [`CompactArcArrayBorrow`](crate::CompactArcArrayBorrow), generic over the
/// layout `P`, as [`ArcArrayBase`] is.
///
/// ```
/// use heaparray::{ArcArrayBase, ArcArrayBorrowBase, ArcLayout, Global};
/// fn sum<P: ArcLayout>(b: ArcArrayBorrowBase<'_, u32, (), P, Global>) -> u32 {
///     b.iter().sum()
/// }
/// let a = heaparray::CompactArcArray::from([1, 2]);
/// assert_eq!(sum(ArcArrayBase::borrow(&a)), 3);
/// ```
pub struct ArcArrayBorrowBase<'a, E, L, P: ArcLayout, A: Allocator> {
    /// The block's first byte, with the provenance of the whole block
    /// (counts included: `clone_arc` writes them).
    block: NonNull<u8>,
    /// Borrows an owned handle for `'a`: covariant, and `Send`/`Sync`
    /// exactly when `&ArcArrayBase` is (see below).
    _borrows: PhantomData<&'a ArcArrayBase<E, L, P, A>>,
}

// SAFETY: a borrow is a `&ArcArrayBase` in all but the second hop: it gives
// out `&L`, `&[E]` and `&A`, and `clone_arc` makes an owned handle on the
// borrowing thread. `&ArcArrayBase` is `Send` and `Sync` when `ArcArrayBase`
// is `Sync`: `E`, `L` and `A` all `Send + Sync` (an owned handle made here
// may be the last, and drop them here). triomphe#66 was an `ArcBorrow`
// that asked only `T: Sync`.
unsafe impl<E: Send + Sync, L: Send + Sync, P: ArcLayout, A: Allocator + Send + Sync> Send
    for ArcArrayBorrowBase<'_, E, L, P, A>
{
}
// SAFETY: as `Send` above: `&ArcArrayBorrowBase` gives what the borrow does.
unsafe impl<E: Send + Sync, L: Send + Sync, P: ArcLayout, A: Allocator + Send + Sync> Sync
    for ArcArrayBorrowBase<'_, E, L, P, A>
{
}

impl_borrow!(ArcArrayBorrow, ArcArrayBorrowBase, ArcArray, ArcArrayBase, ArcBlock, P: ArcLayout);
