//! Behaviour of `RcArray`: construction, reading, sharing (`strong_count`,
//! `ptr_eq`, `get_mut`, `make_mut`), drops counted with canaries, panic
//! safety, zero-sized and over-aligned types, capacity overflow and
//! allocation counts.
#![cfg(not(any(loom, shuttle)))]

mod common;

use std::cell::Cell;
use std::collections::HashSet;

use common::handle_tests::{
    drops_everything, liar, one_block, overflows, truth, zero_sized_dropped_once,
};
use common::{
    allocations, check_all, expect_panic, hash_of, ids_of, owning_tests, panic_points,
    quiet_panics, Align256, Canary, Counting, Ledger, Owning, Zst, Zst256, LABEL,
};
use heaparray::*;

/// The bytes of an `RcArray` block before the label: the strong and weak
/// counts and the length.
const HEADER: isize = 3 * std::mem::size_of::<usize>() as isize;

// The allocation counts read the counting allocator.
#[global_allocator]
static A: Counting = Counting;

// The tests every handle shares (tests/common/handle_tests.rs).
common::handle_tests!(RcArray, header: HEADER, drops: rc_array_drops);

#[test]
fn new_and_default_hold_one_strong_count() {
    let a = RcArray::new(10, |i| i + 3);
    assert_eq!(RcArray::strong_count(&a), 1);
    let d: RcArray<String> = RcArray::default();
    assert_eq!(RcArray::strong_count(&d), 1);
}

// ---------------------------------------------------------------------------
// Construction

#[test]
fn collect_exact_and_inexact() {
    let a: RcArray<u32> = (0..20).collect();
    assert_eq!(&*a, &(0..20).collect::<Vec<_>>()[..]);
    let n = if cfg!(miri) { 100 } else { 10_000 };
    let b: RcArray<usize> = (0..n).filter(|x| x % 3 == 0).collect();
    assert_eq!(&*b, &(0..n).filter(|x| x % 3 == 0).collect::<Vec<_>>()[..]);
    let none: RcArray<usize> = (0..n).filter(|_| false).collect();
    assert!(none.is_empty());
    let e: RcArray<u8> = std::iter::empty().collect();
    assert!(e.is_empty());
}

// ---------------------------------------------------------------------------
// Reading

#[test]
fn deref_and_slice_methods() {
    let a = RcArray::new(5, |i| (i * 3) % 5);
    assert_eq!(&*a, &[0, 3, 1, 4, 2]);
    assert_eq!(a.iter().max(), Some(&4));
    assert_eq!(a.first(), Some(&0));
    assert!(a.contains(&4));
    assert_eq!(a.to_vec(), vec![0, 3, 1, 4, 2]);
    let s: &[usize] = &a;
    assert_eq!(s.len(), 5);
}

#[test]
fn get_label_is_shared_by_clones() {
    let a = RcArray::with_label(String::from("shared"), 3, |_, i| i);
    let b = a.clone();
    assert_eq!(b.get_label(), "shared");
    assert!(std::ptr::eq(a.get_label(), b.get_label()));
}

// ---------------------------------------------------------------------------
// Sharing

#[test]
fn clone_shares_the_block() {
    let a = RcArray::with_label('l', 3, |_, i| i);
    assert_eq!(RcArray::strong_count(&a), 1);
    let b = a.clone();
    assert_eq!(RcArray::strong_count(&a), 2);
    assert_eq!(RcArray::strong_count(&b), 2);
    assert!(RcArray::ptr_eq(&a, &b));
    assert_eq!(a.as_ptr(), b.as_ptr());
    let c = b.clone();
    assert_eq!(RcArray::strong_count(&a), 3);
    drop(b);
    assert_eq!(RcArray::strong_count(&a), 2);
    assert_eq!(RcArray::strong_count(&c), 2);
    drop(a);
    assert_eq!(RcArray::strong_count(&c), 1);
    assert_eq!(&*c, &[0, 1, 2]);
}

#[test]
fn ptr_eq_tells_blocks_apart() {
    let a = RcArray::new(2, |i| i);
    let b = RcArray::new(2, |i| i);
    assert_eq!(a, b);
    assert!(!RcArray::ptr_eq(&a, &b));
    assert!(RcArray::ptr_eq(&a, &a));
    assert!(RcArray::ptr_eq(&b, &b.clone()));
}

