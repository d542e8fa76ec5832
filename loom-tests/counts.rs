//! loom models: the count snapshots (`strong_count`, `weak_count` of both
//! handle kinds) read while other threads change the counts. Each value
//! read must be one the counts had at some point.
#![cfg(loom)]

mod common;

use common::{assert_only_handle, race, write_through_get_mut};
use heaparray::{ArcArray, ArcArrayBase};

common::models! {
    /// Two weak handles read the counts while another thread drops the last
    /// strong handle: `weak_count` is 2 (a strong handle is left) or 0 (none
    /// is), never 1: both counts come from one load of their word. Kills:
    /// a `weak_from_weak` without its `strong == 0` check.
    weak_count_races_last_strong_drop and weak_count_races_last_strong_drop_compact: |a, drops| {
        let w1 = ArcArrayBase::downgrade(&a);
        let w2 = w1.clone();
        race(
            move || drop(a),
            || {
                let strong = w1.strong_count();
                let weak = w1.weak_count();
                assert!(strong <= 1, "strong_count {strong}");
                assert!(weak == 2 || weak == 0, "weak_count {weak}: never true");
            },
        );
        assert_eq!((w2.strong_count(), w2.weak_count()), (0, 0));
        assert!(w1.upgrade().is_none());
        assert_eq!(drops.get(), 3);
    }

    /// A strong handle reads both counts while the owner of the other one
    /// calls `get_mut` (a CAS of the count word onto itself, which fails while
    /// the reader's handle lives): `weak_count` reads 0, never a value the
    /// check wrote. Then the reader downgrades and reads through its weak
    /// handle. (With two words `get_mut` locked the weak count, and this model
    /// killed a `weak_count` that reported the lock value; the name stays.)
    counts_race_get_mut_lock: |mut a, drops| {
        let b = a.clone();
        race(
            move || {
                assert_eq!(ArcArray::strong_count(&b), 2);
                assert_eq!(ArcArray::weak_count(&b), 0, "get_mut makes no weak handle");
                let w = ArcArray::downgrade(&b);
                assert_eq!(ArcArray::weak_count(&b), 1);
                drop(b);
                // `a` lives until the join.
                assert_eq!((w.strong_count(), w.weak_count()), (1, 1));
            },
            || write_through_get_mut(&mut a, 0, 20),
        );
        assert_only_handle(&a);
        drop(a);
        assert_eq!(drops.get(), 3);
    }

    /// A strong handle reads both counts while the other thread drops the
    /// other strong handle and the last weak handle: each read is a count the
    /// block had (strong 2 or 1, weak 1 or 0).
    strong_handle_counts_race_drops: |a, drops| {
        let b = a.clone();
        let w = ArcArray::downgrade(&a);
        race(
            move || {
                drop(a);
                drop(w);
            },
            || {
                let strong = ArcArray::strong_count(&b);
                let weak = ArcArray::weak_count(&b);
                assert!(strong == 2 || strong == 1, "strong_count {strong}");
                assert!(weak == 1 || weak == 0, "weak_count {weak}");
            },
        );
        assert_only_handle(&b);
        drop(b);
        assert_eq!(drops.get(), 3);
    }
}
