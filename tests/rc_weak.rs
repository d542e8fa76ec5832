//! `RcArray` as a drop-in for `Rc<[T]>`: weak handles (`WeakRcArray`),
//! the counts after every operation side by side with `Rc<[T]>` and
//! `rc::Weak`, `get_mut`, `make_mut` (other strong handles: a clone; only
//! weak ones: a move; alone: in place), `try_unique`, `into_unique`,
//! `unwrap_or_clone`, raw pointers; then re-entrant user code (an
//! element's `Drop` that upgrades or drops weak handles of its own array
//! while the last strong drop runs, a `Clone` that drops the other handle
//! during `make_mut`, an allocator that upgrades or drops a weak handle
//! while `make_mut` or `try_unique` moves the contents); panics with
//! elements and labels that own heap memory (every value dropped exactly
//! once, no byte leaked); and the allocator failing at every point of the
//! copy and move paths (tests/common/alloc.rs's `Faulty`, panicking
//! instead of its effect or after it: the infallible paths abort on an
//! `Err`, which `tests/oom_unwind.rs` makes unwind on nightly).
#![cfg(not(any(loom, shuttle)))]

#[path = "common/alloc.rs"]
mod alloc;
mod common;

use std::cell::RefCell;
use std::rc::{self, Rc};
use std::sync::Arc;

use alloc::{inject, report, Faulty, Kind, Mode};
use common::{
    allocations, catch_expected, check_all, counts, expect_panic, ids_of, owning_tests, Bomb,
    Counting, Heap, Hook, Ledger, Node, Owned, Owning, LABEL,
};
use heaparray::*;

#[global_allocator]
static ALLOC: Counting = Counting;

// ---- side by side with Rc<[T]> ------------------------------------------------

/// The handles agree with std's on the counts, uniqueness and contents.
#[track_caller]
fn same(a: &RcArray<u32>, r: &Rc<[u32]>) {
    assert_eq!(
        counts(a),
        (Rc::strong_count(r), Rc::weak_count(r)),
        "strong and weak counts"
    );
    assert_eq!(
        RcArray::is_unique(a),
        Rc::strong_count(r) == 1 && Rc::weak_count(r) == 0
    );
    assert_eq!(&**a, &**r);
}

/// The weak handles agree with std's on the counts and on `upgrade`.
#[track_caller]
fn same_weak(w: &WeakRcArray<u32>, v: &rc::Weak<[u32]>) {
    assert_eq!(
        (w.strong_count(), w.weak_count()),
        (v.strong_count(), v.weak_count()),
        "weak handle's counts"
    );
    assert_eq!(
        w.upgrade().map(|a| a.to_vec()),
        v.upgrade().map(|r| r.to_vec())
    );
}

fn pair(len: u32) -> (RcArray<u32>, Rc<[u32]>) {
    (
        RcArray::new(len as usize, |i| i as u32),
        (0..len).collect::<Rc<[u32]>>(),
    )
}

#[test]
fn counts_follow_rc_through_clones_downgrades_upgrades_and_drops() {
    let (a, r) = pair(3);
    same(&a, &r);
    let (b, s) = (a.clone(), r.clone());
    same(&a, &r);
    let (w, v) = (RcArray::downgrade(&a), Rc::downgrade(&r));
    same(&a, &r);
    same_weak(&w, &v);
    let (w2, v2) = (w.clone(), v.clone());
    same(&b, &s);
    same_weak(&w2, &v2);
    drop((b, s));
    same(&a, &r);
    let (c, t) = (w.upgrade().unwrap(), v.upgrade().unwrap());
    same(&c, &t);
    assert!(RcArray::ptr_eq(&a, &c) && w.ptr_eq(&w2));
    drop((c, t, w2, v2));
    same(&a, &r);
    same_weak(&w, &v);
    // The last strong handle drops the contents; the weak handle keeps
    // the block, and frees it.
    let ((), _, live) = allocations(|| drop((a, r)));
    same_weak(&w, &v);
    assert!(w.upgrade().is_none());
    assert_eq!((w.strong_count(), w.weak_count()), (0, 0));
    let (w3, v3) = (w.clone(), v.clone());
    same_weak(&w3, &v3);
    let ((), _, freed) = allocations(|| drop(w3));
    assert_eq!(freed, 0, "another weak handle is left");
    let ((), _, freed) = allocations(|| drop(w));
    assert!(freed < 0, "the last weak handle frees the block");
    // `r`'s block went with `v`, `a`'s with `w`: the drop of both strong
    // handles freed only `r`'s data (an `RcInner` with weak handles left
    // is not freed either).
    assert_eq!(live, 0);
    drop((v, v3));
}

