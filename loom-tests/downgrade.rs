//! loom models: another handle's `downgrade` racing the operations that
//! take the contents (`make_mut`, `try_unique`, `into_unique`). The
//! downgrading thread then drops its strong handle and upgrades: a weak
//! handle made before the claim must see the contents moved away (its
//! upgrade fails) or cloned, never the claimed contents being written.
#![cfg(loom)]

mod common;

use common::{array, array_in, model, read_all, Tally, UNTOUCHED};
use heaparray::{ArcArray, ArcArrayBase, ArcLayout, Compact, Padded};
use loom::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use loom::sync::Arc;
use loom::thread;

/// `make_mut` races another handle's downgrade, drop and upgrade. Kills:
/// `make_mut`'s weak check hoisted before its claim.
#[test]
fn downgrade_races_make_mut() {
    downgrade_races_make_mut_in::<Padded>();
}

/// The same on a compact-layout block.
#[test]
fn downgrade_races_make_mut_compact() {
    downgrade_races_make_mut_in::<Compact>();
}

fn downgrade_races_make_mut_in<P: ArcLayout>() {
    model(|| {
        let drops = Tally::new();
        let mut a = array_in::<P>(&drops);
        let b = a.clone();
        let t = thread::spawn(move || {
            let w = ArcArrayBase::downgrade(&b);
            drop(b);
            if let Some(s) = w.upgrade() {
                // `make_mut` cloned: the original is untouched.
                assert_eq!(read_all(&s), UNTOUCHED);
            }
        });
        ArcArrayBase::make_mut(&mut a)[0].set(90);
        assert_eq!(read_all(&a), UNTOUCHED + 80);
        t.join().unwrap();
        assert_eq!(
            (ArcArrayBase::strong_count(&a), ArcArrayBase::weak_count(&a)),
            (1, 0)
        );
        drop(a);
        // In place or moved (3 drops), or after one clone (6).
        assert!(drops.get() == 3 || drops.get() == 6);
    });
}

/// `try_unique` races another handle's downgrade, drop and upgrade: it
/// wins only once the other strong handle is gone, and then the weak
/// handle cannot upgrade. Kills: `try_unique`'s weak check hoisted before
/// its claim.
#[test]
fn downgrade_races_try_unique() {
    model(|| {
        let drops = Tally::new();
        let a = array(&drops);
        let b = a.clone();
        let t = thread::spawn(move || {
            let w = ArcArray::downgrade(&b);
            drop(b);
            if let Some(s) = w.upgrade() {
                assert_eq!(read_all(&s), UNTOUCHED);
            }
        });
        match ArcArray::try_unique(a) {
            Ok(u) => {
                u[0].set(70);
                assert_eq!(read_all(&u.shareable()), UNTOUCHED + 60);
            }
            Err(a) => drop(a),
        }
        t.join().unwrap();
        assert_eq!(drops.get(), 3);
    });
}

/// `into_unique` on both strong handles, one of them downgraded first;
/// the weak handle then upgrades and, if it can, calls `into_unique` on
/// the new handle too. Exactly one call wins, whatever the interleaving,
/// and its writes follow every other handle's reads. Kills:
/// `into_unique`'s weak check hoisted before its decrement.
#[test]
fn downgrade_races_into_unique() {
    model(|| {
        let drops = Tally::new();
        let a = array(&drops);
        let b = a.clone();
        let wins = Arc::new(AtomicUsize::new(0));
        let wins2 = wins.clone();
        let t = thread::spawn(move || {
            let w = ArcArray::downgrade(&b);
            if let Some(u) = ArcArray::into_unique(b) {
                u[0].set(50);
                wins2.fetch_add(1, Relaxed);
            }
            if let Some(s) = w.upgrade() {
                assert_eq!(read_all(&s), UNTOUCHED);
                if let Some(u) = ArcArray::into_unique(s) {
                    u[1].set(51);
                    wins2.fetch_add(1, Relaxed);
                }
            }
        });
        if let Some(u) = ArcArray::into_unique(a) {
            u[1].set(60);
            wins.fetch_add(1, Relaxed);
        }
        t.join().unwrap();
        assert_eq!(wins.load(Relaxed), 1, "exactly one into_unique wins");
        assert_eq!(drops.get(), 3);
    });
}
