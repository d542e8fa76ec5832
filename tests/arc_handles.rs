//! The behaviour tests every owning handle shares
//! (tests/common/handle_tests.rs: construction, labels, reading, drops
//! counted with canaries, panic safety with owning elements and labels,
//! zero-sized and over-aligned types, capacity overflow, one allocation a
//! block), for the four `ArcArray` handles, one module each: the shared
//! `ArcArray` and `CompactArcArray`, the unique `UniqueArcArray` and
//! `CompactUniqueArcArray`. tests/heap_array.rs and tests/rc_array.rs run
//! the same tests for `HeapArray` and `RcArray`.
//!
//! Under Miri, two of the four: `ArcArray` and `CompactUniqueArcArray`,
//! both layouts and both kinds of handle (the four took 75 s of Miri's
//! clock a borrow model, which CI's budget does not have room for; the
//! other two differ from these only in the header's size or the handle).
#![cfg(not(any(loom, shuttle)))]

mod common;

use std::cell::Cell;
use std::collections::HashSet;

use common::handle_tests::{
    drops_everything, liar, one_block, overflows, truth, zero_sized_dropped_once,
};
use common::{
    allocations, check_all, expect_panic, hash_of, ids_of, owning_tests, panic_points,
    quiet_panics, Align256, Canary, Counting, Ledger, Owning, Zst, Zst256, LABEL,
};
use heaparray::*;

// The allocation counts read the counting allocator.
#[global_allocator]
static A: Counting = Counting;

/// The bytes of a padded block before the label: the counts' region (the
/// cache-line pair crossbeam pads to, 128 bytes on x86_64), then the
/// length, rounded up to 16 (SAFETY.md, "Padding"): 144 on x86_64.
const PADDED_HEADER: isize = {
    let region = align_of::<crossbeam_utils::CachePadded<u8>>() + size_of::<usize>();
    region.next_multiple_of(16) as isize
};

/// The bytes of a compact block before the label: the word of counts and
/// the length.
const COMPACT_HEADER: isize = 16;

/// The shared handles' own ways to copy and give back a block: clones,
/// weak handles, `make_mut` while shared, `try_unique` and `into_unique`.
fn sharing_drops<P: ArcLayout>() {
    drops_everything("clones", (7, 7), |l| {
        let a = ArcArrayBase::<_, _, P, Global>::with_label(l.canary(), 6, |_, _| l.canary());
        (a.clone(), a.clone(), a)
    });
    // The last strong drop drops the contents; the weak handle keeps only
    // the block.
    drops_everything("a weak handle outliving the strong ones", (7, 0), |l| {
        let a = ArcArrayBase::<_, _, P, Global>::with_label(l.canary(), 6, |_, _| l.canary());
        let weak = ArcArrayBase::downgrade(&a);
        let again = weak.upgrade().expect("a strong handle is alive");
        drop((a, again));
        assert!(weak.upgrade().is_none());
        weak
    });
    drops_everything("make_mut while shared", (14, 14), |l| {
        let mut a = ArcArrayBase::<_, _, P, Global>::with_label(l.canary(), 6, |_, _| l.canary());
        let b = a.clone();
        ArcArrayBase::make_mut(&mut a);
        (a, b)
    });
    drops_everything("try_unique refused, then into_unique", (7, 7), |l| {
        let a = ArcArrayBase::<_, _, P, Global>::with_label(l.canary(), 6, |_, _| l.canary());
        let b = a.clone();
        let a = ArcArrayBase::try_unique(a).expect_err("b shares the block");
        assert!(ArcArrayBase::into_unique(b).is_none());
        ArcArrayBase::into_unique(a).expect("the last strong handle")
    });
}

/// The unique handles' own ways: growth past the capacity, then sharing
/// and taking the block back.
fn unique_drops<P: ArcLayout>() {
    drops_everything("push past the capacity, then shareable", (8, 8), |l| {
        let mut u =
            UniqueArcArrayBase::<_, _, P, Global>::with_label(l.canary(), 6, |_, _| l.canary());
        u.push(l.canary());
        let shared = u.shareable();
        (shared.clone(), shared)
    });
    drops_everything("push, then a clone with no spare room", (16, 16), |l| {
        let mut u =
            UniqueArcArrayBase::<_, _, P, Global>::with_label(l.canary(), 6, |_, _| l.canary());
        u.push(l.canary());
        let c = u.clone();
        assert_eq!((c.len(), c.capacity()), (7, 7));
        (u, c)
    });
    drops_everything("shareable, then try_unique", (7, 7), |l| {
        let u = UniqueArcArrayBase::<_, _, P, Global>::with_label(l.canary(), 6, |_, _| l.canary());
        ArcArrayBase::try_unique(u.shareable()).expect("the only handle")
    });
}

mod arc_array {
    use super::*;
    fn drops() {
        sharing_drops::<Padded>();
    }
    common::handle_tests!(ArcArray, header: PADDED_HEADER, drops: drops);
}

#[cfg(not(miri))]
mod compact_arc_array {
    use super::*;
    fn drops() {
        sharing_drops::<Compact>();
    }
    common::handle_tests!(CompactArcArray, header: COMPACT_HEADER, drops: drops);
}

#[cfg(not(miri))]
mod unique_arc_array {
    use super::*;
    fn drops() {
        unique_drops::<Padded>();
    }
    common::handle_tests!(UniqueArcArray, header: PADDED_HEADER, drops: drops);
    common::deep_clone_tests!(UniqueArcArray, header: PADDED_HEADER);
}

mod compact_unique_arc_array {
    use super::*;
    fn drops() {
        unique_drops::<Compact>();
    }
    common::handle_tests!(CompactUniqueArcArray, header: COMPACT_HEADER, drops: drops);
    common::deep_clone_tests!(CompactUniqueArcArray, header: COMPACT_HEADER);
}