#[test]
fn weak_new_is_std_weak_new() {
    let (w, v) = (WeakRcArray::<u32>::new(), rc::Weak::<[u32; 0]>::new());
    assert_eq!((w.strong_count(), w.weak_count()), (0, 0));
    assert_eq!((v.strong_count(), v.weak_count()), (0, 0));
    assert!(w.upgrade().is_none() && v.upgrade().is_none());
    assert!(w.ptr_eq(&WeakRcArray::default()) && v.ptr_eq(&rc::Weak::new()));
    assert!(w.allocator().is_none());
    let ((), allocs, _) = allocations(|| drop((w.clone(), WeakRcArray::<String, String>::new())));
    assert_eq!(allocs, 0, "no allocation");
    assert_eq!(format!("{w:?}"), "(WeakRcArray)");
    assert_eq!(format!("{v:?}"), "(Weak)");
    assert_eq!(size_of::<WeakRcArray<u32>>(), size_of::<usize>());
    // A weak handle of a dead block is not a `new` one.
    let a = RcArray::new(1, |i| i as u32);
    let dead = RcArray::downgrade(&a);
    drop(a);
    assert!(!dead.ptr_eq(&w));
}

#[test]
fn get_mut_and_is_unique_follow_rc() {
    let (mut a, mut r) = pair(2);
    assert!(RcArray::get_mut(&mut a).is_some() && Rc::get_mut(&mut r).is_some());
    let (w, v) = (RcArray::downgrade(&a), Rc::downgrade(&r));
    assert!(RcArray::get_mut(&mut a).is_none() && Rc::get_mut(&mut r).is_none());
    same(&a, &r);
    drop((w, v));
    let (b, s) = (a.clone(), r.clone());
    assert!(RcArray::get_mut(&mut a).is_none() && Rc::get_mut(&mut r).is_none());
    drop((b, s));
    RcArray::get_mut(&mut a).unwrap()[1] = 7;
    Rc::get_mut(&mut r).unwrap()[1] = 7;
    same(&a, &r);
}

#[test]
fn make_mut_with_other_strong_handles_clones() {
    let (mut a, mut r) = pair(3);
    let (b, s) = (a.clone(), r.clone());
    let (w, v) = (RcArray::downgrade(&a), Rc::downgrade(&r));
    let old = RcArray::as_ptr(&a);
    RcArray::make_mut(&mut a)[0] = 9;
    Rc::make_mut(&mut r)[0] = 9;
    same(&a, &r);
    same(&b, &s);
    same_weak(&w, &v);
    assert_ne!(RcArray::as_ptr(&a), old);
    assert_eq!(RcArray::as_ptr(&b), old);
    assert!(
        RcArray::ptr_eq(&w.upgrade().unwrap(), &b),
        "weak stays with b"
    );
    assert_eq!((&*a, &*b), (&[9, 1, 2][..], &[0, 1, 2][..]));
}

#[test]
fn make_mut_with_only_weak_handles_moves_and_disassociates_them() {
    let ledger = Ledger::new();
    let mut a = RcArray::with_label(ledger.canary(), 3, |_, _| ledger.canary());
    let ids = ids_of(&a);
    let mut r: Rc<[u32]> = Rc::from(vec![0u32, 1, 2]);
    let (w, v) = (RcArray::downgrade(&a), Rc::downgrade(&r));
    let w2 = w.clone();
    let old = RcArray::as_ptr(&a);
    let made = ledger.made();
    RcArray::make_mut(&mut a);
    Rc::make_mut(&mut r);
    assert_eq!(ledger.made(), made, "moved, not cloned");
    assert_eq!(ids_of(&a), ids);
    assert_ne!(RcArray::as_ptr(&a), old);
    assert_eq!(counts(&a), (Rc::strong_count(&r), Rc::weak_count(&r)));
    assert_eq!(counts(&a), (1, 0));
    assert!(w.upgrade().is_none() && v.upgrade().is_none());
    assert_eq!(
        (w.strong_count(), w.weak_count()),
        (v.strong_count(), v.weak_count())
    );
    assert_eq!((w.strong_count(), w.weak_count()), (0, 0));
    assert_eq!(w.as_ptr(), old, "the weak handles keep the old block");
    drop(w);
    let ((), _, freed) = allocations(|| drop(w2));
    assert!(freed < 0, "the last weak handle frees the old block");
    assert_eq!(ledger.live(), 4);
    drop(a);
    ledger.assert_all_dropped();
}

#[test]
fn make_mut_alone_writes_in_place() {
    let (mut a, mut r) = pair(2);
    let (old, old_r) = (RcArray::as_ptr(&a), Rc::as_ptr(&r));
    let ((), allocs, _) = allocations(|| {
        RcArray::make_mut(&mut a)[1] = 5;
    });
    Rc::make_mut(&mut r)[1] = 5;
    assert_eq!(allocs, 0);
    assert_eq!(RcArray::as_ptr(&a), old);
    assert_eq!(Rc::as_ptr(&r), old_r);
    same(&a, &r);
}

