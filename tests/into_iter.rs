//! `IntoIterator` by value for `HeapArray`, `UniqueArcArray` and
//! `CompactUniqueArcArray` (`HeapArrayIntoIter`, `UniqueArcArrayIntoIter`,
//! one core in `block::IntoIter`): every element comes out once, in order
//! from either end, with an exact length at each step; what is left (the
//! elements not yielded, then the label) is dropped exactly once with the
//! iterator, and the block is freed exactly once, by the allocator that
//! allocated it, which is then dropped once (the recording allocator of
//! tests/common/alloc.rs), also when an element's or the label's
//! destructor panics. Zero-sized, empty, over-aligned, an arena; and the
//! migration `Arc::try_unwrap` → `Vec`: `try_unique → into_iter →
//! collect`.
#![cfg(not(any(loom, shuttle)))]

#[path = "common/alloc.rs"]
mod alloc;
mod common;

use std::cell::Cell;
use std::collections::VecDeque;
use std::iter::FusedIterator;
use std::marker::PhantomData;
use std::sync::Arc;

use alloc::{Event, Log, Recording};
use bumpalo::Bump;
use common::{
    allocations, check_all, expect_panic, ids_of, Align256, Bomb, Counting, Ledger, Owned, Owning,
    LABEL,
};
use heaparray::traits::LabelledArrayIn;
use heaparray::*;

#[global_allocator]
static ALLOC: Counting = Counting;

/// The length of the arrays (small under Miri).
const N: usize = if cfg!(miri) { 7 } else { 24 };

// ---- the three handles, as one generic "kind" ---------------------------------

/// A handle with a by-value iterator.
trait Kind {
    /// The handle.
    type Array<E, L, A: Allocator>: LabelledArrayIn<E, L, A>
        + IntoIterator<Item = E, IntoIter = Self::Iter<E, L, A>>;
    type Iter<E, L, A: Allocator>: DoubleEndedIterator<Item = E> + ExactSizeIterator + FusedIterator;
    /// `Handle::with_label_in(label, len, f, alloc).into_iter()`.
    fn iter<E, L, A: Allocator>(
        label: L,
        len: usize,
        f: impl FnMut(&mut L, usize) -> E,
        alloc: A,
    ) -> Self::Iter<E, L, A> {
        Self::Array::with_label_in(label, len, f, alloc).into_iter()
    }
    /// `as_slice`.
    fn rest<E, L, A: Allocator>(it: &Self::Iter<E, L, A>) -> &[E];
    /// `as_mut_slice`.
    fn rest_mut<E, L, A: Allocator>(it: &mut Self::Iter<E, L, A>) -> &mut [E];
}

/// The `rest` and `rest_mut` of a `Kind` impl: the iterators' inherent
/// `as_slice` and `as_mut_slice`, which no trait names.
macro_rules! rest_of_iter {
    () => {
        fn rest<E, L, A: Allocator>(it: &Self::Iter<E, L, A>) -> &[E] {
            it.as_slice()
        }
        fn rest_mut<E, L, A: Allocator>(it: &mut Self::Iter<E, L, A>) -> &mut [E] {
            it.as_mut_slice()
        }
    };
}

struct Heap;

impl Kind for Heap {
    type Array<E, L, A: Allocator> = HeapArray<E, L, A>;
    type Iter<E, L, A: Allocator> = HeapArrayIntoIter<E, L, A>;
    rest_of_iter!();
}

struct Unique<P>(PhantomData<P>);

impl<P: ArcLayout> Kind for Unique<P> {
    type Array<E, L, A: Allocator> = UniqueArcArrayBase<E, L, P, A>;
    type Iter<E, L, A: Allocator> = UniqueArcArrayIntoIter<E, L, P, A>;
    rest_of_iter!();
}

/// One `#[test]` per handle for each generic function `f::<K>()` named.
macro_rules! kinds {
    ($($f:ident),* $(,)?) => {
        common::stamp_tests!([
            heap_array: <Heap>,
            unique_arc_array: <Unique<Padded>>,
            compact_unique_arc_array: <Unique<Compact>>,
        ] $($f),*);
    };
}

