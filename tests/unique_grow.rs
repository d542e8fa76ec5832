//! `UniqueArcArray` and `CompactUniqueArcArray` growing like a `Vec`
//! (src/arc_array/grow.rs), in both layouts, with elements and labels that
//! own heap memory (a `Box` or a `String` and a `Canary`), in blocks of
//! tests/common/alloc.rs's [`Faulty`] allocator, which checks every block
//! is resized and freed with the layout it was allocated with:
//!
//! - a script of every growing and shrinking method, step by step against
//!   a `Vec` doing the same (contents, length, capacity, the label, the
//!   allocator calls each step makes), with zero-sized elements too;
//! - every allocator event of a growth made to fail (`try_reserve`,
//!   `try_reserve_exact`: an error, the array unchanged) or to panic
//!   (`with_capacity_in`'s allocation; the shrink in `shareable`, which
//!   leaks the contents by design, kept and counted here);
//! - a panicking `Clone` in `extend_from_slice`, a panicking iterator in
//!   `extend`, a panicking element `Drop` in `truncate`, `clear` and
//!   `retain`, a panicking predicate in `retain`: every element dropped
//!   exactly once and the array still usable;
//! - sharing a block filled to its capacity allocates once and resizes
//!   nothing; `try_unique` gives back a growable array; `into_iter` of a
//!   grown array frees the block with its capacity;
//! - natively, in a child process (the test binary run again): an
//!   allocator panicking inside `grow` or `shrink` under `&mut self`
//!   aborts the process.
#![cfg(not(any(loom, shuttle)))]

#[path = "common/alloc.rs"]
mod alloc;
mod common;

use std::cell::Cell;
use std::mem::size_of;
use std::sync::Arc;

use heaparray::traits::*;
use heaparray::*;

use alloc::{inject, report, Faulty, Kind, Mode, Zst};
use common::{catch_expected, expect_panic, Ledger, Owned, Owning, LABEL};

/// The elements: a canary and a `Box` (cheaper than a `String` to make
/// and check under Miri, which formats slowly).
type Elem = Owned<Box<u64>>;
/// The label: a canary and a `String`.
type Label = Owned<String>;
/// A growable array of `E` labelled [`Label`], in layout `P`, from the
/// 24-byte checking allocator.
type Unique<E, P> = UniqueArcArrayBase<E, Label, P, Faulty<3>>;

/// One `#[test]` per layout for each generic function `f::<P>()` named:
/// a module `f` with the tests `padded` and `compact`.
macro_rules! layout_tests {
    ($($f:ident),* $(,)?) => {
        common::stamp_tests!([
            padded: <heaparray::Padded>,
            compact: <heaparray::Compact>,
        ] $($f),*);
    };
}

/// An element type the Vec model runs over: made from an index and
/// checked against it, its live values counted.
trait Item: Clone + std::fmt::Debug + 'static {
    fn item(ledger: &Arc<Ledger>, n: usize) -> Self;
    /// Panics unless this holds what `item(_, n)` put in.
    #[track_caller]
    fn verify(&self, n: usize);
    /// Values of this type alive (the label excluded).
    fn live(ledger: &Ledger) -> usize;
}

impl Item for Elem {
    fn item(ledger: &Arc<Ledger>, n: usize) -> Self {
        Owning::make(ledger, n)
    }
    fn verify(&self, n: usize) {
        Owning::check(self, n);
    }
    fn live(ledger: &Ledger) -> usize {
        ledger.live() - 1
    }
}

/// Zero-sized elements: no value to check, their drops counted per thread.
impl Item for Zst {
    fn item(_: &Arc<Ledger>, _: usize) -> Self {
        Zst::new()
    }
    fn verify(&self, _: usize) {}
    fn live(_: &Ledger) -> usize {
        usize::try_from(alloc::zst_live()).expect("a zero-sized value dropped twice")
    }
}

/// A fresh labelled array with room for `cap`, in a new ledger.
fn fresh<E, P: ArcLayout>(cap: usize) -> (Arc<Ledger>, UniqueArcArrayBase<E, Label, P, Faulty<3>>) {
    let ledger = Ledger::new();
    let label = Label::make(&ledger, LABEL);
    let u = UniqueArcArrayBase::with_label_and_capacity_in(label, cap, Faulty::new());
    (ledger, u)
}

/// Every element of `elems` holds `item(_, n)` for its `n` in `values`.
#[track_caller]
fn check_elems<E: Item>(elems: &[E], values: &[usize]) {
    assert_eq!(elems.len(), values.len(), "length");
    for (e, &n) in elems.iter().zip(values) {
        e.verify(n);
    }
}

/// The label is the one made first, intact.
#[track_caller]
fn check_label(label: &Label, id: usize) {
    assert_eq!(label.id(), id, "the label changed");
    label.check(LABEL);
}

/// The allocator events since `from` in the open window.
fn events_since(from: usize) -> Vec<Kind> {
    report().events[from..].to_vec()
}

/// Everything is gone: every canary dropped once, no block or allocator
/// of `Faulty`'s left, no zero-sized value alive.
#[track_caller]
fn assert_clean(ledger: &Ledger, what: &str) {
    ledger.assert_all_dropped();
    alloc::assert_faulty_quiet(what);
    assert_eq!(alloc::zst_live(), 0, "{what}: zero-sized values alive");
}

// ---- 1. the Vec model -------------------------------------------------------

