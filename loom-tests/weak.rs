//! loom models: weak handles. `upgrade` racing the last strong drop,
//! `downgrade` racing `get_mut` (the weak-count lock), weak clones and
//! drops, and the last weak drop racing the last strong drop (the block is
//! freed exactly once: loom tracks the allocation, and `before_free` checks
//! every count access happened before the free).
#![cfg(loom)]

mod common;

use common::{array, array_in, model, read_all, Tally, UNTOUCHED};
use heaparray::{ArcArray, ArcArrayBase, ArcLayout, Compact, Padded};
use loom::thread;

/// Upgrade races the last strong drop: either the upgrade fails, or it
/// reads intact contents and its handle drops them. Kills: the Release
/// decrement and the fence in `decrement_weak` (the block free is checked).
#[test]
fn upgrade_races_last_strong_drop() {
    upgrade_races_last_strong_drop_in::<Padded>();
}

/// The same on a compact-layout block.
#[test]
fn upgrade_races_last_strong_drop_compact() {
    upgrade_races_last_strong_drop_in::<Compact>();
}

fn upgrade_races_last_strong_drop_in<P: ArcLayout>() {
    model(|| {
        let drops = Tally::new();
        let a = array_in::<P>(&drops);
        let w = ArcArrayBase::downgrade(&a);
        let t = thread::spawn(move || {
            if let Some(s) = w.upgrade() {
                assert_eq!(read_all(&s), UNTOUCHED);
            }
        });
        drop(a);
        t.join().unwrap();
        assert_eq!(drops.get(), 3);
    });
}

/// The last weak drop races the last strong drop: whichever comes last
/// frees the block, exactly once, after the other's count access.
#[test]
fn last_weak_drop_races_last_strong_drop() {
    last_weak_drop_races_last_strong_drop_in::<Padded>();
}

/// The same on a compact-layout block.
#[test]
fn last_weak_drop_races_last_strong_drop_compact() {
    last_weak_drop_races_last_strong_drop_in::<Compact>();
}

fn last_weak_drop_races_last_strong_drop_in<P: ArcLayout>() {
    model(|| {
        let drops = Tally::new();
        let a = array_in::<P>(&drops);
        let w = ArcArrayBase::downgrade(&a);
        let t = thread::spawn(move || drop(w));
        assert_eq!(read_all(&a), UNTOUCHED);
        drop(a);
        t.join().unwrap();
        assert_eq!(drops.get(), 3);
    });
}

/// A weak clone and drop on one thread races an upgrade and the last strong
/// drop on the other.
#[test]
fn weak_clone_and_drop_race_upgrade() {
    model(|| {
        let drops = Tally::new();
        let a = array(&drops);
        let w = ArcArray::downgrade(&a);
        let w2 = w.clone();
        let t = thread::spawn(move || {
            let w3 = w2.clone();
            drop(w2);
            if let Some(s) = w3.upgrade() {
                assert_eq!(read_all(&s), UNTOUCHED);
            }
        });
        drop(a);
        // The other thread may hold an upgraded handle still; once it is
        // joined, nothing can upgrade.
        t.join().unwrap();
        assert!(w.upgrade().is_none());
        assert_eq!(drops.get(), 3);
    });
}

/// `downgrade` on one thread races `get_mut` on the other: whenever
/// `get_mut` hands out `&mut`, no weak handle may read concurrently.
#[test]
fn downgrade_races_get_mut() {
    model(|| {
        let drops = Tally::new();
        let mut a = array(&drops);
        let b = a.clone();
        let t = thread::spawn(move || {
            let w = ArcArray::downgrade(&b);
            drop(b);
            if let Some(s) = w.upgrade() {
                assert!(read_all(&s) >= UNTOUCHED);
            }
        });
        if let Some(elems) = ArcArray::get_mut(&mut a) {
            elems[0].set(20);
        }
        t.join().unwrap();
        drop(a);
        assert_eq!(drops.get(), 3);
    });
}

/// A weak handle upgrades, reads and goes away while the owner calls
/// `get_mut`. Kills: the Acquire CAS that locks the weak count in
/// `is_unique` (the strong count alone may still read its stale 1).
#[test]
fn weak_reader_leaves_while_get_mut() {
    model(|| {
        let drops = Tally::new();
        let mut a = array(&drops);
        let w = ArcArray::downgrade(&a);
        let t = thread::spawn(move || {
            if let Some(s) = w.upgrade() {
                assert!(read_all(&s) >= UNTOUCHED);
            }
        });
        if let Some(elems) = ArcArray::get_mut(&mut a) {
            elems[1].set(30);
        }
        t.join().unwrap();
        drop(a);
        assert_eq!(drops.get(), 3);
    });
}

