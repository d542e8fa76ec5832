//! Allocators for the allocator tests (tests/alloc_faults.rs,
//! tests/allocators.rs) and the model (tests/model):
//!
//! - [`Faulty`]: a `Default` allocator whose blocks and instances are kept
//!   in a per-thread registry, and which fails or panics at the `n`-th
//!   allocation ([`inject`]): `allocate`, `allocate_zeroed`, `grow`,
//!   `grow_zeroed` and `shrink` each count as one. It fails (`Err`) or
//!   panics instead of the call's effect, or panics after it
//!   ([`Mode::PanicAfter`]: then `deallocate` counts too, so every call
//!   is a failure point). `Faulty<3>` is 24 bytes (three check words),
//!   `Faulty` zero-sized.
//! - [`Recording`]: 24 bytes (a shared [`Log`], an instance id, a check
//!   word); every block and every instance (each clone is a new one) is
//!   logged, with the thread that freed or dropped it, so that a test can
//!   prove each block goes back to the instance that allocated it, once,
//!   with its layout, and each instance is dropped once, after its blocks.
//!
//! Self-contained (std and heaparray only), so that the model and the fuzz
//! target can include it with `#[path]`. Both allocators forward to
//! [`heaparray::Global`]; they never panic inside `deallocate` on a
//! misuse (an error is recorded and the block freed with the layout it
//! was allocated with, or not at all if it is unknown), so a bug shows in
//! the test's final check instead of aborting an unwind. (`Faulty`'s one
//! panic there is the planned one of [`Mode::PanicAfter`], after the free.)
#![allow(dead_code)]

use std::alloc::Layout;
use std::cell::{Cell, RefCell};
use std::ptr::NonNull;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, ThreadId};

use heaparray::{AllocError, Allocator, Global};

/// What an allocator's check words hold while it is alive: a torn, stale
/// or uninitialised copy of an allocator (read from the wrong place in a
/// block header, or after it was moved out) shows as another value.
const MAGIC: usize = 0x5eed_a110_c8ed_0b1e_u64 as usize;

/// Which allocator call an event was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Allocate,
    AllocateZeroed,
    Grow,
    GrowZeroed,
    Shrink,
    /// An event only in a window that plans a [`Mode::PanicAfter`]
    /// failure: in other windows `deallocate` is not counted.
    Deallocate,
}

impl Kind {
    /// A `grow`, `grow_zeroed` or `shrink`: a call handed a block with
    /// contents.
    pub fn resizes(self) -> bool {
        matches!(self, Kind::Grow | Kind::GrowZeroed | Kind::Shrink)
    }

    /// The name of the allocator method, for the error messages.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Allocate => "allocate",
            Kind::AllocateZeroed => "allocate_zeroed",
            Kind::Grow => "grow",
            Kind::GrowZeroed => "grow_zeroed",
            Kind::Shrink => "shrink",
            Kind::Deallocate => "deallocate",
        }
    }
}

/// The three resizing methods of an `Allocator` impl whose type has an
/// `unsafe fn resize(&self, ptr, old, new, kind, resize)` that forwards
/// to `Global` (`Faulty` and `Recording`): written once, so the two
/// allocators cannot differ in how they hand the calls on.
macro_rules! resizes_through_global {
    ($($method:ident: $kind:ident),* $(,)?) => {$(
        unsafe fn $method(
            &self,
            ptr: NonNull<u8>,
            old: Layout,
            new: Layout,
        ) -> Result<NonNull<[u8]>, AllocError> {
            let kind = Kind::$kind;
            // SAFETY: the caller's contract is `Global`'s.
            unsafe { self.resize(Resize { ptr, old, new, kind }) }
        }
    )*};
}

/// One `grow`, `grow_zeroed` or `shrink` call, as the allocators' own
/// `resize` takes it.
#[derive(Clone, Copy)]
struct Resize {
    ptr: NonNull<u8>,
    old: Layout,
    new: Layout,
    kind: Kind,
}