/// One step of the script, done to the array and to the `Vec`.
#[derive(Clone, Copy, Debug)]
enum Step {
    /// `n` pushes.
    Push(usize),
    Pop,
    /// At the index modulo the length + 1.
    Insert(usize),
    /// At the index modulo the length (nothing if empty).
    Remove(usize),
    SwapRemove(usize),
    Truncate(usize),
    Clear,
    /// Keeps the values not divisible by this.
    Retain(usize),
    /// The same through `retain_mut`.
    RetainMut(usize),
    /// An iterator of `n` with an exact size hint.
    Extend(usize),
    /// An iterator of `n` whose hint says 0.
    ExtendFiltered(usize),
    ExtendFromSlice(usize),
    Reserve(usize),
    ReserveExact(usize),
    TryReserve(usize),
    TryReserveExact(usize),
    ShrinkTo(usize),
    ShrinkToFit,
    /// `shareable`, checked, then `try_unique` back.
    Share,
}

use Step::*;

/// Every method, growing from an empty block of no room, shrinking,
/// sharing when full, when not, when empty.
const SCRIPT: &[Step] = &[
    Share,
    Push(5),
    Insert(0),
    Insert(3),
    Insert(99),
    Remove(2),
    SwapRemove(0),
    Pop,
    Reserve(20),
    Reserve(1),
    ShrinkToFit,
    Extend(6),
    ExtendFiltered(5),
    ExtendFromSlice(3),
    Retain(3),
    RetainMut(4),
    Truncate(4),
    ShrinkTo(6),
    ShrinkTo(100),
    Share,
    Push(1),
    ReserveExact(10),
    TryReserve(3),
    TryReserveExact(30),
    Insert(1),
    Share,
    Clear,
    Share,
    Pop,
    Extend(9),
    Truncate(20),
    Share,
];

