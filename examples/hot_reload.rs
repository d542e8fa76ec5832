//! A configuration reloaded while it is read: four threads serve requests
//! from the current routing table, an `ArcArray<Route, Version>` in an
//! `arc_swap::ArcSwapAny`, while a fifth publishes new versions of it.
//!
//! Readers take no lock: `load` borrows the current table without touching
//! its count (a few per thread at once), and `load_full` takes a handle of
//! their own to keep an old version for a long request while newer ones are
//! published. Each version's label counts its drops, and the end checks
//! that every version built was dropped exactly once: none leaked, none
//! freed twice.
//!
//! `cargo run --release --features arc-swap --example hot_reload`

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use arc_swap::ArcSwapAny;
use heaparray::*;

/// Versions built and dropped, counted by [`Version`].
static BUILT: AtomicUsize = AtomicUsize::new(0);
static DROPPED: AtomicUsize = AtomicUsize::new(0);

const READERS: usize = 4;
const VERSIONS: u64 = 2_000;
const ROUTES: usize = 32;

/// The label of a table: its version number, counted when made and
/// dropped.
struct Version(u64);

impl Version {
    fn new(number: u64) -> Self {
        BUILT.fetch_add(1, Ordering::Relaxed);
        Version(number)
    }
}

impl Drop for Version {
    fn drop(&mut self) {
        DROPPED.fetch_add(1, Ordering::Relaxed);
    }
}

/// One route of the table.
struct Route {
    prefix: String,
    backend: u64,
}

/// The routing table: the version and its routes in one block, one word in
/// the `ArcSwapAny`.
type Table = ArcArray<Route, Version>;

fn build(version: u64) -> Table {
    ArcArray::with_label(Version::new(version), ROUTES, |label, i| Route {
        prefix: format!("/api/{i}"),
        backend: label.0 * 1_000 + i as u64,
    })
}

/// A table is whole: every route belongs to the table's own version (a
/// reader never sees half of one version and half of another).
fn check(table: &Table) -> u64 {
    let version = table.get_label().0;
    assert_eq!(table.len(), ROUTES);
    for (i, route) in table.iter().enumerate() {
        assert_eq!(route.backend, version * 1_000 + i as u64);
        assert!(route.prefix.ends_with(&i.to_string()));
    }
    version
}

fn main() {
    let start = Instant::now();
    let current: ArcSwapAny<Table> = ArcSwapAny::new(build(0));
    let published = AtomicBool::new(false);
    let requests = AtomicUsize::new(0);

    thread::scope(|s| {
        for reader in 0..READERS {
            let (current, published, requests) = (&current, &published, &requests);
            s.spawn(move || {
                let mut last_seen = 0;
                // Long requests: handles of their own, kept across reloads.
                let mut in_flight: Vec<Table> = Vec::new();
                let mut served = 0usize;
                loop {
                    let done = published.load(Ordering::Acquire);
                    let table = current.load(); // no count taken
                    let version = check(&table);
                    // One thread's loads never go back to an older version.
                    assert!(
                        version >= last_seen,
                        "reader {reader}: {version} < {last_seen}"
                    );
                    last_seen = version;
                    served += 1;
                    if served.is_multiple_of(16) {
                        in_flight.push(current.load_full());
                        if in_flight.len() > 8 {
                            let old = in_flight.remove(0);
                            check(&old); // still whole, however many reloads later
                        }
                    }
                    drop(table);
                    if done && version == VERSIONS {
                        break;
                    }
                }
                requests.fetch_add(served, Ordering::Relaxed);
                // `in_flight` drops here, releasing old versions.
            });
        }

        s.spawn(|| {
            for version in 1..=VERSIONS {
                let new = build(version);
                if version.is_multiple_of(2) {
                    current.store(new);
                } else {
                    // `swap` hands back the replaced table: here it is
                    // dropped at once unless a reader still holds it.
                    let old = current.swap(new);
                    assert_eq!(old.get_label().0, version - 1);
                }
                if version.is_multiple_of(64) {
                    thread::sleep(Duration::from_micros(200));
                }
            }
            published.store(true, Ordering::Release);
        });
    });

    assert_eq!(check(&current.load()), VERSIONS);
    drop(current);

    let (built, dropped) = (
        BUILT.load(Ordering::Relaxed),
        DROPPED.load(Ordering::Relaxed),
    );
    println!(
        "{} requests by {READERS} readers over {} versions in {:.1?}: {built} built, {dropped} dropped",
        requests.load(Ordering::Relaxed),
        VERSIONS + 1,
        start.elapsed(),
    );
    assert_eq!(built, VERSIONS as usize + 1, "every version built once");
    assert_eq!(dropped, built, "every version dropped exactly once");
}
