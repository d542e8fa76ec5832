//! Allocation failure at every allocation of every path: for each path a
//! sweep runs the call once per failure point `n = 0, 1, ...`, with the
//! `n`-th allocation event failing, until a run sees no failure, and
//! asserts that exactly the expected number of failure points was tried
//! (the table below), that the successful run made exactly that many
//! allocation events, and that a failing run made none after the failure.
//! An allocation event is an `allocate`, `allocate_zeroed`, `grow` or
//! `shrink` (tests/common/alloc.rs, [`Faulty`]).
//!
//! The `try_` forms run twice: the allocator returning `Err` (the call must
//! return `TryReserveError::AllocError` with the refused layout) and the
//! allocator panicking. The infallible forms would abort on `Err`
//! (`handle_alloc_error`), so they run with the panicking allocator only.
//! After every run, failed or not: no block of the allocator is live, no
//! allocator value is alive, every label and element made was dropped
//! exactly once (`Ledger`; a second drop panics), and blocks were freed
//! with the layout they were allocated with (and, for the 24-byte
//! allocator, by the instance that allocated them). Where the call starts from a
//! handle (`make_mut`, `try_unique`, `into_unique`, `clone`), that handle
//! is checked after a failure: its strong and weak counts, its contents,
//! whether its weak handles still upgrade.
//!
//! The global allocator's `try_` forms (`try_new`, `try_with_label`,
//! `try_from_iter`) run the same sweeps through a fault-injecting
//! `#[global_allocator]` ([`GlobalFaults`], `Err` only: a global allocator
//! may not unwind), with their elements made before the window opens.
//!
//! Under Miri the same paths run, the matrix of handles, allocators,
//! element types, iterator cases and modes shared out between the tests
//! ([`FULL`]): about 40 s of Miri time per borrow model.
//!
//! Failure points per path (elements of 10 unless noted; "the empty block
//! allocates" for every handle but a `HeapArray` with a zero-sized label
//! and allocator, whose header is the allocator alone: `e` below is 1 if
//! it does, 0 if not):
//!
//! | path | failure points |
//! |---|---|
//! | `new_in`, `try_new_in`, `with_label_in`, `try_with_label_in` (len 5) | 1 |
//! | the same, len 0 | `e` |
//! | `try_new`, `try_with_label` (global allocator) | as the `_in` forms |
//! | `from_iter_in`, `try_from_iter_in`, exact `size_hint` (10) | 1 |
//! | hint `(0, Some(10))` (a filter) | `e` + 4: the empty block, grow to 4, 8, 16, shrink to 10 (with `e` = 0 the first push allocates) |
//! | hint `(3, Some(3))`, under-reporting | 4: allocate 3, grow to 6, 12, shrink to 10 |
//! | hint `(20, Some(20))`, over-reporting | 2: allocate 20, shrink to 10 |
//! | hint `(1, None)`, 4 items | 2: allocate 1, grow to 4, no shrink (full) |
//! | hint `(usize::MAX, None)` (ignored), 3 items | `e` + 2: the empty block, grow to 4, shrink to 3 |
//! | hint `(0, Some(0))`, no items | `e` |
//! | hint `(5, Some(5))`, no items | 1 + `e`: allocate 5, shrink to the empty block (with `e` = 0: freed, no event) |
//! | after the hint's block is refused (every hint with a lower bound above 0): the fallback, an empty block grown as the items come | 10 items: `e` + 4; 4 items: `e` + 1; no items: `e` (swept as a second failure, the first refusal absorbed: the `try_` form succeeds) |
//! | zero-sized elements, every hint above | `e` (fallback: `e`, for a non-zero lower bound, `usize::MAX` included) |
//! | `try_from_iter` (global allocator) | as `try_from_iter_in` (the fallback not swept) |
//! | `collect` (`FromIterator`, a `Default` allocator), a filter | as `from_iter_in` |
//! | `Default` (a `Default` allocator) | `e` |
//! | `new_uninit_in`, `with_label_uninit_in` (`HeapArray`, `UniqueArcArray`) | 1 (`allocate`) |
//! | `new_zeroed_in`, `zeroed_in` (bytemuck) | 1 (`allocate_zeroed`) |
//! | `make_mut`, another strong handle exists (a copy) | 1 (`ArcArray`, `RcArray`) |
//! | `make_mut`, only weak handles (a move) | 1 |
//! | `make_mut`, unique | 0 |
//! | `try_unique`, `into_unique`, with weak handles (a move) | 1 |
//! | `try_unique`, `into_unique`, no weak handle; `try_unique` shared | 0 |
//! | `Clone for HeapArray` | 1 (an empty array of zero-sized parts: 0, or 1 with a 24-byte allocator) |
//! | `From<HeapArray>` for `ArcArray`, `UniqueArcArray` (a move) | 1 |
//! | `Deserialize`, serde_json (no size hint), 10 elements | 5: the empty block, grow to 4, 8, 16, shrink to 10 |
//! | the same, 4 elements | 2: the empty block, grow to 4 (full) |
//! | the same, the elements before the label (a `Vec`, then one block) | 1 |
//! | `Deserialize`, postcard (length known), 10 elements | 1 |
#![cfg(not(any(loom, shuttle)))]