/// Runs [`SCRIPT`] on an array of `E` in layout `P` and on a `Vec` of the
/// values, checking after every step the contents, the length, the
/// capacity (what each method promises), the label, the values alive and
/// the allocator calls the step made.
fn vec_model_of<E: Item, P: ArcLayout>() {
    let zst = size_of::<E>() == 0;
    let (ledger, u) = fresh::<E, P>(0);
    let label_id = u.get_label().id();
    let mut v: Vec<usize> = Vec::new();
    let mut next = 0;
    // `k` fresh values.
    let mut made = |k: usize| -> Vec<usize> {
        let r = (next..next + k).collect();
        next += k;
        r
    };
    // How many shares found the block full, and how many shrank it.
    let mut shares = [0, 0];
    let u = inject(usize::MAX, Mode::Fail, || {
        let mut u = u;
        for (i, &step) in SCRIPT.iter().enumerate() {
            let (len, cap) = (u.len(), u.capacity());
            let from = report().events.len();
            // The capacity the step must leave (for sized elements), or
            // `None` if it only must hold the length.
            let mut expect_cap = Some(cap);
            let mut grows = 0;
            match step {
                Push(k) => {
                    for n in made(k) {
                        let (len, cap) = (u.len(), u.capacity());
                        u.push(E::item(&ledger, n));
                        v.push(n);
                        if len == cap && !zst {
                            grows += 1;
                            assert!(u.capacity() >= (2 * cap).max(len + 1), "{i}: doubling");
                        } else {
                            assert_eq!(u.capacity(), cap, "{i}: push within the capacity");
                        }
                    }
                    expect_cap = None;
                }
                Pop => match (u.pop(), v.pop()) {
                    (Some(e), Some(n)) => e.verify(n),
                    (None, None) => {}
                    (e, n) => panic!("{i}: pop gave {e:?}, the Vec {n:?}"),
                },
                Insert(at) => {
                    let at = at % (len + 1);
                    let n = made(1)[0];
                    u.insert(at, E::item(&ledger, n));
                    v.insert(at, n);
                    if len == cap {
                        grows = 1;
                        expect_cap = None;
                    }
                }
                Remove(at) | SwapRemove(at) if len > 0 => {
                    let at = at % len;
                    let (e, n) = if let Remove(_) = step {
                        (u.remove(at), v.remove(at))
                    } else {
                        (u.swap_remove(at), v.swap_remove(at))
                    };
                    e.verify(n);
                }
                Remove(_) | SwapRemove(_) => {}
                Truncate(to) => {
                    u.truncate(to);
                    v.truncate(to);
                }
                Clear => {
                    u.clear();
                    v.clear();
                }
                Retain(m) | RetainMut(m) => {
                    // The predicate sees the elements in order, once each:
                    // the model's verdicts are handed out in that order.
                    let keep: Vec<bool> = v.iter().map(|n| n % m != 0).collect();
                    let mut verdicts = keep.iter();
                    if let Retain(_) = step {
                        u.retain(|_| *verdicts.next().unwrap());
                    } else {
                        u.retain_mut(|_| *verdicts.next().unwrap());
                    }
                    assert!(verdicts.next().is_none(), "{i}: retain skipped an element");
                    v.retain(|n| n % m != 0);
                }
                Extend(k) | ExtendFiltered(k) | ExtendFromSlice(k) => {
                    let values = made(k);
                    let items = values.iter().map(|&n| E::item(&ledger, n));
                    match step {
                        Extend(_) => u.extend(items),
                        ExtendFiltered(_) => u.extend(items.filter(|_| true)),
                        _ => {
                            let src: Vec<E> = items.collect();
                            u.extend_from_slice(&src);
                        }
                    }
                    v.extend_from_slice(&values);
                    if len + k > cap {
                        grows = usize::MAX; // one or more
                        expect_cap = None;
                    }
                }
                Reserve(k) | ReserveExact(k) | TryReserve(k) | TryReserveExact(k) => {
                    match step {
                        Reserve(_) => u.reserve(k),
                        ReserveExact(_) => u.reserve_exact(k),
                        TryReserve(_) => u.try_reserve(k).unwrap(),
                        _ => u.try_reserve_exact(k).unwrap(),
                    }
                    v.reserve(k);
                    assert!(u.capacity() >= len + k && v.capacity() >= len + k);
                    if len + k > cap {
                        grows = 1;
                        let exact = matches!(step, ReserveExact(_) | TryReserveExact(_));
                        expect_cap = Some(len + k).filter(|_| exact);
                        if !exact {
                            assert!(u.capacity() >= 2 * cap, "{i}: amortised");
                        }
                    }
                }
                ShrinkTo(min) => {
                    u.shrink_to(min);
                    v.shrink_to(min);
                    expect_cap = Some(cap.min(min.max(len)));
                }
                ShrinkToFit => {
                    u.shrink_to_fit();
                    v.shrink_to_fit();
                    expect_cap = Some(len);
                }
                Share => {
                    let ptr = u.as_ptr();
                    let a = u.shareable();
                    assert_eq!(ArcArrayBase::strong_count(&a), 1, "{i}: strong count");
                    assert_eq!(ArcArrayBase::weak_count(&a), 0, "{i}: weak count");
                    check_elems(&a, &v);
                    check_label(a.get_label(), label_id);
                    if len == cap || zst {
                        assert_eq!(a.as_ptr(), ptr, "{i}: a full block moved");
                    }
                    shares[usize::from(len < cap && !zst)] += 1;
                    // A clone shares it; the only handle gets it back.
                    let b = a.clone();
                    assert_eq!(ArcArrayBase::strong_count(&b), 2);
                    let a = ArcArrayBase::try_unique(a).expect_err("shared");
                    drop(b);
                    u = ArcArrayBase::try_unique(a).unwrap_or_else(|_| panic!("the only handle"));
                    expect_cap = Some(len);
                }
            }
            let what = format!("step {i}, {step:?}");
            // The contents, the length, the capacity.
            check_elems(&u, &v);
            assert!(u.capacity() >= u.len(), "{what}: capacity below the length");
            if zst {
                assert_eq!(u.capacity(), usize::MAX, "{what}: zero-sized capacity");
            } else if let Some(expected) = expect_cap {
                assert_eq!(u.capacity(), expected, "{what}: capacity");
            }
            check_label(u.get_label(), label_id);
            // The values alive: the array's and the label, nothing else.
            assert_eq!(E::live(&ledger), v.len(), "{what}: values alive");
            assert_eq!(alloc::faulty_blocks(), 1, "{what}: blocks");
            assert_eq!(alloc::faulty_instances(), 1, "{what}: allocators");
            let errors = alloc::faulty_errors();
            assert!(errors.is_empty(), "{what}: {errors:?}");
            // The allocator calls: grows only to grow, one shrink to
            // shrink or to share with room to spare, nothing else.
            let events = events_since(from);
            let shrinks = !zst
                && match step {
                    ShrinkTo(_) | ShrinkToFit => u.capacity() < cap,
                    Share => len < cap,
                    _ => false,
                };
            let expected: Vec<Kind> = if zst {
                vec![]
            } else if shrinks {
                vec![Kind::Shrink]
            } else if grows == usize::MAX {
                assert!(!events.is_empty(), "{what}: grew without a grow");
                vec![Kind::Grow; events.len()]
            } else {
                vec![Kind::Grow; grows]
            };
            assert_eq!(events, expected, "{what}: allocator calls");
        }
        u
    });
    drop(u);
    assert_clean(&ledger, "the Vec model");
    // The script shares full blocks and, with sized elements, blocks
    // with room to spare (full, partly filled, empty).
    let expected = if zst { [5, 0] } else { [2, 3] };
    assert_eq!(shares, expected, "shares of full and of roomy blocks");
}

/// The script with heap-owning elements.
fn vec_model<P: ArcLayout>() {
    vec_model_of::<Elem, P>();
}

/// The script with zero-sized elements: the capacity is `usize::MAX`
/// throughout, and nothing is ever resized.
fn vec_model_zero_sized<P: ArcLayout>() {
    vec_model_of::<Zst, P>();
}

/// `Extend<&E>` for `Copy` elements, as `Vec`'s, and the global
/// allocator's constructors.
fn extend_by_reference<P: ArcLayout>() {
    let ledger = Ledger::new();
    let mut u = UniqueArcArrayBase::<u64, Label, P, Global>::with_label_and_capacity(
        Label::make(&ledger, LABEL),
        2,
    );
    let mut v: Vec<u64> = Vec::with_capacity(2);
    assert!(u.capacity() >= 2);
    for chunk in [&[1u64, 2][..], &[3, 4, 5], &[], &[6; 9]] {
        u.extend(chunk);
        v.extend(chunk);
        assert_eq!(*u, *v);
        assert!(u.capacity() >= u.len());
    }
    u.get_label().check(LABEL);
    let a = u.shareable();
    assert_eq!(*a, *v);
    drop(a);
    let mut w = UniqueArcArrayBase::<(), (), P, Global>::with_capacity(0);
    w.extend(&[(); 7]);
    assert_eq!((w.len(), w.capacity()), (7, usize::MAX));
    drop(w);
    ledger.assert_all_dropped();
}

