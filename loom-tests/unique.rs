//! loom models: `try_unique` and `into_unique` races (exactly one winner),
//! and `UniqueArcArray::shareable` then sharing.
#![cfg(loom)]

mod common;

use common::{
    model, race, race_for_contents, read_all, read_untouched_then_drop, spawn_all,
    upgrade_reads_untouched_or_written, upgrade_then_write_if_into_unique_wins,
    write_if_into_unique_wins, Tally, Tracked, UNTOUCHED,
};
use heaparray::{ArcArray, ArcArrayBase, UniqueArcArray};

common::models! {
    /// Two threads call `into_unique` on their handles: exactly one gets the
    /// contents, and writes them after the other's reads.
    into_unique_has_exactly_one_winner: |a, drops| {
        let b = a.clone();
        let wins = race_for_contents(
            move |wins| {
                assert_eq!(read_all(&b), UNTOUCHED);
                write_if_into_unique_wins(b, 0, 50, wins);
            },
            |wins| {
                assert_eq!(read_all(&a), UNTOUCHED);
                write_if_into_unique_wins(a, 1, 60, wins);
            },
        );
        assert_eq!(wins, 1, "exactly one into_unique wins");
        assert_eq!(drops.get(), 3);
    }

    /// `try_unique` races another handle's read and drop. Kills: the Acquire
    /// CAS in `claim_unique`.
    try_unique_races_clone_drop: |a, drops| {
        let b = a.clone();
        race(
            move || read_untouched_then_drop(b),
            || match ArcArray::try_unique(a) {
                Ok(u) => u[0].set(70),
                Err(a) => drop(a),
            },
        );
        assert_eq!(drops.get(), 3);
    }

    /// `try_unique` with a weak handle that upgrades, reads and leaves on the
    /// other thread: the winner owns the contents in place or in a new block;
    /// either way the weak handle's accesses come first. Kills: the Acquire
    /// load in `weak_handles_left` (the block freed in place is checked).
    try_unique_races_weak_reader: |a, drops| {
        let w = ArcArray::downgrade(&a);
        race(
            move || {
                upgrade_reads_untouched_or_written(&w);
            },
            || match ArcArray::try_unique(a) {
                Ok(u) => u[1].set(80),
                Err(a) => drop(a),
            },
        );
        assert_eq!(drops.get(), 3);
    }
}

/// A unique array is written, made shareable without a copy, and shared
/// with another thread, which reads what was written.
#[test]
fn shareable_then_shared() {
    model(|| {
        let drops = Tally::new();
        let mut u =
            UniqueArcArray::with_label(Tracked::new(7, &drops), 2, |_, i| Tracked::new(i, &drops));
        u[0] = Tracked::new(10, &drops);
        u[1].set(11);
        let a = u.shareable();
        let b = a.clone();
        race(
            move || assert_eq!(read_all(&b), UNTOUCHED),
            || read_untouched_then_drop(a),
        );
        // The replaced element 0 was dropped too.
        assert_eq!(drops.get(), 4);
    });
}