#[path = "common/alloc.rs"]
mod alloc;
mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::marker::PhantomData;
use std::mem::size_of;
use std::sync::Arc;

use heaparray::*;

use alloc::{inject, report, Faulty, Kind, Mode, Zst, PANIC_MESSAGE};
use common::{catch_expected, check_all, ids_of, Canary, Ledger, Owned, Owning, LABEL};

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
}

// SAFETY: forwards to `System`, or returns null (a failed allocation,
// which `GlobalAlloc` allows); the counters are const thread-locals
// without destructors, so touching them never allocates.
unsafe impl GlobalAlloc for GlobalFaults {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if Self::refuse(layout) {
            return std::ptr::null_mut();
        }
        // SAFETY: the caller's contract is System's.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            Self::live(layout.size() as isize);
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if Self::refuse(layout) {
            return std::ptr::null_mut();
        }
        // SAFETY: the caller's contract is System's.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            Self::live(layout.size() as isize);
        }
        p
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
        if Self::refuse(new) {
            return std::ptr::null_mut();
        }
        // SAFETY: the caller's contract is System's.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            Self::live(new_size as isize - layout.size() as isize);
        }
        p
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

/// An element aligned to 256 bytes that owns heap memory.
#[repr(align(256))]
#[derive(Clone, Debug)]
struct Aligned<T>(T);

impl<T: Owning> Owning for Aligned<T> {
    fn make(ledger: &Arc<Ledger>, n: usize) -> Self {
        Aligned(T::make(ledger, n))
    }
    fn id(&self) -> usize {
        self.0.id()
    }
    fn check(&self, n: usize) {
        assert!((self as *const Self).is_aligned());
        self.0.check(n);
    }
}

impl Owning for Zst {
    fn make(_: &Arc<Ledger>, _: usize) -> Self {
        Zst::new()
    }
    fn id(&self) -> usize {
        usize::MAX
    }
    fn check(&self, _: usize) {}
}

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
/// the iterator cases are cut to the one that allocates, grows and trims,
/// and each `try_` sweep runs in one mode, the next sweep in the other.
const FULL: bool = !cfg!(miri);

thread_local! {
    static TURN: Cell<bool> = const { Cell::new(false) };
}

/// The modes a `try_` sweep runs in.
fn try_modes() -> Vec<Mode> {
    if FULL {
        vec![Mode::Fail, Mode::Panic]
    } else if TURN.with(|t| t.replace(!t.get())) {
        vec![Mode::Panic]
    } else {
        vec![Mode::Fail]
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

/// Runs `attempt(n)` for `n = 0, 1, ...`: each builds its starting state,
/// runs the call under test inside `inject(n, ..)`, checks what it got,
/// drops everything and says what happened. Stops at the first attempt
/// that met no failure. Asserts that `expected` attempts met one, each
/// failed one after exactly `n + 1` events, that the last made `expected`
/// events, and that nothing was left after any of them.
#[track_caller]
fn sweep<O: Into<Outcome>>(
    path: &str,
    expected: usize,
    ledger: &Ledger,
    mut attempt: impl FnMut(usize) -> O,
) {
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
                    "{path}: allocation events {:?}",
                    report.events
                );
                break;
            }
            Outcome::Failed => assert_eq!(
                report.events.len(),
                n + 1,
                "{path}: allocations after the failure at {n}: {:?}",
                report.events
            ),
            Outcome::Absorbed => {}
        }
        assert!(
            report.refused.is_some(),
            "{path}: {outcome:?} at {n} with nothing refused"
        );
        failures += 1;
        assert!(
            failures <= expected,
            "{path}: more than {expected} failure points"
        );
    }
    assert_eq!(failures, expected, "{path}: failure points");
}

