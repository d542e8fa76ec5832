//! Re-entrant user code: an element's or a label's `Clone` or `Drop` that
//! calls back into the crate on the very block being copied or dropped
//! (drops another strong handle, drops the last other one so that the
//! original becomes unique mid-copy, upgrades, clones or drops weak
//! handles, re-enters `make_mut`, `get_mut`, `try_unique`, `into_unique`),
//! the pattern of triomphe#143 (a use-after-free in `make_mut`). Every value
//! owns heap memory (`String`, `Box<u64>`, `Vec<u64>`) and a canary: each is
//! dropped exactly once, every block is freed, and, under Miri, no access
//! touches freed memory. The `ArcArray` tests run in both layouts.
#![cfg(not(any(loom, shuttle)))]

mod common;

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use common::{
    allocations, counts, expect_panic, Counting, Heap, Ledger, Node, Owned, Owning, LABEL,
};
use heaparray::traits::*;
use heaparray::*;

#[global_allocator]
static ALLOC: Counting = Counting;

// ---- the re-entrant values --------------------------------------------------

type Arr<T, U, P> = ArcArrayBase<Node<T>, Node<U>, P, Global>;

/// A label (index [`LABEL`]) and `len` elements (index `i`), in layout `P`.
fn array<T: Heap, U: Heap, P: ArcLayout>(ledger: &Arc<Ledger>, len: usize) -> Arr<T, U, P> {
    LabelledArray::with_label(Node::new(ledger, LABEL), len, |_, i| Node::new(ledger, i))
}

/// Another array, of plain owning values, for hooks to drop.
type Other<T, U, P> = ArcArrayBase<Owned<T>, Owned<U>, P, Global>;

fn other<T: Heap, U: Heap, P: ArcLayout>(ledger: &Arc<Ledger>, len: usize) -> Other<T, U, P> {
    LabelledArray::with_label(Owned::make(ledger, LABEL), len, |_, i| {
        Owned::make(ledger, i)
    })
}

/// Panics unless the label and every element hold what they were made
/// with.
#[track_caller]
fn check<T: Heap, U: Heap>(label: &Node<U>, elems: &[Node<T>]) {
    label.check(LABEL);
    for (i, e) in elems.iter().enumerate() {
        e.check(i);
    }
}

/// What the hooks saw, in order.
#[derive(Clone, Default)]
struct Log(Rc<RefCell<Vec<String>>>);

impl Log {
    fn note(&self, event: impl Into<String>) {
        self.0.borrow_mut().push(event.into());
    }
    #[track_caller]
    fn assert(&self, expected: &[&str]) {
        assert_eq!(*self.0.borrow(), expected);
    }
}

/// Upgrades `w`, whose block's last strong handle is being dropped or has
/// been: it must get `None` (a strong count of 0 is never resurrected),
/// and so must a clone of it, both reading counts of 0. Records
/// `"{who}: none"`, or what went wrong (a resurrected handle is leaked, not
/// dropped, so that the test fails on the log rather than on a double drop).
fn upgrade_must_fail<E, L, P: ArcLayout>(
    w: &WeakArcArrayBase<E, L, P, Global>,
    log: &Log,
    who: &str,
) {
    let w2 = w.clone();
    let mut outcome = String::from("none");
    for w in [w, &w2] {
        if let Some(resurrected) = w.upgrade() {
            std::mem::forget(resurrected);
            outcome = String::from("RESURRECTED");
        }
        if (w.strong_count(), w.weak_count()) != (0, 0) {
            outcome = format!("counts {:?}", (w.strong_count(), w.weak_count()));
        }
    }
    assert!(w.ptr_eq(&w2));
    drop(w2);
    log.note(format!("{who}: {outcome}"));
}

/// Runs `body` with a fresh ledger and log; afterwards every canary was
/// dropped exactly once and every byte allocated inside was freed.
fn run(body: impl FnOnce(&Arc<Ledger>, &Log)) {
    common::install_quiet_hook();
    let ledger = Ledger::new();
    let ((), _, live) = allocations(|| body(&ledger, &Log::default()));
    ledger.assert_all_dropped();
    assert_eq!(live, 0, "bytes leaked");
}