#[test]
fn try_unique_into_unique_unwrap_or_clone_follow_rc() {
    // std's `try_unwrap` and `into_inner` need a sized value: `Rc<Vec<_>>`.
    let a = RcArray::with_label("l", 2, |_, i| i as u32);
    let r = Rc::new(vec![0u32, 1]);
    let (b, s) = (a.clone(), r.clone());
    let (w, v) = (RcArray::downgrade(&a), Rc::downgrade(&r));
    let a = RcArray::try_unique(a).unwrap_err();
    let r = Rc::try_unwrap(r).unwrap_err();
    assert_eq!((RcArray::strong_count(&a), Rc::strong_count(&r)), (2, 2));
    assert!(RcArray::into_unique(b).is_none() && Rc::into_inner(s).is_none());
    assert_eq!((RcArray::strong_count(&a), Rc::strong_count(&r)), (1, 1));
    let p = RcArray::as_ptr(&a);
    let mut h: HeapArray<u32, &str> = RcArray::try_unique(a).unwrap();
    let vec = Rc::try_unwrap(r).unwrap();
    assert_ne!(h.as_ptr(), p, "moved into a HeapArray block");
    assert_eq!((&*h, *h.get_label()), (&vec[..], "l"));
    assert!(w.upgrade().is_none() && v.upgrade().is_none());
    assert_eq!((w.strong_count(), v.strong_count()), (0, 0));
    *h.get_label_mut() = "m";
    h[0] = 4;
    assert_eq!(&*h, &[4, 1]);

    let a = RcArray::new(2, |i| i as u32);
    let r = Rc::new(vec![0u32, 1]);
    let (b, s) = (a.clone(), r.clone());
    let mut c = RcArray::unwrap_or_clone(a); // shared: a copy
    let mut t = Rc::unwrap_or_clone(r);
    c[0] = 9;
    t[0] = 9;
    assert_eq!((&*c, &*b), (&t[..], &[0, 1][..]));
    assert_eq!((RcArray::strong_count(&b), Rc::strong_count(&s)), (1, 1));
    let d = RcArray::unwrap_or_clone(b); // the last: moved
    let u = Rc::unwrap_or_clone(s);
    assert_eq!(&*d, &u[..]);
    let e = RcArray::into_unique(RcArray::new(1, |i| i as u32)).unwrap();
    assert_eq!(&*e, &[0]);
}

#[test]
fn raw_pointers_round_trip_like_rc() {
    let (a, r) = pair(3);
    let (p, q) = (RcArray::into_raw(a.clone()), Rc::into_raw(r.clone()));
    assert_eq!(p, RcArray::as_ptr(&a));
    same(&a, &r);
    // SAFETY: `p` and `q` came from `into_raw` and their counts are held.
    unsafe {
        RcArray::<u32>::increment_strong_count(p);
        Rc::increment_strong_count(q);
    }
    same(&a, &r);
    assert_eq!(RcArray::strong_count(&a), 3);
    // SAFETY: one of the two counts held for each pointer.
    unsafe {
        RcArray::<u32>::decrement_strong_count(p);
        Rc::decrement_strong_count(q);
    }
    same(&a, &r);
    // SAFETY: the last count held for each pointer, taken over once.
    let (b, s) = unsafe { (RcArray::<u32>::from_raw(p), Rc::from_raw(q)) };
    same(&b, &s);
    assert!(RcArray::ptr_eq(&a, &b));
    drop((b, s));
    same(&a, &r);

    // Weak handles, of a live block, of a dead one, and of none.
    let (w, v) = (RcArray::downgrade(&a), Rc::downgrade(&r));
    let (pw, qw) = (w.clone().into_raw(), v.clone().into_raw());
    assert_eq!(pw, w.as_ptr());
    assert_eq!(pw, RcArray::as_ptr(&a));
    same(&a, &r);
    // SAFETY: from `into_raw`, once each.
    let (w2, v2) = unsafe { (WeakRcArray::<u32>::from_raw(pw), rc::Weak::from_raw(qw)) };
    same_weak(&w2, &v2);
    assert!(w2.ptr_eq(&w));
    let (pw, qw) = (w2.into_raw(), v2.into_raw());
    drop((a, r));
    same_weak(&w, &v);
    // SAFETY: from `into_raw`, once each; the blocks are still allocated.
    let (w2, v2) = unsafe { (WeakRcArray::<u32>::from_raw(pw), rc::Weak::from_raw(qw)) };
    same_weak(&w2, &v2);
    let n = WeakRcArray::<u32>::new().into_raw();
    // SAFETY: from `into_raw` of `new`.
    let n = unsafe { WeakRcArray::<u32>::from_raw(n) };
    assert!(n.ptr_eq(&WeakRcArray::new()) && n.upgrade().is_none());
    drop((w, v, w2, v2));
}

#[test]
fn format_and_allocator() {
    let a = RcArray::new_in(2, |i| i as u8, Global);
    let w = RcArray::downgrade(&a);
    assert_eq!(format!("{w:p}"), format!("{a:p}"));
    assert_eq!(format!("{w:p}"), format!("{:p}", a.as_ptr()));
    assert!(w.allocator().is_some());
    drop(a);
    let _: &Global = w.allocator().expect("the block is still allocated");
}

// ---- re-entrant user code -----------------------------------------------------

type Nodes<T, U> = RcArray<Node<T>, Node<U>>;
type WeakNodes<T, U> = WeakRcArray<Node<T>, Node<U>>;

fn nodes<T: Heap, U: Heap>(ledger: &Arc<Ledger>, len: usize) -> Nodes<T, U> {
    RcArray::with_label(Node::new(ledger, LABEL), len, |_, i| Node::new(ledger, i))
}

#[track_caller]
fn check_nodes<T: Heap, U: Heap>(a: &Nodes<T, U>) {
    a.get_label().check(LABEL);
    for (i, e) in a.iter().enumerate() {
        e.check(i);
    }
}

