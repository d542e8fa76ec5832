//! Generic code over the seed's trait vocabulary (`Container`, `CopyMap`,
//! `MakeArray`, `LabelledArray`, `LabelledArrayMut`, `DefaultLabelledArray`,
//! `SliceArray`, `SliceArrayMut`), written once and run with every handle
//! that implements each trait; the block code's guarantees (panic safety,
//! capacity overflow, one allocation) checked the same way for all four
//! owning handles; which traits each handle has; `Send` and `Sync`.
#![cfg(not(any(loom, shuttle)))]

mod common;

use std::cell::Cell;
use std::fmt::Debug;
use std::rc::Rc;
use std::sync::Arc;

use common::handle_tests::{liar, lying_hints, truth};
use common::{
    allocations, check_all, expect_panic, ids_of, owning_tests, quiet_panics, Align256, Canary,
    Counting, Ledger, Owning, LABEL,
};
// The one import a user needs.
use heaparray::traits::*;
use heaparray::*;

#[global_allocator]
static A: Counting = Counting;

/// Whether a concrete type implements a trait, as a `bool` at run time: an
/// inherent associated constant, which only exists when the bound holds,
/// shadows the trait's fallback constant.
macro_rules! implements {
    ($ty:ty : $bound:path) => {{
        #[allow(dead_code)]
        struct Probe<T: ?Sized>(std::marker::PhantomData<T>);
        #[allow(dead_code)]
        trait Fallback {
            const YES: bool = false;
        }
        impl<T: ?Sized> Fallback for Probe<T> {}
        #[allow(dead_code)]
        impl<T: ?Sized + $bound> Probe<T> {
            const YES: bool = true;
        }
        <Probe<$ty>>::YES
    }};
}

/// Calls `$check::<Handle<$arg, ..>, $extra, ..>("Handle")` for each handle
/// named, the name being what the generic checks below put in their
/// messages. The type arguments go down as one group each so that every
/// handle can repeat them.
macro_rules! each_handle {
    (@one $handle:ident ($($arg:ty),*) $check:ident ($($extra:ty),*)) => {
        $check::<$handle<$($arg),*> $(, $extra)*>(stringify!($handle))
    };
    ([$($handle:ident),* $(,)?] $args:tt => $check:ident $extras:tt) => {
        $(each_handle!(@one $handle $args $check $extras);)*
    };
}

/// Which of the `Handle<u8>: Bound` pairs, every handle named against every
/// bound named, do not hold, by name: one assertion then lists all that are
/// missing, where one `assert!` per pair would stop at the first. The
/// bounds go down as one token tree so that each handle can repeat them.
macro_rules! missing_impls {
    ([$($handle:ident),* $(,)?]: $bounds:tt) => {{
        let mut missing: Vec<&'static str> = Vec::new();
        $(missing_impls!(@one missing, $handle, $bounds);)*
        missing
    }};
    (@one $missing:ident, $handle:ident, [$($bound:path),* $(,)?]) => {
        $(
            if !implements!($handle<u8>: $bound) {
                $missing.push(concat!(stringify!($handle), ": ", stringify!($bound)));
            }
        )*
    };
}

fn ids(canaries: &[Canary]) -> Vec<usize> {
    canaries.iter().map(|c| c.id).collect()
}

// ---------------------------------------------------------------------------
// The generic functions, written once

/// `Container`, `MakeArray`, `SliceArray`.
fn make_array<A: MakeArray<u32> + Container + SliceArray<u32>>(name: &str) {
    let a = A::new(5, |i| i as u32 * 2);
    assert_eq!(a.len(), 5, "{name}");
    assert!(!a.is_empty(), "{name}");
    assert_eq!(a.as_slice(), &[0, 2, 4, 6, 8], "{name}");
    let e = A::new(0, |_| unreachable!());
    assert_eq!(e.len(), 0, "{name}");
    assert!(e.is_empty(), "{name}");
    assert_eq!(e.as_slice(), &[] as &[u32], "{name}");
    // The closure is called once per index, in order.
    let mut seen = Vec::new();
    let b = A::new(4, |i| {
        seen.push(i);
        1
    });
    assert_eq!(seen, [0, 1, 2, 3], "{name}");
    assert_eq!(b.as_slice().iter().sum::<u32>(), 4, "{name}");
}

/// `LabelledArray`: the label counts even and odd indices as the elements
/// are made; `get_unchecked` agrees with the slice.
fn labelled<A>(name: &str)
where
    A: LabelledArray<usize, (usize, usize)>
        + TryLabelledArray<usize, (usize, usize)>
        + SliceArray<usize>,
{
    let a = A::with_label((0, 0), 9, |(evens, odds), i| {
        if i % 2 == 0 {
            *evens += 1
        } else {
            *odds += 1
        }
        i + 3
    });
    assert_eq!(*a.get_label(), (5, 4), "{name}");
    assert_eq!(a.len(), 9, "{name}");
    for i in 0..a.len() {
        // SAFETY: `i < a.len()`.
        let x = unsafe { a.get_unchecked(i) };
        assert_eq!(*x, i + 3, "{name}");
        assert!(
            std::ptr::eq(x, &a.as_slice()[i]),
            "{name}: the same element"
        );
    }
    let e = A::with_label((7, 7), 0, |_, _| unreachable!());
    assert_eq!(*e.get_label(), (7, 7), "{name}");
    assert!(e.is_empty(), "{name}");
}

