//! A panicking task of a parallel fill (`par_new`, `par_with_label`) with
//! elements and labels that own heap memory: the elements written so far
//! and the label are dropped exactly once, through pointers that have
//! permission for them (an audit found UB here under both of Miri's borrow
//! models, invisible to zero-sized elements), and nothing leaks.
//!
//! Run by ci/miri.sh with the rayon flags (Tree Borrows, permissive
//! provenance for crossbeam-epoch, leaks left to the counting allocator).
#![cfg(not(any(loom, shuttle)))]
#![cfg(feature = "rayon")]

mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

use common::{alone, live_block_bytes_after, BlockCounting};
use heaparray::*;

/// Blocks counted (tests/common: only this file's blocks are aligned to
/// 32, their label being a [`Label`]). The tasks allocate their elements
/// on rayon's threads; every element's heap memory is counted by its drop.
#[global_allocator]
static ALLOC: BlockCounting = BlockCounting;

/// A label that owns heap memory, counts its drops, and aligns its block
/// to 32 (see [`BlockCounting`]).
#[repr(align(32))]
struct Label(String);

static LABEL_DROPS: AtomicUsize = AtomicUsize::new(0);

impl Drop for Label {
    fn drop(&mut self) {
        assert_eq!(self.0, "label");
        LABEL_DROPS.fetch_add(1, SeqCst);
    }
}

/// Silences the tasks' panic messages (printing a backtrace fills std's
/// symbol cache, which would read as a leak).
fn quiet_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if info.payload().downcast_ref::<&str>() != Some(&"task panics") {
                default(info);
            }
        }));
    });
}

/// An element that owns heap memory and counts its drops.
struct Owned {
    value: Box<u64>,
    text: String,
}

static OWNED_DROPS: AtomicUsize = AtomicUsize::new(0);

impl Drop for Owned {
    fn drop(&mut self) {
        // Reads both heap values, so that a drop through a pointer without
        // permission for the element is seen by Miri.
        assert_eq!(self.text, self.value.to_string());
        OWNED_DROPS.fetch_add(1, SeqCst);
    }
}

/// The reproduction the issue gives: element 1's task panics while other
/// tasks' `Box`es are written.
#[test]
fn par_new_of_boxes_panicking_at_1() {
    let _alone = alone();
    quiet_panics();
    drop(ArcArray::par_new(8, |i| Box::new(i as u64))); // warm up the pool
    let result = catch_unwind(|| {
        ArcArray::par_new(8, |i| {
            if i == 1 {
                panic!("task panics")
            }
            Box::new(i as u64)
        })
    });
    assert!(result.is_err());
}

/// The second reproduction: a `String` label, 16 elements, a panic at 5.
#[test]
fn heap_array_par_with_label_of_strings_panicking_at_5() {
    let _alone = alone();
    quiet_panics();
    drop(HeapArray::par_new(16, |i| i)); // warm up the pool
    let result = catch_unwind(|| {
        HeapArray::par_with_label(String::from("l"), 16, |label, i| {
            if i == 5 {
                panic!("task panics")
            }
            format!("{label}{i}")
        })
    });
    assert!(result.is_err());
}

/// Every panic position of a longer fill, both handles, owning elements
/// and an owning label: what was made is dropped exactly once.
#[test]
fn every_panic_position_drops_what_was_made_exactly_once() {
    let _alone = alone();
    quiet_panics();
    let len = if cfg!(miri) { 12 } else { 200 };
    let positions: Vec<usize> = if cfg!(miri) {
        vec![0, 5, len - 1]
    } else {
        (0..len).step_by(7).chain([len - 1]).collect()
    };
    drop(ArcArray::par_new(len, |i| i)); // warm up the pool
    for k in positions {
        for heap in [false, true] {
            let made = AtomicUsize::new(0);
            let dropped = OWNED_DROPS.load(SeqCst);
            let labels_dropped = LABEL_DROPS.load(SeqCst);
            let make = |label: &Label, i: usize| {
                if i == k {
                    panic!("task panics")
                }
                made.fetch_add(1, SeqCst);
                assert_eq!(label.0, "label");
                Owned {
                    value: Box::new(i as u64),
                    text: i.to_string(),
                }
            };
            let live = live_block_bytes_after(|| {
                let label = Label(String::from("label"));
                let result = if heap {
                    catch_unwind(AssertUnwindSafe(|| {
                        drop(HeapArray::par_with_label(label, len, make));
                    }))
                } else {
                    catch_unwind(AssertUnwindSafe(|| {
                        drop(ArcArray::par_with_label(label, len, make));
                    }))
                };
                assert!(result.is_err(), "k = {k}: expected a panic");
            });
            assert_eq!(live, 0, "k = {k}, heap = {heap}: a block leaked");
            assert_eq!(
                OWNED_DROPS.load(SeqCst) - dropped,
                made.load(SeqCst),
                "k = {k}, heap = {heap}: not every element made was dropped once"
            );
            assert_eq!(
                LABEL_DROPS.load(SeqCst) - labels_dropped,
                1,
                "k = {k}: the label"
            );
        }
    }
}

/// Without a panic, the same owning elements all arrive, in order.
#[test]
fn owning_elements_fill_in_order() {
    let _alone = alone();
    let len = if cfg!(miri) { 20 } else { 1000 };
    let a = ArcArray::par_with_label(String::from("l"), len, |label, i| format!("{label}{i}"));
    assert!(a.iter().enumerate().all(|(i, s)| *s == format!("l{i}")));
    let h = HeapArray::par_new(len, Box::new);
    assert!(h.iter().enumerate().all(|(i, b)| **b == i));
}