// One test per scenario in both layouts, for elements `String` with a
// `Box<u64>` label and for elements `Vec<u64>` with a `String` label.
common::stamp_tests!(
    [
        string_box_padded: <String, Box<u64>, Padded>,
        string_box_compact: <String, Box<u64>, Compact>,
        vec_string_padded: <Vec<u64>, String, Padded>,
        vec_string_compact: <Vec<u64>, String, Compact>,
    ]
    make_mut_clone_drops_other_strong_handles,
    make_mut_clone_drops_the_last_other_handle,
    make_mut_clone_reenters_the_protocol,
    element_and_label_drop_upgrade_their_own_block,
    element_drop_acts_on_other_arrays,
    label_drop_drops_the_last_handles_of_other_arrays,
    make_mut_clone_panics_with_weak_and_strong_handles,
    make_mut_clone_drops_the_last_other_handle_then_panics,
);
// The same for the handles without a layout.
common::stamp_tests!(
    [
        string_box: <String, Box<u64>>,
        vec_string: <Vec<u64>, String>,
    ]
    rc_make_mut_clone_drops_other_handles,
    rc_make_mut_clone_reenters_make_mut,
    rc_make_mut_clone_drops_the_last_other_handle_then_panics,
    rc_element_drop_drops_other_arrays,
    heap_clone_hooks_drop_other_arrays,
    heap_clone_of_nested_arrays_panics,
);

// ---- ArcArray::make_mut ------------------------------------------------------

/// Element 2's `clone` drops one strong handle (3 -> 2), the label's
/// another (4 -> 3) and upgrades a weak handle for a moment: `make_mut`
/// still copies (its own count was held throughout), the original block
/// stays with the one strong handle left.
fn make_mut_clone_drops_other_strong_handles<T: Heap, U: Heap, P: ArcLayout>() {
    run(|ledger, log| {
        let len = 4;
        let mut a: Arr<T, U, P> = array(ledger, len);
        let (b, c, d) = (a.clone(), a.clone(), a.clone());
        let w = ArcArrayBase::downgrade(&a);
        let (log2, w2) = (log.clone(), w.clone());
        a.get_label().on_clone(move || {
            log2.note(format!(
                "label: drop 1 of {}",
                ArcArrayBase::strong_count(&d)
            ));
            drop(d);
            let up = w2.upgrade().expect("strong handles left");
            log2.note(format!(
                "label: upgraded to {}",
                ArcArrayBase::strong_count(&up)
            ));
        });
        let log2 = log.clone();
        a[2].on_clone(move || {
            log2.note(format!("2: drop 1 of {}", ArcArrayBase::strong_count(&c)));
            drop(c);
        });
        let old = ArcArrayBase::as_ptr(&a);
        assert_eq!(ArcArrayBase::make_mut(&mut a).len(), len);
        log.assert(&[
            "label: drop 1 of 4",
            "label: upgraded to 4",
            "2: drop 1 of 3",
        ]);
        assert_ne!(ArcArrayBase::as_ptr(&a), old, "copied");
        assert_eq!(ArcArrayBase::as_ptr(&b), old);
        assert_eq!(counts(&a), (1, 0));
        assert_eq!(counts(&b), (1, 1));
        assert!(ArcArrayBase::ptr_eq(&w.upgrade().unwrap(), &b));
        check(a.get_label(), &a);
        check(b.get_label(), &b);
        assert_eq!(ledger.live(), 2 * (len + 1));
        drop(b);
        assert!(w.upgrade().is_none());
        assert_eq!(ledger.live(), len + 1);
        drop((a, w));
    });
}

