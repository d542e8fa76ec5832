//! Allocation failure at every allocation of every path: for each path a
//! sweep runs the call once per failure point `n = 0, 1, ...`, with the
//! `n`-th event failing, until a run sees no failure, and asserts that
//! exactly the expected number of failure points was tried (the table
//! below), that the successful run made exactly that many events (and as
//! many grows and shrinks as the table lists), and that a failing run made
//! no allocation after the failure. An event is an allocation event (an
//! `allocate`, `allocate_zeroed`, `grow` or `shrink`: tests/common/alloc.rs,
//! [`Faulty`]) or, in the mode that panics after the effect, any call of
//! the allocator, `deallocate` included.
//!
//! Three modes ([`Mode`]). `Fail`: the allocator returns `Err` instead (the
//! call must return `TryReserveError::AllocError` with the refused
//! layout). `Panic`: it panics instead. `PanicAfter`: it does the call's
//! work (allocates; moves the block, freeing the old one; frees) and then
//! panics. The `try_` forms run in all three (a panic must come through);
//! the infallible forms would abort on `Err` (`handle_alloc_error`), so
//! they run in the two panicking modes. After every run, failed or not: no
//! block of the allocator is live, no allocator value is alive, every
//! label and element made was dropped exactly once (`Ledger`; a second
//! drop panics), and blocks were freed with the layout they were allocated
//! with (and, for the 24-byte allocator, by the instance that allocated
//! them), except what a panic leaves by the rules, which the sweep checks
//! exactly and clears first ([`settle`]):
//!
//! - a panic after `allocate` or `allocate_zeroed`: the crate never got the
//!   block, so exactly that block is left (the allocator's own leak); the
//!   test frees it, it holds nothing;
//! - a panic in a `grow` or `shrink` of a builder, instead of the effect or
//!   after it: the block is lent to the allocator for the call (src/block.rs,
//!   `Builder::try_resize`), so the builder leaks it with the label and
//!   the elements in it (issue 24): exactly that block (the one handed in,
//!   or the one handed out) and exactly those values are left (the last
//!   column below); the test keeps the block reachable from a static and
//!   forgives the values;
//! - a panic instead of `allocate`, or after `deallocate` (the crate
//!   switches its owner before it frees, or frees as the last owner):
//!   nothing is left.
//!
//! Where the call starts from a handle (`make_mut`, `try_unique`,
//! `into_unique`, `clone`), that handle is checked after a failure: its
//! strong and weak counts, its contents, whether its weak handles still
//! upgrade.
//!
//! The global allocator's `try_` forms (`try_new`, `try_with_label`,
//! `try_from_iter`) run the same sweeps through a fault-injecting
//! `#[global_allocator]` ([`GlobalFaults`], `Err` only: a global allocator
//! may not unwind), with their elements made before the window opens.
//!
//! Under Miri the same paths run, the matrix of handles, allocators,
//! element types, iterator cases and modes shared out between the tests
//! ([`FULL`]; every path runs `PanicAfter` there, `Panic` only natively):
//! about 36 s of Miri time under Stacked Borrows and 42 to 44 s under Tree
//! Borrows (two cores, otherwise idle; the scheme before `PanicAfter`, with
//! the same leak checks, 32 and 42 s back to back).
//!
//! Failure points per path (elements of 10 unless noted; "the empty block
//! allocates" for every handle but a `HeapArray` with a zero-sized label
//! and allocator, whose header is the allocator alone: `e` below is 1 if
//! it does, 0 if not). The `PanicAfter` column adds the frees inside the
//! window to the allocation events: the window closes before a built
//! handle is dropped, and the frees of the cleanup after a failure come
//! after the failure point, so only `From<HeapArray>` (the old block) and
//! the trim to an empty block (`e` = 0) add one; nowhere does the count
//! double. The last column: the values (label and elements) in the block
//! at each grow and shrink, in order, which a panic there leaves; with
//! `e` = 0 a block of no element has no bytes, so a 0 there is no grow or
//! shrink at all (the first `allocate`, or a free).
//!
//! | path | failure points | `PanicAfter` | in the block at each grow, shrink |
//! |---|---|---|---|
//! | `new_in`, `try_new_in`, `with_label_in`, `try_with_label_in` (len 5) | 1 | 1 | |
//! | the same, len 0 | `e` | `e` | |
//! | `try_new`, `try_with_label` (global allocator) | as the `_in` forms | not run | |
//! | `from_iter_in`, `try_from_iter_in`, exact `size_hint` (10) | 1 | 1 | |
//! | hint `(0, Some(10))` (a filter) | `e` + 4: the empty block, grow to 4, 8, 16, shrink to 10 (with `e` = 0 the first push allocates) | `e` + 4 | 0, 4, 8, 10 |
//! | hint `(3, Some(3))`, under-reporting | 4: allocate 3, grow to 6, 12, shrink to 10 | 4 | 3, 6, 10 |
//! | hint `(20, Some(20))`, over-reporting | 2: allocate 20, shrink to 10 | 2 | 10 |
//! | hint `(1, None)`, 4 items | 2: allocate 1, grow to 4, no shrink (full) | 2 | 1 |
//! | hint `(usize::MAX, None)` (ignored), 3 items | `e` + 2: the empty block, grow to 4, shrink to 3 | `e` + 2 | 0, 3 |
//! | hint `(0, Some(0))`, no items | `e` | `e` | |
//! | hint `(5, Some(5))`, no items | 1 + `e`: allocate 5, shrink to the empty block (with `e` = 0: freed, no event) | 2: allocate 5, then the shrink or (`e` = 0) the free | 0 |
//! | after the hint's block is refused (every hint with a lower bound above 0): the fallback, an empty block grown as the items come | 10 items: `e` + 4; 4 items: `e` + 1; no items: `e` (swept as a second failure, the first refusal absorbed: the `try_` form succeeds) | the same | 10 items: 0, 4, 8, 10; 4 items: 0 |
//! | zero-sized elements, every hint above | `e` (fallback: `e`, for a non-zero lower bound, `usize::MAX` included) | the same | |
//! | `try_from_iter` (global allocator) | as `try_from_iter_in` (the fallback not swept) | not run | |
//! | `collect` (`FromIterator`, a `Default` allocator), a filter | as `from_iter_in` | as `from_iter_in` | as `from_iter_in` |
//! | `Default` (a `Default` allocator) | `e` | `e` | |
//! | `new_uninit_in`, `with_label_uninit_in` (`HeapArray`, `UniqueArcArray`) | 1 (`allocate`) | 1 | |
//! | `new_zeroed_in`, `zeroed_in` (bytemuck) | 1 (`allocate_zeroed`) | 1 | |
//! | `make_mut`, another strong handle exists (a copy) | 1 (`ArcArray`, `RcArray`) | 1 | |
//! | `make_mut`, only weak handles (a move) | 1 | 1 (the old block stays the weak handle's) | |
//! | `make_mut`, unique | 0 | 0 | |
//! | `try_unique`, `into_unique`, with weak handles (a move) | 1 | 1 (as `make_mut`'s move) | |
//! | `try_unique`, `into_unique`, no weak handle; `try_unique` shared | 0 | 0 | |
//! | `Clone for HeapArray` | 1 (an empty array of zero-sized parts: 0, or 1 with a 24-byte allocator) | the same | |
//! | `From<HeapArray>` for `ArcArray`, `UniqueArcArray`, both layouts, and `RcArray` (a move) | 1 | 2: allocate the new block, free the old one | |
//! | `Deserialize`, serde_json (no size hint), 10 elements | 5: the empty block, grow to 4, 8, 16, shrink to 10 | 5 | 1, 5, 9, 11 (the label, and 0, 4, 8, 10 elements) |
//! | the same, 4 elements | 2: the empty block, grow to 4 (full) | 2 | 1 |
//! | the same, the elements before the label (a `Vec`, then one block) | 1 | 1 | |
//! | `Deserialize`, postcard (length known), 10 elements | 1 | 1 | |
#![cfg(not(any(loom, shuttle)))]

#[path = "common/alloc.rs"]
mod alloc;
mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::any::type_name;
use std::cell::Cell;
use std::marker::PhantomData;
use std::mem::size_of;
use std::sync::Arc;

use heaparray::traits::*;
use heaparray::*;

use alloc::{inject, report, Faulty, Kind, Mode, Zst};
use common::{
    catch_expected, check_all, counts, ids_of, AlignTo256, Canary, Ledger, Lying, Owned, Owning,
    LABEL,
};

// ---- the global allocator's faults -----------------------------------------

/// A global allocator that forwards to `System`, counts this thread's
/// live bytes, and inside a [`global_window`] fails (returns null) the
/// `n`-th allocation event of this thread (`alloc`, `alloc_zeroed`,
/// `realloc`). Never unwinds.
struct GlobalFaults;

thread_local! {
    static G_INJECTING: Cell<bool> = const { Cell::new(false) };
    static G_FAIL_AT: Cell<usize> = const { Cell::new(usize::MAX) };
    static G_EVENTS: Cell<usize> = const { Cell::new(0) };
    static G_REFUSED: Cell<Option<Layout>> = const { Cell::new(None) };
    static G_LIVE: Cell<isize> = const { Cell::new(0) };
}