layout_tests!(vec_model, vec_model_zero_sized, extend_by_reference);

// ---- 2. allocator failures and panics ----------------------------------------

/// What a failed call must leave untouched.
#[derive(Debug, PartialEq)]
struct Snapshot {
    len: usize,
    cap: usize,
    elems: *const Elem,
    ids: Vec<usize>,
    label: usize,
}

fn snapshot<P: ArcLayout>(u: &Unique<Elem, P>) -> Snapshot {
    Snapshot {
        len: u.len(),
        cap: u.capacity(),
        elems: u.as_ptr(),
        ids: u.iter().map(Owning::id).collect(),
        label: u.get_label().id(),
    }
}

/// The growth of the failure sweep: `try_reserve` and `try_reserve_exact`
/// only (the infallible forms would abort), each followed by two pushes
/// (values `0..next`, in order): from no room to 4, 7 (exact), 14, 14 (a
/// request of 0) and 28. Each refused call must return the
/// allocator's error and leave the array as it was; it is then tried again
/// (the sweep fails one event). Returns how many calls were refused.
fn try_growth<P: ArcLayout>(
    u: &mut Unique<Elem, P>,
    ledger: &Arc<Ledger>,
    next: &mut usize,
) -> usize {
    let mut refused = 0;
    for (additional, exact) in [(3, false), (5, true), (4, false), (0, true), (9, false)] {
        let before = snapshot(u);
        let reserve = |u: &mut Unique<Elem, P>| {
            if exact {
                u.try_reserve_exact(additional)
            } else {
                u.try_reserve(additional)
            }
        };
        if let Err(err) = reserve(u) {
            let (kind, layout) = report().refused.expect("an injected failure");
            assert_eq!(kind, Kind::Grow);
            assert_eq!(err, TryReserveError::AllocError { layout });
            assert_eq!(
                snapshot(u),
                before,
                "a refused try_reserve changed the array"
            );
            refused += 1;
            reserve(u).unwrap();
        }
        assert!(u.capacity() >= before.len + additional);
        if exact && before.len + additional > before.cap {
            assert_eq!(u.capacity(), before.len + additional, "exact");
        }
        for _ in 0..2 {
            u.push(Elem::make(ledger, *next));
            *next += 1;
        }
        // A capacity overflow is found before any allocator call.
        let before = snapshot(u);
        assert_eq!(
            u.try_reserve(usize::MAX),
            Err(TryReserveError::CapacityOverflow)
        );
        assert_eq!(
            u.try_reserve_exact(isize::MAX as usize),
            Err(TryReserveError::CapacityOverflow)
        );
        assert_eq!(snapshot(u), before);
    }
    refused
}

/// The growth's allocator events: the grows to 4, 7, 14 and 28 (the
/// request of 0 makes none).
const TRY_GROWTH_EVENTS: usize = 4;

/// Every allocator event of [`try_growth`] made to fail in turn: an error
/// and an unchanged array each time, nothing leaked or dropped twice.
fn try_reserve_failures<P: ArcLayout>() {
    for k in 0.. {
        let (ledger, mut u) = fresh::<Elem, P>(0);
        let mut next = 0;
        let refused = inject(k, Mode::Fail, || try_growth(&mut u, &ledger, &mut next));
        let report = report();
        assert_eq!(refused, report.refusals, "event {k}: refusals seen");
        assert_eq!((u.len(), u.capacity()), (10, 28), "event {k}");
        common::check_all(&u);
        u.get_label().check(LABEL);
        drop(u);
        assert_clean(&ledger, &format!("try_reserve failing at event {k}"));
        if refused == 0 {
            assert_eq!(k, TRY_GROWTH_EVENTS, "failure points");
            assert_eq!(report.events, vec![Kind::Grow; TRY_GROWTH_EVENTS]);
            break;
        }
        assert_eq!(refused, 1);
        assert_eq!(
            report.events.len(),
            TRY_GROWTH_EVENTS + 1,
            "event {k}: the retry"
        );
    }
}

/// `with_capacity_in` with its allocation panicking, instead of it or
/// after it: the panic comes through, the label is dropped once, nothing
/// leaks (after the effect, the allocator's block was never the crate's:
/// it is freed here).
fn with_capacity_in_panicking<P: ArcLayout>() {
    for mode in [Mode::Panic, Mode::PanicAfter] {
        let ledger = Ledger::new();
        let label = Label::make(&ledger, LABEL);
        let message = expect_panic(|| {
            inject(0, mode, || {
                Unique::<Elem, P>::with_label_and_capacity_in(label, 10, Faulty::new())
            })
        });
        assert_eq!(message, mode.message());
        let report = report();
        assert_eq!(report.refused.map(|r| r.0), Some(Kind::Allocate));
        if mode == Mode::PanicAfter {
            let (block, layout) = report.left.expect("the block handed out");
            alloc::free_left(block, layout);
        } else {
            assert!(report.left.is_none());
        }
        assert_clean(&ledger, &format!("with_capacity_in, {mode:?}"));
    }
}

