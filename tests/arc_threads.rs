//! `ArcArray` across real threads: scoped std threads cloning and
//! dropping with exact final counts, upgrades racing the last drop, the
//! `into_unique` race, `get_mut` racing `downgrade` and `weak_count`, and
//! copy-on-write under readers. Run under Miri with several seeds too.
#![cfg(not(any(loom, shuttle)))]

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::Barrier;
use std::thread;

use common::{canary_arc, counts, iterations, Canary, Ledger};
use heaparray::*;

/// Iterations: small under Miri, large natively.
fn n(native: usize) -> usize {
    iterations(native, (native / 50_000).clamp(4, 40))
}

/// Rounds of a race over a fresh array of `len` canaries: every canary
/// dropped once after each.
fn race_rounds(len: usize, mut round: impl FnMut(ArcArray<Canary, Canary>)) {
    for _ in 0..n(2_000) {
        let ledger = Ledger::new();
        round(canary_arc(&ledger, len));
        ledger.assert_all_dropped();
    }
}

#[test]
fn scoped_threads_clone_and_drop_a_million_times() {
    let ledger = Ledger::new();
    let a = canary_arc(&ledger, 8);
    let per_thread = n(250_000);
    thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                let mut held = Vec::with_capacity(16);
                for i in 0..per_thread {
                    held.push(a.clone());
                    if i % 16 == 15 {
                        assert!(held.iter().all(|h| h.len() == 8));
                        held.clear();
                    }
                }
            });
        }
    });
    assert_eq!(counts(&a), (1, 0));
    assert_eq!(ledger.live(), 9, "nothing dropped while a handle lives");
    drop(a);
    ledger.assert_all_dropped();
}

#[test]
fn upgrades_race_the_last_strong_drop() {
    race_rounds(4, |a| {
        let ids: Vec<usize> = a.iter().map(|c| c.id).collect();
        let w = ArcArray::downgrade(&a);
        let start = Barrier::new(3);
        thread::scope(|s| {
            for _ in 0..2 {
                s.spawn(|| {
                    start.wait();
                    if let Some(up) = w.upgrade() {
                        // A successful upgrade sees the whole contents.
                        assert_eq!(up.iter().map(|c| c.id).collect::<Vec<_>>(), ids);
                    }
                });
            }
            start.wait();
            drop(a);
        });
        assert!(w.upgrade().is_none());
        assert_eq!(w.strong_count(), 0);
        drop(w);
    });
}

#[test]
fn into_unique_has_exactly_one_winner() {
    race_rounds(2, |a| {
        let wins = AtomicUsize::new(0);
        let start = Barrier::new(4);
        let handles: Vec<_> = (0..4).map(|_| a.clone()).collect();
        // Only the racers hold the block: one of them is last.
        drop(a);
        thread::scope(|s| {
            for mine in handles {
                let (wins, start) = (&wins, &start);
                s.spawn(move || {
                    start.wait();
                    if let Some(u) = ArcArray::into_unique(mine) {
                        assert_eq!(u.len(), 2);
                        wins.fetch_add(1, SeqCst);
                    }
                });
            }
        });
        assert_eq!(wins.load(SeqCst), 1);
    });
}

#[test]
fn weak_count_never_shows_the_lock() {
    let mut a = ArcArray::new(4, |i| i);
    let observer = a.clone();
    let stop = AtomicBool::new(false);
    thread::scope(|s| {
        s.spawn(|| {
            while !stop.load(SeqCst) {
                let weak = ArcArray::weak_count(&observer);
                assert_eq!(weak, 0, "weak_count showed the lock or a phantom handle");
            }
        });
        for _ in 0..n(200_000) {
            // Shared with `observer`: never unique, but every call checks
            // the count word while the other thread reads and changes it.
            assert!(ArcArray::get_mut(&mut a).is_none());
        }
        stop.store(true, SeqCst);
    });
    drop(observer);
    ArcArray::get_mut(&mut a).expect("alone now")[0] = 9;
    assert_eq!(a[0], 9);
}

#[test]
fn get_mut_never_succeeds_while_a_weak_handle_exists() {
    for _ in 0..n(2_000) {
        let mut a = ArcArray::new(2, |i| i as u64);
        let b = a.clone();
        let weak_alive = AtomicBool::new(false);
        let start = Barrier::new(2);
        thread::scope(|s| {
            s.spawn(|| {
                start.wait();
                let w = ArcArray::downgrade(&b);
                weak_alive.store(true, SeqCst);
                drop(b);
                if let Some(up) = w.upgrade() {
                    assert!(up[0] == 0 || up[0] == 1);
                }
                weak_alive.store(false, SeqCst);
                drop(w);
            });
            start.wait();
            if let Some(elems) = ArcArray::get_mut(&mut a) {
                assert!(
                    !weak_alive.load(SeqCst),
                    "get_mut while a weak handle lives"
                );
                elems[0] = 1;
            }
        });
    }
}

#[test]
fn make_mut_under_readers_leaves_their_contents_alone() {
    let original: Vec<u64> = (0..64).collect();
    let mut a = ArcArray::from(original.clone());
    let readers: Vec<ArcArray<u64>> = (0..3).map(|_| a.clone()).collect();
    thread::scope(|s| {
        for r in &readers {
            let original = &original;
            s.spawn(move || {
                for _ in 0..n(20_000) {
                    assert_eq!(&r[..], &original[..]);
                }
            });
        }
        for round in 0..n(1_000) {
            ArcArray::make_mut(&mut a)[round % 64] += 1;
        }
    });
    assert!(readers.iter().all(|r| r[..] == original[..]));
    assert_eq!(
        a.iter().sum::<u64>(),
        original.iter().sum::<u64>() + n(1_000) as u64
    );
}

#[test]
fn weak_clones_and_drops_race_upgrades_and_drops() {
    let ledger = Ledger::new();
    for _ in 0..n(1_000) {
        let a = canary_arc(&ledger, 1);
        let w = ArcArray::downgrade(&a);
        thread::scope(|s| {
            for t in 0..3 {
                let (w, a) = (w.clone(), if t == 0 { Some(a.clone()) } else { None });
                s.spawn(move || {
                    let w2 = w.clone();
                    drop(w);
                    if let Some(up) = w2.upgrade() {
                        let _: &Canary = &up[0];
                    }
                    drop(a);
                });
            }
        });
        drop(a);
        assert_eq!(w.weak_count(), 0);
        assert!(w.upgrade().is_none());
    }
    ledger.assert_all_dropped();
}