/// While the last strong drop runs: element 0's drop upgrades a weak handle
/// (refused: the strong count is 0) and drops it, element 1's drop clones
/// a weak handle into a stash that outlives the array, element 2's drops
/// the last other weak handle, the label's drop upgrades the stashed one.
/// Each value is dropped once, intact; the stash frees the block.
fn last_strong_drop_meets_weak_handles<T: Heap, U: Heap>() {
    let ledger = Ledger::new();
    let stash: Rc<RefCell<Option<WeakNodes<T, U>>>> = Rc::default();
    let log: Rc<RefCell<Vec<String>>> = Rc::default();
    let ((), _, live) = allocations(|| {
        let a: Nodes<T, U> = nodes(&ledger, 4);
        let (w0, w1, w2) = (
            RcArray::downgrade(&a),
            RcArray::downgrade(&a),
            RcArray::downgrade(&a),
        );
        let l = log.clone();
        a[0].on_drop(move || {
            l.borrow_mut().push(format!(
                "0: upgrade {} strong {} weak {}",
                w0.upgrade().is_some(),
                w0.strong_count(),
                w0.weak_count()
            ));
            drop(w0);
        });
        let (l, s) = (log.clone(), stash.clone());
        a[1].on_drop(move || {
            *s.borrow_mut() = Some(w1.clone());
            l.borrow_mut().push("1: stashed".into());
            drop(w1);
        });
        let l = log.clone();
        a[2].on_drop(move || {
            drop(w2);
            l.borrow_mut().push("2: dropped the last other weak".into());
        });
        let (l, s) = (log.clone(), stash.clone());
        a.get_label().on_drop(move || {
            let s = s.borrow();
            let w = s.as_ref().unwrap();
            l.borrow_mut().push(format!(
                "label: upgrade {} weak {}",
                w.upgrade().is_some(),
                w.weak_count()
            ));
        });
        drop(a);
        ledger.assert_all_dropped();
        let w = stash.borrow_mut().take().unwrap();
        assert!(w.upgrade().is_none());
        assert_eq!((w.strong_count(), w.weak_count()), (0, 0));
        let ((), _, freed) = allocations(|| drop(w));
        assert!(freed < 0, "the stashed weak handle frees the block");
        // Taken out (and freed) inside the window: the log's strings were
        // made in it.
        let entries = std::mem::take(&mut *log.borrow_mut());
        assert_eq!(
            entries,
            [
                "0: upgrade false strong 0 weak 0",
                "1: stashed",
                "2: dropped the last other weak",
                "label: upgrade false weak 0",
            ]
        );
    });
    assert_eq!(live, 0);
}

/// Element 0's drop, run by the last strong drop of `a`, drops the last
/// strong handle of another array `b`, whose element's drop upgrades a
/// weak handle of `a` (refused) and drops it.
fn last_strong_drop_drops_another_array<T: Heap, U: Heap>() {
    let ledger = Ledger::new();
    let ((), _, live) = allocations(|| {
        let a: Nodes<T, U> = nodes(&ledger, 2);
        let b: Nodes<T, U> = nodes(&ledger, 2);
        let w = RcArray::downgrade(&a);
        b[1].on_drop(move || {
            assert!(w.upgrade().is_none(), "no resurrection");
            drop(w);
        });
        let wb = RcArray::downgrade(&b);
        a[0].on_drop(move || {
            assert_eq!(RcArray::strong_count(&b), 1);
            drop(b);
            assert!(wb.upgrade().is_none());
        });
        drop(a);
        ledger.assert_all_dropped();
    });
    assert_eq!(live, 0);
}

/// `make_mut` with another strong handle `b` and a weak one: element 1's
/// `clone` drops `b`, so the old handle's own drop, once the copy is
/// made, is the last strong drop of the old block: its contents drop
/// (intact) and the weak handle dies with them.
fn make_mut_clone_drops_the_other_handle<T: Heap, U: Heap>() {
    let ledger = Ledger::new();
    let ((), _, live) = allocations(|| {
        let mut a: Nodes<T, U> = nodes(&ledger, 3);
        let b = a.clone();
        let w = RcArray::downgrade(&a);
        a[1].on_clone(move || drop(b));
        RcArray::make_mut(&mut a);
        assert_eq!(counts(&a), (1, 0));
        check_nodes(&a);
        assert!(w.upgrade().is_none(), "the old contents are dropped");
        assert_eq!(ledger.live(), 4, "only the copy is left");
        drop((a, w));
        ledger.assert_all_dropped();
    });
    assert_eq!(live, 0);
}

// One `#[test]` per pair of heap types (each once as the elements' and
// once as the label's) for each generic function `f::<T, U>()` named.
common::stamp_tests!(
    [
        string_box: <String, Box<u64>>,
        box_vec: <Box<u64>, Vec<u64>>,
        vec_string: <Vec<u64>, String>,
    ]
    last_strong_drop_meets_weak_handles,
    last_strong_drop_drops_another_array,
    make_mut_clone_drops_the_other_handle,
);

thread_local! {
    /// The code the next `allocate` of a [`Hooked`] allocator runs.
    static ON_ALLOCATE: Hook = const { RefCell::new(None) };
}

/// A zero-sized allocator forwarding to `Global` whose `allocate` first
/// runs the hook set with [`on_allocate`]: user code inside the move of
/// `make_mut` and `try_unique`.
#[derive(Clone, Default)]
struct Hooked;