/// The shrink in `shareable` panicking, instead of it or after it, at
/// every event of the call: the panic comes through and, by design, the
/// label, the elements and the block holding them leak (the allocator may
/// have freed the block the handle pointed at): exactly that block is
/// left, kept reachable, and exactly those values are forgiven; nothing is
/// dropped twice, the allocator value is dropped once. A full block makes
/// no allocator call at all.
fn shareable_shrink_panicking<P: ArcLayout>() {
    // (length, room reserved): an empty block, a partly filled one, a
    // full one.
    for (len, cap) in [(0, 3), (5, 8), (4, 4)] {
        for mode in [Mode::Panic, Mode::PanicAfter] {
            for k in 0.. {
                let (ledger, mut u) = fresh::<Elem, P>(cap);
                u.extend((0..len).map(|n| Elem::make(&ledger, n)));
                assert_eq!(u.capacity(), cap);
                let result = catch_expected(|| inject(k, mode, || u.shareable()));
                let report = report();
                let what = format!("shareable of {len} in {cap}, {mode:?} at {k}");
                match result {
                    Ok(a) => {
                        assert_eq!(report.refusals, 0, "{what}");
                        let expected = if len < cap {
                            vec![Kind::Shrink]
                        } else {
                            vec![]
                        };
                        assert_eq!(report.events, expected, "{what}: events");
                        assert_eq!(k, expected.len(), "{what}: failure points");
                        assert_eq!(a.len(), len);
                        common::check_all(&a);
                        drop(a);
                        assert_clean(&ledger, &what);
                        break;
                    }
                    Err(panic) => {
                        let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
                        assert_eq!(message, mode.message(), "{what}");
                        assert_eq!(report.refused.map(|r| r.0), Some(Kind::Shrink), "{what}");
                        let (block, layout) = report.left.expect("the leaked block");
                        alloc::keep_leaked(block, layout);
                        // The label and the elements, in the leaked block.
                        assert_eq!(ledger.live(), len + 1, "{what}: values leaked");
                        ledger.forgive(len + 1);
                        assert_clean(&ledger, &what);
                    }
                }
            }
        }
    }
}

/// A capacity whose block would exceed `isize::MAX` bytes: the "capacity
/// overflow" panic from `with_capacity_in`, `reserve` and
/// `reserve_exact`, found before any allocator call (no event, so no
/// abort); the label is dropped once, and an array asked for too much is
/// unchanged and usable.
fn capacity_overflow<P: ArcLayout>() {
    const OVERFLOW: &str = "capacity overflow";
    let ledger = Ledger::new();
    let label = Label::make(&ledger, LABEL);
    let message = inject(usize::MAX, Mode::Fail, || {
        expect_panic(|| {
            Unique::<Elem, P>::with_label_and_capacity_in(label, usize::MAX, Faulty::new())
        })
    });
    assert!(message.starts_with(OVERFLOW), "{message}");
    assert_eq!(report().events, [], "an allocator call");
    assert_clean(&ledger, "with_capacity_in(usize::MAX)");

    let (ledger, mut u) = fresh::<Elem, P>(0);
    u.extend((0..3).map(|n| Elem::make(&ledger, n)));
    let before = snapshot(&u);
    inject(usize::MAX, Mode::Fail, || {
        for additional in [usize::MAX, isize::MAX as usize] {
            let message = expect_panic(|| u.reserve(additional));
            assert!(message.starts_with(OVERFLOW), "{message}");
            let message = expect_panic(|| u.reserve_exact(additional));
            assert!(message.starts_with(OVERFLOW), "{message}");
        }
    });
    assert_eq!(report().events, [], "an allocator call");
    assert_eq!(snapshot(&u), before);
    u.push(Elem::make(&ledger, 3));
    common::check_all(&u);
    drop(u);
    assert_clean(&ledger, "reserve(usize::MAX)");
}

layout_tests!(
    try_reserve_failures,
    with_capacity_in_panicking,
    shareable_shrink_panicking,
    capacity_overflow
);

// ---- 3. panicking clones and iterators ---------------------------------------

/// `extend_from_slice` with the `k`-th clone panicking, for every `k`:
/// the clones made before it stay in the array, each value is dropped
/// once, and the array goes on (a push, a share).
fn extend_from_slice_clone_panicking<P: ArcLayout>() {
    const SRC: usize = 5;
    // Under Miri: the first clone, one in the middle, none.
    let points: Vec<usize> = if cfg!(miri) {
        vec![0, 3, SRC]
    } else {
        (0..=SRC).collect()
    };
    for k in points {
        // From room for 2 holding 2: the reserve grows first.
        let (ledger, mut u) = fresh::<Elem, P>(2);
        u.extend((0..2).map(|n| Elem::make(&ledger, n)));
        let src: Vec<Elem> = (2..2 + SRC).map(|n| Elem::make(&ledger, n)).collect();
        ledger.panic_on_clone(k);
        let result = catch_expected(|| u.extend_from_slice(&src));
        ledger.panic_on_clone(usize::MAX);
        assert_eq!(result.is_err(), k < SRC, "clone {k} panicking");
        assert_eq!(u.len(), 2 + k.min(SRC));
        assert!(u.capacity() >= 2 + SRC, "reserved before cloning");
        common::check_all(&u);
        assert_eq!(ledger.live(), 1 + u.len() + SRC, "values alive");
        drop(src);
        u.push(Elem::make(&ledger, u.len()));
        let a = u.shareable();
        common::check_all(&a);
        drop(a);
        assert_clean(&ledger, &format!("extend_from_slice, clone {k} panicking"));
    }
}

