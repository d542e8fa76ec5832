//! Helpers shared by the behaviour tests: drop canaries that catch a
//! double drop or a leak, and a counting global allocator.
#![allow(dead_code)]

pub mod handle_tests;
#[allow(unused_imports)]
pub(crate) use self::handle_tests::deep_clone_tests;
#[allow(unused_imports)]
pub(crate) use self::handle_tests::handle_tests;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::{Cell, RefCell};
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

    /// A new canary with a fresh id: its slot in `dropped`, taken under
    /// the lock. (Taking the id from `made` first and pushing after let a
    /// canary made on another thread in between be dropped before its slot
    /// existed: an index panic inside a drop during a test's expected
    /// unwind, which aborted rayon_collect on CI.)
    pub fn canary(self: &Arc<Self>) -> Canary {
        let mut dropped = self.dropped.lock().unwrap();
        let id = dropped.len();
        dropped.push(false);
        self.made.fetch_add(1, SeqCst);
        drop(dropped);
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

    /// Canaries made and not yet dropped: one snapshot, under the lock
    /// (`made` and `dropped` read apart could disagree while other threads
    /// make and drop canaries).
    pub fn live(&self) -> usize {
        self.dropped.lock().unwrap().iter().filter(|d| !**d).count()
    }

    /// Forgives the canaries a test leaks on purpose (a leak the crate's
    /// rules choose, its memory kept reachable by the test): asserts that
    /// exactly `n` canaries are live and marks them dropped, so that `live`
    /// and `assert_all_dropped` pass again. They must never be dropped: a
    /// drop of one afterwards panics as a double drop.
    #[track_caller]
    pub fn forgive(&self, n: usize) {
        let mut dropped = self.dropped.lock().unwrap();
        let live: Vec<usize> = (0..dropped.len()).filter(|&i| !dropped[i]).collect();
        assert_eq!(live.len(), n, "canaries live to forgive: {live:?}");
        for i in live {
            dropped[i] = true;
        }
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

/// An iterator yielding `items` while claiming `hint`: the caller makes
/// the items (values that own memory, canaries), so that what a
/// collection does with the surplus or the shortfall is seen in its drops.
pub struct Lying<I> {
    pub items: I,
    pub hint: (usize, Option<usize>),
}

impl<I: Iterator> Iterator for Lying<I> {
    type Item = I::Item;
    fn next(&mut self) -> Option<I::Item> {
        self.items.next()
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

// ---- element and label types that own heap memory ---------------------------

/// Heap memory for [`Owned`] to carry: made from an index, compared back.
pub trait Heap: Clone + PartialEq + std::fmt::Debug + Send + Sync + 'static {
    /// The value for index `n` (it always allocates).
    fn make(n: usize) -> Self;
}

impl Heap for String {
    fn make(n: usize) -> Self {
        format!("value {n}")
    }
}

impl Heap for Box<u64> {
    fn make(n: usize) -> Self {
        Box::new(n as u64 * 3 + 1)
    }
}

impl Heap for Vec<u64> {
    fn make(n: usize) -> Self {
        (0..=(n % 3) as u64).map(|x| x + n as u64).collect()
    }
}

/// Silences the panics the handle tests (tests/heap_array.rs,
/// tests/rc_array.rs, tests/traits.rs) cause on purpose (their messages,
/// and a backtrace if enabled, would allocate and read as a leak); other
/// panics, failed assertions included, still print.
pub fn quiet_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let msg = info.payload_as_str().unwrap_or("");
            if !(msg.contains("on purpose") || msg.contains("capacity overflow")) {
                default(info);
            }
        }));
    });
}