fn on_allocate(hook: impl FnOnce() + 'static) {
    ON_ALLOCATE.with(|h| *h.borrow_mut() = Some(Box::new(hook)));
}

// SAFETY: forwards every call to `Global` unchanged (the hook runs before
// and touches no block of this allocator's).
unsafe impl Allocator for Hooked {
    fn allocate(&self, layout: std::alloc::Layout) -> Result<std::ptr::NonNull<[u8]>, AllocError> {
        let hook = ON_ALLOCATE.with(|h| h.borrow_mut().take());
        if let Some(hook) = hook {
            hook();
        }
        Global.allocate(layout)
    }
    unsafe fn deallocate(&self, ptr: std::ptr::NonNull<u8>, layout: std::alloc::Layout) {
        // SAFETY: the caller's contract is `Global`'s.
        unsafe { Global.deallocate(ptr, layout) }
    }
}

type HookedArray = RcArray<Owned<String>, Owned<Vec<u64>>, Hooked>;

fn hooked(ledger: &Arc<Ledger>) -> HookedArray {
    RcArray::with_label_in(
        Owned::make(ledger, LABEL),
        3,
        |_, i| Owned::make(ledger, i),
        Hooked,
    )
}

/// The allocator, called while `make_mut` moves the contents away from a
/// weak handle, upgrades that weak handle: refused (the strong count is
/// claimed), so no strong handle can share contents being moved; then it
/// drops the weak handle, the last, and the old block is freed after the
/// move.
#[test]
fn allocator_upgrading_a_weak_handle_during_make_mut_move_is_refused() {
    let ledger = Ledger::new();
    let ((), _, live) = allocations(|| {
        let mut a = hooked(&ledger);
        let w = RcArray::downgrade(&a);
        let seen: Rc<RefCell<Option<(bool, usize, usize)>>> = Rc::default();
        let s = seen.clone();
        on_allocate(move || {
            *s.borrow_mut() = Some((w.upgrade().is_some(), w.strong_count(), w.weak_count()));
            drop(w);
        });
        let made = ledger.made();
        RcArray::make_mut(&mut a);
        assert_eq!(*seen.borrow(), Some((false, 0, 0)));
        assert_eq!(ledger.made(), made, "moved, not cloned");
        assert_eq!(counts(&a), (1, 0));
        check_all(&a);
        a.get_label().check(LABEL);
        drop(a);
        ledger.assert_all_dropped();
    });
    assert_eq!(live, 0, "the old block was freed after the move");
}

/// The same inside `try_unique`: the allocator's upgrade is refused, and
/// the weak handle, kept, sees a dead block afterwards.
#[test]
fn allocator_upgrading_a_weak_handle_during_try_unique_is_refused() {
    let ledger = Ledger::new();
    let ((), _, live) = allocations(|| {
        let a = hooked(&ledger);
        let w = RcArray::downgrade(&a);
        let w2 = w.clone();
        let seen = Rc::new(RefCell::new(None));
        let s = seen.clone();
        on_allocate(move || *s.borrow_mut() = Some(w2.upgrade().is_some()));
        let h = RcArray::try_unique(a).ok().unwrap();
        assert_eq!(*seen.borrow(), Some(false));
        assert!(w.upgrade().is_none());
        check_all(&h);
        h.get_label().check(LABEL);
        drop((h, w));
        ledger.assert_all_dropped();
    });
    assert_eq!(live, 0);
}

// ---- panics with values that own heap memory ----------------------------------

/// A `Clone` panics during `make_mut`'s copy (the label's, a middle
/// element's, the last element's): the handle is unchanged and counted,
/// its weak handle still upgrades, the partial copy is dropped.
fn make_mut_clone_panics<E: Owning, L: Owning>() {
    let len = 4;
    let ledger = Ledger::new();
    for k in [0, 2, len] {
        let ((), _, live) = allocations(|| {
            let mut a =
                RcArray::with_label(L::make(&ledger, LABEL), len, |_, i| E::make(&ledger, i));
            let b = a.clone();
            let w = RcArray::downgrade(&a);
            let ids = ids_of(&a);
            ledger.panic_on_clone(k);
            expect_panic(|| RcArray::make_mut(&mut a).len());
            ledger.panic_on_clone(usize::MAX);
            assert!(RcArray::ptr_eq(&a, &b), "k = {k}: unchanged");
            assert_eq!(counts(&a), (2, 1));
            assert!(RcArray::ptr_eq(&w.upgrade().unwrap(), &a));
            assert_eq!(ids_of(&a), ids);
            assert_eq!(ledger.live(), len + 1, "k = {k}: the partial copy dropped");
            check_all(&a);
            a.get_label().check(LABEL);
            drop((a, b, w));
        });
        assert_eq!(live, 0, "k = {k}");
        ledger.assert_all_dropped();
    }
}

