//! loom models: `make_mut` (copy-on-write) against a concurrent clone and
//! drop, a concurrent upgrade, and the weak-only case where the contents
//! move to a new block and the weak handles die.
#![cfg(loom)]

mod common;

use common::{
    assert_only_handle, clone_and_drop, race, race2, read_all, read_untouched_then_drop,
    upgrade_reads_untouched, write_races, write_through_make_mut, UNTOUCHED,
};
use heaparray::ArcArray;

common::models! {
    /// `make_mut` while another handle reads and drops: it clones if the other
    /// is still there, or claims the block after the other's reads.
    make_mut_races_read_and_drop and make_mut_races_read_and_drop_compact: |a, drops| {
        let b = a.clone();
        write_races(a, write_through_make_mut, 0, 90, move || {
            read_untouched_then_drop(b)
        });
        // Three originals, plus three clones if the copy path ran.
        assert!(drops.get() == 3 || drops.get() == 6);
    }

    /// `make_mut` while a weak handle upgrades and reads: the upgrade either
    /// wins (then `make_mut` clones), or finds the strong count claimed and
    /// fails (then the contents moved or were claimed in place).
    make_mut_races_upgrade: |a, drops| {
        let w = ArcArray::downgrade(&a);
        write_races(a, write_through_make_mut, 1, 91, move || {
            upgrade_reads_untouched(&w)
        });
        assert!(drops.get() == 3 || drops.get() == 6);
    }

    /// The weak-only case with the weak handle dropped concurrently: the
    /// contents move (no clone) or stay; the old block is freed exactly once,
    /// by whichever side lets go last.
    make_mut_weak_only_races_weak_drop: |mut a, drops| {
        let w = ArcArray::downgrade(&a);
        race(
            move || drop(w),
            || {
                ArcArray::make_mut(&mut a)[0].set(92);
                assert_eq!(ArcArray::weak_count(&a), 0);
            },
        );
        drop(a);
        assert_eq!(drops.get(), 3, "moved, never cloned");
    }

    /// Three threads: a strong reader clones, reads and drops; a weak handle
    /// upgrades and reads; the owner calls `make_mut` and writes. The write
    /// lands in place only when no other handle can read; otherwise in a copy
    /// or in contents moved away from the weak handle.
    make_mut_against_clone_drop_and_upgrade_on_three_threads: |mut a, drops| {
        let b = a.clone();
        let w = ArcArray::downgrade(&a);
        race2(
            move || assert_eq!(read_all(&clone_and_drop(b)), UNTOUCHED),
            move || upgrade_reads_untouched(&w),
            || write_through_make_mut(&mut a, 1, 95),
        );
        drop(a);
        // In place (3 drops) or after one clone of label and elements (6).
        assert!(drops.get() == 3 || drops.get() == 6);
    }

    /// `make_mut` on both handles at once: the first claim fails (two strong
    /// handles), so at least one side clones; each side then writes its own
    /// copy or the original, which only it can reach.
    make_mut_races_make_mut: |mut a, drops| {
        let mut b = a.clone();
        race(
            move || write_through_make_mut(&mut b, 0, 90),
            || write_through_make_mut(&mut a, 1, 91),
        );
        assert_only_handle(&a);
        drop(a);
        // One clone (3 + 3 drops), or both sides cloned (3 + 6).
        assert!(drops.get() == 6 || drops.get() == 9, "{}", drops.get());
    }

    /// `make_mut` on one handle, `get_mut` on the other: `get_mut` succeeds
    /// only once `make_mut` has cloned and let go of the original.
    make_mut_races_get_mut: |a, drops| {
        let mut b = a.clone();
        write_races(a, write_through_make_mut, 1, 91, move || {
            let wrote = if let Some(elems) = ArcArray::get_mut(&mut b) {
                elems[0].set(20);
                10
            } else {
                0
            };
            assert_eq!(read_all(&b), UNTOUCHED + wrote);
        });
        // In place once the other handle is gone (3), or after a clone (6).
        assert!(drops.get() == 3 || drops.get() == 6, "{}", drops.get());
    }
}