#[test]
fn get_mut_only_while_unique() {
    let mut a = RcArray::new(3, |i| i);
    RcArray::get_mut(&mut a).unwrap()[0] = 7;
    assert_eq!(&*a, &[7, 1, 2]);
    let b = a.clone();
    assert!(RcArray::get_mut(&mut a).is_none());
    let mut b2 = b.clone();
    assert!(RcArray::get_mut(&mut b2).is_none());
    drop(b);
    assert!(RcArray::get_mut(&mut a).is_none(), "b2 still shares");
    drop(b2);
    let s = RcArray::get_mut(&mut a).expect("unique again");
    s[2] = 9;
    s.swap(0, 1);
    assert_eq!(&*a, &[1, 7, 9]);
    let mut empty = RcArray::<u8>::new(0, |_| 0);
    assert_eq!(RcArray::get_mut(&mut empty), Some(&mut [][..]));
}

#[test]
fn make_mut_copies_on_write() {
    let mut a = RcArray::with_label(String::from("label"), 3, |_, i| vec![i]);
    let b = a.clone();
    RcArray::make_mut(&mut a)[0].push(100);
    assert_eq!(&*a, &[vec![0, 100], vec![1], vec![2]]);
    assert_eq!(
        &*b,
        &[vec![0], vec![1], vec![2]],
        "the other handle unchanged"
    );
    assert!(!RcArray::ptr_eq(&a, &b));
    assert_eq!(RcArray::strong_count(&a), 1);
    assert_eq!(RcArray::strong_count(&b), 1);
    assert_eq!(a.get_label(), "label", "the label is cloned");
    assert_eq!(b.get_label(), "label");
    assert!(!std::ptr::eq(a.get_label(), b.get_label()));

    // Now unique: no further copy.
    let before = a.as_ptr();
    RcArray::make_mut(&mut a)[1].push(101);
    assert_eq!(a.as_ptr(), before);
    assert_eq!(&a[1], &[1, 101]);
}

#[test]
fn make_mut_clones_the_label_and_elements_with_canaries() {
    let ledger = Ledger::new();
    let mut a = RcArray::with_label(ledger.canary(), 3, |_, _| ledger.canary());
    let b = a.clone();
    let old = ids_of(&b);
    let s = RcArray::make_mut(&mut a);
    assert_eq!(s.len(), 3);
    assert_eq!(ledger.made(), 8, "the label and three elements cloned");
    assert_eq!(ids_of(&b), old);
    assert_eq!(b.get_label().id, 0);
    assert!(ids_of(&a).iter().all(|id| !old.contains(id)));
    assert!(a.get_label().id != 0);
    drop(b);
    assert_eq!(ledger.live(), 4, "the original block dropped");
    drop(a);
    ledger.assert_all_dropped();
}

#[test]
fn make_mut_on_a_unique_handle_does_not_clone() {
    let ledger = Ledger::new();
    let mut a = RcArray::with_label(ledger.canary(), 3, |_, _| ledger.canary());
    let ptr = a.as_ptr();
    ledger.panic_on_clone(0);
    let ((), n, _) = allocations(|| {
        let s = RcArray::make_mut(&mut a);
        s.swap(0, 2);
    });
    assert_eq!(n, 0);
    assert_eq!(a.as_ptr(), ptr);
    assert_eq!(ids_of(&a), [3, 2, 1]);
    assert_eq!(ledger.made(), 4);
    drop(a);
    ledger.assert_all_dropped();
}

#[test]
fn last_clone_frees_exactly_once() {
    let ledger = Ledger::new();
    let ((), _, live) = allocations(|| {
        let (a, made, block) =
            allocations(|| RcArray::with_label(ledger.canary(), 4, |_, _| ledger.canary()));
        assert_eq!(made, 1);
        let n = if cfg!(miri) { 10 } else { 1_000 };
        let mut clones: Vec<RcArray<Canary, Canary>> = (0..n).map(|_| a.clone()).collect();
        assert_eq!(RcArray::strong_count(&a), n + 1);
        drop(a);
        // Drop all but one, in an interleaved order.
        let last = clones.pop().unwrap();
        let ((), _, freed) = allocations(|| {
            while !clones.is_empty() {
                let i = clones.len() / 2;
                drop(clones.swap_remove(i));
                assert_eq!(ledger.live(), 5, "contents alive while a handle is");
            }
        });
        assert_eq!(freed, 0, "nothing freed while a handle is alive");
        assert_eq!(RcArray::strong_count(&last), 1);
        assert_eq!(last.len(), 4);
        let ((), _, freed) = allocations(|| drop(last));
        assert_eq!(freed, -block, "the block freed with the last handle");
        ledger.assert_all_dropped();
        drop(clones);
    });
    assert_eq!(live, 0);
}

