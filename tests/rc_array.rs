//! Behaviour of `RcArray`: construction, reading, sharing (`strong_count`,
//! `ptr_eq`, `get_mut`, `make_mut`), drops counted with canaries, panic
//! safety, zero-sized and over-aligned types, capacity overflow and
//! allocation counts.
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

/// The ids of a slice of canaries.
fn ids(canaries: &[Canary]) -> Vec<usize> {
    canaries.iter().map(|c| c.id).collect()
}

// ---------------------------------------------------------------------------
// Construction

#[test]
fn new_fills_each_index() {
    let a = RcArray::new(10, |i| i + 3);
    assert_eq!(a.len(), 10);
    assert_eq!(&*a, &[3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    assert_eq!(*a.get_label(), ());
    assert_eq!(RcArray::strong_count(&a), 1);

    let empty = RcArray::new(0, |_| -> u32 { panic!("never called") });
    assert!(empty.is_empty());

    let mut seen = Vec::new();
    let b = RcArray::new(4, |i| {
        seen.push(i);
        i
    });
    assert_eq!(seen, [0, 1, 2, 3]);
    assert_eq!(&*b, &[0, 1, 2, 3]);
}

#[test]
fn with_label_counts_evens_and_odds_in_the_label() {
    let a = RcArray::with_label((0, 0), 10, |(evens, odds), i| {
        if i % 2 == 0 {
            *evens += 1
        } else {
            *odds += 1
        }
        i + 3
    });
    assert_eq!(*a.get_label(), (5, 5));
    assert_eq!(a[1], 4);

    let b = RcArray::with_label((0, 0), 5, |(evens, odds), i| {
        if i % 2 == 0 {
            *evens += 1
        } else {
            *odds += 1
        }
        i * i
    });
    assert_eq!(*b.get_label(), (3, 2));
    assert_eq!(&*b, &[0, 1, 4, 9, 16]);

    let c = RcArray::with_label(0u32, 4, |sum, i| {
        *sum += i as u32;
        *sum
    });
    assert_eq!(*c.get_label(), 6);
    assert_eq!(&*c, &[0, 1, 3, 6]);
}

#[test]
fn with_len_uses_default() {
    let a = RcArray::<u8, char>::with_len('z', 3);
    assert_eq!(&*a, &[0, 0, 0]);
    assert_eq!(*a.get_label(), 'z');
    let s = RcArray::<String, ()>::with_len((), 2);
    assert!(s.iter().all(String::is_empty));
    assert!(RcArray::<String, ()>::with_len((), 0).is_empty());
}

#[test]
fn from_vec_moves_without_cloning() {
    let ledger = Ledger::new();
    let v: Vec<Canary> = (0..5).map(|_| ledger.canary()).collect();
    ledger.panic_on_clone(0);
    let a = RcArray::from(v);
    assert_eq!(ids(&a), [0, 1, 2, 3, 4]);
    assert_eq!(ledger.made(), 5);
    drop(a);
    ledger.assert_all_dropped();

    let mut v = Vec::with_capacity(50);
    v.extend([7u8, 8]);
    let a: RcArray<u8> = v.into();
    assert_eq!(&*a, &[7, 8]);
    assert!(RcArray::from(Vec::<String>::new()).is_empty());
}

#[test]
fn from_slice_clones() {
    let src = [String::from("x"), String::from("yz")];
    let a = RcArray::from(&src[..]);
    assert_eq!(&*a, &src[..]);
    assert_ne!(a.as_ptr(), src.as_ptr());
    let e: RcArray<String> = RcArray::from(&[][..]);
    assert!(e.is_empty());
}

#[test]
fn from_boxed_slice() {
    let b: Box<[i64]> = vec![-1, 0, 1].into_boxed_slice();
    let a = RcArray::from(b);
    assert_eq!(&*a, &[-1, 0, 1]);

    let ledger = Ledger::new();
    let b: Box<[Canary]> = (0..3).map(|_| ledger.canary()).collect();
    ledger.panic_on_clone(0);
    let a = RcArray::from(b);
    assert_eq!(ids(&a), [0, 1, 2]);
    drop(a);
    ledger.assert_all_dropped();
}

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
        let a: RcArray<String> = liar(real, hint).collect();
        assert_eq!(&*a, &truth(real)[..], "real {real}, hint {hint:?}");
    }
}

