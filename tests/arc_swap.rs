//! Feature `arc-swap`: `ArcArray` in `ArcSwapAny` and
//! `ArcSwapAny<Option<..>>`. The `RefCnt` contract checked directly (the
//! pointer round-trips, is never null, and lies strictly inside its block,
//! for empty and zero-sized arrays too, in both layouts), then arc-swap's
//! operations with exact strong counts, more guards than arc-swap's fast
//! slots (its fallback path), and loader threads racing a storer with
//! every version's drop counted.
//!
//! Under Miri this suite needs `-Zmiri-permissive-provenance` (ci/miri.sh
//! runs it so, under both borrow models): when a storer races a loader,
//! arc-swap 1.9.5 casts integers back to pointers (`debt/helping.rs:322`,
//! the helping handover; `strategy/hybrid.rs:68` and `:94`, re-derived from
//! the address on purpose), which `-Zmiri-strict-provenance` rejects, and
//! whether a run reaches those lines depends on the schedule. arc-swap's own
//! CI runs Miri with permissive provenance. The single-threaded tests here
//! never reach them and pass with strict provenance too.
#![cfg(all(feature = "arc-swap", not(any(loom, shuttle))))]

#[path = "common/alloc.rs"]
mod alloc;
mod common;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::SeqCst};
use std::sync::Arc;
use std::thread;

use arc_swap::cache::Cache;
use arc_swap::{ArcSwapAny, Guard, RefCnt};
use common::{Canary, Ledger};
use heaparray::*;

use alloc::{Log, Recording};

/// The pointer arc-swap keeps for `a`, checked against `into_ptr`: the same
/// value, never null, and rebuilt by `from_ptr` into a handle of the same
/// block (with the count `into_ptr` kept).
fn check_round_trip<E, L, P: ArcLayout, A: Allocator>(a: &ArcArrayBase<E, L, P, A>) -> *mut u8 {
    let strong = ArcArrayBase::strong_count(a);
    let p = <ArcArrayBase<E, L, P, A> as RefCnt>::as_ptr(a);
    assert!(!p.is_null());
    assert_ne!(p.addr(), 3, "arc-swap's empty debt slot");
    let q = <ArcArrayBase<E, L, P, A> as RefCnt>::into_ptr(a.clone());
    assert_eq!(p, q);
    assert_eq!(
        ArcArrayBase::strong_count(a),
        strong + 1,
        "into_ptr keeps the clone's count"
    );
    // SAFETY: `q` came from `into_ptr` just above; its count is taken back
    // once.
    let back = unsafe { <ArcArrayBase<E, L, P, A> as RefCnt>::from_ptr(q) };
    assert!(ArcArrayBase::ptr_eq(&back, a));
    assert_eq!(ArcArrayBase::as_ptr(&back), ArcArrayBase::as_ptr(a));
    drop(back);
    assert_eq!(ArcArrayBase::strong_count(a), strong);
    p
}

/// Zero-sized elements.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Nothing;

/// Over-aligned elements.
#[derive(Clone, Copy, Debug, PartialEq)]
#[repr(align(64))]
struct Wide(u8);

/// For every kind of block (empty, zero-sized elements, a label or none,
/// over-aligned elements, both layouts), the pointer arc-swap keeps is
/// strictly inside the block the allocator gave: after its first byte and
/// before its end. So it is no other allocation's address, not even the
/// start of one right after an empty block, where the element pointer of
/// that empty block points.
#[test]
fn the_pointer_is_strictly_inside_its_block() {
    fn check<E, L, P: ArcLayout>(log: &Arc<Log>, a: ArcArrayBase<E, L, P, Recording>) {
        let p = check_round_trip(&a).addr();
        let block = log
            .blocks()
            .into_iter()
            .filter(|b| b.freed_on.is_none())
            .find(|b| b.addr <= p && p <= b.addr + b.layout.size())
            .expect("the pointer is in a live block of the allocator's");
        assert!(
            block.addr < p && p < block.addr + block.layout.size(),
            "{p:#x} in {block:?}"
        );
        let elems = ArcArrayBase::as_ptr(&a).addr();
        assert_eq!(p + 1, elems, "the byte before the elements");
    }
    fn both<E, L: Clone>(log: &Arc<Log>, len: usize, label: L, f: impl Fn(usize) -> E + Copy) {
        let alloc = Recording::new(log);
        check(
            log,
            ArcArray::<E, L, _>::with_label_in(label.clone(), len, |_, i| f(i), alloc.clone()),
        );
        check(
            log,
            CompactArcArray::with_label_in(label, len, |_, i| f(i), alloc),
        );
    }
    let log = Log::new();
    for len in [0, 1, 3] {
        both(&log, len, (), |i| i as u64);
        both(&log, len, 7u8, |i| i as u8);
        both(&log, len, (), |_| Nothing);
        both(&log, len, String::from("label"), |_| Nothing);
        both(&log, len, 1u16, |i| Wide(i as u8));
        both(&log, len, (), |i| i.to_string());
    }
    log.assert_no_errors();
    log.assert_all_returned();
}