impl Resize {
    /// The call through `Global`, for the block allocated with `real`.
    ///
    /// # Safety
    ///
    /// `Global`'s contract for the call (`kind`).
    unsafe fn through_global(&self, real: Layout) -> Result<NonNull<[u8]>, AllocError> {
        let Resize { ptr, new, .. } = *self;
        // SAFETY: the caller's contract is `Global`'s.
        unsafe {
            match self.kind {
                Kind::Grow => Global.grow(ptr, real, new),
                Kind::GrowZeroed => Global.grow_zeroed(ptr, real, new),
                _ => Global.shrink(ptr, real, new),
            }
        }
    }
}

/// How the injected failure shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The allocator returns `Err(AllocError)` instead of the call's
    /// effect.
    Fail,
    /// The allocator panics instead of the call's effect (for the
    /// infallible paths, which cannot return the error: their allocation
    /// failure is an abort otherwise), with [`PANIC_MESSAGE`].
    Panic,
    /// The allocator does the call's work and then panics, with
    /// [`PANIC_AFTER_MESSAGE`]: `allocate` and `allocate_zeroed` after
    /// allocating (and registering) the block, `grow`, `grow_zeroed` and
    /// `shrink` after moving the block through `Global` (the old one freed,
    /// the new one registered), `deallocate` after freeing (and
    /// unregistering) it. What the call handed out is in
    /// [`Report::left`]. A window that plans a failure in this mode counts
    /// every call as an event, `deallocate` included ([`Kind::Deallocate`]),
    /// so every call is a failure point; windows of the other two modes
    /// count allocation events only, as they always did.
    PanicAfter,
}

impl Mode {
    /// The message of the panic this mode injects (none for `Fail`).
    pub fn message(self) -> &'static str {
        match self {
            Mode::Fail => "",
            Mode::Panic => PANIC_MESSAGE,
            Mode::PanicAfter => PANIC_AFTER_MESSAGE,
        }
    }
}

/// The message of an injected panic instead of the call ([`Mode::Panic`]).
pub const PANIC_MESSAGE: &str = "injected allocation panic";

/// The message of an injected panic after the call's effect
/// ([`Mode::PanicAfter`]).
pub const PANIC_AFTER_MESSAGE: &str = "injected panic after the allocator call's effect";

/// What one [`inject`] window saw.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// The events, in order (the refused one included): allocation events,
    /// and `deallocate` calls too if the window plans a
    /// [`Mode::PanicAfter`] failure.
    pub events: Vec<Kind>,
    /// The last event that was made to fail (or to panic, before or after
    /// its effect), and the layout it asked for (the new layout, for
    /// `grow` and `shrink`; the block's, for `deallocate`).
    pub refused: Option<(Kind, Layout)>,
    /// How many events were made to fail (or panic).
    pub refusals: usize,
    /// The live block the last such event left to its caller, with its
    /// provenance and layout: for a `grow`, `grow_zeroed` or `shrink` made
    /// to fail or panic instead, the block it was handed (untouched); for
    /// an `allocate`, `allocate_zeroed`, `grow`, `grow_zeroed` or
    /// `shrink` that panicked after its effect, the block it handed out
    /// just before panicking (registered: the caller never received it).
    /// `None` for an `allocate` refused (nothing allocated) and for a
    /// `deallocate` (freed).
    pub left: Option<(NonNull<u8>, Layout)>,
}

struct Plan {
    injecting: Cell<bool>,
    /// The events to fail (index, mode), at most two: a second failure
    /// reaches a path that only a first one opens.
    fails: Cell<[(usize, Mode); 2]>,
    /// Whether `deallocate` is an event too: the window plans a
    /// `PanicAfter` failure.
    every_call: Cell<bool>,
    report: RefCell<Report>,
    /// Live blocks of every `Faulty` on this thread: address, layout and
    /// the allocating instance's id (`usize::MAX` for a zero-sized one).
    blocks: RefCell<Vec<(usize, Layout, usize)>>,
    /// The id of the next `Faulty` made.
    next_id: Cell<usize>,
    /// `Faulty` values made (new, default, clone) minus dropped.
    instances: Cell<isize>,
    /// Misuse seen (a free of an unknown block, a wrong layout, a bad
    /// check word): reported by [`faulty_errors`].
    errors: RefCell<Vec<String>>,
}