#[test]
fn collect_from_lying_size_hint_keeps_one_trimmed_block() {
    let honest = allocations(|| truth(5).into_iter().collect::<RcArray<String>>());
    for hint in [
        (0, Some(0)),
        (100, Some(100)),
        (usize::MAX, None),
        (2, None),
    ] {
        let (a, _, live) = allocations(|| liar(5, hint).collect::<RcArray<String>>());
        assert_eq!(live, honest.2, "hint {hint:?}");
        let ((), _, freed) = allocations(|| drop(a));
        assert_eq!(freed, -live, "hint {hint:?}");
    }
}

#[test]
fn default_is_empty() {
    let a: RcArray<String> = RcArray::default();
    assert!(a.is_empty());
    assert_eq!(RcArray::strong_count(&a), 1);
    assert_eq!(format!("{a:?}"), "[]");
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
fn index_by_usize_and_ranges() {
    let a = RcArray::new(6, |i| i as u8);
    assert_eq!(a[0], 0);
    assert_eq!(a[5], 5);
    assert_eq!(&a[1..3], &[1, 2]);
    assert_eq!(&a[..2], &[0, 1]);
    assert_eq!(&a[4..], &[4, 5]);
    assert_eq!(&a[1..=2], &[1, 2]);
    assert_eq!(&a[..=0], &[0]);
    assert_eq!(&a[..], &[0, 1, 2, 3, 4, 5]);
    assert_eq!(&a[6..], &[] as &[u8]);
    expect_panic(|| a[6]);
    expect_panic(|| a[3..7].len());
}

#[test]
fn into_iterator_by_reference() {
    let a = RcArray::new(4, |i| i as i32);
    let mut sum = 0;
    for x in &a {
        sum += *x;
    }
    assert_eq!(sum, 6);
    assert_eq!(
        (&a).into_iter().rev().copied().collect::<Vec<_>>(),
        [3, 2, 1, 0]
    );
}

#[test]
fn get_label_is_shared_by_clones() {
    let a = RcArray::with_label(String::from("shared"), 3, |_, i| i);
    let b = a.clone();
    assert_eq!(b.get_label(), "shared");
    assert!(std::ptr::eq(a.get_label(), b.get_label()));
}

#[test]
fn debug_shows_label_and_elements() {
    let a = RcArray::<u8, u32>::with_label(17, 4, |_, i| i as u8);
    assert_eq!(
        format!("{a:?}"),
        "RcArray { label: 17, elements: [0, 1, 2, 3] }"
    );
    let b = RcArray::with_label("tag", 2, |_, i| format!("s{i}"));
    assert_eq!(
        format!("{b:?}"),
        r#"RcArray { label: "tag", elements: ["s0", "s1"] }"#
    );
    assert_eq!(format!("{:?}", b.clone()), format!("{b:?}"));
}

#[test]
fn comparisons_and_hash_agree_with_the_slice() {
    let vecs: Vec<Vec<i16>> = vec![
        vec![],
        vec![-1],
        vec![0],
        vec![0, 0],
        vec![0, 1],
        vec![1, -5],
        vec![1, 2, 3],
        vec![1, 2, 3],
    ];
    let arrays: Vec<RcArray<i16>> = vecs.iter().map(|v| RcArray::from(&v[..])).collect();
    for (va, a) in vecs.iter().zip(&arrays) {
        assert_eq!(hash_of(a), hash_of(&va[..]), "{va:?}");
        for (vb, b) in vecs.iter().zip(&arrays) {
            assert_eq!(a == b, va == vb, "{va:?} == {vb:?}");
            assert_eq!(a.cmp(b), va.cmp(vb), "{va:?} cmp {vb:?}");
            assert_eq!(a.partial_cmp(b), va.partial_cmp(vb));
            assert_eq!(a > b, va > vb);
        }
    }
    // A clone is equal; a block with the same elements and another label
    // is not (the label, then the elements, as a derived struct).
    let x = RcArray::with_label(1u8, 3, |_, i| i);
    let y = RcArray::with_label(2u8, 3, |_, i| i);
    assert_eq!(x, x.clone());
    assert_ne!(x, y);
    assert!(x < y);
    assert_eq!(hash_of(&x), hash_of(&(1u8, &[0usize, 1, 2][..])));
    let nan = RcArray::from(vec![f32::NAN]);
    assert_ne!(nan, nan.clone(), "like the slice, even for the same block");
    assert_eq!(nan.partial_cmp(&nan.clone()), None);
}

#[test]
fn as_ref_and_borrow_look_up_by_slice() {
    let a = RcArray::from(vec![1u8, 2]);
    assert_eq!(<RcArray<u8> as AsRef<[u8]>>::as_ref(&a), &[1, 2]);
    let set: HashSet<RcArray<u8>> = [vec![1u8, 2], vec![3]]
        .into_iter()
        .map(RcArray::from)
        .collect();
    assert!(set.contains(&[1u8, 2][..]));
    assert!(!set.contains(&[2u8, 1][..]));
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
    let old = ids(&b);
    let s = RcArray::make_mut(&mut a);
    assert_eq!(s.len(), 3);
    assert_eq!(ledger.made(), 8, "the label and three elements cloned");
    assert_eq!(ids(&b), old);
    assert_eq!(b.get_label().id, 0);
    assert!(ids(&a).iter().all(|id| !old.contains(id)));
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
    assert_eq!(ids(&a), [3, 2, 1]);
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

/// `make` makes `made` canaries, `alive` of them alive before the drop;
/// after it every canary is dropped exactly once and the memory freed.
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
    drops_everything("new", (6, 6), |l| RcArray::new(6, |_| l.canary()));
    drops_everything("with_label", (7, 7), |l| {
        RcArray::with_label(l.canary(), 6, |_, _| l.canary())
    });
    drops_everything("label only", (1, 1), |l| {
        RcArray::<u8, _>::with_label(l.canary(), 0, |_, _| 0)
    });
    drops_everything("from vec", (6, 6), |l| {
        RcArray::from((0..6).map(|_| l.canary()).collect::<Vec<_>>())
    });
    drops_everything("from box", (6, 6), |l| {
        RcArray::from((0..6).map(|_| l.canary()).collect::<Box<[_]>>())
    });
    drops_everything("from slice", (12, 12), |l| {
        let src: Vec<Canary> = (0..6).map(|_| l.canary()).collect();
        (RcArray::from(&src[..]), src)
    });
    drops_everything("collect exact", (6, 6), |l| {
        (0..6).map(|_| l.canary()).collect::<RcArray<_>>()
    });
    drops_everything("collect inexact", (3, 3), |l| {
        (0..6)
            .filter(|i| i % 2 == 1)
            .map(|_| l.canary())
            .collect::<RcArray<_>>()
    });
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

owning_tests!(
    panicking_closure_drops_what_was_made,
    panicking_clone_in_from_slice,
    panicking_clone_in_make_mut_leaves_the_handle_unchanged,
    panicking_iterator_in_collect,
    capacity_overflow_drops_the_label_once,
);

fn panicking_closure_drops_what_was_made<E: Owning, L: Owning>() {
    quiet_panics();
    let len = 8;
    for k in panic_points(len) {
        let ledger = Ledger::new();
        let ((), _, live) = allocations(|| {
            let msg = expect_panic(|| {
                RcArray::with_label(L::make(&ledger, LABEL), len, |label, i| {
                    label.check(LABEL);
                    if i == k {
                        panic!("closure panics on purpose at {i}");
                    }
                    E::make(&ledger, i)
                })
            });
            assert_eq!(msg, format!("closure panics on purpose at {k}"));
        });
        assert_eq!(ledger.made(), k + 1, "k = {k}");
        ledger.assert_all_dropped();
        assert_eq!(live, 0, "k = {k}: the block leaked");
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
            assert_eq!(
                expect_panic(|| RcArray::from(&src[..])),
                "clone panics on purpose"
            );
        });
        assert_eq!(live, 0, "k = {k}");
        assert_eq!(ledger.made(), len + k);
        assert_eq!(ledger.live(), len);
        check_all(&src);
        drop(src);
        ledger.assert_all_dropped();
    }
}