// ---------------------------------------------------------------------------
// Drop counting

/// The drops of what only this handle has (`every_element_and_label_dropped_once`,
/// with the constructors every handle has).
fn rc_array_drops() {
    drops_everything("clones", (7, 7), |l| {
        let a = RcArray::with_label(l.canary(), 6, |_, _| l.canary());
        let b = a.clone();
        (a.clone(), b, a)
    });
    drops_everything("make_mut while shared", (14, 14), |l| {
        let mut a = RcArray::with_label(l.canary(), 6, |_, _| l.canary());
        let b = a.clone();
        RcArray::make_mut(&mut a);
        (a, b)
    });
    drops_everything("make_mut, original dropped", (14, 7), |l| {
        let mut a = RcArray::with_label(l.canary(), 6, |_, _| l.canary());
        let b = a.clone();
        RcArray::make_mut(&mut a);
        drop(b);
        a
    });
}

// ---------------------------------------------------------------------------
// Panic safety
//
// Generic over the element and label types: run with the canary alone and
// with heap-owning elements and labels (`owning_tests!`).

owning_tests!(panicking_clone_in_make_mut_leaves_the_handle_unchanged);

fn panicking_clone_in_make_mut_leaves_the_handle_unchanged<E: Owning, L: Owning>() {
    let len = 6;
    common::make_mut_with_a_panicking_clone!(
        RcArray<E, L>,
        RcArray::with_label,
        len,
        [0, 1, 2, len / 2 + 1, len]
    );
}

// ---------------------------------------------------------------------------
// Zero-sized and over-aligned types

#[test]
fn zero_sized_elements_shared_and_copied() {
    let a = RcArray::new(5, |_| ());
    let b = a.clone();
    assert!(RcArray::ptr_eq(&a, &b));
    assert_eq!(format!("{b:?}"), "[(), (), (), (), ()]");

    // make_mut copies zero-sized values with drops one by one.
    let n = if cfg!(miri) { 100 } else { 1_000_000 };
    zero_sized_dropped_once(2 * n + 2, || {
        let mut a = RcArray::with_label(Zst::make(), n, |_, _| Zst::make());
        let b = a.clone();
        RcArray::make_mut(&mut a);
        assert!(!RcArray::ptr_eq(&a, &b));
        assert_eq!((a.len(), b.len()), (n, n));
        drop((a, b));
    });
}

#[test]
fn over_aligned_make_mut() {
    let a = RcArray::with_label(Align256(7), 5, |_, i| Align256(i as u64));
    let mut e = a.clone();
    RcArray::make_mut(&mut e)[0] = Align256(99);
    assert_eq!(e.as_ptr() as usize % 256, 0);
    assert_eq!(e.get_label() as *const Align256 as usize % 256, 0);
    assert_eq!(a[0], Align256(0));
}

// ---------------------------------------------------------------------------
// Capacity overflow

#[test]
fn capacity_overflow_counts_the_header() {
    // The header (count and length) pushes a length that fits on its own
    // over; the closure is never called.
    overflows(|| RcArray::<u8>::new(isize::MAX as usize - 8, |_| -> u8 { panic!("called") }));
    overflows(|| RcArray::<Align256, ()>::with_len((), isize::MAX as usize / 256));
}

// ---------------------------------------------------------------------------
// Allocation counts

#[test]
fn one_allocation_per_make_mut() {
    let mut a = RcArray::new(10, |i| i as u64);
    let (b, n, live) = allocations(|| a.clone());
    assert_eq!((n, live), (0, 0), "clone allocates nothing");
    let ((), n, live) = allocations(|| {
        RcArray::make_mut(&mut a);
    });
    assert_eq!(
        (n, live),
        (1, HEADER + 80),
        "make_mut while shared: one new block"
    );
    assert!(!RcArray::ptr_eq(&a, &b));
    let ((), _, freed) = allocations(|| drop((a, b)));
    assert_eq!(freed, -2 * (HEADER + 80));
}