/// `LabelledArrayMut` and `SliceArrayMut`.
fn labelled_mut<A>(name: &str)
where
    A: LabelledArrayMut<u32, String> + TryLabelledArray<u32, String> + SliceArrayMut<u32>,
{
    let mut a = A::with_label(String::from("l"), 4, |l, i| {
        l.push('+');
        i as u32
    });
    assert_eq!(a.get_label(), "l++++", "{name}");
    a.get_label_mut().push('!');
    assert_eq!(a.get_label(), "l++++!", "{name}");
    for i in 0..a.len() {
        // SAFETY: `i < a.len()`.
        unsafe { *a.get_mut_unchecked(i) += 10 };
    }
    assert_eq!(a.as_slice(), &[10, 11, 12, 13], "{name}");
    a.as_slice_mut().reverse();
    assert_eq!(a.as_slice(), &[13, 12, 11, 10], "{name}");
    a.as_slice_mut()[1..3].fill(0);
    assert_eq!(a.as_slice(), &[13, 0, 0, 10], "{name}");
    *a.get_label_mut() = String::new();
    assert!(a.get_label().is_empty(), "{name}");
}

/// `DefaultLabelledArray`.
fn default_labelled<A>(name: &str)
where
    A: DefaultLabelledArray<u32, char> + SliceArray<u32>,
{
    let a = A::with_len('d', 3);
    assert_eq!(*a.get_label(), 'd', "{name}");
    assert_eq!(a.as_slice(), &[0, 0, 0], "{name}");
    let e = A::with_len('e', 0);
    assert!(e.is_empty(), "{name}");
}

/// `CopyMap<usize, _>`: `insert` returns the old value; out of range it
/// panics as `Vec::insert` does, dropping the value, the array unchanged.
fn copy_map<A>(name: &str)
where
    A: CopyMap<usize, Canary>
        + TryLabelledArray<Canary, ()>
        + LabelledArray<Canary, ()>
        + SliceArray<Canary>,
{
    let ledger = Ledger::new();
    let mut a = A::with_label((), 3, |_, _| ledger.canary());
    assert_eq!(ids(a.as_slice()), [0, 1, 2], "{name}");
    assert_eq!(CopyMap::get(&a, 1).map(|c| c.id), Some(1), "{name}");
    assert!(CopyMap::get(&a, 3).is_none(), "{name}");
    assert!(CopyMap::get(&a, usize::MAX).is_none(), "{name}");

    let new = ledger.canary();
    let old = a.insert(1, new).expect("in range");
    assert_eq!(old.id, 1, "{name}: the old value is returned");
    assert_eq!(ids(a.as_slice()), [0, 3, 2], "{name}");
    assert_eq!(ledger.live(), 4, "{name}: the old value is not dropped");
    drop(old);

    for key in [3, usize::MAX] {
        let out = ledger.canary();
        let msg = expect_panic(|| a.insert(key, out));
        assert_eq!(
            msg,
            format!("CopyMap::insert: index (is {key}) should be < len (is 3)"),
            "{name}"
        );
    }
    assert_eq!(ledger.live(), 3, "{name}: an out-of-range value is dropped");
    assert_eq!(ids(a.as_slice()), [0, 3, 2], "{name}: unchanged");

    let slot = CopyMap::get_mut(&mut a, 2).expect("in range");
    *slot = ledger.canary();
    assert!(CopyMap::get_mut(&mut a, 3).is_none(), "{name}");
    assert_eq!(ids(a.as_slice()), [0, 3, 6], "{name}");
    drop(a);
    ledger.assert_all_dropped();
}

/// A panicking initialiser at `k`: elements `0..k` and the label dropped
/// once, the block freed, the panic propagated.
fn panicking_initialiser<A: LabelledArray<E, L> + TryLabelledArray<E, L>, E: Owning, L: Owning>(
    name: &str,
) {
    quiet_panics();
    let len = 8;
    for k in [0, 1, len / 2, len - 1] {
        let ledger = Ledger::new();
        let ((), _, live) = allocations(|| {
            let msg = expect_panic(|| {
                A::with_label(L::make(&ledger, LABEL), len, |label, i| {
                    label.check(LABEL);
                    if i == k {
                        panic!("closure panics on purpose");
                    }
                    E::make(&ledger, i)
                })
            });
            assert_eq!(msg, "closure panics on purpose", "{name}");
        });
        assert_eq!(ledger.made(), k + 1, "{name}, k = {k}");
        ledger.assert_all_dropped();
        assert_eq!(live, 0, "{name}, k = {k}: the block leaked");
    }
}