/// A `Clone` panics during `unwrap_or_clone`'s copy: the handle it
/// consumed is dropped as a handle (the other strong handle keeps the
/// contents), the partial copy is dropped.
fn unwrap_or_clone_clone_panics<E: Owning, L: Owning>() {
    let len = 3;
    let ledger = Ledger::new();
    let ((), _, live) = allocations(|| {
        let a = RcArray::with_label(L::make(&ledger, LABEL), len, |_, i| E::make(&ledger, i));
        let b = a.clone();
        let w = RcArray::downgrade(&a);
        ledger.panic_on_clone(2);
        expect_panic(|| RcArray::unwrap_or_clone(a).len());
        ledger.panic_on_clone(usize::MAX);
        assert_eq!(counts(&b), (1, 1));
        assert_eq!(ledger.live(), len + 1);
        check_all(&b);
        let h = RcArray::unwrap_or_clone(b); // now the last: moved
        assert!(w.upgrade().is_none());
        assert_eq!(ledger.live(), len + 1);
        check_all(&h);
        drop((h, w));
    });
    assert_eq!(live, 0);
    ledger.assert_all_dropped();
}

/// An element's (or the label's) destructor panics in the last strong
/// drop while a weak handle lives: the panic propagates, every other value
/// is dropped once, and the weak handle still holds the block, dead, and
/// frees it.
fn last_strong_drop_panics_with_a_weak_handle<E: Owning, L: Owning>() {
    for bomb_at in [1, LABEL] {
        let ledger = Ledger::new();
        let ((), _, live) = allocations(|| {
            let a = RcArray::with_label(
                Bomb {
                    value: L::make(&ledger, LABEL),
                    n: LABEL,
                    bomb: bomb_at == LABEL,
                },
                3,
                |_, i| Bomb {
                    value: E::make(&ledger, i),
                    n: i,
                    bomb: i == bomb_at,
                },
            );
            let w = RcArray::downgrade(&a);
            let message = expect_panic(|| drop(a));
            assert!(message.contains("panics in drop"), "{message}");
            ledger.assert_all_dropped();
            assert!(w.upgrade().is_none());
            assert_eq!((w.strong_count(), w.weak_count()), (0, 0));
            let ((), _, freed) = allocations(|| drop(w));
            assert!(freed < 0, "the weak handle frees the block");
        });
        assert_eq!(live, 0, "bomb at {bomb_at}");
    }
}

/// `make_mut` with only a weak handle, `try_unique` and `into_unique` with
/// one: the values move (none cloned, none dropped), and each is dropped
/// once with its new owner.
fn moves_drop_each_value_once<E: Owning, L: Owning>() {
    let ledger = Ledger::new();
    let ((), _, live) = allocations(|| {
        let make = || RcArray::with_label(L::make(&ledger, LABEL), 3, |_, i| E::make(&ledger, i));
        let mut a = make();
        let w = RcArray::downgrade(&a);
        let ids = ids_of(&a);
        RcArray::make_mut(&mut a);
        assert_eq!((ids_of(&a), ledger.made()), (ids, 4));
        check_all(&a);
        let wa = RcArray::downgrade(&a);
        let h = RcArray::try_unique(a).ok().unwrap();
        assert!(w.upgrade().is_none() && wa.upgrade().is_none());
        assert_eq!(ledger.live(), 4);
        check_all(&h);
        h.get_label().check(LABEL);
        let b = make();
        let wb = RcArray::downgrade(&b);
        let g = RcArray::into_unique(b).unwrap();
        assert!(wb.upgrade().is_none());
        check_all(&g);
        drop((h, g, w, wa, wb));
    });
    assert_eq!(live, 0);
    ledger.assert_all_dropped();
}

owning_tests!(
    make_mut_clone_panics,
    unwrap_or_clone_clone_panics,
    last_strong_drop_panics_with_a_weak_handle,
    moves_drop_each_value_once,
);

// ---- the allocator failing at every point -------------------------------------

/// The modes the fault sweeps run in: the infallible paths cannot return
/// an `Err` (it aborts), so the allocator panics instead of its effect or
/// after it; under Miri only after (the same unwind in the crate, and the
/// harder case for the allocator's side: the block made, then the panic).
fn modes() -> Vec<Mode> {
    if cfg!(miri) {
        vec![Mode::PanicAfter]
    } else {
        vec![Mode::Panic, Mode::PanicAfter]
    }
}

type Rc3<E, L> = RcArray<E, L, Faulty<3>>;

fn faulty<E: Owning, L: Owning>(ledger: &Arc<Ledger>) -> Rc3<E, L> {
    RcArray::with_label_in(
        L::make(ledger, LABEL),
        4,
        |_, i| E::make(ledger, i),
        Faulty::new(),
    )
}