thread_local! {
    static PLAN: Plan = const {
        Plan {
            injecting: Cell::new(false),
            fails: Cell::new([(usize::MAX, Mode::Fail); 2]),
            every_call: Cell::new(false),
            report: RefCell::new(Report {
                events: Vec::new(),
                refused: None,
                refusals: 0,
                left: None,
            }),
            blocks: RefCell::new(Vec::new()),
            next_id: Cell::new(0),
            instances: Cell::new(0),
            errors: RefCell::new(Vec::new()),
        }
    };
}

/// Runs `f` with the `fail_at`-th (0-based) event of a [`Faulty`] on
/// this thread failing as `mode` says (`usize::MAX`: none fails, the
/// events are only counted). An event is an allocation event or, in a
/// [`Mode::PanicAfter`] window, any call. Events outside the window are
/// not counted. If `f` unwinds the window still closes. [`report`] tells
/// what the window saw.
pub fn inject<R>(fail_at: usize, mode: Mode, f: impl FnOnce() -> R) -> R {
    inject_two([(fail_at, mode), (usize::MAX, Mode::Fail)], f)
}

/// As [`inject`], failing two events (each as its mode says).
pub fn inject_two<R>(fails: [(usize, Mode); 2], f: impl FnOnce() -> R) -> R {
    struct Close;
    impl Drop for Close {
        fn drop(&mut self) {
            PLAN.with(|p| {
                p.injecting.set(false);
                p.fails.set([(usize::MAX, Mode::Fail); 2]);
                p.every_call.set(false);
            });
        }
    }
    PLAN.with(|p| {
        assert!(!p.injecting.get(), "inject windows do not nest");
        *p.report.borrow_mut() = Report::default();
        p.fails.set(fails);
        p.every_call
            .set(fails.iter().any(|&(_, mode)| mode == Mode::PanicAfter));
        p.injecting.set(true);
    });
    let _close = Close;
    f()
}

/// What the last [`inject`] window saw.
pub fn report() -> Report {
    PLAN.with(|p| p.report.borrow().clone())
}

/// Live blocks of every `Faulty` on this thread.
pub fn faulty_blocks() -> usize {
    PLAN.with(|p| p.blocks.borrow().len())
}

/// Live `Faulty` values on this thread.
pub fn faulty_instances() -> isize {
    PLAN.with(|p| p.instances.get())
}

/// The misuse `Faulty` saw on this thread (taken: a second call returns
/// only what came after).
pub fn faulty_errors() -> Vec<String> {
    PLAN.with(|p| std::mem::take(&mut *p.errors.borrow_mut()))
}

/// Forgets this thread's `Faulty` state (for a fresh model run after a
/// failed one).
pub fn faulty_reset() {
    PLAN.with(|p| {
        p.blocks.borrow_mut().clear();
        p.instances.set(0);
        p.errors.borrow_mut().clear();
    });
}

/// No `Faulty` block, instance or error is left on this thread.
#[track_caller]
pub fn assert_faulty_quiet(what: &str) {
    let errors = faulty_errors();
    assert!(errors.is_empty(), "{what}: allocator misuse: {errors:?}");
    assert_eq!(faulty_blocks(), 0, "{what}: blocks never freed");
    assert_eq!(faulty_instances(), 0, "{what}: allocators never dropped");
}

fn faulty_error(message: String) {
    PLAN.with(|p| p.errors.borrow_mut().push(message));
}

/// Removes the live block at `ptr` from the registry, checking the layout
/// the caller gives; returns the layout it was allocated with and the
/// allocating instance, or `None` (and an error) if it is not live.
fn remove_block(ptr: NonNull<u8>, layout: Layout, what: &str) -> Option<(Layout, usize)> {
    let addr = ptr.as_ptr() as usize;
    PLAN.with(|p| {
        let mut blocks = p.blocks.borrow_mut();
        let Some(i) = blocks.iter().position(|&(a, ..)| a == addr) else {
            drop(blocks);
            faulty_error(format!("{what} of {addr:#x}, not a live block"));
            return None;
        };
        let (_, real, by) = blocks.swap_remove(i);
        drop(blocks);
        if real != layout {
            faulty_error(format!(
                "{what} of {addr:#x} with {layout:?}, allocated with {real:?}"
            ));
        }
        Some((real, by))
    })
}

