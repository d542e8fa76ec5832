//! loom models: the last strong drop's fast path. The last strong
//! handle's decrement returns both counts; if the weak half was 1, it frees
//! the block, once the contents are dropped, with no second atomic access
//! (`LastStrong` in `release_last_strong`). Each model races that decrement
//! against something a weak handle does: a drop, an upgrade, a clone. The free is
//! checked: loom tracks the allocation, `before_free` checks that every
//! count access happened before it, and the poisoning allocator
//! (loom-tests/common) makes any later access to the block fail.
#![cfg(loom)]

mod common;

use common::{
    clone_and_drop, race, read_untouched_then_drop, upgrade_drop_then_read_untouched,
    upgrade_reads_untouched,
};
use heaparray::{ArcArray, ArcArrayBase};

common::models! {
    /// The last strong drop races the weak handle's reads of the counts and
    /// its drop: whichever is last frees the block, once, after the other's
    /// accesses. Kills: the fence after the last strong decrement.
    last_strong_drop_races_weak_drop and last_strong_drop_races_weak_drop_compact: |a, drops| {
        let w = ArcArrayBase::downgrade(&a);
        race(
            move || {
                let (strong, weak) = (w.strong_count(), w.weak_count());
                // One strong handle and this weak one, or none and 0.
                assert!((strong, weak) == (1, 1) || weak == 0, "{strong} {weak}");
                assert!(strong <= 1);
                drop(w);
            },
            || read_untouched_then_drop(a),
        );
        assert_eq!(drops.get(), 3);
    }

    /// The weak handle upgrades and drops itself before its strong handle, so
    /// the upgraded handle, if it is the last strong one, takes the fast path
    /// on the other thread; the original's drop races it.
    last_strong_drop_races_upgrade: |a, drops| {
        let w = ArcArray::downgrade(&a);
        race(move || upgrade_drop_then_read_untouched(w), || drop(a));
        assert_eq!(drops.get(), 3);
    }

    /// A weak clone races the last strong drop: the clone keeps the weak count
    /// above 1 while it lives, so the fast path frees only once both weak
    /// handles are gone, and otherwise the last of the weak handles frees.
    last_strong_drop_races_weak_clone: |a, drops| {
        let w = ArcArray::downgrade(&a);
        race(move || upgrade_reads_untouched(&clone_and_drop(w)), || drop(a));
        assert_eq!(drops.get(), 3);
    }
}
