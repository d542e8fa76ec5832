//! shuttle schedules of user code on `snapshot_table` (and so on
//! `heaparray::ArcArray`): more threads and longer histories than loom
//! can explore exhaustively, under the random and PCT schedulers. As with
//! loom, no type is swapped under `cfg(shuttle)`: heaparray's counts are
//! shuttle's atomics by themselves.
//!
//! Run: `RUSTFLAGS="--cfg shuttle" cargo test --release --tests`
#![cfg(shuttle)]

use std::mem;

use heaparray::ArcArray;
use shuttle::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::SeqCst};
use shuttle::sync::Arc;
use shuttle::thread;
use snapshot_table::Table;

/// Schedules per scheduler and test.
const ITERATIONS: usize = 5_000;
/// PCT's bug depth.
const DEPTH: usize = 3;

fn check(test: fn()) {
    shuttle::check_random(test, ITERATIONS);
    shuttle::check_pct(test, ITERATIONS, DEPTH);
}

/// An entry that counts the live entries, so a test can check that
/// every entry made (built or cloned by copy-on-write) is dropped once.
struct Entry {
    value: u64,
    live: Arc<AtomicUsize>,
}

impl Entry {
    fn new(value: u64, live: &Arc<AtomicUsize>) -> Self {
        live.fetch_add(1, SeqCst);
        Entry {
            value,
            live: live.clone(),
        }
    }
}

impl Clone for Entry {
    fn clone(&self) -> Self {
        Entry::new(self.value, &self.live)
    }
}

impl Drop for Entry {
    fn drop(&mut self) {
        assert_ne!(self.value, u64::MAX, "entry dropped twice");
        self.value = u64::MAX;
        self.live.fetch_sub(1, SeqCst);
    }
}

fn table(live: &Arc<AtomicUsize>) -> Table<Entry> {
    Table::build("prices", 8, |i| Entry::new(100 + i as u64, live))
}

fn intact(table: &Table<Entry>) -> bool {
    table.name() == "prices"
        && (table.entries().iter().enumerate()).all(|(i, e)| e.value == 100 + i as u64)
}

/// Four threads clone, read and drop handles of one table for six rounds
/// each, keeping some of them; then nothing is left.
#[test]
fn clones_and_drops_on_five_threads() {
    check(|| {
        let live = Arc::new(AtomicUsize::new(0));
        let shared = table(&live);
        let watcher = shared.watch();
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let mine = shared.clone();
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
        assert!(intact(&shared));
        drop(shared);
        for t in threads {
            t.join().unwrap();
        }
        assert!(watcher.current().is_none(), "a handle outlived its thread");
        assert_eq!(live.load(SeqCst), 0, "entries leaked or dropped twice");
    });
}

/// Watchers on three threads upgrade again and again while the owners
/// drop the last tables: each sees the intact table or nothing, and once
/// nothing, never the table again.
#[test]
fn watchers_upgrade_while_the_last_tables_drop() {
    check(|| {
        let live = Arc::new(AtomicUsize::new(0));
        let first = table(&live);
        let second = first.clone();
        let watchers: Vec<_> = (0..3)
            .map(|_| {
                let watcher = first.watch();
                thread::spawn(move || {
                    let mut gone = false;
                    for _ in 0..4 {
                        match watcher.current() {
                            Some(current) => {
                                assert!(!gone, "upgraded after the table was gone");
                                assert!(intact(&current));
                            }
                            None => gone = true,
                        }
                    }
                })
            })
            .collect();
        let owner = thread::spawn(move || drop(second));
        drop(first);
        owner.join().unwrap();
        for t in watchers {
            t.join().unwrap();
        }
        assert_eq!(live.load(SeqCst), 0);
    });
}

