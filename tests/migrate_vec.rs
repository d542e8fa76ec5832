//! Migrations a user makes from `Vec` + `Arc<[T]>`: build by pushing, then
//! share (`Arc::from(vec)` copies; `shareable` does not), and take the
//! elements back from the only handle (`Arc::try_unwrap` → `Vec`). Each is
//! written as the std program first, then with heaparray, with the glob
//! import and with explicit paths, and the two must agree.
#![cfg(not(any(loom, shuttle)))]

use std::sync::Arc;

/// One entry of the log the programs build: owns heap memory.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Event {
    source: String,
    payload: Box<[u8]>,
}

fn event(i: usize) -> Event {
    Event {
        source: format!("sensor-{}", i % 5),
        payload: vec![i as u8; i % 4].into_boxed_slice(),
    }
}

fn n() -> usize {
    if cfg!(miri) {
        40
    } else {
        1000
    }
}

/// The migrated program's transcript (what it saw, what it got back) is
/// the std program's.
fn same_as_std(migrated: fn() -> (Vec<Event>, Vec<Event>)) {
    let (std_seen, std_back) = with_std();
    let (seen, back) = migrated();
    assert_eq!(seen, std_seen);
    assert_eq!(back, std_back);
}

/// The std program: push, drop the empty payloads, share with readers,
/// then, as the only handle left, take the elements back (a copy: an
/// `Arc<[T]>` cannot be unwrapped into a `Vec`).
fn with_std() -> (Vec<Event>, Vec<Event>) {
    let mut log = Vec::new();
    for i in 0..n() {
        log.push(event(i));
    }
    log.retain(|e| !e.payload.is_empty());
    log.insert(0, event(3));
    let shared: Arc<[Event]> = Arc::from(log);
    let reader = Arc::clone(&shared);
    let first = reader.first().cloned();
    drop(reader);
    assert!(first.is_some());
    let seen = shared.to_vec();
    assert_eq!(Arc::strong_count(&shared), 1);
    let back: Vec<Event> = shared.to_vec();
    (seen, back)
}

mod glob {
    use super::*;
    use heaparray::*;

    fn with_heaparray() -> (Vec<Event>, Vec<Event>) {
        let mut log = UniqueArcArray::default(); // `Vec::new()`
        for i in 0..n() {
            log.push(event(i));
        }
        log.retain(|e| !e.payload.is_empty());
        log.insert(0, event(3));
        let shared: ArcArray<Event> = log.shareable(); // no copy
        let reader = ArcArray::clone(&shared);
        let first = reader.first().cloned();
        drop(reader);
        assert!(first.is_some());
        let seen = shared.to_vec();
        // The only handle left: the elements back by value, no copy.
        let back: Vec<Event> = ArcArray::try_unique(shared).unwrap().into_iter().collect();
        (seen, back)
    }

    #[test]
    fn event_log_behaves_as_std() {
        same_as_std(with_heaparray);
    }

    #[test]
    fn filled_to_capacity_shares_in_place() {
        let mut u = UniqueArcArray::with_capacity(n());
        for i in 0..n() {
            u.push(event(i));
        }
        assert_eq!(u.len(), u.capacity());
        let elems = u.as_ptr();
        let shared = u.shareable();
        assert_eq!(shared.as_ptr(), elems, "the same block, not a copy");
        let again = ArcArray::try_unique(shared).unwrap();
        assert_eq!(
            again.as_ptr(),
            elems,
            "try_unique of the only handle keeps it"
        );
        assert_eq!(again.capacity(), again.len());
    }
}

mod explicit {
    use super::*;

    fn with_heaparray() -> (Vec<Event>, Vec<Event>) {
        let mut log = heaparray::CompactUniqueArcArray::with_capacity(0);
        log.extend((0..n()).map(event));
        log.retain(|e| !e.payload.is_empty());
        log.insert(0, event(3));
        let shared: heaparray::CompactArcArray<Event> = log.shareable();
        let seen = shared.to_vec();
        let back: Vec<Event> = heaparray::CompactArcArray::try_unique(shared)
            .unwrap()
            .into_iter()
            .collect();
        (seen, back)
    }

    #[test]
    fn event_log_behaves_as_std_compact() {
        same_as_std(with_heaparray);
    }

    /// `Vec::with_capacity` + `extend_from_slice` + `pop` + `truncate`, with
    /// a label that rides along unchanged through the growth.
    #[test]
    fn labelled_growth_keeps_the_label() {
        let label = String::from("calibration run 7");
        let mut u = heaparray::UniqueArcArray::with_label_and_capacity(label.clone(), 1);
        let mut v: Vec<Event> = Vec::with_capacity(1);
        for i in 0..n() / 4 {
            u.extend_from_slice(&[event(i), event(i + 1)]);
            v.extend_from_slice(&[event(i), event(i + 1)]);
            assert_eq!(u.pop(), v.pop());
            assert_eq!(*u.get_label(), label);
        }
        u.truncate(5);
        v.truncate(5);
        assert_eq!(&*u, &v[..]);
        let a: heaparray::ArcArray<Event, String> = u.shareable();
        assert_eq!((a.get_label(), &*a), (&label, &v[..]));
    }
}