/// The other strong handle is held by the hook of element `k`'s (or the
/// label's) `clone`, which drops it: the original becomes unique mid-copy.
/// The copy completes from the still-live block; the old block's contents
/// are then dropped by `make_mut` itself (its last handle is replaced),
/// and their drop hooks cannot upgrade the old block's weak handle.
fn make_mut_clone_drops_the_last_other_handle<T: Heap, U: Heap, P: ArcLayout>() {
    let len = 4;
    for k in [None, Some(0), Some(len - 1)] {
        run(|ledger, log| {
            let mut a: Arr<T, U, P> = array(ledger, len);
            let b = a.clone();
            let w = ArcArrayBase::downgrade(&a);
            let log2 = log.clone();
            let hook = move || {
                log2.note(format!(
                    "clone: drop the last of {}",
                    ArcArrayBase::strong_count(&b)
                ));
                drop(b);
            };
            match k {
                None => a.get_label().on_clone(hook),
                Some(k) => a[k].on_clone(hook),
            }
            let (log2, w2) = (log.clone(), w.clone());
            a[1].on_drop(move || upgrade_must_fail(&w2, &log2, "old 1 dropped"));
            let (log2, w2) = (log.clone(), w.clone());
            a.get_label()
                .on_drop(move || upgrade_must_fail(&w2, &log2, "old label dropped"));
            let old = ArcArrayBase::as_ptr(&a);
            ArcArrayBase::make_mut(&mut a);
            log.assert(&[
                "clone: drop the last of 2",
                "old 1 dropped: none",
                "old label dropped: none",
            ]);
            assert_ne!(ArcArrayBase::as_ptr(&a), old, "copied");
            assert_eq!(counts(&a), (1, 0));
            assert!(w.upgrade().is_none(), "the old block's contents are gone");
            assert_eq!((w.strong_count(), w.weak_count()), (0, 0));
            assert_eq!(ledger.live(), len + 1, "k = {k:?}: only the copy is left");
            check(a.get_label(), &a);
            // The copy is unique: a second make_mut writes in place.
            let p = ArcArrayBase::as_ptr(&a);
            ArcArrayBase::make_mut(&mut a);
            assert_eq!(ArcArrayBase::as_ptr(&a), p);
            drop((a, w));
        });
    }
}

/// Element 1's `clone` re-enters the protocol on the block being copied:
/// upgrades a weak handle, finds `get_mut`, `try_unique` and `into_unique`
/// refused, and runs a nested `make_mut` (which copies the block again).
fn make_mut_clone_reenters_the_protocol<T: Heap, U: Heap, P: ArcLayout>() {
    run(|ledger, log| {
        let len = 3;
        let mut a: Arr<T, U, P> = array(ledger, len);
        let b = a.clone();
        let w = ArcArrayBase::downgrade(&a);
        let (log2, w2) = (log.clone(), w.clone());
        a[1].on_clone(move || {
            let mut h = w2.upgrade().expect("a strong handle exists");
            log2.note(format!("upgraded: {}", ArcArrayBase::strong_count(&h)));
            assert!(ArcArrayBase::get_mut(&mut h).is_none());
            let h2 = h.clone();
            let mut h = ArcArrayBase::try_unique(h).err().expect("not unique");
            assert!(ArcArrayBase::into_unique(h2).is_none());
            let old = ArcArrayBase::as_ptr(&h);
            ArcArrayBase::make_mut(&mut h);
            assert_ne!(ArcArrayBase::as_ptr(&h), old, "the nested make_mut copied");
            check(h.get_label(), &h);
            log2.note(format!("nested copy: {}", ArcArrayBase::strong_count(&h)));
            drop((h, w2));
        });
        let old = ArcArrayBase::as_ptr(&a);
        ArcArrayBase::make_mut(&mut a);
        log.assert(&["upgraded: 3", "nested copy: 1"]);
        assert_ne!(ArcArrayBase::as_ptr(&a), old);
        assert_eq!(counts(&b), (1, 1));
        check(a.get_label(), &a);
        check(b.get_label(), &b);
        assert_eq!(ledger.live(), 2 * (len + 1), "the nested copy is gone");
        drop((a, b, w));
    });
}