fn panicking_clone_in_make_mut_leaves_the_handle_unchanged<E: Owning, L: Owning>() {
    quiet_panics();
    let len = 6;
    // Clone number 0 is the label's; element i is clone number i + 1.
    for k in [0, 1, 2, len / 2 + 1, len] {
        let ledger = Ledger::new();
        let mut a = RcArray::with_label(L::make(&ledger, LABEL), len, |_, i| E::make(&ledger, i));
        let b = a.clone();
        let old = ids_of(&a);
        ledger.panic_on_clone(k);
        let ((), _, live) = allocations(|| {
            assert_eq!(
                expect_panic(|| RcArray::make_mut(&mut a).len()),
                "clone panics on purpose"
            );
        });
        assert_eq!(live, 0, "k = {k}: the new block leaked");
        assert_eq!(ledger.made(), len + 1 + k, "k = {k}");
        assert_eq!(ledger.live(), len + 1, "k = {k}: the clones dropped");
        assert!(RcArray::ptr_eq(&a, &b), "k = {k}: still the shared block");
        assert_eq!(RcArray::strong_count(&a), 2);
        assert_eq!(ids_of(&a), old);
        check_all(&a);
        assert_eq!(a.get_label().id(), 0);
        a.get_label().check(LABEL);
        // make_mut works afterwards.
        ledger.panic_on_clone(usize::MAX);
        RcArray::make_mut(&mut a);
        assert!(!RcArray::ptr_eq(&a, &b));
        check_all(&a);
        a.get_label().check(LABEL);
        drop((a, b));
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
                    expect_panic(|| items.collect::<RcArray<_>>());
                } else {
                    expect_panic(|| items.filter(|_| true).collect::<RcArray<_>>());
                }
            });
            assert_eq!(ledger.made(), k, "k = {k}, exact = {exact}");
            ledger.assert_all_dropped();
            assert_eq!(live, 0, "k = {k}, exact = {exact}");
        }
    }
}