/// Frees a live block no one holds (the one a [`Mode::PanicAfter`]
/// `allocate` handed out before panicking, [`Report::left`]): it holds
/// nothing to drop. A block not live is an error ([`faulty_errors`]).
pub fn free_left(ptr: NonNull<u8>, layout: Layout) {
    if let Some((real, _)) = remove_block(ptr, layout, "free_left") {
        // SAFETY: a live block of `Global`'s, allocated with `real`, that
        // nothing uses (the caller's word).
        unsafe { Global.deallocate(ptr, real) }
    }
}

/// A block kept reachable from [`KEPT`], never used again.
struct Kept(#[allow(dead_code)] NonNull<u8>);

// SAFETY: only kept reachable, never read or written through.
unsafe impl Send for Kept {}

/// The blocks a test leaks on purpose (a leak the crate's rules choose),
/// with whatever they hold: kept reachable from this static, so that
/// Miri's leak check, which does not report memory a static reaches,
/// passes; the test counts them instead.
static KEPT: Mutex<Vec<Kept>> = Mutex::new(Vec::new());

/// Keeps a live block the crate leaked (with its contents) reachable from
/// a static and takes it out of the registry, so that [`faulty_blocks`]
/// no longer counts it. A block not live is an error ([`faulty_errors`]).
pub fn keep_leaked(ptr: NonNull<u8>, layout: Layout) {
    if remove_block(ptr, layout, "keep_leaked").is_some() {
        KEPT.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Kept(ptr));
    }
}

/// Blocks [`keep_leaked`] keeps, on every thread.
pub fn kept_blocks() -> usize {
    KEPT.lock().unwrap_or_else(PoisonError::into_inner).len()
}

/// What the plan says for one event.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fire {
    /// Nothing planned: the call runs as usual.
    No,
    /// Fail or panic instead of the call's effect.
    Instead(Mode),
    /// Panic after the call's effect.
    After,
}

impl Fire {
    /// Before the call's effect: fails or panics if that is planned,
    /// recording `handed` (the block the call was handed, untouched) as
    /// what is left.
    fn instead(self, handed: Option<(NonNull<u8>, Layout)>) -> Result<(), AllocError> {
        let Fire::Instead(mode) = self else {
            return Ok(());
        };
        PLAN.with(|p| p.report.borrow_mut().left = handed);
        match mode {
            Mode::Panic => panic!("{PANIC_MESSAGE}"),
            _ => Err(AllocError),
        }
    }

    /// After the call's effect: panics if that is planned, recording
    /// `handed_out` (the block the call hands out, if any) as what is left.
    fn after(self, handed_out: Option<(NonNull<u8>, Layout)>) {
        if self == Fire::After {
            PLAN.with(|p| p.report.borrow_mut().left = handed_out);
            panic!("{PANIC_AFTER_MESSAGE}");
        }
    }
}

/// An allocator with a per-thread registry of its blocks and instances,
/// and a per-thread failure plan ([`inject`]). `PAD` check words make it
/// non-zero-sized (`Faulty<3>`: 24 bytes): each holds the instance's id
/// (each clone is a new instance) masked with a magic word, checked on
/// every call and on drop, and a block may only be resized and freed by
/// the instance that allocated it. Only for single-thread use: a block
/// freed on another thread than it was allocated on reads as unknown.
pub struct Faulty<const PAD: usize = 0> {
    check: [usize; PAD],
}

impl<const PAD: usize> Faulty<PAD> {
    pub fn new() -> Self {
        let id = PLAN.with(|p| {
            p.instances.set(p.instances.get() + 1);
            p.next_id.replace(p.next_id.get() + 1)
        });
        Faulty {
            check: [id ^ MAGIC; PAD],
        }
    }

    /// This instance's id, or `usize::MAX` for a zero-sized one (which has
    /// no room for it: all are alike).
    pub fn id(&self) -> usize {
        self.check.first().map_or(usize::MAX, |&c| c ^ MAGIC)
    }

    fn verify(&self, what: &str) {
        let next = PLAN.with(|p| p.next_id.get());
        let torn = self.check.iter().any(|&c| c != self.check[0]);
        if torn || (PAD > 0 && self.id() >= next) {
            faulty_error(format!(
                "{what} through a corrupt allocator: {:x?}",
                self.check
            ));
        }
    }