/// How the last strong count of a block goes.
#[derive(Clone, Copy, Debug)]
enum End {
    /// The last strong handle is dropped.
    Drop,
    /// `into_unique` of the last handle; the unique handle is dropped.
    IntoUnique,
    /// `try_unique`, then the unique handle is dropped.
    TryUnique,
    /// `make_mut` with weak handles only (the contents move), then the
    /// handle is dropped.
    MakeMut,
}

/// Every element and the label hold a weak handle of their own block and
/// upgrade it from their `drop`: always `None`. When the contents moved to
/// a new block first (`into_unique`, `try_unique`, `make_mut`: the weak
/// handles keep the old one), the weak handles point to the old block,
/// whose strong count was claimed, and the last of them, dropped inside
/// the hooks, frees it.
fn element_and_label_drop_upgrade_their_own_block<T: Heap, U: Heap, P: ArcLayout>() {
    let len = 3;
    for end in [End::Drop, End::IntoUnique, End::TryUnique, End::MakeMut] {
        for outside in [false, true] {
            run(|ledger, log| {
                let a: Arr<T, U, P> = array(ledger, len);
                for (i, e) in a.iter().enumerate() {
                    let (log2, w) = (log.clone(), ArcArrayBase::downgrade(&a));
                    e.on_drop(move || upgrade_must_fail(&w, &log2, &format!("{i}")));
                }
                let (log2, w) = (log.clone(), ArcArrayBase::downgrade(&a));
                a.get_label()
                    .on_drop(move || upgrade_must_fail(&w, &log2, "label"));
                // Optionally one weak handle outside the block too.
                let w = outside.then(|| ArcArrayBase::downgrade(&a));
                assert_eq!(ArcArrayBase::weak_count(&a), len + 1 + usize::from(outside));
                let b = a.clone();
                drop(b);
                match end {
                    End::Drop => drop(a),
                    End::IntoUnique => {
                        let u = ArcArrayBase::into_unique(a).expect("the last");
                        check(u.get_label(), &u);
                        drop(u);
                    }
                    End::TryUnique => {
                        let u = ArcArrayBase::try_unique(a).ok().expect("the only one");
                        check(u.get_label(), &u);
                        drop(u);
                    }
                    End::MakeMut => {
                        let mut a = a;
                        ArcArrayBase::make_mut(&mut a);
                        assert_eq!(ArcArrayBase::weak_count(&a), 0, "moved away");
                        check(a.get_label(), &a);
                        drop(a);
                    }
                }
                log.assert(&["0: none", "1: none", "2: none", "label: none"]);
                if let Some(w) = w {
                    assert!(w.upgrade().is_none());
                    drop(w);
                }
            });
        }
    }
}

/// Element `i` holds the last strong handle of another array and a strong
/// handle of a third, shared one; its `drop` downgrades and drops the
/// first (whose contents go, nested in this drop), checks the weak handle
/// is dead, and upgrades, clones and drops the shared one's handles.
fn element_drop_acts_on_other_arrays<T: Heap, U: Heap, P: ArcLayout>() {
    for end in [End::Drop, End::IntoUnique] {
        run(|ledger, log| {
            let len = 3;
            let a: Arr<T, U, P> = array(ledger, len);
            let shared: Other<T, U, P> = other(ledger, 2);
            let shared_weak = ArcArrayBase::downgrade(&shared);
            for (i, e) in a.iter().enumerate() {
                let mine: Other<T, U, P> = other(ledger, 2);
                let s = shared.clone();
                let log2 = log.clone();
                e.on_drop(move || {
                    let w = ArcArrayBase::downgrade(&mine);
                    drop(mine);
                    let dead = w.upgrade().is_none();
                    let w2 = ArcArrayBase::downgrade(&s);
                    let up = w2.upgrade().expect("the shared array lives");
                    let count = ArcArrayBase::strong_count(&up);
                    drop((w2.clone(), up, s, w, w2));
                    log2.note(format!("{i}: dead {dead}, shared {count}"));
                });
            }
            assert_eq!(ledger.live(), (len + 1) + 3 * len + 3);
            match end {
                End::Drop => drop(a),
                _ => drop(ArcArrayBase::into_unique(a).expect("the last")),
            }
            log.assert(&[
                "0: dead true, shared 5",
                "1: dead true, shared 4",
                "2: dead true, shared 3",
            ]);
            assert_eq!(ArcArrayBase::strong_count(&shared), 1);
            assert_eq!(ArcArrayBase::weak_count(&shared), 1);
            assert_eq!(ledger.live(), 3, "only the shared array is left");
            drop(shared);
            assert!(shared_weak.upgrade().is_none());
        });
    }
}

