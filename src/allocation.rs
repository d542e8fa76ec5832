//! Allocation control: the allocator trait every handle takes (allocator-api2
//! 0.2's, the version hashbrown and bumpalo use), and [`TryReserveError`],
//! what the `try_` constructors return instead of aborting or panicking.

use core::alloc::Layout;
use core::fmt;

pub use allocator_api2::alloc::{AllocError, Allocator};

/// The global allocator, the default of every handle's allocator parameter.
///
/// This is `allocator_api2::alloc::Global`, which allocates through
/// `#[global_allocator]`. Under `--cfg loom` it is instead a zero-sized
/// allocator of heaparray's own that allocates through `loom::alloc`, so
/// that a loom model which leaks a block fails.
pub use crate::sync::Global;

/// Why a `try_` constructor could not build its array.
///
/// Nothing is lost on this path: the label and every element made so far
/// are dropped, and every block allocated is freed.
///
/// # Examples
///
/// ```
/// use heaparray::*;
///
/// let err = HeapArray::<u64>::try_new(usize::MAX, |i| i as u64).unwrap_err();
/// assert_eq!(err, TryReserveError::CapacityOverflow);
/// assert_eq!(
///     err.to_string(),
///     "capacity overflow: the block for this length would exceed isize::MAX bytes"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TryReserveError {
    /// The block for the requested length would exceed `isize::MAX` bytes.
    /// Found before anything is allocated.
    CapacityOverflow,
    /// The allocator returned an error for a block of this layout.
    AllocError {
        /// The layout of the block that could not be allocated (or grown,
        /// or shrunk to its final length).
        layout: Layout,
    },
    /// An `ExactSizeIterator` given to `try_from_label_and_iter` yielded
    /// another number of items than its `len()` said. What it yielded was
    /// dropped, with the label, and the block freed.
    LengthMismatch {
        /// What `len()` said.
        expected: usize,
        /// How many items it yielded before it ran out, or, if it yielded
        /// more, `expected + 1` (the extra item is not kept).
        yielded: usize,
    },
}

impl fmt::Display for TryReserveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryReserveError::CapacityOverflow => f.write_str(
                "capacity overflow: the block for this length would exceed isize::MAX bytes",
            ),
            TryReserveError::AllocError { layout } => write!(
                f,
                "memory allocation of {} bytes (aligned to {}) failed",
                layout.size(),
                layout.align()
            ),
            TryReserveError::LengthMismatch { expected, yielded } if yielded > expected => write!(
                f,
                "an ExactSizeIterator yielded more items than its len() said ({expected})"
            ),
            TryReserveError::LengthMismatch { expected, yielded } => write!(
                f,
                "an ExactSizeIterator yielded {yielded} items, but its len() said {expected}"
            ),
        }
    }
}

impl core::error::Error for TryReserveError {}

/// Panics with the message every handle gives for a length too large to
/// allocate. Called before anything is allocated.
#[cold]
#[inline(never)]
#[track_caller]
pub(crate) fn capacity_overflow() -> ! {
    panic!("capacity overflow: the block for this length would exceed isize::MAX bytes")
}

/// The infallible constructors' answer to a [`TryReserveError`]: the
/// "capacity overflow" panic, or the global allocation error handler (an
/// abort on stable Rust), as `Vec` gives; a lying iterator's length, a
/// panic that says so. Called after the failed build has dropped what it
/// made.
#[cold]
#[inline(never)]
#[track_caller]
pub(crate) fn fail(err: &TryReserveError) -> ! {
    match *err {
        TryReserveError::CapacityOverflow => capacity_overflow(),
        TryReserveError::AllocError { layout } => alloc::alloc::handle_alloc_error(layout),
        TryReserveError::LengthMismatch { .. } => panic!("{err}"),
    }
}

/// Unwraps a build's result the way the infallible constructors do.
#[inline]
#[track_caller]
pub(crate) fn infallible<T>(result: Result<T, TryReserveError>) -> T {
    match result {
        Ok(value) => value,
        Err(err) => fail(&err),
    }
}