// ---------------------------------------------------------------------------
// Zero-sized and over-aligned types

#[test]
fn zero_sized_elements_and_labels() {
    let a = RcArray::new(5, |_| ());
    assert_eq!(a.len(), 5);
    let b = a.clone();
    assert!(RcArray::ptr_eq(&a, &b));
    assert_eq!(format!("{b:?}"), "[(), (), (), (), ()]");
    let c = RcArray::with_label((), 3, |(), i| i as u16);
    assert_eq!(&*c, &[0, 1, 2]);
    let d: RcArray<()> = std::iter::repeat_n((), 7).filter(|_| true).collect();
    assert_eq!(d.len(), 7);
    let e = RcArray::from(vec![(); 4]);
    assert_eq!(e.len(), 4);
    assert!(RcArray::<(), ()>::new(0, |_| ()).is_empty());
}

#[test]
fn zero_sized_elements_with_drop_are_counted() {
    let n = if cfg!(miri) { 100 } else { 1_000_000 };
    let before = zst_counts();
    let ((), _, live) = allocations(|| {
        let mut a = RcArray::with_label(Zst::make(), n, |_, _| Zst::make());
        assert_eq!(a.len(), n);
        let b = a.clone();
        RcArray::make_mut(&mut a);
        assert!(!RcArray::ptr_eq(&a, &b));
        let c = RcArray::<Zst, Zst>::with_len(Zst::make(), n);
        let d: RcArray<Zst> = (0..n).map(|_| Zst::make()).filter(|_| true).collect();
        assert_eq!((b.len(), c.len(), d.len()), (n, n, n));
        drop((a, b, c, d));
    });
    let after = zst_counts();
    let made = after.0 - before.0;
    assert_eq!(made, 4 * n + 3);
    assert_eq!(
        after.1 - before.1,
        made,
        "every zero-sized value dropped once"
    );
    assert_eq!(live, 0);
}

#[test]
fn huge_zero_sized_array() {
    let n = if cfg!(miri) { 1_000 } else { 1_000_000 };
    let a = RcArray::new(n, |_| ());
    assert_eq!(a.len(), n);
    assert_eq!(a.iter().count(), n);
}

#[test]
fn over_aligned_elements_and_labels() {
    let a = RcArray::with_label(Align256(7), 5, |_, i| Align256(i as u64));
    assert_eq!(a.as_ptr() as usize % 256, 0);
    assert_eq!(a.get_label() as *const Align256 as usize % 256, 0);
    assert_eq!(a[3], Align256(3));
    let b = RcArray::with_label(1u8, 3, |_, i| Align256(i as u64));
    assert_eq!(b.as_ptr() as usize % 256, 0);
    let c = RcArray::with_label(Align256(1), 3, |_, i| i as u8);
    assert_eq!(c.get_label() as *const Align256 as usize % 256, 0);
    assert_eq!(&*c, &[0, 1, 2]);
    let n = if cfg!(miri) { 20 } else { 500 };
    let d: RcArray<Align256> = (0..n as u64).filter(|_| true).map(Align256).collect();
    assert_eq!(d.as_ptr() as usize % 256, 0);
    assert!(d.iter().enumerate().all(|(i, x)| x.0 == i as u64));
    let mut e = a.clone();
    RcArray::make_mut(&mut e)[0] = Align256(99);
    assert_eq!(e.as_ptr() as usize % 256, 0);
    assert_eq!(e.get_label() as *const Align256 as usize % 256, 0);
    assert_eq!(a[0], Align256(0));
    let z = RcArray::with_label(Zst256, 3, |_, _| Zst256);
    assert_eq!(z.as_ptr() as usize % 256, 0);
    assert_eq!(z.get_label() as *const Zst256 as usize % 256, 0);
    let z2 = RcArray::with_label(5u8, 3, |_, _| Zst256);
    assert_eq!(z2.as_ptr() as usize % 256, 0);
}

