//! Behaviour of `HeapArray`: construction, reading and writing, the std
//! traits, drops counted with canaries, panic safety, zero-sized and
//! over-aligned types, capacity overflow and allocation counts.
#![cfg(not(any(loom, shuttle)))]

mod common;

use std::cell::Cell;
use std::collections::HashSet;

use common::handle_tests::{
    drops_everything, liar, one_block, overflows, truth, zero_sized_dropped_once,
};
use common::{
    allocations, check_all, expect_panic, hash_of, ids_of, owning_tests, panic_points,
    quiet_panics, zst_counts, Align256, Canary, Counting, Ledger, Owning, Zst, Zst256, LABEL,
};
use heaparray::*;

// The allocation counts read the counting allocator.
#[global_allocator]
static A: Counting = Counting;

// The tests every handle shares (tests/common/handle_tests.rs): a
// `HeapArray` block has no header before the label.
common::handle_tests!(HeapArray, header: 0, drops: heap_array_drops);
common::deep_clone_tests!(HeapArray, header: 0);

// ---------------------------------------------------------------------------
// Construction

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

// ---------------------------------------------------------------------------
// Reading and writing

#[test]
fn index_mut_by_usize_and_ranges() {
    let mut a = HeapArray::new(6, |i| i as u8);
    a[0] = 10;
    a[1..3].copy_from_slice(&[11, 12]);
    a[4..].fill(9);
    a[..=3][3] = 13;
    assert_eq!(&*a, &[10, 11, 12, 13, 9, 9]);
}

#[test]
fn into_iterator_by_mutable_reference() {
    let mut a = HeapArray::new(4, |i| i as i32);
    for x in &mut a {
        *x *= -1;
    }
    assert_eq!(&*a, &[0, -1, -2, -3]);
    assert_eq!(a.iter_mut().len(), 4);
}

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

/// The drops of what only this handle has (`every_element_and_label_dropped_once`,
/// with the constructors every handle has).
fn heap_array_drops() {
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

owning_tests!(panicking_closure_without_label);

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

// ---------------------------------------------------------------------------
// Zero-sized types

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

#[test]
fn over_aligned_and_zero_sized_into_parts() {
    let a = HeapArray::with_label(Align256(7), 5, |_, i| Align256(i as u64));
    let (label, v) = a.into_parts();
    assert_eq!(label, Align256(7));
    assert_eq!(v.len(), 5);
    let e = HeapArray::from(vec![(); 4]);
    let (label, v) = e.into_parts();
    assert_eq!((label, v.len()), ((), 4));
}

// ---------------------------------------------------------------------------
// Capacity overflow

// ---------------------------------------------------------------------------
// Allocation counts

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