impl GlobalFaults {
    /// Counts an event in an open window; true if it must fail.
    fn refuse(layout: Layout) -> bool {
        if !G_INJECTING.with(Cell::get) {
            return false;
        }
        let n = G_EVENTS.with(|e| e.replace(e.get() + 1));
        let refuse = n == G_FAIL_AT.with(Cell::get);
        if refuse {
            G_REFUSED.with(|r| r.set(Some(layout)));
        }
        refuse
    }

    fn live(delta: isize) {
        G_LIVE.with(|l| l.set(l.get() + delta));
    }

    /// One allocation event asking for `layout`: null if it is the one to
    /// fail, else `call`'s block, its `delta` bytes counted if it got one.
    fn event(layout: Layout, delta: isize, call: impl FnOnce() -> *mut u8) -> *mut u8 {
        if Self::refuse(layout) {
            return std::ptr::null_mut();
        }
        let p = call();
        if !p.is_null() {
            Self::live(delta);
        }
        p
    }
}

// SAFETY: forwards to `System`, or returns null (a failed allocation,
// which `GlobalAlloc` allows); the counters are const thread-locals
// without destructors, so touching them never allocates.
unsafe impl GlobalAlloc for GlobalFaults {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let size = layout.size() as isize;
        // SAFETY: the caller's contract is System's.
        Self::event(layout, size, || unsafe { System.alloc(layout) })
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let size = layout.size() as isize;
        // SAFETY: the caller's contract is System's.
        Self::event(layout, size, || unsafe { System.alloc_zeroed(layout) })
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        Self::live(-(layout.size() as isize));
        // SAFETY: the caller's contract is System's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller promises `new_size`, rounded up to the
        // alignment, does not overflow isize.
        let new = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        let delta = new_size as isize - layout.size() as isize;
        // SAFETY: the caller's contract is System's.
        Self::event(new, delta, || unsafe {
            System.realloc(ptr, layout, new_size)
        })
    }
}

#[global_allocator]
static GLOBAL: GlobalFaults = GlobalFaults;

/// Runs `f` with this thread's `fail_at`-th global allocation event
/// failing; returns what it returned, the events and the refused layout.
fn global_window<R>(fail_at: usize, f: impl FnOnce() -> R) -> (R, usize, Option<Layout>) {
    G_EVENTS.with(|e| e.set(0));
    G_REFUSED.with(|r| r.set(None));
    G_FAIL_AT.with(|a| a.set(fail_at));
    G_INJECTING.with(|i| i.set(true));
    let r = f();
    G_INJECTING.with(|i| i.set(false));
    (r, G_EVENTS.with(Cell::get), G_REFUSED.with(Cell::get))
}

// ---- value types --------------------------------------------------------------

common::owning_zst!(Zst);

/// Nothing of a run is left: no block, allocator or value.
#[track_caller]
fn assert_quiet(what: &str, ledger: &Ledger) {
    alloc::assert_faulty_quiet(what);
    assert_eq!(ledger.live(), 0, "{what}: values never dropped");
    assert_eq!(
        alloc::zst_live(),
        0,
        "{what}: zero-sized values never dropped"
    );
}

/// Values alive: canaries of `ledger` and zero-sized values.
fn live(ledger: &Ledger) -> isize {
    ledger.live() as isize + alloc::zst_live()
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

// ---- the sweeps ------------------------------------------------------------------

/// Every combination natively. Under Miri, which is some thousand times
/// slower, each path still runs but the combinations are shared out: each
/// test runs its own slice of the handle and allocator matrix (`picks`),
/// the iterator cases are cut to the one that allocates, grows and trims
/// and the one that grows and ends full (and, where the block has no bytes
/// when empty, the trim that frees it), each `try_` sweep runs in one
/// mode, the next sweep in the other (a fallback: the `try_` form in
/// `Fail`, the infallible form in `PanicAfter`; deserialisation, which has
/// no infallible form, in `PanicAfter`, and its shorter json path that
/// grows in `Fail` too), and every panicking sweep panics after the effect
/// ([`Mode::PanicAfter`]). The crate meets that panic at the very points a
/// panic instead of the effect ([`Mode::Panic`]) reaches, and cannot tell
/// the two apart (the same call unwinds); only the allocator's side
/// differs, and more so after the effect (the old block of a `grow` or
/// `shrink` freed, so that a touch of it is a use after free Miri
/// reports; a `deallocate` that unwinds). `Panic` runs natively.
const FULL: bool = !cfg!(miri);

thread_local! {
    static TURN: Cell<bool> = const { Cell::new(false) };
}

/// The modes a `try_` sweep runs in: natively all three; under Miri one,
/// `Fail` and `PanicAfter` in turn.
fn try_modes() -> Vec<Mode> {
    if FULL {
        vec![Mode::Fail, Mode::Panic, Mode::PanicAfter]
    } else if TURN.with(|t| t.replace(!t.get())) {
        vec![Mode::PanicAfter]
    } else {
        vec![Mode::Fail]
    }
}

/// The modes a sweep of an infallible form runs in (it cannot return the
/// error): natively `Panic` and `PanicAfter`; under Miri `PanicAfter`.
fn panic_modes() -> Vec<Mode> {
    if FULL {
        vec![Mode::Panic, Mode::PanicAfter]
    } else {
        vec![Mode::PanicAfter]
    }
}

/// The modes of a sweep of a path with no infallible form
/// (deserialisation): natively all three; under Miri `PanicAfter`, and
/// `Fail` too if `fail_too`.
#[cfg(feature = "serde")]
fn try_only_modes(fail_too: bool) -> Vec<Mode> {
    if FULL {
        vec![Mode::Fail, Mode::Panic, Mode::PanicAfter]
    } else if fail_too {
        vec![Mode::Fail, Mode::PanicAfter]
    } else {
        vec![Mode::PanicAfter]
    }
}

/// Runs every function of `runs` natively; under Miri those whose index is
/// `pick` modulo `of` (the tests that call with `pick` = 0 .. `of` cover
/// each once between them).
fn picks(runs: &[fn()], pick: usize, of: usize) {
    for (i, run) in runs.iter().enumerate() {
        if FULL || i % of == pick {
            run();
        }
    }
}

/// A path's failure points, as a clean run's window sees them.
#[derive(Clone, Debug, Default)]
struct Points {
    /// Its allocation events (`allocate`, `allocate_zeroed`, `grow`,
    /// `shrink`): the failure points of `Fail` and `Panic`.
    events: usize,
    /// Its `deallocate` calls: `PanicAfter` fails after these too.
    frees: usize,
    /// The values (label and elements) in the block at each of its
    /// `grow`s and `shrink`s, in order: what a panic in that call leaves,
    /// by the rule (the builder leaks them with the block).
    resizes: Vec<usize>,
}

impl Points {
    /// `n` allocation events, none a `grow` or `shrink`, and no free.
    fn allocations(n: usize) -> Points {
        Points {
            events: n,
            ..Points::default()
        }
    }

    /// An unlabelled build that grows or trims its block: `events`
    /// allocation events, and `resizes` the elements in the block at each
    /// `grow` or `shrink` when the empty block has bytes (`e` = 1). With
    /// `e` = 0 a block of no element has no bytes: a grow from it is the
    /// first `allocate`, and a trim to it (`trims_to_empty`) frees the
    /// block instead of shrinking it.
    fn growth(e: usize, events: usize, resizes: &[usize], trims_to_empty: bool) -> Points {
        Points {
            events,
            frees: usize::from(e == 0 && trims_to_empty),
            resizes: resizes
                .iter()
                .copied()
                .filter(|&h| e != 0 || h > 0)
                .collect(),
        }
    }

    /// The failure points in `mode`: the allocation events, and with
    /// `PanicAfter` the frees inside the window too.
    fn in_mode(&self, mode: Mode) -> usize {
        self.events
            + if mode == Mode::PanicAfter {
                self.frees
            } else {
                0
            }
    }
}

/// What one attempt of a sweep saw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    /// The injected failure made the call fail (an error or a panic).
    Failed,
    /// The call met the injected failure and still succeeded: an iterator
    /// constructor whose first block, sized by the `size_hint`, is refused
    /// falls back to an empty block and grows it.
    Absorbed,
    /// Nothing was injected: the call ran clean.
    Done,
}

impl From<bool> for Outcome {
    fn from(failed: bool) -> Outcome {
        if failed {
            Outcome::Failed
        } else {
            Outcome::Done
        }
    }
}

/// The values a sweep counts: how many are alive, and how to forgive the
/// ones a leak the rule chooses keeps.
trait Values {
    fn alive(&self) -> usize;
    fn forgive(&self, n: usize);
}

impl Values for Ledger {
    fn alive(&self) -> usize {
        live(self) as usize
    }
    fn forgive(&self, n: usize) {
        assert_eq!(alloc::zst_live(), 0, "zero-sized values leaked");
        Ledger::forgive(self, n);
    }
}

