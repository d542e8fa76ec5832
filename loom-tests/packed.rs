//! loom models: a strong and a weak change racing on the one word that
//! holds both counts (SAFETY.md, "The count protocol"). Each thread changes
//! a different half, so a lost update or a check that reads the wrong half
//! shows as a wrong count after the joins, a leaked or doubly freed block,
//! or contents read while they are written or dropped. (A carry from one
//! half into the other needs 2^31 handles: `counts_tests.rs` checks the
//! guards at the limit.)
#![cfg(loom)]

mod common;

use common::{race, read_untouched_then_drop, upgrade_reads_untouched};
use heaparray::ArcArrayBase;

common::models! {
    /// A clone (the strong half) races a downgrade, drop and upgrade from
    /// another strong handle (both halves): afterwards the first handle is
    /// again the only one, and its block is freed once with its contents.
    clone_races_downgrade and clone_races_downgrade_compact: |a, drops| {
        let b = a.clone();
        let c = a.clone();
        race(
            move || read_untouched_then_drop(c.clone()),
            move || {
                let w = ArcArrayBase::downgrade(&b);
                drop(b);
                upgrade_reads_untouched(&w);
            },
        );
        assert_eq!(
            (ArcArrayBase::strong_count(&a), ArcArrayBase::weak_count(&a)),
            (1, 0)
        );
        assert!(ArcArrayBase::is_unique(&a));
        drop(a);
        assert_eq!(drops.get(), 3);
    }

    /// The last strong drop (the strong half, then the weak half if weak
    /// handles are left) races a weak handle that clones itself, upgrades,
    /// reads and drops both weak handles (both halves): the drop learns from its own decrement
    /// whether a weak handle is left, and the block is freed once, by
    /// whichever side lets go last, after the other's accesses.
    upgrade_and_weak_drop_race_last_strong_drop and upgrade_and_weak_drop_race_last_strong_drop_compact: |a, drops| {
        let w = ArcArrayBase::downgrade(&a);
        race(
            move || drop(a),
            move || {
                let w2 = w.clone();
                upgrade_reads_untouched(&w);
                drop(w);
                drop(w2);
            },
        );
        assert_eq!(drops.get(), 3);
    }

    /// `try_unique` (a claim of the strong half whatever the weak half)
    /// races another strong handle that downgrades, clones, drops both
    /// strong handles and then upgrades: the claim wins only once the other
    /// strong handles are gone; it then owns the contents in place or moved
    /// away from a live weak handle, which can no longer upgrade, and the
    /// old block is freed once.
    try_unique_races_downgrade_and_clone and try_unique_races_downgrade_and_clone_compact: |a, drops| {
        let b = a.clone();
        race(
            move || {
                let w = ArcArrayBase::downgrade(&b);
                let c = b.clone();
                drop(b);
                drop(c);
                // A win of the claim took the contents: the upgrade fails.
                upgrade_reads_untouched(&w);
            },
            move || match ArcArrayBase::try_unique(a) {
                Ok(u) => u[0].set(20),
                Err(a) => read_untouched_then_drop(a),
            },
        );
        assert_eq!(drops.get(), 3);
    }
}
