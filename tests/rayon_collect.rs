//! rayon's `FromParallelIterator` for `ArcArray`, `UniqueArcArray` and
//! `HeapArray` (both layouts, any `Default` allocator): indexed iterators
//! are written straight into the block in parallel (one allocation, no
//! intermediate `Vec`), unindexed ones collected as rayon collects a `Vec`
//! and moved in; a panicking item drops exactly what was made and frees
//! the block; an iterator that lies (about its length, its splits, what
//! it feeds its folders, how it reduces) gets a clear panic or a correct
//! array, never undefined behaviour, a leak or a double drop.
//!
//! Run by ci/miri.sh with the rayon flags (Tree Borrows, permissive
//! provenance for crossbeam-epoch, leaks left to the counting allocator).
#![cfg(not(any(loom, shuttle)))]
#![cfg(feature = "rayon")]

#[path = "common/alloc.rs"]
mod alloc;
mod common;

use std::ops::Range;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;

use heaparray::*;
use rayon::iter::plumbing::{Consumer, Folder, Reducer, UnindexedConsumer};
use rayon::prelude::*;

use alloc::{assert_faulty_quiet, inject, Faulty, Mode, PANIC_MESSAGE};
use common::{alone, block_allocations, live_block_bytes_after, BlockCounting, Canary, Ledger};

// ---- counting blocks, silencing expected panics ------------------------------

/// Blocks counted (tests/common: only this file's 32-aligned types, the
/// blocks and vectors of [`Item`] and [`Wide`], are); elements allocate
/// their heap memory on rayon's threads, and every element's drop is
/// counted by its canary.
#[global_allocator]
static GLOBAL: BlockCounting = BlockCounting;

/// Set while a test expects a panic, on whichever thread it happens.
static EXPECTING: AtomicBool = AtomicBool::new(false);

/// Runs `f`, which must panic (on any thread of rayon's pool); returns the
/// panic's message. The panic hook prints nothing meanwhile (printing a
/// backtrace would also fill std's symbol cache).
#[track_caller]
fn expect_panic(f: impl FnOnce()) -> String {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !EXPECTING.load(SeqCst) {
                default(info);
            }
        }));
    });
    EXPECTING.store(true, SeqCst);
    let result = catch_unwind(AssertUnwindSafe(f));
    EXPECTING.store(false, SeqCst);
    let err = result.expect_err("expected a panic");
    err.downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| (*s).to_string()))
        .unwrap_or_default()
}

fn sizes() -> Vec<usize> {
    if cfg!(miri) {
        vec![0, 1, 2, 7, 33]
    } else {
        vec![0, 1, 2, 7, 1000, 100_003]
    }
}

fn f(i: u64) -> u64 {
    i * 3 + 1
}

// ---- element types -----------------------------------------------------------

/// An element that owns heap memory (a `String` and a `Box`) and a canary
/// of the test's ledger (a double drop panics, a leak is seen by
/// [`Ledger::assert_all_dropped`]); aligned to 32, so its blocks are
/// counted by [`BlockCounting`].
#[repr(align(32))]
#[derive(Debug)]
struct Item {
    canary: Canary,
    text: String,
    boxed: Box<u64>,
}

impl Item {
    fn new(ledger: &Arc<Ledger>, i: usize) -> Item {
        Item {
            canary: ledger.canary(),
            text: i.to_string(),
            boxed: Box::new(i as u64),
        }
    }

    /// Panics unless this is what `new(_, i)` made (reading its heap
    /// memory, for Miri to check).
    #[track_caller]
    fn check(&self, i: usize) {
        assert_eq!(self.text, i.to_string(), "canary {}", self.canary.id);
        assert_eq!(*self.boxed, i as u64);
    }
}

#[track_caller]
fn check_items(items: &[Item], len: usize) {
    assert_eq!(items.len(), len);
    for (i, item) in items.iter().enumerate() {
        item.check(i);
    }
}

/// A plain element aligned to 32, so that its blocks and vectors are the
/// only allocations [`block_allocations`] counts.
#[repr(align(32))]
#[derive(Clone, Copy, Debug, PartialEq)]
struct Wide(u64);

static ZST_DROPS: AtomicUsize = AtomicUsize::new(0);