/// After an injected panic at event `n` of the last window (as `mode`),
/// checks and clears what the panic left, by the allocator call it came
/// from:
///
/// - `allocate`, `allocate_zeroed` after the effect: the block handed out
///   ([`alloc::Report::left`]), which the crate never received: freed
///   here (it holds nothing);
/// - `grow`, `grow_zeroed`, `shrink`, instead of the effect (the block
///   untouched) or after it (the block moved, the old one freed): the
///   rule leaks the block lent to the allocator with the label and the
///   elements in it. The block holding them (the one handed in, or out)
///   is kept reachable from a static ([`alloc::keep_leaked`]); exactly
///   `points.resizes[k]` values (the `k`-th resize) must be alive, and
///   are forgiven;
/// - `allocate` instead of the effect, `deallocate` after it: nothing.
///
/// Anything else left shows in the sweep's check that nothing is: so each
/// failure point leaves exactly that block (and those values).
#[track_caller]
fn settle(path: &str, n: usize, mode: Mode, points: &Points, values: &dyn Values) {
    let report = report();
    let (kind, _) = report.refused.expect("a panic was injected");
    assert_eq!(report.events.get(n), Some(&kind), "{path}: event {n}");
    match (mode, kind) {
        (Mode::PanicAfter, Kind::Allocate | Kind::AllocateZeroed) => {
            let (block, layout) = report
                .left
                .unwrap_or_else(|| panic!("{path}: no block left at {n}"));
            alloc::free_left(block, layout);
        }
        (Mode::Panic | Mode::PanicAfter, kind) if kind.resizes() => {
            let k = report.events[..=n].iter().filter(|k| k.resizes()).count() - 1;
            let held = *points.resizes.get(k).unwrap_or_else(|| {
                panic!(
                    "{path}: grow or shrink {k} at {n}, table {:?}",
                    points.resizes
                )
            });
            let (block, layout) = report
                .left
                .unwrap_or_else(|| panic!("{path}: no block left at {n}"));
            alloc::keep_leaked(block, layout);
            assert_eq!(
                values.alive(),
                held,
                "{path}, failure point {n} ({kind:?}): the values the leaked block holds"
            );
            values.forgive(held);
        }
        (Mode::Panic, Kind::Allocate | Kind::AllocateZeroed)
        | (Mode::PanicAfter, Kind::Deallocate) => {
            assert!(report.left.is_none(), "{path}: {:?} at {n}", report.left);
        }
        other => panic!("{path}: a panic from {other:?} at {n}"),
    }
}

/// A failed run made no allocation event after its failure at `n` (only
/// the `deallocate`s of the cleanup, which a `PanicAfter` window counts).
#[track_caller]
fn assert_nothing_after(path: &str, n: usize, events: &[Kind]) {
    assert!(
        events.len() > n && events[n + 1..].iter().all(|&k| k == Kind::Deallocate),
        "{path}: allocations after the failure at {n}: {events:?}"
    );
}

/// One more failure point met by a sweep that expects `expected`.
#[track_caller]
fn one_more_failure(path: &str, failures: &mut usize, expected: usize) {
    *failures += 1;
    assert!(
        *failures <= expected,
        "{path}: more than {expected} failure points"
    );
}

/// A sweep's panic at failure point `n`: the one injected (its message),
/// with what it left [`settle`]d.
#[track_caller]
fn injected_panic(
    path: &str,
    (n, mode): (usize, Mode),
    points: &Points,
    ledger: &Ledger,
    payload: &(dyn std::any::Any + Send),
) {
    assert_eq!(panic_message(payload), mode.message(), "{path}");
    settle(path, n, mode, points, ledger);
}

/// Runs `attempt(n)` for `n = 0, 1, ...`: each builds its starting state,
/// runs the call under test inside `inject(n, mode, ..)`, checks what it
/// got (and [`settle`]s what a panic left), drops everything and says
/// what happened. Stops at the first attempt that met no failure. Asserts
/// that `points.in_mode(mode)` attempts met one, each failed one with no
/// allocation after its failure point, that the last made that many
/// events (and as many grows and shrinks as `points` lists), and that
/// nothing was left after any of them.
#[track_caller]
fn sweep<O: Into<Outcome>>(
    path: &str,
    points: &Points,
    mode: Mode,
    ledger: &Ledger,
    mut attempt: impl FnMut(usize) -> O,
) {
    let expected = points.in_mode(mode);
    let mut failures = 0;
    loop {
        let n = failures;
        let outcome = attempt(n).into();
        let report = report();
        assert_quiet(&format!("{path}, failure point {n}"), ledger);
        match outcome {
            Outcome::Done => {
                assert!(report.refused.is_none(), "{path}: {report:?}");
                assert_eq!(
                    report.events.len(),
                    expected,
                    "{path}: events {:?}",
                    report.events
                );
                let resizes = report.events.iter().filter(|k| k.resizes()).count();
                assert_eq!(
                    resizes,
                    points.resizes.len(),
                    "{path}: grows and shrinks {:?}",
                    report.events
                );
                break;
            }
            Outcome::Failed => assert_nothing_after(path, n, &report.events),
            Outcome::Absorbed => {}
        }
        assert!(
            report.refused.is_some(),
            "{path}: {outcome:?} at {n} with nothing refused"
        );
        one_more_failure(path, &mut failures, expected);
    }
    assert_eq!(failures, expected, "{path}: failure points");
}

/// A `try_` call: in `Fail` mode each failure must be
/// `Err(AllocError { layout })` with the refused layout (or, where
/// `absorbs_first`, the first allocation's refusal must be absorbed: see
/// [`Outcome::Absorbed`]); in `Panic` and `PanicAfter` mode the panic must
/// come through. `check` looks at a success.
#[track_caller]
fn sweep_try<T>(
    path: &str,
    points: &Points,
    absorbs_first: bool,
    ledger: &Ledger,
    mut call: impl FnMut() -> Result<T, TryReserveError>,
    mut check: impl FnMut(&T),
) {
    for mode in try_modes() {
        let path = format!("{path} ({mode:?})");
        sweep(&path, points, mode, ledger, |n| {
            let result = catch_expected(|| inject(n, mode, &mut call));
            let refused = report().refused;
            match (result, refused) {
                (Ok(Ok(value)), None) => {
                    check(&value);
                    Outcome::Done
                }
                (Ok(Ok(value)), Some(_)) if absorbs_first && n == 0 && mode == Mode::Fail => {
                    check(&value);
                    Outcome::Absorbed
                }
                (Ok(Err(TryReserveError::AllocError { layout })), Some((_, asked))) => {
                    assert_eq!(
                        mode,
                        Mode::Fail,
                        "{path}: an error from a panicking allocator"
                    );
                    assert!(
                        !absorbs_first || n > 0,
                        "{path}: the first refusal not absorbed"
                    );
                    assert_eq!(layout, asked, "{path}: the error's layout at {n}");
                    Outcome::Failed
                }
                (Err(payload), Some(_)) => {
                    assert_ne!(mode, Mode::Fail, "{path}: a panic at {n}");
                    injected_panic(&path, (n, mode), points, ledger, &*payload);
                    Outcome::Failed
                }
                (Ok(Ok(_)), Some(_)) => panic!("{path}: success despite the failure at {n}"),
                (Ok(Err(err)), refused) => panic!("{path}: {err:?} at {n}, refused {refused:?}"),
                (Err(payload), None) => {
                    panic!("{path}: panic {:?} at {n}", panic_message(&*payload))
                }
            }
        });
    }
}

/// An infallible call, with the allocator panicking at each point (before
/// or after the effect: [`panic_modes`]).
#[track_caller]
fn sweep_panics<T>(
    path: &str,
    points: &Points,
    ledger: &Ledger,
    mut call: impl FnMut() -> T,
    mut check: impl FnMut(&T),
) {
    // A call from no state: `sweep_from`'s, with nothing to check after a
    // failure.
    sweep_from(
        path,
        points,
        ledger,
        || (),
        |()| call(),
        drop,
        |(), value| check(&value),
    );
}