/// One `#[test]` per handle and element/label pair for each generic
/// function `f::<K, E, L>()` named: the canary alone, and values that own
/// heap memory (each heap type once as element, once as label).
macro_rules! owning_kinds {
    ($($f:ident),* $(,)?) => {
        common::stamp_tests!([
            heap_array_canary: <Heap, Canary, Canary>,
            heap_array_string_box: <Heap, Owned<String>, Owned<Box<u64>>>,
            heap_array_vec_string: <Heap, Owned<Vec<u64>>, Owned<String>>,
            unique_canary: <Unique<Padded>, Canary, Canary>,
            unique_string_box: <Unique<Padded>, Owned<String>, Owned<Box<u64>>>,
            unique_vec_string: <Unique<Padded>, Owned<Vec<u64>>, Owned<String>>,
            compact_canary: <Unique<Compact>, Canary, Canary>,
            compact_string_box: <Unique<Compact>, Owned<String>, Owned<Box<u64>>>,
            compact_box_vec: <Unique<Compact>, Owned<Box<u64>>, Owned<Vec<u64>>>,
        ] $($f),*);
    };
}

/// Element `i` made with `E::make(ledger, i)`.
fn owned<'a, E: Owning, L>(ledger: &'a Arc<Ledger>) -> impl FnMut(&mut L, usize) -> E + 'a {
    move |_, i| E::make(ledger, i)
}

/// Runs `f` with a fresh ledger and recording log, then checks: every
/// canary dropped once; every recorded block freed exactly once, by the
/// instance that allocated it, before that instance was dropped (once);
/// and no byte left allocated on this thread (the counting global
/// allocator: the log's own memory included, freed with it).
fn run(f: impl FnOnce(&Arc<Ledger>, &Arc<Log>)) {
    let ledger = Ledger::new();
    let ((), _, live) = allocations(|| {
        let log = Log::new();
        f(&ledger, &log);
        ledger.assert_all_dropped();
        log.assert_all_returned();
        let events = log.events();
        let count = |freed: bool| {
            events
                .iter()
                .filter(|e| match e {
                    Event::Freed { .. } => freed,
                    Event::Allocated { .. } => !freed,
                    _ => false,
                })
                .count()
        };
        assert_eq!(
            count(true),
            count(false),
            "each block freed exactly once: {events:?}"
        );
        for b in 0..log.blocks().len() {
            let freed = events
                .iter()
                .position(|e| matches!(e, Event::Freed { block, .. } if *block == b));
            let dropped = events
                .iter()
                .position(|e| matches!(e, Event::Dropped { .. }));
            assert!(freed.is_some() && freed < dropped, "block {b}: {events:?}");
        }
    });
    assert_eq!(live, 0, "bytes left allocated");
}

// ---- iteration ------------------------------------------------------------------

kinds!(
    full_iteration,
    full_iteration_backwards,
    next_and_next_back_interleaved,
    as_slice_mid_way,
    zero_sized_elements,
    zero_sized_everything,
    empty_arrays,
    over_aligned,
    arena,
);
owning_kinds!(
    partially_consumed_then_dropped,
    element_drop_panics,
    label_drop_panics
);

/// Every element once, in order; the label and the block go when the
/// iterator is used up (`collect` drops it).
fn full_iteration<K: Kind>() {
    run(|ledger, log| {
        let label = Owned::<Box<u64>>::make(ledger, LABEL);
        let it = K::iter(
            label,
            N,
            owned::<Owned<String>, _>(ledger),
            Recording::new(log),
        );
        assert_eq!(it.len(), N);
        assert_eq!(log.live_blocks().len(), 1);
        let v: Vec<Owned<String>> = it.collect();
        assert_eq!(
            log.live_blocks(),
            Vec::<usize>::new(),
            "freed by collect's drop"
        );
        check_all(&v);
        assert_eq!(
            ids_of(&v),
            (1..=N).collect::<Vec<_>>(),
            "in order, each once"
        );
        assert_eq!(ledger.live(), N, "the label dropped with the iterator");
        drop(v);
    });
}

