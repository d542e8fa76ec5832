//! loom models: clones and drops racing to the last drop. The label and
//! elements are read by every handle and dropped by the last one; loom
//! fails the model if a read is not ordered before the drop.
#![cfg(loom)]

mod common;

use common::{array, array_in, model, read_all, Tally, UNTOUCHED};
use heaparray::{ArcArray, ArcLayout, Compact, Padded};
use loom::thread;

/// Two handles on two threads, each reading then dropping. Kills: the
/// Release decrement in `decrement_strong` and its Acquire fence.
#[test]
fn two_threads_read_then_drop() {
    two_threads_read_then_drop_in::<Padded>();
}

/// The same on a compact-layout block.
#[test]
fn two_threads_read_then_drop_compact() {
    two_threads_read_then_drop_in::<Compact>();
}

fn two_threads_read_then_drop_in<P: ArcLayout>() {
    model(|| {
        let drops = Tally::new();
        let a = array_in::<P>(&drops);
        let b = a.clone();
        let t = thread::spawn(move || {
            assert_eq!(read_all(&b), UNTOUCHED);
            drop(b);
        });
        assert_eq!(read_all(&a), UNTOUCHED);
        drop(a);
        t.join().unwrap();
        assert_eq!(drops.get(), 3, "label and two elements dropped once");
    });
}

/// Three threads, one of which clones from its own handle before reading:
/// counts end exact whatever the interleaving.
#[test]
fn three_threads_clone_read_drop() {
    model(|| {
        let drops = Tally::new();
        let a = array(&drops);
        let (b, c) = (a.clone(), a.clone());
        let t1 = thread::spawn(move || {
            let b2 = b.clone();
            assert_eq!(read_all(&b2), UNTOUCHED);
            drop(b);
            drop(b2);
        });
        let t2 = thread::spawn(move || {
            assert_eq!(read_all(&c), UNTOUCHED);
        });
        assert_eq!(read_all(&a), UNTOUCHED);
        drop(a);
        t1.join().unwrap();
        t2.join().unwrap();
        assert_eq!(drops.get(), 3);
    });
}

/// A clone made on one thread while the other drops its handle: the count
/// never reaches 0 early.
#[test]
fn clone_races_drop() {
    model(|| {
        let drops = Tally::new();
        let a = array(&drops);
        let b = a.clone();
        let t = thread::spawn(move || {
            let c = b.clone();
            drop(b);
            assert!(ArcArray::strong_count(&c) >= 1);
            assert_eq!(read_all(&c), UNTOUCHED);
        });
        drop(a);
        t.join().unwrap();
        assert_eq!(drops.get(), 3);
    });
}