/// Runs `call` on a fresh `setup()` with the `n`-th allocator event failing
/// (panicking, as each of [`modes`]) for `n = 0, 1, ...` until a run meets
/// no failure, and asserts there were `points(mode)` failure points. After a
/// failure, frees what the allocator itself left (a block an `allocate`
/// made before it panicked) and runs `failed` on the state; after the
/// clean run, `done`. Both drop the state; then no block, allocator or
/// value may be left.
#[track_caller]
fn sweep<S, T>(
    path: &str,
    points: impl Fn(Mode) -> usize,
    ledger: &Ledger,
    mut setup: impl FnMut() -> S,
    mut call: impl FnMut(&mut S) -> T,
    mut failed: impl FnMut(S),
    mut done: impl FnMut(S, T),
) {
    for mode in modes() {
        let points = points(mode);
        let mut n = 0;
        loop {
            let mut state = setup();
            let result = catch_expected(|| inject(n, mode, || call(&mut state)));
            let report = report();
            match result {
                Ok(value) => {
                    assert!(report.refused.is_none(), "{path} ({mode:?}): {report:?}");
                    done(state, value);
                }
                Err(_) => {
                    let (kind, _) = report.refused.expect("the injected panic");
                    match (mode, kind) {
                        (Mode::PanicAfter, Kind::Allocate) => {
                            let (block, layout) = report.left.expect("the block made");
                            alloc::free_left(block, layout);
                        }
                        (Mode::Panic, Kind::Allocate) | (Mode::PanicAfter, Kind::Deallocate) => {
                            assert!(report.left.is_none());
                        }
                        other => panic!("{path}: a panic from {other:?} at {n}"),
                    }
                    failed(state);
                }
            }
            alloc::assert_faulty_quiet(&format!("{path} ({mode:?}), point {n}"));
            assert_eq!(
                ledger.live(),
                0,
                "{path} ({mode:?}), point {n}: values left"
            );
            if report.refused.is_none() {
                assert_eq!(
                    report.events.len(),
                    points,
                    "{path} ({mode:?}): {:?}",
                    report.events
                );
                break;
            }
            n += 1;
            assert!(n <= points, "{path} ({mode:?}): more than {points} points");
        }
        assert_eq!(n, points, "{path} ({mode:?}): failure points");
    }
}

/// `make_mut` with another strong handle and a weak one (a copy): after a
/// failure `a` is the handle it was, its weak handle upgrades.
fn faults_make_mut_copy<E: Owning, L: Owning>() {
    let ledger = Ledger::new();
    let l = &ledger;
    sweep(
        "make_mut, a copy",
        |_| 1,
        l,
        || {
            let a = faulty::<E, L>(l);
            let (b, w) = (a.clone(), RcArray::downgrade(&a));
            let ids = ids_of(&a);
            (a, b, w, ids)
        },
        |(a, ..)| {
            RcArray::make_mut(a);
        },
        |(a, b, w, ids)| {
            assert!(RcArray::ptr_eq(&a, &b));
            assert_eq!(counts(&a), (2, 1));
            assert!(RcArray::ptr_eq(&w.upgrade().unwrap(), &a));
            assert_eq!(ids_of(&a), ids);
            check_all(&a);
            a.get_label().check(LABEL);
            assert_eq!(l.live(), 5, "the label's copy is gone");
        },
        |(a, b, w, ids), ()| {
            assert!(!RcArray::ptr_eq(&a, &b));
            assert_eq!(counts(&a), (1, 0));
            assert_eq!(counts(&b), (1, 1));
            assert_eq!(ids_of(&b), ids);
            check_all(&a);
            assert!(RcArray::ptr_eq(&w.upgrade().unwrap(), &b));
        },
    );
}

/// `make_mut` with only a weak handle (a move): after a failure `a` still
/// counts (1, 1), untouched, its weak handle upgrades, and a second
/// `make_mut` moves.
fn faults_make_mut_move<E: Owning, L: Owning>() {
    let ledger = Ledger::new();
    let l = &ledger;
    sweep(
        "make_mut, a move",
        |_| 1,
        l,
        || {
            let a = faulty::<E, L>(l);
            let w = RcArray::downgrade(&a);
            let ids = ids_of(&a);
            (a, w, ids)
        },
        |(a, ..)| {
            RcArray::make_mut(a);
        },
        |(mut a, w, ids)| {
            assert_eq!(counts(&a), (1, 1));
            assert_eq!(ids_of(&a), ids);
            check_all(&a);
            let up = w.upgrade().expect("the weak handle upgrades as before");
            assert!(RcArray::ptr_eq(&up, &a));
            drop(up);
            RcArray::make_mut(&mut a);
            assert!(w.upgrade().is_none());
            assert_eq!(ids_of(&a), ids);
        },
        |(a, w, ids), ()| {
            assert_eq!(counts(&a), (1, 0));
            assert!(w.upgrade().is_none());
            assert_eq!(ids_of(&a), ids);
            assert_eq!(alloc::faulty_blocks(), 2, "the weak handle's old block");
            drop(w);
            assert_eq!(alloc::faulty_blocks(), 1);
            check_all(&a);
            a.get_label().check(LABEL);
        },
    );
}

/// `try_unique` and `into_unique` with a weak handle (a move into a
/// `HeapArray`): after a failure the consumed handle was dropped as a
/// handle (its contents once), the weak handle is dead and frees the block.
fn faults_unique_with_a_weak_handle<E: Owning, L: Owning>() {
    let ledger = Ledger::new();
    let l = &ledger;
    for into in [false, true] {
        sweep(
            if into { "into_unique" } else { "try_unique" },
            |_| 1,
            l,
            || {
                let a = faulty::<E, L>(l);
                let w = RcArray::downgrade(&a);
                (Some(a), w)
            },
            |(a, _)| {
                let a = a.take().unwrap();
                if into {
                    RcArray::into_unique(a).unwrap()
                } else {
                    RcArray::try_unique(a).ok().unwrap()
                }
            },
            |(a, w)| {
                assert!(a.is_none());
                assert_eq!(l.live(), 0, "the contents dropped with the handle");
                assert!(w.upgrade().is_none());
                assert_eq!(alloc::faulty_blocks(), 1, "the weak handle's block");
            },
            |(_, w), h| {
                assert!(w.upgrade().is_none());
                check_all(&h);
                h.get_label().check(LABEL);
                assert_eq!(alloc::faulty_blocks(), 2);
                drop(w);
                assert_eq!(alloc::faulty_blocks(), 1);
            },
        );
    }
}