/// The path an iterator constructor falls back to when its first block,
/// sized by the `size_hint`, is refused (`Err`, event 0): an empty block,
/// grown as the items come. With that refusal in place, sweeps a second
/// failure at `m = 1, 2, ...` (as `mode`: `Fail` for a `try_` form, which
/// must return the error with the refused layout; `Panic` or `PanicAfter`
/// for either) until the fallback runs clean; asserts it has
/// `points.in_mode(mode)` failure points and that the clean fallback made
/// `1 +` that many events.
#[track_caller]
fn sweep_fallback<T>(
    path: &str,
    points: &Points,
    ledger: &Ledger,
    mode: Mode,
    mut call: impl FnMut() -> Result<T, TryReserveError>,
    mut check: impl FnMut(&T),
) {
    let path = format!("{path}, after the hint's block is refused ({mode:?})");
    let expected = points.in_mode(mode);
    let mut failures = 0;
    loop {
        let m = failures + 1;
        let result = catch_expected(|| alloc::inject_two([(0, Mode::Fail), (m, mode)], &mut call));
        let report = report();
        let second = report.refusals == 2;
        match result {
            Ok(Ok(value)) => {
                assert!(!second, "{path}: success despite the failure at {m}");
                assert_eq!(report.refusals, 1, "{path}: the hint's block refused");
                check(&value);
            }
            Ok(Err(TryReserveError::AllocError { layout })) => {
                assert!(second && mode == Mode::Fail, "{path}: {layout:?} at {m}");
                assert_eq!(Some(layout), report.refused.map(|r| r.1), "{path}");
            }
            Ok(Err(err)) => panic!("{path}: {err:?} at {m}"),
            Err(payload) => {
                assert!(second && mode != Mode::Fail, "{path}: panic at {m}");
                injected_panic(&path, (m, mode), points, ledger, &*payload);
            }
        }
        assert_quiet(&format!("{path}, failure point {m}"), ledger);
        if !second {
            assert_eq!(
                report.events.len(),
                1 + expected,
                "{path}: {:?}",
                report.events
            );
            break;
        }
        assert_nothing_after(&path, m, &report.events);
        one_more_failure(&path, &mut failures, expected);
    }
    assert_eq!(failures, expected, "{path}: failure points");
}

/// A `try_` call of the global allocator: `inputs` makes the call's
/// elements (outside the window: making them allocates), `call` builds.
/// No live byte of this thread may be left by an attempt. `absorbs_first`
/// as for [`sweep_try`].
#[track_caller]
fn sweep_global<I, T>(
    path: &str,
    expected: usize,
    absorbs_first: bool,
    ledger: &Ledger,
    mut inputs: impl FnMut() -> I,
    mut call: impl FnMut(I) -> Result<T, TryReserveError>,
    mut check: impl FnMut(&T),
) {
    common::install_quiet_hook();
    let mut failures = 0;
    loop {
        let n = failures;
        let before = G_LIVE.with(Cell::get);
        let input = inputs();
        let (result, events, refused) = global_window(n, || call(input));
        let outcome = match (result, refused) {
            (Ok(value), None) => {
                check(&value);
                drop(value);
                assert_eq!(events, expected, "{path}: global allocation events");
                Outcome::Done
            }
            (Ok(value), Some(_)) if absorbs_first && n == 0 => {
                check(&value);
                Outcome::Absorbed
            }
            (Err(TryReserveError::AllocError { layout }), Some(asked)) => {
                assert!(
                    !absorbs_first || n > 0,
                    "{path}: the first refusal not absorbed"
                );
                assert_eq!(layout, asked, "{path}: the error's layout at {n}");
                assert_eq!(
                    events,
                    n + 1,
                    "{path}: allocations after the failure at {n}"
                );
                Outcome::Failed
            }
            (Ok(_), Some(_)) => panic!("{path}: success despite the failure at {n}"),
            (Err(err), refused) => panic!("{path}: {err:?} at {n}, refused {refused:?}"),
        };
        assert_eq!(
            G_LIVE.with(Cell::get),
            before,
            "{path}: bytes leaked at {n}"
        );
        assert_eq!(ledger.live(), 0, "{path}: values never dropped at {n}");
        assert_eq!(
            alloc::zst_live(),
            0,
            "{path}: zero-sized values never dropped"
        );
        if outcome == Outcome::Done {
            break;
        }
        one_more_failure(path, &mut failures, expected);
    }
    assert_eq!(failures, expected, "{path}: failure points");
}

// ---- the handles, generically ----------------------------------------------------

/// What the sweeps read of a handle: its label and its elements, through
/// the crate's `LabelledArray` and `Deref`, for every handle at once.
trait Array<E, L> {
    fn label(&self) -> &L;
    fn elems(&self) -> &[E];
}

impl<E, L, T: LabelledArray<E, L> + std::ops::Deref<Target = [E]>> Array<E, L> for T {
    fn label(&self) -> &L {
        self.get_label()
    }
    fn elems(&self) -> &[E] {
        self
    }
}

/// `F`'s name with the type names of its parameters, for the paths.
fn named<F: Family>(parameters: &[&str]) -> String {
    format!("{}<{}>", F::NAME, parameters.join(", "))
}

/// A handle type, for any element, label and allocator.
trait Family {
    const NAME: &'static str;
    /// Whether the header holds more than the allocator (counts, a
    /// length): then even an empty block with a zero-sized label and
    /// allocator has bytes, and allocates.
    const COUNTED: bool;
    type Of<E, L, A: Allocator>: Array<E, L> + LabelledArrayIn<E, L, A>;
    type Unlabelled<E, A: Allocator>: Array<E, ()> + MakeArrayIn<E, A>;
    type WithDefault<E, A: Allocator + Default>: Array<E, ()> + Default + FromIterator<E>;
    type Global<E, L>: Array<E, L> + TryLabelledArray<E, L>;
    type GlobalUnlabelled<E>: Array<E, ()> + TryMakeArray<E>;
}

struct Heap;
struct Rc;
struct Arc_<P>(PhantomData<P>);
struct Unique<P>(PhantomData<P>);

/// The `Family` impls: each names its handle `$h` (with its layout
/// parameter, if any), whose types for every use are then the same.
macro_rules! families {
    ($(impl[$($g:tt)*] $family:ty: $name:literal, $counted:literal, $h:ident<$($p:ident)?>;)*) => {$(
        impl<$($g)*> Family for $family {
            const NAME: &'static str = $name;
            const COUNTED: bool = $counted;
            type Of<E, L, A: Allocator> = $h<E, L, $($p,)? A>;
            type Unlabelled<E, A: Allocator> = $h<E, (), $($p,)? A>;
            type WithDefault<E, A: Allocator + Default> = $h<E, (), $($p,)? A>;
            type Global<E, L> = $h<E, L, $($p,)? Global>;
            type GlobalUnlabelled<E> = $h<E, (), $($p,)? Global>;
        }
    )*};
}

families! {
    impl[] Heap: "HeapArray", false, HeapArray<>;
    impl[] Rc: "RcArray", true, RcArray<>;
    impl[P: ArcLayout] Arc_<P>: "ArcArray", true, ArcArrayBase<P>;
    impl[P: ArcLayout] Unique<P>: "UniqueArcArray", true, UniqueArcArrayBase<P>;
}

/// Whether an empty block of `F` with label `L` and allocator `A` has
/// bytes (and so is allocated).
fn empty_allocates<F: Family, L, A>() -> bool {
    F::COUNTED || size_of::<L>() + size_of::<A>() != 0
}

/// An iterator case: an iterator yielding `items` while claiming `hint`,
/// with the failure points for a non-zero-sized element, and, if the
/// first block is sized by the hint (a non-zero lower bound), those of the
/// path taken when that block is refused (an empty block, then growth).
struct IterCase {
    name: &'static str,
    hint: (usize, Option<usize>),
    items: usize,
    points: Points,
    fallback: Option<Points>,
}

/// The iterator cases, with their failure points for a non-zero-sized
/// element when the empty block allocates (`e` = 1) or not (`e` = 0), and
/// the elements in the block at each grow and shrink.
fn iter_cases(e: usize) -> [IterCase; 8] {
    let case = |name, hint, items, points, fallback| IterCase {
        name,
        hint,
        items,
        points,
        fallback,
    };
    // Growth from the empty block to 4, 8 and 16 elements, then the trim
    // to 10: the elements in the block at each.
    const GROWTH: &[usize] = &[0, 4, 8, 10];
    let growth = |events, resizes| Points::growth(e, events, resizes, false);
    [
        case(
            "exact hint",
            (10, Some(10)),
            10,
            Points::allocations(1),
            Some(growth(e + 4, GROWTH)),
        ),
        case(
            "filter hint",
            (0, Some(10)),
            10,
            growth(e + 4, GROWTH),
            None,
        ),
        case(
            "under-reporting hint",
            (3, Some(3)),
            10,
            growth(4, &[3, 6, 10]),
            Some(growth(e + 4, GROWTH)),
        ),
        case(
            "over-reporting hint",
            (20, Some(20)),
            10,
            growth(2, &[10]),
            Some(growth(e + 4, GROWTH)),
        ),
        case(
            "growth that ends full",
            (1, None),
            4,
            growth(2, &[1]),
            Some(growth(e + 1, &[0])),
        ),
        case(
            "impossible hint",
            (usize::MAX, None),
            3,
            growth(e + 2, &[0, 3]),
            None,
        ),
        case("no items", (0, Some(0)), 0, Points::allocations(e), None),
        case(
            "over-reporting hint, no items",
            (5, Some(5)),
            0,
            Points::growth(e, 1 + e, &[0], true),
            Some(Points::allocations(e)),
        ),
    ]
}

/// Whether Miri runs an iterator case: one without a fallback, one with.
fn miri_case(name: &str) -> bool {
    name == "filter hint" || name == "growth that ends full"
}

/// The iterator case whose trim frees the block when the empty block has
/// no bytes (`e` = 0, and elements with a size): a free inside the build,
/// a failure point of `PanicAfter`, which Miri runs too.
const TRIM_TO_EMPTY: &str = "over-reporting hint, no items";