    /// Counts an event in an open window (a `deallocate` only if the
    /// window counts every call) and says whether it is the planned one.
    /// A `Fail` or `Panic` planned at a `deallocate` is an error (a free
    /// cannot fail, and a panic instead of it is a leak the crate cannot
    /// see): it does not fire.
    fn event(&self, kind: Kind, layout: Layout) -> Fire {
        PLAN.with(|p| {
            if !p.injecting.get() || (kind == Kind::Deallocate && !p.every_call.get()) {
                return Fire::No;
            }
            let mut report = p.report.borrow_mut();
            let n = report.events.len();
            report.events.push(kind);
            let Some((_, mode)) = p.fails.get().into_iter().find(|&(at, _)| at == n) else {
                return Fire::No;
            };
            if kind == Kind::Deallocate && mode != Mode::PanicAfter {
                drop(report);
                faulty_error(format!("{mode:?} planned at a deallocate (event {n})"));
                return Fire::No;
            }
            report.refused = Some((kind, layout));
            report.refusals += 1;
            report.left = None;
            match mode {
                Mode::PanicAfter => Fire::After,
                mode => Fire::Instead(mode),
            }
        })
    }

    fn register(&self, block: NonNull<[u8]>, layout: Layout) {
        let addr = block.cast::<u8>().as_ptr() as usize;
        if !addr.is_multiple_of(layout.align()) {
            faulty_error(format!("block {addr:#x} misaligned for {layout:?}"));
        }
        PLAN.with(|p| p.blocks.borrow_mut().push((addr, layout, self.id())));
    }

    /// Removes a live block, checking the layout the caller gives and that
    /// this instance allocated it; returns the layout it was allocated
    /// with, or `None` if it is not live.
    fn unregister(&self, ptr: NonNull<u8>, layout: Layout, what: &str) -> Option<Layout> {
        let (real, by) = remove_block(ptr, layout, what)?;
        if by != self.id() {
            faulty_error(format!(
                "{what} of {:#x} by instance {}, allocated by {by}",
                ptr.as_ptr() as usize,
                self.id()
            ));
        }
        Some(real)
    }
}

impl<const PAD: usize> Default for Faulty<PAD> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const PAD: usize> Clone for Faulty<PAD> {
    fn clone(&self) -> Self {
        self.verify("a clone");
        Self::new()
    }
}

impl<const PAD: usize> Drop for Faulty<PAD> {
    fn drop(&mut self) {
        self.verify("a drop");
        self.check = [0; PAD];
        PLAN.with(|p| p.instances.set(p.instances.get() - 1));
    }
}

impl<const PAD: usize> std::fmt::Debug for Faulty<PAD> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Faulty<{PAD}>")
    }
}

// SAFETY: every block comes from `Global` and goes back to it with the
// layout it was allocated (or last resized) with: the registry holds that
// layout, and a call for a block it does not know is not forwarded.
// `grow` and `shrink` forward to `Global`'s, which keep the contents. A
// planned panic after the effect leaves the effect done (the block
// allocated, moved or freed) and registered as such.
unsafe impl<const PAD: usize> Allocator for Faulty<PAD> {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        self.fresh(Kind::Allocate, layout, |l| Global.allocate(l))
    }

    fn allocate_zeroed(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        self.fresh(Kind::AllocateZeroed, layout, |l| Global.allocate_zeroed(l))
    }

    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        self.verify("a free");
        let fire = self.event(Kind::Deallocate, layout);
        if let Some(real) = self.unregister(ptr, layout, "deallocate") {
            // SAFETY: a live block of `Global`'s, allocated with `real`.
            unsafe { Global.deallocate(ptr, real) }
        }
        fire.after(None);
    }

    resizes_through_global!(grow: Grow, grow_zeroed: GrowZeroed, shrink: Shrink);
}