/// Empty arrays of the global allocator, including `default()`, which may
/// be a shared static block: the pointer is never null and round-trips.
#[test]
fn empty_and_default_arrays_round_trip() {
    let a = ArcArray::<u64>::default();
    let b = ArcArray::<u64>::default();
    let (pa, pb) = (check_round_trip(&a), check_round_trip(&b));
    assert_eq!(
        pa == pb,
        ArcArray::ptr_eq(&a, &b),
        "the same pointer only for the same block"
    );
    check_round_trip(&ArcArray::<Nothing>::new(0, |_| Nothing));
    check_round_trip(&CompactArcArray::<u8>::default());
    check_round_trip(&ArcArray::<Wide, &str>::with_label("w", 0, |_, i| {
        Wide(i as u8)
    }));
}

#[test]
fn load_store_swap_keep_exact_counts() {
    let ledger = Ledger::new();
    let v1 = ArcArray::with_label(ledger.canary(), 3, |_, i| i as u32);
    let swap: ArcSwapAny<_> = ArcSwapAny::new(v1.clone());
    assert_eq!(ArcArray::strong_count(&v1), 2, "the ArcSwapAny holds one");
    {
        let guard = swap.load();
        assert_eq!(&guard[..], &[0, 1, 2]);
        assert!(ArcArray::ptr_eq(&guard, &v1));
        let full = swap.load_full();
        assert_eq!(
            ArcArray::strong_count(&v1),
            3,
            "load_full is a handle of its own"
        );
        drop(full);
    }
    assert_eq!(ArcArray::strong_count(&v1), 2);

    let v2 = ArcArray::with_label(ledger.canary(), 1, |_, _| 10);
    swap.store(v2.clone());
    assert_eq!(ArcArray::strong_count(&v1), 1, "store releases the old one");
    assert_eq!(ArcArray::strong_count(&v2), 2);

    let v3 = ArcArray::with_label(ledger.canary(), 2, |_, i| 20 + i as u32);
    let old = swap.swap(v3);
    assert!(ArcArray::ptr_eq(&old, &v2));
    assert_eq!(ArcArray::strong_count(&v2), 2, "swap hands the count back");
    drop((old, v2, v1));
    assert_eq!(ledger.live(), 1, "only the stored v3's label is left");

    let inner = swap.into_inner();
    assert_eq!(&inner[..], &[20, 21]);
    assert_eq!(ArcArray::strong_count(&inner), 1);
    drop(inner);
    ledger.assert_all_dropped();
}

#[test]
fn an_optional_array_is_null_when_absent() {
    let ledger = Ledger::new();
    let swap: ArcSwapAny<Option<ArcArray<u8, Canary>>> = ArcSwapAny::new(None);
    assert!(swap.load().is_none());
    assert!(<Option<ArcArray<u8, Canary>> as RefCnt>::as_ptr(&swap.load()).is_null());

    let a = ArcArray::with_label(ledger.canary(), 2, |_, i| i as u8);
    swap.store(Some(a.clone()));
    assert_eq!(swap.load().as_deref(), Some(&[0, 1][..]));
    assert_eq!(ArcArray::strong_count(&a), 2);
    // `Option` forwards the pointer: the same one as the bare handle's.
    assert_eq!(
        <Option<ArcArray<u8, Canary>> as RefCnt>::as_ptr(&swap.load()),
        <ArcArray<u8, Canary> as RefCnt>::as_ptr(&a)
    );

    let taken = swap.swap(None).expect("stored");
    assert!(ArcArray::ptr_eq(&taken, &a));
    assert!(swap.load().is_none());
    // An empty array is still `Some`: its pointer is not null.
    swap.store(Some(ArcArray::with_label(ledger.canary(), 0, |_, _| 0)));
    assert_eq!(swap.load().as_deref(), Some(&[][..]));
    drop((swap, taken, a));
    ledger.assert_all_dropped();
}

#[test]
fn compare_and_swap_and_rcu() {
    let a = ArcArray::new(1, |_| 1u64);
    let swap: ArcSwapAny<_> = ArcSwapAny::new(a.clone());

    // Against a stale handle: refused, the current one handed back.
    let stale = ArcArray::new(1, |_| 0u64);
    let seen = swap.compare_and_swap(&stale, ArcArray::new(1, |_| 99));
    assert!(ArcArray::ptr_eq(&seen, &a));
    drop(seen);
    assert_eq!(swap.load()[0], 1);

    // Against the current one (a guard): replaced.
    let current = swap.load();
    let prev = swap.compare_and_swap(&current, ArcArray::new(2, |i| 2 + i as u64));
    assert!(ArcArray::ptr_eq(&prev, &a));
    drop((prev, current));
    assert_eq!(&swap.load()[..], &[2, 3]);
    assert_eq!(ArcArray::strong_count(&a), 1);

    // rcu: each update builds the next array from the current one.
    for _ in 0..5 {
        swap.rcu(|old| ArcArray::from_iter(old.iter().copied().chain([old.len() as u64])));
    }
    assert_eq!(&swap.load()[..], &[2, 3, 2, 3, 4, 5, 6]);
}