common::models! {
    /// Three racers call `into_unique`: exactly one wins, whichever order the
    /// decrements take, and its writes follow every loser's reads.
    into_unique_three_racers_one_winner: |a, drops| {
        let wins = Tally::new();
        let racers = spawn_all((0..2).map(|i| {
            let mine = a.clone();
            let wins = wins.clone();
            move || {
                assert_eq!(read_all(&mine), UNTOUCHED);
                write_if_into_unique_wins(mine, i, 80, &wins);
            }
        }));
        assert_eq!(read_all(&a), UNTOUCHED);
        write_if_into_unique_wins(a, 0, 90, &wins);
        racers.join();
        assert_eq!(wins.get(), 1, "exactly one into_unique wins");
        assert_eq!(drops.get(), 3);
    }

    /// `into_unique` races a weak handle's upgrade, whose handle then calls
    /// `into_unique` too: exactly one of the calls wins (the upgrade fails
    /// once the strong count is 0), and its writes follow the other's reads.
    into_unique_races_upgrade: |a, drops| {
        let w = ArcArray::downgrade(&a);
        let wins = race_for_contents(
            move |wins| upgrade_then_write_if_into_unique_wins(&w, 0, 50, wins),
            |wins| write_if_into_unique_wins(a, 1, 60, wins),
        );
        assert_eq!(wins, 1, "exactly one into_unique wins");
        assert_eq!(drops.get(), 3);
    }

    /// `into_unique` of the last strong handle races the last weak handle's
    /// drop: the contents stay in place (the weak handle was gone) or move to
    /// a new block, and the old block is freed once, by whichever side lets
    /// go last, after the move. Kills: the old block's weak count released
    /// before the contents are moved out of it.
    into_unique_races_last_weak_drop and into_unique_races_last_weak_drop_compact: |a, drops| {
        let w = ArcArrayBase::downgrade(&a);
        race(
            move || drop(w),
            || {
                let u = ArcArrayBase::into_unique(a).expect("the only strong handle");
                u[0].set(50);
                assert_eq!(read_all(&u.shareable()), UNTOUCHED + 40);
            },
        );
        assert_eq!(drops.get(), 3);
    }

    /// `try_unique` on both handles at once: at most one wins (both may see
    /// the other's handle and fail), and the winner's writes follow the
    /// loser's drop.
    try_unique_races_try_unique: |a, drops| {
        let b = a.clone();
        let wins = race_for_contents(
            move |wins| match ArcArray::try_unique(b) {
                Ok(u) => {
                    u[0].set(50);
                    wins.add();
                }
                Err(b) => assert_eq!(read_all(&b), UNTOUCHED),
            },
            |wins| match ArcArray::try_unique(a) {
                Ok(u) => {
                    u[1].set(60);
                    wins.add();
                }
                Err(a) => assert_eq!(read_all(&a), UNTOUCHED),
            },
        );
        assert!(wins <= 1, "at most one try_unique wins");
        assert_eq!(drops.get(), 3);
    }

    /// `try_unique` races a weak handle that reads the strong count,
    /// upgrades and leaves; the winner then grows the array, which puts
    /// its capacity in the strong word (`Counts::unique_capacity`), shares
    /// it full, takes it back, grows it with room to spare and shares it
    /// again. No
    /// count the weak side reads is ever a capacity: the claim, or the
    /// move to a new block while the weak handle lives, keeps it off the
    /// word the weak handle reads, and in place the weak handle is gone.
    try_unique_then_grow_races_upgrade and try_unique_then_grow_races_upgrade_compact: |a, drops| {
        let w = ArcArrayBase::downgrade(&a);
        let pushed = drops.clone();
        race(
            move || {
                assert!(w.strong_count() <= 1, "a weak handle read a capacity");
                if let Some(s) = w.upgrade() {
                    assert!(ArcArrayBase::strong_count(&s) <= 2);
                    assert!(read_all(&s) >= UNTOUCHED);
                }
                assert!(w.strong_count() <= 1, "a weak handle read a capacity");
            },
            || match ArcArrayBase::try_unique(a) {
                Ok(mut u) => {
                    // Grown to exactly full: shared with no shrink.
                    u.reserve_exact(1);
                    u.push(common::Tracked::new(12, &pushed));
                    let shared = u.shareable();
                    assert_eq!(read_all(&shared), UNTOUCHED + 12);
                    // The only handle again: grown with room to spare,
                    // shared with one shrink.
                    let Ok(mut u) = ArcArrayBase::try_unique(shared) else {
                        panic!("the only handle")
                    };
                    u.reserve(3);
                    u.push(common::Tracked::new(13, &pushed));
                    assert_eq!(u.len(), 4);
                    assert_eq!(read_all(&u.shareable()), UNTOUCHED + 25);
                }
                Err(a) => drop(a),
            },
        );
        assert!(drops.get() == 3 || drops.get() == 5);
    }
}