impl<const PAD: usize> Faulty<PAD> {
    /// An `allocate` or `allocate_zeroed` (`kind`) through `Global`: an
    /// event, failed or panicked before the allocation, or panicked after
    /// it, as planned.
    fn fresh(
        &self,
        kind: Kind,
        layout: Layout,
        allocate: impl FnOnce(Layout) -> Result<NonNull<[u8]>, AllocError>,
    ) -> Result<NonNull<[u8]>, AllocError> {
        self.verify("an allocation");
        let fire = self.event(kind, layout);
        fire.instead(None)?;
        let block = allocate(layout)?;
        self.register(block, layout);
        fire.after(Some((block.cast(), layout)));
        Ok(block)
    }

    /// A `grow` or `shrink` (`kind`) of a registered block through
    /// `Global`: an event, failed or panicked before the move, or
    /// panicked after it, as planned.
    ///
    /// # Safety
    ///
    /// `Global`'s contract for `resize`'s call.
    unsafe fn resize(&self, call: Resize) -> Result<NonNull<[u8]>, AllocError> {
        let (ptr, old, new, kind) = (call.ptr, call.old, call.new, call.kind);
        self.verify("an allocation");
        let fire = self.event(kind, new);
        fire.instead(Some((ptr, old)))?;
        let Some(real) = self.unregister(ptr, old, kind.name()) else {
            return Err(AllocError);
        };
        // SAFETY: the caller's contract is `Global`'s.
        match unsafe { call.through_global(real) } {
            Ok(block) => {
                self.register(block, new);
                fire.after(Some((block.cast(), new)));
                Ok(block)
            }
            Err(err) => {
                // Untouched: still live with its old layout.
                PLAN.with(|p| {
                    let block = (ptr.as_ptr() as usize, real, self.id());
                    p.blocks.borrow_mut().push(block);
                });
                Err(err)
            }
        }
    }
}

// ---- Recording ------------------------------------------------------------

/// One block a [`Recording`] allocated.
#[derive(Clone, Debug)]
pub struct BlockRecord {
    /// Its address and layout now (after its last resize).
    pub addr: usize,
    pub layout: Layout,
    /// The instance that allocated it (and must resize and free it).
    pub by: usize,
    pub zeroed: bool,
    /// How often it was grown or shrunk.
    pub resizes: usize,
    /// The thread that freed it, once freed.
    pub freed_on: Option<ThreadId>,
}

/// One [`Recording`] instance.
#[derive(Clone, Debug)]
pub struct Instance {
    /// The instance it was cloned from.
    pub parent: Option<usize>,
    /// The thread that dropped it, once dropped.
    pub dropped_on: Option<ThreadId>,
}

/// Something that happened to a block or an instance, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    Allocated { block: usize, by: usize },
    Resized { block: usize, by: usize },
    Freed { block: usize, by: usize },
    Dropped { instance: usize },
}

#[derive(Default, Debug)]
struct LogState {
    blocks: Vec<BlockRecord>,
    instances: Vec<Instance>,
    events: Vec<Event>,
    errors: Vec<String>,
}

/// The shared record of every [`Recording`] made from it. Thread-safe.
#[derive(Default, Debug)]
pub struct Log(Mutex<LogState>);

impl Log {
    pub fn new() -> Arc<Log> {
        Arc::new(Log::default())
    }

    fn state(&self) -> MutexGuard<'_, LogState> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn blocks(&self) -> Vec<BlockRecord> {
        self.state().blocks.clone()
    }

    pub fn block(&self, id: usize) -> BlockRecord {
        self.state().blocks[id].clone()
    }

    pub fn instance(&self, id: usize) -> Instance {
        self.state().instances[id].clone()
    }

    pub fn instances(&self) -> usize {
        self.state().instances.len()
    }

    pub fn events(&self) -> Vec<Event> {
        self.state().events.clone()
    }

    /// The ids of the blocks not yet freed.
    pub fn live_blocks(&self) -> Vec<usize> {
        let state = self.state();
        (0..state.blocks.len())
            .filter(|&b| state.blocks[b].freed_on.is_none())
            .collect()
    }

    /// The ids of the instances not yet dropped.
    pub fn live_instances(&self) -> Vec<usize> {
        let state = self.state();
        (0..state.instances.len())
            .filter(|&i| state.instances[i].dropped_on.is_none())
            .collect()
    }

    /// The live block whose bytes contain `ptr` (or end at it: the element
    /// pointer of an empty array may be one past its block).
    pub fn block_at<T>(&self, ptr: *const T) -> Option<usize> {
        let addr = ptr as usize;
        let state = self.state();
        (0..state.blocks.len()).find(|&b| {
            let r = &state.blocks[b];
            r.freed_on.is_none() && r.addr <= addr && addr <= r.addr + r.layout.size()
        })
    }

    /// Panics if any misuse was recorded.
    #[track_caller]
    pub fn assert_no_errors(&self) {
        let errors = self.state().errors.clone();
        assert!(errors.is_empty(), "allocator misuse: {errors:?}");
    }

    /// Every block was freed (once, by its allocating instance, with its
    /// layout: errors otherwise) and every instance dropped (once).
    #[track_caller]
    pub fn assert_all_returned(&self) {
        self.assert_no_errors();
        assert_eq!(
            self.live_blocks(),
            Vec::<usize>::new(),
            "blocks never freed"
        );
        assert_eq!(
            self.live_instances(),
            Vec::<usize>::new(),
            "allocators never dropped"
        );
    }

    /// The position in the event list of `event`.
    pub fn position(&self, event: Event) -> Option<usize> {
        self.state().events.iter().position(|&e| e == event)
    }

    fn error(&self, message: String) {
        self.state().errors.push(message);
    }
}

