//! Scaffolding shared by the loom models: a value whose every read and its
//! drop go through `loom::cell::UnsafeCell`, so that a read or drop not
//! ordered by happens-before with another thread's access fails the model;
//! a tally of drops, checked after the threads are joined; and a poisoning
//! global allocator, so that memory used after it was freed fails the
//! model too. A model whose body takes a layout parameter runs twice: as
//! itself and as `<name>_compact`, on a `Compact` block ([`models!`]).
//!
//! The scaffolding every model repeated is here too, one helper a concern,
//! so that a model states only what it races and what it checks:
//! [`model_on`] (the loom model, the shared array and its drop tally),
//! [`race`], [`write_races`], [`race2`], [`race_for_contents`] and
//! [`spawn_all`] (spawn the other threads, run this thread's side, join),
//! the sides many races share ([`read_untouched_then_drop`],
//! [`upgrade_reads_untouched`], [`upgrade_drop_then_read_untouched`],
//! [`write_through_get_mut`], [`write_through_make_mut`],
//! [`write_if_into_unique_wins`],
//! [`upgrade_then_write_if_into_unique_wins`]), the handle swaps sides
//! begin with ([`downgrade_and_drop`], [`clone_and_drop`]), and
//! [`assert_only_handle`]. Each does the same operations in the same order
//! as the code it replaced: `ci/loom.sh` prints the same execution count
//! for every model.
#![allow(dead_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::mem::ManuallyDrop;
use std::ptr;

use loom::cell::UnsafeCell;
use loom::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use loom::sync::Arc;

/// The byte every freed allocation of at most [`QUARANTINE_MAX`] bytes is
/// overwritten with.
pub const POISON: u8 = 0xA5;

/// Allocations up to this size are poisoned and quarantined when freed (a
/// model's blocks are a few hundred bytes); larger ones, which only loom
/// and the test harness make, go straight back to the system.
const QUARANTINE_MAX: usize = 4096;

/// How many freed allocations are kept, poisoned, before they are really
/// freed: memory is not reused (and so not overwritten with live data)
/// until 4096 more small frees have happened. loom's own small frees count
/// too, so this is a window, not a guarantee; a read of reused memory still
/// fails the magic check unless a live `Tracked` now sits at that address.
const QUARANTINE_SLOTS: usize = 4096;

/// The global allocator of the loom binaries: `std::alloc::System`, except
/// that a small allocation is overwritten with [`POISON`] when it is freed
/// and held in a quarantine ring, so that it stays poisoned. loom's
/// `loom::alloc::{alloc, dealloc}`, which the crate uses under loom,
/// allocate through the global allocator; so a block freed while another
/// thread (or the freeing one) still reads its counts, label or elements
/// shows poison to that read: a [`Tracked`] value checks its magic word on
/// every access and panics, and a count's loom state, an index into loom's
/// object store, turns into a poisoned index and panics in loom. Before it
/// poisons, `dealloc` makes the free a tracked write to every dropped
/// `Tracked` in the memory ([`Tracked::freeing`]), so that a drop not
/// ordered before the free fails in every schedule.
pub struct PoisoningAllocator;

#[global_allocator]
static ALLOCATOR: PoisoningAllocator = PoisoningAllocator;

/// The quarantine ring: `(address, size, align)` of the last freed small
/// allocations, behind a spin lock (the allocator may not allocate, and
/// loom runs its threads on one OS thread; the test harness may run
/// several models at once).
struct Quarantine {
    locked: std::sync::atomic::AtomicBool,
    /// The slots, and the next one to fill.
    ring: std::cell::UnsafeCell<([Slot; QUARANTINE_SLOTS], usize)>,
}

/// A freed allocation: address (0 for an empty slot), size, alignment.
type Slot = (usize, usize, usize);

// SAFETY: `ring` is only touched while `locked` is held.
unsafe impl Sync for Quarantine {}

