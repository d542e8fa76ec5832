//! Allocators other than the global one, through every handle.
//!
//! - A recording allocator ([`Recording`], 24 bytes: a shared log, an
//!   instance id, a check word) proves that each block is allocated from
//!   the allocator instance its header then holds, resized and returned
//!   only to that instance, exactly once, with the layout it has, and only
//!   after the last handle of any kind is gone: weak handles outliving
//!   strong ones, `into_raw`/`from_raw`, `try_unique`/`into_unique` and
//!   `make_mut` with weak handles (a move to a block from a clone of the
//!   allocator), `make_mut`'s copy, `Clone`, `From<HeapArray>`, growth.
//! - The same allocator's `Drop`: each instance dropped exactly once, by
//!   the last owner, after its block is freed, on whichever thread that
//!   owner was dropped (threads that drop the last strong or the last weak
//!   handle, and races between them whose winner may be either).
//! - `&bumpalo::Bump` for every handle, `try_` forms failing on an arena
//!   with no room; every handle stays one word (`HeapArray` two), and
//!   `Option` of it too, for `&Bump`, a 24-byte allocator and `Global`.
//! - Zero-sized and over-aligned (64, 256) elements and labels, and
//!   elements and labels that own heap memory, through every handle with
//!   each allocator (`Global`, `&Bump`, `Recording`, the zero-sized and the
//!   24-byte `Faulty` of tests/common/alloc.rs, which checks every free
//!   against its registry).
#![cfg(not(any(loom, shuttle)))]

#[path = "common/alloc.rs"]
mod alloc;
mod common;

use std::alloc::Layout;
use std::mem::{align_of, size_of};
use std::sync::{Arc, Barrier};
use std::thread;

use bumpalo::Bump;
use heaparray::*;

use alloc::{Event, Faulty, Log, Recording, Zst};
use common::{
    check_all, expect_panic, ids_of, AlignTo256, AlignTo64, Canary, Ledger, Owned, Owning, LABEL,
};

// ---- value types ---------------------------------------------------------------

const _: () = assert!(size_of::<AlignTo256<Zst>>() == 0 && align_of::<AlignTo256<Zst>>() == 256);

common::owning_zst!(Zst);

/// Values alive: canaries of `ledger` and zero-sized values (this thread).
fn live(ledger: &Ledger) -> isize {
    ledger.live() as isize + alloc::zst_live()
}

#[track_caller]
fn assert_all_dropped(ledger: &Ledger) {
    ledger.assert_all_dropped();
    assert_eq!(alloc::zst_live(), 0, "zero-sized values never dropped");
}

#[track_caller]
fn check<E: Owning, L: Owning>(label: &L, elems: &[E], len: usize) {
    assert_eq!(elems.len(), len);
    assert!(elems.as_ptr().is_aligned(), "elements misaligned");
    assert!((label as *const L).is_aligned(), "label misaligned");
    check_all(elems);
    label.check(LABEL);
}

// ---- sizes --------------------------------------------------------------------

/// One word for the thin handles, two for `HeapArray`, `Option` included.
fn assert_thin<A: Allocator>() {
    fn words<T>(n: usize) {
        let name = std::any::type_name::<T>();
        assert_eq!(size_of::<T>(), n * size_of::<usize>(), "{name}");
        assert_eq!(
            size_of::<Option<T>>(),
            n * size_of::<usize>(),
            "Option<{name}>"
        );
    }
    words::<ArcArray<u8, (), A>>(1);
    words::<CompactArcArray<String, [u64; 7], A>>(1);
    words::<WeakArcArray<u8, (), A>>(1);
    words::<CompactWeakArcArray<AlignTo256<u8>, String, A>>(1);
    words::<UniqueArcArray<u8, (), A>>(1);
    words::<CompactUniqueArcArray<u8, String, A>>(1);
    words::<RcArray<u8, (), A>>(1);
    words::<RcArray<AlignTo256<u8>, String, A>>(1);
    words::<HeapArray<u8, (), A>>(2);
    words::<HeapArray<String, AlignTo256<u8>, A>>(2);
}

#[test]
fn every_handle_stays_thin() {
    assert_eq!(size_of::<Recording>(), 24);
    assert_eq!(size_of::<Faulty<3>>(), 24);
    assert_eq!(size_of::<Faulty>(), 0);
    assert_thin::<&Bump>();
    assert_thin::<Recording>();
    assert_thin::<Faulty<3>>();
    assert_thin::<Faulty>();
    assert_thin::<Global>();
}

// ---- the recording allocator: every block back to its allocator --------------------