/// An iterator that panics at its `k`-th item, with a size hint of `hint`.
struct Panicky<'a> {
    ledger: &'a Arc<Ledger>,
    next: usize,
    panic_at: usize,
    hint: usize,
}

impl Iterator for Panicky<'_> {
    type Item = Elem;
    fn next(&mut self) -> Option<Elem> {
        assert!(self.next != self.panic_at, "the iterator panics on purpose");
        let n = self.next;
        self.next += 1;
        Some(Elem::make(self.ledger, n))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.hint, None)
    }
}

/// `extend` with the iterator panicking at its `k`-th item, trusting its
/// hint or growing as it goes: the items pushed before stay, each value
/// is dropped once, and the array goes on.
fn extend_iterator_panicking<P: ArcLayout>() {
    for hint in [0, 6] {
        for k in [0, 1, 4] {
            let (ledger, mut u) = fresh::<Elem, P>(0);
            u.push(Elem::make(&ledger, 0));
            let items = Panicky {
                ledger: &ledger,
                next: 1,
                panic_at: 1 + k,
                hint,
            };
            let message = expect_panic(|| u.extend(items));
            assert_eq!(message, "the iterator panics on purpose");
            assert_eq!(u.len(), 1 + k);
            assert!(u.capacity() > hint.max(k));
            common::check_all(&u);
            assert_eq!(ledger.live(), 1 + u.len());
            u.extend_from_slice(&[Elem::make(&ledger, u.len())]);
            let a = u.shareable();
            common::check_all(&a);
            drop(a);
            assert_clean(&ledger, &format!("extend, hint {hint}, item {k} panicking"));
        }
    }
}

layout_tests!(extend_from_slice_clone_panicking, extend_iterator_panicking);

// ---- 4. panicking destructors and predicates ---------------------------------

thread_local! {
    /// The value of the element whose drop panics (once).
    static BOOM: Cell<usize> = const { Cell::new(usize::MAX) };
}

/// An element whose drop panics if it is the armed one ([`BOOM`]); its
/// fields (a canary, a `Box`) are dropped by the unwind all the same.
#[derive(Debug)]
struct Bomb {
    n: usize,
    elem: Elem,
}

impl Bomb {
    fn new(ledger: &Arc<Ledger>, n: usize) -> Bomb {
        Bomb {
            n,
            elem: Elem::make(ledger, n),
        }
    }
}

impl Drop for Bomb {
    fn drop(&mut self) {
        if BOOM.with(|b| b.get()) == self.n {
            BOOM.with(|b| b.set(usize::MAX));
            panic!("drop panics on purpose");
        }
    }
}

const BOMBS: usize = 6;

/// An array of [`BOMBS`] bombs made from `0..BOMBS` in room for 8 (grown
/// from none), with the one at `armed` primed.
fn bombs<P: ArcLayout>(
    armed: usize,
) -> (Arc<Ledger>, UniqueArcArrayBase<Bomb, Label, P, Faulty<3>>) {
    let (ledger, mut u) = fresh::<Bomb, P>(0);
    for n in 0..BOMBS {
        u.push(Bomb::new(&ledger, n));
    }
    assert_eq!(u.capacity(), 8);
    BOOM.with(|b| b.set(armed));
    (ledger, u)
}

/// After a panic: the array holds exactly the values `kept`, the values
/// alive are those and the label, and the array is usable: a push, a
/// share, a drop.
#[track_caller]
fn still_usable<P: ArcLayout>(
    ledger: &Arc<Ledger>,
    mut u: UniqueArcArrayBase<Bomb, Label, P, Faulty<3>>,
    kept: &[usize],
    what: &str,
) {
    assert_eq!(
        BOOM.with(Cell::get),
        usize::MAX,
        "{what}: the armed drop never ran"
    );
    assert_eq!(u.len(), kept.len(), "{what}: length");
    for (b, &n) in u.iter().zip(kept) {
        assert_eq!(b.n, n, "{what}");
        b.elem.check(n);
    }
    assert_eq!(u.capacity(), 8, "{what}: capacity");
    assert_eq!(ledger.live(), 1 + kept.len(), "{what}: values alive");
    u.get_label().check(LABEL);
    u.push(Bomb::new(ledger, 100));
    u[kept.len()].elem.check(100);
    let a = u.shareable();
    assert_eq!(a.len(), kept.len() + 1);
    drop(a);
    assert_clean(ledger, what);
}

/// `truncate` and `clear` with an element's drop panicking: the panic
/// comes through, every element of the tail is dropped once (those after
/// the panicking one too), the array keeps the first elements.
fn truncate_drop_panicking<P: ArcLayout>() {
    for (to, what) in [(2, "truncate"), (0, "clear")] {
        // Under Miri: the first dropped, one in the middle, the last.
        let armed: Vec<usize> = if cfg!(miri) {
            vec![to, 3, BOMBS - 1]
        } else {
            (to..BOMBS).collect()
        };
        for armed in armed {
            let (ledger, mut u) = bombs::<P>(armed);
            let message = expect_panic(|| {
                if to == 0 {
                    u.clear();
                } else {
                    u.truncate(to);
                }
            });
            assert_eq!(message, "drop panics on purpose");
            let kept: Vec<usize> = (0..to).collect();
            still_usable(
                &ledger,
                u,
                &kept,
                &format!("{what}, drop {armed} panicking"),
            );
        }
    }
}