static QUARANTINE: Quarantine = Quarantine {
    locked: std::sync::atomic::AtomicBool::new(false),
    ring: std::cell::UnsafeCell::new(([(0, 0, 0); QUARANTINE_SLOTS], 0)),
};

impl Quarantine {
    /// Puts `(ptr, layout)` in the ring and returns the allocation it
    /// evicts, if any, for the caller to free.
    fn push(&self, ptr: *mut u8, layout: Layout) -> Option<(*mut u8, Layout)> {
        use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
        while self
            .locked
            .compare_exchange_weak(false, true, Acquire, Relaxed)
            .is_err()
        {
            std::hint::spin_loop();
        }
        // SAFETY: the lock is held.
        let (ring, next) = unsafe { &mut *self.ring.get() };
        let old = std::mem::replace(
            &mut ring[*next],
            (ptr as usize, layout.size(), layout.align()),
        );
        *next = (*next + 1) % QUARANTINE_SLOTS;
        self.locked.store(false, Release);
        (old.0 != 0).then(|| {
            // SAFETY: a slot holds the size and alignment of a valid layout.
            let layout = unsafe { Layout::from_size_align_unchecked(old.1, old.2) };
            (old.0 as *mut u8, layout)
        })
    }
}

// SAFETY: every allocation comes from `System` with the caller's layout
// and goes back to it with the same layout, at once or after the
// quarantine; poisoning writes only the freed allocation's own bytes.
unsafe impl GlobalAlloc for PoisoningAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if layout.size() > QUARANTINE_MAX {
            // SAFETY: the caller's contract, passed on.
            return unsafe { System.dealloc(ptr, layout) };
        }
        // SAFETY: the allocation is `layout.size()` bytes, still live.
        unsafe { Tracked::freeing(ptr, layout.size()) };
        // SAFETY: the allocation is `layout.size()` bytes and the caller
        // gives it up.
        unsafe { ptr::write_bytes(ptr, POISON, layout.size()) };
        if let Some((old, old_layout)) = QUARANTINE.push(ptr, layout) {
            // SAFETY: `old` was given to `dealloc` with `old_layout` and
            // has been in the quarantine, untouched, since.
            unsafe { System.dealloc(old, old_layout) };
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if layout.size() > QUARANTINE_MAX {
            // SAFETY: the caller's contract, passed on.
            return unsafe { System.realloc(ptr, layout, new_size) };
        }
        // SAFETY: the caller's contract: `new_size` with `layout.align()`
        // is a valid non-zero layout.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: as above.
        let new = unsafe { self.alloc(new_layout) };
        if !new.is_null() {
            // SAFETY: both allocations are live and distinct; `ptr` was
            // allocated with `layout`.
            unsafe {
                ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
        }
        new
    }
}

/// Counts events: the drops of [`Tracked`] values, or the `into_unique`
/// and `try_unique` calls that win. Relaxed increments add no
/// synchronisation to the model; the count is read after `join`, which
/// orders everything.
#[derive(Clone, Default)]
pub struct Tally(Arc<AtomicUsize>);

impl Tally {
    pub fn new() -> Self {
        Tally(Arc::new(AtomicUsize::new(0)))
    }
    pub fn get(&self) -> usize {
        self.0.load(Relaxed)
    }
    /// Counts one event (the drops count themselves, in `Tracked`'s drop).
    pub fn add(&self) {
        self.0.fetch_add(1, Relaxed);
    }
}

/// The magic word of a live [`Tracked`] ("TRACKED!").
const LIVE: usize = 0x5452_4143_4B45_4421;
/// The magic word of a dropped one ("DROPPED!").
const DROPPED: usize = 0x4452_4F50_5045_4421;

/// A loom-tracked value: `get` is a tracked read, `set` and the drop are
/// tracked writes. Every access first checks a magic word, so that a value
/// in freed (poisoned) memory, or one already dropped, fails the model
/// before loom's own state in it is used. The drop poisons the value, and
/// freeing the memory of a dropped value is a tracked write too (see
/// [`Tracked::freeing`]). `repr(C)`: the magic word comes first.
#[repr(C)]
pub struct Tracked {
    magic: usize,
    cell: UnsafeCell<usize>,
    /// Dropped by hand, and only for a live value: the tally in a poisoned
    /// value is not a pointer.
    drops: ManuallyDrop<Tally>,
}