/// The label's `drop` drops the last handle of another array whose
/// label's `drop` drops the last handle of a third (a chain of nested last
/// drops), clones a weak handle of its own block and drops both. Also on
/// the unwind path of a panicking initialiser, where the builder drops the
/// label.
fn label_drop_drops_the_last_handles_of_other_arrays<T: Heap, U: Heap, P: ArcLayout>() {
    for panics in [false, true] {
        run(|ledger, log| {
            let third: Other<T, U, P> = other(ledger, 2);
            let second: Arr<T, U, P> = array(ledger, 2);
            let log2 = log.clone();
            second.get_label().on_drop(move || {
                drop(third);
                log2.note("second's label dropped the third array");
            });
            let label = Node::<U>::new(ledger, LABEL);
            let log2 = log.clone();
            label.on_drop(move || {
                let w = ArcArrayBase::downgrade(&second);
                drop(second);
                assert!(w.upgrade().is_none());
                log2.note("the label dropped the second array");
            });
            if panics {
                let message = expect_panic(|| {
                    <Arr<T, U, P> as LabelledArray<_, _>>::with_label(label, 4, |_, i| {
                        assert!(i < 2, "the initialiser panics on purpose");
                        Node::new(ledger, i)
                    })
                });
                assert!(message.contains("on purpose"));
                assert_eq!(ledger.live(), 0, "the two elements made dropped too");
            } else {
                let a: Arr<T, U, P> =
                    LabelledArray::with_label(label, 2, |_, i| Node::new(ledger, i));
                let (log2, w) = (log.clone(), ArcArrayBase::downgrade(&a));
                a[0].on_drop(move || upgrade_must_fail(&w, &log2, "0"));
                drop(a);
            }
            let mut expected = vec![
                "second's label dropped the third array",
                "the label dropped the second array",
            ];
            if !panics {
                expected.insert(0, "0: none");
            }
            log.assert(&expected);
        });
    }
}

/// A `Clone` panicking at each point of `make_mut`'s copy (clone 0 is the
/// label's, element `i` clone `i + 1`) while two strong and two weak
/// handles exist: afterwards the handle, its counts and its contents are
/// unchanged, the weak handles still upgrade, nothing leaked or dropped
/// twice; then `make_mut` copies.
fn make_mut_clone_panics_with_weak_and_strong_handles<T: Heap, U: Heap, P: ArcLayout>() {
    let len = 4;
    for k in [0, 1, 2, len] {
        run(|ledger, _| {
            let mut a: Arr<T, U, P> = array(ledger, len);
            let b = a.clone();
            let (w1, w2) = (ArcArrayBase::downgrade(&a), ArcArrayBase::downgrade(&b));
            let old = ArcArrayBase::as_ptr(&a);
            ledger.panic_on_clone(k);
            let message = expect_panic(|| ArcArrayBase::make_mut(&mut a).len());
            assert_eq!(message, "clone panics on purpose");
            assert_eq!(ArcArrayBase::as_ptr(&a), old, "k = {k}: unchanged");
            assert!(ArcArrayBase::ptr_eq(&a, &b));
            assert_eq!(counts(&a), (2, 2));
            assert_eq!((w1.strong_count(), w1.weak_count()), (2, 2));
            for w in [&w1, &w2] {
                assert!(ArcArrayBase::ptr_eq(&w.upgrade().expect("alive"), &a));
            }
            assert_eq!(ledger.live(), len + 1, "k = {k}: the partial copy dropped");
            check(a.get_label(), &a);
            ledger.panic_on_clone(usize::MAX);
            ArcArrayBase::make_mut(&mut a);
            assert_ne!(ArcArrayBase::as_ptr(&a), old);
            check(a.get_label(), &a);
            assert_eq!(counts(&b), (1, 2));
            drop((a, b, w1, w2));
        });
    }
}