/// A strong reader drops its handle while the owner calls `get_mut`.
/// Kills: the Acquire load of the strong count in `is_unique`.
#[test]
fn strong_reader_leaves_while_get_mut() {
    model(|| {
        let drops = Tally::new();
        let mut a = array(&drops);
        let b = a.clone();
        let t = thread::spawn(move || {
            assert_eq!(read_all(&b), UNTOUCHED);
            drop(b);
        });
        if let Some(elems) = ArcArray::get_mut(&mut a) {
            elems[0].set(40);
        }
        t.join().unwrap();
        drop(a);
        assert_eq!(drops.get(), 3);
    });
}

/// Three threads: one downgrades its handle, drops it and upgrades; one
/// clones and drops its handle; the owner calls `get_mut` and writes if it
/// is alone. Whatever the interleaving, a write never races a read, the
/// counts end exact and the contents are dropped once.
#[test]
fn downgrade_upgrade_clone_and_get_mut_on_three_threads() {
    model(|| {
        let drops = Tally::new();
        let mut a = array(&drops);
        let (b, c) = (a.clone(), a.clone());
        let t1 = thread::spawn(move || {
            let w = ArcArray::downgrade(&b);
            drop(b);
            if let Some(s) = w.upgrade() {
                assert!(read_all(&s) >= UNTOUCHED);
            }
        });
        let t2 = thread::spawn(move || {
            let c2 = c.clone();
            drop(c);
            assert!(read_all(&c2) >= UNTOUCHED);
        });
        if let Some(elems) = ArcArray::get_mut(&mut a) {
            elems[0].set(70);
        }
        t1.join().unwrap();
        t2.join().unwrap();
        assert_eq!(ArcArray::strong_count(&a), 1);
        drop(a);
        assert_eq!(drops.get(), 3);
    });
}

/// Two weak handles upgrade on two threads while the main thread drops the
/// last strong handle: each upgrade fails or reads intact contents, and
/// the contents are dropped once, by the last strong handle of the three.
#[test]
fn two_upgrades_race_last_strong_drop() {
    model(|| {
        let drops = Tally::new();
        let a = array(&drops);
        let w1 = ArcArray::downgrade(&a);
        let w2 = w1.clone();
        let upgraders: Vec<_> = [w1, w2]
            .into_iter()
            .map(|w| {
                thread::spawn(move || {
                    if let Some(s) = w.upgrade() {
                        assert_eq!(read_all(&s), UNTOUCHED);
                    }
                })
            })
            .collect();
        drop(a);
        for t in upgraders {
            t.join().unwrap();
        }
        assert_eq!(drops.get(), 3);
    });
}

/// The strong handles are gone; the two weak handles are dropped on two
/// threads: exactly one frees the block, after the other's decrement.
#[test]
fn two_last_weak_drops() {
    two_last_weak_drops_in::<Padded>();
}

/// The same on a compact-layout block.
#[test]
fn two_last_weak_drops_compact() {
    two_last_weak_drops_in::<Compact>();
}

fn two_last_weak_drops_in<P: ArcLayout>() {
    model(|| {
        let drops = Tally::new();
        let a = array_in::<P>(&drops);
        let w1 = ArcArrayBase::downgrade(&a);
        let w2 = w1.clone();
        drop(a);
        assert_eq!(drops.get(), 3);
        let t = thread::spawn(move || {
            assert!(w1.upgrade().is_none());
            drop(w1);
        });
        assert_eq!((w2.strong_count(), w2.weak_count()), (0, 0));
        drop(w2);
        t.join().unwrap();
    });
}

/// A weak handle upgrades, drops itself and reads through the upgraded
/// handle while the owner calls `get_mut`: once the weak count is 1 the
/// lock succeeds, and the strong count read after it sees the upgrade.
/// Kills: `is_unique` reading the strong count before it takes the lock
/// (it would read 1 before the upgrade, then lock after the weak drop).
#[test]
fn get_mut_races_upgrade_then_weak_drop() {
    model(|| {
        let drops = Tally::new();
        let mut a = array(&drops);
        let w = ArcArray::downgrade(&a);
        let t = thread::spawn(move || {
            let s = w.upgrade();
            drop(w);
            if let Some(s) = s {
                assert_eq!(read_all(&s), UNTOUCHED);
            }
        });
        if let Some(elems) = ArcArray::get_mut(&mut a) {
            elems[1].set(30);
        }
        t.join().unwrap();
        drop(a);
        assert_eq!(drops.get(), 3);
    });
}