fn full_iteration_backwards<K: Kind>() {
    run(|ledger, log| {
        let label = Owned::<String>::make(ledger, LABEL);
        let it = K::iter(
            label,
            N,
            owned::<Owned<Vec<u64>>, _>(ledger),
            Recording::new(log),
        );
        let mut v: Vec<Owned<Vec<u64>>> = it.rev().collect();
        assert_eq!(ids_of(&v), (1..=N).rev().collect::<Vec<_>>());
        v.reverse();
        check_all(&v);
        assert_eq!(ledger.live(), N);
        drop(v);
    });
}

/// Front and back in a pattern, checked against a `VecDeque` at every
/// step: the item, `len`, `size_hint`, `as_slice`; then fused at the end.
fn next_and_next_back_interleaved<K: Kind>() {
    for pattern in [
        [true, false, false],
        [false, true, true],
        [true, true, false],
    ] {
        let mut it = K::iter(String::from("label"), N, |_, i| i.to_string(), Global);
        let mut model: VecDeque<String> = (0..N).map(|i| i.to_string()).collect();
        let mut step = 0;
        loop {
            let n = model.len();
            assert_eq!(it.len(), n, "len at step {step}");
            assert_eq!(it.size_hint(), (n, Some(n)), "size_hint at step {step}");
            assert_eq!(
                K::rest(&it),
                model.make_contiguous(),
                "as_slice at step {step}"
            );
            let (got, want) = if pattern[step % 3] {
                (it.next(), model.pop_front())
            } else {
                (it.next_back(), model.pop_back())
            };
            assert_eq!(got, want, "item at step {step}");
            if want.is_none() {
                break;
            }
            step += 1;
        }
        assert_eq!(step, N);
        for _ in 0..3 {
            assert_eq!(it.next(), None, "fused");
            assert_eq!(it.next_back(), None, "fused");
            assert_eq!(it.len(), 0);
        }
    }
}

/// `as_slice` and `as_mut_slice` see exactly the elements not yet yielded,
/// in place; a write through `as_mut_slice` is what comes out next.
fn as_slice_mid_way<K: Kind>() {
    let mut it = K::iter((), N, |_, i| i as u64, Global);
    it.next();
    it.next_back();
    let rest: Vec<u64> = (1..N as u64 - 1).collect();
    assert_eq!(K::rest(&it), &rest[..]);
    let first = K::rest(&it).as_ptr();
    K::rest_mut(&mut it)[0] = 100;
    *K::rest_mut(&mut it).last_mut().unwrap() = 200;
    assert_eq!(it.next(), Some(100));
    assert_eq!(it.next_back(), Some(200));
    assert_eq!(
        K::rest(&it).as_ptr(),
        first.wrapping_add(1),
        "in place, no copy"
    );
    assert_eq!(K::rest(&it), &rest[1..rest.len() - 1]);
    assert_eq!(it.count(), N - 4);
}

/// The elements taken stay alive with the caller; what is left and the
/// label are dropped once with the iterator; the block is freed once, by
/// its allocator, then the allocator dropped once.
fn partially_consumed_then_dropped<K: Kind, E: Owning, L: Owning>() {
    for (front, back) in [
        (0, 0),
        (1, 0),
        (0, 1),
        (2, 1),
        (N - 1, 0),
        (0, N - 1),
        (3, N - 3),
    ] {
        run(|ledger, log| {
            let label = L::make(ledger, LABEL);
            let mut it = K::iter(label, N, owned::<E, _>(ledger), Recording::new(log));
            let taken_front: Vec<E> = it.by_ref().take(front).collect();
            let taken_back: Vec<E> = (0..back).map_while(|_| it.next_back()).collect();
            check_all(&taken_front);
            for (k, e) in taken_back.iter().enumerate() {
                e.check(N - 1 - k);
            }
            assert_eq!(it.len(), N - front - back);
            assert_eq!(ledger.live(), N + 1, "nothing dropped yet");
            drop(it);
            assert_eq!(log.live_blocks(), Vec::<usize>::new(), "the block freed");
            assert_eq!(
                ledger.live(),
                front + back,
                "({front}, {back}): the rest and the label dropped with the iterator"
            );
            drop((taken_front, taken_back));
        });
    }
}