/// A 24-byte allocator that logs everything in its [`Log`]; each clone is
/// a new instance (its parent recorded). Checks, recording an error
/// otherwise: a block is resized and freed only by the instance that
/// allocated it, with the layout it has, and freed once; an instance is
/// dropped once, and only when no block it allocated is live.
pub struct Recording {
    log: Arc<Log>,
    id: usize,
    check: usize,
}

impl Recording {
    pub fn new(log: &Arc<Log>) -> Self {
        Self::make(log, None)
    }

    fn make(log: &Arc<Log>, parent: Option<usize>) -> Self {
        let mut state = log.state();
        let id = state.instances.len();
        state.instances.push(Instance {
            parent,
            dropped_on: None,
        });
        drop(state);
        Recording {
            log: Arc::clone(log),
            id,
            check: id ^ MAGIC,
        }
    }

    /// This instance's id.
    pub fn id(&self) -> usize {
        self.verify("id");
        self.id
    }

    pub fn log(&self) -> &Arc<Log> {
        &self.log
    }

    fn verify(&self, what: &str) {
        if self.check != self.id ^ MAGIC {
            self.log.error(format!(
                "{what} through a corrupt allocator (id {}, check {:#x})",
                self.id, self.check
            ));
        }
    }

    fn record(&self, block: NonNull<[u8]>, layout: Layout, zeroed: bool) {
        let addr = block.cast::<u8>().as_ptr() as usize;
        let mut state = self.log.state();
        if !addr.is_multiple_of(layout.align()) {
            state
                .errors
                .push(format!("block {addr:#x} misaligned for {layout:?}"));
        }
        let id = state.blocks.len();
        state.blocks.push(BlockRecord {
            addr,
            layout,
            by: self.id,
            zeroed,
            resizes: 0,
            freed_on: None,
        });
        state.events.push(Event::Allocated {
            block: id,
            by: self.id,
        });
    }

    /// The live block at `ptr`, checked against `layout` and this
    /// instance; `None` (and an error) if there is none.
    fn find(
        state: &mut LogState,
        ptr: NonNull<u8>,
        layout: Layout,
        by: usize,
        what: &str,
    ) -> Option<usize> {
        let addr = ptr.as_ptr() as usize;
        let Some(b) = (0..state.blocks.len())
            .find(|&b| state.blocks[b].addr == addr && state.blocks[b].freed_on.is_none())
        else {
            state.errors.push(format!(
                "{what} of {addr:#x}, not a live block (freed twice?)"
            ));
            return None;
        };
        let record = &state.blocks[b];
        if record.layout != layout {
            let message = format!(
                "{what} of block {b} with {layout:?}, allocated with {:?}",
                record.layout
            );
            state.errors.push(message);
        }
        let allocated_by = state.blocks[b].by;
        if allocated_by != by {
            state.errors.push(format!(
                "{what} of block {b} by instance {by}, allocated by {allocated_by}"
            ));
        }
        Some(b)
    }

