//! The shared empty blocks behind `ArcArray::default()`: one static block
//! per layout, never freed, so that an empty `ArcArray` costs no
//! allocation (as std's `Arc<[T]>::default()` since Rust 1.80).
//!
//! Each static holds a header for zero elements and one strong count of
//! its own that no handle owns and nothing releases: the strong count of a
//! static block never drops below 1, so no handle ever finds itself the
//! last one. Its contents are never dropped, `get_mut` and the claims of
//! `try_unique`, `make_mut` and `into_unique` always see another strong
//! handle, and the block is never freed; everything else (clone, drop,
//! weak handles, raw pointers) is the count protocol as for any block.
//! SAFETY.md ("The shared empty block") has the argument.

use core::mem;
use core::ptr::NonNull;

use super::ArcLayout;

/// The largest element alignment a shared empty block serves, as std's
/// `Arc<[T]>::default()`: the statics are aligned to it, and their size is
/// rounded up to it, so the element pointer of a block for zero elements
/// of any `E` this aligned is at most one past the static's end.
pub(super) const MAX_ALIGN: usize = 16;

/// The shared empty block for an `ArcArrayBase<E, (), P, A>`, or `None` where
/// none serves that type (then `default()` allocates):
/// - `E`'s alignment is at most [`MAX_ALIGN`];
/// - `A` is zero-sized, 1-aligned and has no drop glue, as `Global`: the
///   header of the static, made for `Global`, then has `ArcHeader<P, A>`'s
///   layout (both `repr(C)`, the allocator a zero-sized field of
///   alignment 1), and reading an `A` from it reads no byte;
/// - the checkers' atomics are `const` (not under loom or shuttle).
///
/// The caller must hold a value of `A` to give up (`mem::forget`) for the
/// one the block is taken to hold, so that the allocator a handle reads
/// from the block is one `A`'s own code made.
pub(super) fn shared_block<E, P: ArcLayout, A>() -> Option<NonNull<u8>> {
    let serves = mem::align_of::<E>() <= MAX_ALIGN
        && mem::size_of::<A>() == 0
        && mem::align_of::<A>() == 1
        && !mem::needs_drop::<A>();
    if !serves {
        None
    } else if P::PADDED {
        padded()
    } else {
        compact()
    }
}

crate::sync::const_atomics_or! {
    {
        use core::mem::ManuallyDrop;

        use super::counts::Counts;
        use super::layout::{CountsAndAlloc, PaddedFront};
        use super::{ArcHeader, Compact, Padded};
        use crate::allocation::Global;

        /// A static block: a header for zero elements and no label (`()`),
        /// aligned to [`MAX_ALIGN`] and so sized to a multiple of it: the
        /// elements of any `E` it serves start inside it or one past its
        /// end.
        #[repr(C, align(16))]
        struct StaticBlock<P: ArcLayout>(ArcHeader<P, Global>);

        // `align(16)` above is `MAX_ALIGN`; `Global` is what `shared_block`
        // requires of the allocators it serves.
        const _: () = assert!(mem::align_of::<StaticBlock<Compact>>() == MAX_ALIGN);
        const _: () = assert!(mem::size_of::<Global>() == 0 && mem::align_of::<Global>() == 1);

        const fn slots() -> CountsAndAlloc<Global> {
            CountsAndAlloc {
                counts: Counts::new_static(),
                alloc: ManuallyDrop::new(Global),
            }
        }

        static PADDED: StaticBlock<Padded> = StaticBlock(ArcHeader {
            front: PaddedFront {
                slots: ManuallyDrop::new(slots()),
            },
            len: 0,
        });

        static COMPACT: StaticBlock<Compact> = StaticBlock(ArcHeader {
            front: slots(),
            len: 0,
        });

        // The starts of the static blocks, taken with `&raw const`: no
        // reference is made, and the pointer has the provenance of the
        // whole static, whose counts (atomics, in `UnsafeCell`s) the
        // handles write. Never null: `NonNull::new` only converts.

        /// The padded layout's shared empty block.
        fn padded() -> Option<NonNull<u8>> {
            NonNull::new((&raw const PADDED).cast_mut().cast())
        }

        /// The compact layout's shared empty block.
        fn compact() -> Option<NonNull<u8>> {
            NonNull::new((&raw const COMPACT).cast_mut().cast())
        }
    } else {
        /// No static block under loom or shuttle: `default()` allocates.
        fn padded() -> Option<NonNull<u8>> {
            None
        }

        /// As [`padded`].
        fn compact() -> Option<NonNull<u8>> {
            None
        }
    }
}
