#![doc = include_str!("../README.md")]
//!
//! # Guide
//!
//! | type | handle | shared | role |
//! |---|---|---|---|
//! | [`ArcArray<E, L>`](ArcArray) | 1 word | across threads: atomic strong and weak counts on their own cache line | the centrepiece: a drop-in for `Arc<[E]>` / `Arc<Vec<E>>` |
//! | [`WeakArcArray<E, L>`](WeakArcArray) | 1 word | — | weak handle of an `ArcArray` |
//! | [`UniqueArcArray<E, L>`](UniqueArcArray) | 1 word | no | an `ArcArray` block before it is shared: full `&mut` access |
//! | [`RcArray<E, L>`](RcArray) | 1 word | on one thread, plain strong and weak counts | a drop-in for `Rc<[E]>` |
//! | [`WeakRcArray<E, L>`](WeakRcArray) | 1 word | — | weak handle of an `RcArray` |
//! | [`HeapArray<E, L>`](HeapArray) | 2 words | no | owned, like `Box<[E]>` with a label |
//!
//! `L` defaults to `()`. Every handle's last type parameter is the
//! [`Allocator`] its block comes from, [`Global`] by default; it lives in the
//! block, so the handle stays one word (`HeapArray` two) whatever it is.
//! [`CompactArcArray`], [`CompactWeakArcArray`] and
//! [`CompactUniqueArcArray`] are the same handles in the compact layout
//! (aliases of [`ArcArrayBase`] and its weak and unique kin, with every
//! constructor and method).
//!
//! `use heaparray::*;` brings the handle types, [`TryReserveError`], the
//! layout markers and the allocator re-exports ([`Allocator`], [`Global`],
//! [`AllocError`]), and nothing whose methods could shadow a slice method:
//! `a.get(1..3)`, `a.get_unchecked(0)` and the rest are the slice's. The
//! seed's [trait vocabulary](traits), for generic code over every handle,
//! is imported by path: `use heaparray::traits::*;`.
//!
//! ```
//! use heaparray::*;
//! let h = HeapArray::from(vec![1, 2, 3, 4]);
//! assert_eq!(h.get(1..3), Some(&[2, 3][..])); // the slice's `get`
//! ```
//!
//! On a nightly toolchain, `use std::alloc::*` also brings std's unstable
//! `Global`, `Allocator` and `AllocError`, and two glob imports of one name
//! make it ambiguous where used: import `heaparray::{Allocator, Global}` by
//! name beside the globs (stable Rust sees no clash).
//!
//! ## The story
//!
//! An array built from its indices:
//!
//! ```
//! use heaparray::*;
//! let len = 10;
//! let array = HeapArray::new(len, |idx| idx + 3);
//! assert!(array[1] == 4);
//! ```
//!
//! A label travels with the elements, in the same allocation, and the
//! initialiser can update it as it goes; here it counts even and odd indices:
//!
//! ```
//! use heaparray::*;
//! let len = 10;
//! let array = HeapArray::with_label((0, 0), len, |(evens, odds), idx| {
//!     if idx % 2 == 0 { *evens += 1 } else { *odds += 1 }
//!     idx + 3
//! });
//! assert_eq!(*array.get_label(), (5, 5));
//! ```
//!
//! That is the Rustonomicon's custom dynamically sized type,
//! `struct MySuperSliceable<T: ?Sized> { info: u32, data: T }`, without a
//! line of unsafe code:
//!
//! ```
//! use heaparray::*;
//! type MySuperSliceable = HeapArray<u8, u32>;
//!
//! let sized = MySuperSliceable::with_label(17, 8, |_, i| i as u8);
//! println!("{:?}", sized);
//! assert_eq!(
//!     format!("{:?}", sized),
//!     "HeapArray { label: 17, elements: [0, 1, 2, 3, 4, 5, 6, 7] }"
//! );
//! ```
//!
//! ## Why one block, one pointer
//!
//! `Arc<Vec<T>>` reaches an element in two hops (handle → `Arc` block with
//! the `Vec` header → elements) and costs two allocations. `Arc<[T]>` is one
//! block, but its handle is two words wide and `Arc::from(vec)` copies every
//! element. An [`ArcArray`] is one word, one allocation, one hop, and is
//! filled in place from a closure or an iterator. Its counts sit alone on
//! their cache lines, so threads reading the elements do not slow down
//! while others clone and drop handles.
//!
//! ## From `Arc<Vec<T>>` to `ArcArray<T>`
//!
//! Before:
//!
//! ```
//! use std::sync::Arc;
//! use std::thread;
//!
//! let data: Arc<Vec<u64>> = Arc::new((0..1000).collect());
//! let workers: Vec<_> = (0..4)
//!     .map(|t| {
//!         let data = Arc::clone(&data);
//!         thread::spawn(move || data.iter().skip(t).step_by(4).sum::<u64>())
//!     })
//!     .collect();
//! let total: u64 = workers.into_iter().map(|w| w.join().unwrap()).sum();
//! assert_eq!(total, 499_500);
//! assert_eq!(Arc::strong_count(&data), 1);
//! ```
//!
//! After: the type name changes, and nothing else.
//!
//! ```
//! use heaparray::*;
//! use std::thread;
//!
//! let data: ArcArray<u64> = (0..1000).collect();
//! let workers: Vec<_> = (0..4)
//!     .map(|t| {
//!         let data = ArcArray::clone(&data);
//!         thread::spawn(move || data.iter().skip(t).step_by(4).sum::<u64>())
//!     })
//!     .collect();
//! let total: u64 = workers.into_iter().map(|w| w.join().unwrap()).sum();
//! assert_eq!(total, 499_500);
//! assert_eq!(ArcArray::strong_count(&data), 1);
//! ```
//!
//! ## `Arc` and `Weak`, method by method
//!
//! The types first: `Arc<[T]>` and `Arc<Vec<T>>` become `ArcArray<T>` (the
//! element type, no brackets), or `CompactArcArray<T>`; `sync::Weak<[T]>`
//! becomes `WeakArcArray<T>`; `Rc<[T]>` and `rc::Weak<[T]>` become
//! `RcArray<T>` and `WeakRcArray<T>`. The label is the second parameter and
//! the allocator the third: `Arc<[u8], A>` is `ArcArray<u8, (), A>`
//! (`ArcArray<u8, &Bump>` is an array labelled with a `&Bump`, in the
//! global heap). An unlabelled array compares, hashes, prints (`{:?}`) and
//! serializes as its slice, as `Arc<[T]>` does.
//!
//! | `std::sync` | heaparray |
//! |---|---|
//! | `Arc::new(vec)`, `Arc::<[T]>::from(vec)` | `ArcArray::from(vec)` (`ArcArray::new` takes a length and a function of the index: [`ArcArray::new(len, f)`](ArcArray::new), with no copy) |
//! | `iter.collect::<Arc<[T]>>()` | `iter.collect::<ArcArray<T>>()` |
//! | `Arc::clone(&a)` | `ArcArray::clone(&a)` |
//! | `Arc::strong_count(&a)`, `Arc::weak_count(&a)` | [`ArcArray::strong_count`], [`ArcArray::weak_count`] |
//! | `Arc::ptr_eq(&a, &b)` | [`ArcArray::ptr_eq`] |
//! | `Arc::downgrade(&a)` | [`ArcArray::downgrade`] |
//! | `Arc::get_mut(&mut a)` | [`ArcArray::get_mut`] (`Option<&mut [E]>`) |
//! | `Arc::make_mut(&mut a)` | [`ArcArray::make_mut`] (`&mut [E]`), [`ArcArray::make_mut_with_label`] (`(&mut L, &mut [E])`) |
//! | `Arc::try_unwrap(a)` | [`ArcArray::try_unique`] (`Result<UniqueArcArray, ArcArray>`) |
//! | `Arc::into_inner(a)` | [`ArcArray::into_unique`] (`Option<UniqueArcArray>`) |
//! | `Arc::try_unwrap(a)` then the elements by value (`Vec::from`, `into_iter`) | `ArcArray::try_unique(a).unwrap().into_iter()` ([`UniqueArcArrayIntoIter`]: the elements moved out of the block one by one, `collect::<Vec<_>>()` for a `Vec`; [`HeapArrayIntoIter`] the same for [`HeapArray`]) |
//! | `Arc::into_raw(a)`, `Arc::from_raw(p)` | [`ArcArray::into_raw`], [`ArcArray::from_raw`] (a thin `*const E`) |
//! | `Arc::as_ptr(&a)` | [`ArcArray::as_ptr`] |
//! | `Arc::increment_strong_count(p)`, `Arc::decrement_strong_count(p)` | [`ArcArray::increment_strong_count`], [`ArcArray::decrement_strong_count`] (unsafe, on `into_raw` pointers) |
//! | `Arc::is_unique(&a)` (nightly) | [`ArcArray::is_unique`] (no other strong or weak handle) |
//! | `Arc::unwrap_or_clone(a)` | [`ArcArray::unwrap_or_clone`] (a `UniqueArcArray`; no copy when unique) |
//! | `Arc::<[T]>::default()` (no allocation since 1.80) | [`ArcArray::default()`](ArcArrayBase#impl-Default-for-ArcArrayBase<E,+(),+P,+A>): a shared static block for `align_of::<E>() <= 16`, no allocation |
//! | `Arc::<[T]>::from([x; N])`, `from(&mut [T])`, `from(Cow<[T]>)` | the same `From` conversions, for every handle |
//! | `format!("{a:p}")` | `fmt::Pointer` for every handle (the elements' address) |
//! | `Arc::new_uninit` + `get_mut` | [`UniqueArcArray`], then [`UniqueArcArray::shareable`] |
//! | `Arc::<[T]>::new_uninit_slice(len)` | [`UniqueArcArray::<T>::new_uninit(len)`](UniqueArcArray::new_uninit), then [`assume_init`](UniqueArcArray::assume_init) and `shareable` |
//! | `Arc::<[T]>::new_zeroed_slice(len)` | [`UniqueArcArray::<T>::new_zeroed(len)`](UniqueArcArray::new_zeroed) (`allocate_zeroed`), or `ArcArray::<T>::zeroed(len)` with feature `bytemuck` |
//! | `Arc::new_in(x, alloc)` (nightly) | [`ArcArray::new_in(len, f, alloc)`](ArcArray::new_in), [`with_label_in`](ArcArray::with_label_in), [`from_iter_in`](ArcArray::from_iter_in), on stable, with the allocator in the block |
//! | `Arc::try_new(x)` (nightly) | [`ArcArray::try_new(len, f)`](ArcArray::try_new), [`try_with_label`](ArcArray::try_with_label), [`try_from_iter`](ArcArray::try_from_iter) and their `_in` forms: `Result<_, TryReserveError>` |
//! | `Arc::allocator(&a)` (nightly) | [`ArcArray::allocator`], [`WeakArcArray::allocator`] (`Option<&A>`) |
//! | `Weak::new()` | [`WeakArcArray::new`] |
//! | `w.upgrade()`, `w.strong_count()`, `w.weak_count()`, `w.ptr_eq(&v)` | [`WeakArcArray::upgrade`], [`WeakArcArray::strong_count`], [`WeakArcArray::weak_count`], [`WeakArcArray::ptr_eq`] |
//! | `w.as_ptr()`, `w.into_raw()`, `Weak::from_raw(p)` | [`WeakArcArray::as_ptr`], [`WeakArcArray::into_raw`], [`WeakArcArray::from_raw`] (thin, as `ArcArray`'s) |
//! | — | [`ArcArray::get_label`], [`UniqueArcArray::get_label_mut`]: the label |
//!
//! `Rc` and `rc::Weak` map to [`RcArray`] and [`WeakRcArray`] the same way,
//! function for function; `RcArray::try_unique`, `into_unique` and
//! `unwrap_or_clone` give a [`HeapArray`] (the owned handle: the elements
//! moved, not cloned), and `RcArray::from(heap)` goes back.
//!
//! ## What the compiler refuses
//!
//! An `ArcArray` is `Send` and `Sync` only if its elements and label are
//! both: `Cell` is not `Sync`, so neither is an `ArcArray` of them,
//!
//! ```compile_fail,E0277
//! fn shared<T: Sync>(_: &T) {}
//! let a = heaparray::ArcArray::new(1, |_| std::cell::Cell::new(0u8));
//! shared(&a);
//! ```
//!
//! `Rc` is not `Send`, so an `ArcArray` of them cannot move to a thread,
//!
//! ```compile_fail,E0277
//! let a = heaparray::ArcArray::new(1, |_| std::rc::Rc::new(0u8));
//! std::thread::spawn(move || a.len());
//! ```
//!
//! an `RcArray` never leaves its thread,
//!
//! ```compile_fail,E0277
//! let a = heaparray::RcArray::new(1, |i| i);
//! std::thread::spawn(move || a.len());
//! ```
//!
//! a handle shares its contents with its clones, so a panic caught around
//! one can leave them half-updated for the others: like `Arc<[Cell<u8>]>`
//! and `Rc<[Cell<u8>]>`, neither an `ArcArray` nor an `RcArray` of `Cell`s
//! is `UnwindSafe` (wrap it in `AssertUnwindSafe` to say it is),
//!
//! ```compile_fail,E0277
//! let a = heaparray::RcArray::new(1, |_| std::cell::Cell::new(0u8));
//! let _ = std::panic::catch_unwind(move || a[0].set(1));
//! ```
//!
//! ```compile_fail,E0277
//! let a = heaparray::ArcArray::new(1, |_| std::cell::Cell::new(0u8));
//! let _ = std::panic::catch_unwind(move || a[0].set(1));
//! ```
//!
//! while handles of plain data are,
//!
//! ```
//! let (a, b) = (heaparray::RcArray::new(1, |i| i), heaparray::ArcArray::new(1, |i| i));
//! assert!(std::panic::catch_unwind(move || a[0] + b[0]).is_ok());
//! ```
//!
//! the allocator is shared by every handle of a block and used by
//! whichever thread frees it, so an `ArcArray` is `Send` and `Sync` only if
//! its allocator is `Send + Sync` too (as std's `Arc<T, A>`): one holding an
//! `Rc` cannot cross threads,
//!
//! ```compile_fail,E0277
//! use heaparray::*;
//! use std::{alloc::Layout, ptr::NonNull, rc::Rc};
//!
//! #[derive(Clone, Default)]
//! struct ThreadLocal(Rc<()>);
//! // SAFETY: forwards to the global allocator.
//! unsafe impl Allocator for ThreadLocal {
//!     fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
//!         Global.allocate(layout)
//!     }
//!     unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
//!         unsafe { Global.deallocate(ptr, layout) }
//!     }
//! }
//! let a = ArcArray::new_in(1, |i| i, ThreadLocal::default());
//! std::thread::spawn(move || a.len());
//! ```
//!
//! nor can its weak handle,
//!
//! ```compile_fail,E0277
//! use heaparray::*;
//! use std::{alloc::Layout, ptr::NonNull, rc::Rc};
//!
//! #[derive(Clone, Default)]
//! struct ThreadLocal(Rc<()>);
//! // SAFETY: forwards to the global allocator.
//! unsafe impl Allocator for ThreadLocal {
//!     fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
//!         Global.allocate(layout)
//!     }
//!     unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
//!         unsafe { Global.deallocate(ptr, layout) }
//!     }
//! }
//! let a = ArcArray::new_in(1, |i| i, ThreadLocal::default());
//! let w = ArcArray::downgrade(&a);
//! std::thread::spawn(move || w.strong_count());
//! ```
//!
//! while the same allocator without the `Rc` can,
//!
//! ```
//! use heaparray::*;
//! use std::{alloc::Layout, ptr::NonNull};
//!
//! #[derive(Clone, Default)]
//! struct Forward;
//! // SAFETY: forwards to the global allocator.
//! unsafe impl Allocator for Forward {
//!     fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
//!         Global.allocate(layout)
//!     }
//!     unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
//!         unsafe { Global.deallocate(ptr, layout) }
//!     }
//! }
//! let a = ArcArray::new_in(1, |i| i, Forward);
//! assert_eq!(std::thread::spawn(move || a.len()).join().unwrap(), 1);
//! ```
//!
//! an array from an arena does not outlive the arena,
//!
//! ```compile_fail,E0597
//! let a = {
//!     let arena = bumpalo::Bump::new();
//!     heaparray::ArcArray::new_in(2, |i| i, &arena)
//! };
//! assert_eq!(a.len(), 2);
//! ```
//!
//! nor can the arena be reset while one lives,
//!
//! ```compile_fail,E0502
//! let mut arena = bumpalo::Bump::new();
//! let a = heaparray::HeapArray::new_in(2, |i| i, &arena);
//! arena.reset();
//! assert_eq!(a.len(), 2);
//! ```
//!
//! a shared `ArcArray` cannot be written through (use
//! [`ArcArray::get_mut`] or [`ArcArray::make_mut`]),
//!
//! ```compile_fail,E0594
//! let mut a = heaparray::ArcArray::new(2, |i| i);
//! a[0] = 7;
//! ```
//!
//! and a borrow does not outlive its handle.
//!
//! ```compile_fail,E0597
//! let first: &usize;
//! {
//!     let a = heaparray::ArcArray::new(2, |i| i);
//!     first = &a[0];
//! }
//! assert_eq!(*first, 0);
//! ```
//!
//! ## Verification
//!
//! Every memory ordering of the count protocol is model-checked with loom,
//! the handles' protocol races are explored with shuttle, and the test suite
//! runs under Miri's Stacked and Tree Borrows. See `SAFETY.md` and the
//! README for the commands and figures.
#![cfg_attr(not(feature = "std"), no_std)]
// On docs.rs (`--cfg docsrs`, nightly), every item behind a feature says
// which one.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(
    missing_docs,
    unsafe_op_in_unsafe_fn,
    clippy::undocumented_unsafe_blocks
)]
#![warn(missing_debug_implementations, rust_2018_idioms)]
// Cargo.toml allows it for tests and examples; the library keeps its MSRV.
#![warn(clippy::incompatible_msrv)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