/// The same through `MakeArray::new` (no label).
fn panicking_new<A: MakeArray<E>, E: Owning>(name: &str) {
    quiet_panics();
    let len = 6;
    for k in [0, 1, len - 1] {
        let ledger = Ledger::new();
        let ((), _, live) = allocations(|| {
            let msg = expect_panic(|| {
                A::new(len, |i| {
                    if i == k {
                        panic!("closure panics on purpose");
                    }
                    E::make(&ledger, i)
                })
            });
            assert_eq!(msg, "closure panics on purpose", "{name}");
        });
        assert_eq!(ledger.made(), k, "{name}, k = {k}");
        ledger.assert_all_dropped();
        assert_eq!(live, 0, "{name}, k = {k}: the block leaked");
    }
}

/// Every element and the label dropped exactly once, nothing leaked.
fn drops_once<A: LabelledArray<Canary, Canary> + TryLabelledArray<Canary, Canary>>(name: &str) {
    let ledger = Ledger::new();
    let ((), n, live) = allocations(|| {
        let a = A::with_label(ledger.canary(), 6, |_, _| ledger.canary());
        assert_eq!(ledger.live(), 7, "{name}");
        assert_eq!(a.get_label().id, 0, "{name}");
        drop(a);
    });
    assert_eq!(n, 1, "{name}: one allocation");
    assert_eq!(live, 0, "{name}");
    ledger.assert_all_dropped();
}

/// Allocations a caught panic makes by itself.
fn panic_cost() -> usize {
    let _warm = allocations(|| expect_panic(|| panic!("capacity overflow (a baseline)")));
    allocations(|| expect_panic(|| panic!("capacity overflow (a baseline)"))).1
}

/// "capacity overflow" before anything is allocated or the closure called;
/// the label dropped once.
fn capacity_overflow<A: LabelledArray<u64, L> + TryLabelledArray<u64, L>, L: Owning>(name: &str) {
    quiet_panics();
    let cost = panic_cost();
    for len in [
        usize::MAX,
        usize::MAX / 8 + 1,
        isize::MAX as usize / 8 + 1,
        isize::MAX as usize / 8,
    ] {
        let ledger = Ledger::new();
        let called = Cell::new(false);
        // Made before counting: the label's own heap memory is not the
        // block's.
        let label = L::make(&ledger, LABEL);
        let (msg, n, _) = allocations(|| {
            expect_panic(|| {
                A::with_label(label, len, |_, _| {
                    called.set(true);
                    0
                })
            })
        });
        assert!(msg.contains("capacity overflow"), "{name}, {len}: {msg:?}");
        assert_eq!(n, cost, "{name}, {len}: nothing allocated");
        assert!(!called.get(), "{name}, {len}: the closure never called");
        assert_eq!(ledger.made(), 1);
        ledger.assert_all_dropped();
    }
}

/// The same through `MakeArray` with one-byte elements.
fn capacity_overflow_bytes<A: MakeArray<u8>>(name: &str) {
    quiet_panics();
    let cost = panic_cost();
    for len in [usize::MAX, isize::MAX as usize + 1, isize::MAX as usize] {
        let (msg, n, _) = allocations(|| expect_panic(|| A::new(len, |_| 0)));
        assert!(msg.contains("capacity overflow"), "{name}, {len}: {msg:?}");
        assert_eq!(n, cost, "{name}, {len}: nothing allocated");
    }
}

/// One allocation for `with_label`, `new`, an exact collect; freed on drop.
fn one_allocation<A>(name: &str)
where
    A: MakeArray<u64> + FromIterator<u64> + SliceArray<u64>,
{
    for (how, make) in [
        ("new", &(|| A::new(10, |i| i as u64)) as &dyn Fn() -> A),
        ("collect exact", &|| (0..10u64).collect::<A>()),
        ("collect exact, len 0", &|| {
            std::iter::empty().collect::<A>()
        }),
    ] {
        let (a, n, live) = allocations(make);
        assert!(n <= 1, "{name} {how}: {n} allocations");
        assert!(live >= 0, "{name} {how}");
        let ((), _, freed) = allocations(|| drop(a));
        assert_eq!(freed, -live, "{name} {how}: freed");
    }
    let (a, n, live) = allocations(|| A::new(10, |i| i as u64));
    assert_eq!(n, 1, "{name}: new allocates one block");
    assert!(live >= 80, "{name}");
    let (b, n, live_b) = allocations(|| (0..10u64).collect::<A>());
    assert_eq!(n, 1, "{name}: an exact collect allocates one block");
    assert_eq!(live_b, live, "{name}: the same block as new");
    assert_eq!(a.as_slice(), b.as_slice());
}

fn one_allocation_labelled<A: LabelledArray<u64, u8> + TryLabelledArray<u64, u8>>(
    name: &str,
) -> isize {
    let (a, n, live) = allocations(|| A::with_label(1, 10, |_, i| i as u64));
    assert_eq!(n, 1, "{name}: with_label allocates one block");
    assert!(live >= 81, "{name}");
    let ((), _, freed) = allocations(|| drop(a));
    assert_eq!(freed, -live, "{name}: freed");
    live
}