/// Element 0's `clone` drops one strong handle (3 -> 2) or the last other
/// one (2 -> 1), then clone `k` panics: the handle is unchanged, its count
/// reflects the dropped handle, the weak handles still upgrade. If it was
/// left the only strong handle, the next `make_mut` moves the contents (no
/// clone; the weak handles die), else it copies.
fn make_mut_clone_drops_the_last_other_handle_then_panics<T: Heap, U: Heap, P: ArcLayout>() {
    let len = 4;
    for last in [false, true] {
        for k in [2, 3, len] {
            run(|ledger, log| {
                let mut a: Arr<T, U, P> = array(ledger, len);
                let b = a.clone();
                let c = (!last).then(|| a.clone());
                let w = ArcArrayBase::downgrade(&a);
                let w2 = w.clone();
                let log2 = log.clone();
                a[0].on_clone(move || {
                    let up = w2.upgrade().expect("alive");
                    log2.note(format!("drop 1 of {}", ArcArrayBase::strong_count(&b)));
                    drop((b, up, w2));
                });
                let old = ArcArrayBase::as_ptr(&a);
                ledger.panic_on_clone(k);
                expect_panic(|| ArcArrayBase::make_mut(&mut a).len());
                log.assert(&[if last { "drop 1 of 3" } else { "drop 1 of 4" }]);
                assert_eq!(ArcArrayBase::as_ptr(&a), old, "unchanged");
                let strong = if last { 1 } else { 2 };
                assert_eq!(counts(&a), (strong, 1));
                assert!(ArcArrayBase::ptr_eq(&w.upgrade().expect("alive"), &a));
                assert_eq!(
                    ledger.live(),
                    len + 1,
                    "last = {last}, k = {k}: the partial copy dropped"
                );
                check(a.get_label(), &a);
                ledger.panic_on_clone(usize::MAX);
                let made = ledger.made();
                ArcArrayBase::make_mut(&mut a);
                assert_ne!(ArcArrayBase::as_ptr(&a), old);
                check(a.get_label(), &a);
                if last {
                    assert_eq!(ledger.made(), made, "moved, not cloned");
                    assert!(w.upgrade().is_none(), "the weak handle is dead");
                } else {
                    assert_eq!(ledger.made(), made + len + 1, "copied");
                    assert!(w.upgrade().is_some());
                }
                drop((a, c, w));
            });
        }
    }
}

// ---- RcArray::make_mut -------------------------------------------------------

type Rca<T, U> = RcArray<Node<T>, Node<U>>;

fn rc_array<T: Heap, U: Heap>(ledger: &Arc<Ledger>, len: usize) -> Rca<T, U> {
    RcArray::with_label(Node::new(ledger, LABEL), len, |_, i| Node::new(ledger, i))
}

