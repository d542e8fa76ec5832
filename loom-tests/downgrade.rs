//! loom models: another handle's `downgrade` racing the operations that
//! take the contents (`make_mut`, `try_unique`, `into_unique`). The
//! downgrading thread then drops its strong handle and upgrades: a weak
//! handle made before the claim must see the contents moved away (its
//! upgrade fails) or cloned, never the claimed contents being written.
#![cfg(loom)]

mod common;

use common::{
    assert_only_handle, downgrade_and_drop, race, race_for_contents, read_all,
    upgrade_reads_untouched, upgrade_then_write_if_into_unique_wins, write_if_into_unique_wins,
    write_through_make_mut, UNTOUCHED,
};
use heaparray::ArcArray;

common::models! {
    /// `make_mut` races another handle's downgrade, drop and upgrade. Kills:
    /// `make_mut`'s weak check hoisted before its claim.
    downgrade_races_make_mut and downgrade_races_make_mut_compact: |mut a, drops| {
        let b = a.clone();
        race(
            // If it upgrades, `make_mut` cloned: the original is untouched.
            move || upgrade_reads_untouched(&downgrade_and_drop(b)),
            || write_through_make_mut(&mut a, 0, 90),
        );
        assert_only_handle(&a);
        drop(a);
        // In place or moved (3 drops), or after one clone (6).
        assert!(drops.get() == 3 || drops.get() == 6);
    }

    /// `try_unique` races another handle's downgrade, drop and upgrade: it
    /// wins only once the other strong handle is gone, and then the weak
    /// handle cannot upgrade. Kills: `try_unique`'s weak check hoisted before
    /// its claim.
    downgrade_races_try_unique: |a, drops| {
        let b = a.clone();
        race(
            move || upgrade_reads_untouched(&downgrade_and_drop(b)),
            || match ArcArray::try_unique(a) {
                Ok(u) => {
                    u[0].set(70);
                    assert_eq!(read_all(&u.shareable()), UNTOUCHED + 60);
                }
                Err(a) => drop(a),
            },
        );
        assert_eq!(drops.get(), 3);
    }

    /// `into_unique` on both strong handles, one of them downgraded first;
    /// the weak handle then upgrades and, if it can, calls `into_unique` on
    /// the new handle too. Exactly one call wins, whatever the interleaving,
    /// and its writes follow every other handle's reads. Kills:
    /// `into_unique`'s weak check hoisted before its decrement.
    downgrade_races_into_unique: |a, drops| {
        let b = a.clone();
        let wins = race_for_contents(
            move |wins| {
                let w = ArcArray::downgrade(&b);
                write_if_into_unique_wins(b, 0, 50, wins);
                upgrade_then_write_if_into_unique_wins(&w, 1, 51, wins);
            },
            |wins| write_if_into_unique_wins(a, 1, 60, wins),
        );
        assert_eq!(wins, 1, "exactly one into_unique wins");
        assert_eq!(drops.get(), 3);
    }
}