fn one_allocation_from_slice<A>(name: &str)
where
    A: for<'a> From<&'a [u64]> + SliceArray<u64>,
{
    let src = [3u64; 10];
    let (a, n, live) = allocations(|| A::from(&src[..]));
    assert_eq!(n, 1, "{name}: From<&[E]> allocates one block");
    assert_eq!(a.as_slice(), &src, "{name}");
    let ((), _, freed) = allocations(|| drop(a));
    assert_eq!(freed, -live, "{name}: freed");
}

/// An inexact collect may reallocate, but ends with one block, trimmed.
fn inexact_collect<A>(name: &str)
where
    A: FromIterator<u64> + SliceArray<u64>,
{
    let n = if cfg!(miri) { 50 } else { 1_000 };
    let (exact, _, exact_live) = allocations(|| (0..n / 2).collect::<A>());
    let (a, _, live) = allocations(|| (0..n).filter(|x| x % 2 == 0).map(|x| x / 2).collect::<A>());
    assert_eq!(a.as_slice(), exact.as_slice(), "{name}");
    assert_eq!(live, exact_live, "{name}: one block, trimmed");
    let ((), _, freed) = allocations(|| drop((a, exact)));
    assert_eq!(freed, -2 * live, "{name}");
}

/// Iterators whose `size_hint` lies give correct arrays.
fn lying_size_hints<A>(name: &str)
where
    A: FromIterator<String> + SliceArray<String>,
{
    let many = if cfg!(miri) { 30 } else { 500 };
    for (real, hint) in lying_hints(many) {
        let a: A = liar(real, hint).collect();
        assert_eq!(
            a.as_slice(),
            &truth(real)[..],
            "{name}: {real} items, hint {hint:?}"
        );
    }
}

/// A panicking iterator: what it yielded is dropped, nothing leaks.
fn panicking_iterator<A: FromIterator<E>, E: Owning>(name: &str) {
    quiet_panics();
    for k in [0, 1, 4, 7] {
        for exact in [true, false] {
            let ledger = Ledger::new();
            let ((), _, live) = allocations(|| {
                let items = (0..8).map(|i| {
                    if i == k {
                        panic!("iterator panics on purpose");
                    }
                    E::make(&ledger, i)
                });
                if exact {
                    expect_panic(|| items.collect::<A>());
                } else {
                    expect_panic(|| items.filter(|_| true).collect::<A>());
                }
            });
            assert_eq!(ledger.made(), k, "{name}");
            ledger.assert_all_dropped();
            assert_eq!(live, 0, "{name}, k = {k}, exact = {exact}");
        }
    }
}

/// Zero-sized elements and labels.
fn zero_sized<A: LabelledArray<(), ()> + TryLabelledArray<(), ()> + SliceArray<()>>(name: &str) {
    let n = if cfg!(miri) { 1_000 } else { 1_000_000 };
    let a = A::with_label((), n, |(), _| ());
    assert_eq!(a.len(), n, "{name}");
    assert_eq!(a.as_slice().len(), n, "{name}");
    let e = A::with_label((), 0, |(), _| ());
    assert!(e.is_empty(), "{name}");
}

/// Over-aligned elements and labels are aligned.
fn over_aligned<A>(name: &str)
where
    A: LabelledArray<Align256, Align256>
        + TryLabelledArray<Align256, Align256>
        + SliceArray<Align256>,
{
    for len in [0, 1, 5] {
        let a = A::with_label(Align256(9), len, |_, i| Align256(i as u64));
        assert_eq!(a.as_slice().as_ptr() as usize % 256, 0, "{name}, {len}");
        assert_eq!(a.get_label() as *const Align256 as usize % 256, 0, "{name}");
        assert_eq!(*a.get_label(), Align256(9), "{name}");
        assert!(
            a.as_slice()
                .iter()
                .enumerate()
                .all(|(i, x)| x.0 == i as u64),
            "{name}"
        );
    }
}

// ---------------------------------------------------------------------------
// Each handle that implements the trait

#[test]
fn make_array_for_every_handle() {
    make_array::<HeapArray<u32>>("HeapArray");
    make_array::<RcArray<u32>>("RcArray");
    make_array::<ArcArray<u32>>("ArcArray");
    make_array::<UniqueArcArray<u32>>("UniqueArcArray");
}

#[test]
fn labelled_array_for_every_handle() {
    labelled::<HeapArray<usize, (usize, usize)>>("HeapArray");
    labelled::<RcArray<usize, (usize, usize)>>("RcArray");
    labelled::<ArcArray<usize, (usize, usize)>>("ArcArray");
    labelled::<UniqueArcArray<usize, (usize, usize)>>("UniqueArcArray");
}

#[test]
fn labelled_array_mut_for_the_exclusive_handles() {
    labelled_mut::<HeapArray<u32, String>>("HeapArray");
    labelled_mut::<UniqueArcArray<u32, String>>("UniqueArcArray");
}

#[test]
fn default_labelled_array_for_every_handle_that_has_it() {
    default_labelled::<HeapArray<u32, char>>("HeapArray");
    default_labelled::<RcArray<u32, char>>("RcArray");
    default_labelled::<ArcArray<u32, char>>("ArcArray");
    default_labelled::<UniqueArcArray<u32, char>>("UniqueArcArray");
}