/// The live block holding the elements at `elems`, checked: its extent
/// covers them, its alignment covers theirs, it was allocated by the
/// instance `by` (the one the handle's header holds).
#[track_caller]
fn block_of<E>(log: &Log, elems: *const E, len: usize, by: usize) -> usize {
    let b = log
        .block_at(elems)
        .expect("the elements lie in a live block");
    let record = log.block(b);
    assert_eq!(record.by, by, "the block's allocator is the header's");
    let end = elems as usize + len * size_of::<E>();
    assert!(
        end <= record.addr + record.layout.size(),
        "elements past the block"
    );
    assert!(record.layout.align() >= align_of::<E>());
    b
}

/// Block `b` is live (a handle still holds it).
#[track_caller]
fn assert_live(log: &Log, b: usize) {
    assert!(log.live_blocks().contains(&b), "block {b} freed too early");
}

/// Block `b` was freed by the instance that allocated it, and that
/// instance dropped after it.
#[track_caller]
fn assert_returned(log: &Log, b: usize) {
    log.assert_no_errors();
    let record = log.block(b);
    assert!(record.freed_on.is_some(), "block {b} never freed");
    let by = record.by;
    let freed = log.position(Event::Freed { block: b, by }).unwrap();
    let dropped = log
        .position(Event::Dropped { instance: by })
        .expect("the allocator dropped");
    assert!(
        freed < dropped,
        "allocator {by} dropped before its block {b} was freed"
    );
    assert_eq!(
        log.instance(by).dropped_on,
        record.freed_on,
        "freed and dropped on one thread"
    );
}

/// [`assert_returned`], and freed (its allocator dropped) on thread `t`.
#[track_caller]
fn assert_returned_on(log: &Log, b: usize, t: thread::ThreadId) {
    assert_eq!(log.block(b).freed_on, Some(t), "block {b}: the thread");
    assert_returned(log, b);
}

/// The layout of a `HeapArray` block: the allocator, the label, `len`
/// elements (`Layout::extend`, not padded to the alignment).
fn heap_layout<E, L, A>(len: usize) -> Layout {
    let (prefix, _) = Layout::new::<A>().extend(Layout::new::<L>()).unwrap();
    prefix.extend(Layout::array::<E>(len).unwrap()).unwrap().0
}

fn recorded_lifecycles<E: Owning, L: Owning>() {
    let ledger = Ledger::new();
    let l = &ledger;
    let log = Log::new();
    let rec = || Recording::new(&log);

    // HeapArray: the exact layout, freed on drop.
    let h = HeapArray::<E, L, Recording>::with_label_in(
        L::make(l, LABEL),
        3,
        |_, i| E::make(l, i),
        rec(),
    );
    let b = block_of(&log, h.as_ptr(), 3, HeapArray::allocator(&h).id());
    assert_eq!(log.block(b).layout, heap_layout::<E, L, Recording>(3));
    check(h.get_label(), &h, 3);
    drop(h);
    assert_returned(&log, b);

    // RcArray: freed with the last clone.
    let r = RcArray::<E, L, Recording>::with_label_in(
        L::make(l, LABEL),
        3,
        |_, i| E::make(l, i),
        rec(),
    );
    let b = block_of(&log, r.as_ptr(), 3, RcArray::allocator(&r).id());
    let r2 = r.clone();
    drop(r);
    assert_live(&log, b);
    check(r2.get_label(), &r2, 3);
    drop(r2);
    assert_returned(&log, b);

    arc_lifecycle::<E, L, Padded>(l, &log);
    arc_lifecycle::<E, L, Compact>(l, &log);

    log.assert_all_returned();
    assert_all_dropped(l);
}