/// The failure points (and those of the fallback) of an iterator case for
/// elements `E`: zero-sized elements never need room, so only the empty
/// block allocates, once (and once more after a refusal: every non-zero
/// lower bound fits, even `usize::MAX`), and nothing grows or shrinks.
fn iter_points<E>(e: usize, case: &IterCase) -> (Points, Option<Points>) {
    if size_of::<E>() == 0 {
        (
            Points::allocations(e),
            (case.hint.0 != 0 && e != 0).then(|| Points::allocations(e)),
        )
    } else {
        (case.points.clone(), case.fallback.clone())
    }
}

#[track_caller]
fn check_array<E: Owning, L: Owning>(a: &impl Array<E, L>, len: usize) {
    assert_eq!(a.elems().len(), len);
    check_all(a.elems());
    a.label().check(LABEL);
    assert!(a.elems().as_ptr().is_aligned());
}

#[track_caller]
fn check_unlabelled<E: Owning>(a: &impl Array<E, ()>, len: usize) {
    assert_eq!(a.elems().len(), len);
    check_all(a.elems());
    assert!(a.elems().as_ptr().is_aligned());
}

/// Every closure and iterator constructor of `F` (the `try_` and the
/// infallible `_in` forms) with allocator `A`.
fn constructors<F: Family, E: Owning, L: Owning, A: Allocator + Default + Clone>() {
    let ledger = Ledger::new();
    let l = &ledger;
    let name = named::<F>(&[type_name::<E>(), type_name::<L>(), type_name::<A>()]);
    for len in [5, 0].into_iter().take(if FULL { 2 } else { 1 }) {
        let labelled = Points::allocations(usize::from(
            len > 0 && size_of::<E>() != 0 || empty_allocates::<F, L, A>(),
        ));
        let label = || L::make(l, LABEL);
        let elem = |_: &mut L, i| E::make(l, i);
        sweep_try(
            &format!("{name}::try_with_label_in({len})"),
            &labelled,
            false,
            l,
            || <F::Of<E, L, A>>::try_with_label_in(label(), len, elem, A::default()),
            |a| check_array(a, len),
        );
        sweep_panics(
            &format!("{name}::with_label_in({len})"),
            &labelled,
            l,
            || <F::Of<E, L, A>>::with_label_in(label(), len, elem, A::default()),
            |a| check_array(a, len),
        );
        let unlabelled = Points::allocations(usize::from(
            len > 0 && size_of::<E>() != 0 || empty_allocates::<F, (), A>(),
        ));
        sweep_try(
            &format!("{name}::try_new_in({len})"),
            &unlabelled,
            false,
            l,
            || <F::Unlabelled<E, A>>::try_new_in(len, |i| E::make(l, i), A::default()),
            |a| check_unlabelled(a, len),
        );
        sweep_panics(
            &format!("{name}::new_in({len})"),
            &unlabelled,
            l,
            || <F::Unlabelled<E, A>>::new_in(len, |i| E::make(l, i), A::default()),
            |a| check_unlabelled(a, len),
        );
    }
    let e = usize::from(empty_allocates::<F, (), A>());
    let lying = |hint, real| Lying {
        items: (0..real)
            .map(|i| E::make(l, i))
            .collect::<Vec<_>>()
            .into_iter(),
        hint,
    };
    for case in iter_cases(e) {
        let frees = case.name == TRIM_TO_EMPTY && e == 0 && size_of::<E>() != 0;
        if !FULL && !miri_case(case.name) && !frees {
            continue;
        }
        let (points, fallback) = iter_points::<E>(e, &case);
        let (hint, real, case) = (case.hint, case.items, case.name);
        sweep_try(
            &format!("{name}::try_from_iter_in, {case}"),
            &points,
            fallback.is_some(),
            l,
            || <F::Unlabelled<E, A>>::try_from_iter_in(lying(hint, real), A::default()),
            |a| check_unlabelled(a, real),
        );
        sweep_panics(
            &format!("{name}::from_iter_in, {case}"),
            &points,
            l,
            || <F::Unlabelled<E, A>>::from_iter_in(lying(hint, real), A::default()),
            |a| check_unlabelled(a, real),
        );
        let Some(fallback) = fallback else { continue };
        // Under Miri the `try_` form's fallback runs in `Fail` and the
        // infallible form's in `PanicAfter` (the same builder path).
        let try_fallback_modes = if FULL {
            vec![Mode::Fail, Mode::Panic, Mode::PanicAfter]
        } else {
            vec![Mode::Fail]
        };
        for mode in try_fallback_modes {
            sweep_fallback(
                &format!("{name}::try_from_iter_in, {case}"),
                &fallback,
                l,
                mode,
                || <F::Unlabelled<E, A>>::try_from_iter_in(lying(hint, real), A::default()),
                |a| check_unlabelled(a, real),
            );
        }
        for mode in panic_modes() {
            sweep_fallback(
                &format!("{name}::from_iter_in, {case}"),
                &fallback,
                l,
                mode,
                || {
                    Ok(<F::Unlabelled<E, A>>::from_iter_in(
                        lying(hint, real),
                        A::default(),
                    ))
                },
                |a| check_unlabelled(a, real),
            );
        }
    }
}

/// `Default` and `collect` with a `Default` allocator.
fn defaults<F: Family, E: Owning, A: Allocator + Default + Clone>() {
    let ledger = Ledger::new();
    let l = &ledger;
    let name = named::<F>(&[type_name::<E>(), type_name::<A>()]);
    let e = usize::from(empty_allocates::<F, (), A>());
    sweep_panics(
        &format!("{name}::default"),
        &Points::allocations(e),
        l,
        <F::WithDefault<E, A>>::default,
        |a| check_unlabelled(a, 0),
    );
    let points = if size_of::<E>() == 0 {
        Points::allocations(e)
    } else {
        Points::growth(e, e + 4, &[0, 4, 8, 10], false)
    };
    sweep_panics(
        &format!("{name}: collect, filter hint"),
        &points,
        l,
        || {
            (0..10)
                .map(|i| E::make(l, i))
                .filter(|_| true)
                .collect::<F::WithDefault<E, A>>()
        },
        |a| check_unlabelled(a, 10),
    );
}

/// The global allocator's `try_` constructors of `F`.
fn global_constructors<F: Family, E: Owning, L: Owning>() {
    let ledger = Ledger::new();
    let l = &ledger;
    let name = named::<F>(&[type_name::<E>(), type_name::<L>()]);
    /// Values to move into a closure constructor without allocating.
    fn premade<E: Owning>(l: &Arc<Ledger>, len: usize) -> Vec<Option<E>> {
        (0..len).map(|i| Some(E::make(l, i))).collect()
    }
    for len in [5, 0] {
        let labelled = usize::from(len > 0 && size_of::<E>() != 0 || empty_allocates::<F, L, ()>());
        sweep_global(
            &format!("{name}::try_with_label({len})"),
            labelled,
            false,
            l,
            || (L::make(l, LABEL), premade::<E>(l, len)),
            |(label, mut elems)| {
                <F::Global<E, L>>::try_with_label(label, len, |_, i| elems[i].take().unwrap())
            },
            |a| check_array(a, len),
        );
        let unlabelled =
            usize::from(len > 0 && size_of::<E>() != 0 || empty_allocates::<F, (), ()>());
        sweep_global(
            &format!("{name}::try_new({len})"),
            unlabelled,
            false,
            l,
            || premade::<E>(l, len),
            |mut elems| <F::GlobalUnlabelled<E>>::try_new(len, |i| elems[i].take().unwrap()),
            |a| check_unlabelled(a, len),
        );
    }
    let e = usize::from(empty_allocates::<F, (), ()>());
    for case in iter_cases(e) {
        if !FULL && !miri_case(case.name) {
            continue;
        }
        let (points, fallback) = iter_points::<E>(e, &case);
        let (hint, real, case) = (case.hint, case.items, case.name);
        sweep_global(
            &format!("{name}::try_from_iter, {case}"),
            points.events,
            fallback.is_some(),
            l,
            || Lying {
                items: (0..real)
                    .map(|i| E::make(l, i))
                    .collect::<Vec<_>>()
                    .into_iter(),
                hint,
            },
            <F::GlobalUnlabelled<E>>::try_from_iter,
            |a| check_unlabelled(a, real),
        );
    }
}

/// Every constructor of every handle, for one element and label pair, with
/// the zero-sized and the 24-byte `Faulty` (under Miri: [`picks`]).
fn all_constructors<E: Owning, L: Owning>(pick: usize, of: usize) {
    // The first six are the six handles: under Miri, only those.
    let runs: [fn(); 9] = [
        constructors::<Heap, E, L, Faulty>,
        constructors::<Arc_<Compact>, E, L, Faulty<3>>,
        constructors::<Rc, E, L, Faulty>,
        constructors::<Arc_<Padded>, E, L, Faulty>,
        constructors::<Unique<Compact>, E, L, Faulty>,
        constructors::<Unique<Padded>, E, L, Faulty<3>>,
        constructors::<Heap, E, L, Faulty<3>>,
        constructors::<Arc_<Compact>, E, L, Faulty>,
        constructors::<Arc_<Padded>, E, L, Faulty<3>>,
    ];
    picks(&runs[..if FULL { 9 } else { 6 }], pick, of);
}