#[test]
fn copy_map_for_the_exclusive_handles() {
    copy_map::<HeapArray<Canary>>("HeapArray");
    copy_map::<UniqueArcArray<Canary>>("UniqueArcArray");
}

#[test]
fn copy_map_with_plain_values() {
    fn swap_ends<M: CopyMap<usize, u8>>(m: &mut M, len: usize) {
        let first = *m.get(0).unwrap();
        let last = m.insert(len - 1, first).unwrap();
        assert_eq!(m.insert(0, last), Some(first));
        assert_eq!(m.get(len), None);
    }
    let mut h = HeapArray::new(4, |i| i as u8);
    swap_ends(&mut h, 4);
    assert_eq!(&*h, &[3, 1, 2, 0]);
    let mut u = UniqueArcArray::new(3, |i| i as u8 + 1);
    swap_ends(&mut u, 3);
    assert_eq!(&*u, &[3, 2, 1]);
    // The issue's case: a value for a key past the end is never lost
    // silently.
    let mut h = HeapArray::from(vec![1u8, 2, 3, 4, 5]);
    let msg = expect_panic(|| CopyMap::insert(&mut h, 99, 7));
    assert_eq!(msg, "CopyMap::insert: index (is 99) should be < len (is 5)");
    assert_eq!(&*h, &[1, 2, 3, 4, 5]);
}

// The panic tests run for every handle (both layouts of the `ArcArray`
// handles) and, through `owning_tests!`, with the canary alone and with
// elements and labels that own heap memory.
owning_tests!(
    panicking_initialiser_for_every_handle,
    capacity_overflow_for_every_handle,
    panicking_iterator_for_every_handle,
    panicking_clone_in_from_slice_for_every_handle,
    panicking_clone_in_arc_make_mut,
);

fn panicking_initialiser_for_every_handle<E: Owning, L: Owning>() {
    each_handle!(
        [HeapArray, RcArray, ArcArray, UniqueArcArray, CompactArcArray, CompactUniqueArcArray]
            (E, L) => panicking_initialiser(E, L)
    );
    each_handle!(
        [HeapArray, RcArray, ArcArray, UniqueArcArray, CompactArcArray, CompactUniqueArcArray]
            (E) => panicking_new(E)
    );
}

#[test]
fn drops_once_for_every_handle() {
    each_handle!([HeapArray, RcArray, ArcArray, UniqueArcArray] (Canary, Canary) => drops_once());
}

fn capacity_overflow_for_every_handle<E: Owning, L: Owning>() {
    each_handle!(
        [HeapArray, RcArray, ArcArray, UniqueArcArray, CompactArcArray, CompactUniqueArcArray]
            (u64, L) => capacity_overflow(L)
    );
    // HeapArray has no header: an isize::MAX-byte array of u8 would fit its
    // layout (and fail to allocate), so only the others are asked for it.
    each_handle!([RcArray, ArcArray, UniqueArcArray] (u8) => capacity_overflow_bytes());
}

#[test]
fn capacity_overflow_for_heap_array_bytes() {
    quiet_panics();
    let cost = panic_cost();
    for len in [usize::MAX, isize::MAX as usize + 1] {
        let (msg, n, _) = allocations(|| expect_panic(|| HeapArray::new(len, |_| 0u8)));
        assert!(msg.contains("capacity overflow"), "{len}: {msg:?}");
        assert_eq!(n, cost);
    }
}

#[test]
fn one_allocation_for_every_handle() {
    each_handle!([HeapArray, RcArray, ArcArray, UniqueArcArray] (u64) => one_allocation());
    let heap = one_allocation_labelled::<HeapArray<u64, u8>>("HeapArray");
    let rc = one_allocation_labelled::<RcArray<u64, u8>>("RcArray");
    let arc = one_allocation_labelled::<ArcArray<u64, u8>>("ArcArray");
    let unique = one_allocation_labelled::<UniqueArcArray<u64, u8>>("UniqueArcArray");
    assert_eq!(heap, 88, "HeapArray: the label, padding, the elements");
    assert!(rc > heap, "RcArray's header");
    assert!(arc >= heap + 128, "ArcArray's padded counts");
    assert_eq!(arc, unique, "the same block");
    each_handle!(
        [HeapArray, RcArray, ArcArray, UniqueArcArray]
            (u64) => one_allocation_from_slice()
    );
}

#[test]
fn inexact_collect_for_every_handle() {
    each_handle!([HeapArray, RcArray, ArcArray, UniqueArcArray] (u64) => inexact_collect());
}

#[test]
fn lying_size_hints_for_every_handle() {
    each_handle!([HeapArray, RcArray, ArcArray, UniqueArcArray] (String) => lying_size_hints());
}

fn panicking_iterator_for_every_handle<E: Owning, L: Owning>() {
    each_handle!(
        [HeapArray, RcArray, ArcArray, UniqueArcArray, CompactArcArray, CompactUniqueArcArray]
            (E) => panicking_iterator(E)
    );
}

