//! loom models of user code on `snapshot_table` (and so on
//! `heaparray::ArcArray`). Nothing here swaps a type under `cfg(loom)`:
//! the tables are the library's own, and their counts and blocks are
//! loom's because heaparray switches by itself.
//!
//! Run: `RUSTFLAGS="--cfg loom" cargo test --release --tests`
//! (`--tests`: rustdoc never sees `RUSTFLAGS`, and a doctest linked
//! against the loom build would use loom's atomics outside a model).
#![cfg(loom)]

use std::mem;

use heaparray::ArcArray;
use loom::cell::UnsafeCell;
use loom::thread;
use snapshot_table::Table;

/// A price whose every read, write and drop is a loom-tracked access:
/// loom fails the model if a read or the drop is not ordered (by
/// happens-before) with another thread's access. With plain `u64`
/// entries loom would see only the counts and the allocations.
struct Price(UnsafeCell<u64>);

impl Price {
    fn new(value: u64) -> Self {
        Price(UnsafeCell::new(value))
    }
    fn get(&self) -> u64 {
        // SAFETY: no `with_mut` runs at the same time (loom checks it).
        self.0.with(|p| unsafe { *p })
    }
}

impl Clone for Price {
    fn clone(&self) -> Self {
        Price::new(self.get())
    }
}

impl Drop for Price {
    fn drop(&mut self) {
        // The drop as a write: loom fails the model if some thread's read
        // is not ordered before it.
        self.0.with_mut(|_| ());
    }
}

fn prices() -> Table<Price> {
    Table::build("prices", 3, |i| Price::new(100 + i as u64))
}

fn values(table: &Table<Price>) -> Vec<u64> {
    table.entries().iter().map(Price::get).collect()
}

/// A reader on another thread and the owner both read, then drop, in
/// either order: whichever drops last drops the prices, after both reads.
#[test]
fn clone_read_drop_on_two_threads() {
    loom::model(|| {
        let table = prices();
        let reader = table.clone();
        let t = thread::spawn(move || {
            assert_eq!(values(&reader), [100, 101, 102]);
        });
        assert_eq!(values(&table), [100, 101, 102]);
        assert_eq!(table.name(), "prices");
        drop(table);
        t.join().unwrap();
    });
}

/// Three handles on three threads, one cloned on its thread.
#[test]
fn clone_read_drop_on_three_threads() {
    loom::model(|| {
        let table = prices();
        let (a, b) = (table.clone(), table.clone());
        let t1 = thread::spawn(move || {
            let again = a.clone();
            drop(a);
            assert_eq!(values(&again)[0], 100);
        });
        let t2 = thread::spawn(move || assert_eq!(values(&b)[2], 102));
        drop(table);
        t1.join().unwrap();
        t2.join().unwrap();
    });
}

/// A watcher (weak handle) upgrades on one thread while the last table
/// drops on another: it gets the intact snapshot or nothing.
#[test]
fn watcher_upgrades_while_the_last_table_drops() {
    loom::model(|| {
        let table = prices();
        let watcher = table.watch();
        let t = thread::spawn(move || {
            if let Some(current) = watcher.current() {
                assert_eq!(values(&current), [100, 101, 102]);
            }
        });
        drop(table);
        t.join().unwrap();
    });
}

/// A watcher made on another thread from a table sent there, upgraded
/// back on the first thread after the table is gone there.
#[test]
fn watch_on_one_thread_upgrade_on_another() {
    loom::model(|| {
        let table = prices();
        let sent = table.clone();
        let t = thread::spawn(move || {
            let watcher = sent.watch();
            drop(sent);
            watcher
        });
        let watcher = t.join().unwrap();
        assert_eq!(values(&watcher.current().unwrap())[1], 101);
        drop(table);
        assert!(watcher.current().is_none());
    });
}

/// Copy-on-write while another thread reads and drops its snapshot:
/// `set` either copies (the reader still holds the old block) or claims
/// the block in place (the reader is gone); in both cases the reader saw
/// the old prices and the write is ordered after its reads.
#[test]
fn set_while_another_thread_reads() {
    loom::model(|| {
        let mut table = prices();
        let reader = table.clone();
        let t = thread::spawn(move || values(&reader));
        table.set(0, Price::new(7));
        assert_eq!(values(&table), [7, 101, 102]);
        assert_eq!(t.join().unwrap(), [100, 101, 102]);
    });
}

