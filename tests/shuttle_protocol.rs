//! Shuttle schedules over the `ArcArray` protocol: randomized
//! (`check_random`) and probabilistic-concurrency-testing (`check_pct`)
//! schedules with 4 or 5 threads and long histories. Shuttle treats every
//! atomic as SeqCst, so these tests look for logic races (upgrade against
//! the last drop, the uniqueness check, the unique-ownership claims); loom
//! looks for ordering bugs.
//!
//! Run with `RUSTFLAGS="--cfg shuttle" cargo test --release --tests`.
#![cfg(shuttle)]

use heaparray::{ArcArray, WeakArcArray};
use shuttle::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use shuttle::sync::Arc;
use shuttle::thread;

/// Iterations of each scheduler per test.
const ITERATIONS: usize = 2_000;
/// PCT's bug depth.
const DEPTH: usize = 3;

/// Runs a scenario under both schedulers.
fn check(scenario: fn()) {
    shuttle::check_random(scenario, ITERATIONS);
    shuttle::check_pct(scenario, ITERATIONS, DEPTH);
}

/// Counts its own drops; poisoned after drop so a use after drop shows.
struct Counted {
    value: usize,
    drops: Arc<AtomicUsize>,
}

impl Counted {
    fn new(value: usize, drops: &Arc<AtomicUsize>) -> Self {
        Counted {
            value,
            drops: drops.clone(),
        }
    }
}

impl Clone for Counted {
    fn clone(&self) -> Self {
        Counted::new(self.value, &self.drops)
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        assert_ne!(self.value, usize::MAX, "dropped twice");
        self.value = usize::MAX;
        self.drops.fetch_add(1, SeqCst);
    }
}

type Array = ArcArray<Counted, Counted>;

/// A label (100) and four elements (0..4).
fn array(drops: &Arc<AtomicUsize>) -> Array {
    Array::with_label(Counted::new(100, drops), 4, |_, i| Counted::new(i, drops))
}

fn intact(a: &Array) -> bool {
    a.get_label().value == 100 && a.iter().enumerate().all(|(i, c)| c.value == i)
}

#[test]
fn clones_and_drops_on_five_threads() {
    check(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let a = array(&drops);
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let mine = a.clone();
                thread::spawn(move || {
                    let mut held = Vec::new();
                    for round in 0..6 {
                        held.push(mine.clone());
                        assert!(intact(&mine));
                        if round % 2 == 1 {
                            held.remove(0);
                        }
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(ArcArray::strong_count(&a), 1);
        assert_eq!(drops.load(SeqCst), 0);
        drop(a);
        assert_eq!(drops.load(SeqCst), 5, "label and 4 elements, once each");
    });
}

#[test]
fn upgrades_race_the_last_strong_drop() {
    check(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let a = array(&drops);
        let w = ArcArray::downgrade(&a);
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let w = w.clone();
                thread::spawn(move || {
                    let mut seen_dead = false;
                    for _ in 0..4 {
                        match w.upgrade() {
                            Some(up) => {
                                assert!(!seen_dead, "a dead block came back to life");
                                assert!(intact(&up));
                            }
                            None => seen_dead = true,
                        }
                    }
                })
            })
            .collect();
        drop(a);
        for t in threads {
            t.join().unwrap();
        }
        assert!(w.upgrade().is_none());
        assert_eq!((w.strong_count(), w.weak_count()), (0, 0));
        assert_eq!(drops.load(SeqCst), 5);
    });
}

#[test]
fn into_unique_has_exactly_one_winner() {
    check(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let a = array(&drops);
        let w = ArcArray::downgrade(&a);
        let wins = Arc::new(AtomicUsize::new(0));
        let handles: Vec<_> = (0..4).map(|_| a.clone()).collect();
        drop(a);
        let threads: Vec<_> = handles
            .into_iter()
            .map(|mine| {
                let wins = wins.clone();
                thread::spawn(move || {
                    if let Some(mut u) = ArcArray::into_unique(mine) {
                        u[0].value = 0; // full &mut access
                        wins.fetch_add(1, SeqCst);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(wins.load(SeqCst), 1);
        assert!(w.upgrade().is_none());
        assert_eq!(drops.load(SeqCst), 5);
    });
}

#[test]
fn get_mut_excludes_weak_handles() {
    check(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let mut a = array(&drops);
        let weak_alive = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..3)
            .map(|_| {
                let b = a.clone();
                let weak_alive = weak_alive.clone();
                thread::spawn(move || {
                    let w = ArcArray::downgrade(&b);
                    weak_alive.fetch_add(1, SeqCst);
                    drop(b);
                    if let Some(up) = w.upgrade() {
                        assert!(up.get_label().value == 100);
                    }
                    weak_alive.fetch_sub(1, SeqCst);
                    drop(w);
                })
            })
            .collect();
        for _ in 0..4 {
            if let Some(elems) = ArcArray::get_mut(&mut a) {
                assert_eq!(weak_alive.load(SeqCst), 0, "get_mut beside a weak handle");
                elems[1].value = 1;
            }
            assert!(ArcArray::weak_count(&a) <= 3, "weak_count showed the lock");
        }
        for t in threads {
            t.join().unwrap();
        }
        assert!(ArcArray::get_mut(&mut a).is_some());
        drop(a);
        assert_eq!(drops.load(SeqCst), 5);
    });
}

#[test]
fn make_mut_and_try_unique_against_readers_and_weak_handles() {
    check(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let mut a = array(&drops);
        let done = Arc::new(AtomicBool::new(false));
        let threads: Vec<_> = (0..3)
            .map(|t| {
                let b = a.clone();
                let w: WeakArcArray<_, _> = ArcArray::downgrade(&a);
                thread::spawn(move || {
                    // Readers keep seeing the contents they started with.
                    assert!(intact(&b));
                    drop(b);
                    if t == 0 {
                        if let Some(up) = w.upgrade() {
                            assert_eq!(up.get_label().value, 100);
                        }
                    }
                })
            })
            .collect();
        ArcArray::make_mut(&mut a)[2].value = 20;
        assert_eq!(a[2].value, 20);
        for t in threads {
            t.join().unwrap();
        }
        done.store(true, SeqCst);
        let u = ArcArray::try_unique(a).ok().expect("alone after the join");
        assert_eq!(u[2].value, 20);
        drop(u);
        // The originals (5) always; the clones (5) if make_mut copied.
        let dropped = drops.load(SeqCst);
        assert!(dropped == 5 || dropped == 10, "{dropped} drops");
    });
}

#[test]
fn raw_pointers_cross_threads() {
    check(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let a = array(&drops);
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let address = ArcArray::into_raw(a.clone()) as usize;
                thread::spawn(move || {
                    // SAFETY: from `into_raw` of an `Array`, rebuilt once.
                    let b = unsafe { Array::from_raw(address as *const Counted) };
                    assert!(intact(&b));
                })
            })
            .collect();
        drop(a);
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(drops.load(SeqCst), 5);
    });
}