/// A zero-sized element whose drops are counted.
#[derive(Debug)]
struct Zst;

impl Drop for Zst {
    fn drop(&mut self) {
        ZST_DROPS.fetch_add(1, SeqCst);
    }
}

// ---- results -------------------------------------------------------------------

/// Collects `make()` into each handle and compares with `Vec`'s collect.
macro_rules! each_handle {
    ($t:ty, $want:expr, $make:expr) => {{
        let want: Vec<$t> = $want;
        let a: ArcArray<$t> = $make.collect();
        assert_eq!(&*a, &want[..], "ArcArray");
        let u: UniqueArcArray<$t> = $make.collect();
        assert_eq!(&*u, &want[..], "UniqueArcArray");
        let h: HeapArray<$t> = $make.collect();
        assert_eq!(&*h, &want[..], "HeapArray");
        let c: CompactArcArray<$t> = $make.collect();
        assert_eq!(&*c, &want[..], "CompactArcArray");
        let cu: CompactUniqueArcArray<$t> = $make.collect();
        assert_eq!(&*cu, &want[..], "CompactUniqueArcArray");
    }};
}

#[test]
fn indexed_map_every_handle() {
    let _alone = alone();
    for n in sizes() {
        let n = n as u64;
        each_handle!(u64, (0..n).map(f).collect(), (0..n).into_par_iter().map(f));
    }
}

#[test]
fn indexed_cloned_strings_every_handle() {
    let _alone = alone();
    for n in sizes() {
        let v: Vec<String> = (0..n).map(|i| format!("s{i}")).collect();
        each_handle!(String, v.clone(), v.par_iter().cloned());
        each_handle!(String, v.clone(), v.clone().into_par_iter());
        // Indexed adaptors: zip, enumerate, rev, chain, step_by.
        each_handle!(
            String,
            v.iter()
                .rev()
                .enumerate()
                .map(|(i, s)| format!("{i}{s}"))
                .collect(),
            v.par_iter()
                .rev()
                .enumerate()
                .map(|(i, s)| format!("{i}{s}"))
        );
        each_handle!(
            String,
            v.iter().chain(v.iter().step_by(3)).cloned().collect(),
            v.par_iter().chain(v.par_iter().step_by(3)).cloned()
        );
    }
}

#[test]
fn unindexed_every_handle() {
    let _alone = alone();
    for n in sizes() {
        let n = n as u64;
        each_handle!(
            u64,
            (0..n).filter(|i| i % 3 != 1).collect(),
            (0..n).into_par_iter().filter(|i| i % 3 != 1)
        );
        each_handle!(
            String,
            (0..n)
                .flat_map(|i| (0..i % 4).map(move |j| format!("{i}.{j}")))
                .collect(),
            (0..n)
                .into_par_iter()
                .flat_map_iter(|i| (0..i % 4).map(move |j| format!("{i}.{j}")))
        );
    }
}

#[test]
fn unordered_par_bridge() {
    let _alone = alone();
    let n = if cfg!(miri) { 20 } else { 10_000 };
    let a: ArcArray<u64> = (0..n).par_bridge().collect();
    let mut sorted = a.to_vec();
    sorted.sort_unstable();
    assert_eq!(sorted, (0..n).collect::<Vec<_>>());
}

/// Indexed iterators are written into the block: one allocation, the
/// block, and no vector; unindexed ones also allocate vectors.
#[test]
fn indexed_collect_allocates_only_the_block() {
    let _alone = alone();
    for n in sizes() {
        let (a, allocations) = block_allocations(|| {
            (0..n as u64)
                .into_par_iter()
                .map(Wide)
                .collect::<ArcArray<_>>()
        });
        assert_eq!(a.len(), n);
        assert!(a.iter().enumerate().all(|(i, w)| w.0 == i as u64));
        assert_eq!(allocations, 1, "n = {n}: the block only");
        let (h, allocations) = block_allocations(|| {
            let v: Vec<Wide> = (0..n as u64).map(Wide).collect();
            v.par_iter().copied().collect::<HeapArray<_>>()
        });
        assert_eq!(h.len(), n);
        // (No allocation at all for no element: a `HeapArray` block of no
        // bytes is dangling.)
        assert_eq!(
            allocations,
            if n == 0 { 0 } else { 2 },
            "the vector and the block"
        );
        if n > 0 {
            let (u, allocations) = block_allocations(|| {
                (0..n as u64)
                    .into_par_iter()
                    .filter(|i| i % 2 == 0)
                    .map(Wide)
                    .collect::<UniqueArcArray<_>>()
            });
            assert_eq!(u.len(), n.div_ceil(2));
            assert!(
                allocations >= 2,
                "n = {n}: collected, then moved into the block"
            );
        }
    }
}

