//! A panicking element destructor: the panic propagates, every other
//! element and the label are still dropped exactly once, and the block is
//! freed, for every handle (HeapArray and RcArray leaked the block here
//! before `Block::drop_contents_then`).
#![cfg(not(any(loom, shuttle)))]

mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use common::{allocations, Canary, Counting, Ledger};
use heaparray::*;

#[global_allocator]
static ALLOC: Counting = Counting;

/// A canary whose destructor panics (after recording its drop) if `bomb`.
struct Bomb {
    canary: Canary,
    bomb: bool,
}

impl Drop for Bomb {
    fn drop(&mut self) {
        if self.bomb {
            panic!("element {} panics in drop", self.canary.id);
        }
    }
}

fn elements(ledger: &Arc<Ledger>, bomb_at: usize) -> impl FnMut(&mut Canary, usize) -> Bomb + '_ {
    move |_, i| Bomb {
        canary: ledger.canary(),
        bomb: i == bomb_at,
    }
}

/// Silences the destructors' own panic messages: printing one with a
/// backtrace fills std's symbol cache (megabytes), which would read as a
/// leak here. Other panics (failed assertions) still print.
fn quiet_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let ours = info.payload().downcast_ref::<String>();
            if !ours.is_some_and(|m| m.contains("panics in drop")) {
                default(info);
            }
        }));
    });
}

/// Builds with `make`, drops, and checks the panic, the drops and the bytes.
fn check<T>(name: &str, make: impl Fn(&Arc<Ledger>, usize) -> T) {
    quiet_panics();
    for bomb_at in [0, 2, 4] {
        let ledger = Ledger::new();
        let ((), _, live) = allocations(|| {
            let handle = make(&ledger, bomb_at);
            let result = catch_unwind(AssertUnwindSafe(|| drop(handle)));
            assert!(result.is_err(), "{name}: the destructor's panic propagates");
        });
        assert_eq!(live, 0, "{name}, bomb at {bomb_at}: the block leaked");
        assert_eq!(ledger.made(), 6, "{name}: five elements and the label");
        ledger.assert_all_dropped();
    }
}

#[test]
fn heap_array() {
    check("HeapArray", |l, k| {
        HeapArray::with_label(l.canary(), 5, elements(l, k))
    });
}

#[test]
fn rc_array() {
    check("RcArray", |l, k| {
        RcArray::with_label(l.canary(), 5, elements(l, k))
    });
}

#[test]
fn unique_arc_array() {
    check("UniqueArcArray", |l, k| {
        UniqueArcArray::with_label(l.canary(), 5, elements(l, k))
    });
}

#[test]
fn arc_array_last_strong_handle() {
    check("ArcArray", |l, k| {
        let a = ArcArray::with_label(l.canary(), 5, elements(l, k));
        let b = a.clone();
        drop(a);
        b
    });
}

#[test]
fn arc_array_with_a_weak_handle_left() {
    quiet_panics();
    let ledger = Ledger::new();
    let ((), _, live) = allocations(|| {
        let a = ArcArray::with_label(ledger.canary(), 5, elements(&ledger, 3));
        let weak = ArcArray::downgrade(&a);
        assert!(catch_unwind(AssertUnwindSafe(|| drop(a))).is_err());
        // The contents are gone; the weak handle still holds the block.
        assert!(weak.upgrade().is_none());
        ledger.assert_all_dropped();
        drop(weak);
    });
    assert_eq!(live, 0, "the last weak handle frees the block");
}
