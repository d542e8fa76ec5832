//! `stable_deref_trait` support (feature `stable_deref_trait`):
//! [`StableDeref`] for every owning handle, and [`CloneStableDeref`] for
//! the shared ones, [`ArcArray`] and [`RcArray`], so that they can be the
//! owner of borrowed data in `owning_ref`, `yoke` and the like.
//!
//! Every handle derefs to the elements in its heap block, which moving the
//! handle does not move: the handle is a pointer to the block (and, for a
//! `HeapArray`, the length). An empty array, or one of zero-sized elements,
//! derefs to the block's element pointer too (an address inside or one
//! past the block, or in a static shared empty block), so its address is as
//! stable as any other's.

use stable_deref_trait::{CloneStableDeref, StableDeref};

use crate::{Allocator, ArcArrayBase, ArcLayout, HeapArray, RcArray, UniqueArcArrayBase};

/// The elements stay where they are when the `HeapArray` moves, as a
/// `Box<[E]>`'s.
///
/// # Examples
///
/// ```
/// use heaparray::*;
/// use stable_deref_trait::StableDeref;
///
/// fn address<T: StableDeref<Target = [u8]>>(owner: &T) -> *const u8 {
///     owner.as_ptr()
/// }
/// let a = HeapArray::new(3, |i| i as u8);
/// let before = address(&a);
/// let moved = Box::new(a); // the handle moves, the block does not
/// assert_eq!(address(&*moved), before);
/// ```
// SAFETY: `deref` and `deref_mut` return the same address, the block's
// element pointer, every time: the handle holds the block pointer and the
// length, so moving it moves neither the block nor the elements. The slice
// is valid while the handle lives whatever `&self` methods run (none
// reallocates or frees the block; only `&mut self` ones and `drop` may, on
// which the trait places no requirement). For a block of size zero (every
// part zero-sized) the address is a fixed dangling one, valid for the
// zero-sized slice. `Deref` and `DerefMut` do not panic.
unsafe impl<E, L, A: Allocator> StableDeref for HeapArray<E, L, A> {}

/// The elements stay where they are when the `UniqueArcArray` moves.
// SAFETY: as `HeapArray`'s: `deref` and `deref_mut` both return the block's
// element pointer, which the handle (a pointer to the block) does not move,
// valid while the handle lives whatever `&self` methods run; the length and
// the block change only through `&mut self` (growth). Its `Clone` is deep, a
// new block, so it is not `CloneStableDeref`, as `HeapArray` is not.
unsafe impl<E, L, P: ArcLayout, A: Allocator> StableDeref for UniqueArcArrayBase<E, L, P, A> {}

/// The elements stay where they are when the `ArcArray` moves.
// SAFETY: `deref` returns the block's element pointer every time; the
// handle points to the block, so moving it moves nothing, and a strong
// handle keeps the block and its contents alive and unwritten (no `&self`
// method writes or frees them: only `get_mut`/`make_mut`, on `&mut self`,
// write, and only when unique). There is no `DerefMut`.
unsafe impl<E, L, P: ArcLayout, A: Allocator> StableDeref for ArcArrayBase<E, L, P, A> {}

/// Clones of an `ArcArray` deref to the same address: they share its block.
///
/// # Examples
///
/// ```
/// use heaparray::*;
/// use stable_deref_trait::CloneStableDeref;
///
/// fn same_address<T: CloneStableDeref<Target = [u32]>>(owner: &T) -> bool {
///     owner.clone().as_ptr() == owner.as_ptr()
/// }
/// assert!(same_address(&ArcArray::new(4, |i| i as u32)));
/// assert!(same_address(&RcArray::new(0, |i| i as u32)));
/// ```
// SAFETY: a clone is another strong handle to the same block (a count
// increment), so it derefs to the same element pointer; with no `DerefMut`,
// no clone hands out a `&mut` to what the others read.
unsafe impl<E, L, P: ArcLayout, A: Allocator> CloneStableDeref for ArcArrayBase<E, L, P, A> {}

/// The elements stay where they are when the `RcArray` moves.
// SAFETY: as `ArcArray`'s: `deref` returns the block's element pointer,
// which the handle (a pointer to the block) does not move, kept alive and
// unwritten while a handle lives (`get_mut`/`make_mut` take `&mut self`).
// There is no `DerefMut`.
unsafe impl<E, L, A: Allocator> StableDeref for RcArray<E, L, A> {}

/// Clones of an `RcArray` deref to the same address: they share its block.
// SAFETY: a clone is another handle to the same block, so it derefs to the
// same element pointer, and there is no `DerefMut`.
unsafe impl<E, L, A: Allocator> CloneStableDeref for RcArray<E, L, A> {}