impl Tracked {
    pub fn new(value: usize, drops: &Tally) -> Self {
        Tracked {
            magic: LIVE,
            cell: UnsafeCell::new(value),
            drops: ManuallyDrop::new(drops.clone()),
        }
    }

    /// Panics unless this is a live value: `what` names the access.
    fn check(&self, what: &str) {
        // Volatile: the point is to read memory that may have been freed
        // and poisoned behind the compiler's back.
        // SAFETY: `self.magic` is a valid, aligned `usize` place.
        let magic = unsafe { ptr::read_volatile(&self.magic) };
        match magic {
            LIVE => {}
            DROPPED => panic!("{what} of a Tracked value that was dropped"),
            _ if magic == usize::from_ne_bytes([POISON; 8]) => {
                panic!("{what} of a Tracked value in freed memory (poisoned)")
            }
            _ => panic!("{what} of a Tracked value in freed or reused memory ({magic:#x})"),
        }
    }

    /// Called by the allocator for memory about to be freed: every dropped
    /// value in it (its magic word is `DROPPED`) gets one more tracked
    /// write, the free's, so that loom fails the model if the value's drop
    /// did not happen before the free, whatever the schedule. (loom does
    /// not see frees, and its partial-order reduction does not explore a
    /// free between two accesses it thinks independent of it: a drop
    /// racing the free is caught here, in every schedule, not only in the
    /// one where the free comes first.) Values moved out bitwise keep a
    /// `LIVE` word in the old memory and are skipped: their loom state now
    /// belongs to the moved value. Only model code frees memory holding a
    /// dropped value, through `loom::alloc::dealloc`, outside loom's own
    /// bookkeeping, so the loom call here is in a model and re-enters
    /// nothing.
    ///
    /// # Safety
    ///
    /// `ptr` is a live allocation of `size` bytes.
    unsafe fn freeing(ptr: *mut u8, size: usize) {
        let (step, len) = (
            std::mem::align_of::<Tracked>(),
            std::mem::size_of::<Tracked>(),
        );
        if !(ptr as usize).is_multiple_of(step) {
            return;
        }
        let mut offset = 0;
        while offset + len <= size {
            // SAFETY: `offset + len <= size`: in bounds.
            let at = unsafe { ptr.add(offset) };
            // SAFETY: in bounds and aligned. The bytes are the freed
            // allocation's, handed back to the allocator; some may be
            // uninitialised (the padded gap), so the read is volatile and
            // only compared, as a poisoning allocator inspects its memory.
            let word = unsafe { ptr::read_volatile(at.cast::<usize>()) };
            if word == DROPPED {
                // SAFETY: a dropped `Tracked` lies here: its cell's loom
                // state is still valid (loom keeps it for the execution).
                let value = unsafe { &*at.cast::<Tracked>() };
                value.cell.with_mut(|_| ());
            }
            offset += step;
        }
    }

    /// A tracked read; panics on a value that was dropped or freed.
    pub fn get(&self) -> usize {
        self.check("read");
        // SAFETY: loom checks that no write races this read.
        let value = self.cell.with(|p| unsafe { *p });
        assert_ne!(value, usize::MAX, "read after drop");
        value
    }

    /// A tracked write through a shared reference, as a unique owner's
    /// `&mut` access would be.
    pub fn set(&self, value: usize) {
        self.check("write");
        // SAFETY: loom checks that no other access races this write.
        self.cell.with_mut(|p| unsafe { *p = value });
    }
}