// ---------------------------------------------------------------------------
// Capacity overflow

fn panic_cost() -> usize {
    let _warm = allocations(|| expect_panic(|| panic!("capacity overflow (a baseline)")));
    allocations(|| expect_panic(|| panic!("capacity overflow (a baseline)"))).1
}

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
    overflows(|| RcArray::new(usize::MAX, f));
    overflows(|| RcArray::<u8>::new(isize::MAX as usize + 1, f));
    // The header (count and length) pushes a length that fits on its own over.
    overflows(|| RcArray::<u8>::new(isize::MAX as usize - 8, f));
    overflows(|| RcArray::<u64>::new(isize::MAX as usize / 8 + 1, |_| 0));
    overflows(|| RcArray::<u64>::new(usize::MAX / 8 + 1, |_| 0));
    overflows(|| RcArray::<Align256, ()>::with_len((), isize::MAX as usize / 256));
    assert!(!called.get(), "the closure is never called");
}

fn capacity_overflow_drops_the_label_once<E: Owning, L: Owning>() {
    quiet_panics();
    let ledger = Ledger::new();
    let ((), _, live) = allocations(|| {
        let msg = expect_panic(|| {
            RcArray::with_label(L::make(&ledger, LABEL), usize::MAX / 2, |_, _| -> u64 {
                panic!("never called")
            })
        });
        assert!(msg.contains("capacity overflow"), "{msg}");
        let msg = expect_panic(|| {
            RcArray::with_label(L::make(&ledger, LABEL), usize::MAX / 2, |_, _| -> E {
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
    let w = std::mem::size_of::<usize>() as isize;
    // The block: strong and weak counts and length, the label, then the
    // elements.
    let src = [5u64; 10];
    one_block("new", 3 * w + 80, || RcArray::new(10, |i| i as u64));
    one_block("with_label", 3 * w + 8 + 80, || {
        RcArray::with_label(1u64, 10, |_, i| i as u64)
    });
    one_block("with_len", 3 * w + 80, || {
        RcArray::<u64, ()>::with_len((), 10)
    });
    one_block("collect exact", 3 * w + 80, || {
        (0..10u64).collect::<RcArray<_>>()
    });
    one_block("from slice", 3 * w + 80, || RcArray::from(&src[..]));
    let mut a = RcArray::new(10, |i| i as u64);
    let (b, n, live) = allocations(|| a.clone());
    assert_eq!((n, live), (0, 0), "clone allocates nothing");
    let ((), n, live) = allocations(|| {
        RcArray::make_mut(&mut a);
    });
    assert_eq!(
        (n, live),
        (1, 3 * w + 80),
        "make_mut while shared: one new block"
    );
    assert!(!RcArray::ptr_eq(&a, &b));
    let ((), _, freed) = allocations(|| drop((a, b)));
    assert_eq!(freed, -2 * (3 * w + 80));
    let v = vec![1u64; 10];
    let (c, n, live) = allocations(|| RcArray::from(v));
    assert_eq!((n, live), (1, 3 * w), "from vec: the vector's buffer freed");
    drop(c);
}

#[test]
fn inexact_collect_ends_with_one_block() {
    let w = std::mem::size_of::<usize>() as isize;
    let n = if cfg!(miri) { 50 } else { 1_000 };
    let (a, _, live) = allocations(|| (0..n as u64).filter(|x| x % 2 == 1).collect::<RcArray<_>>());
    assert_eq!(a.len(), n / 2);
    assert_eq!(live, 3 * w + (n / 2 * 8) as isize, "trimmed to the length");
    let ((), _, freed) = allocations(|| drop(a));
    assert_eq!(freed, -live);
}