#[test]
fn zero_sized_elements() {
    let _alone = alone();
    for n in sizes()
        .into_iter()
        .chain(if cfg!(miri) { None } else { Some(1 << 20) })
    {
        let a: ArcArray<()> = (0..n).into_par_iter().map(|_| ()).collect();
        assert_eq!(a.len(), n);
        let before = ZST_DROPS.load(SeqCst);
        let h: HeapArray<Zst> = (0..n).into_par_iter().map(|_| Zst).collect();
        assert_eq!(h.len(), n);
        let c: CompactUniqueArcArray<Zst> = (0..n)
            .into_par_iter()
            .filter(|i| i % 2 == 0)
            .map(|_| Zst)
            .collect();
        assert_eq!(c.len(), n.div_ceil(2));
        drop((h, c));
        assert_eq!(
            ZST_DROPS.load(SeqCst) - before,
            n + n.div_ceil(2),
            "n = {n}"
        );
    }
}

#[test]
fn owning_elements_in_order_and_all_dropped() {
    let _alone = alone();
    for n in sizes() {
        let ledger = Ledger::new();
        let live = live_block_bytes_after(|| {
            let a: ArcArray<Item> = (0..n)
                .into_par_iter()
                .map(|i| Item::new(&ledger, i))
                .collect();
            check_items(&a, n);
            let b = a.clone();
            drop(a);
            check_items(&b, n);
            let h: HeapArray<Item> = (0..n)
                .into_par_iter()
                .filter(|i| i % 2 == 1)
                .map(|i| Item::new(&ledger, i))
                .collect();
            assert!(h
                .iter()
                .all(|item| item.text.parse::<usize>().unwrap() % 2 == 1));
        });
        assert_eq!(live, 0, "n = {n}: a block leaked");
        ledger.assert_all_dropped();
    }
}

/// `collect` with an allocator other than `Global` (any `Default` one):
/// the zero-sized and the 24-byte `Faulty` of tests/common/alloc.rs, which
/// check that every block goes back to the instance that allocated it, and
/// an allocation that panics, with the items (not yet made, or collected
/// in a vector) dropped.
#[test]
fn default_allocators() {
    let _alone = alone();
    let n = if cfg!(miri) { 20 } else { 5000 };
    let want: Vec<u64> = (0..n as u64).map(f).collect();
    {
        let a: ArcArray<u64, (), Faulty<3>> = (0..n as u64).into_par_iter().map(f).collect();
        assert_eq!(&*a, &want[..]);
        let c: CompactArcArray<u64, (), Faulty> = (0..n as u64)
            .into_par_iter()
            .filter(|_| true)
            .map(f)
            .collect();
        assert_eq!(&*c, &want[..]);
        let h: HeapArray<u64, (), Faulty<3>> = want.par_iter().copied().collect();
        assert_eq!(&*h, &want[..]);
        let u: CompactUniqueArcArray<u64, (), Faulty<3>> =
            want.par_iter().copied().filter(|_| true).collect();
        assert_eq!(&*u, &want[..]);
    }
    assert_faulty_quiet("collect");
    for indexed in [true, false] {
        let ledger = Ledger::new();
        let message = expect_panic(|| {
            inject(0, Mode::Panic, || {
                let make = |i| Item::new(&ledger, i);
                drop(if indexed {
                    (0..n)
                        .into_par_iter()
                        .map(make)
                        .collect::<ArcArray<Item, (), Faulty<3>>>()
                } else {
                    (0..n)
                        .into_par_iter()
                        .filter(|_| true)
                        .map(make)
                        .collect::<ArcArray<Item, (), Faulty<3>>>()
                });
            });
        });
        assert_eq!(message, PANIC_MESSAGE);
        assert_eq!(
            ledger.made(),
            if indexed { 0 } else { n },
            "indexed = {indexed}"
        );
        ledger.assert_all_dropped();
        assert_faulty_quiet("a panicking allocation");
    }
}