fn all_defaults<E: Owning>(pick: usize, of: usize) {
    picks(
        &[
            defaults::<Heap, E, Faulty>,
            defaults::<Arc_<Padded>, E, Faulty>,
            defaults::<Unique<Compact>, E, Faulty>,
            defaults::<Heap, E, Faulty<3>>,
            defaults::<Rc, E, Faulty>,
            defaults::<Arc_<Compact>, E, Faulty<3>>,
            defaults::<Unique<Padded>, E, Faulty>,
        ],
        pick,
        of,
    );
}

fn all_global_constructors<E: Owning, L: Owning>(pick: usize, of: usize) {
    picks(
        &[
            global_constructors::<Heap, E, L>,
            global_constructors::<Arc_<Padded>, E, L>,
            global_constructors::<Unique<Compact>, E, L>,
            global_constructors::<Rc, E, L>,
            global_constructors::<Arc_<Compact>, E, L>,
            global_constructors::<Unique<Padded>, E, L>,
        ],
        pick,
        of,
    );
}

mod constructors {
    use super::*;

    #[test]
    fn heap_owning_elements_and_labels() {
        all_constructors::<Owned<String>, Owned<Box<u64>>>(0, 5);
    }

    #[test]
    fn over_aligned_elements() {
        all_constructors::<AlignTo256<Owned<Vec<u64>>>, Owned<String>>(1, 5);
    }

    #[test]
    fn zero_sized_elements_and_labels() {
        all_constructors::<Zst, Zst>(2, 5);
    }

    #[test]
    fn zero_sized_elements_owning_label() {
        all_constructors::<Zst, Owned<Vec<u64>>>(3, 5);
    }

    #[test]
    fn canaries() {
        all_constructors::<Canary, Canary>(4, 5);
    }

    #[test]
    fn default_and_collect() {
        all_defaults::<Owned<String>>(0, 3);
        all_defaults::<Zst>(1, 3);
        all_defaults::<AlignTo256<Canary>>(2, 3);
    }

    #[test]
    fn global_allocator_try_forms() {
        all_global_constructors::<Owned<String>, Owned<Box<u64>>>(0, 3);
    }

    #[test]
    fn global_allocator_try_forms_over_aligned_and_zero_sized() {
        all_global_constructors::<AlignTo256<Owned<Vec<u64>>>, Zst>(1, 3);
        all_global_constructors::<Zst, Owned<String>>(2, 3);
    }
}

// ---- uninitialised and zeroed --------------------------------------------------

mod uninit {
    use super::*;
    use std::mem::MaybeUninit;

    /// The one event of an uninitialised or zeroed constructor, of `kind`.
    #[track_caller]
    fn sweep_uninit<T>(path: &str, kind: Kind, call: impl FnMut() -> T, mut check: impl FnMut(&T)) {
        let ledger = Ledger::new();
        sweep_panics(path, &Points::allocations(1), &ledger, call, |a| {
            assert_eq!(report().events, [kind], "{path}");
            check(a);
        });
    }

    fn write_all<E: Owning>(slots: &mut [MaybeUninit<E>], ledger: &Arc<Ledger>) {
        for (i, slot) in slots.iter_mut().enumerate() {
            slot.write(E::make(ledger, i));
        }
    }

    fn unique<P: ArcLayout, A: Allocator + Default>() {
        let ledger = Ledger::new();
        let l = &ledger;
        sweep_uninit(
            "UniqueArcArray::new_uninit_in",
            Kind::Allocate,
            || UniqueArcArrayBase::<Owned<String>, (), P, A>::new_uninit_in(3, A::default()),
            |_| {},
        );
        sweep_uninit(
            "UniqueArcArray::new_zeroed_in",
            Kind::AllocateZeroed,
            || UniqueArcArrayBase::<u64, (), P, A>::new_zeroed_in(3, A::default()),
            // SAFETY: all-zero bytes are a valid `u64`.
            |a| assert!(a.iter().all(|x| unsafe { x.assume_init() } == 0)),
        );
        sweep_uninit(
            "UniqueArcArray::with_label_uninit_in",
            Kind::Allocate,
            || {
                let mut a =
                    UniqueArcArrayBase::<Owned<String>, Owned<Box<u64>>, P, A>::with_label_uninit_in(
                        Owned::make(l, LABEL),
                        3,
                        A::default(),
                    );
                write_all(&mut a, l);
                // SAFETY: every element was written.
                unsafe { a.assume_init() }
            },
            |a| {
                check_array(a, 3);
            },
        );
        assert_quiet("UniqueArcArray uninit", l);
    }

    #[test]
    fn heap_array() {
        let ledger = Ledger::new();
        let l = &ledger;
        sweep_uninit(
            "HeapArray::new_uninit_in",
            Kind::Allocate,
            || {
                let mut a = HeapArray::<Owned<String>, (), Faulty>::new_uninit_in(3, Faulty::new());
                write_all(&mut a, l);
                // SAFETY: every element was written.
                unsafe { a.assume_init() }
            },
            |a| check_all(a),
        );
        sweep_uninit(
            "HeapArray::new_zeroed_in",
            Kind::AllocateZeroed,
            || HeapArray::<u64, (), Faulty<3>>::new_zeroed_in(3, Faulty::new()),
            // SAFETY: all-zero bytes are a valid `u64`.
            |a| assert!(a.iter().all(|x| unsafe { x.assume_init() } == 0)),
        );
        sweep_uninit(
            "HeapArray::with_label_uninit_in",
            Kind::Allocate,
            || {
                HeapArray::<AlignTo256<Canary>, Owned<String>, Faulty>::with_label_uninit_in(
                    Owned::make(l, LABEL),
                    2,
                    Faulty::new(),
                )
            },
            |a| a.get_label().check(LABEL),
        );
        assert_quiet("HeapArray uninit", l);
    }

    #[test]
    fn unique_arc_array() {
        picks(
            &[
                unique::<Padded, Faulty>,
                unique::<Compact, Faulty<3>>,
                unique::<Compact, Faulty>,
                unique::<Padded, Faulty<3>>,
            ],
            0,
            2,
        );
    }

    #[cfg(feature = "bytemuck")]
    #[test]
    fn bytemuck_zeroed_in() {
        fn zeros(a: &[u64]) {
            assert_eq!(a, [0; 4]);
        }
        // Each handle, the allocators alternating.
        macro_rules! zeroed_in {
            ($($h:ident<$alloc:ty>),*) => {$(
                sweep_uninit(
                    concat!(stringify!($h), "::zeroed_in"),
                    Kind::AllocateZeroed,
                    || $h::<u64, (), $alloc>::zeroed_in(4, Faulty::new()),
                    |a| zeros(a),
                );
            )*};
        }
        zeroed_in!(
            HeapArray<Faulty>,
            UniqueArcArray<Faulty<3>>,
            CompactUniqueArcArray<Faulty>,
            ArcArray<Faulty>,
            CompactArcArray<Faulty<3>>
        );
    }
}

// ---- paths that start from a handle ------------------------------------------

/// A call that starts from a state `setup` builds outside the window (a
/// handle, its clones and weak handles), with the allocator panicking at
/// each point (before or after the effect: [`panic_modes`]); `failed`
/// checks the state after a failure (once what the panic left is
/// [`settle`]d), `succeeded` after a success, and both drop it.
#[track_caller]
fn sweep_from<S, T>(
    path: &str,
    points: &Points,
    ledger: &Ledger,
    mut setup: impl FnMut() -> S,
    mut call: impl FnMut(&mut S) -> T,
    mut failed: impl FnMut(S),
    mut succeeded: impl FnMut(S, T),
) {
    for mode in panic_modes() {
        let path = format!("{path} ({mode:?})");
        sweep(&path, points, mode, ledger, |n| {
            let mut state = setup();
            let result = catch_expected(|| inject(n, mode, || call(&mut state)));
            let refused = report().refused;
            match (result, refused) {
                (Ok(value), None) => {
                    succeeded(state, value);
                    false
                }
                (Err(payload), Some(_)) => {
                    injected_panic(&path, (n, mode), points, ledger, &*payload);
                    failed(state);
                    true
                }
                (Ok(_), Some(_)) => panic!("{path}: success despite the failure at {n}"),
                (Err(payload), None) => {
                    panic!("{path}: panic {:?} at {n}", panic_message(&*payload))
                }
            }
        });
    }
}

mod from_a_handle {
    use super::*;

    type Arc3<E, L, P> = ArcArrayBase<E, L, P, Faulty<3>>;

    fn shared<E: Owning, L: Owning, P: ArcLayout>(l: &Arc<Ledger>) -> Arc3<E, L, P> {
        <Arc3<E, L, P>>::with_label_in(L::make(l, LABEL), 4, |_, i| E::make(l, i), Faulty::new())
    }