fn arc_lifecycle<E: Owning, L: Owning, P: ArcLayout>(l: &Arc<Ledger>, log: &Arc<Log>) {
    let make = || {
        <ArcArrayBase<E, L, P, Recording>>::with_label_in(
            L::make(l, LABEL),
            3,
            |_, i| E::make(l, i),
            Recording::new(log),
        )
    };

    // Strong clones: freed with the last.
    let a = make();
    let id = ArcArrayBase::allocator(&a).id();
    let b = block_of(log, ArcArrayBase::as_ptr(&a), 3, id);
    let a2 = a.clone();
    drop(a);
    assert_live(log, b);
    drop(a2);
    assert_returned(log, b);

    // Weak handles outlive the strong ones: the contents go with the last
    // strong handle, the block and its allocator with the last weak one.
    let a = make();
    let id = ArcArrayBase::allocator(&a).id();
    let b = block_of(log, ArcArrayBase::as_ptr(&a), 3, id);
    let (w1, w2) = (ArcArrayBase::downgrade(&a), ArcArrayBase::downgrade(&a));
    let before = live(l);
    drop(a);
    assert_eq!(
        live(l),
        before - 4,
        "the contents dropped with the last strong handle"
    );
    assert_live(log, b);
    assert_eq!(w1.allocator().map(Recording::id), Some(id));
    assert!(w1.upgrade().is_none());
    drop(w1);
    assert_live(log, b);
    assert!(log.instance(id).dropped_on.is_none());
    drop(w2);
    assert_returned(log, b);
    assert!(WeakArcArrayBase::<E, L, P, Recording>::new()
        .allocator()
        .is_none());

    // into_raw keeps the block; from_raw takes it back.
    let a = make();
    let id = ArcArrayBase::allocator(&a).id();
    let b = block_of(log, ArcArrayBase::as_ptr(&a), 3, id);
    let w = ArcArrayBase::downgrade(&a);
    let p = ArcArrayBase::into_raw(a);
    assert!(p.is_aligned());
    drop(w);
    assert_live(log, b);
    // SAFETY: from `into_raw` of this very type, rebuilt once.
    let a = unsafe { ArcArrayBase::<E, L, P, Recording>::from_raw(p) };
    check(a.get_label(), &a, 3);
    drop(a);
    assert_returned(log, b);

    // try_unique and into_unique with weak handles: the contents move to a
    // block from a clone of the allocator; the old block stays with the
    // weak handles, and goes back to the old allocator with the last.
    for into in [false, true] {
        let a = make();
        let old_id = ArcArrayBase::allocator(&a).id();
        let old = block_of(log, ArcArrayBase::as_ptr(&a), 3, old_id);
        let w = ArcArrayBase::downgrade(&a);
        let ids = ids_of(&a);
        let u = if into {
            ArcArrayBase::into_unique(a).unwrap()
        } else {
            ArcArrayBase::try_unique(a).unwrap()
        };
        let new_id = UniqueArcArrayBase::allocator(&u).id();
        assert_eq!(
            log.instance(new_id).parent,
            Some(old_id),
            "a clone of the allocator"
        );
        let new = block_of(log, u.as_ptr(), 3, new_id);
        assert_ne!(old, new);
        assert_eq!(ids_of(&u), ids);
        assert_live(log, old);
        assert!(w.upgrade().is_none());
        drop(w);
        assert_returned(log, old);
        assert_live(log, new);
        let a = u.shareable();
        check(a.get_label(), &a, 3);
        drop(a);
        assert_returned(log, new);
    }
    // try_unique without weak handles: the same block, no new allocator.
    let a = make();
    let id = ArcArrayBase::allocator(&a).id();
    let b = block_of(log, ArcArrayBase::as_ptr(&a), 3, id);
    let instances = log.instances();
    let u = ArcArrayBase::try_unique(a).unwrap();
    assert_eq!(
        (log.instances(), UniqueArcArrayBase::allocator(&u).id()),
        (instances, id)
    );
    drop(u);
    assert_returned(log, b);

    // make_mut, another strong handle: a copy from a clone of the allocator.
    let mut a = make();
    let c = a.clone();
    let old_id = ArcArrayBase::allocator(&a).id();
    let old = block_of(log, ArcArrayBase::as_ptr(&a), 3, old_id);
    ArcArrayBase::make_mut(&mut a);
    let new_id = ArcArrayBase::allocator(&a).id();
    assert_eq!(log.instance(new_id).parent, Some(old_id));
    let new = block_of(log, ArcArrayBase::as_ptr(&a), 3, new_id);
    check(a.get_label(), &a, 3);
    drop(c);
    assert_returned(log, old);
    drop(a);
    assert_returned(log, new);

    // make_mut, only weak handles: a move, as try_unique.
    let mut a = make();
    let w = ArcArrayBase::downgrade(&a);
    let old_id = ArcArrayBase::allocator(&a).id();
    let old = block_of(log, ArcArrayBase::as_ptr(&a), 3, old_id);
    ArcArrayBase::make_mut(&mut a);
    let new = block_of(
        log,
        ArcArrayBase::as_ptr(&a),
        3,
        ArcArrayBase::allocator(&a).id(),
    );
    drop(a);
    assert_returned(log, new);
    assert_live(log, old);
    drop(w);
    assert_returned(log, old);

    // UniqueArcArray built directly.
    let u = <UniqueArcArrayBase<E, L, P, Recording>>::with_label_in(
        L::make(l, LABEL),
        2,
        |_, i| E::make(l, i),
        Recording::new(log),
    );
    let b = block_of(log, u.as_ptr(), 2, UniqueArcArrayBase::allocator(&u).id());
    drop(u);
    assert_returned(log, b);
}

common::owning_tests!(recorded_lifecycles);

