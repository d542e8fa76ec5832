//! loom models: weak handles. `upgrade` racing the last strong drop,
//! `downgrade` racing `get_mut` (one check of both counts), weak clones and
//! drops, and the last weak drop racing the last strong drop (the block is
//! freed exactly once: loom tracks the allocation, and `before_free` checks
//! every count access happened before the free).
#![cfg(loom)]

mod common;

use common::{
    clone_and_drop, downgrade_and_drop, race, race2, read_all, read_untouched_then_drop, spawn_all,
    upgrade_drop_then_read_untouched, upgrade_reads_untouched, upgrade_reads_untouched_or_written,
    write_races, write_through_get_mut, UNTOUCHED,
};
use heaparray::{ArcArray, ArcArrayBase};

common::models! {
    /// Upgrade races the last strong drop: either the upgrade fails, or it
    /// reads intact contents and its handle drops them. Kills: the Release
    /// decrement and the fence in `decrement_weak` (the block free is checked).
    upgrade_races_last_strong_drop and upgrade_races_last_strong_drop_compact: |a, drops| {
        let w = ArcArrayBase::downgrade(&a);
        race(move || upgrade_reads_untouched(&w), || drop(a));
        assert_eq!(drops.get(), 3);
    }

    /// The last weak drop races the last strong drop: whichever comes last
    /// frees the block, exactly once, after the other's count access.
    last_weak_drop_races_last_strong_drop and last_weak_drop_races_last_strong_drop_compact: |a, drops| {
        let w = ArcArrayBase::downgrade(&a);
        race(move || drop(w), || read_untouched_then_drop(a));
        assert_eq!(drops.get(), 3);
    }

    /// A weak clone and drop on one thread races an upgrade and the last strong
    /// drop on the other.
    weak_clone_and_drop_race_upgrade: |a, drops| {
        let w = ArcArray::downgrade(&a);
        let w2 = w.clone();
        race(
            move || upgrade_reads_untouched(&clone_and_drop(w2)),
            || drop(a),
        );
        // The other thread may have held an upgraded handle until the
        // join; now nothing can upgrade.
        assert!(w.upgrade().is_none());
        assert_eq!(drops.get(), 3);
    }

    /// `downgrade` on one thread races `get_mut` on the other: whenever
    /// `get_mut` hands out `&mut`, no weak handle may read concurrently.
    downgrade_races_get_mut: |a, drops| {
        let b = a.clone();
        write_races(a, write_through_get_mut, 0, 20, move || {
            upgrade_reads_untouched_or_written(&downgrade_and_drop(b))
        });
        assert_eq!(drops.get(), 3);
    }

    /// A weak handle upgrades, reads and goes away while the owner calls
    /// `get_mut`: `get_mut` wins only once the weak handle and its upgrade
    /// are gone, after their reads.
    weak_reader_leaves_while_get_mut: |a, drops| {
        let w = ArcArray::downgrade(&a);
        write_races(a, write_through_get_mut, 1, 30, move || {
            upgrade_reads_untouched_or_written(&w)
        });
        assert_eq!(drops.get(), 3);
    }

    /// A strong reader drops its handle while the owner calls `get_mut`.
    /// `get_mut` wins only after the reader dropped its handle, after its reads.
    strong_reader_leaves_while_get_mut: |a, drops| {
        let b = a.clone();
        write_races(a, write_through_get_mut, 0, 40, move || {
            read_untouched_then_drop(b)
        });
        assert_eq!(drops.get(), 3);
    }

    /// Three threads: one downgrades its handle, drops it and upgrades; one
    /// clones and drops its handle; the owner calls `get_mut` and writes if it
    /// is alone. Whatever the interleaving, a write never races a read, the
    /// counts end exact and the contents are dropped once.
    downgrade_upgrade_clone_and_get_mut_on_three_threads: |mut a, drops| {
        let (b, c) = (a.clone(), a.clone());
        race2(
            move || upgrade_reads_untouched_or_written(&downgrade_and_drop(b)),
            move || assert!(read_all(&clone_and_drop(c)) >= UNTOUCHED),
            || write_through_get_mut(&mut a, 0, 70),
        );
        assert_eq!(ArcArray::strong_count(&a), 1);
        drop(a);
        assert_eq!(drops.get(), 3);
    }

    /// Two weak handles upgrade on two threads while the main thread drops the
    /// last strong handle: each upgrade fails or reads intact contents, and
    /// the contents are dropped once, by the last strong handle of the three.
    two_upgrades_race_last_strong_drop: |a, drops| {
        let w1 = ArcArray::downgrade(&a);
        let w2 = w1.clone();
        let upgraders = spawn_all([w1, w2].map(|w| move || upgrade_reads_untouched(&w)));
        drop(a);
        upgraders.join();
        assert_eq!(drops.get(), 3);
    }

    /// The strong handles are gone; the two weak handles are dropped on two
    /// threads: exactly one frees the block, after the other's decrement.
    two_last_weak_drops and two_last_weak_drops_compact: |a, drops| {
        let w1 = ArcArrayBase::downgrade(&a);
        let w2 = w1.clone();
        drop(a);
        assert_eq!(drops.get(), 3);
        race(
            move || {
                assert!(w1.upgrade().is_none());
                drop(w1);
            },
            || {
                assert_eq!((w2.strong_count(), w2.weak_count()), (0, 0));
                drop(w2);
            },
        );
    }

    /// A weak handle upgrades, drops itself and reads through the upgraded
    /// handle while the owner calls `get_mut`: the one check of both counts
    /// sees the upgraded handle or the weak handle until both are gone. (With
    /// two words this killed `is_unique` reading the strong count before it
    /// took the weak count's lock; with a plain load in `is_unique` loom ran
    /// this model once, tokio-rs/loom#392, SAFETY.md.)
    get_mut_races_upgrade_then_weak_drop: |a, drops| {
        let w = ArcArray::downgrade(&a);
        write_races(a, write_through_get_mut, 1, 30, move || {
            upgrade_drop_then_read_untouched(w)
        });
        assert_eq!(drops.get(), 3);
    }
}