/// arc-swap has 8 fast debt slots per thread; more guards at once go
/// through its fallback (the helping slot, which takes a full count).
#[test]
fn more_guards_than_fast_slots() {
    let a = ArcArray::with_label("held", 4, |_, i| i);
    let swap: ArcSwapAny<_> = ArcSwapAny::new(a.clone());
    let guards: Vec<Guard<ArcArray<usize, &str>>> = (0..20).map(|_| swap.load()).collect();
    assert!(guards.iter().all(|g| ArcArray::ptr_eq(g, &a) && g[3] == 3));
    // Replacing the array pays every debt: the guards stay valid.
    swap.store(ArcArray::with_label("new", 1, |_, _| 0));
    assert!(guards.iter().all(|g| *g.get_label() == "held" && g[3] == 3));
    drop(guards);
    assert_eq!(
        ArcArray::strong_count(&a),
        1,
        "every debt paid back, every count released"
    );
}

#[test]
fn cache_and_compact_layout_with_an_arena() {
    let arena = bumpalo::Bump::new();
    let swap: ArcSwapAny<_> =
        ArcSwapAny::new(CompactArcArray::with_label_in(1u32, 2, |_, i| i, &arena));
    let mut cache = Cache::new(&swap);
    assert_eq!(*cache.load().get_label(), 1);
    swap.store(CompactArcArray::with_label_in(2, 3, |_, i| i * 10, &arena));
    assert_eq!(
        (*cache.load().get_label(), &cache.load()[..]),
        (2, &[0, 10, 20][..])
    );
    drop(cache);
    drop(swap);
}

#[test]
fn shared_across_threads_only_when_the_array_is() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<ArcSwapAny<ArcArray<u8>>>();
    send_sync::<ArcSwapAny<Option<CompactArcArray<String, Vec<u8>>>>>();
    send_sync::<ArcSwapAny<ArcArray<u8, (), Recording>>>();
}

/// Loader threads read the current version (with `load`, `load_full`, and
/// more guards at once than the fast slots) while one thread stores new
/// versions; every version's label and elements are counted, and each is
/// dropped exactly once, none leaked.
fn loaders_and_a_storer<P: ArcLayout>() {
    let (loaders, versions) = if cfg!(miri) { (3, 12) } else { (4, 2_000) };
    let ledger = Ledger::new();
    let make = |v: u64| {
        ArcArrayBase::<Canary, (u64, Canary), P, Global>::with_label_in(
            (v, ledger.canary()),
            3,
            |_, _| ledger.canary(),
            Global,
        )
    };
    let swap: ArcSwapAny<_> = ArcSwapAny::new(make(0));
    let done = AtomicBool::new(false);
    let loads = AtomicU64::new(0);
    thread::scope(|s| {
        for t in 0..loaders {
            let (swap, done, loads) = (&swap, &done, &loads);
            s.spawn(move || {
                let mut last = 0;
                let mut kept = Vec::new();
                let mut n = 0u64;
                loop {
                    let finished = done.load(SeqCst);
                    let guard = swap.load();
                    let (v, _) = guard.get_label();
                    assert!(*v >= last, "loader {t} went back from {last} to {v}");
                    assert_eq!(guard.len(), 3);
                    last = *v;
                    n += 1;
                    match n % 4 {
                        0 => kept.push(swap.load_full()),
                        1 => {
                            // Past the 8 fast slots: the fallback path.
                            let many: Vec<_> = (0..10).map(|_| swap.load()).collect();
                            assert!(many.iter().all(|g| g.get_label().0 >= last));
                        }
                        _ => {}
                    }
                    if kept.len() > 4 {
                        kept.remove(0);
                    }
                    drop(guard);
                    if finished && last == versions {
                        break;
                    }
                    if cfg!(miri) {
                        thread::yield_now();
                    }
                }
                loads.fetch_add(n, SeqCst);
            });
        }
        s.spawn(|| {
            for v in 1..=versions {
                if v.is_multiple_of(2) {
                    swap.store(make(v));
                } else {
                    let old = swap.swap(make(v));
                    assert_eq!(old.get_label().0, v - 1);
                }
                if cfg!(miri) {
                    thread::yield_now();
                }
            }
            done.store(true, SeqCst);
        });
    });
    assert!(loads.load(SeqCst) >= loaders as u64);
    assert_eq!(swap.load().get_label().0, versions);
    let made = ledger.made();
    assert_eq!(
        made,
        4 * (versions as usize + 1),
        "a label and 3 elements a version"
    );
    assert_eq!(ledger.live(), 4, "only the current version is alive");
    drop(swap);
    ledger.assert_all_dropped();
}

#[test]
fn loaders_and_a_storer_padded() {
    loaders_and_a_storer::<Padded>();
}

#[test]
fn loaders_and_a_storer_compact() {
    loaders_and_a_storer::<Compact>();
}