/// Copy-on-write while a watcher upgrades on another thread: the watcher
/// gets the old prices (and `set` then copies), or nothing (`set` moved
/// the prices to a block of its own first); never the new price.
#[test]
fn set_while_a_watcher_upgrades() {
    loom::model(|| {
        let mut table = prices();
        let watcher = table.watch();
        let t = thread::spawn(move || watcher.current().map(|current| values(&current)));
        table.set(1, Price::new(7));
        assert_eq!(values(&table), [100, 7, 102]);
        if let Some(seen) = t.join().unwrap() {
            assert_eq!(seen, [100, 101, 102]);
        }
    });
}

/// The three at once: a reader reads and drops its snapshot, a watcher
/// upgrades, and the owner sets an entry.
#[test]
fn set_while_a_reader_reads_and_a_watcher_upgrades() {
    loom::model(|| {
        let mut table = prices();
        let (reader, watcher) = (table.clone(), table.watch());
        let t1 = thread::spawn(move || values(&reader));
        let t2 = thread::spawn(move || watcher.current().map(|current| values(&current)));
        table.set(2, Price::new(7));
        assert_eq!(values(&table), [100, 101, 7]);
        assert_eq!(t1.join().unwrap(), [100, 101, 102]);
        if let Some(seen) = t2.join().unwrap() {
            assert_eq!(seen, [100, 101, 102]);
        }
    });
}

/// `ArcArray::default()`: under loom a fresh empty block (loom's atomics
/// cannot be built in a `static`), shared and dropped like any other.
#[test]
fn default_array_shared_with_a_thread() {
    loom::model(|| {
        let empty = ArcArray::<u64>::default();
        let other = empty.clone();
        let t = thread::spawn(move || {
            assert!(other.is_empty());
            drop(other);
        });
        assert_eq!(empty.len(), 0);
        drop(empty);
        t.join().unwrap();
    });
}

/// A counter with no synchronisation of its own, wrongly declared `Sync`:
/// the user's bug, not heaparray's.
struct RacyCounter(UnsafeCell<u64>);

// SAFETY: none; this is the bug the model below catches.
unsafe impl Sync for RacyCounter {}

/// Two threads increment an entry through a shared table without a lock:
/// loom reports the data race on the entry. (In a child process: see
/// [`fails_in_a_child`].)
#[test]
fn unsynchronised_writes_to_an_entry_are_caught() {
    let stderr = fails_in_a_child("unsynchronised_writes_to_an_entry_are_caught", || {
        loom::model(|| {
            let hits = Table::build("hits", 2, |_| RacyCounter(UnsafeCell::new(0)));
            let other = hits.clone();
            let t = thread::spawn(move || {
                // SAFETY: none: races with the other thread's write.
                other.entries()[0].0.with_mut(|p| unsafe { *p += 1 });
            });
            // SAFETY: none, as above.
            hits.entries()[0].0.with_mut(|p| unsafe { *p += 1 });
            t.join().unwrap();
        })
    });
    assert!(
        stderr.contains("Causality violation: Concurrent write accesses to `UnsafeCell`."),
        "{stderr}"
    );
}

/// A table forgotten inside a model: its block came from `loom::alloc`
/// (heaparray's default allocator under loom), so loom reports the leak
/// when the execution ends.
#[test]
fn a_forgotten_table_is_reported_as_leaked() {
    let stderr = fails_in_a_child("a_forgotten_table_is_reported_as_leaked", || {
        loom::model(|| {
            let table = Table::build("leak", 2, |i| i as u64);
            let kept = table.clone();
            drop(table);
            mem::forget(kept);
        })
    });
    assert!(stderr.contains("Allocation leaked."), "{stderr}");
}

/// Set in the child process that runs a failing model.
const CHILD: &str = "SNAPSHOT_TABLE_FAILING_MODEL";

/// Runs `model` in a child process (this test binary, filtered to the
/// test `name`) and returns the child's stderr, after checking that it
/// failed. Not `#[should_panic]`: when a model fails while a heaparray
/// block is allocated, loom 0.7.3 prints its report and then panics again
/// while unwinding (the block's `loom::alloc` record is dropped outside
/// the model), which aborts the whole test process.
fn fails_in_a_child(name: &str, model: fn()) -> String {
    if std::env::var_os(CHILD).is_some() {
        model();
        return String::new();
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "the model passed: {stderr}");
    eprintln!(
        "{name}: the child exited with {}; loom printed:",
        out.status
    );
    for line in stderr.lines().filter(|l| !l.is_empty()).take(3) {
        eprintln!("    {line}");
    }
    stderr
}