/// The `DefaultHasher` hash of `value`.
pub fn hash_of<T: std::hash::Hash + ?Sized>(value: &T) -> u64 {
    use std::hash::Hasher;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// Index sets used by the panic-safety tests: first, second, middle, last.
pub fn panic_points(len: usize) -> [usize; 4] {
    [0, 1, len / 2, len - 1]
}

thread_local! {
    static ZST_MADE: Cell<usize> = const { Cell::new(0) };
    static ZST_DROPPED: Cell<usize> = const { Cell::new(0) };
}

/// A zero-sized type whose drops are counted (per thread: tests run in
/// parallel on their own threads). A clone is a new one, counted.
#[derive(Debug, PartialEq)]
pub struct Zst;

impl Zst {
    pub fn make() -> Zst {
        ZST_MADE.with(|m| m.set(m.get() + 1));
        Zst
    }
}

impl Default for Zst {
    fn default() -> Zst {
        Zst::make()
    }
}

impl Clone for Zst {
    fn clone(&self) -> Zst {
        Zst::make()
    }
}

impl Drop for Zst {
    fn drop(&mut self) {
        ZST_DROPPED.with(|d| d.set(d.get() + 1));
    }
}

/// The [`Zst`] values made and dropped on this thread so far.
pub fn zst_counts() -> (usize, usize) {
    (ZST_MADE.with(Cell::get), ZST_DROPPED.with(Cell::get))
}

/// A zero-sized type aligned to 256 bytes.
#[repr(align(256))]
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Zst256;

/// The strong and weak counts of a shared handle ([`counts`]).
pub trait SharedCounts {
    fn strong_weak(&self) -> (usize, usize);
}

impl<E, L, P: heaparray::ArcLayout, A: heaparray::Allocator> SharedCounts
    for heaparray::ArcArrayBase<E, L, P, A>
{
    fn strong_weak(&self) -> (usize, usize) {
        (Self::strong_count(self), Self::weak_count(self))
    }
}

impl<E, L, A: heaparray::Allocator> SharedCounts for heaparray::RcArray<E, L, A> {
    fn strong_weak(&self) -> (usize, usize) {
        (Self::strong_count(self), Self::weak_count(self))
    }
}

/// `(strong_count, weak_count)` of an `ArcArray` or `RcArray` handle, to
/// compare both at once.
pub fn counts(handle: &impl SharedCounts) -> (usize, usize) {
    handle.strong_weak()
}

/// Code a [`Node`] runs from its `Clone` or its `Drop`, once.
pub type Hook = RefCell<Option<Box<dyn FnOnce()>>>;

/// An element or label for the re-entrancy tests (tests/reentrancy.rs,
/// tests/rc_weak.rs): a canary, heap memory made from its index `n`, and
/// a hook for its next `clone` (run before anything is cloned) and one for
/// its `drop`. Clones get no hooks.
pub struct Node<T: Heap> {
    canary: Canary,
    n: usize,
    value: T,
    on_clone: Hook,
    on_drop: Hook,
}

impl<T: Heap> Node<T> {
    pub fn new(ledger: &Arc<Ledger>, n: usize) -> Self {
        Node {
            canary: ledger.canary(),
            n,
            value: T::make(n),
            on_clone: RefCell::new(None),
            on_drop: RefCell::new(None),
        }
    }

    /// Sets the code the next `clone` of this value runs.
    pub fn on_clone(&self, hook: impl FnOnce() + 'static) {
        *self.on_clone.borrow_mut() = Some(Box::new(hook));
    }

    /// Sets the code this value's `drop` runs.
    pub fn on_drop(&self, hook: impl FnOnce() + 'static) {
        *self.on_drop.borrow_mut() = Some(Box::new(hook));
    }

    /// Panics unless this holds what `new(_, n)` put in.
    #[track_caller]
    pub fn check(&self, n: usize) {
        assert_eq!((self.n, &self.value), (n, &T::make(n)));
    }
}

impl<T: Heap> Clone for Node<T> {
    /// Runs the hook (taken out first, so that a hook re-entering this
    /// value's `clone` finds none), then clones the canary (where an armed
    /// `Ledger::panic_on_clone` fires) and the value.
    fn clone(&self) -> Self {
        let hook = self.on_clone.borrow_mut().take();
        if let Some(hook) = hook {
            hook();
        }
        Node {
            canary: self.canary.clone(),
            n: self.n,
            value: self.value.clone(),
            on_clone: RefCell::new(None),
            on_drop: RefCell::new(None),
        }
    }
}

impl<T: Heap> Drop for Node<T> {
    /// Reads the value (still intact: Miri checks the memory is live), then
    /// runs the hook.
    fn drop(&mut self) {
        assert_eq!(self.value, T::make(self.n), "dropped intact");
        if let Some(hook) = self.on_drop.get_mut().take() {
            hook();
        }
    }
}

/// A global allocator for the rayon suites (tests/rayon_collect.rs,
/// tests/rayon_panics.rs) that counts the live bytes and the number of
/// allocations aligned to exactly 32, over all threads: there only the
/// blocks (and vectors) of the suites' 32-aligned types are, so rayon's
/// own allocations (its lazily grown queues) do not blur the count.
/// Install with `#[global_allocator]`; a test reading the counters runs
/// [`alone`].
pub struct BlockCounting;

static LIVE_BLOCK_BYTES: std::sync::atomic::AtomicIsize = std::sync::atomic::AtomicIsize::new(0);
static BLOCK_ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
static SERIAL: Mutex<()> = Mutex::new(());

// SAFETY: forwards every call to `System` unchanged; the counters are
// plain atomics, so counting never allocates.
unsafe impl GlobalAlloc for BlockCounting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() == 32 {
            LIVE_BLOCK_BYTES.fetch_add(layout.size() as isize, SeqCst);
            BLOCK_ALLOCATIONS.fetch_add(1, SeqCst);
        }
        // SAFETY: the caller's contract is System's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if layout.align() == 32 {
            LIVE_BLOCK_BYTES.fetch_sub(layout.size() as isize, SeqCst);
        }
        // SAFETY: the caller's contract is System's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// Makes the calling test the only one of its file running (the block