/// The label's `clone` drops one other handle, element 1's another, and
/// then (a second run) element 2's the last other one, so that the handle
/// is unique before the copy ends; the old block's elements, dropped by
/// `make_mut` itself in that case, are intact as they go.
fn rc_make_mut_clone_drops_other_handles<T: Heap, U: Heap>() {
    let len = 4;
    for last in [false, true] {
        run(|ledger, log| {
            let mut a: Rca<T, U> = rc_array(ledger, len);
            let b = a.clone();
            let (c, d) = (a.clone(), a.clone());
            let log2 = log.clone();
            a.get_label().on_clone(move || {
                log2.note(format!("label: drop 1 of {}", RcArray::strong_count(&c)));
                drop(c);
            });
            let log2 = log.clone();
            a[1].on_clone(move || {
                log2.note(format!("1: drop 1 of {}", RcArray::strong_count(&d)));
                drop(d);
            });
            let b = if last {
                let log2 = log.clone();
                a[2].on_clone(move || {
                    log2.note(format!("2: drop the last of {}", RcArray::strong_count(&b)));
                    drop(b);
                });
                None
            } else {
                Some(b)
            };
            let log2 = log.clone();
            a[3].on_drop(move || log2.note("old 3 dropped"));
            let old = a.as_ptr();
            RcArray::make_mut(&mut a);
            assert_ne!(a.as_ptr(), old);
            assert_eq!(RcArray::strong_count(&a), 1);
            check(a.get_label(), &a);
            if last {
                log.assert(&[
                    "label: drop 1 of 4",
                    "1: drop 1 of 3",
                    "2: drop the last of 2",
                    "old 3 dropped",
                ]);
                assert_eq!(ledger.live(), len + 1, "the old block dropped");
            } else {
                log.assert(&["label: drop 1 of 4", "1: drop 1 of 3"]);
                let b = b.as_ref().unwrap();
                assert_eq!(RcArray::strong_count(b), 1);
                check(b.get_label(), b);
                assert_eq!(ledger.live(), 2 * (len + 1));
            }
            drop((a, b));
        });
    }
}

/// Element 0's `clone` clones another handle of the block and runs a
/// nested `make_mut` on it (a second copy), while the outer copy holds
/// references into the block.
fn rc_make_mut_clone_reenters_make_mut<T: Heap, U: Heap>() {
    run(|ledger, log| {
        let len = 3;
        let mut a: Rca<T, U> = rc_array(ledger, len);
        let b = a.clone();
        let b2 = b.clone();
        let log2 = log.clone();
        a[0].on_clone(move || {
            let mut h = b2.clone();
            RcArray::make_mut(&mut h);
            check(h.get_label(), &h);
            log2.note(format!(
                "nested: {} {}",
                RcArray::strong_count(&h),
                RcArray::strong_count(&b2)
            ));
            drop((h, b2));
        });
        RcArray::make_mut(&mut a);
        log.assert(&["nested: 1 3"]);
        assert!(!RcArray::ptr_eq(&a, &b));
        assert_eq!(
            (RcArray::strong_count(&a), RcArray::strong_count(&b)),
            (1, 1)
        );
        check(a.get_label(), &a);
        check(b.get_label(), &b);
        assert_eq!(ledger.live(), 2 * (len + 1));
        drop((a, b));
    });
}

/// Element 0's `clone` drops the last other handle, then clone `k`
/// panics: the handle is unchanged and now unique, so the next `make_mut`
/// writes in place.
fn rc_make_mut_clone_drops_the_last_other_handle_then_panics<T: Heap, U: Heap>() {
    let len = 4;
    for k in [2, 3, len] {
        run(|ledger, _| {
            let mut a: Rca<T, U> = rc_array(ledger, len);
            let b = a.clone();
            a[0].on_clone(move || drop(b));
            let old = a.as_ptr();
            ledger.panic_on_clone(k);
            expect_panic(|| RcArray::make_mut(&mut a).len());
            assert_eq!(a.as_ptr(), old);
            assert_eq!(RcArray::strong_count(&a), 1);
            assert_eq!(ledger.live(), len + 1, "k = {k}: the partial copy dropped");
            check(a.get_label(), &a);
            ledger.panic_on_clone(usize::MAX);
            let made = ledger.made();
            RcArray::make_mut(&mut a);
            assert_eq!((a.as_ptr(), ledger.made()), (old, made), "in place");
            drop(a);
        });
    }
}

