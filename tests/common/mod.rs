//! Helpers shared by the behaviour tests: drop canaries that catch a
//! double drop or a leak, and a counting global allocator.
#![allow(dead_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};

/// Records every canary made and dropped. A canary dropped twice panics
/// (in its `Drop`); `assert_all_dropped` catches leaks.
#[derive(Default)]
pub struct Ledger {
    made: AtomicUsize,
    dropped: Mutex<Vec<bool>>,
    /// Clone panics once this many clones have been made (usize::MAX: never).
    clone_panics_at: AtomicUsize,
    clones: AtomicUsize,
}

impl Ledger {
    pub fn new() -> Arc<Ledger> {
        Arc::new(Ledger {
            clone_panics_at: AtomicUsize::new(usize::MAX),
            // Room for the canaries of a test up front, so that making one
            // inside `allocations(..)` allocates nothing of the ledger's.
            dropped: Mutex::new(Vec::with_capacity(1 << 16)),
            ..Default::default()
        })
    }

    /// A new canary with a fresh id.
    pub fn canary(self: &Arc<Self>) -> Canary {
        let id = self.made.fetch_add(1, SeqCst);
        self.dropped.lock().unwrap().push(false);
        Canary {
            id,
            ledger: Arc::clone(self),
        }
    }

    /// Makes the `n`-th clone from now (0-based) panic.
    pub fn panic_on_clone(&self, n: usize) {
        self.clones.store(0, SeqCst);
        self.clone_panics_at.store(n, SeqCst);
    }

    pub fn made(&self) -> usize {
        self.made.load(SeqCst)
    }

    pub fn dropped(&self) -> usize {
        self.dropped.lock().unwrap().iter().filter(|d| **d).count()
    }

    pub fn live(&self) -> usize {
        self.made() - self.dropped()
    }

    /// Every canary ever made was dropped (exactly once: `Drop` checks).
    #[track_caller]
    pub fn assert_all_dropped(&self) {
        let dropped = self.dropped.lock().unwrap();
        let leaked: Vec<usize> = (0..dropped.len()).filter(|&i| !dropped[i]).collect();
        assert!(leaked.is_empty(), "canaries never dropped: {leaked:?}");
    }
}

/// A value whose drop is recorded in its ledger; dropping it twice panics.
pub struct Canary {
    pub id: usize,
    ledger: Arc<Ledger>,
}

impl Clone for Canary {
    fn clone(&self) -> Self {
        let n = self.ledger.clones.fetch_add(1, SeqCst);
        if n == self.ledger.clone_panics_at.load(SeqCst) {
            panic!("clone panics on purpose");
        }
        self.ledger.canary()
    }
}

impl Drop for Canary {
    fn drop(&mut self) {
        let mut dropped = self.ledger.dropped.lock().unwrap();
        assert!(!dropped[self.id], "canary {} dropped twice", self.id);
        dropped[self.id] = true;
    }
}

impl std::fmt::Debug for Canary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Canary({})", self.id)
    }
}

/// A global allocator that counts, per thread, allocations and live bytes.
/// Per thread so that tests running in parallel do not see each other.
/// Install in a test binary with
/// `#[global_allocator] static A: common::Counting = common::Counting;`.
pub struct Counting;

thread_local! {
    static ALLOCS: Cell<usize> = const { Cell::new(0) };
    static LIVE: Cell<isize> = const { Cell::new(0) };
}

// SAFETY: forwards every call to `System` unchanged; the counters are
// const-initialised thread-locals without destructors, so touching them
// never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.with(|a| a.set(a.get() + 1));
        LIVE.with(|l| l.set(l.get() + layout.size() as isize));
        // SAFETY: the caller's contract is System's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.with(|l| l.set(l.get() - layout.size() as isize));
        // SAFETY: the caller's contract is System's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.with(|l| l.set(l.get() + new_size as isize - layout.size() as isize));
        // SAFETY: the caller's contract is System's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// What `f` allocated on this thread: (allocations, bytes still live).
pub fn allocations<R>(f: impl FnOnce() -> R) -> (R, usize, isize) {
    install_quiet_hook(); // before measuring: installing allocates once
    let (a0, l0) = (ALLOCS.with(Cell::get), LIVE.with(Cell::get));
    let r = f();
    (r, ALLOCS.with(Cell::get) - a0, LIVE.with(Cell::get) - l0)
}

/// An element or label aligned to 256 bytes.
#[repr(align(256))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Align256(pub u64);

/// An iterator that yields `real` items while claiming `hint`.
pub struct Liar {
    pub real: usize,
    pub hint: (usize, Option<usize>),
    pub yielded: usize,
}

impl Iterator for Liar {
    type Item = String;
    fn next(&mut self) -> Option<String> {
        (self.yielded < self.real).then(|| {
            self.yielded += 1;
            self.yielded.to_string()
        })
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.hint
    }
}

thread_local! {
    static EXPECTING_PANIC: Cell<bool> = const { Cell::new(false) };
}

/// Installs, once, a panic hook that prints nothing for panics this thread
/// expects (inside `expect_panic`), and defers to the default hook
/// otherwise. Printing a panic with a backtrace fills std's symbol cache
/// (megabytes), which would read as a leak in `allocations`.
pub fn install_quiet_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !EXPECTING_PANIC.with(Cell::get) {
                default(info);
            }
        }));
    });
}

/// Runs `f`, which may panic on purpose: such a panic is caught and not
/// reported by the hook (nor forwarded to a previous hook, like the
/// fuzzer's, which aborts on any panic).
pub fn catch_expected<R>(f: impl FnOnce() -> R) -> std::thread::Result<R> {
    install_quiet_hook();
    let was = EXPECTING_PANIC.with(|e| e.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    EXPECTING_PANIC.with(|e| e.set(was));
    result
}

/// Runs `f`, expecting it to panic, with the panic message silenced; returns
/// the message. The only allocation it adds is the panic's payload (a
/// formatted message), freed before it returns.
pub fn expect_panic<R>(f: impl FnOnce() -> R) -> String {
    let err = catch_expected(f).err().expect("expected a panic");
    err.downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}