#[macro_use]
mod macros;

mod allocation;
mod arc_array;
#[cfg(feature = "arc-swap")]
mod arc_swap_impls;
mod block;
#[cfg(feature = "bytemuck")]
mod bytemuck_impls;
#[cfg(feature = "bytes")]
mod bytes_impls;
mod heap_array;
#[cfg(feature = "rayon")]
mod rayon_impls;
mod rc_array;
#[cfg(feature = "serde")]
mod serde_impls;
#[cfg(feature = "stable_deref_trait")]
mod stable_deref_impls;
mod sync;
pub mod traits;

pub use allocation::{AllocError, Allocator, Global, TryReserveError};
/// allocator-api2 0.2, whose [`Allocator`] trait every handle takes: the
/// version hashbrown and bumpalo (feature `allocator-api2`) use.
pub use allocator_api2;
pub use arc_array::{
    ArcArray, ArcArrayBase, ArcArrayBorrow, ArcArrayBorrowBase, ArcLayout, Compact,
    CompactArcArray, CompactArcArrayBorrow, CompactUniqueArcArray, CompactWeakArcArray, Padded,
    UniqueArcArray, UniqueArcArrayBase, UniqueArcArrayIntoIter, WeakArcArray, WeakArcArrayBase,
};
pub use heap_array::{HeapArray, HeapArrayIntoIter};
pub use rc_array::{RcArray, RcArrayBorrow, WeakRcArray};