#[test]
fn zero_sized_for_every_handle() {
    each_handle!([HeapArray, RcArray, ArcArray, UniqueArcArray] (()) => zero_sized());
}

#[test]
fn over_aligned_for_every_handle() {
    each_handle!(
        [HeapArray, RcArray, ArcArray, UniqueArcArray]
            (Align256, Align256) => over_aligned()
    );
}

/// A panicking `Clone` in `From<&[E]>`: the clones made are dropped, the
/// block freed, the source untouched.
fn panicking_clone_from_slice<A: for<'a> From<&'a [E]>, E: Owning>(name: &str) {
    quiet_panics();
    let len = 5;
    for k in [0, 1, 2, len - 1] {
        let ledger = Ledger::new();
        let src: Vec<E> = (0..len).map(|i| E::make(&ledger, i)).collect();
        ledger.panic_on_clone(k);
        let ((), _, live) = allocations(|| {
            let msg = expect_panic(|| A::from(&src[..]));
            assert_eq!(msg, "clone panics on purpose", "{name}");
        });
        assert_eq!(live, 0, "{name}, k = {k}");
        assert_eq!(ledger.made(), len + k, "{name}, k = {k}");
        assert_eq!(ledger.live(), len, "{name}, k = {k}");
        assert_eq!(ids_of(&src), (0..len).collect::<Vec<_>>(), "{name}");
        check_all(&src);
        drop(src);
        ledger.assert_all_dropped();
    }
}

fn panicking_clone_in_from_slice_for_every_handle<E: Owning, L: Owning>() {
    each_handle!(
        [HeapArray, RcArray, ArcArray, UniqueArcArray]
            (E) => panicking_clone_from_slice(E)
    );
}

fn panicking_clone_in_arc_make_mut<E: Owning, L: Owning>() {
    panicking_clone_in_make_mut::<E, L, Padded>();
    panicking_clone_in_make_mut::<E, L, Compact>();
}

fn panicking_clone_in_make_mut<E: Owning, L: Owning, P: ArcLayout>() {
    let len = 5;
    common::make_mut_with_a_panicking_clone!(
        ArcArrayBase<E, L, P, Global>,
        LabelledArray::with_label,
        len,
        [0, 1, 3, len]
    );
}