/// Dropping the iterator with an element left whose destructor panics:
/// the panic propagates; every other element left and the label are still
/// dropped once; the block is freed once and the allocator dropped once.
fn element_drop_panics<K: Kind, E: Owning, L: Owning>() {
    drop_panics::<K, E, L>(&[1, N / 2, N - 2]);
}

/// The same with the label's destructor panicking (after the elements).
fn label_drop_panics<K: Kind, E: Owning, L: Owning>() {
    drop_panics::<K, E, L>(&[usize::MAX]);
}

/// Takes the first and the last element, then drops the iterator with a
/// bomb at each of `bombs` in turn (an index among those left, or
/// `usize::MAX` for the label).
fn drop_panics<K: Kind, E: Owning, L: Owning>(bombs: &[usize]) {
    for &bomb_at in bombs {
        run(|ledger, log| {
            let label = Bomb {
                value: L::make(ledger, LABEL),
                n: LABEL,
                bomb: bomb_at == usize::MAX,
            };
            let make = |_: &mut Bomb<L>, i| Bomb {
                value: E::make(ledger, i),
                n: i,
                bomb: i == bomb_at,
            };
            let mut it = K::iter(label, N, make, Recording::new(log));
            let first = it.next().unwrap();
            let last = it.next_back().unwrap();
            let message = expect_panic(move || drop(it));
            assert!(message.contains("panics in drop"), "{message}");
            assert_eq!(log.live_blocks(), Vec::<usize>::new(), "the block freed");
            assert_eq!(
                ledger.live(),
                2,
                "bomb at {bomb_at}: all but the two taken dropped"
            );
            drop((first, last));
        });
    }
}

thread_local! {
    static ZST_DROPS: Cell<usize> = const { Cell::new(0) };
}

/// A zero-sized value whose drops are counted (per thread).
#[derive(Debug, PartialEq)]
struct Zst;

impl Drop for Zst {
    fn drop(&mut self) {
        ZST_DROPS.with(|d| d.set(d.get() + 1));
    }
}

fn zst_drops() -> usize {
    ZST_DROPS.with(Cell::get)
}

const MANY: usize = if cfg!(miri) { 50 } else { 10_000 };

/// Zero-sized elements in a block that holds an owning label: counted in
/// and out, from both ends; the rest dropped with the iterator.
fn zero_sized_elements<K: Kind>() {
    run(|ledger, log| {
        let before = zst_drops();
        let label = Owned::<String>::make(ledger, LABEL);
        let mut it = K::iter(label, MANY, |_, _| Zst, Recording::new(log));
        assert_eq!(it.len(), MANY);
        assert!(it.next().is_some());
        assert!(it.next_back().is_some());
        assert_eq!(it.len(), MANY - 2);
        assert_eq!(K::rest(&it).len(), MANY - 2);
        assert_eq!(zst_drops() - before, 2, "the two taken, dropped at once");
        assert_eq!(it.by_ref().take(3).count(), 3);
        assert_eq!(zst_drops() - before, 5);
        drop(it);
        assert_eq!(zst_drops() - before, MANY, "each once");
        assert_eq!(ledger.live(), 0, "the label dropped");
    });
}

/// Zero-sized elements and label and (for `HeapArray`) a zero-sized
/// allocator: the block of no bytes, a dangling address never freed.
fn zero_sized_everything<K: Kind>() {
    let before = zst_drops();
    let mut it = K::iter(Zst, MANY, |_, _| Zst, Global);
    assert!(it.next_back().is_some());
    assert_eq!(it.len(), MANY - 1);
    drop(it);
    assert_eq!(
        zst_drops() - before,
        MANY + 1,
        "each element and the label once"
    );

    let before = zst_drops();
    let it = K::iter((), MANY, |_, _| Zst, Global);
    assert_eq!(it.rev().count(), MANY);
    assert_eq!(zst_drops() - before, MANY);
}

