//! loom models in the compact layout. The count protocol is the same code
//! for both layouts (only the header's gap differs), so these repeat the
//! central races of the other files on a `CompactArcArray` block, whose
//! counts sit right before the length: the last strong drop against a
//! reader, against an upgrade and against the last weak drop, and
//! `make_mut` against a reader.
#![cfg(loom)]

mod common;

use common::{compact_array, model, read_all, Tally, UNTOUCHED};
use heaparray::ArcArray;
use loom::thread;

/// Two handles on two threads, each reading then dropping.
#[test]
fn compact_two_threads_read_then_drop() {
    model(|| {
        let drops = Tally::new();
        let a = compact_array(&drops);
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

/// An upgrade and a weak drop race the last strong drop: the upgrade
/// fails or reads intact contents; the block is freed once, last.
#[test]
fn compact_upgrade_and_weak_drop_race_last_strong_drop() {
    model(|| {
        let drops = Tally::new();
        let a = compact_array(&drops);
        let w = ArcArray::downgrade(&a);
        let t = thread::spawn(move || {
            if let Some(s) = w.upgrade() {
                assert_eq!(read_all(&s), UNTOUCHED);
            }
            drop(w);
        });
        drop(a);
        t.join().unwrap();
        assert_eq!(drops.get(), 3);
    });
}

/// `make_mut` on one thread against a strong reader on the other: the
/// writer copies or, once the reader is gone, writes in place; the reader
/// always sees the original values.
#[test]
fn compact_make_mut_races_reader() {
    model(|| {
        let drops = Tally::new();
        let mut a = compact_array(&drops);
        let b = a.clone();
        let t = thread::spawn(move || {
            assert_eq!(read_all(&b), UNTOUCHED);
        });
        ArcArray::make_mut(&mut a)[0].set(20);
        assert_eq!(read_all(&a), UNTOUCHED + 10);
        t.join().unwrap();
        drop(a);
    });
}
