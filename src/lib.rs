//! A label and an array of elements in one heap block, shared through a
//! one-word handle: [`ArcArray`] across threads (a drop-in for `Arc<[T]>`
//! and `Arc<Vec<T>>`), [`RcArray`] on one, [`HeapArray`] owned.
//!
//! This page is the Guide, then the README (which type to pick, migrating
//! from `Arc`, allocation, the features, the peers), then the detail the
//! README leaves out and what the compiler refuses.
//!
//! # Guide
//!
//! ## The types
//!
//! [`ArcArray<E, L>`](ArcArray) shares an array across threads, with atomic
//! strong and weak counts on their own cache lines; [`WeakArcArray`] is its
//! weak handle, [`UniqueArcArray`] the same block before it is shared (full
//! `&mut` access, and it grows like a `Vec`: [`push`](UniqueArcArray::push),
//! [`reserve`](UniqueArcArray::reserve), `extend`, then
//! [`shareable`](UniqueArcArray::shareable)), and [`ArcArrayBorrow`] a
//! borrowed handle (one word, `Copy`, no count touched). [`RcArray`],
//! [`WeakRcArray`] and [`RcArrayBorrow`] are the same for one thread, and
//! [`HeapArray`] is owned, like `Box<[E]>` with a label (two words).
//!
//! `L` defaults to `()`. Every handle's last type parameter is the
//! [`Allocator`] its block comes from, [`Global`] by default; it lives in the
//! block, so the handle stays one word (`HeapArray` two) whatever it is.
//! [`CompactArcArray`], [`CompactWeakArcArray`],
//! [`CompactUniqueArcArray`] and [`CompactArcArrayBorrow`] are the same
//! handles in the compact layout: the layout is in the type's name, and
//! both are aliases of one generic type, [`ArcArrayBase`] (as ndarray's
//! `Array` is of `ArrayBase`), and its weak, unique and borrowed kin, so
//! both run the same code and have every constructor, conversion, method
//! and trait, with no trait to import (`CompactArcArray::new(..)`,
//! `CompactArcArray::from(vec)`). Only the header differs (144 bytes on
//! `x86_64`: counts, a gap to 128, `len`, padding to 16; or 16 bytes:
//! counts and `len`). Code generic over the layout names the base type
//! and the [`ArcLayout`] marker, [`Padded`] or [`Compact`]:
//!
//! ```
//! use heaparray::*;
//!
//! fn users<P: ArcLayout>(a: &ArcArrayBase<u8, (), P, Global>) -> usize {
//!     ArcArrayBase::strong_count(a)
//! }
//! assert_eq!(users(&ArcArray::from([1u8, 2])), 1);
//! assert_eq!(users(&CompactArcArray::from([1u8, 2])), 1);
//! ```
//!
//! Likewise [`WeakArcArrayBase`] and [`UniqueArcArrayBase`].
//!
//! ## Imports
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
//! The README's [Migrating](#migrating) table, below, maps `Arc<[T]>`,
//! `Arc<Vec<T>>`, `Rc<[T]>` and triomphe's `ThinArc` to heaparray, method
//! by method. Its main entries: `ArcArray::from(vec)` and
//! [`ArcArray::new(len, f)`](ArcArray::new) (filled in place, no copy); [`ArcArray::get_mut`], [`ArcArray::make_mut`],
//! [`ArcArray::try_unique`] (≈ `Arc::try_unwrap`) and
//! [`ArcArray::into_unique`] (≈ `Arc::into_inner`);
//! [`UniqueArcArrayIntoIter`] and [`HeapArrayIntoIter`], the elements moved
//! out by value; [`ArcArray::into_raw`] and [`ArcArray::from_raw`] (a thin
//! `*const E`); [`ArcArray::from_label_and_iter`] (triomphe's
//! `from_header_and_iter`); [`ArcArray::borrow`] and
//! [`ArcArrayBorrow::clone_arc`](ArcArrayBorrowBase::clone_arc)
//! (triomphe's `ArcBorrow`); [`UniqueArcArray::new_uninit`],
//! [`UniqueArcArray::new_zeroed`] and [`UniqueArcArray::assume_init`];
//! [`ArcArray::new_in`], [`ArcArray::try_new`] and [`ArcArray::allocator`];
//! [`WeakArcArray::upgrade`]. [`RcArray`] and [`WeakRcArray`] follow `Rc`
//! and `rc::Weak` the same way.
//!
//! [benchmarks]: https://docs.rs/crate/heaparray/latest/source/BENCHMARKS.md
//! [verification]: https://docs.rs/crate/heaparray/latest/source/VERIFICATION.md
//! [loom-models]: https://docs.rs/crate/heaparray/latest/source/VERIFICATION.md
//! [safety]: https://docs.rs/crate/heaparray/latest/source/SAFETY.md
//! [architecture]: https://docs.rs/crate/heaparray/latest/source/ARCHITECTURE.md
//! [changelog]: https://docs.rs/crate/heaparray/latest/source/CHANGELOG.md
#![doc = include_str!("../README.md")]
//!
//! # More detail
//!
//! What the README leaves out: the allocator's place in the block, two
//! more allocation snippets, each feature in full, and the rest of the
//! comparison with the peers.
//!
//! ## Allocation
//!
//! Every handle's last type parameter is its allocator, allocator-api2 0.2's
//! `Allocator` (re-exported as `heaparray::{Allocator, Global, AllocError}`),
//! `Global` by default. The allocator lives in the block, not in the handle:
//! `ArcArray<E, L, A>` is one word whatever `A` is; a zero-sized allocator
//! takes no byte, and in the padded layout a small one (up to 112 bytes on
//! `x86_64`: `&Bump`, a 24-byte pool handle) sits in the gap the counts already
//! pad, so the block does not grow either. The last owner, strong or weak,
//! frees the block with it and then drops it. `ArcArray` is `Send`/`Sync` only
//! if the allocator is `Send + Sync`, as std's `Arc<T, A>`. The borrow
//! checker makes sure no array from an arena outlives it, or sees it reset.
//!
//! A length read from the network, built without trusting it: the `try_`
//! constructors return `Err(TryReserveError)` for a length whose block would
//! not fit (before allocating) or that the allocator refuses, and never abort
//! or panic; on an error everything made so far is dropped.
//!
//! ```
//! use heaparray::*;
//!
//! fn receive(claimed_len: u64) -> Result<ArcArray<u8>, TryReserveError> {
//!     let len = usize::try_from(claimed_len).map_err(|_| TryReserveError::CapacityOverflow)?;
//!     ArcArray::try_new(len, |i| i as u8)
//! }
//! assert_eq!(receive(3)?.len(), 3);
//! assert_eq!(receive(u64::MAX).unwrap_err(), TryReserveError::CapacityOverflow);
//! # Ok::<(), TryReserveError>(())
//! ```
//!
//! A large zeroed buffer, shared: `new_zeroed` goes through
//! `Allocator::allocate_zeroed`, which for the global allocator is `calloc`,
//! whose fresh pages come zeroed from the OS with no write pass (with the
//! `bytemuck` feature, `ArcArray::<u8>::zeroed(n)` does it safely):
//!
//! ```
//! use heaparray::*;
//!
//! let buffer = UniqueArcArray::<u8>::new_zeroed(64 << 20);
//! // SAFETY: all-zero bytes are a valid `u8`.
//! let buffer: ArcArray<u8> = unsafe { buffer.assume_init() }.shareable();
//! assert_eq!(buffer[12345], 0);
//! ```
//!
//! `examples/arena.rs` runs these two and the README's arena (`cargo run
//! --release --example arena`), and `BENCHMARKS.md` times all three. The
//! compact layout has the same constructors
//! (`CompactArcArray::try_new(..)`, `CompactArcArray::new_in(..)`).
//!
//! ## The features in full
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `std` | yes | `std::process::abort` on count overflow; without it the crate is `#![no_std]` and needs only `alloc` |
//! | `serde` | no | `Serialize`/`Deserialize` for `HeapArray`, `ArcArray`, `UniqueArcArray` (both layouts), `RcArray`: with a zero-sized label (the default `()`) a plain sequence, exactly as `Vec<T>` and `Arc<[T]>` (data saved from `Arc<[T]>` loads into `ArcArray<T>`, in JSON and byte for byte in postcard); with any other label `{ label, elements }`; deserialised straight into the block |
//! | `bytemuck` | no | safe `zeroed(len)` (and `zeroed_in`) for `bytemuck::Zeroable` elements on `HeapArray`, `UniqueArcArray`, `ArcArray`, through `Allocator::allocate_zeroed` |
//! | `rayon` | no | `par_new`/`par_with_label` (parallel construction straight into the block, panic-safe; the default layout), `FromParallelIterator` for `ArcArray`, `UniqueArcArray`, `HeapArray` (both layouts, any `Default` allocator: `(0..n).into_par_iter().map(f).collect::<ArcArray<_>>()` writes an indexed iterator straight into the block in parallel, no `Vec` (`BENCHMARKS.md`, workload 14); others are collected as a `Vec` and moved in; panic-safe, and an iterator that lies about its length or its splits gets a panic or a correct array, never an unsound one (a length the allocator cannot give aborts, as rayon's `collect_into_vec` does) and `IntoParallelIterator` for `&ArcArray`, `&HeapArray`, `&UniqueArcArray` (both layouts) |
//! | `arc-swap` | no | `arc_swap::RefCnt` for `ArcArray` (both layouts, any allocator): `ArcSwapAny<ArcArray<E, L>>` and `ArcSwapAny<Option<ArcArray<E, L>>>`, a shared array that one thread replaces while others read it without a lock (`examples/hot_reload.rs`); enables `std`, as arc-swap needs it |
//! | `bytes` | no | `From<ArcArray<u8, L>> for bytes::Bytes` with no copy (`Bytes::from_owner`): the `Bytes`, its clones and its slices point into the array's block, and the last of them drops the array |
//! | `stable_deref_trait` | no | `StableDeref` for `HeapArray`, `RcArray`, `ArcArray`, `UniqueArcArray` and `CloneStableDeref` for `ArcArray`, `RcArray`: the handles as owners of borrowed data in `yoke`, `owning_ref` and the like |
//!
//! arc-swap cannot hold an `Arc<[T]>` at all: a pointer to a slice is two
//! words (address and length), and arc-swap keeps its pointer in one
//! `AtomicPtr` (arc-swap issues
//! [#27](https://github.com/vorner/arc-swap/issues/27), "Mention that
//! unsized types are not supported", and
//! [#83](https://github.com/vorner/arc-swap/issues/83), on storing `str` and
//! `dyn Trait`). Its documentation's way round is a second indirection,
//! `ArcSwap<Box<[T]>>` (or `ArcSwap<Vec<T>>`): two allocations and two hops to
//! an element. An `ArcArray` is one word, so `ArcSwapAny<ArcArray<T>>` needs
//! neither.
//!
//! ## The rest of the comparison
//!
//! The rows of the README's table against `Arc<[T]>`, `Arc<Vec<T>>` and
//! triomphe's `ThinArc` that seldom decide a choice:
//!
//! | | `ArcArray<T>` | `CompactArcArray<T>` | `Arc<[T]>` | `Arc<Vec<T>>` | `triomphe::ThinArc<H, T>` |
//! |---|---|---|---|---|---|
//! | counts on their own cache lines | yes (128-byte gap on `x86_64`; the size from crossbeam-utils) | no | no | no | no |
//! | `no_std` + `alloc` | yes | yes | yes | yes | yes |
//! | `Default` without allocating | yes (`align_of::<T>() <= 16`; one static block per layout) | yes (same) | yes since 1.80 (`align_of::<T>() <= 16`) | no (allocates the `Arc`) | no `Default` |
//! | `increment_strong_count` / `decrement_strong_count` | yes | yes | yes | yes | no |
//! | weak handle `as_ptr` / `into_raw` / `from_raw` | yes, thin | yes, thin | yes, fat | yes | no weak handles |
//! | `is_unique` | yes | yes | nightly only | nightly only | no (`triomphe::Arc::is_unique` yes) |
//! | `unwrap_or_clone` | yes (a `UniqueArcArray`) | yes | no (`T: Clone` sized only) | yes | no |
//! | `From<[T; N]>`, `From<&mut [T]>`, `From<Cow<[T]>>` | yes | yes | yes | no (`From<T>` only) | no (`from_header_and_iter`) |
//! | `{:p}` formats | the elements' address | the elements' address | the data's address and length (a fat pointer) | the `Vec`'s address | the block's address |
//! | rayon `collect()` | yes, written straight into the block when indexed | yes, the same | yes (rayon 1.8+), through a `Vec`: one copy | `Vec`, then `Arc::new` | no |
//! | into `bytes::Bytes` with no copy | `Bytes::from(a)` (feature `bytes`) | `Bytes::from(a)` | `Bytes::from_owner(a)` (bytes 1.9+) | no (not `AsRef<[u8]>`: needs a wrapper) | no (not `AsRef<[u8]>`) |
//! | `StableDeref` / `CloneStableDeref` | yes (feature `stable_deref_trait`) | yes (same) | yes | yes | no (`triomphe::Arc` yes) |
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
//! runs under Miri's Stacked and Tree Borrows. `VERIFICATION.md` gives the
//! commands and figures, and `SAFETY.md` the argument.
//!
//! ## Targets without 64-bit atomics
//!
//! An `ArcArray`'s strong and weak counts share one 64-bit atomic word (32
//! bits each; a count past 2^31 - 1 aborts, as std's past `isize::MAX`).
//! On targets without 64-bit atomics (32-bit Arm Cortex-M, MIPS, PowerPC)
//! that word is crossbeam-utils' `AtomicCell<u64>`, which guards it with a
//! spin lock from a global table: the same protocol, but a clone or drop
//! there is not lock-free, and handles must not be cloned or dropped in an
//! interrupt or signal handler that may interrupt another clone or drop.
//! `RcArray` and `HeapArray` use no atomics and are unaffected.
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