    /// `make_mut` with another strong handle and a weak one: a copy. After
    /// a failure, `a` is the handle it was.
    fn make_mut_copy<E: Owning, L: Owning, P: ArcLayout>() {
        let ledger = Ledger::new();
        let l = &ledger;
        sweep_from(
            "ArcArray::make_mut, a copy",
            &Points::allocations(1),
            l,
            || {
                let a = shared::<E, L, P>(l);
                let b = a.clone();
                let w = ArcArrayBase::downgrade(&b);
                let ids = ids_of(&a);
                (a, b, w, ids)
            },
            |(a, ..)| {
                ArcArrayBase::make_mut(a);
            },
            |(a, b, w, ids)| {
                assert!(ArcArrayBase::ptr_eq(&a, &b));
                assert_eq!(counts(&a), (2, 1));
                assert_eq!(ids_of(&a), ids);
                check_array(&a, 4);
                assert!(ArcArrayBase::ptr_eq(&w.upgrade().unwrap(), &a));
                // The label's copy (cloned before the allocation) is gone.
                assert_eq!(live(l), 5);
            },
            |(a, b, w, ids), ()| {
                assert!(!ArcArrayBase::ptr_eq(&a, &b));
                assert_eq!(counts(&a), (1, 0));
                assert_eq!(counts(&b), (1, 1));
                assert_eq!(ids_of(&b), ids);
                assert_eq!(live(l), 10);
                check_array(&a, 4);
                assert!(ArcArrayBase::ptr_eq(&w.upgrade().unwrap(), &b));
            },
        );
    }

    /// `make_mut` with only a weak handle: a move. After a failure, `a`
    /// still counts (strong 1, weak 1) and its weak handle still upgrades.
    fn make_mut_move<E: Owning, L: Owning, P: ArcLayout>() {
        let ledger = Ledger::new();
        let l = &ledger;
        sweep_from(
            "ArcArray::make_mut, a move",
            &Points::allocations(1),
            l,
            || {
                let a = shared::<E, L, P>(l);
                let w = ArcArrayBase::downgrade(&a);
                let ids = ids_of(&a);
                (a, w, ids)
            },
            |(a, ..)| {
                ArcArrayBase::make_mut(a);
            },
            |(a, w, ids)| {
                assert_eq!(counts(&a), (1, 1));
                assert_eq!(ids_of(&a), ids);
                check_all(&a);
                let up = w.upgrade().expect("the weak handle upgrades as before");
                assert!(ArcArrayBase::ptr_eq(&up, &a));
                assert_eq!(w.strong_count(), 2);
                drop(up);
                // And the handle still works: a second try moves.
                let mut a = a;
                ArcArrayBase::make_mut(&mut a);
                assert!(w.upgrade().is_none());
            },
            |(a, w, ids), ()| {
                // Moved: the weak handle keeps the old block alone.
                assert_eq!(counts(&a), (1, 0));
                assert!(w.upgrade().is_none());
                assert_eq!(w.strong_count(), 0);
                assert_eq!(ids_of(&a), ids);
                assert_eq!(alloc::faulty_blocks(), 2);
                drop(w);
                assert_eq!(alloc::faulty_blocks(), 1);
                check_array(&a, 4);
            },
        );
        // Unique already: no allocation.
        sweep_from(
            "ArcArray::make_mut, unique",
            &Points::allocations(0),
            l,
            || shared::<E, L, P>(l),
            |a| {
                ArcArrayBase::make_mut(a);
            },
            |_| unreachable!(),
            |a, ()| check_all(&a),
        );
    }

    /// `try_unique` and `into_unique` with a weak handle: a move. After a
    /// failure the consumed handle was dropped as a handle: the contents
    /// once, the weak handle dead, the block freed by the weak handle.
    fn unique_move<E: Owning, L: Owning, P: ArcLayout>() {
        let ledger = Ledger::new();
        let l = &ledger;
        for into in [false, true] {
            let path = if into {
                "ArcArray::into_unique"
            } else {
                "ArcArray::try_unique"
            };
            let take = move |a: Arc3<E, L, P>| {
                if into {
                    ArcArrayBase::into_unique(a).expect("the last strong handle")
                } else {
                    ArcArrayBase::try_unique(a).expect("the only strong handle")
                }
            };
            sweep_from(
                &format!("{path}, a move"),
                &Points::allocations(1),
                l,
                || {
                    let a = shared::<E, L, P>(l);
                    let w = ArcArrayBase::downgrade(&a);
                    let ids = ids_of(&a);
                    (Some(a), w, ids)
                },
                |(a, ..)| take(a.take().unwrap()),
                |(a, w, _)| {
                    assert!(a.is_none());
                    assert!(w.upgrade().is_none());
                    assert_eq!(w.strong_count(), 0);
                    assert_eq!(live(l), 0, "the contents dropped once");
                    assert_eq!(alloc::faulty_blocks(), 1, "the weak handle's block");
                },
                |(_, w, ids), u| {
                    assert_eq!(ids_of(&u), ids);
                    assert!(w.upgrade().is_none());
                    assert_eq!(alloc::faulty_blocks(), 2);
                    drop(w);
                    assert_eq!(alloc::faulty_blocks(), 1);
                    check_array(&u, 4);
                },
            );
            sweep_from(
                &format!("{path}, no weak handle"),
                &Points::allocations(0),
                l,
                || Some(shared::<E, L, P>(l)),
                |a| take(a.take().unwrap()),
                |_| unreachable!(),
                |_, u| check_all(&u),
            );
        }
        // Shared: the handle comes back, nothing allocated.
        sweep_from(
            "ArcArray::try_unique, shared",
            &Points::allocations(0),
            l,
            || {
                let a = shared::<E, L, P>(l);
                let b = a.clone();
                (Some(a), b)
            },
            |(a, _)| ArcArrayBase::try_unique(a.take().unwrap()).unwrap_err(),
            |_| unreachable!(),
            |(_, b), a| {
                assert_eq!(ArcArrayBase::strong_count(&a), 2);
                assert!(ArcArrayBase::ptr_eq(&a, &b));
            },
        );
    }

    /// `From<HeapArray>`: a move to a new block from the same allocator,
    /// then the old block freed (inside the window: a failure point of
    /// `PanicAfter`). After a failure the consumed array was dropped once:
    /// by the array if the allocation failed, with the new block if the
    /// free of the old one unwound.
    fn from_heap<E: Owning, L: Owning, A: Allocator + Default>() {
        let ledger = Ledger::new();
        let l = &ledger;
        let heap = || {
            Some(HeapArray::<E, L, A>::with_label_in(
                L::make(l, LABEL),
                4,
                |_, i| E::make(l, i),
                A::default(),
            ))
        };
        let dropped = |h: Option<HeapArray<E, L, A>>| {
            assert!(h.is_none());
            assert_eq!(live(l), 0);
        };
        // One allocation, and the old block's free.
        let moved = Points {
            frees: 1,
            ..Points::allocations(1)
        };
        // Into each handle that takes a `HeapArray`.
        macro_rules! from_heap {
            ($($to:ident),*) => {$(
                sweep_from(
                    concat!(stringify!($to), "::from(HeapArray)"),
                    &moved,
                    l,
                    heap,
                    |h| $to::from(h.take().unwrap()),
                    dropped,
                    |_, a| {
                        check_array(&a, 4);
                    },
                );
            )*};
        }
        from_heap!(
            ArcArray,
            UniqueArcArray,
            CompactArcArray,
            CompactUniqueArcArray,
            RcArray
        );
    }

    /// `Clone for HeapArray`: a copy from a clone of the allocator. After a
    /// failure the source is untouched.
    fn heap_clone<E: Owning, L: Owning, A: Allocator + Default + Clone>() {
        let ledger = Ledger::new();
        let l = &ledger;
        sweep_from(
            "HeapArray::clone",
            &Points::allocations(1),
            l,
            || {
                let a = HeapArray::<E, L, A>::with_label_in(
                    L::make(l, LABEL),
                    4,
                    |_, i| E::make(l, i),
                    A::default(),
                );
                let ids = ids_of(&a);
                (a, ids)
            },
            |(a, _)| a.clone(),
            |(a, ids)| {
                assert_eq!(ids_of(&a), ids);
                check_array(&a, 4);
                assert_eq!(live(l), 5, "the label's copy dropped");
            },
            |(a, ids), b| {
                assert_eq!(ids_of(&a), ids);
                if size_of::<E>() != 0 {
                    assert_ne!(ids_of(&b), ids);
                }
                check_array(&b, 4);
            },
        );
        // An empty array of zero-sized parts has no block to copy (unless
        // the allocator has bytes, in the header).
        sweep_from(
            "HeapArray::clone, empty",
            &Points::allocations(usize::from(size_of::<A>() != 0)),
            l,
            || HeapArray::<Zst, (), A>::new_in(0, |_| unreachable!(), A::default()),
            |a| a.clone(),
            |a| assert!(a.is_empty()),
            |_, b| assert!(b.is_empty()),
        );
    }