/// counters are global).
pub fn alone() -> std::sync::MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The block bytes `f` left live (the caller is [`alone`]).
pub fn live_block_bytes_after(f: impl FnOnce()) -> isize {
    let before = LIVE_BLOCK_BYTES.load(SeqCst);
    f();
    LIVE_BLOCK_BYTES.load(SeqCst) - before
}

/// The number of 32-aligned allocations `f` made (the caller is [`alone`]).
pub fn block_allocations<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let before = BLOCK_ALLOCATIONS.load(SeqCst);
    let r = f();
    (r, BLOCK_ALLOCATIONS.load(SeqCst) - before)
}

/// An `ArcArray` of `len` canaries of `ledger`, labelled with one more:
/// the shared array of the thread tests.
pub fn canary_arc(ledger: &Arc<Ledger>, len: usize) -> heaparray::ArcArray<Canary, Canary> {
    heaparray::ArcArray::with_label(ledger.canary(), len, |_, _| ledger.canary())
}

/// `native` natively, `miri` under Miri (which interprets far slower).
pub fn iterations(native: usize, miri: usize) -> usize {
    if cfg!(miri) {
        miri
    } else {
        native
    }
}

/// An element or label type for the panic tests: drops counted by a
/// [`Canary`] of the test's ledger and, for [`Owned`], heap memory, so that
/// a drop of a value never written, a double drop or a use after free also
/// shows as a leak (the counting allocator), a double free or a read of
/// freed memory (Miri, AddressSanitizer). A zero-sized or `Copy` payload
/// proves nothing about how the drops touch memory.
pub trait Owning: Clone + std::fmt::Debug + Send + Sync + 'static {
    /// A new value for index `n`, holding a fresh canary of `ledger`.
    fn make(ledger: &Arc<Ledger>, n: usize) -> Self;
    /// The canary's id.
    fn id(&self) -> usize;
    /// Panics unless this holds what `make(_, n)` put in (reading its heap
    /// memory, for Miri to check).
    #[track_caller]
    fn check(&self, n: usize);
}

impl Owning for Canary {
    fn make(ledger: &Arc<Ledger>, _: usize) -> Self {
        ledger.canary()
    }
    fn id(&self) -> usize {
        self.id
    }
    fn check(&self, _: usize) {}
}

/// A canary and a heap value (`String`, `Box<u64>`, `Vec<u64>`). Cloning
/// clones the canary first, so an armed [`Ledger::panic_on_clone`] fires
/// before the heap value is cloned.
#[derive(Clone, Debug)]
pub struct Owned<T> {
    pub canary: Canary,
    pub value: T,
}