/// `retain` (keeping the even values) with the drop of a removed element
/// panicking, and with the predicate panicking at an element: as
/// `Vec::retain`, the elements visited before are filtered, the ones not
/// yet visited are kept (the panicking drop's element is gone, the
/// panicking predicate's element kept), each value dropped once.
fn retain_panicking<P: ArcLayout>() {
    let even = |n: &usize| n.is_multiple_of(2);
    // A drop panicking: at each odd (removed) element.
    for armed in (1..BOMBS).step_by(2) {
        let (ledger, mut u) = bombs::<P>(armed);
        let message = expect_panic(|| u.retain(|b| even(&b.n)));
        assert_eq!(message, "drop panics on purpose");
        let kept: Vec<usize> = (0..armed).filter(even).chain(armed + 1..BOMBS).collect();
        still_usable(
            &ledger,
            u,
            &kept,
            &format!("retain, drop {armed} panicking"),
        );
    }
    // The predicate panicking, at every element (under Miri: the first,
    // one in the middle, the last).
    let points: Vec<usize> = if cfg!(miri) {
        vec![0, 3, BOMBS - 1]
    } else {
        (0..BOMBS).collect()
    };
    for at in points {
        let (ledger, mut u) = bombs::<P>(0);
        BOOM.with(|b| b.set(usize::MAX));
        let message = expect_panic(|| {
            u.retain_mut(|b| {
                let n = b.n;
                assert!(n != at, "the predicate panics on purpose");
                even(&n)
            })
        });
        assert_eq!(message, "the predicate panics on purpose");
        let kept: Vec<usize> = (0..at).filter(even).chain(at..BOMBS).collect();
        still_usable(
            &ledger,
            u,
            &kept,
            &format!("retain, predicate panicking at {at}"),
        );
    }
}

layout_tests!(truncate_drop_panicking, retain_panicking);

// ---- 5. grow, then share -----------------------------------------------------

/// Room reserved up front and filled, then shared: one allocation, no
/// resize, the elements never move. Grown from no room, then shared: the
/// grows, then one shrink. Thirty-two bytes in room for 32: one
/// allocation, shared as they are (also from the global allocator: the
/// same block).
fn grow_then_share<P: ArcLayout>() {
    const N: usize = 10;
    // Reserved, filled, shared.
    let ledger = Ledger::new();
    let a = inject(usize::MAX, Mode::Fail, || {
        let mut u = Unique::<Elem, P>::with_label_and_capacity_in(
            Label::make(&ledger, LABEL),
            N,
            Faulty::new(),
        );
        assert_eq!(u.capacity(), N);
        let ptr = u.as_ptr();
        for n in 0..N {
            u.push(Elem::make(&ledger, n));
        }
        let a = u.shareable();
        assert_eq!(a.as_ptr(), ptr, "the elements moved");
        a
    });
    assert_eq!(
        report().events,
        [Kind::Allocate],
        "reserved, filled, shared"
    );
    common::check_all(&a);
    drop(a);
    assert_clean(&ledger, "reserved, filled, shared");

    // Grown from no room (4, 8, 16), then shared: one shrink, to 10.
    let ledger = Ledger::new();
    let a = inject(usize::MAX, Mode::Fail, || {
        let mut u = Unique::<Elem, P>::with_label_and_capacity_in(
            Label::make(&ledger, LABEL),
            0,
            Faulty::new(),
        );
        for n in 0..N {
            u.push(Elem::make(&ledger, n));
        }
        assert_eq!(u.capacity(), 16);
        u.shareable()
    });
    let grows = vec![Kind::Grow; 3];
    assert_eq!(
        report().events,
        [&[Kind::Allocate][..], &grows, &[Kind::Shrink]].concat()
    );
    common::check_all(&a);
    drop(a);
    assert_clean(&ledger, "grown, shared");

    // Thirty-two bytes in room for 32.
    let a = inject(usize::MAX, Mode::Fail, || {
        let mut u = UniqueArcArrayBase::<u8, (), P, Faulty>::with_capacity_in(32, Faulty::new());
        assert_eq!(u.capacity(), 32);
        let ptr = u.as_ptr();
        u.extend(0..32);
        let a = u.shareable();
        assert_eq!(a.as_ptr(), ptr);
        a
    });
    assert_eq!(report().events, [Kind::Allocate], "32 bytes in room for 32");
    assert!(a.iter().copied().eq(0..32));
    drop(a);
    alloc::assert_faulty_quiet("32 bytes");
    let mut u = UniqueArcArrayBase::<u8, (), P, Global>::with_capacity(32);
    let ptr = u.as_ptr();
    u.extend(0..32);
    assert_eq!(u.capacity(), 32);
    let a = u.shareable();
    assert_eq!((a.as_ptr(), a.len()), (ptr, 32));
}

layout_tests!(grow_then_share);

// ---- 6. try_unique, into_iter ------------------------------------------------