/// Two writers `set` entries of their own copies while two readers read
/// theirs: a reader's snapshot never changes under it, each writer sees
/// its own writes only, and every entry is dropped once.
#[test]
fn copy_on_write_under_readers() {
    check(|| {
        let live = Arc::new(AtomicUsize::new(0));
        let published = table(&live);
        let mut threads = Vec::new();
        for writer in 0..2u64 {
            let mut mine = published.clone();
            let live = live.clone();
            threads.push(thread::spawn(move || {
                for key in 0..3 {
                    mine.set(key, Entry::new(writer, &live));
                    assert_eq!(mine.get(key).unwrap().value, writer);
                }
                assert_eq!(mine.readers(), 1);
                assert_eq!(mine.get(3).unwrap().value, 103);
            }));
        }
        for _ in 0..2 {
            let snapshot = published.clone();
            threads.push(thread::spawn(move || {
                for _ in 0..3 {
                    assert!(intact(&snapshot));
                    thread::yield_now();
                }
            }));
        }
        drop(published);
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(live.load(SeqCst), 0, "entries leaked or dropped twice");
    });
}

/// `ArcArray::default()` (a fresh empty block under shuttle) on four threads.
#[test]
fn default_arrays_on_four_threads() {
    check(|| {
        let empty = ArcArray::<u64>::default();
        let threads: Vec<_> = (0..3)
            .map(|_| {
                let mine = empty.clone();
                thread::spawn(move || {
                    let again = mine.clone();
                    assert!(again.is_empty() && mine.is_empty());
                })
            })
            .collect();
        drop(empty);
        for t in threads {
            t.join().unwrap();
        }
    });
}

/// The user's bug: three threads count hits on a shared table with a load
/// and a store instead of `fetch_add`. Shuttle finds a schedule that
/// loses an update.
#[test]
#[should_panic(expected = "lost update")]
fn lost_update_on_an_entry_is_caught() {
    shuttle::check_random(
        || {
            let hits = Table::build("hits", 4, |_| AtomicU64::new(0));
            let threads: Vec<_> = (0..3)
                .map(|_| {
                    let hits = hits.clone();
                    thread::spawn(move || {
                        let counter = hits.get(2).unwrap();
                        let seen = counter.load(SeqCst);
                        counter.store(seen + 1, SeqCst); // should be fetch_add
                    })
                })
                .collect();
            for t in threads {
                t.join().unwrap();
            }
            let total = hits.get(2).unwrap().load(SeqCst);
            assert_eq!(total, 3, "lost update: {total} hits counted of 3");
        },
        ITERATIONS,
    );
}

/// The user's bug: a check-then-act "first one claims the slot" with a
/// load and a store instead of `compare_exchange`. PCT finds the schedule
/// where two threads both claim.
#[test]
#[should_panic(expected = "claimed twice")]
fn check_then_act_on_an_entry_is_caught() {
    shuttle::check_pct(
        || {
            let slots = Table::build("slots", 2, |_| AtomicBool::new(false));
            let claims = Arc::new(AtomicUsize::new(0));
            let threads: Vec<_> = (0..4)
                .map(|_| {
                    let (slots, claims) = (slots.clone(), claims.clone());
                    thread::spawn(move || {
                        let slot = slots.get(0).unwrap();
                        if !slot.load(SeqCst) {
                            slot.store(true, SeqCst); // should be compare_exchange
                            claims.fetch_add(1, SeqCst);
                        }
                    })
                })
                .collect();
            for t in threads {
                t.join().unwrap();
            }
            let claims = claims.load(SeqCst);
            assert_eq!(claims, 1, "slot claimed twice: {claims} claims");
        },
        ITERATIONS,
        DEPTH,
    );
}

/// A forgotten table under shuttle: nothing reports it (shuttle does not
/// track allocations, and under shuttle heaparray allocates from the
/// global allocator). Leaks are loom's to find.
#[test]
fn a_forgotten_table_is_not_reported() {
    shuttle::check_random(
        || {
            let table = Table::build("leak", 2, |i| i as u64);
            let kept = table.clone();
            let t = thread::spawn(move || drop(table));
            mem::forget(kept);
            t.join().unwrap();
        },
        10,
    );
}