impl<T: Heap> Owning for Owned<T> {
    fn make(ledger: &Arc<Ledger>, n: usize) -> Self {
        Owned {
            canary: ledger.canary(),
            value: T::make(n),
        }
    }
    fn id(&self) -> usize {
        self.canary.id
    }
    #[track_caller]
    fn check(&self, n: usize) {
        assert_eq!(self.value, T::make(n), "canary {}", self.canary.id);
    }
}

/// Aligned to 64 bytes, owning what `T` owns (tests/allocators.rs).
#[repr(align(64))]
#[derive(Clone, Debug)]
pub struct AlignTo64<T>(pub T);

/// Aligned to 256 bytes, owning what `T` owns (zero-sized for a zero-sized
/// `T`): an over-aligned element or label for the allocator suites.
#[repr(align(256))]
#[derive(Clone, Debug)]
pub struct AlignTo256<T>(pub T);

macro_rules! aligned_owning {
    ($($t:ident),*) => {$(
        impl<T: Owning> Owning for $t<T> {
            fn make(ledger: &Arc<Ledger>, n: usize) -> Self {
                $t(T::make(ledger, n))
            }
            fn id(&self) -> usize {
                self.0.id()
            }
            #[track_caller]
            fn check(&self, n: usize) {
                assert!((self as *const Self).is_aligned(), "misaligned {}", stringify!($t));
                self.0.check(n);
            }
        }
    )*};
}
aligned_owning!(AlignTo64, AlignTo256);

/// `impl Owning for $zst`, a zero-sized value made by `$zst::new()`, with
/// no canary (its id is `usize::MAX`): for tests/common/alloc.rs's `Zst`,
/// which cannot name this module (the model and the fuzz target include
/// it alone).
#[allow(unused_macros)]
macro_rules! owning_zst {
    ($zst:ty) => {
        impl crate::common::Owning for $zst {
            fn make(_: &std::sync::Arc<crate::common::Ledger>, _: usize) -> Self {
                <$zst>::new()
            }
            fn id(&self) -> usize {
                usize::MAX
            }
            fn check(&self, _: usize) {}
        }
    };
}
#[allow(unused_imports)]
pub(crate) use owning_zst;

/// The index the panic tests make labels with (elements use their own).
pub const LABEL: usize = 1000;

/// Panics unless `elems[i]` holds what `make(_, i)` put in, for every `i`.
#[track_caller]
pub fn check_all<E: Owning>(elems: &[E]) {
    for (i, e) in elems.iter().enumerate() {
        e.check(i);
    }
}

/// The canary ids of `elems`.
pub fn ids_of<E: Owning>(elems: &[E]) -> Vec<usize> {
    elems.iter().map(Owning::id).collect()
}

/// A value whose destructor panics, after checking its contents (which
/// its fields then drop), if `bomb`: the panicking element or label of
/// the drop tests (tests/drop_panics.rs, tests/into_iter.rs,
/// tests/rc_weak.rs), one type so that they all panic alike.
#[derive(Debug)]
pub struct Bomb<T: Owning> {
    pub value: T,
    pub n: usize,
    pub bomb: bool,
}

impl<T: Owning> Drop for Bomb<T> {
    fn drop(&mut self) {
        self.value.check(self.n);
        if self.bomb {
            panic!("value {} panics in drop", self.value.id());
        }
    }
}

/// The stamping behind every per-type test macro of the suites: for each
/// generic function `f` named after the list, a module `f` with one
/// `#[test]` per line `name: <T, ...>` of the list, calling
/// `super::f::<T, ...>()`. The types resolve in the suite's root module
/// (the canary types and the layouts are in scope besides).
#[allow(unused_macros)]
macro_rules! stamp_tests {
    ($list:tt $($f:ident),* $(,)?) => {$(
        crate::common::stamp_tests!(@one $f $list);
    )*};
    (@one $f:ident [$($name:ident: <$($t:ty),*>),* $(,)?]) => {
        mod $f {
            #[allow(unused_imports)]
            use super::*;
            #[allow(unused_imports)]
            use crate::common::{Canary, Owned};
            #[allow(unused_imports)]
            use heaparray::{Compact, Padded};
            $(
                #[test]
                fn $name() {
                    super::$f::<$($t),*>();
                }
            )*
        }
    };
}
#[allow(unused_imports)]
pub(crate) use stamp_tests;