#[test]
fn recorded_heap_array_clone_and_conversions() {
    let ledger = Ledger::new();
    let l = &ledger;
    let log = Log::new();
    let make = || {
        HeapArray::<Owned<String>, Owned<Box<u64>>, Recording>::with_label_in(
            Owned::make(l, LABEL),
            3,
            |_, i| Owned::make(l, i),
            Recording::new(&log),
        )
    };

    // Clone: a block from a clone of the allocator.
    let a = make();
    let id = HeapArray::allocator(&a).id();
    let b = block_of(&log, a.as_ptr(), 3, id);
    let c = a.clone();
    let cid = HeapArray::allocator(&c).id();
    assert_eq!(log.instance(cid).parent, Some(id));
    let cb = block_of(&log, c.as_ptr(), 3, cid);
    drop(a);
    assert_returned(&log, b);
    check(c.get_label(), &c, 3);
    drop(c);
    assert_returned(&log, cb);

    // From<HeapArray>: the old block back to the allocator, which then
    // allocates the new one and moves into it (no clone, no drop between).
    for unique in [false, true] {
        let h = make();
        let id = HeapArray::allocator(&h).id();
        let old = block_of(&log, h.as_ptr(), 3, id);
        let instances = log.instances();
        let (new, a) = if unique {
            let u = UniqueArcArray::from(h);
            assert_eq!(UniqueArcArray::allocator(&u).id(), id);
            (block_of(&log, u.as_ptr(), 3, id), u.shareable())
        } else {
            let a = ArcArray::from(h);
            assert_eq!(ArcArray::allocator(&a).id(), id);
            (block_of(&log, ArcArray::as_ptr(&a), 3, id), a)
        };
        assert_eq!(log.instances(), instances, "no clone of the allocator");
        assert!(log.block(old).freed_on.is_some());
        assert!(
            log.instance(id).dropped_on.is_none(),
            "the allocator moved on"
        );
        check(a.get_label(), &a, 3);
        drop(a);
        assert_returned(&log, new);
    }

    // into_parts: the block back to its allocator.
    let h = make();
    let b = block_of(&log, h.as_ptr(), 3, HeapArray::allocator(&h).id());
    let (label, elems) = h.into_parts();
    assert_returned(&log, b);
    check(&label, &elems, 3);
    drop((label, elems));

    log.assert_all_returned();
    assert_all_dropped(l);
}

/// Growth and the final trim go through the block's own allocator; the
/// free uses the trimmed layout.
#[test]
fn recorded_growth_and_trim() {
    let ledger = Ledger::new();
    let l = &ledger;
    let log = Log::new();
    let a = CompactArcArray::<Owned<String>, (), Recording>::from_iter_in(
        (0..10).map(|i| Owned::make(l, i)).filter(|_| true),
        Recording::new(&log),
    );
    let b = block_of(
        &log,
        ArcArrayBase::as_ptr(&a),
        10,
        ArcArrayBase::allocator(&a).id(),
    );
    // The empty block, grown to 4, 8, 16, trimmed to 10.
    assert_eq!(log.block(b).resizes, 4);
    assert_eq!(log.blocks().len(), 1, "resized in place of a second block");
    check_all(&a);
    let h = HeapArray::<Owned<String>, (), Recording>::try_from_iter_in(
        (0..5).map(|i| Owned::make(l, i)).filter(|_| true),
        Recording::new(&log),
    )
    .unwrap();
    let hb = block_of(&log, h.as_ptr(), 5, HeapArray::allocator(&h).id());
    assert_eq!(
        log.block(hb).layout,
        heap_layout::<Owned<String>, (), Recording>(5)
    );
    assert_eq!(log.block(hb).resizes, 3);
    drop((a, h));
    assert_returned(&log, b);
    assert_returned(&log, hb);
    log.assert_all_returned();
    assert_all_dropped(l);
}

/// A panicking initialiser: the block goes back to its allocator, which
/// drops after it; zeroed blocks come from `allocate_zeroed`.
#[test]
fn recorded_panics_and_zeroed() {
    let ledger = Ledger::new();
    let l = &ledger;
    let log = Log::new();
    let message = expect_panic(|| {
        UniqueArcArray::<Owned<String>, Owned<Vec<u64>>, Recording>::with_label_in(
            Owned::make(l, LABEL),
            4,
            |_, i| {
                if i == 2 {
                    panic!("element 2")
                } else {
                    Owned::make(l, i)
                }
            },
            Recording::new(&log),
        )
    });
    assert_eq!(message, "element 2");
    assert_returned(&log, 0);
    assert_all_dropped(l);

    let z = HeapArray::<u64, (), Recording>::new_zeroed_in(8, Recording::new(&log));
    let b = block_of(&log, z.as_ptr(), 8, HeapArray::allocator(&z).id());
    assert!(log.block(b).zeroed);
    // SAFETY: all-zero bytes are a valid `u64`.
    let z = unsafe { z.assume_init() };
    assert_eq!(&*z, &[0; 8]);
    drop(z);
    let z = CompactUniqueArcArray::<u32, (), Recording>::new_zeroed_in(3, Recording::new(&log));
    let b2 = block_of(&log, z.as_ptr(), 3, UniqueArcArrayBase::allocator(&z).id());
    assert!(log.block(b2).zeroed);
    drop(z);
    assert_returned(&log, b);
    assert_returned(&log, b2);
    log.assert_all_returned();
}

