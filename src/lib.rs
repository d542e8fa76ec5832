//! # heaparray
//!
//! A label (your metadata) and an array of elements in **one** heap block,
//! handed out through safe handles.
//!
//! TODO-CRATE-DOCS
#![deny(missing_docs, unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]
#![warn(missing_debug_implementations, rust_2018_idioms)]

#[macro_use]
mod macros;

mod arc_array;
mod block;
mod heap_array;
mod rc_array;
mod sync;
pub mod traits;

pub use arc_array::{ArcArray, UniqueArcArray, WeakArcArray};
pub use heap_array::HeapArray;
pub use rc_array::RcArray;
pub use traits::*;