/// One `#[test]` per element and label type for each generic function
/// `f::<E, L>()` named: a module `f` with the tests `canary` (the canary
/// alone, as before), `string_box`, `box_vec` and `vec_string` (elements
/// `Owned<String>` with labels `Owned<Box<u64>>`, and so on: each heap type
/// once as element and once as label).
#[allow(unused_macros)]
macro_rules! owning_tests {
    ($($f:ident),* $(,)?) => {
        crate::common::stamp_tests!([
            canary: <Canary, Canary>,
            string_box: <Owned<String>, Owned<Box<u64>>>,
            box_vec: <Owned<Box<u64>>, Owned<Vec<u64>>>,
            vec_string: <Owned<Vec<u64>>, Owned<String>>,
        ] $($f),*);
    };
}
#[allow(unused_imports)]
pub(crate) use owning_tests;

/// `make_mut` of a `$handle` (an `RcArray` or an `ArcArrayBase`, made by
/// `$with_label` with `$len` elements) shared with a second handle, for
/// each `k` in `$ks` with clone number `k` panicking (0 is the label's,
/// element `i` is clone `i + 1`): the panic comes through, the new block
/// and the clones made are freed, both handles still share the block,
/// untouched; then `make_mut` copies.
#[allow(unused_macros)]
macro_rules! make_mut_with_a_panicking_clone {
    ($handle:ty, $with_label:path, $len:expr, $ks:expr) => {{
        use crate::common::{
            allocations, check_all, expect_panic, ids_of, quiet_panics, Ledger, Owning, LABEL,
        };
        quiet_panics();
        let len = $len;
        for k in $ks {
            let ledger = Ledger::new();
            let mut a: $handle = $with_label(Owning::make(&ledger, LABEL), len, |_, i| {
                Owning::make(&ledger, i)
            });
            let b = a.clone();
            let old = ids_of(&a);
            ledger.panic_on_clone(k);
            let ((), _, live) = allocations(|| {
                assert_eq!(
                    expect_panic(|| <$handle>::make_mut(&mut a).len()),
                    "clone panics on purpose"
                );
            });
            assert_eq!(live, 0, "k = {k}: the new block leaked");
            assert_eq!(ledger.made(), len + 1 + k, "k = {k}");
            assert_eq!(ledger.live(), len + 1, "k = {k}: the clones dropped");
            assert!(<$handle>::ptr_eq(&a, &b), "k = {k}: still the shared block");
            assert_eq!(<$handle>::strong_count(&a), 2);
            assert_eq!(ids_of(&a), old);
            check_all(&a);
            assert_eq!(a.get_label().id(), 0);
            a.get_label().check(LABEL);
            // make_mut works afterwards.
            ledger.panic_on_clone(usize::MAX);
            <$handle>::make_mut(&mut a);
            assert!(!<$handle>::ptr_eq(&a, &b));
            check_all(&a);
            a.get_label().check(LABEL);
            drop((a, b));
            ledger.assert_all_dropped();
        }
    }};
}
#[allow(unused_imports)]
pub(crate) use make_mut_with_a_panicking_clone;

/// As [`owning_tests`], for generic functions `f::<E, L, P>()` over the
/// `ArcArray` layout too: every pair in `Padded` and in `Compact`.
#[allow(unused_macros)]
macro_rules! owning_layout_tests {
    ($($f:ident),* $(,)?) => {
        crate::common::stamp_tests!([
            canary_padded: <Canary, Canary, Padded>,
            canary_compact: <Canary, Canary, Compact>,
            string_box_padded: <Owned<String>, Owned<Box<u64>>, Padded>,
            string_box_compact: <Owned<String>, Owned<Box<u64>>, Compact>,
            box_vec_padded: <Owned<Box<u64>>, Owned<Vec<u64>>, Padded>,
            box_vec_compact: <Owned<Box<u64>>, Owned<Vec<u64>>, Compact>,
            vec_string_padded: <Owned<Vec<u64>>, Owned<String>, Padded>,
            vec_string_compact: <Owned<Vec<u64>>, Owned<String>, Compact>,
        ] $($f),*);
    };
}
#[allow(unused_imports)]
pub(crate) use owning_layout_tests;