// ---- panicking items ---------------------------------------------------------------

/// The handles the panic and lying-iterator tests collect into.
#[derive(Clone, Copy, Debug)]
enum Handle {
    Arc,
    Compact,
    Unique,
    Heap,
}

const HANDLES: [Handle; 4] = [Handle::Arc, Handle::Compact, Handle::Unique, Handle::Heap];

/// Collects `iter` into `handle`, checks it holds items `0..len` (as
/// [`Item::new`] made them), and drops it.
fn collect_into<I: IntoParallelIterator<Item = Item>>(handle: Handle, iter: I, len: usize) {
    match handle {
        Handle::Arc => check_items(&iter.into_par_iter().collect::<ArcArray<Item>>(), len),
        Handle::Compact => check_items(
            &iter.into_par_iter().collect::<CompactArcArray<Item>>(),
            len,
        ),
        Handle::Unique => check_items(&iter.into_par_iter().collect::<UniqueArcArray<Item>>(), len),
        Handle::Heap => check_items(&iter.into_par_iter().collect::<HeapArray<Item>>(), len),
    }
}

/// Every handle, indexed and unindexed, the panic at several positions:
/// what was made is dropped exactly once, the block (and any vector) is
/// freed, and the panic propagates.
#[test]
fn panicking_items_drop_what_was_made() {
    let _alone = alone();
    let len = if cfg!(miri) { 12 } else { 400 };
    let positions: Vec<usize> = if cfg!(miri) {
        vec![0, 5, len - 1]
    } else {
        (0..len).step_by(37).chain([len / 2, len - 1]).collect()
    };
    let handles: &[Handle] = if cfg!(miri) {
        &[Handle::Arc, Handle::Heap]
    } else {
        &HANDLES
    };
    for &k in &positions {
        for &handle in handles {
            for indexed in [true, false] {
                let ledger = Ledger::new();
                let make = |i: usize| {
                    if i == k {
                        panic!("item panics")
                    }
                    Item::new(&ledger, i)
                };
                let live = live_block_bytes_after(|| {
                    let message = expect_panic(|| {
                        if indexed {
                            collect_into(handle, (0..len).into_par_iter().map(make), len);
                        } else {
                            let iter = (0..len).into_par_iter().filter(|_| true).map(make);
                            collect_into(handle, iter, len);
                        }
                    });
                    assert_eq!(message, "item panics");
                });
                let what = format!("k = {k}, {handle:?}, indexed = {indexed}");
                assert_eq!(live, 0, "{what}: a block leaked");
                assert!(ledger.made() < len, "{what}");
                ledger.assert_all_dropped();
            }
        }
    }
}

// ---- lying iterators ---------------------------------------------------------------

/// An element the lying iterator makes: [`Item`] (owning, counted by the
/// ledger) or [`Zst`].
trait Make: Send + Sized {
    fn make(ledger: &Arc<Ledger>, i: usize) -> Self;
}

impl Make for Item {
    fn make(ledger: &Arc<Ledger>, i: usize) -> Self {
        Item::new(ledger, i)
    }
}

impl Make for Zst {
    fn make(_: &Arc<Ledger>, _: usize) -> Self {
        Zst
    }
}

/// How [`Liar`] breaks the contract of an indexed parallel iterator.
#[derive(Clone, Copy, Debug)]
enum Lie {
    /// Claims `claim` items (its `opt_len`), but drives an honest
    /// `(0..real).into_par_iter().map(..)` into the consumer.
    Length { real: usize },
    /// Splits its consumer as unindexed (`split_off_left`).
    SplitOffLeft,
    /// Feeds one folder `claim + 1` items.
    Overfeed,
    /// Feeds one folder `claim - 1` items, and completes.
    Short,
    /// Splits at the middle, fills both halves, reduces right with left.
    Reversed,
    /// Splits, fills both halves, drops the right result, returns the left.
    DropsRight,
    /// Splits, fills the left half one short and the right one fully,
    /// reduces them in order.
    Gap,
    /// Splits its consumer beyond its length.
    SplitBeyond,
    /// Honest, but splits at 0 and at the end (empty ranges), fills and
    /// reduces in order, on two threads: a correct array.
    EmptySplits,
}