// ---- the allocator's drop, on whichever thread the last owner is ----------------

type Shared = ArcArray<Owned<String>, Owned<Box<u64>>, Recording>;
type CompactShared = CompactArcArray<Owned<Vec<u64>>, Owned<String>, Recording>;

fn shared<P: ArcLayout, E: Owning, L: Owning>(
    l: &Arc<Ledger>,
    log: &Arc<Log>,
) -> ArcArrayBase<E, L, P, Recording> {
    <ArcArrayBase<E, L, P, Recording>>::with_label_in(
        L::make(l, LABEL),
        3,
        |_, i| E::make(l, i),
        Recording::new(log),
    )
}

/// `shared`'s handle with its allocator's id and its block in `log`: what
/// the tests below follow to the thread that frees it.
fn shared_with_block<P: ArcLayout, E: Owning, L: Owning>(
    l: &Arc<Ledger>,
    log: &Arc<Log>,
) -> (ArcArrayBase<E, L, P, Recording>, usize, usize) {
    let a = shared::<P, E, L>(l, log);
    let id = ArcArrayBase::allocator(&a).id();
    let b = block_of(log, ArcArrayBase::as_ptr(&a), 3, id);
    (a, id, b)
}

/// Runs `f` on a new thread; returns that thread's id.
fn on_thread(f: impl FnOnce() + Send + 'static) -> thread::ThreadId {
    thread::spawn(move || {
        f();
        thread::current().id()
    })
    .join()
    .unwrap()
}

#[test]
fn last_strong_handle_dropped_on_another_thread() {
    let ledger = Ledger::new();
    let log = Log::new();
    let (a, _, b): (Shared, _, _) = shared_with_block(&ledger, &log);
    let a2 = a.clone();
    drop(a);
    // The allocator (`block_of` checked it is the block's) drops there too.
    assert_returned_on(&log, b, on_thread(move || drop(a2)));
    log.assert_all_returned();
    ledger.assert_all_dropped();
}

#[test]
fn last_weak_handle_dropped_on_another_thread() {
    let ledger = Ledger::new();
    let log = Log::new();
    let (a, _, b): (CompactShared, _, _) = shared_with_block(&ledger, &log);
    let w = ArcArrayBase::downgrade(&a);
    drop(a);
    assert_eq!(ledger.live(), 0, "the contents dropped here");
    assert_returned_on(&log, b, on_thread(move || drop(w)));
    log.assert_all_returned();
}

/// Owned handles sent to a thread and dropped there.
#[test]
fn unique_and_heap_arrays_dropped_on_another_thread() {
    let ledger = Ledger::new();
    let l = &ledger;
    let log = Log::new();
    let h = HeapArray::<Owned<String>, (), Recording>::new_in(
        2,
        |i| Owned::make(l, i),
        Recording::new(&log),
    );
    let hb = block_of(&log, h.as_ptr(), 2, HeapArray::allocator(&h).id());
    let u = CompactUniqueArcArray::<Owned<String>, (), Recording>::new_in(
        2,
        |i| Owned::make(l, i),
        Recording::new(&log),
    );
    let ub = block_of(&log, u.as_ptr(), 2, UniqueArcArrayBase::allocator(&u).id());
    let t = on_thread(move || drop((h, u)));
    for b in [hb, ub] {
        assert_returned_on(&log, b, t);
    }
    log.assert_all_returned();
    ledger.assert_all_dropped();
}

/// `try_unique` on another thread while a weak handle stays here: the new
/// block is made and freed there, the old one freed here.
#[test]
fn try_unique_on_another_thread() {
    let ledger = Ledger::new();
    let log = Log::new();
    let (a, _, old): (Shared, _, _) = shared_with_block(&ledger, &log);
    let w = ArcArray::downgrade(&a);
    let log2 = Arc::clone(&log);
    let t = on_thread(move || {
        let u = ArcArray::try_unique(a).unwrap();
        block_of(&log2, u.as_ptr(), 3, UniqueArcArray::allocator(&u).id());
        check_all(&u);
    });
    let new = (0..log.blocks().len()).find(|&b| b != old).unwrap();
    assert_returned_on(&log, new, t);
    assert_live(&log, old);
    drop(w);
    assert_returned_on(&log, old, thread::current().id());
    log.assert_all_returned();
    ledger.assert_all_dropped();
}

