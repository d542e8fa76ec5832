//! The rayon feature: parallel construction straight into the block, its
//! panic safety, and parallel iteration over shared handles.
#![cfg(all(feature = "rayon", not(any(loom, shuttle))))]

mod common;

use common::{allocations, Counting, Ledger};
use heaparray::*;
use rayon::prelude::*;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

#[global_allocator]
static ALLOC: Counting = Counting;

fn n() -> usize {
    if cfg!(miri) {
        64
    } else {
        100_000
    }
}

#[test]
fn par_new_matches_new() {
    let len = n();
    let a = ArcArray::par_new(len, |i| i as u64 * 3);
    let b = ArcArray::new(len, |i| i as u64 * 3);
    assert_eq!(a, b);
    let h = HeapArray::par_with_label(7u64, len, |l, i| i as u64 + l);
    assert_eq!(*h.get_label(), 7);
    assert!(h.iter().enumerate().all(|(i, &x)| x == i as u64 + 7));
    let mut u = UniqueArcArray::par_new(len, |i| i);
    u[0] = 42;
    assert_eq!(u.shareable()[0], 42);
}

#[test]
fn one_allocation_and_no_leak() {
    // Warm up: rayon's pool and this thread's latch are allocated once.
    drop(ArcArray::par_new(n(), |i| i));
    let ((), allocs, live) = allocations(|| {
        let a = ArcArray::par_new(n(), |i| i as u32);
        assert_eq!(a.len(), n());
    });
    assert_eq!(allocs, 1);
    assert_eq!(live, 0);
}

#[test]
fn zero_sized_and_empty() {
    let ledger = Ledger::new();
    let z = ArcArray::par_new(1000, |_| ());
    assert_eq!(z.len(), 1000);
    let e = HeapArray::par_with_label(ledger.canary(), 0, |_, _| 0u8);
    assert!(e.is_empty());
    drop(e);
    ledger.assert_all_dropped();
}

/// Counts its own creations and drops in statics, so that making and
/// dropping one allocates nothing on any thread.
struct Counted;

static MADE: AtomicUsize = AtomicUsize::new(0);
static DROPPED: AtomicUsize = AtomicUsize::new(0);

impl Counted {
    fn new() -> Self {
        MADE.fetch_add(1, SeqCst);
        Counted
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        DROPPED.fetch_add(1, SeqCst);
    }
}

#[test]
fn a_panicking_worker_drops_what_was_written_and_frees_the_block() {
    let len = n();
    // Warm up: rayon's pool and this thread's latch are allocated once.
    drop(ArcArray::par_new(len, |i| i));
    for k in [0, 1, len / 2, len - 1] {
        let ledger = Ledger::new();
        let label = ledger.canary();
        let (made, dropped) = (MADE.load(SeqCst), DROPPED.load(SeqCst));
        let ((), _, live) = allocations(|| {
            let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
                ArcArray::par_with_label(label, len, |_, i| {
                    if i == k {
                        // A payload that allocates nothing, so that the
                        // allocation count of this thread stays exact.
                        std::panic::resume_unwind(Box::new(()));
                    }
                    Counted::new()
                })
            }));
            assert!(result.is_err(), "k = {k}: expected a panic");
        });
        assert_eq!(live, 0, "k = {k}: the block leaked");
        let made = MADE.load(SeqCst) - made;
        assert_eq!(
            DROPPED.load(SeqCst) - dropped,
            made,
            "k = {k}: elements not dropped"
        );
        assert!(made < len, "k = {k}: the panic stopped nothing");
        ledger.assert_all_dropped();
    }
}

#[test]
fn parallel_iteration_over_shared_handles() {
    let a = ArcArray::par_new(n(), |i| i as u64);
    let expected: u64 = a.iter().sum();
    assert_eq!((&a).into_par_iter().sum::<u64>(), expected);
    let h = HeapArray::from(&a[..]);
    assert_eq!(h.par_iter().sum::<u64>(), expected);
    assert_eq!((&h).into_par_iter().sum::<u64>(), expected);
    let c = CompactArcArray::new(n(), |i| i as u64);
    assert_eq!((&c).into_par_iter().sum::<u64>(), expected);
    let u = CompactUniqueArcArray::new(n(), |i| i as u64);
    assert_eq!((&u).into_par_iter().sum::<u64>(), expected);
}
