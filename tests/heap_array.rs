//! Behaviour of `HeapArray`: construction, reading and writing, the std
//! traits, drops counted with canaries, panic safety, zero-sized and
//! over-aligned types, capacity overflow and allocation counts.
#![cfg(not(any(loom, shuttle)))]

mod common;

use std::cell::Cell;
use std::collections::HashSet;
use std::sync::Arc;

use common::{
    allocations, check_all, expect_panic, hash_of, ids_of, owning_tests, panic_points,
    quiet_panics, zst_counts, Align256, Canary, Counting, Ledger, Liar, Owning, Zst, Zst256, LABEL,
};
use heaparray::*;

#[global_allocator]
static A: Counting = Counting;

// ---------------------------------------------------------------------------
// Construction

#[test]
fn new_fills_each_index() {
    let a = HeapArray::new(10, |i| i + 3);
    assert_eq!(a.len(), 10);
    assert_eq!(&*a, &[3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    assert_eq!(*a.get_label(), ());

    let empty = HeapArray::new(0, |_| -> u32 { panic!("never called") });
    assert!(empty.is_empty());
    assert_eq!(&*empty, &[] as &[u32]);
}

#[test]
fn new_calls_the_closure_once_per_index_in_order() {
    let mut seen = Vec::new();
    let a = HeapArray::new(6, |i| {
        seen.push(i);
        i * 2
    });
    assert_eq!(seen, [0, 1, 2, 3, 4, 5]);
    assert_eq!(&*a, &[0, 2, 4, 6, 8, 10]);
}

#[test]
fn with_label_counts_evens_and_odds_in_the_label() {
    let a = HeapArray::with_label((0, 0), 10, |(evens, odds), i| {
        if i % 2 == 0 {
            *evens += 1
        } else {
            *odds += 1
        }
        i + 3
    });
    assert_eq!(*a.get_label(), (5, 5));
    assert_eq!(a[1], 4);

    let b = HeapArray::with_label((0, 0), 5, |(evens, odds), i| {
        if i % 2 == 0 {
            *evens += 1
        } else {
            *odds += 1
        }
        i * i
    });
    assert_eq!(*b.get_label(), (3, 2));
    assert_eq!(&*b, &[0, 1, 4, 9, 16]);
}

#[test]
fn with_label_closure_sees_the_label_as_it_grows() {
    // Each element is the label's value before the closure updated it.
    let a = HeapArray::with_label(Vec::new(), 5, |seen: &mut Vec<usize>, i| {
        let before = seen.len();
        seen.push(i);
        before
    });
    assert_eq!(&*a, &[0, 1, 2, 3, 4]);
    assert_eq!(*a.get_label(), vec![0, 1, 2, 3, 4]);
}

#[test]
fn with_len_uses_default() {
    let a = HeapArray::<u32, &str>::with_len("zeros", 4);
    assert_eq!(&*a, &[0, 0, 0, 0]);
    assert_eq!(*a.get_label(), "zeros");

    let s = HeapArray::<String, u8>::with_len(9, 3);
    assert!(s.iter().all(String::is_empty));
    assert_eq!(s.len(), 3);

    let e = HeapArray::<String, ()>::with_len((), 0);
    assert!(e.is_empty());
}

#[test]
fn from_vec_moves_without_cloning() {
    let ledger = Ledger::new();
    let v: Vec<Canary> = (0..5).map(|_| ledger.canary()).collect();
    let ids: Vec<usize> = v.iter().map(|c| c.id).collect();
    ledger.panic_on_clone(0);
    let a = HeapArray::from(v);
    assert_eq!(a.iter().map(|c| c.id).collect::<Vec<_>>(), ids);
    assert_eq!(ledger.made(), 5, "no clone was made");
    drop(a);
    ledger.assert_all_dropped();

    // Spare capacity in the vector does not show.
    let mut v = Vec::with_capacity(100);
    v.extend([1u16, 2, 3]);
    let a: HeapArray<u16> = v.into();
    assert_eq!(&*a, &[1, 2, 3]);

    let a = HeapArray::from(Vec::<String>::new());
    assert!(a.is_empty());
}

#[test]
fn from_slice_clones() {
    let src = [String::from("a"), String::from("bc"), String::from("")];
    let a = HeapArray::from(&src[..]);
    assert_eq!(&*a, &src[..]);
    assert_ne!(a.as_ptr(), src.as_ptr());
    let empty: HeapArray<String> = HeapArray::from(&[][..]);
    assert!(empty.is_empty());

    let ledger = Ledger::new();
    let src: Vec<Canary> = (0..4).map(|_| ledger.canary()).collect();
    let a = HeapArray::from(&src[..]);
    assert_eq!(ledger.made(), 8, "one clone per element");
    assert!(a.iter().zip(&src).all(|(x, y)| x.id != y.id));
    drop(a);
    assert_eq!(
        ledger.live(),
        4,
        "the clones are dropped, the source is not"
    );
    drop(src);
    ledger.assert_all_dropped();
}

#[test]
fn from_boxed_slice() {
    let b: Box<[i64]> = vec![-1, 0, 1].into_boxed_slice();
    let a = HeapArray::from(b);
    assert_eq!(&*a, &[-1, 0, 1]);

    let ledger = Ledger::new();
    let b: Box<[Canary]> = (0..3).map(|_| ledger.canary()).collect();
    ledger.panic_on_clone(0);
    let a = HeapArray::from(b);
    assert_eq!(a.iter().map(|c| c.id).collect::<Vec<_>>(), [0, 1, 2]);
    drop(a);
    ledger.assert_all_dropped();
}

#[test]
fn collect_exact_size() {
    let a: HeapArray<u32> = (0..20).collect();
    assert_eq!(&*a, &(0..20).collect::<Vec<_>>()[..]);
    let e: HeapArray<u32> = std::iter::empty().collect();
    assert!(e.is_empty());
}

#[test]
fn collect_inexact_size() {
    let n = if cfg!(miri) { 100 } else { 10_000 };
    let a: HeapArray<usize> = (0..n).filter(|x| x % 3 == 0).collect();
    let v: Vec<usize> = (0..n).filter(|x| x % 3 == 0).collect();
    assert_eq!(&*a, &v[..]);

    let none: HeapArray<usize> = (0..n).filter(|_| false).collect();
    assert!(none.is_empty());

    let words: HeapArray<String> = "a bb ccc dddd".split(' ').map(str::to_owned).collect();
    assert_eq!(&*words, &["a", "bb", "ccc", "dddd"]);
}

/// `Liar` yields "1", "2", ... `real` items whatever it claims.
fn liar(real: usize, hint: (usize, Option<usize>)) -> Liar {
    Liar {
        real,
        hint,
        yielded: 0,
    }
}

fn truth(real: usize) -> Vec<String> {
    (1..=real).map(|i| i.to_string()).collect()
}

#[test]
fn collect_from_lying_size_hints_is_correct() {
    let many = if cfg!(miri) { 40 } else { 1_000 };
    let cases: &[(usize, (usize, Option<usize>))] = &[
        // claims fewer
        (5, (0, Some(0))),
        (5, (2, Some(2))),
        (many, (1, Some(3))),
        (many, (0, None)),
        // claims more
        (5, (100, Some(100))),
        (0, (10, Some(10))),
        (3, (7, None)),
        // absurd bounds
        (5, (usize::MAX, None)),
        (5, (usize::MAX, Some(usize::MAX))),
        (5, (isize::MAX as usize, Some(isize::MAX as usize))),
        (5, (0, Some(usize::MAX))),
        (5, (usize::MAX, Some(0))),
        (0, (usize::MAX, Some(usize::MAX))),
    ];
    for &(real, hint) in cases {
        let a: HeapArray<String> = liar(real, hint).collect();
        assert_eq!(&*a, &truth(real)[..], "real {real}, hint {hint:?}");
    }
}

#[test]
fn collect_from_lying_size_hint_keeps_one_trimmed_block() {
    // The block ends up the size an honest collect gives, and is freed.
    let honest = allocations(|| truth(5).into_iter().collect::<HeapArray<String>>());
    for hint in [
        (0, Some(0)),
        (100, Some(100)),
        (usize::MAX, None),
        (2, None),
    ] {
        let (a, _, live) = allocations(|| liar(5, hint).collect::<HeapArray<String>>());
        assert_eq!(live, honest.2, "hint {hint:?}: one block of the right size");
        let ((), _, freed) = allocations(|| drop(a));
        assert_eq!(freed, -live, "hint {hint:?}: everything freed");
    }
}

#[test]
fn default_is_empty() {
    let a: HeapArray<String> = HeapArray::default();
    assert!(a.is_empty());
    assert_eq!(a.len(), 0);
    assert_eq!(format!("{a:?}"), "[]");
}

// ---------------------------------------------------------------------------
// Reading and writing

#[test]
fn deref_and_deref_mut() {
    let mut a = HeapArray::new(6, |i| (i * 7) % 6);
    assert_eq!(&*a, &[0, 1, 2, 3, 4, 5]);
    a.reverse();
    assert_eq!(&*a, &[5, 4, 3, 2, 1, 0]);
    a.sort_unstable();
    assert_eq!(a.iter().sum::<usize>(), 15);
    assert_eq!(a.first(), Some(&0));
    assert_eq!(a.last(), Some(&5));
    let s: &mut [usize] = &mut a;
    s[0] = 100;
    assert_eq!(a[0], 100);
    assert!(a.contains(&100));
}

#[test]
fn index_by_usize_and_ranges() {
    let mut a = HeapArray::new(6, |i| i as u8);
    assert_eq!(a[0], 0);
    assert_eq!(a[5], 5);
    assert_eq!(&a[1..3], &[1, 2]);
    assert_eq!(&a[..2], &[0, 1]);
    assert_eq!(&a[4..], &[4, 5]);
    assert_eq!(&a[1..=2], &[1, 2]);
    assert_eq!(&a[..=0], &[0]);
    assert_eq!(&a[..], &[0, 1, 2, 3, 4, 5]);
    assert_eq!(&a[6..], &[] as &[u8]);

    a[0] = 10;
    a[1..3].copy_from_slice(&[11, 12]);
    a[4..].fill(9);
    a[..=3][3] = 13;
    assert_eq!(&*a, &[10, 11, 12, 13, 9, 9]);
}

#[test]
fn index_out_of_bounds_panics() {
    let mut a = HeapArray::new(3, |i| i);
    let msg = expect_panic(|| a[3]);
    assert!(
        msg.contains("out of range") || msg.contains("out of bounds"),
        "{msg}"
    );
    expect_panic(|| a[2..4].len());
    expect_panic(|| a[..=3].len());
    #[allow(clippy::reversed_empty_ranges)]
    expect_panic(|| a[2..1].len());
    expect_panic(|| a[7] = 1);
    expect_panic(|| a[1..9].fill(0));
    assert_eq!(&*a, &[0, 1, 2], "unchanged");
}

#[test]
fn into_iterator_by_value_moves_the_elements() {
    let a = HeapArray::with_label("label", 4, |_, i| i.to_string());
    let v: Vec<String> = a.into_iter().collect();
    assert_eq!(v, ["0", "1", "2", "3"]);

    let ledger = Ledger::new();
    let a = HeapArray::with_label(ledger.canary(), 5, |_, _| ledger.canary());
    let mut it = a.into_iter();
    assert_eq!(
        ledger.live(),
        6,
        "the label stays in the block until the iterator drops"
    );
    let first = it.next().unwrap();
    let second = it.next().unwrap();
    assert_eq!((first.id, second.id), (1, 2));
    drop(it);
    assert_eq!(ledger.live(), 2, "the rest dropped with the iterator");
    drop((first, second));
    ledger.assert_all_dropped();
}

#[test]
fn into_iterator_by_reference() {
    let mut a = HeapArray::new(4, |i| i as i32);
    let mut sum = 0;
    for x in &a {
        sum += *x;
    }
    assert_eq!(sum, 6);
    for x in &mut a {
        *x *= -1;
    }
    assert_eq!(&*a, &[0, -1, -2, -3]);
    assert_eq!((&a).into_iter().len(), 4);
    assert_eq!(a.iter_mut().len(), 4);
}

#[test]
fn get_label_and_get_label_mut() {
    let mut a = HeapArray::with_label(String::from("name"), 2, |l, i| l.len() + i);
    assert_eq!(a.get_label(), "name");
    a.get_label_mut().push('d');
    assert_eq!(a.get_label(), "named");
    *a.get_label_mut() = String::from("x");
    assert_eq!(a.get_label(), "x");
    assert_eq!(&*a, &[4, 5], "elements untouched");
}

#[test]
fn clone_is_deep() {
    let a = HeapArray::with_label(String::from("l"), 3, |_, i| vec![i; i]);
    let mut b = a.clone();
    assert_eq!(a, b);
    assert_eq!(b.get_label(), "l");
    assert_ne!(a.as_ptr(), b.as_ptr(), "a new block");
    b[2].push(7);
    b.get_label_mut().push('!');
    assert_eq!(&*a, &[vec![], vec![1], vec![2, 2]]);
    assert_eq!(a.get_label(), "l");
    assert_eq!(&b[2], &[2, 2, 7]);
    assert_eq!(b.get_label(), "l!");
}

#[test]
fn debug_shows_label_and_elements() {
    let a = HeapArray::<u8, u32>::with_label(17, 8, |_, i| i as u8);
    assert_eq!(
        format!("{a:?}"),
        "HeapArray { label: 17, elements: [0, 1, 2, 3, 4, 5, 6, 7] }"
    );
    let b = HeapArray::new(2, |i| i);
    assert_eq!(format!("{b:?}"), "[0, 1]");
    let c = HeapArray::with_label("tag", 2, |_, i| format!("s{i}"));
    assert_eq!(
        format!("{c:?}"),
        r#"HeapArray { label: "tag", elements: ["s0", "s1"] }"#
    );
    // Unlabelled: as the slice (and `Box<[T]>`) formats, `{:#?}` too.
    assert_eq!(format!("{b:#?}"), format!("{:#?}", vec![0, 1]));
    assert_eq!(
        format!("{:#?}", HeapArray::with_label(1u8, 1, |_, _| 0u8)),
        "HeapArray {\n    label: 1,\n    elements: [\n        0,\n    ],\n}"
    );
}

#[test]
fn comparisons_and_hash_agree_with_the_slice() {
    let vecs: Vec<Vec<u8>> = vec![
        vec![],
        vec![0],
        vec![1],
        vec![0, 0],
        vec![0, 1],
        vec![1, 0],
        vec![1, 2, 3],
        vec![1, 2, 3],
        vec![255],
    ];
    let arrays: Vec<HeapArray<u8>> = vecs.iter().map(|v| HeapArray::from(&v[..])).collect();
    for (va, a) in vecs.iter().zip(&arrays) {
        assert_eq!(hash_of(a), hash_of(&va[..]), "{va:?}");
        for (vb, b) in vecs.iter().zip(&arrays) {
            assert_eq!(a == b, va == vb, "{va:?} == {vb:?}");
            assert_eq!(a != b, va != vb, "{va:?} != {vb:?}");
            assert_eq!(a.cmp(b), va.cmp(vb), "{va:?} cmp {vb:?}");
            assert_eq!(
                a.partial_cmp(b),
                va.partial_cmp(vb),
                "{va:?} partial_cmp {vb:?}"
            );
            assert_eq!(a < b, va < vb);
            assert_eq!(a >= b, va >= vb);
        }
    }
    let mut sorted = arrays.clone();
    sorted.sort();
    let mut expected = vecs.clone();
    expected.sort();
    assert!(sorted.iter().map(|a| a.to_vec()).eq(expected));
}

#[test]
fn comparisons_take_the_label_then_the_elements() {
    let a = HeapArray::with_label(1u8, 3, |_, i| i);
    let b = HeapArray::with_label(2u8, 3, |_, i| i);
    assert_ne!(a, b);
    assert_eq!(a.cmp(&b), std::cmp::Ordering::Less);
    assert_eq!(hash_of(&a), hash_of(&(1u8, &[0usize, 1, 2][..])));
    assert_eq!(a, HeapArray::with_label(1u8, 3, |_, i| i));
}

#[test]
fn partial_cmp_with_nan() {
    let a = HeapArray::from(vec![1.0, f64::NAN]);
    let b = HeapArray::from(vec![1.0, 2.0]);
    assert_eq!(a.partial_cmp(&b), None);
    assert_ne!(a, a.clone());
    assert!(b.partial_cmp(&b.clone()) == Some(std::cmp::Ordering::Equal));
}

#[test]
fn as_ref_and_borrow_look_up_by_slice() {
    let a = HeapArray::from(vec![1u8, 2, 3]);
    let r: &[u8] = a.as_ref();
    assert_eq!(r, &[1, 2, 3]);
    let set: HashSet<HeapArray<u8>> = [vec![1u8, 2, 3], vec![4], vec![]]
        .into_iter()
        .map(HeapArray::from)
        .collect();
    assert!(set.contains(&[1u8, 2, 3][..]));
    assert!(set.contains(&[4u8][..]));
    assert!(set.contains(&[0u8; 0][..]));
    assert!(!set.contains(&[1u8, 2][..]));
    assert_eq!(set.len(), 3);
}

#[test]
fn into_parts_returns_label_and_elements() {
    let a = HeapArray::with_label('x', 3, |_, i| i);
    assert_eq!(a.into_parts(), ('x', vec![0, 1, 2]));

    let ledger = Ledger::new();
    let a = HeapArray::with_label(ledger.canary(), 4, |_, _| ledger.canary());
    let (label, elems) = a.into_parts();
    assert_eq!(label.id, 0);
    assert_eq!(elems.iter().map(|c| c.id).collect::<Vec<_>>(), [1, 2, 3, 4]);
    assert_eq!(ledger.live(), 5, "nothing dropped");
    drop((label, elems));
    ledger.assert_all_dropped();

    let e = HeapArray::<u8, _>::with_label(String::from("l"), 0, |_, _| 0);
    assert_eq!(e.into_parts(), (String::from("l"), vec![]));
}

// ---------------------------------------------------------------------------
// Drop counting

/// `make` builds something holding canaries of `ledger`; after dropping it,
/// every canary made was dropped exactly once, and all memory is freed.
/// `made` canaries are made, `alive` of them still alive before the drop.
fn drops_everything<T>(
    name: &str,
    (made, alive): (usize, usize),
    make: impl FnOnce(&Arc<Ledger>) -> T,
) {
    let ledger = Ledger::new();
    let ((), _, live) = allocations(|| {
        let value = make(&ledger);
        assert_eq!(ledger.live(), alive, "{name}: alive before the drop");
        drop(value);
    });
    assert_eq!(ledger.made(), made, "{name}: made");
    ledger.assert_all_dropped();
    assert_eq!(live, 0, "{name}: leaked bytes");
}

#[test]
fn every_element_and_label_dropped_once() {
    drops_everything("new", (6, 6), |l| HeapArray::new(6, |_| l.canary()));
    drops_everything("with_label", (7, 7), |l| {
        HeapArray::with_label(l.canary(), 6, |_, _| l.canary())
    });
    drops_everything("with_label (canary label, len 0)", (1, 1), |l| {
        HeapArray::<u8, _>::with_label(l.canary(), 0, |_, _| 0)
    });
    drops_everything("from vec", (6, 6), |l| {
        HeapArray::from((0..6).map(|_| l.canary()).collect::<Vec<_>>())
    });
    drops_everything("from box", (6, 6), |l| {
        HeapArray::from((0..6).map(|_| l.canary()).collect::<Box<[_]>>())
    });
    drops_everything("from slice", (12, 12), |l| {
        let src: Vec<Canary> = (0..6).map(|_| l.canary()).collect();
        (HeapArray::from(&src[..]), src)
    });
    drops_everything("collect exact", (6, 6), |l| {
        (0..6).map(|_| l.canary()).collect::<HeapArray<_>>()
    });
    drops_everything("collect inexact", (3, 3), |l| {
        (0..6)
            .filter(|i| i % 2 == 0)
            .map(|_| l.canary())
            .collect::<HeapArray<_>>()
    });
    drops_everything("clone", (14, 14), |l| {
        let a = HeapArray::with_label(l.canary(), 6, |_, _| l.canary());
        let b = a.clone();
        (a, b)
    });
    drops_everything("clone of a clone, original dropped first", (21, 14), |l| {
        let a = HeapArray::with_label(l.canary(), 6, |_, _| l.canary());
        let b = a.clone();
        let c = b.clone();
        drop(a);
        (b, c)
    });
    drops_everything("into_parts", (7, 7), |l| {
        HeapArray::with_label(l.canary(), 6, |_, _| l.canary()).into_parts()
    });
    drops_everything("into_iter, half consumed", (7, 7), |l| {
        let mut it = HeapArray::with_label(l.canary(), 6, |_, _| l.canary()).into_iter();
        let taken: Vec<Canary> = it.by_ref().take(3).collect();
        assert_eq!(l.live(), 7, "the label lives until the iterator drops");
        (taken, it)
    });
    drops_everything("label replaced", (8, 7), |l| {
        let mut a = HeapArray::with_label(l.canary(), 6, |_, _| l.canary());
        *a.get_label_mut() = l.canary();
        assert_eq!(l.live(), 7, "the old label dropped on assignment");
        a
    });
}

// ---------------------------------------------------------------------------
// Panic safety
//
// Each test is generic over the element and label types and runs with the
// canary alone and with elements and labels that own heap memory
// (`owning_tests!`: `String`, `Box<u64>`, `Vec<u64>`), so that Miri sees
// every drop on the unwind path touch memory.

owning_tests!(
    panicking_closure_drops_what_was_made,
    panicking_closure_without_label,
    panicking_clone_in_clone,
    panicking_clone_in_from_slice,
    panicking_iterator_in_collect,
    capacity_overflow_drops_the_label_once,
);

fn panicking_closure_drops_what_was_made<E: Owning, L: Owning>() {
    quiet_panics();
    let len = 8;
    for k in panic_points(len) {
        let ledger = Ledger::new();
        let calls = Cell::new(0);
        let ((), _, live) = allocations(|| {
            let msg = expect_panic(|| {
                HeapArray::with_label(L::make(&ledger, LABEL), len, |label, i| {
                    label.check(LABEL);
                    calls.set(calls.get() + 1);
                    if i == k {
                        panic!("closure panics on purpose at {i}");
                    }
                    E::make(&ledger, i)
                })
            });
            assert_eq!(msg, format!("closure panics on purpose at {k}"));
        });
        assert_eq!(calls.get(), k + 1, "k = {k}: stopped at the panic");
        assert_eq!(ledger.made(), k + 1, "k = {k}: label and {k} elements");
        ledger.assert_all_dropped();
        assert_eq!(live, 0, "k = {k}: the block leaked");
    }
}

fn panicking_closure_without_label<E: Owning, L: Owning>() {
    quiet_panics();
    let len = 5;
    for k in panic_points(len) {
        let ledger = Ledger::new();
        let ((), _, live) = allocations(|| {
            expect_panic(|| {
                HeapArray::new(len, |i| {
                    if i == k {
                        panic!("closure panics on purpose");
                    }
                    E::make(&ledger, i)
                })
            });
            // And with a label that owns memory but no canary.
            expect_panic(|| {
                HeapArray::with_label(format!("label {k}"), len, |_, i| {
                    if i == k {
                        panic!("closure panics on purpose");
                    }
                    L::make(&ledger, i)
                })
            });
        });
        assert_eq!(ledger.made(), 2 * k);
        ledger.assert_all_dropped();
        assert_eq!(live, 0, "k = {k}");
    }
}

fn panicking_clone_in_clone<E: Owning, L: Owning>() {
    quiet_panics();
    let len = 6;
    // Clone number 0 is the label's; element i is clone number i + 1.
    for k in [0, 1, 2, len / 2 + 1, len] {
        let ledger = Ledger::new();
        let a = HeapArray::with_label(L::make(&ledger, LABEL), len, |_, i| E::make(&ledger, i));
        let ids = ids_of(&a);
        ledger.panic_on_clone(k);
        let ((), _, live) = allocations(|| {
            let msg = expect_panic(|| a.clone());
            assert_eq!(msg, "clone panics on purpose");
        });
        assert_eq!(live, 0, "k = {k}: the new block leaked");
        assert_eq!(ledger.made(), len + 1 + k, "k = {k}: clones made");
        assert_eq!(ledger.live(), len + 1, "k = {k}: every clone dropped");
        assert_eq!(ids_of(&a), ids, "original intact");
        check_all(&a);
        assert_eq!(a.get_label().id(), 0);
        a.get_label().check(LABEL);
        drop(a);
        ledger.assert_all_dropped();
    }
}

fn panicking_clone_in_from_slice<E: Owning, L: Owning>() {
    quiet_panics();
    let len = 6;
    for k in panic_points(len) {
        let ledger = Ledger::new();
        let src: Vec<E> = (0..len).map(|i| E::make(&ledger, i)).collect();
        ledger.panic_on_clone(k);
        let ((), _, live) = allocations(|| {
            expect_panic(|| HeapArray::from(&src[..]));
        });
        assert_eq!(live, 0, "k = {k}");
        assert_eq!(ledger.made(), len + k);
        assert_eq!(ledger.live(), len, "k = {k}: the clones are dropped");
        check_all(&src);
        drop(src);
        ledger.assert_all_dropped();
    }
}

fn panicking_iterator_in_collect<E: Owning, L: Owning>() {
    quiet_panics();
    let len = 8;
    for k in panic_points(len) {
        for exact in [true, false] {
            let ledger = Ledger::new();
            let ((), _, live) = allocations(|| {
                let items = (0..len).map(|i| {
                    if i == k {
                        panic!("iterator panics on purpose");
                    }
                    E::make(&ledger, i)
                });
                if exact {
                    expect_panic(|| items.collect::<HeapArray<_>>());
                } else {
                    expect_panic(|| items.filter(|_| true).collect::<HeapArray<_>>());
                }
            });
            assert_eq!(ledger.made(), k, "k = {k}, exact = {exact}");
            ledger.assert_all_dropped();
            assert_eq!(live, 0, "k = {k}, exact = {exact}");
        }
    }
}

// ---------------------------------------------------------------------------
// Zero-sized types

#[test]
fn zero_sized_elements_and_labels() {
    let a = HeapArray::new(5, |_| ());
    assert_eq!(a.len(), 5);
    assert_eq!(&*a, &[(); 5]);
    let b = HeapArray::with_label((), 3, |(), _| ());
    assert_eq!(format!("{b:?}"), "[(), (), ()]");
    let c = HeapArray::with_label((), 3, |(), i| i as u16);
    assert_eq!(&*c, &[0, 1, 2]);
    let d: HeapArray<()> = std::iter::repeat_n((), 7).filter(|_| true).collect();
    assert_eq!(d.len(), 7);
    let e = HeapArray::from(vec![(); 4]);
    assert_eq!(e.len(), 4);
    assert_eq!(e.clone().len(), 4);
    let (label, v) = e.into_parts();
    assert_eq!((label, v.len()), ((), 4));
    let empty = HeapArray::<(), ()>::new(0, |_| ());
    assert!(empty.is_empty());
    let ((), _, live) = allocations(|| drop((a, b, c, d, empty)));
    assert!(live <= 0);
}

#[test]
fn zero_sized_elements_with_drop_are_counted() {
    let n = if cfg!(miri) { 100 } else { 1_000_000 };
    let before = zst_counts();
    let ((), _, live) = allocations(|| {
        let a = HeapArray::with_label(Zst::make(), n, |_, _| Zst::make());
        assert_eq!(a.len(), n);
        let b = a.clone_zsts();
        assert_eq!(b.len(), n);
        let c = HeapArray::<Zst, Zst>::with_len(Zst::make(), n);
        assert_eq!(c.len(), n);
        let d: HeapArray<Zst> = (0..n).map(|_| Zst::make()).filter(|_| true).collect();
        assert_eq!(d.len(), n);
        drop((a, b, c, d));
    });
    let after = zst_counts();
    let made = after.0 - before.0;
    let dropped = after.1 - before.1;
    assert_eq!(made, 4 * n + 3);
    assert_eq!(dropped, made, "every zero-sized value dropped once");
    assert_eq!(live, 0);
}

/// Clones element by element, through `with_label` (so that the count of
/// values made is known whatever `HeapArray::clone` does).
trait CloneZsts {
    fn clone_zsts(&self) -> HeapArray<Zst, Zst>;
}

impl CloneZsts for HeapArray<Zst, Zst> {
    fn clone_zsts(&self) -> HeapArray<Zst, Zst> {
        HeapArray::with_label(Zst::make(), self.len(), |_, _| Zst::make())
    }
}

#[test]
fn zero_sized_panic_safety() {
    quiet_panics();
    let before = zst_counts();
    expect_panic(|| {
        HeapArray::with_label(Zst::make(), 10, |_, i| {
            if i == 6 {
                panic!("closure panics on purpose");
            }
            Zst::make()
        })
    });
    let after = zst_counts();
    assert_eq!(after.0 - before.0, 7);
    assert_eq!(after.1 - before.1, 7);
}

#[test]
fn huge_zero_sized_array() {
    let n = if cfg!(miri) { 1_000 } else { 1_000_000 };
    let a = HeapArray::new(n, |_| ());
    assert_eq!(a.len(), n);
    assert_eq!(a.iter().count(), n);
    let b: HeapArray<()> = (0..n).map(|_| ()).collect();
    assert_eq!(b.len(), n);
}

#[test]
fn over_aligned_zero_sized_types() {
    let a = HeapArray::with_label(Zst256, 4, |_, _| Zst256);
    assert_eq!(a.as_ptr() as usize % 256, 0);
    assert_eq!(a.get_label() as *const Zst256 as usize % 256, 0);
    let b = HeapArray::with_label(3u8, 4, |_, _| Zst256);
    assert_eq!(b.as_ptr() as usize % 256, 0);
    assert_eq!(*b.get_label(), 3);
    let c = HeapArray::with_label(Zst256, 4, |_, i| i as u8);
    assert_eq!(&*c, &[0, 1, 2, 3]);
    assert_eq!(c.get_label() as *const Zst256 as usize % 256, 0);
}

// ---------------------------------------------------------------------------
// Over-aligned types

fn assert_aligned<E, L>(a: &HeapArray<E, L>) {
    assert_eq!(a.as_ptr() as usize % std::mem::align_of::<E>(), 0);
    assert_eq!(
        a.get_label() as *const L as usize % std::mem::align_of::<L>(),
        0
    );
}

#[test]
fn over_aligned_elements_and_labels() {
    let a = HeapArray::with_label(Align256(7), 5, |_, i| Align256(i as u64));
    assert_eq!(a.as_ptr() as usize % 256, 0);
    assert_eq!(a.get_label() as *const Align256 as usize % 256, 0);
    assert_eq!(a[4], Align256(4));
    assert_eq!(*a.get_label(), Align256(7));
    assert_aligned(&a.clone());

    let b = HeapArray::with_label(1u8, 3, |_, i| Align256(i as u64));
    assert_aligned(&b);
    assert_eq!(b.as_ptr() as usize % 256, 0);
    let c = HeapArray::with_label(Align256(1), 3, |_, i| i as u8);
    assert_aligned(&c);
    assert_eq!(c.get_label() as *const Align256 as usize % 256, 0);
    assert_eq!(&*c, &[0, 1, 2]);

    let n = if cfg!(miri) { 20 } else { 500 };
    // Growing by realloc keeps the alignment.
    let d: HeapArray<Align256> = (0..n as u64).filter(|_| true).map(Align256).collect();
    assert_eq!(d.as_ptr() as usize % 256, 0);
    assert!(d.iter().enumerate().all(|(i, x)| x.0 == i as u64));
    let e = HeapArray::from(vec![Align256(1), Align256(2)]);
    assert_eq!(e.as_ptr() as usize % 256, 0);
    let f = HeapArray::from(&[Align256(3)][..]);
    assert_eq!(f.as_ptr() as usize % 256, 0);
    let (label, v) = a.into_parts();
    assert_eq!(label, Align256(7));
    assert_eq!(v.len(), 5);
    let ((), _, live) = allocations(|| drop((b, c, d, e, f)));
    assert!(live < 0);
}

// ---------------------------------------------------------------------------
// Capacity overflow

/// Allocations a caught panic makes by itself (the payload box, the
/// message string `expect_panic` returns).
fn panic_cost() -> usize {
    let _warm = allocations(|| expect_panic(|| panic!("capacity overflow (a baseline)")));
    allocations(|| expect_panic(|| panic!("capacity overflow (a baseline)"))).1
}

/// `f` panics with "capacity overflow", allocating nothing but the panic.
#[track_caller]
fn overflows<R>(f: impl FnOnce() -> R) {
    quiet_panics();
    let cost = panic_cost();
    let (msg, n, _) = allocations(|| expect_panic(f));
    assert!(msg.contains("capacity overflow"), "message: {msg:?}");
    assert_eq!(n, cost, "nothing allocated before the panic");
}

#[test]
fn capacity_overflow_panics_before_allocating() {
    let called = Cell::new(false);
    let f = |_| {
        called.set(true);
        0u8
    };
    overflows(|| HeapArray::new(usize::MAX, f));
    overflows(|| HeapArray::<u8>::new(isize::MAX as usize + 1, f));
    overflows(|| HeapArray::<u64>::new(isize::MAX as usize / 8 + 1, |_| 0));
    overflows(|| HeapArray::<u64>::new(usize::MAX / 8 + 1, |_| 0));
    overflows(|| HeapArray::<u64>::new(usize::MAX, |_| 0));
    // The label pushes an array that fits on its own over the limit.
    overflows(|| HeapArray::with_label(0u64, isize::MAX as usize, |_, _| 0u8));
    overflows(|| HeapArray::<Align256, ()>::with_len((), isize::MAX as usize / 256 + 1));
    overflows(|| HeapArray::<u32, ()>::with_len((), usize::MAX));
    assert!(!called.get(), "the closure is never called");
}

fn capacity_overflow_drops_the_label_once<E: Owning, L: Owning>() {
    quiet_panics();
    let ledger = Ledger::new();
    let ((), _, live) = allocations(|| {
        let msg = expect_panic(|| {
            HeapArray::with_label(L::make(&ledger, LABEL), usize::MAX, |_, _| -> u64 {
                panic!("never called")
            })
        });
        assert!(msg.contains("capacity overflow"), "{msg}");
        let msg = expect_panic(|| {
            HeapArray::with_label(L::make(&ledger, LABEL), usize::MAX / 2, |_, _| -> E {
                panic!("never called")
            })
        });
        assert!(msg.contains("capacity overflow"), "{msg}");
    });
    assert_eq!(ledger.made(), 2);
    ledger.assert_all_dropped();
    assert_eq!(live, 0);
}

// ---------------------------------------------------------------------------
// Allocation counts

/// `make` allocates exactly one block of `bytes` (beyond what `setup`
/// allocated), and dropping it frees it.
#[track_caller]
fn one_block<T>(name: &str, bytes: isize, make: impl FnOnce() -> T) {
    let (value, n, live) = allocations(make);
    assert_eq!(n, 1, "{name}: allocations");
    assert_eq!(live, bytes, "{name}: live bytes");
    let ((), _, freed) = allocations(|| drop(value));
    assert_eq!(freed, -bytes, "{name}: freed bytes");
}

#[test]
fn one_allocation_per_array() {
    let src = [5u64; 10];
    one_block("new", 80, || HeapArray::new(10, |i| i as u64));
    // A u32 label, then the elements at u64's alignment (8 on x86_64, 4 on
    // i686).
    let label_room = 4usize.next_multiple_of(std::mem::align_of::<u64>()) as isize;
    one_block("with_label", label_room + 80, || {
        HeapArray::with_label(1u32, 10, |_, i| i as u64)
    });
    one_block("with_len", 80, || HeapArray::<u64, ()>::with_len((), 10));
    one_block("collect exact", 80, || (0..10u64).collect::<HeapArray<_>>());
    one_block("from slice", 80, || HeapArray::from(&src[..]));
    // From a vector: one block, and the vector's buffer freed.
    let v = vec![1u64; 10];
    let (a, n, live) = allocations(|| HeapArray::from(v));
    assert_eq!((n, live), (1, 0), "from vec: 80 bytes allocated, 80 freed");
    let ((), _, freed) = allocations(|| drop(a));
    assert_eq!(freed, -80);
    let a = HeapArray::with_label(1u64, 10, |_, i| i as u64);
    one_block("clone", 88, || a.clone());
}

#[test]
fn inexact_collect_ends_with_one_block() {
    let n = if cfg!(miri) { 50 } else { 1_000 };
    let (a, _, live) = allocations(|| {
        (0..n as u64)
            .filter(|x| x % 2 == 1)
            .collect::<HeapArray<_>>()
    });
    assert_eq!(a.len(), n / 2);
    assert_eq!(live, (n / 2 * 8) as isize, "trimmed to the length");
    let ((), _, freed) = allocations(|| drop(a));
    assert_eq!(freed, -live);
}

#[test]
fn into_parts_frees_the_block() {
    let a = HeapArray::with_label(3u64, 10, |_, i| i as u64);
    let ((label, v), _, live) = allocations(|| a.into_parts());
    assert_eq!(label, 3);
    // The block (8 + 80 bytes) is gone; the vector's 80 bytes are live.
    assert_eq!(live, 80 - 88);
    assert_eq!(v.len(), 10);
}

// ---------------------------------------------------------------------------
// Send and Sync

#[test]
fn send_and_sync_like_box() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<HeapArray<u8>>();
    assert_send_sync::<HeapArray<String, Vec<u8>>>();
    let a = HeapArray::with_label(String::from("moved"), 3, |_, i| i);
    let t = std::thread::spawn(move || (a.get_label().clone(), a.iter().sum::<usize>()));
    assert_eq!(t.join().unwrap(), (String::from("moved"), 3));
}