/// `try_unique` of the only handle, with no weak handle (in place) and
/// with one (moved to a new block): a growable array whose capacity is its
/// length, which grows on the next push.
fn try_unique_grows<P: ArcLayout>() {
    for weak in [false, true] {
        let ledger = Ledger::new();
        let a = ArcArrayBase::<Elem, Label, P, Faulty<3>>::with_label_in(
            Label::make(&ledger, LABEL),
            3,
            |_, n| Elem::make(&ledger, n),
            Faulty::new(),
        );
        let w = weak.then(|| ArcArrayBase::downgrade(&a));
        let mut u = ArcArrayBase::try_unique(a).unwrap_or_else(|_| panic!("the only handle"));
        assert_eq!(u.capacity(), 3, "weak {weak}: full");
        inject(usize::MAX, Mode::Fail, || {
            u.push(Elem::make(&ledger, 3));
            u.push(Elem::make(&ledger, 4));
        });
        assert_eq!(report().events, [Kind::Grow], "weak {weak}: one grow");
        assert_eq!(u.capacity(), 6);
        common::check_all(&u);
        u.get_label().check(LABEL);
        let a = u.shareable();
        common::check_all(&a);
        if let Some(w) = &w {
            assert!(w.upgrade().is_none(), "the old block's weak handle");
        }
        drop((a, w));
        assert_clean(&ledger, &format!("try_unique, weak {weak}"));
    }
}

/// `into_iter` of a grown array (5 elements in room for 8): everything is
/// yielded once, from both ends, and the block is freed with the layout of
/// its capacity (the allocator checks it), whether the iterator is drained
/// or dropped early.
fn into_iter_of_grown<P: ArcLayout>() {
    for taken in [0, 2, 5] {
        let (ledger, mut u) = fresh::<Elem, P>(0);
        u.extend((0..5).map(|n| Elem::make(&ledger, n)).filter(|_| true));
        assert_eq!((u.len(), u.capacity()), (5, 8));
        let mut it = u.into_iter();
        let mut seen = Vec::new();
        for i in 0..taken {
            let e = if i % 2 == 0 {
                it.next()
            } else {
                it.next_back()
            };
            seen.push(e.expect("an element").id());
        }
        assert_eq!(it.len(), 5 - taken);
        if taken == 2 {
            seen.extend(it.by_ref().map(|e| e.id()));
        }
        drop(it);
        seen.sort_unstable();
        let all = if taken == 0 { 0 } else { 5 };
        assert_eq!(seen, (1..=all).collect::<Vec<_>>(), "yielded");
        assert_clean(&ledger, &format!("into_iter, {taken} taken"));
    }
}

layout_tests!(try_unique_grows, into_iter_of_grown);

// ---- 7. an allocator panicking inside grow or shrink under &mut aborts ---------

/// The environment variable that makes [`panicking_resize`] run in the
/// child process.
#[cfg(all(unix, not(miri)))]
const CHILD: &str = "HEAPARRAY_UNIQUE_GROW_ABORT_CHILD";

/// The calls whose allocator panics in the child, by name.
#[cfg(all(unix, not(miri)))]
const ABORTING: &[&str] = &[
    "push",
    "push_after",
    "try_reserve",
    "reserve_exact",
    "shrink_to_fit",
];

/// In the child: runs the call `which` names on an array whose allocator
/// panics in the `grow` or `shrink` it makes; it must abort (the handle,
/// still borrowed, would point at memory the allocator may have freed).
/// Returning is a failure.
#[cfg(all(unix, not(miri)))]
fn panicking_resize<P: ArcLayout>(which: &str) {
    let (ledger, mut u) = fresh::<Elem, P>(2);
    u.push(Elem::make(&ledger, 0));
    u.push(Elem::make(&ledger, 1));
    let mode = if which.ends_with("_after") {
        Mode::PanicAfter
    } else {
        Mode::Panic
    };
    // Not caught: the allocator's panic is reported by the default hook,
    // then the unwind aborts (an unwind out of here fails the child with
    // exit code 101 instead).
    inject(0, mode, || match which {
        "push" | "push_after" => u.push(Elem::make(&ledger, 2)),
        "try_reserve" => drop(u.try_reserve(10)),
        "reserve_exact" => u.reserve_exact(10),
        "shrink_to_fit" => {
            u.pop();
            u.shrink_to_fit();
        }
        other => panic!("no call {other}"),
    });
    panic!("{which}: still running after the allocator panicked");
}

/// Runs this test binary again, once per call of [`ABORTING`], as a child
/// that makes the allocator panic inside `grow` or `shrink` under `&mut`
/// ([`panicking_resize`]); each child must die of `SIGABRT`, after the
/// allocator's panic message.
#[cfg(all(unix, not(miri)))]
fn resize_panicking_aborts<P: ArcLayout>(test: &str) {
    use std::os::unix::process::ExitStatusExt;
    if let Ok(which) = std::env::var(CHILD) {
        panicking_resize::<P>(&which);
        return;
    }
    let exe = std::env::current_exe().expect("the test binary");
    for which in ABORTING {
        let out = std::process::Command::new(&exe)
            .args(["--exact", test, "--test-threads=1", "--nocapture"])
            .env(CHILD, which)
            .output()
            .expect("the child runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.signal(),
            Some(6),
            "{which}: the child did not abort: {:?}\nstderr: {stderr}",
            out.status
        );
        let message = if which.ends_with("_after") {
            alloc::PANIC_AFTER_MESSAGE
        } else {
            alloc::PANIC_MESSAGE
        };
        assert!(stderr.contains(message), "{which}: stderr: {stderr}");
    }
}

#[cfg(all(unix, not(miri)))]
#[test]
fn resize_panicking_aborts_padded() {
    resize_panicking_aborts::<Padded>("resize_panicking_aborts_padded");
}

#[cfg(all(unix, not(miri)))]
#[test]
fn resize_panicking_aborts_compact() {
    resize_panicking_aborts::<Compact>("resize_panicking_aborts_compact");
}