/// `try_unique` of the only handle of any kind: the move allocates, then
/// frees the old block inside the call (a second failure point for the
/// allocator that panics after its effect: the `HeapArray` already owns
/// the contents, and its drop in the unwind drops them once).
fn faults_unique_alone<E: Owning, L: Owning>() {
    let ledger = Ledger::new();
    let l = &ledger;
    sweep(
        "try_unique alone",
        |mode| if mode == Mode::PanicAfter { 2 } else { 1 },
        l,
        || Some(faulty::<E, L>(l)),
        |a| RcArray::try_unique(a.take().unwrap()).ok().unwrap(),
        |_| {},
        |_, h| check_all(&h),
    );
}

/// `unwrap_or_clone` of a shared handle (a copy): after a failure the
/// consumed handle was dropped as a handle; the other keeps the contents.
fn faults_unwrap_or_clone_copy<E: Owning, L: Owning>() {
    let ledger = Ledger::new();
    let l = &ledger;
    sweep(
        "unwrap_or_clone, a copy",
        |_| 1,
        l,
        || {
            let a = faulty::<E, L>(l);
            let b = a.clone();
            (Some(a), b)
        },
        |(a, _)| RcArray::unwrap_or_clone(a.take().unwrap()),
        |(_, b)| {
            assert_eq!(counts(&b), (1, 0));
            check_all(&b);
            assert_eq!(l.live(), 5);
        },
        |(_, b), h| {
            assert_eq!(RcArray::strong_count(&b), 1);
            check_all(&h);
            assert_eq!(l.live(), 10);
        },
    );
}

fn faults<E: Owning, L: Owning>() {
    faults_make_mut_copy::<E, L>();
    faults_make_mut_move::<E, L>();
    faults_unique_with_a_weak_handle::<E, L>();
    faults_unique_alone::<E, L>();
    faults_unwrap_or_clone_copy::<E, L>();
}

#[test]
fn faults_string_elements_box_label() {
    faults::<Owned<String>, Owned<Box<u64>>>();
}

#[test]
fn faults_vec_elements_string_label() {
    faults::<Owned<Vec<u64>>, Owned<String>>();
}

// ---- a raw-pointer increment during a claim -------------------------------

/// `increment_strong_count` while `make_mut` has claimed the strong count
/// (set it to 0 to move the contents) breaks its contract; the call aborts
/// rather than let a handle come back to contents that are moving. The
/// allocator's `clone`, user code run during the claim, makes the call. An
/// abort cannot be caught, so the scenario runs in a child process: this
/// binary again, on this one test, told by an environment variable.
/// (Natively only: Miri runs no child processes.)
#[cfg(all(unix, not(miri)))]
#[test]
fn increment_strong_count_during_a_claim_aborts() {
    use std::alloc::Layout;
    use std::cell::Cell;
    use std::os::unix::process::ExitStatusExt;
    use std::ptr::NonNull;

    const CHILD: &str = "HEAPARRAY_RC_CLAIM_CHILD";
    thread_local!(static RAW: Cell<*const String> = const { Cell::new(std::ptr::null()) });

    /// The global heap; its `clone` increments the strong count of the
    /// array whose raw pointer is in `RAW`.
    struct Sneaky;
    impl Clone for Sneaky {
        fn clone(&self) -> Self {
            let p = RAW.with(Cell::get);
            if !p.is_null() {
                // SAFETY: deliberately not: the count is claimed (0).
                unsafe { RcArray::<String, (), Sneaky>::increment_strong_count(p) };
            }
            Sneaky
        }
    }
    // SAFETY: every call forwards to `Global`, whose blocks these are.
    unsafe impl Allocator for Sneaky {
        fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
            Global.allocate(layout)
        }
        unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
            // SAFETY: `ptr` came from `Global` through `allocate` (caller).
            unsafe { Global.deallocate(ptr, layout) }
        }
    }

    if std::env::var_os(CHILD).is_some() {
        let a = RcArray::new_in(1, |_| String::from("x"), Sneaky);
        let _weak = RcArray::downgrade(&a);
        let p = RcArray::into_raw(a);
        // SAFETY: `p` came from `into_raw` just above, rebuilt once.
        let mut a = unsafe { RcArray::<String, (), Sneaky>::from_raw(p) };
        RAW.with(|r| r.set(p));
        // Only a weak handle shares the block: the contents move, under a
        // claim, and the allocator's clone runs then.
        RcArray::make_mut(&mut a);
        println!("heaparray-child-returned");
        std::process::exit(0);
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "increment_strong_count_during_a_claim_aborts",
            "--nocapture",
        ])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("heaparray-child-returned"), "{stdout}");
    assert_eq!(
        out.status.signal(),
        Some(6),
        "SIGABRT expected: {}",
        out.status
    );
}