/// Empty arrays: nothing from either end, and the label still dropped
/// once and the block freed.
fn empty_arrays<K: Kind>() {
    run(|ledger, log| {
        let label = Owned::<String>::make(ledger, LABEL);
        let mut it = K::iter(
            label,
            0,
            owned::<Owned<String>, _>(ledger),
            Recording::new(log),
        );
        assert_eq!((it.len(), it.size_hint()), (0, (0, Some(0))));
        assert!(K::rest(&it).is_empty());
        assert!(it.next().is_none() && it.next_back().is_none() && it.next().is_none());
        assert_eq!(ledger.live(), 1, "the label, until the iterator drops");
        drop(it);
    });

    // No label, `u64` elements: for `HeapArray` a block of no bytes.
    let mut it = K::iter((), 0, |_, i| i as u64, Global);
    assert_eq!(it.next(), None);
    assert_eq!(K::rest(&it), &[] as &[u64]);
    let ((), allocs, live) = allocations(|| drop(it));
    assert_eq!((allocs, live <= 0), (0, true));
}

/// Elements and label aligned to 256 bytes: every element read at its
/// alignment, from both ends.
fn over_aligned<K: Kind>() {
    let mut it = K::iter(Align256(7), N, |_, i| Align256(i as u64), Global);
    let mut front = 0;
    let mut back = N;
    while !K::rest(&it).is_empty() {
        assert_eq!(K::rest(&it).as_ptr() as usize % 256, 0, "aligned");
        assert_eq!(it.next(), Some(Align256(front as u64)));
        front += 1;
        if let Some(x) = it.next_back() {
            back -= 1;
            assert_eq!(x, Align256(back as u64));
        }
    }
    assert!(front >= back);
}

/// An arena allocator (`&Bump`): the elements come out, the rest and the
/// label are dropped with the iterator; the block goes back to the arena
/// (a no-op there) with no drop missing.
fn arena<K: Kind>() {
    let bump = Bump::new();
    let ledger = Ledger::new();
    let label = Owned::<Box<u64>>::make(&ledger, LABEL);
    let mut it = K::iter(label, N, owned::<Owned<String>, _>(&ledger), &bump);
    assert!(bump.allocated_bytes() > 0);
    let a = it.next().unwrap();
    let z = it.next_back().unwrap();
    a.check(0);
    z.check(N - 1);
    let middle: Vec<Owned<String>> = it.by_ref().take(2).collect();
    assert_eq!(ids_of(&middle), [2, 3]);
    drop(it);
    assert_eq!(ledger.live(), 4, "the rest and the label dropped");
    drop((a, z, middle));
    ledger.assert_all_dropped();

    // And a whole iteration, collected.
    let v: Vec<String> = K::iter((), N, |_, i| i.to_string(), &bump).collect();
    assert_eq!(v.len(), N);
}

// ---- the migration from Arc::try_unwrap -------------------------------------------

/// `Arc::try_unwrap(arc)` then the elements into a `Vec`, migrated:
/// `ArcArray::try_unique(a).unwrap().into_iter().collect::<Vec<_>>()`,
/// the same `Vec` as the original program's, every value moved (no clone)
/// and the block freed.
fn migration<P: ArcLayout>() {
    // The original program.
    let original: Arc<Vec<String>> = Arc::new((0..N).map(|i| format!("item {i}")).collect());
    let other = Arc::clone(&original);
    let original = Arc::try_unwrap(original).unwrap_err();
    drop(other);
    let want: Vec<String> = Arc::try_unwrap(original).unwrap();

    // The migration.
    let ledger = Ledger::new();
    let ((), _, live) = allocations(|| {
        let a: ArcArrayBase<Owned<String>, (), P, Global> =
            LabelledArrayIn::with_label_in((), N, owned(&ledger), Global);
        let b = a.clone();
        let a = ArcArrayBase::try_unique(a).unwrap_err();
        drop(b);
        let v: Vec<Owned<String>> = ArcArrayBase::try_unique(a).unwrap().into_iter().collect();
        assert_eq!(ledger.made(), N, "moved, never cloned");
        check_all(&v);
        let got: Vec<String> = v.into_iter().map(|o| o.value).collect();
        let want: Vec<String> = (0..N).map(|i| format!("value {i}")).collect();
        assert_eq!(got, want);
    });
    ledger.assert_all_dropped();
    assert_eq!(live, 0);

    // With a weak handle left, `try_unique` moves the contents to a new
    // block; the iterator frees that one, the weak handle the old.
    let ((), _, live) = allocations(|| {
        let a: ArcArrayBase<String, String, P, Global> =
            LabelledArrayIn::with_label_in("l".into(), N, |_, i| format!("item {i}"), Global);
        let weak = ArcArrayBase::downgrade(&a);
        let v: Vec<String> = ArcArrayBase::try_unique(a).unwrap().into_iter().collect();
        assert_eq!(v, want);
        assert!(weak.upgrade().is_none());
    });
    assert_eq!(live, 0);
}

