//! loom models: clones and drops racing to the last drop. The label and
//! elements are read by every handle and dropped by the last one; loom
//! fails the model if a read is not ordered before the drop.
#![cfg(loom)]

mod common;

use common::{race, race2, read_all, read_untouched_then_drop, UNTOUCHED};
use heaparray::ArcArray;

common::models! {
    /// Two handles on two threads, each reading then dropping. Kills: the
    /// Release decrement in `decrement_strong` and its Acquire fence.
    two_threads_read_then_drop and two_threads_read_then_drop_compact: |a, drops| {
        let b = a.clone();
        race(
            move || read_untouched_then_drop(b),
            || read_untouched_then_drop(a),
        );
        assert_eq!(drops.get(), 3, "label and two elements dropped once");
    }

    /// Three threads, one of which clones from its own handle before reading:
    /// counts end exact whatever the interleaving.
    three_threads_clone_read_drop: |a, drops| {
        let (b, c) = (a.clone(), a.clone());
        race2(
            move || {
                let b2 = b.clone();
                assert_eq!(read_all(&b2), UNTOUCHED);
                drop(b);
                drop(b2);
            },
            move || assert_eq!(read_all(&c), UNTOUCHED),
            || read_untouched_then_drop(a),
        );
        assert_eq!(drops.get(), 3);
    }

    /// A clone made on one thread while the other drops its handle: the count
    /// never reaches 0 early.
    clone_races_drop: |a, drops| {
        let b = a.clone();
        race(
            move || {
                let c = b.clone();
                drop(b);
                assert!(ArcArray::strong_count(&c) >= 1);
                assert_eq!(read_all(&c), UNTOUCHED);
            },
            || drop(a),
        );
        assert_eq!(drops.get(), 3);
    }
}