    /// A `grow` or `shrink` (`kind`) through `Global`, recorded.
    ///
    /// # Safety
    ///
    /// `Global`'s contract for `resize`'s call.
    unsafe fn resize(&self, call: Resize) -> Result<NonNull<[u8]>, AllocError> {
        let (ptr, old, new) = (call.ptr, call.old, call.new);
        let what = call.kind.name();
        self.verify(what);
        let mut state = self.log.state();
        let Some(b) = Self::find(&mut state, ptr, old, self.id, what) else {
            return Err(AllocError);
        };
        let real = state.blocks[b].layout;
        drop(state);
        // SAFETY: the caller's contract is `Global`'s.
        let block = unsafe { call.through_global(real) }?;
        let mut state = self.log.state();
        let record = &mut state.blocks[b];
        record.addr = block.cast::<u8>().as_ptr() as usize;
        record.layout = new;
        record.resizes += 1;
        state.events.push(Event::Resized {
            block: b,
            by: self.id,
        });
        Ok(block)
    }
}

impl Clone for Recording {
    fn clone(&self) -> Self {
        self.verify("clone");
        Self::make(&self.log, Some(self.id))
    }
}

impl Drop for Recording {
    fn drop(&mut self) {
        self.verify("drop");
        let me = thread::current().id();
        let mut state = self.log.state();
        let instance = &mut state.instances[self.id];
        if instance.dropped_on.is_some() {
            let message = format!("instance {} dropped twice", self.id);
            state.errors.push(message);
        }
        state.instances[self.id].dropped_on = Some(me);
        let owned: Vec<usize> = (0..state.blocks.len())
            .filter(|&b| state.blocks[b].by == self.id && state.blocks[b].freed_on.is_none())
            .collect();
        if !owned.is_empty() {
            let message = format!(
                "instance {} dropped while its blocks {owned:?} are live",
                self.id
            );
            state.errors.push(message);
        }
        state.events.push(Event::Dropped { instance: self.id });
        self.check = 0;
    }
}

impl std::fmt::Debug for Recording {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Recording({})", self.id)
    }
}

// SAFETY: every block comes from `Global` and goes back to it with the
// layout the log holds for it (a call for a block the log does not hold
// as live is not forwarded); `grow` and `shrink` forward to `Global`'s.
unsafe impl Allocator for Recording {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        self.verify("allocate");
        let block = Global.allocate(layout)?;
        self.record(block, layout, false);
        Ok(block)
    }

    fn allocate_zeroed(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        self.verify("allocate_zeroed");
        let block = Global.allocate_zeroed(layout)?;
        self.record(block, layout, true);
        Ok(block)
    }

    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        self.verify("deallocate");
        let me = thread::current().id();
        let mut state = self.log.state();
        let Some(b) = Self::find(&mut state, ptr, layout, self.id, "deallocate") else {
            return;
        };
        let real = state.blocks[b].layout;
        state.blocks[b].freed_on = Some(me);
        state.events.push(Event::Freed {
            block: b,
            by: self.id,
        });
        drop(state);
        // SAFETY: a live block of `Global`'s, allocated with `real`.
        unsafe { Global.deallocate(ptr, real) }
    }

    resizes_through_global!(grow: Grow, grow_zeroed: GrowZeroed, shrink: Shrink);
}

// ---- a zero-sized value -----------------------------------------------------

thread_local! {
    static ZST_LIVE: Cell<isize> = const { Cell::new(0) };
}

/// A zero-sized value counted per thread while alive (made, cloned, minus
/// dropped): the drops of zero-sized elements and labels, which have no
/// room for a pointer to a shared ledger.
#[derive(Debug)]
pub struct Zst(());

const _: () = assert!(std::mem::size_of::<Zst>() == 0);

impl Zst {
    pub fn new() -> Zst {
        ZST_LIVE.with(|l| l.set(l.get() + 1));
        Zst(())
    }
}

impl Clone for Zst {
    fn clone(&self) -> Zst {
        Zst::new()
    }
}

impl Drop for Zst {
    fn drop(&mut self) {
        ZST_LIVE.with(|l| l.set(l.get() - 1));
    }
}

/// Live [`Zst`] values on this thread.
pub fn zst_live() -> isize {
    ZST_LIVE.with(Cell::get)
}