impl Clone for Tracked {
    fn clone(&self) -> Self {
        Tracked::new(self.get(), &self.drops)
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.check("drop");
        // SAFETY: loom checks that no other access races this write.
        self.cell.with_mut(|p| unsafe { *p = usize::MAX });
        // SAFETY: a valid, aligned place (volatile, as in `check`).
        unsafe { ptr::write_volatile(&mut self.magic, DROPPED) };
        self.drops.0.fetch_add(1, Relaxed);
        // SAFETY: dropped once, here, for a live value.
        unsafe { ManuallyDrop::drop(&mut self.drops) };
    }
}

/// The array every model shares: a tracked label and two tracked elements
/// (values 10, 11; the label is 7), in block layout `P`.
pub type Array<P = heaparray::Padded> =
    heaparray::ArcArrayBase<Tracked, Tracked, P, heaparray::Global>;

/// A weak handle on the shared array, in block layout `P`.
pub type Weak<P = heaparray::Padded> =
    heaparray::WeakArcArrayBase<Tracked, Tracked, P, heaparray::Global>;

/// The shared array in the default layout.
pub fn array(drops: &Tally) -> Array {
    array_in(drops)
}

/// The shared array in layout `P`, for the models run in both layouts.
pub fn array_in<P: heaparray::ArcLayout>(drops: &Tally) -> Array<P> {
    heaparray::ArcArrayBase::with_label(Tracked::new(7, drops), 2, |_, i| {
        Tracked::new(10 + i, drops)
    })
}

/// Reads the label and every element through tracked reads.
pub fn read_all<P: heaparray::ArcLayout>(a: &Array<P>) -> usize {
    a.get_label().get() + a.iter().map(Tracked::get).sum::<usize>()
}

/// What `read_all` returns for an untouched `array`.
pub const UNTOUCHED: usize = 7 + 10 + 11;

/// Runs `f` under loom, exhaustively: with no preemption bound unless
/// `LOOM_MAX_PREEMPTIONS` sets one (the models are small enough that every
/// interleaving takes under a second in all). Prints how many executions
/// loom explored (`--nocapture` shows them), so a reader can see what each
/// model covers. With `HEAPARRAY_LOOM_STARTS` set it also says when a
/// model starts, on stderr, which is unbuffered: a model that crashes the
/// process (poisoned memory can make a mutant dereference garbage) is
/// still named, for `ci/mutants.sh`.
pub fn model(f: impl Fn() + Sync + Send + 'static) {
    // A plain std atomic, outside the model: loom does not see it.
    static EXECUTIONS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let name = std::thread::current().name().unwrap_or("model").to_string();
    if std::env::var_os("HEAPARRAY_LOOM_STARTS").is_some() {
        eprintln!("started: {name}");
    }
    let builder = loom::model::Builder::new();
    let before = EXECUTIONS.load(std::sync::atomic::Ordering::Relaxed);
    builder.check(move || {
        EXECUTIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        f();
    });
    let explored = EXECUTIONS.load(std::sync::atomic::Ordering::Relaxed) - before;
    println!(
        "{name}: {explored} executions ({})",
        builder
            .preemption_bound
            .map_or("exhaustive".to_string(), |b| format!(
                "at most {b} preemptions"
            )),
    );
}

/// Runs `body` under loom (see [`model`]) on a fresh shared array in
/// layout `P` and the tally its drops count in: the setup every model but
/// one starts with, so that a model states only what it races. The array
/// is made first thing in each execution, as a model would; the tally
/// outlives everything the body made (it is checked after the joins).
pub fn model_on<P: heaparray::ArcLayout>(body: impl Fn(Array<P>, &Tally) + Sync + Send + 'static) {
    model(move || {
        let drops = Tally::new();
        let a = array_in::<P>(&drops);
        body(a, &drops);
    });
}