/// `Vec::resize` and `resize_with`, migrated: the same contents after each
/// step, with owning elements, and a `Clone` that panics part way keeps
/// the clones made so far, each dropped once.
#[test]
fn resize_behaves_as_vec() {
    use heaparray::UniqueArcArray;
    let mut u = UniqueArcArray::<String>::with_capacity(0);
    let mut v: Vec<String> = Vec::new();
    for (len, fill) in [(3, "a"), (1, "b"), (5, "c"), (0, "d"), (2, "e")] {
        u.resize(len, fill.to_string());
        v.resize(len, fill.to_string());
        assert_eq!(&*u, &v[..]);
        let mut n = 0;
        let mut m = 0;
        u.resize_with(len + 2, || {
            n += 1;
            format!("{fill}{n}")
        });
        v.resize_with(len + 2, || {
            m += 1;
            format!("{fill}{m}")
        });
        assert_eq!(&*u, &v[..]);
    }

    /// Panics on the third clone made.
    #[derive(Debug)]
    struct Fragile(Box<u32>);
    static CLONES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    impl Clone for Fragile {
        fn clone(&self) -> Self {
            let n = CLONES.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            assert!(n < 2, "clone panics");
            Fragile(self.0.clone())
        }
    }
    let mut u = UniqueArcArray::<Fragile>::with_capacity(0);
    u.push(Fragile(Box::new(0)));
    u.push(Fragile(Box::new(1)));
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        u.resize(10, Fragile(Box::new(7)));
    }));
    assert!(panicked.is_err());
    // Two clones were made before the third panicked; `value` was dropped.
    let values: Vec<u32> = u.iter().map(|f| *f.0).collect();
    assert_eq!(values, [0, 1, 7, 7]);
}

/// `Vec::dedup`, `dedup_by_key` and `dedup_by`, migrated, with owning
/// elements; a `same_bucket` that panics part way and an element whose
/// drop panics leave every element dropped exactly once.
#[test]
fn dedup_behaves_as_vec() {
    use heaparray::UniqueArcArray;
    use std::cell::Cell;
    let words = ["a", "a", "b", "B", "b", "c", "a", "a"];
    let mut u: UniqueArcArray<String> = words.iter().map(|w| w.to_string()).collect();
    let mut v: Vec<String> = words.iter().map(|w| w.to_string()).collect();
    u.dedup();
    v.dedup();
    assert_eq!(&*u, &v[..]);
    u.dedup_by_key(|w| w.to_lowercase());
    v.dedup_by_key(|w| w.to_lowercase());
    assert_eq!(&*u, &v[..]);
    u.push("A".into());
    v.push("A".into());
    u.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    v.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    assert_eq!(&*u, &v[..]);

    thread_local!(static DROPS: Cell<usize> = const { Cell::new(0) });
    /// Counts its drops; the one holding 99 panics in its drop.
    struct Counted(Box<u32>);
    impl Drop for Counted {
        fn drop(&mut self) {
            DROPS.with(|d| d.set(d.get() + 1));
            assert_ne!(*self.0, 99, "drop panics");
        }
    }
    let make = |values: &[u32]| -> UniqueArcArray<Counted> {
        values.iter().map(|&x| Counted(Box::new(x))).collect()
    };
    // The comparison panics at its third call: [1, 1] collapsed, the rest
    // kept as they were.
    let mut u = make(&[1, 1, 2, 2, 3]);
    let mut calls = 0;
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        u.dedup_by(|a, b| {
            calls += 1;
            assert!(calls < 3, "same_bucket panics");
            *a.0 == *b.0
        })
    }));
    assert!(r.is_err());
    let left: Vec<u32> = u.iter().map(|c| *c.0).collect();
    assert_eq!(left, [1, 2, 2, 3]);
    DROPS.with(|d| d.set(0));
    drop(u);
    assert_eq!(DROPS.with(Cell::get), 5 - 1);
    // A removed element's drop panics: it is dropped once, the rest stay.
    DROPS.with(|d| d.set(0));
    let mut u = make(&[99, 99, 5]);
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| u.dedup_by_key(|c| *c.0)));
    assert!(r.is_err());
    let left: Vec<u32> = u.iter().map(|c| *c.0).collect();
    assert_eq!(left, [99, 5]);
    assert_eq!(DROPS.with(Cell::get), 1);
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(u)));
    assert!(r.is_err(), "the kept 99 panics in its drop too");
    assert_eq!(DROPS.with(Cell::get), 3);
}