    /// `RcArray::make_mut` with another handle: a copy.
    fn rc_make_mut<E: Owning, L: Owning>() {
        let ledger = Ledger::new();
        let l = &ledger;
        let rc = || {
            RcArray::<E, L, Faulty<3>>::with_label_in(
                L::make(l, LABEL),
                4,
                |_, i| E::make(l, i),
                Faulty::new(),
            )
        };
        sweep_from(
            "RcArray::make_mut, a copy",
            &Points::allocations(1),
            l,
            || {
                let a = rc();
                let b = a.clone();
                let ids = ids_of(&a);
                (a, b, ids)
            },
            |(a, ..)| {
                RcArray::make_mut(a);
            },
            |(a, b, ids)| {
                assert!(RcArray::ptr_eq(&a, &b));
                assert_eq!(RcArray::strong_count(&a), 2);
                assert_eq!(ids_of(&a), ids);
                check_all(&a);
                assert_eq!(live(l), 5);
            },
            |(a, b, ids), ()| {
                assert_eq!(
                    (RcArray::strong_count(&a), RcArray::strong_count(&b)),
                    (1, 1)
                );
                assert_eq!(ids_of(&b), ids);
                check_array(&a, 4);
            },
        );
        sweep_from(
            "RcArray::make_mut, unique",
            &Points::allocations(0),
            l,
            rc,
            |a| {
                RcArray::make_mut(a);
            },
            |_| unreachable!(),
            |a, ()| check_all(&a),
        );
    }

    fn all<E: Owning, L: Owning>(pick: usize) {
        picks(
            &[
                make_mut_copy::<E, L, Padded>,
                make_mut_move::<E, L, Compact>,
                unique_move::<E, L, Padded>,
                from_heap::<E, L, Faulty>,
                heap_clone::<E, L, Faulty<3>>,
                rc_make_mut::<E, L>,
                make_mut_copy::<E, L, Compact>,
                make_mut_move::<E, L, Padded>,
                unique_move::<E, L, Compact>,
                from_heap::<E, L, Faulty<3>>,
                heap_clone::<E, L, Faulty>,
            ],
            pick,
            3,
        );
    }

    #[test]
    fn heap_owning_elements_and_labels() {
        all::<Owned<String>, Owned<Box<u64>>>(0);
    }

    #[test]
    fn over_aligned_elements() {
        all::<AlignTo256<Owned<Vec<u64>>>, Owned<String>>(1);
    }

    #[test]
    fn zero_sized_elements() {
        all::<Zst, Owned<Vec<u64>>>(2);
    }
}

// ---- deserialisation ----------------------------------------------------------

#[cfg(feature = "serde")]
mod deserialize {
    use super::*;
    use serde::de::{Deserialize, Deserializer};
    use serde::ser::{Serialize, Serializer};

    thread_local! {
        static WORDS: Cell<isize> = const { Cell::new(0) };
    }

    /// A string counted while alive on this thread: a deserialised element
    /// or label that owns heap memory.
    #[derive(Debug, PartialEq)]
    struct Word(String);

    impl Word {
        fn new(s: String) -> Word {
            WORDS.with(|w| w.set(w.get() + 1));
            Word(s)
        }
    }

    impl Drop for Word {
        fn drop(&mut self) {
            WORDS.with(|w| w.set(w.get() - 1));
        }
    }

    /// The words alive on this thread, as the values of a sweep.
    struct Words;

    impl Values for Words {
        fn alive(&self) -> usize {
            WORDS.with(Cell::get) as usize
        }
        fn forgive(&self, n: usize) {
            WORDS.with(|w| w.set(w.get() - n as isize));
        }
    }

    impl Serialize for Word {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            self.0.serialize(s)
        }
    }

    impl<'de> Deserialize<'de> for Word {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            String::deserialize(d).map(Word::new)
        }
    }

    fn words(n: usize) -> String {
        let elems: Vec<String> = (0..n).map(|i| format!("\"word {i}\"")).collect();
        elems.join(",")
    }

    /// Deserialising `T` from `input` at each failure point: an error
    /// saying the allocation failed, or the allocator's panic (before or
    /// after the effect). (postcard's errors keep no message: `messages`
    /// is false for it.) In each of `modes`.
    fn sweep_de<T: Array<Word, Word>>(
        path: &str,
        points: &Points,
        modes: Vec<Mode>,
        len: usize,
        messages: bool,
        mut de: impl FnMut() -> Result<T, String>,
    ) {
        let ledger = Ledger::new();
        let check = |a: &T| {
            assert_eq!(a.label().0, "label");
            assert_eq!(a.elems().len(), len);
            for (i, w) in a.elems().iter().enumerate() {
                assert_eq!(w.0, format!("word {i}"));
            }
        };
        for mode in modes {
            let path = format!("{path} ({mode:?})");
            sweep(&path, points, mode, &ledger, |n| {
                let result = catch_expected(|| inject(n, mode, &mut de));
                let refused = report().refused;
                let failed = match (result, refused) {
                    (Ok(Ok(value)), None) => {
                        check(&value);
                        false
                    }
                    (Ok(Err(message)), Some((_, layout))) => {
                        assert_eq!(mode, Mode::Fail);
                        let expected = format!("memory allocation of {} bytes", layout.size());
                        assert!(
                            !messages || message.contains(&expected),
                            "{path}: {message}"
                        );
                        true
                    }
                    (Err(payload), Some(_)) => {
                        assert_ne!(mode, Mode::Fail);
                        assert_eq!(panic_message(&*payload), mode.message());
                        settle(&path, n, mode, points, &Words);
                        true
                    }
                    (Ok(Ok(_)), Some(_)) => panic!("{path}: success despite the failure"),
                    (Ok(Err(message)), None) => panic!("{path}: {message}"),
                    (Err(payload), None) => panic!("{path}: {:?}", panic_message(&*payload)),
                };
                assert_eq!(
                    WORDS.with(Cell::get),
                    0,
                    "{path}: words never dropped at {n}"
                );
                failed
            });
        }
    }

    fn json<T: Array<Word, Word> + for<'de> Deserialize<'de>>(name: &str) {
        let json = |s: String| move || serde_json::from_str::<T>(&s).map_err(|e| e.to_string());
        // The label and 0, 4 and 8 elements in the block at each grow, the
        // label and 10 at the trim.
        let growth = Points {
            resizes: vec![1, 5, 9, 11],
            ..Points::allocations(5)
        };
        let input = format!("{{\"label\":\"label\",\"elements\":[{}]}}", words(10));
        sweep_de(
            &format!("{name}: json, 10 elements"),
            &growth,
            try_only_modes(false),
            10,
            true,
            json(input),
        );
        let input = format!("{{\"label\":\"label\",\"elements\":[{}]}}", words(4));
        let full = Points {
            resizes: vec![1],
            ..Points::allocations(2)
        };
        // Under Miri this path, which grows (once, on a short input), runs
        // `Fail` too.
        sweep_de(
            &format!("{name}: json, 4 elements"),
            &full,
            try_only_modes(true),
            4,
            true,
            json(input),
        );
        let input = format!("{{\"elements\":[{}],\"label\":\"label\"}}", words(10));
        sweep_de(
            &format!("{name}: json, elements first"),
            &Points::allocations(1),
            try_only_modes(false),
            10,
            true,
            json(input),
        );
    }

    fn postcard<T: Array<Word, Word> + for<'de> Deserialize<'de>>(name: &str) {
        let source = HeapArray::with_label(Word::new("label".into()), 10, |_, i| {
            Word::new(format!("word {i}"))
        });
        let bytes = postcard::to_allocvec(&source).unwrap();
        drop(source);
        sweep_de(
            &format!("{name}: postcard"),
            &Points::allocations(1),
            try_only_modes(false),
            10,
            false,
            || postcard::from_bytes::<T>(&bytes).map_err(|e| e.to_string()),
        );
    }

    #[test]
    fn every_handle_json() {
        picks(
            &[
                || json::<HeapArray<Word, Word, Faulty>>("HeapArray"),
                || json::<CompactArcArray<Word, Word, Faulty<3>>>("CompactArcArray"),
                || json::<HeapArray<Word, Word, Faulty<3>>>("HeapArray<24-byte allocator>"),
                || json::<RcArray<Word, Word, Faulty>>("RcArray"),
                || json::<ArcArray<Word, Word, Faulty>>("ArcArray"),
                || json::<UniqueArcArray<Word, Word, Faulty<3>>>("UniqueArcArray"),
                || json::<CompactUniqueArcArray<Word, Word, Faulty>>("CompactUniqueArcArray"),
            ],
            0,
            7,
        );
    }

    #[test]
    fn every_handle_postcard() {
        picks(
            &[
                || postcard::<UniqueArcArray<Word, Word, Faulty>>("UniqueArcArray"),
                || postcard::<HeapArray<Word, Word, Faulty>>("HeapArray"),
                || postcard::<RcArray<Word, Word, Faulty<3>>>("RcArray"),
                || postcard::<ArcArray<Word, Word, Faulty>>("ArcArray"),
                || postcard::<CompactArcArray<Word, Word, Faulty>>("CompactArcArray"),
            ],
            0,
            5,
        );
    }
}