/// Declares models on the shared array ([`model_on`]): each
/// `name: |a, drops| { body }` is a test `name` (with the doc comments
/// given) that runs `body` on a `Padded` block; `name and name_compact:`
/// also makes a test `name_compact` that runs the same body on a `Compact`
/// one. In the body `P` names the test's layout. The names stay the tests'
/// own, for `ci/mutants.sh` and the printed execution counts.
#[allow(unused_macros)]
macro_rules! models {
    ($(
        $(#[$doc:meta])*
        $padded:ident $(and $compact:ident)?: |$a:pat_param, $drops:pat_param| $body:block
    )*) => {$(
        $(#[$doc])*
        #[test]
        fn $padded() {
            #[allow(dead_code)]
            type P = heaparray::Padded;
            common::model_on::<P>(|$a, $drops| $body);
        }

        $(
            /// The same on a compact-layout block.
            #[test]
            fn $compact() {
                #[allow(dead_code)]
                type P = heaparray::Compact;
                common::model_on::<P>(|$a, $drops| $body);
            }
        )?
    )*};
}
#[allow(unused_imports)]
pub(crate) use models;

/// Threads a model spawned, to be joined together. (loom runs its threads
/// on one OS thread: what they take need not be `Send`, and `Tracked`,
/// whose loom cell is not `Sync`, is not.)
pub struct Threads(Vec<loom::thread::JoinHandle<()>>);

/// Spawns one loom thread per closure, as the iterator yields them: work
/// the iterator does for a thread (a clone of a handle to move into it)
/// happens on this thread just before that thread's spawn, as a loop of
/// `thread::spawn` would do it.
pub fn spawn_all<F: FnOnce() + 'static>(threads: impl IntoIterator<Item = F>) -> Threads {
    Threads(threads.into_iter().map(loom::thread::spawn).collect())
}

impl Threads {
    /// Joins every thread, in the order they were spawned; a panic on one
    /// (a failed assertion) fails the model.
    pub fn join(self) {
        for thread in self.0 {
            thread.join().unwrap();
        }
    }
}

/// The shape of most models: `other` on a new thread races `main` on this
/// one; then the thread is joined, so whatever the caller checks next
/// sees both sides' effects. Returns what `main` returns.
pub fn race<R>(other: impl FnOnce() + 'static, main: impl FnOnce() -> R) -> R {
    let thread = loom::thread::spawn(other);
    let result = main();
    thread.join().unwrap();
    result
}

/// [`race`] of the owner's `write` of `value` to element `index` through
/// its handle `a` ([`write_through_get_mut`], [`write_through_make_mut`])
/// against `other`, another handle's side on its own thread; after the
/// join the owner drops `a`.
pub fn write_races<P: heaparray::ArcLayout>(
    mut a: Array<P>,
    write: fn(&mut Array<P>, usize, usize),
    index: usize,
    value: usize,
    other: impl FnOnce() + 'static,
) {
    race(other, || write(&mut a, index, value));
    drop(a);
}

/// [`race`] with two other threads, spawned in order and joined in order.
pub fn race2<R>(
    first: impl FnOnce() + 'static,
    second: impl FnOnce() + 'static,
    main: impl FnOnce() -> R,
) -> R {
    let (t1, t2) = (loom::thread::spawn(first), loom::thread::spawn(second));
    let result = main();
    t1.join().unwrap();
    t2.join().unwrap();
    result
}

/// Reads the label and both elements and drops the handle: the reader
/// side of many races, which must see the contents untouched.
pub fn read_untouched_then_drop<P: heaparray::ArcLayout>(handle: Array<P>) {
    assert_eq!(read_all(&handle), UNTOUCHED);
    drop(handle);
}

/// Upgrades `weak` and, if the contents are still there, reads them
/// untouched through the upgraded handle, which is dropped at once.
pub fn upgrade_reads_untouched<P: heaparray::ArcLayout>(weak: &Weak<P>) {
    if let Some(strong) = weak.upgrade() {
        assert_eq!(read_all(&strong), UNTOUCHED);
    }
}

/// [`upgrade_reads_untouched`] for a weak handle racing a writer that may
/// have written (one element, upwards) before the upgrade succeeded.
pub fn upgrade_reads_untouched_or_written<P: heaparray::ArcLayout>(weak: &Weak<P>) {
    if let Some(strong) = weak.upgrade() {
        assert!(read_all(&strong) >= UNTOUCHED);
    }
}

/// `get_mut` and, if it hands out the elements (no other handle, strong or
/// weak), a tracked write of `value` to element `index`: the owner's side
/// of the `get_mut` races.
pub fn write_through_get_mut<P: heaparray::ArcLayout>(
    a: &mut Array<P>,
    index: usize,
    value: usize,
) {
    if let Some(elems) = heaparray::ArcArrayBase::get_mut(a) {
        elems[index].set(value);
    }
}

/// `into_unique` and, if this handle wins the contents, a tracked write of
/// `value` to element `index` and one win counted in `wins`: each racer's
/// side of the `into_unique` races, which check that exactly one won.
pub fn write_if_into_unique_wins<P: heaparray::ArcLayout>(
    handle: Array<P>,
    index: usize,
    value: usize,
    wins: &Tally,
) {
    if let Some(u) = heaparray::ArcArrayBase::into_unique(handle) {
        u[index].set(value);
        wins.add();
    }
}

/// Downgrades `handle` and drops it: a weak handle in its place.
pub fn downgrade_and_drop<P: heaparray::ArcLayout>(handle: Array<P>) -> Weak<P> {
    let weak = heaparray::ArcArrayBase::downgrade(&handle);
    drop(handle);
    weak
}

/// Clones `handle` (strong or weak) and drops it: its clone in its place.
pub fn clone_and_drop<H: Clone>(handle: H) -> H {
    let clone = handle.clone();
    drop(handle);
    clone
}

/// Upgrades `weak`, drops it, and then, if the upgrade gave a handle, reads
/// the contents untouched through that handle, which is dropped last.
pub fn upgrade_drop_then_read_untouched<P: heaparray::ArcLayout>(weak: Weak<P>) {
    let strong = weak.upgrade();
    drop(weak);
    if let Some(strong) = strong {
        assert_eq!(read_all(&strong), UNTOUCHED);
    }
}

/// `make_mut` and a tracked write of `value` to element `index`, then a
/// read of everything through the handle: the write, and the rest
/// untouched (element `index` held `10 + index`). The `make_mut` side of
/// its races.
pub fn write_through_make_mut<P: heaparray::ArcLayout>(
    a: &mut Array<P>,
    index: usize,
    value: usize,
) {
    heaparray::ArcArrayBase::make_mut(a)[index].set(value);
    assert_eq!(read_all(a), UNTOUCHED + value - (10 + index));
}

/// Checks that `a` is the only handle on its block, strong or weak.
pub fn assert_only_handle<P: heaparray::ArcLayout>(a: &Array<P>) {
    assert_eq!(
        (
            heaparray::ArcArrayBase::strong_count(a),
            heaparray::ArcArrayBase::weak_count(a)
        ),
        (1, 0)
    );
}

/// Upgrades `weak` and, if that gives a handle, reads the contents untouched
/// through it and calls `into_unique` on it ([`write_if_into_unique_wins`]):
/// a weak handle's way into the `into_unique` races.
pub fn upgrade_then_write_if_into_unique_wins<P: heaparray::ArcLayout>(
    weak: &Weak<P>,
    index: usize,
    value: usize,
    wins: &Tally,
) {
    if let Some(strong) = weak.upgrade() {
        assert_eq!(read_all(&strong), UNTOUCHED);
        write_if_into_unique_wins(strong, index, value, wins);
    }
}

/// [`race`] between two sides that may each win the contents, counting
/// their wins in one tally (made here, after the caller's setup, and given
/// to both sides): returns how many won, for the caller to check.
pub fn race_for_contents(other: impl FnOnce(&Tally) + 'static, main: impl FnOnce(&Tally)) -> usize {
    let wins = Tally::new();
    let theirs = wins.clone();
    race(move || other(&theirs), || main(&wins));
    wins.get()
}