#[test]
fn migration_arc_array() {
    migration::<Padded>();
    // As the docs spell it, with the alias.
    let a: ArcArray<u32> = ArcArray::new(3, |i| i as u32);
    let v: Vec<u32> = ArcArray::try_unique(a).unwrap().into_iter().collect();
    assert_eq!(v, [0, 1, 2]);
}

#[test]
fn migration_compact_arc_array() {
    migration::<Compact>();
    let a: CompactArcArray<u32> = CompactArcArray::new(3, |i| i as u32);
    let v: Vec<u32> = CompactArcArray::try_unique(a)
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(v, [0, 1, 2]);
}

// ---- the types -----------------------------------------------------------------

#[test]
fn debug_prints_the_elements_left() {
    let mut it = HeapArray::with_label('l', 3, |_, i| i).into_iter();
    it.next();
    assert_eq!(format!("{it:?}"), "HeapArrayIntoIter([1, 2])");
    let mut it = CompactUniqueArcArray::with_label('l', 3, |_, i| i).into_iter();
    it.next_back();
    assert_eq!(format!("{it:?}"), "UniqueArcArrayIntoIter([0, 1])");
}

#[test]
fn send_sync_and_variance_as_vec_into_iter() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<HeapArrayIntoIter<String, Box<u8>>>();
    send_sync::<UniqueArcArrayIntoIter<String, Box<u8>>>();
    send_sync::<UniqueArcArrayIntoIter<String, Box<u8>, Compact>>();

    // Covariant in the element and label types, as `vec::IntoIter`.
    fn shorter<'a>(
        it: HeapArrayIntoIter<&'static str, &'static str>,
    ) -> HeapArrayIntoIter<&'a str, &'a str> {
        it
    }
    fn shorter_unique<'a>(
        it: UniqueArcArrayIntoIter<&'static str>,
    ) -> UniqueArcArrayIntoIter<&'a str> {
        it
    }
    // And in the allocator, as `HeapArray` is.
    fn shorter_alloc<'a>(
        it: HeapArrayIntoIter<u8, (), &'static Bump>,
    ) -> HeapArrayIntoIter<u8, (), &'a Bump> {
        it
    }
    let _ = shorter_alloc;
    let it = shorter(HeapArray::with_label("l", 2, |_, _| "x").into_iter());
    assert_eq!(it.collect::<Vec<_>>(), ["x", "x"]);
    let it = shorter_unique(UniqueArcArray::new(1, |_| "y").into_iter());
    assert_eq!(it.collect::<Vec<_>>(), ["y"]);

    // Sent to another thread half consumed, finished there.
    let mut it = UniqueArcArray::with_label(String::from("l"), 4, |_, i| i.to_string()).into_iter();
    it.next();
    let rest = std::thread::spawn(move || it.collect::<Vec<_>>())
        .join()
        .unwrap();
    assert_eq!(rest, ["1", "2", "3"]);
}

#[test]
fn for_loop_by_value() {
    let mut seen = Vec::new();
    for s in HeapArray::new(3, |i| i.to_string()) {
        seen.push(s);
    }
    for s in UniqueArcArray::new(2, |i| (i + 10).to_string()) {
        seen.push(s);
    }
    assert_eq!(seen, ["0", "1", "2", "10", "11"]);
}