/// A `try_` call: in `Fail` mode each failure must be
/// `Err(AllocError { layout })` with the refused layout (or, where
/// `absorbs_first`, the first allocation's refusal must be absorbed: see
/// [`Outcome::Absorbed`]); in `Panic` mode the panic must come through.
/// `check` looks at a success.
#[track_caller]
fn sweep_try<T>(
    path: &str,
    expected: usize,
    absorbs_first: bool,
    ledger: &Ledger,
    mut call: impl FnMut() -> Result<T, TryReserveError>,
    mut check: impl FnMut(&T),
) {
    for mode in try_modes() {
        let path = format!("{path} ({mode:?})");
        sweep(&path, expected, ledger, |n| {
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
                    assert_eq!(mode, Mode::Panic, "{path}: a panic at {n}");
                    assert_eq!(panic_message(&*payload), PANIC_MESSAGE, "{path}");
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

/// An infallible call, with the allocator panicking at each point.
#[track_caller]
fn sweep_panics<T>(
    path: &str,
    expected: usize,
    ledger: &Ledger,
    mut call: impl FnMut() -> T,
    mut check: impl FnMut(&T),
) {
    let path = format!("{path} (Panic)");
    sweep(&path, expected, ledger, |n| {
        let result = catch_expected(|| inject(n, Mode::Panic, &mut call));
        let refused = report().refused;
        match (result, refused) {
            (Ok(value), None) => {
                check(&value);
                false
            }
            (Err(payload), Some(_)) => {
                assert_eq!(panic_message(&*payload), PANIC_MESSAGE, "{path}");
                true
            }
            (Ok(_), Some(_)) => panic!("{path}: success despite the failure at {n}"),
            (Err(payload), None) => panic!("{path}: panic {:?} at {n}", panic_message(&*payload)),
        }
    });
}

/// The path an iterator constructor falls back to when its first block,
/// sized by the `size_hint`, is refused (`Err`, event 0): an empty block,
/// grown as the items come. With that refusal in place, sweeps a second
/// failure at `m = 1, 2, ...` (as `mode`: `Fail` for a `try_` form, which
/// must return the error with the refused layout; `Panic` for either) until
/// the fallback runs clean; asserts it has `expected` failure points and
/// that the clean fallback made `1 + expected` events.
#[track_caller]
fn sweep_fallback<T>(
    path: &str,
    expected: usize,
    ledger: &Ledger,
    mode: Mode,
    mut call: impl FnMut() -> Result<T, TryReserveError>,
    mut check: impl FnMut(&T),
) {
    let path = format!("{path}, after the hint's block is refused ({mode:?})");
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
                assert!(second && mode == Mode::Panic, "{path}: panic at {m}");
                assert_eq!(panic_message(&*payload), PANIC_MESSAGE, "{path}");
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
        assert_eq!(report.events.len(), m + 1, "{path}: allocations after {m}");
        failures += 1;
        assert!(
            failures <= expected,
            "{path}: more than {expected} failure points"
        );
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
        failures += 1;
        assert!(
            failures <= expected,
            "{path}: more than {expected} failure points"
        );
    }
    assert_eq!(failures, expected, "{path}: failure points");
}

// ---- the handles, generically ----------------------------------------------------

/// What the sweeps read of a handle.
trait Array<E, L> {
    fn label(&self) -> &L;
    fn elems(&self) -> &[E];
}

impl<E, L, A: Allocator> Array<E, L> for HeapArray<E, L, A> {
    fn label(&self) -> &L {
        self.get_label()
    }
    fn elems(&self) -> &[E] {
        self
    }
}

impl<E, L, A: Allocator> Array<E, L> for RcArray<E, L, A> {
    fn label(&self) -> &L {
        self.get_label()
    }
    fn elems(&self) -> &[E] {
        self
    }
}

impl<E, L, P: ArcLayout, A: Allocator> Array<E, L> for ArcArray<E, L, P, A> {
    fn label(&self) -> &L {
        self.get_label()
    }
    fn elems(&self) -> &[E] {
        self
    }
}

impl<E, L, P: ArcLayout, A: Allocator> Array<E, L> for UniqueArcArray<E, L, P, A> {
    fn label(&self) -> &L {
        self.get_label()
    }
    fn elems(&self) -> &[E] {
        self
    }
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

impl Family for Heap {
    const NAME: &'static str = "HeapArray";
    const COUNTED: bool = false;
    type Of<E, L, A: Allocator> = HeapArray<E, L, A>;
    type Unlabelled<E, A: Allocator> = HeapArray<E, (), A>;
    type WithDefault<E, A: Allocator + Default> = HeapArray<E, (), A>;
    type Global<E, L> = HeapArray<E, L>;
    type GlobalUnlabelled<E> = HeapArray<E>;
}

impl Family for Rc {
    const NAME: &'static str = "RcArray";
    const COUNTED: bool = true;
    type Of<E, L, A: Allocator> = RcArray<E, L, A>;
    type Unlabelled<E, A: Allocator> = RcArray<E, (), A>;
    type WithDefault<E, A: Allocator + Default> = RcArray<E, (), A>;
    type Global<E, L> = RcArray<E, L>;
    type GlobalUnlabelled<E> = RcArray<E>;
}

impl<P: ArcLayout> Family for Arc_<P> {
    const NAME: &'static str = "ArcArray";
    const COUNTED: bool = true;
    type Of<E, L, A: Allocator> = ArcArray<E, L, P, A>;
    type Unlabelled<E, A: Allocator> = ArcArray<E, (), P, A>;
    type WithDefault<E, A: Allocator + Default> = ArcArray<E, (), P, A>;
    type Global<E, L> = ArcArray<E, L, P>;
    type GlobalUnlabelled<E> = ArcArray<E, (), P>;
}

impl<P: ArcLayout> Family for Unique<P> {
    const NAME: &'static str = "UniqueArcArray";
    const COUNTED: bool = true;
    type Of<E, L, A: Allocator> = UniqueArcArray<E, L, P, A>;
    type Unlabelled<E, A: Allocator> = UniqueArcArray<E, (), P, A>;
    type WithDefault<E, A: Allocator + Default> = UniqueArcArray<E, (), P, A>;
    type Global<E, L> = UniqueArcArray<E, L, P>;
    type GlobalUnlabelled<E> = UniqueArcArray<E, (), P>;
}

/// Whether an empty block of `F` with label `L` and allocator `A` has
/// bytes (and so is allocated).
fn empty_allocates<F: Family, L, A>() -> bool {
    F::COUNTED || size_of::<L>() + size_of::<A>() != 0
}

/// An iterator yielding `items` while claiming `hint`.
struct Lying<T> {
    items: std::vec::IntoIter<T>,
    hint: (usize, Option<usize>),
}

impl<T> Iterator for Lying<T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        self.items.next()
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.hint
    }
}

/// An iterator case: an iterator yielding `items` while claiming `hint`,
/// with the failure points for a non-zero-sized element, and, if the
/// first block is sized by the hint (a non-zero lower bound), those of the
/// path taken when that block is refused (an empty block, then growth).
struct IterCase {
    name: &'static str,
    hint: (usize, Option<usize>),
    items: usize,
    points: usize,
    fallback: Option<usize>,
}

/// The iterator cases, with their failure points for a non-zero-sized
/// element when the empty block allocates (`e` = 1) or not (`e` = 0).
fn iter_cases(e: usize) -> [IterCase; 8] {
    let case = |name, hint, items, points, fallback| IterCase {
        name,
        hint,
        items,
        points,
        fallback,
    };
    [
        case("exact hint", (10, Some(10)), 10, 1, Some(e + 4)),
        case("filter hint", (0, Some(10)), 10, e + 4, None),
        case("under-reporting hint", (3, Some(3)), 10, 4, Some(e + 4)),
        case("over-reporting hint", (20, Some(20)), 10, 2, Some(e + 4)),
        case("growth that ends full", (1, None), 4, 2, Some(e + 1)),
        case("impossible hint", (usize::MAX, None), 3, e + 2, None),
        case("no items", (0, Some(0)), 0, e, None),
        case(
            "over-reporting hint, no items",
            (5, Some(5)),
            0,
            1 + e,
            Some(e),
        ),
    ]
}

/// Whether Miri runs an iterator case: one without a fallback, one with.
fn miri_case(name: &str) -> bool {
    name == "filter hint" || name == "growth that ends full"
}

/// The failure points (and those of the fallback) of an iterator case for
/// elements `E`: zero-sized elements never need room, so only the empty
/// block allocates, once (and once more after a refusal: every non-zero
/// lower bound fits, even `usize::MAX`).
fn iter_points<E>(e: usize, case: &IterCase) -> (usize, Option<usize>) {
    if size_of::<E>() == 0 {
        (e, (case.hint.0 != 0 && e != 0).then_some(e))
    } else {
        (case.points, case.fallback)
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
    let name = format!(
        "{}<{}, {}, {}>",
        F::NAME,
        std::any::type_name::<E>(),
        std::any::type_name::<L>(),
        std::any::type_name::<A>()
    );
    for len in [5, 0].into_iter().take(if FULL { 2 } else { 1 }) {
        let labelled = usize::from(len > 0 && size_of::<E>() != 0 || empty_allocates::<F, L, A>());
        sweep_try(
            &format!("{name}::try_with_label_in({len})"),
            labelled,
            false,
            l,
            || {
                <F::Of<E, L, A>>::try_with_label_in(
                    L::make(l, LABEL),
                    len,
                    |_, i| E::make(l, i),
                    A::default(),
                )
            },
            |a| check_array(a, len),
        );
        sweep_panics(
            &format!("{name}::with_label_in({len})"),
            labelled,
            l,
            || {
                <F::Of<E, L, A>>::with_label_in(
                    L::make(l, LABEL),
                    len,
                    |_, i| E::make(l, i),
                    A::default(),
                )
            },
            |a| check_array(a, len),
        );
        let unlabelled =
            usize::from(len > 0 && size_of::<E>() != 0 || empty_allocates::<F, (), A>());
        sweep_try(
            &format!("{name}::try_new_in({len})"),
            unlabelled,
            false,
            l,
            || <F::Unlabelled<E, A>>::try_new_in(len, |i| E::make(l, i), A::default()),
            |a| check_unlabelled(a, len),
        );
        sweep_panics(
            &format!("{name}::new_in({len})"),
            unlabelled,
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
        if !FULL && !miri_case(case.name) {
            continue;
        }
        let (points, fallback) = iter_points::<E>(e, &case);
        let (hint, real, case) = (case.hint, case.items, case.name);
        sweep_try(
            &format!("{name}::try_from_iter_in, {case}"),
            points,
            fallback.is_some(),
            l,
            || <F::Unlabelled<E, A>>::try_from_iter_in(lying(hint, real), A::default()),
            |a| check_unlabelled(a, real),
        );
        sweep_panics(
            &format!("{name}::from_iter_in, {case}"),
            points,
            l,
            || <F::Unlabelled<E, A>>::from_iter_in(lying(hint, real), A::default()),
            |a| check_unlabelled(a, real),
        );
        let Some(fallback) = fallback else { continue };
        for mode in try_modes() {
            sweep_fallback(
                &format!("{name}::try_from_iter_in, {case}"),
                fallback,
                l,
                mode,
                || <F::Unlabelled<E, A>>::try_from_iter_in(lying(hint, real), A::default()),
                |a| check_unlabelled(a, real),
            );
        }
        // The infallible form's fallback (under Miri the `try_` form's
        // stands for it: the same builder path).
        if FULL {
            sweep_fallback(
                &format!("{name}::from_iter_in, {case}"),
                fallback,
                l,
                Mode::Panic,
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
    let name = format!(
        "{}<{}, {}>",
        F::NAME,
        std::any::type_name::<E>(),
        std::any::type_name::<A>()
    );
    let e = usize::from(empty_allocates::<F, (), A>());
    sweep_panics(
        &format!("{name}::default"),
        e,
        l,
        <F::WithDefault<E, A>>::default,
        |a| check_unlabelled(a, 0),
    );
    let points = if size_of::<E>() == 0 { e } else { e + 4 };
    sweep_panics(
        &format!("{name}: collect, filter hint"),
        points,
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
    let name = format!(
        "{}<{}, {}>",
        F::NAME,
        std::any::type_name::<E>(),
        std::any::type_name::<L>()
    );
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
            points,
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
        all_constructors::<Aligned<Owned<Vec<u64>>>, Owned<String>>(1, 5);
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
        all_defaults::<Aligned<Canary>>(2, 3);
    }

    #[test]
    fn global_allocator_try_forms() {
        all_global_constructors::<Owned<String>, Owned<Box<u64>>>(0, 3);
    }

    #[test]
    fn global_allocator_try_forms_over_aligned_and_zero_sized() {
        all_global_constructors::<Aligned<Owned<Vec<u64>>>, Zst>(1, 3);
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
        sweep_panics(path, 1, &ledger, call, |a| {
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
            || UniqueArcArray::<Owned<String>, (), P, A>::new_uninit_in(3, A::default()),
            |_| {},
        );
        sweep_uninit(
            "UniqueArcArray::new_zeroed_in",
            Kind::AllocateZeroed,
            || UniqueArcArray::<u64, (), P, A>::new_zeroed_in(3, A::default()),
            // SAFETY: all-zero bytes are a valid `u64`.
            |a| assert!(a.iter().all(|x| unsafe { x.assume_init() } == 0)),
        );
        sweep_uninit(
            "UniqueArcArray::with_label_uninit_in",
            Kind::Allocate,
            || {
                let mut a =
                    UniqueArcArray::<Owned<String>, Owned<Box<u64>>, P, A>::with_label_uninit_in(
                        Owned::make(l, LABEL),
                        3,
                        A::default(),
                    );
                write_all(&mut a, l);
                // SAFETY: every element was written.
                unsafe { a.assume_init() }
            },
            |a| {
                check_all(a);
                a.get_label().check(LABEL);
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
                HeapArray::<Aligned<Canary>, Owned<String>, Faulty>::with_label_uninit_in(
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
        sweep_uninit(
            "HeapArray::zeroed_in",
            Kind::AllocateZeroed,
            || HeapArray::<u64, (), Faulty>::zeroed_in(4, Faulty::new()),
            |a| zeros(a),
        );
        sweep_uninit(
            "UniqueArcArray::zeroed_in",
            Kind::AllocateZeroed,
            || UniqueArcArray::<u64, (), Padded, Faulty<3>>::zeroed_in(4, Faulty::new()),
            |a| zeros(a),
        );
        sweep_uninit(
            "CompactUniqueArcArray::zeroed_in",
            Kind::AllocateZeroed,
            || UniqueArcArray::<u64, (), Compact, Faulty>::zeroed_in(4, Faulty::new()),
            |a| zeros(a),
        );
        sweep_uninit(
            "ArcArray::zeroed_in",
            Kind::AllocateZeroed,
            || ArcArray::<u64, (), Padded, Faulty>::zeroed_in(4, Faulty::new()),
            |a| zeros(a),
        );
        sweep_uninit(
            "CompactArcArray::zeroed_in",
            Kind::AllocateZeroed,
            || ArcArray::<u64, (), Compact, Faulty<3>>::zeroed_in(4, Faulty::new()),
            |a| zeros(a),
        );
    }
}

// ---- paths that start from a handle ------------------------------------------

/// A call that starts from a state `setup` builds outside the window (a
/// handle, its clones and weak handles), with the allocator panicking at
/// each point; `failed` checks the state after a failure, `succeeded`
/// after a success, and both drop it.
#[track_caller]
fn sweep_from<S, T>(
    path: &str,
    expected: usize,
    ledger: &Ledger,
    mut setup: impl FnMut() -> S,
    mut call: impl FnMut(&mut S) -> T,
    mut failed: impl FnMut(S),
    mut succeeded: impl FnMut(S, T),
) {
    let path = format!("{path} (Panic)");
    sweep(&path, expected, ledger, |n| {
        let mut state = setup();
        let result = catch_expected(|| inject(n, Mode::Panic, || call(&mut state)));
        let refused = report().refused;
        match (result, refused) {
            (Ok(value), None) => {
                succeeded(state, value);
                false
            }
            (Err(payload), Some(_)) => {
                assert_eq!(panic_message(&*payload), PANIC_MESSAGE, "{path}");
                failed(state);
                true
            }
            (Ok(_), Some(_)) => panic!("{path}: success despite the failure at {n}"),
            (Err(payload), None) => panic!("{path}: panic {:?} at {n}", panic_message(&*payload)),
        }
    });
}

mod from_a_handle {
    use super::*;

    type Arc3<E, L, P> = ArcArray<E, L, P, Faulty<3>>;

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
            1,
            l,
            || {
                let a = shared::<E, L, P>(l);
                let b = a.clone();
                let w = ArcArray::downgrade(&b);
                let ids = ids_of(&a);
                (a, b, w, ids)
            },
            |(a, ..)| {
                ArcArray::make_mut(a);
            },
            |(a, b, w, ids)| {
                assert!(ArcArray::ptr_eq(&a, &b));
                assert_eq!(
                    (ArcArray::strong_count(&a), ArcArray::weak_count(&a)),
                    (2, 1)
                );
                assert_eq!(ids_of(&a), ids);
                check_all(&a);
                a.get_label().check(LABEL);
                assert!(ArcArray::ptr_eq(&w.upgrade().unwrap(), &a));
                // The label's copy (cloned before the allocation) is gone.
                assert_eq!(live(l), 5);
            },
            |(a, b, w, ids), ()| {
                assert!(!ArcArray::ptr_eq(&a, &b));
                assert_eq!(
                    (ArcArray::strong_count(&a), ArcArray::weak_count(&a)),
                    (1, 0)
                );
                assert_eq!(
                    (ArcArray::strong_count(&b), ArcArray::weak_count(&b)),
                    (1, 1)
                );
                assert_eq!(ids_of(&b), ids);
                assert_eq!(live(l), 10);
                check_all(&a);
                a.get_label().check(LABEL);
                assert!(ArcArray::ptr_eq(&w.upgrade().unwrap(), &b));
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
            1,
            l,
            || {
                let a = shared::<E, L, P>(l);
                let w = ArcArray::downgrade(&a);
                let ids = ids_of(&a);
                (a, w, ids)
            },
            |(a, ..)| {
                ArcArray::make_mut(a);
            },
            |(a, w, ids)| {
                assert_eq!(
                    (ArcArray::strong_count(&a), ArcArray::weak_count(&a)),
                    (1, 1)
                );
                assert_eq!(ids_of(&a), ids);
                check_all(&a);
                let up = w.upgrade().expect("the weak handle upgrades as before");
                assert!(ArcArray::ptr_eq(&up, &a));
                assert_eq!(w.strong_count(), 2);
                drop(up);
                // And the handle still works: a second try moves.
                let mut a = a;
                ArcArray::make_mut(&mut a);
                assert!(w.upgrade().is_none());
            },
            |(a, w, ids), ()| {
                // Moved: the weak handle keeps the old block alone.
                assert_eq!(
                    (ArcArray::strong_count(&a), ArcArray::weak_count(&a)),
                    (1, 0)
                );
                assert!(w.upgrade().is_none());
                assert_eq!(w.strong_count(), 0);
                assert_eq!(ids_of(&a), ids);
                assert_eq!(alloc::faulty_blocks(), 2);
                drop(w);
                assert_eq!(alloc::faulty_blocks(), 1);
                check_all(&a);
                a.get_label().check(LABEL);
            },
        );
        // Unique already: no allocation.
        sweep_from(
            "ArcArray::make_mut, unique",
            0,
            l,
            || shared::<E, L, P>(l),
            |a| {
                ArcArray::make_mut(a);
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
                    ArcArray::into_unique(a).expect("the last strong handle")
                } else {
                    ArcArray::try_unique(a).expect("the only strong handle")
                }
            };
            sweep_from(
                &format!("{path}, a move"),
                1,
                l,
                || {
                    let a = shared::<E, L, P>(l);
                    let w = ArcArray::downgrade(&a);
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
                    check_all(&u);
                    u.get_label().check(LABEL);
                },
            );
            sweep_from(
                &format!("{path}, no weak handle"),
                0,
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
            0,
            l,
            || {
                let a = shared::<E, L, P>(l);
                let b = a.clone();
                (Some(a), b)
            },
            |(a, _)| ArcArray::try_unique(a.take().unwrap()).unwrap_err(),
            |_| unreachable!(),
            |(_, b), a| {
                assert_eq!(ArcArray::strong_count(&a), 2);
                assert!(ArcArray::ptr_eq(&a, &b));
            },
        );
    }

    /// `From<HeapArray>`: a move to a new block from the same allocator.
    /// After a failure the consumed array was dropped once.
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
        sweep_from(
            "ArcArray::from(HeapArray)",
            1,
            l,
            heap,
            |h| ArcArray::from(h.take().unwrap()),
            dropped,
            |_, a| {
                check_all(&a);
                a.get_label().check(LABEL);
            },
        );
        sweep_from(
            "UniqueArcArray::from(HeapArray)",
            1,
            l,
            heap,
            |h| UniqueArcArray::from(h.take().unwrap()),
            dropped,
            |_, a| {
                check_all(&a);
                a.get_label().check(LABEL);
            },
        );
    }

    /// `Clone for HeapArray`: a copy from a clone of the allocator. After a
    /// failure the source is untouched.
    fn heap_clone<E: Owning, L: Owning, A: Allocator + Default + Clone>() {
        let ledger = Ledger::new();
        let l = &ledger;
        sweep_from(
            "HeapArray::clone",
            1,
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
                check_all(&a);
                a.get_label().check(LABEL);
                assert_eq!(live(l), 5, "the label's copy dropped");
            },
            |(a, ids), b| {
                assert_eq!(ids_of(&a), ids);
                if size_of::<E>() != 0 {
                    assert_ne!(ids_of(&b), ids);
                }
                check_all(&b);
                b.get_label().check(LABEL);
            },
        );
        // An empty array of zero-sized parts has no block to copy (unless
        // the allocator has bytes, in the header).
        sweep_from(
            "HeapArray::clone, empty",
            usize::from(size_of::<A>() != 0),
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
            1,
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
                check_all(&a);
                a.get_label().check(LABEL);
            },
        );
        sweep_from(
            "RcArray::make_mut, unique",
            0,
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
        all::<Aligned<Owned<Vec<u64>>>, Owned<String>>(1);
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
    /// saying the allocation failed, or the allocator's panic.
    /// (postcard's errors keep no message: `messages` is false for it.)
    fn sweep_de<T: Array<Word, Word>>(
        path: &str,
        expected: usize,
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
        for mode in try_modes() {
            let path = format!("{path} ({mode:?})");
            sweep(&path, expected, &ledger, |n| {
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
                        assert_eq!(mode, Mode::Panic);
                        assert_eq!(panic_message(&*payload), PANIC_MESSAGE);
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
        let input = format!("{{\"label\":\"label\",\"elements\":[{}]}}", words(10));
        sweep_de(
            &format!("{name}: json, 10 elements"),
            5,
            10,
            true,
            json(input),
        );
        let input = format!("{{\"label\":\"label\",\"elements\":[{}]}}", words(4));
        sweep_de(
            &format!("{name}: json, 4 elements"),
            2,
            4,
            true,
            json(input),
        );
        let input = format!("{{\"elements\":[{}],\"label\":\"label\"}}", words(10));
        sweep_de(
            &format!("{name}: json, elements first"),
            1,
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
        sweep_de(&format!("{name}: postcard"), 1, 10, false, || {
            postcard::from_bytes::<T>(&bytes).map_err(|e| e.to_string())
        });
    }

    #[test]
    fn every_handle_json() {
        picks(
            &[
                || json::<HeapArray<Word, Word, Faulty>>("HeapArray"),
                || json::<ArcArray<Word, Word, Compact, Faulty<3>>>("CompactArcArray"),
                || json::<HeapArray<Word, Word, Faulty<3>>>("HeapArray<24-byte allocator>"),
                || json::<RcArray<Word, Word, Faulty>>("RcArray"),
                || json::<ArcArray<Word, Word, Padded, Faulty>>("ArcArray"),
                || json::<UniqueArcArray<Word, Word, Padded, Faulty<3>>>("UniqueArcArray"),
                || json::<UniqueArcArray<Word, Word, Compact, Faulty>>("CompactUniqueArcArray"),
            ],
            0,
            7,
        );
    }

    #[test]
    fn every_handle_postcard() {
        picks(
            &[
                || postcard::<UniqueArcArray<Word, Word, Padded, Faulty>>("UniqueArcArray"),
                || postcard::<HeapArray<Word, Word, Faulty>>("HeapArray"),
                || postcard::<RcArray<Word, Word, Faulty<3>>>("RcArray"),
                || postcard::<ArcArray<Word, Word, Padded, Faulty>>("ArcArray"),
                || postcard::<ArcArray<Word, Word, Compact, Faulty>>("CompactArcArray"),
            ],
            0,
            5,
        );
    }
}