/// A hand-written `ParallelIterator` that says it is indexed
/// (`opt_len() == Some(claim)`) and lies as `lie` says.
struct Liar<T> {
    claim: usize,
    lie: Lie,
    ledger: Arc<Ledger>,
    _items: std::marker::PhantomData<fn() -> T>,
}

impl<T> Liar<T> {
    fn new(claim: usize, lie: Lie, ledger: &Arc<Ledger>) -> Self {
        Liar {
            claim,
            lie,
            ledger: Arc::clone(ledger),
            _items: std::marker::PhantomData,
        }
    }
}

/// Feeds `consumer`'s folder the items `range` and completes it.
fn fill<T: Make, C: Consumer<T>>(
    consumer: C,
    range: Range<usize>,
    ledger: &Arc<Ledger>,
) -> C::Result {
    let mut folder = consumer.into_folder();
    for i in range {
        folder = folder.consume(T::make(ledger, i));
    }
    folder.complete()
}

impl<T: Make> ParallelIterator for Liar<T> {
    type Item = T;

    fn drive_unindexed<C: UnindexedConsumer<T>>(self, consumer: C) -> C::Result {
        let (n, ledger) = (self.claim, &self.ledger);
        match self.lie {
            Lie::Length { real } => (0..real)
                .into_par_iter()
                .map(|i| T::make(ledger, i))
                .drive_unindexed(consumer),
            Lie::SplitOffLeft => {
                let left = consumer.split_off_left();
                let reducer = consumer.to_reducer();
                reducer.reduce(
                    fill(left, 0..n / 2, ledger),
                    fill(consumer, n / 2..n, ledger),
                )
            }
            Lie::Overfeed => fill(consumer, 0..n + 1, ledger),
            Lie::Short => fill(consumer, 0..n.saturating_sub(1), ledger),
            Lie::Reversed => {
                let (left, right, reducer) = consumer.split_at(n / 2);
                let left = fill(left, 0..n / 2, ledger);
                let right = fill(right, n / 2..n, ledger);
                reducer.reduce(right, left)
            }
            Lie::DropsRight => {
                let (left, right, _) = consumer.split_at(n / 2);
                let left = fill(left, 0..n / 2, ledger);
                drop(fill(right, n / 2..n, ledger));
                left
            }
            Lie::Gap => {
                let (left, right, reducer) = consumer.split_at(n / 2);
                let left = fill(left, 0..(n / 2).saturating_sub(1), ledger);
                let right = fill(right, n / 2..n, ledger);
                reducer.reduce(left, right)
            }
            Lie::SplitBeyond => {
                let (left, right, reducer) = consumer.split_at(n + 1);
                reducer.reduce(fill(left, 0..n, ledger), fill(right, n..n, ledger))
            }
            Lie::EmptySplits => {
                let (empty, all, outer) = consumer.split_at(0);
                let (all, end, inner) = all.split_at(n);
                let (all, end) =
                    rayon::join(|| fill(all, 0..n, ledger), || fill(end, n..n, ledger));
                outer.reduce(fill(empty, 0..0, ledger), inner.reduce(all, end))
            }
        }
    }

    fn opt_len(&self) -> Option<usize> {
        Some(self.claim)
    }
}

/// Collects `Liar::new(claim, lie)` of [`Item`]s into every handle:
/// expects a panic whose message contains one of `panics_with`, or (`None`) a
/// correct array of `claim` items; either way every item made is dropped
/// exactly once and no block leaks.
#[track_caller]
fn lying(claim: usize, lie: Lie, panics_with: Option<&[&str]>) {
    for handle in HANDLES {
        let ledger = Ledger::new();
        let what = format!("{lie:?}, claim {claim}, {handle:?}");
        let live = live_block_bytes_after(|| match panics_with {
            Some(expected) => {
                let message =
                    expect_panic(|| collect_into(handle, Liar::new(claim, lie, &ledger), claim));
                assert!(
                    expected.iter().any(|e| message.contains(e)),
                    "{what}: panicked with {message:?}"
                );
            }
            None => collect_into(handle, Liar::new(claim, lie, &ledger), claim),
        });
        assert_eq!(live, 0, "{what}: a block leaked");
        ledger.assert_all_dropped();
    }
}