/// Strong and weak handles dropped at once on several threads: whichever
/// thread ends up the last owner frees the block and drops the allocator
/// (both there, once), for every interleaving.
#[test]
fn last_owner_race() {
    let rounds = if cfg!(miri) { 2 } else { 50 };
    let threads = 4;
    let ledger = Ledger::new();
    let log = Log::new();
    for round in 0..rounds {
        let (a, id, b): (Shared, _, _) = shared_with_block(&ledger, &log);
        let barrier = Arc::new(Barrier::new(threads));
        // Handles: strong, weak, strong, weak (round-dependent order).
        let handles: Vec<_> = (0..threads)
            .map(|i| {
                if (i + round) % 2 == 0 {
                    (Some(a.clone()), None)
                } else {
                    (None, Some(ArcArray::downgrade(&a)))
                }
            })
            .collect();
        drop(a);
        let ids: Vec<thread::ThreadId> = handles
            .into_iter()
            .map(|(strong, weak)| {
                let barrier = Arc::clone(&barrier);
                thread::spawn(move || {
                    barrier.wait();
                    drop(strong);
                    drop(weak);
                    thread::current().id()
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|t| t.join().unwrap())
            .collect();
        let freed_on = log.block(b).freed_on.expect("freed");
        assert!(ids.contains(&freed_on), "freed by one of the threads");
        assert_eq!(log.instance(id).dropped_on, Some(freed_on));
        assert_returned(&log, b);
        assert_eq!(ledger.live(), 0);
    }
    log.assert_all_returned();
    ledger.assert_all_dropped();
}

/// `into_unique` raced by two threads holding the last two strong handles,
/// with a weak handle held here: exactly one gets the contents (moved to a
/// block from a clone of the allocator), and each block goes back to its
/// own allocator on the thread that was its last owner.
#[test]
fn into_unique_race_with_weak_handle() {
    let rounds = if cfg!(miri) { 2 } else { 30 };
    let ledger = Ledger::new();
    let log = Log::new();
    for _ in 0..rounds {
        let (a, _, old): (CompactShared, _, _) = shared_with_block(&ledger, &log);
        let w = ArcArrayBase::downgrade(&a);
        let barrier = Arc::new(Barrier::new(2));
        let racers: Vec<_> = [a.clone(), a]
            .into_iter()
            .map(|a| {
                let barrier = Arc::clone(&barrier);
                thread::spawn(move || {
                    barrier.wait();
                    let got = ArcArrayBase::into_unique(a);
                    if let Some(u) = &got {
                        check_all(u);
                    }
                    got.is_some()
                })
            })
            .collect();
        let winners = racers
            .into_iter()
            .filter(|_| true)
            .map(|t| t.join().unwrap())
            .filter(|&w| w)
            .count();
        assert_eq!(winners, 1);
        assert!(w.upgrade().is_none());
        drop(w);
        assert_returned_on(&log, old, thread::current().id());
        assert_eq!(ledger.live(), 0);
    }
    log.assert_all_returned();
    ledger.assert_all_dropped();
}

// ---- bumpalo --------------------------------------------------------------------

/// Every handle in an arena: construction, sharing, weak handles, the
/// copies and moves that take a second block from the (copied) `&Bump`.
fn bump_every_handle<E: Owning, L: Owning>() {
    let ledger = Ledger::new();
    let l = &ledger;
    let bump = Bump::new();
    let arena = &bump;
    let label = || L::make(l, LABEL);

    let mut h = HeapArray::<E, L, &Bump>::with_label_in(label(), 3, |_, i| E::make(l, i), arena);
    assert!(std::ptr::eq(*HeapArray::allocator(&h), arena));
    check(h.get_label(), &h, 3);
    *h.get_label_mut() = label();
    let h2 = h.clone();
    check(h2.get_label(), &h2, 3);
    let grown = HeapArray::<E, (), &Bump>::from_iter_in(
        (0..9).map(|i| E::make(l, i)).filter(|_| true),
        arena,
    );
    check_all(&grown);
    let tried = HeapArray::<E, (), &Bump>::try_new_in(2, |i| E::make(l, i), arena).unwrap();
    check_all(&tried);
    let a = ArcArray::from(h);
    check(a.get_label(), &a, 3);
    drop((a, h2, grown, tried));

    let r = RcArray::<E, L, &Bump>::with_label_in(label(), 3, |_, i| E::make(l, i), arena);
    let mut r2 = r.clone();
    RcArray::make_mut(&mut r2);
    assert!(!RcArray::ptr_eq(&r, &r2));
    check(r2.get_label(), &r2, 3);
    assert!(std::ptr::eq(*RcArray::allocator(&r2), arena));
    drop((r, r2));

    bump_arc::<E, L, Padded>(l, arena);
    bump_arc::<E, L, Compact>(l, arena);
    assert!(bump.allocated_bytes() > 0);
    drop(bump);
    assert_all_dropped(l);
}

fn bump_arc<E: Owning, L: Owning, P: ArcLayout>(l: &Arc<Ledger>, arena: &Bump) {
    let make = || {
        <ArcArrayBase<E, L, P, &Bump>>::with_label_in(
            L::make(l, LABEL),
            3,
            |_, i| E::make(l, i),
            arena,
        )
    };

    let a = make();
    assert!(std::ptr::eq(*ArcArrayBase::allocator(&a), arena));
    let w = ArcArrayBase::downgrade(&a);
    assert!(std::ptr::eq(*w.allocator().unwrap(), arena));
    let b = w.upgrade().unwrap();
    assert_eq!(ArcArrayBase::strong_count(&a), 2);
    drop((a, b));
    assert!(w.upgrade().is_none());
    assert!(w.allocator().is_some(), "the weak handle keeps the block");
    drop(w);

    // make_mut: a copy, then a move.
    let mut a = make();
    let c = a.clone();
    ArcArrayBase::make_mut(&mut a);
    assert!(!ArcArrayBase::ptr_eq(&a, &c));
    let w = ArcArrayBase::downgrade(&a);
    ArcArrayBase::make_mut(&mut a);
    assert!(w.upgrade().is_none());
    check(a.get_label(), &a, 3);
    drop((a, c, w));

    // try_unique with a weak handle, into_unique, raw round trip.
    let a = make();
    let w = ArcArrayBase::downgrade(&a);
    let mut u = ArcArrayBase::try_unique(a).unwrap();
    u[0] = E::make(l, 0);
    *u.get_label_mut() = L::make(l, LABEL);
    let a = u.shareable();
    drop(w);
    let p = ArcArrayBase::into_raw(a.clone());
    // SAFETY: from `into_raw` of this very type, rebuilt once.
    let a2 = unsafe { ArcArrayBase::<E, L, P, &Bump>::from_raw(p) };
    drop(a);
    let u = ArcArrayBase::into_unique(a2).unwrap();
    check(u.get_label(), &u, 3);
    drop(u);

    // Growth, try_, uninitialised and zeroed.
    let g = <ArcArrayBase<E, (), P, &Bump>>::try_from_iter_in(
        (0..7).map(|i| E::make(l, i)).filter(|_| true),
        arena,
    )
    .unwrap();
    check_all(&g);
    let mut un =
        UniqueArcArrayBase::<E, L, P, &Bump>::with_label_uninit_in(L::make(l, LABEL), 2, arena);
    for (i, slot) in un.iter_mut().enumerate() {
        slot.write(E::make(l, i));
    }
    // SAFETY: every element was written.
    let un = unsafe { un.assume_init() };
    check(un.get_label(), &un, 2);
    let z = UniqueArcArrayBase::<u64, (), P, &Bump>::new_zeroed_in(5, arena);
    // SAFETY: all-zero bytes are a valid `u64`.
    assert_eq!(&*unsafe { z.assume_init() }, &[0; 5]);
    drop((g, un));
}

common::owning_tests!(bump_every_handle);

/// An arena with no room: every `try_` form returns the error, and what
/// was made for it is dropped.
#[test]
fn bump_without_room() {
    let ledger = Ledger::new();
    let l = &ledger;
    let bump = Bump::with_capacity(0);
    bump.set_allocation_limit(Some(0));
    let arena = &bump;
    fn refused<T>(r: Result<T, TryReserveError>) {
        match r {
            Err(TryReserveError::AllocError { layout }) => assert!(layout.size() > 0),
            Err(e) => panic!("{e:?}"),
            Ok(_) => panic!("allocated past the limit"),
        }
    }
    let label = || Owned::<String>::make(l, LABEL);
    let elem = |i| Owned::<Box<u64>>::make(l, i);
    // Every handle's labelled constructor, each with the same label,
    // length and initialiser, so one line a handle.
    macro_rules! refused_with_label {
        ($($handle:ty),*) => {
            $(refused(<$handle>::try_with_label_in(label(), 3, |_, i| elem(i), arena));)*
        };
    }
    refused_with_label!(
        HeapArray<_, _, _>,
        RcArray<_, _, _>,
        ArcArray<_, _, _>,
        CompactArcArray<_, _, _>,
        UniqueArcArray<_, _, _>,
        CompactUniqueArcArray<_, _, _>
    );
    refused(HeapArray::try_from_iter_in(
        (0..5).map(elem).filter(|_| true),
        arena,
    ));
    refused(ArcArray::try_from_iter_in((0..5).map(elem), arena));
    // The labels; no element: each first allocation (before the first
    // item is pulled) fails.
    assert_eq!(ledger.made(), 6);
    ledger.assert_all_dropped();
}

// ---- zero-sized and over-aligned values with every allocator ----------------------

/// Every handle over `E` and `L` with allocators from `alloc`: contents,
/// alignment, copies, moves, weak handles, raw round trips, empty arrays.
fn aligned_through_every_handle<E: Owning, L: Owning, A: Allocator + Clone>(
    l: &Arc<Ledger>,
    alloc: &dyn Fn() -> A,
) {
    let label = || L::make(l, LABEL);
    for len in [0, 3] {
        let h = HeapArray::<E, L, A>::with_label_in(label(), len, |_, i| E::make(l, i), alloc());
        check(h.get_label(), &h, len);
        let h2 = h.clone();
        check(h2.get_label(), &h2, len);
        let u = UniqueArcArray::from(h);
        check(u.get_label(), &u, len);
        let a = ArcArray::from(h2);
        check(a.get_label(), &a, len);
        drop((u, a));

        let r = RcArray::<E, L, A>::with_label_in(label(), len, |_, i| E::make(l, i), alloc());
        let mut r2 = r.clone();
        RcArray::make_mut(&mut r2);
        check(r2.get_label(), &r2, len);
        check(r.get_label(), &r, len);
        drop((r, r2));

        arc_aligned::<E, L, Padded, A>(l, alloc, len);
        arc_aligned::<E, L, Compact, A>(l, alloc, len);
    }
    // Growth with each allocator.
    let g = HeapArray::<E, (), A>::from_iter_in(
        (0..9).map(|i| E::make(l, i)).filter(|_| true),
        alloc(),
    );
    check_all(&g);
    let g2 = <CompactArcArray<E, (), A>>::from_iter_in(
        (0..9).map(|i| E::make(l, i)).filter(|_| true),
        alloc(),
    );
    check_all(&g2);
    drop((g, g2));
}

fn arc_aligned<E: Owning, L: Owning, P: ArcLayout, A: Allocator + Clone>(
    l: &Arc<Ledger>,
    alloc: &dyn Fn() -> A,
    len: usize,
) {
    let mut a = <ArcArrayBase<E, L, P, A>>::with_label_in(
        L::make(l, LABEL),
        len,
        |_, i| E::make(l, i),
        alloc(),
    );
    check(a.get_label(), &a, len);
    let b = a.clone();
    ArcArrayBase::make_mut(&mut a);
    check(a.get_label(), &a, len);
    drop(b);
    let w = ArcArrayBase::downgrade(&a);
    ArcArrayBase::make_mut(&mut a);
    check(a.get_label(), &a, len);
    assert!(w.upgrade().is_none());
    let w = ArcArrayBase::downgrade(&a);
    let p = ArcArrayBase::into_raw(a);
    assert!(p.is_aligned());
    // SAFETY: from `into_raw` of this very type, rebuilt once.
    let a = unsafe { ArcArrayBase::<E, L, P, A>::from_raw(p) };
    let u = ArcArrayBase::try_unique(a).unwrap();
    check(u.get_label(), &u, len);
    drop(w);
    let a = u.shareable();
    let w = ArcArrayBase::downgrade(&a);
    drop(a);
    assert!(w.upgrade().is_none());
    drop(w);
}

/// The same over every allocator, with the allocator's own final check.
/// Under Miri each test runs every other allocator (`half` 0 or 1), and
/// the tests alternate halves.
fn with_every_allocator<E: Owning, L: Owning>(half: usize) {
    let ledger = Ledger::new();
    let l = &ledger;
    let mine = |i: usize| !cfg!(miri) || i % 2 == half;
    if mine(0) {
        aligned_through_every_handle::<E, L, Global>(l, &|| Global);
        assert_all_dropped(l);
    }
    if mine(1) {
        let bump = Bump::new();
        aligned_through_every_handle::<E, L, &Bump>(l, &|| &bump);
        drop(bump);
        assert_all_dropped(l);
    }
    if mine(2) {
        let log = Log::new();
        aligned_through_every_handle::<E, L, Recording>(l, &|| Recording::new(&log));
        log.assert_all_returned();
        assert_all_dropped(l);
    }
    if mine(3) {
        aligned_through_every_handle::<E, L, Faulty>(l, &Faulty::new);
        alloc::assert_faulty_quiet("Faulty");
        assert_all_dropped(l);
    }
    if mine(4) {
        aligned_through_every_handle::<E, L, Faulty<3>>(l, &Faulty::new);
        alloc::assert_faulty_quiet("Faulty<3>");
        assert_all_dropped(l);
    }
}

mod aligned {
    use super::*;

    #[test]
    fn zero_sized_elements_and_labels() {
        with_every_allocator::<Zst, Zst>(0);
    }

    #[test]
    fn zero_sized_elements_aligned_256() {
        with_every_allocator::<AlignTo256<Zst>, Owned<String>>(1);
    }

    #[test]
    fn elements_aligned_64_owning() {
        with_every_allocator::<AlignTo64<Owned<String>>, Owned<Box<u64>>>(0);
    }

    #[test]
    fn elements_aligned_256_owning() {
        with_every_allocator::<AlignTo256<Owned<Vec<u64>>>, Zst>(1);
    }

    #[test]
    fn label_aligned_256_owning() {
        with_every_allocator::<Owned<Box<u64>>, AlignTo256<Owned<String>>>(0);
    }

    #[test]
    fn canaries() {
        with_every_allocator::<Canary, AlignTo64<Canary>>(1);
    }
}