/// The last handle's drop runs element hooks that drop the last handle of
/// other `RcArray`s and clone and drop a handle of a shared one.
fn rc_element_drop_drops_other_arrays<T: Heap, U: Heap>() {
    run(|ledger, log| {
        let len = 3;
        let a: Rca<T, U> = rc_array(ledger, len);
        let shared: RcArray<Owned<T>, Owned<U>> =
            RcArray::with_label(Owned::make(ledger, LABEL), 1, |_, i| Owned::make(ledger, i));
        for (i, e) in a.iter().enumerate() {
            let mine: Rca<T, U> = rc_array(ledger, 2);
            let s = shared.clone();
            let log2 = log.clone();
            e.on_drop(move || {
                drop(mine);
                let count = RcArray::strong_count(&s.clone());
                drop(s);
                log2.note(format!("{i}: shared {count}"));
            });
        }
        let b = a.clone();
        drop(a);
        assert_eq!(log.0.borrow().len(), 0, "not the last handle");
        drop(b);
        log.assert(&["0: shared 5", "1: shared 4", "2: shared 3"]);
        assert_eq!(RcArray::strong_count(&shared), 1);
        assert_eq!(ledger.live(), 2);
        drop(shared);
    });
}

// ---- HeapArray::clone --------------------------------------------------------

/// `HeapArray::clone` with element and label `clone`s that drop other
/// arrays (the last handles of an `ArcArray` and an `RcArray`, and a
/// `HeapArray` they own), one of them panicking on a later run.
fn heap_clone_hooks_drop_other_arrays<T: Heap, U: Heap>() {
    let len = 4;
    for k in [None, Some(2), Some(len)] {
        run(|ledger, log| {
            let a: HeapArray<Node<T>, Node<U>> =
                HeapArray::with_label(Node::new(ledger, LABEL), len, |_, i| Node::new(ledger, i));
            let arc: Other<T, U, Padded> = other(ledger, 2);
            let rc: RcArray<Owned<T>, Owned<U>> =
                RcArray::with_label(Owned::make(ledger, LABEL), 2, |_, i| Owned::make(ledger, i));
            let heap: HeapArray<Owned<T>, Owned<U>> =
                HeapArray::with_label(Owned::make(ledger, LABEL), 2, |_, i| Owned::make(ledger, i));
            let log2 = log.clone();
            a.get_label().on_clone(move || {
                drop(arc);
                log2.note("label");
            });
            let log2 = log.clone();
            a[1].on_clone(move || {
                drop((rc, heap));
                log2.note("1");
            });
            match k {
                None => {
                    let b = a.clone();
                    check(b.get_label(), &b);
                    assert_eq!(ledger.live(), 2 * (len + 1));
                }
                Some(k) => {
                    ledger.panic_on_clone(k);
                    assert_eq!(expect_panic(|| a.clone()), "clone panics on purpose");
                    assert_eq!(ledger.live(), len + 1, "k = {k}: the partial clone dropped");
                }
            }
            log.assert(&["label", "1"]);
            check(a.get_label(), &a);
            drop(a);
        });
    }
}

/// `HeapArray<HeapArray<..>>::clone`: the outer clone re-enters
/// `HeapArray::clone` for each element; a `Clone` panicking at each point
/// (in an inner label, an inner element, the outer label) unwinds both
/// builders: every clone made is dropped once, both blocks freed.
fn heap_clone_of_nested_arrays_panics<T: Heap, U: Heap>() {
    type Inner<T, U> = HeapArray<Owned<T>, Owned<U>>;
    // Clone 0 is the outer label; then each inner array's label and its 3
    // elements: 1 + 3 * 4 = 13 clones in all.
    for k in [0, 1, 3, 6, 12, usize::MAX] {
        run(|ledger, _| {
            let a: HeapArray<Inner<T, U>, Owned<U>> =
                HeapArray::with_label(Owned::make(ledger, LABEL), 3, |_, _| {
                    HeapArray::with_label(Owned::make(ledger, LABEL), 3, |_, i| {
                        Owned::make(ledger, i)
                    })
                });
            ledger.panic_on_clone(k);
            if k == usize::MAX {
                let b = a.clone();
                assert_eq!(ledger.live(), 2 * 13);
                for inner in b.iter() {
                    common::check_all(inner);
                }
            } else {
                assert_eq!(expect_panic(|| a.clone()), "clone panics on purpose");
                assert_eq!(ledger.live(), 13, "k = {k}: every clone made was dropped");
            }
            a.get_label().check(LABEL);
            for inner in a.iter() {
                inner.get_label().check(LABEL);
                common::check_all(inner);
            }
        });
    }
}