const EXPECTED: &str = "expected";
const MORE: &str = "more items than its length";
const BEYOND: &str = "beyond its";

fn claims() -> Vec<usize> {
    if cfg!(miri) {
        vec![1, 6]
    } else {
        vec![1, 2, 9, 1000]
    }
}

#[test]
fn lying_length_too_short() {
    let _alone = alone();
    for claim in claims() {
        // More items than claimed: a split beyond the range or a folder
        // fed too much, whichever the bridge reaches first.
        for real in [claim + 1, claim * 2 + 1] {
            lying(claim, Lie::Length { real }, Some(&[MORE, BEYOND]));
        }
    }
}

#[test]
fn lying_length_too_long() {
    let _alone = alone();
    for claim in claims() {
        lying(claim, Lie::Length { real: claim - 1 }, Some(&[EXPECTED]));
        lying(claim, Lie::Length { real: 0 }, Some(&[EXPECTED]));
        lying(claim, Lie::Length { real: claim }, None);
    }
    // A length whose block could not exist: "capacity overflow", before
    // anything is allocated or made.
    let ledger = Ledger::new();
    let message = expect_panic(|| {
        collect_into(
            Handle::Arc,
            Liar::<Item>::new(usize::MAX / 2, Lie::Length { real: 3 }, &ledger),
            3,
        );
    });
    assert!(message.contains("capacity overflow"), "{message}");
    assert_eq!(ledger.made(), 0);
}

#[test]
fn lying_splits_and_folders() {
    let _alone = alone();
    for claim in claims() {
        lying(claim, Lie::SplitOffLeft, Some(&["split_off_left"]));
        lying(claim, Lie::Overfeed, Some(&[MORE]));
        lying(claim, Lie::Short, Some(&[EXPECTED]));
        lying(claim, Lie::DropsRight, Some(&[EXPECTED]));
        lying(claim, Lie::SplitBeyond, Some(&[BEYOND]));
        lying(claim, Lie::EmptySplits, None);
        if claim >= 2 {
            lying(claim, Lie::Reversed, Some(&[EXPECTED]));
            lying(claim, Lie::Gap, Some(&[EXPECTED]));
        }
    }
    for claim in [0, 1] {
        // A split at 0: nothing to reverse, a gap of nothing: correct
        // arrays.
        lying(claim, Lie::Reversed, None);
        lying(claim, Lie::Gap, None);
    }
}

/// Zero-sized elements all share one address, so runs are always adjacent:
/// reduced out of order they still add up to a correct array (zero-sized
/// values are indistinguishable), and every one is dropped once.
#[test]
fn lying_with_zero_sized_elements() {
    let _alone = alone();
    let ledger = Ledger::new();
    for claim in claims() {
        let before = ZST_DROPS.load(SeqCst);
        let a: ArcArray<Zst> = Liar::new(claim, Lie::Reversed, &ledger).collect();
        assert_eq!(a.len(), claim);
        drop(a);
        assert_eq!(ZST_DROPS.load(SeqCst) - before, claim);
        for (lie, expected) in [
            (Lie::Overfeed, MORE),
            (Lie::Short, EXPECTED),
            (Lie::DropsRight, EXPECTED),
            (Lie::SplitOffLeft, "split_off_left"),
        ] {
            let before = ZST_DROPS.load(SeqCst);
            let message = expect_panic(|| {
                drop(Liar::<Zst>::new(claim, lie, &ledger).collect::<HeapArray<Zst>>())
            });
            assert!(message.contains(expected), "{lie:?}: {message}");
            let made = match lie {
                Lie::Overfeed => claim + 1,
                Lie::Short => claim - 1,
                Lie::DropsRight => claim,
                _ => 0,
            };
            assert_eq!(ZST_DROPS.load(SeqCst) - before, made, "{lie:?}");
        }
    }
}
