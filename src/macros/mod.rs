//! The std trait impls every handle shares, written once. Each handle
//! supplies `as_slice` (through `Deref`) and `get_label`; these impls only
//! forward to them, so they contain no unsafe code.
//!
//! One file per kind of impl: `slice_traits.rs` (reading and writing as a
//! slice), `constructors.rs` (building, converting, `Default`),
//! `uninit.rs` (uninitialised and zeroed blocks), `into_iter.rs` (the
//! by-value iterators), `borrow.rs` (the borrowed handles' methods, with
//! unsafe code, as `unique_access.rs`), `raw.rs` (the counted handles' raw
//! pointers, with unsafe code), `accessors.rs` (the label, the allocator
//! and the block, with unsafe code). A handle with a layout
//! parameter is one generic type behind two aliases: each macro takes the
//! name its docs use, then the generic type and its layout parameter
//! (`ArcArray, ArcArrayBase, P: ArcLayout`), and writes every impl once for
//! both layouts. A handle names the macros it takes in one
//! `impl_for_handle!`.

/// The name `Debug` prints for a handle: the alias the user wrote, so
/// `Compact` before the name for the compact layout (`CompactArcArray`,
/// `CompactArcArrayBorrow`, ...). Takes the docs' name and the layout
/// parameter, if any.
macro_rules! debug_name {
    ($name:ident) => {
        stringify!($name)
    };
    ($name:ident, $p:ident) => {
        if <$p as $crate::arc_array::layout::sealed::Sealed>::PADDED {
            stringify!($name)
        } else {
            concat!("Compact", stringify!($name))
        }
    };
}

/// Calls each named macro for one handle, in the one form they all take:
/// the name the docs use, the generic type, and its layout parameter if it
/// has one. `impl_for_handle!(HeapArray => impl_constructors)` calls
/// `impl_constructors!(HeapArray, HeapArray)`;
/// `impl_for_handle!(ArcArray, ArcArrayBase<P: ArcLayout> => impl_constructors)`
/// calls `impl_constructors!(ArcArray, ArcArrayBase, P: ArcLayout)`.
macro_rules! impl_for_handle {
    ($name:ident => $($impls:ident),+) => { $($impls!($name, $name);)+ };
    ($name:ident, $handle:ident<$p:ident: $bound:path> => $($impls:ident),+) => {
        $($impls!($name, $handle, $p: $bound);)+
    };
}

#[macro_use]
mod slice_traits;
#[macro_use]
mod constructors;
#[macro_use]
mod uninit;
#[macro_use]
mod unique_access;
#[macro_use]
mod into_iter;
#[macro_use]
mod borrow;
#[macro_use]
mod raw;
#[macro_use]
mod accessors;