#[test]
fn generic_code_reads_through_any_handle() {
    fn describe<E: Debug, L: Debug, A: LabelledArray<E, L> + SliceArray<E>>(a: &A) -> String {
        format!("{:?}: {:?} ({})", a.get_label(), a.as_slice(), a.len())
    }
    let h = HeapArray::with_label("h", 2, |_, i| i);
    let r = RcArray::with_label("r", 2, |_, i| i);
    let a = ArcArray::with_label("a", 2, |_, i| i);
    let u = UniqueArcArray::with_label("u", 2, |_, i| i);
    assert_eq!(describe(&h), r#""h": [0, 1] (2)"#);
    assert_eq!(describe(&r), r#""r": [0, 1] (2)"#);
    assert_eq!(describe(&a), r#""a": [0, 1] (2)"#);
    assert_eq!(describe(&u), r#""u": [0, 1] (2)"#);
}

// ---------------------------------------------------------------------------
// Which handle has which trait

#[test]
fn the_probe_tells_traits_apart() {
    // The probe itself, on std types.
    assert!(implements!(Vec<u8>: Clone));
    assert!(!implements!(Rc<u8>: Send));
    assert!(implements!(u8: Send));
    assert!(!implements!(Cell<u8>: Sync));
}

#[test]
fn shared_handles_have_no_mutable_traits() {
    // DESIGN: a shared ArcArray or RcArray has no LabelledArrayMut,
    // SliceArrayMut or CopyMap.
    assert!(!implements!(ArcArray<u8>: LabelledArrayMut<u8, ()>));
    assert!(!implements!(ArcArray<u8>: SliceArrayMut<u8>));
    assert!(!implements!(ArcArray<u8>: CopyMap<usize, u8>));
    assert!(!implements!(RcArray<u8>: LabelledArrayMut<u8, ()>));
    assert!(!implements!(RcArray<u8>: SliceArrayMut<u8>));
    assert!(!implements!(RcArray<u8>: CopyMap<usize, u8>));
    assert!(!implements!(ArcArray<u8>: std::ops::DerefMut));
    assert!(!implements!(RcArray<u8>: std::ops::DerefMut));
    assert!(!implements!(ArcArray<u8>: std::ops::IndexMut<usize>));
    assert!(!implements!(RcArray<u8>: std::ops::IndexMut<usize>));
}

#[test]
fn exclusive_handles_have_every_trait() {
    let missing = missing_impls!([HeapArray, UniqueArcArray]: [
        LabelledArrayMut<u8, ()>,
        SliceArrayMut<u8>,
        CopyMap<usize, u8>,
        DefaultLabelledArray<u8, ()>,
        MakeArray<u8>,
    ]);
    assert!(missing.is_empty(), "missing impls: {missing:?}");
}

#[test]
fn shared_handles_have_every_read_only_trait() {
    // DESIGN: each handle implements the seed traits that are sound for it;
    // only the three needing `&mut` elements are left out of ArcArray and
    // RcArray. `with_len` is as sound for ArcArray as its inherent one.
    let missing = missing_impls!([RcArray, ArcArray]: [
        Container,
        MakeArray<u8>,
        LabelledArray<u8, ()>,
        DefaultLabelledArray<u8, ()>,
        SliceArray<u8>,
    ]);
    assert!(missing.is_empty(), "missing impls: {missing:?}");
}

#[test]
fn construction_conversions_for_every_handle() {
    // DESIGN, "construction (same shape for HeapArray, RcArray, ArcArray,
    // UniqueArcArray)": From<Vec<E>>, From<&[E]>, From<Box<[E]>>,
    // FromIterator.
    let missing = missing_impls!([HeapArray, RcArray, ArcArray, UniqueArcArray]: [
        From<Vec<u8>>,
        From<&'static [u8]>,
        From<Box<[u8]>>,
        FromIterator<u8>,
    ]);
    assert!(missing.is_empty(), "missing impls: {missing:?}");
}

#[test]
fn reading_traits_for_every_handle() {
    // DESIGN: Deref<Target = [E]>, Index, AsRef<[E]>, Borrow<[E]>,
    // IntoIterator for &A, Debug, PartialEq/Eq/PartialOrd/Ord/Hash.
    fn reads<A>()
    where
        A: std::ops::Deref<Target = [u8]>
            + std::ops::Index<usize, Output = u8>
            + std::ops::Index<std::ops::Range<usize>, Output = [u8]>
            + AsRef<[u8]>
            + std::borrow::Borrow<[u8]>
            + Debug
            + Eq
            + Ord
            + std::hash::Hash,
        for<'a> &'a A: IntoIterator<Item = &'a u8>,
    {
    }
    reads::<HeapArray<u8>>();
    reads::<RcArray<u8>>();
    reads::<ArcArray<u8>>();
    reads::<UniqueArcArray<u8>>();
}

// ---------------------------------------------------------------------------
// Send and Sync

#[test]
fn send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<HeapArray<u8>>();
    send_sync::<HeapArray<String, Vec<u8>>>();
    send_sync::<ArcArray<u8>>();
    send_sync::<ArcArray<String, Arc<str>>>();
    send_sync::<WeakArcArray<u8>>();
    send_sync::<UniqueArcArray<u8>>();
    send_sync::<UniqueArcArray<String, String>>();
}

#[test]
fn not_send_or_sync_where_unsound() {
    assert!(!implements!(RcArray<u8>: Send));
    assert!(!implements!(RcArray<u8>: Sync));
    assert!(!implements!(HeapArray<Rc<u8>>: Send));
    assert!(!implements!(HeapArray<Cell<u8>>: Sync));
    assert!(
        implements!(HeapArray<Cell<u8>>: Send),
        "like Box<[Cell<u8>]>"
    );
    assert!(
        !implements!(HeapArray<u8, Rc<u8>>: Send),
        "the label counts"
    );
    // Shared handles need both Send and Sync of their contents.
    assert!(!implements!(ArcArray<Cell<u8>>: Sync));
    assert!(!implements!(ArcArray<Cell<u8>>: Send));
    assert!(!implements!(ArcArray<u8, Cell<u8>>: Send));
    assert!(!implements!(ArcArray<std::sync::MutexGuard<'static, u8>>: Send));
    assert!(!implements!(WeakArcArray<Cell<u8>>: Send));
    assert!(!implements!(UniqueArcArray<Rc<u8>>: Send));
    assert!(implements!(UniqueArcArray<Cell<u8>>: Send), "like Box");
}

// ---------------------------------------------------------------------------
// Every allocator (issue 19, item 4)

/// An allocator made without a value that is not `Global`: the global
/// heap under another type, so that the constructors that name no
/// allocator (`MakeArray`, `TryMakeArray`, `TryLabelledArray`,
/// `DefaultLabelledArray`, `LabelledArray::with_label`) are seen to take
/// `A::default()`, not only `Global`.
#[derive(Clone, Copy, Default, Debug)]
struct Mine;

// SAFETY: every call forwards to `Global`, whose blocks these are.
unsafe impl Allocator for Mine {
    fn allocate(&self, layout: std::alloc::Layout) -> Result<std::ptr::NonNull<[u8]>, AllocError> {
        Global.allocate(layout)
    }
    unsafe fn deallocate(&self, ptr: std::ptr::NonNull<u8>, layout: std::alloc::Layout) {
        // SAFETY: `ptr` came from `Global` through `allocate` (caller).
        unsafe { Global.deallocate(ptr, layout) }
    }
}

/// The issue's generic code: a checksum label read through the trait, over
/// arrays from an arena.
fn checksum_holds<T: LabelledArray<u8, u32> + SliceArray<u8>>(a: &T) -> bool {
    *a.get_label() == a.as_slice().iter().map(|&b| u32::from(b)).sum::<u32>()
}

#[test]
fn reading_traits_for_every_allocator() {
    let arena = bumpalo::Bump::new();
    let sum = |label: &mut u32, i: usize| {
        *label += i as u32;
        i as u8
    };
    let u: UniqueArcArray<u8, u32, &bumpalo::Bump> =
        UniqueArcArray::with_label_in(0, 5, sum, &arena);
    let cu = CompactUniqueArcArray::with_label_in(0, 5, sum, &arena);
    let a = ArcArray::with_label_in(0, 5, sum, &arena);
    let ca = CompactArcArray::with_label_in(0, 5, sum, &arena);
    let h = HeapArray::with_label_in(0, 5, sum, &arena);
    let r = RcArray::with_label_in(0, 5, sum, &arena);
    assert!(checksum_holds(&u) && checksum_holds(&cu) && checksum_holds(&a));
    assert!(checksum_holds(&ca) && checksum_holds(&h) && checksum_holds(&r));
    assert_eq!(Container::len(&u), 5);
    // SAFETY: 4 < 5.
    assert_eq!(unsafe { LabelledArray::get_unchecked(&a, 4) }, &4);

    assert!(implements!(UniqueArcArray<u8, u32, &bumpalo::Bump>: LabelledArrayMut<u8, u32>));
    assert!(implements!(CompactUniqueArcArray<u8, u32, &bumpalo::Bump>: SliceArrayMut<u8>));
    assert!(implements!(HeapArray<u8, u32, &bumpalo::Bump>: CopyMap<usize, u8>));
    assert!(implements!(RcArray<u8, u32, &bumpalo::Bump>: SliceArray<u8>));
    // Unlabelled constructors are for unlabelled arrays only.
    assert!(
        !implements!(CompactArcArray<u8, u32, &'static bumpalo::Bump>: MakeArrayIn<u8, &'static bumpalo::Bump>)
    );
    assert!(
        implements!(CompactArcArray<u8, (), &'static bumpalo::Bump>: MakeArrayIn<u8, &'static bumpalo::Bump>)
    );
    // An arena is no default: what builds with no allocator is not there.
    assert!(!implements!(ArcArray<u8, u32, &bumpalo::Bump>: TryLabelledArray<u8, u32>));
    assert!(!implements!(HeapArray<u8, (), &bumpalo::Bump>: MakeArray<u8>));
}

#[test]
fn mutable_traits_for_every_allocator() {
    fn relabel<T: LabelledArrayMut<u8, u32> + SliceArrayMut<u8> + CopyMap<usize, u8>>(a: &mut T) {
        a.as_slice_mut()[0] = 10;
        assert_eq!(CopyMap::insert(a, 1, 11), Some(1));
        // SAFETY: 2 < 3.
        unsafe { *a.get_mut_unchecked(2) = 12 };
        *a.get_label_mut() = a.as_slice().iter().map(|&b| u32::from(b)).sum();
    }
    let arena = bumpalo::Bump::new();
    let mut u = UniqueArcArray::with_label_in(0u32, 3, |_, i| i as u8, &arena);
    let mut c = CompactUniqueArcArray::with_label_in(0u32, 3, |_, i| i as u8, &arena);
    let mut h = HeapArray::with_label_in(0u32, 3, |_, i| i as u8, &arena);
    relabel(&mut u);
    relabel(&mut c);
    relabel(&mut h);
    for (label, elems) in [
        (u.get_label(), &*u),
        (c.get_label(), &*c),
        (h.get_label(), &*h),
    ] {
        assert_eq!((*label, elems), (33, &[10, 11, 12][..]));
    }
}

#[test]
fn constructing_traits_for_every_default_allocator() {
    fn build<T: MakeArray<u8> + TryMakeArray<u8> + SliceArray<u8>>() -> (T, T) {
        (T::new(3, |i| i as u8), T::try_from_iter(0..2).unwrap())
    }
    fn labelled<
        T: LabelledArray<u8, char> + TryLabelledArray<u8, char> + DefaultLabelledArray<u8, char>,
    >() -> (T, T, T) {
        (
            T::with_label('a', 2, |_, i| i as u8),
            T::try_with_label('b', 1, |_, _| 7).unwrap(),
            T::with_len('c', 2),
        )
    }
    let (a, b): (ArcArray<u8, (), Mine>, _) = build();
    let (c, d): (CompactUniqueArcArray<u8, (), Mine>, _) = build();
    let (e, f): (HeapArray<u8, (), Mine>, _) = build();
    let (g, h): (RcArray<u8, (), Mine>, _) = build();
    for (x, y) in [(&*a, &*b), (&*c, &*d), (&*e, &*f), (&*g, &*h)] {
        assert_eq!((x, y), (&[0, 1, 2][..], &[0, 1][..]));
    }
    let (l, m, n): (CompactArcArray<u8, char, Mine>, _, _) = labelled();
    assert_eq!((*l.get_label(), &*l), ('a', &[0, 1][..]));
    assert_eq!((*m.get_label(), &*m), ('b', &[7][..]));
    assert_eq!((*n.get_label(), &*n), ('c', &[0, 0][..]));
}
