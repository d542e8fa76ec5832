//! The peer workloads, written once: each builds its contenders as a user
//! would (heaparray's handles, std's `Arc<[u64]>` and `Arc<Vec<u64>>`,
//! triomphe's `ThinArc` and `Arc<[u64]>`) and gives, for each, a closure
//! that times one operation `iters` times ([`Contender`]). Two harnesses
//! drive them: `compare` (compare.rs: every contender sampled in
//! interleaved rounds, medians and ratios, the memory table) and
//! criterion (peers.rs: one group per workload). The numbers are
//! compare's workload numbers and criterion's group prefixes.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicIsize, AtomicUsize, Ordering::Relaxed};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use heaparray::{ArcArray, CompactArcArray, CompactUniqueArcArray, UniqueArcArray};
use rayon::prelude::*;
use triomphe::ThinArc;

pub mod tree;

/// Times `iters` runs of a contender's operation.
pub type Run<'a> = Box<dyn FnMut(u64) -> Duration + 'a>;

/// A contender of a workload: its name and its timed operation.
pub struct Contender<'a> {
    /// The name both harnesses print.
    pub name: &'static str,
    /// `run(iters)`: the time of `iters` operations.
    pub run: Run<'a>,
}

/// A contender named `name` whose operation `run` times.
pub fn contender<'a>(name: &'static str, run: impl FnMut(u64) -> Duration + 'a) -> Contender<'a> {
    Contender {
        name,
        run: Box::new(run),
    }
}

/// A timed operation of `op(i)` for `i` in `0..iters`: the index lets a
/// build vary its elements from one iteration to the next.
pub fn each<'a>(mut op: impl FnMut(usize) + 'a) -> impl FnMut(u64) -> Duration + 'a {
    move |iters| {
        let start = Instant::now();
        for i in 0..iters as usize {
            op(i);
        }
        start.elapsed()
    }
}

/// A timed build and drop of what `build` makes.
pub fn build<'a, T>(mut build: impl FnMut() -> T + 'a) -> impl FnMut(u64) -> Duration + 'a {
    each(move |_| drop(black_box(build())))
}

/// The name of the compact-layout contender (the start of its name, where
/// there are two).
pub const COMPACT: &str = "CompactArcArray";

/// A compact-layout array of `len` elements, `f(i)` each.
pub fn compact(len: usize, f: impl FnMut(usize) -> u64) -> CompactArcArray<u64> {
    CompactArcArray::new(len, f)
}

/// Four `u64`, `i..i + 4`.
pub fn four(i: usize) -> impl ExactSizeIterator<Item = u64> + Clone {
    (0..4).map(move |j| (i + j) as u64)
}

// ---------------------------------------------------------------------
// The counting allocator (workload 7, and the tree's bytes).

/// Counts requested bytes and allocations while [`COUNTING`] is set, for
/// the memory figures. compare installs it as its global allocator; the
/// criterion bench does not (it measures no bytes).
pub struct Counting;

/// Bytes requested while counting.
pub static BYTES: AtomicUsize = AtomicUsize::new(0);
/// Allocations made while counting.
pub static ALLOCS: AtomicUsize = AtomicUsize::new(0);

/// Whether [`Counting`] counts: only while a memory figure is taken, so
/// that no timed allocation pays for two atomic additions (about 8 ns per
/// build in workload 6), which workload 11's arena, not going through the
/// global allocator, would not pay.
pub static COUNTING: AtomicBool = AtomicBool::new(false);

/// Bytes allocated and not yet freed while counting (frees of blocks
/// allocated before counting started subtract too).
pub static LIVE: AtomicIsize = AtomicIsize::new(0);
/// [`LIVE`] in glibc's chunks: [`chunk`] of each request.
pub static LIVE_CHUNKS: AtomicIsize = AtomicIsize::new(0);

/// The size of the chunk glibc's malloc gives a request of `size` bytes
/// on a 64-bit target: the request and an 8-byte size field, rounded up
/// to 16, at least 32.
pub fn chunk(size: usize) -> usize {
    ((size + 8 + 15) & !15).max(32)
}

/// Counts one allocation of `layout`, if [`COUNTING`].
fn count(layout: Layout) {
    if COUNTING.load(Relaxed) {
        BYTES.fetch_add(layout.size(), Relaxed);
        ALLOCS.fetch_add(1, Relaxed);
        LIVE.fetch_add(layout.size() as isize, Relaxed);
        LIVE_CHUNKS.fetch_add(chunk(layout.size()) as isize, Relaxed);
    }
}

/// Counts one free of `layout`, if [`COUNTING`].
fn uncount(layout: Layout) {
    if COUNTING.load(Relaxed) {
        LIVE.fetch_sub(layout.size() as isize, Relaxed);
        LIVE_CHUNKS.fetch_sub(chunk(layout.size()) as isize, Relaxed);
    }
}

// SAFETY: forwards to `System` unchanged; the counters are plain atomics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout);
        // SAFETY: the caller's contract is System's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout);
        // SAFETY: the caller's contract is System's. Forwarded, not left to
        // the default (`alloc` and a write pass): `calloc`'s fresh pages
        // come zeroed from the OS, which workload 12 measures.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        uncount(layout);
        // SAFETY: the caller's contract is System's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        uncount(layout);
        // SAFETY: the caller's contract (`new_size` non-zero and, rounded
        // up to `layout.align()`, at most `isize::MAX`) makes this layout.
        count(unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) });
        // SAFETY: the caller's contract is System's. Forwarded, not left to
        // the default (`alloc`, a copy, `dealloc`): glibc's `realloc` moves
        // a mapped block's pages (`mremap`) instead of copying them, and
        // trims one in place, which workload 15's growth and shrink take.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// What `make` leaves allocated: the bytes requested from the global
/// allocator (if it is [`Counting`]) plus the size of the value itself,
/// and the number of allocations. The value is dropped after, uncounted.
pub fn held_bytes<T>(make: impl FnOnce() -> T) -> (usize, usize) {
    let was = COUNTING.swap(true, Relaxed);
    let (b0, a0) = (BYTES.load(Relaxed), ALLOCS.load(Relaxed));
    let value = make();
    let bytes = BYTES.load(Relaxed) - b0 + std::mem::size_of::<T>();
    let allocs = ALLOCS.load(Relaxed) - a0;
    COUNTING.store(was, Relaxed);
    drop(value);
    (bytes, allocs)
}

/// What `make` makes, and the bytes it leaves allocated (net of what it
/// frees before it returns: a builder's scratch space), as requested and
/// in glibc's chunks ([`chunk`]). Needs [`Counting`] as the global
/// allocator.
pub fn live_bytes<T>(make: impl FnOnce() -> T) -> (T, isize, isize) {
    let was = COUNTING.swap(true, Relaxed);
    let (l0, c0) = (LIVE.load(Relaxed), LIVE_CHUNKS.load(Relaxed));
    let value = make();
    let held = (LIVE.load(Relaxed) - l0, LIVE_CHUNKS.load(Relaxed) - c0);
    COUNTING.store(was, Relaxed);
    (value, held.0, held.1)
}

// ---------------------------------------------------------------------
// glibc's mmap threshold.

/// glibc's mmap threshold for the whole run, unless `--mmap-threshold=`
/// says otherwise: 32 MiB, fixed, and the trim threshold twice that.
///
/// glibc serves a request that no free chunk of its heap holds with a
/// fresh mapping if it is at least the threshold (pages faulted in and
/// zeroed by the OS as they are first touched, unmapped when freed), and
/// from the heap otherwise, where freed memory is reused already faulted
/// in. Left to itself it starts the threshold at 128 KiB and raises it to
/// the size of every mapped block freed, up to 32 MiB (and the trim
/// threshold to twice that). So whether an 8 MB block of workload 15 (or
/// 5) came cold, 2 to 4x slower to fill on this machine, depended on the
/// blocks freed before it: on the round's order, and on the workloads
/// run before. Fixed at the ceiling of glibc's own adjustment, the state
/// it ends in, blocks under 32 MiB come from the heap, warm after the
/// warm-up round whatever ran before, and larger ones (workloads 8, 9,
/// 12, 14) are mapped. A low threshold does not give the cold state
/// reliably: after workloads 4 and 5, whose arrays freed left the heap
/// with large free chunks, workload 15's blocks came from those even at
/// 128 KiB; run alone (`compare 15 16 --mmap-threshold=131072`), every one
/// is mapped.
pub const MMAP_THRESHOLD: usize = 32 << 20;

/// Fixes glibc's mmap threshold at [`MMAP_THRESHOLD`] (`setting` `None`),
/// or at `BYTES` (`Some("BYTES")`), and its trim threshold at twice that,
/// as glibc's own adjustment pairs them (`mallopt`, which also stops the
/// adjustment); `Some("dynamic")` leaves both to glibc. Returns the state,
/// for the header line. Call it first, before any other thread exists.
pub fn fix_mmap_threshold(setting: Option<&str>) -> String {
    let mmap = match setting {
        None => MMAP_THRESHOLD,
        Some("dynamic") => return "mmap threshold glibc's own, moving".into(),
        Some(bytes) => bytes
            .parse()
            .expect("--mmap-threshold=BYTES or --mmap-threshold=dynamic"),
    };
    let trim = 2 * mmap;
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let set = |param, bytes: usize| {
            let value = libc::c_int::try_from(bytes).expect("a threshold fits a C int");
            // SAFETY: `mallopt` sets a malloc parameter; no other thread
            // exists yet (the caller's promise).
            unsafe { libc::mallopt(param, value) == 1 }
        };
        if set(libc::M_MMAP_THRESHOLD, mmap) && set(libc::M_TRIM_THRESHOLD, trim) {
            format!("mmap threshold fixed at {mmap} B, trim threshold at {trim} B (glibc)")
        } else {
            format!("glibc refused mmap threshold {mmap} B or trim threshold {trim} B")
        }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        format!("not glibc: mmap threshold {mmap} B and trim {trim} B not set")
    }
}

// ---------------------------------------------------------------------
// 1 to 3: counts and reads of one small array.

/// Workload 1: clone + drop of an array of 4 `u64`, on one thread.
pub fn clone_drop_one_thread() -> Vec<Contender<'static>> {
    let ours = ArcArray::new(4, |i| i as u64);
    let small = compact(4, |i| i as u64);
    let std_slice: Arc<[u64]> = four(0).collect();
    let std_vec: Arc<Vec<u64>> = Arc::new(four(0).collect());
    let thin = ThinArc::from_header_and_iter((), four(0));
    let tri: triomphe::Arc<[u64]> = four(0).collect();
    vec![
        contender("ArcArray", each(move |_| drop(black_box(ours.clone())))),
        contender(COMPACT, each(move |_| drop(black_box(small.clone())))),
        contender(
            "Arc<[u64]>",
            each(move |_| drop(black_box(std_slice.clone()))),
        ),
        contender(
            "Arc<Vec<u64>>",
            each(move |_| drop(black_box(std_vec.clone()))),
        ),
        contender(
            "triomphe::ThinArc",
            each(move |_| drop(black_box(thin.clone()))),
        ),
        contender(
            "triomphe::Arc<[u64]>",
            each(move |_| drop(black_box(tri.clone()))),
        ),
    ]
}

/// `iters` runs of `f` on each of two threads at once, wall time.
pub fn two_threads(iters: u64, f: impl Fn() + Sync) -> Duration {
    let start = Instant::now();
    thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| (0..iters).for_each(|_| f()));
        }
    });
    start.elapsed()
}

/// Clone + drop of `handle` on two threads at once.
fn contended<H: Clone + Send + Sync>(handle: H) -> impl FnMut(u64) -> Duration {
    move |iters| two_threads(iters, || drop(black_box(handle.clone())))
}

/// Workload 2: clone + drop from 2 threads on the same array (one
/// operation: a clone + drop on each thread).
pub fn clone_drop_two_threads() -> Vec<Contender<'static>> {
    let std_slice: Arc<[u64]> = four(0).collect();
    let std_vec: Arc<Vec<u64>> = Arc::new(four(0).collect());
    vec![
        contender("ArcArray", contended(ArcArray::new(4, |i| i as u64))),
        contender("Arc<[u64]>", contended(std_slice)),
        contender("Arc<Vec<u64>>", contended(std_vec)),
        contender(
            "triomphe::ThinArc",
            contended(ThinArc::from_header_and_iter((), four(0))),
        ),
    ]
}

/// The time of `iters` reads (`read`: len + elements) of `handle` while
/// another thread clones and drops the same handle: false sharing shows
/// as slower reads.
pub fn reads_under_traffic<H: Clone + Send + Sync>(
    handle: &H,
    read: impl Fn(&H) -> u64,
    iters: u64,
) -> Duration {
    let (started, stop) = (AtomicBool::new(false), AtomicBool::new(false));
    thread::scope(|s| {
        s.spawn(|| {
            started.store(true, Relaxed);
            while !stop.load(Relaxed) {
                for _ in 0..64 {
                    drop(black_box(handle.clone()));
                }
            }
        });
        // Time only reads that run against the traffic: a short sample
        // could otherwise finish before the other thread is scheduled.
        while !started.load(Relaxed) {
            std::hint::spin_loop();
        }
        let start = Instant::now();
        let mut sink = 0u64;
        for _ in 0..iters {
            sink = sink.wrapping_add(read(black_box(handle)));
        }
        let elapsed = start.elapsed();
        black_box(sink);
        stop.store(true, Relaxed);
        elapsed
    })
}

/// `len` plus the sum of the elements.
fn len_and_sum(s: &[u64]) -> u64 {
    s.len() as u64 + s.iter().sum::<u64>()
}

/// Workload 3: reads of len + 4 elements while another thread clones and
/// drops the same handle (one operation: one read).
pub fn false_sharing() -> Vec<Contender<'static>> {
    /// The read as a closure type of its own (not a function pointer),
    /// so that each contender's loop is compiled with its read inlined.
    fn reader<H: Clone + Send + Sync>(
        handle: H,
        read: impl Fn(&H) -> u64,
    ) -> impl FnMut(u64) -> Duration {
        move |iters| reads_under_traffic(&handle, &read, iters)
    }
    let std_slice: Arc<[u64]> = four(0).collect();
    let std_vec: Arc<Vec<u64>> = Arc::new(four(0).collect());
    vec![
        contender(
            "ArcArray",
            reader(ArcArray::new(4, |i| i as u64), |h: &ArcArray<u64>| {
                len_and_sum(h)
            }),
        ),
        contender(
            COMPACT,
            reader(compact(4, |i| i as u64), |h: &CompactArcArray<u64>| {
                len_and_sum(h)
            }),
        ),
        contender(
            "Arc<[u64]>",
            reader(std_slice, |h: &Arc<[u64]>| len_and_sum(h)),
        ),
        contender(
            "Arc<Vec<u64>>",
            reader(std_vec, |h: &Arc<Vec<u64>>| len_and_sum(h)),
        ),
        contender(
            "triomphe::ThinArc",
            reader(
                ThinArc::from_header_and_iter((), four(0)),
                |h: &ThinArc<(), u64>| len_and_sum(&h.slice),
            ),
        ),
    ]
}

// ---------------------------------------------------------------------
// 4 and 10: scattered reads.

/// A fixed pseudo-random permutation (xorshift; no rand dependency).
pub fn shuffled(n: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    for i in (1..n).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        order.swap(i, (x % (i as u64 + 1)) as usize);
    }
    order
}

/// `len` plus the first four elements, with no branch on `len`: the length
/// is only added, so nothing waits for it to arrive.
///
/// # Safety
///
/// `s` has at least four elements.
unsafe fn len_and_four(s: &[u64]) -> u64 {
    debug_assert!(s.len() >= 4);
    // SAFETY: indices 0 to 3 are in bounds (the caller's promise).
    let four = unsafe {
        s.get_unchecked(0) + s.get_unchecked(1) + s.get_unchecked(2) + s.get_unchecked(3)
    };
    s.len() as u64 + four
}

/// The arrays of workloads 4 and 10, one set per contender, and the order
/// they are read in.
#[derive(Default)]
pub struct Scattered {
    ours: Vec<ArcArray<u64>>,
    small: Vec<CompactArcArray<u64>>,
    std_slice: Vec<Arc<[u64]>>,
    std_vec: Vec<Arc<Vec<u64>>>,
    std_vec_early: Vec<Arc<Vec<u64>>>,
    thin: Vec<ThinArc<(), u64>>,
    order: Vec<usize>,
}

impl Scattered {
    /// `n` arrays of 4 `u64` per contender, array `i` holding `i..i + 4`.
    ///
    /// Made in turns of [`Scattered::TURN`] arrays per contender, so that
    /// every set is spread alike over the same heap. On this VM the speed
    /// of scattered reads depends on where in memory a set lands: built one
    /// whole set after another, sets of the same process differed by up to
    /// 1.4x whatever their type, and not the same set from one run to the
    /// next; in turns of 4096 arrays, still by up to 1.5x. In turns of 64
    /// arrays (4 to 12 KiB of blocks, about a page) every set samples the
    /// whole heap, and each page still holds one set's blocks.
    ///
    /// `Arc<Vec>` comes two ways: its buffer allocated right before its
    /// `ArcInner`, the two adjacent, so the second hop mostly lands on a
    /// line the first one fetched or its prefetched neighbour (the best
    /// case for it); and wrapping `Vec`s built earlier, the usual "build,
    /// then share", where the two hops are independent cache misses.
    pub fn new(n: usize) -> Self {
        let mut early = (0..n)
            .map(|i| four(i).collect::<Vec<u64>>())
            .collect::<Vec<_>>()
            .into_iter();
        let mut s = Scattered {
            order: shuffled(n),
            ..Scattered::default()
        };
        for turn in (0..n).step_by(Self::TURN) {
            let arrays = turn..(turn + Self::TURN).min(n);
            s.ours
                .extend(arrays.clone().map(|i| ArcArray::new(4, |j| (i + j) as u64)));
            s.small
                .extend(arrays.clone().map(|i| compact(4, |j| (i + j) as u64)));
            s.std_slice
                .extend(arrays.clone().map(|i| four(i).collect::<Arc<[u64]>>()));
            s.std_vec.extend(
                arrays
                    .clone()
                    .map(|i| Arc::new(four(i).collect::<Vec<u64>>())),
            );
            s.std_vec_early
                .extend(early.by_ref().take(arrays.len()).map(Arc::new));
            s.thin
                .extend(arrays.map(|i| ThinArc::from_header_and_iter((), four(i))));
        }
        s
    }

    /// Arrays per contender per turn.
    const TURN: usize = 64;

    /// The arrays per contender.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

/// A timed operation: one pass of `read` over the arrays `set` picks from
/// `s`, in `s.order`.
fn pass<H: 'static>(
    s: &Rc<Scattered>,
    set: fn(&Scattered) -> &[H],
    read: impl Fn(&H) -> u64 + 'static,
) -> impl FnMut(u64) -> Duration {
    let s = Rc::clone(s);
    move |iters| {
        let start = Instant::now();
        for _ in 0..iters {
            let arrays = set(&s);
            let total: u64 = s.order.iter().map(|&i| read(&arrays[i])).sum();
            black_box(total);
        }
        start.elapsed()
    }
}

/// Workload 4: scattered reads over `s` (one operation: a pass over all
/// its arrays, reading len + 4 elements of each).
pub fn scattered_reads(s: &Rc<Scattered>) -> Vec<Contender<'static>> {
    vec![
        contender("ArcArray", pass(s, |s| &s.ours, |h| len_and_sum(h))),
        contender(COMPACT, pass(s, |s| &s.small, |h| len_and_sum(h))),
        contender("Arc<[u64]>", pass(s, |s| &s.std_slice, |h| len_and_sum(h))),
        contender(
            "Arc<Vec<u64>>, buffer adjacent",
            pass(s, |s| &s.std_vec, |h| len_and_sum(h)),
        ),
        contender(
            "Arc<Vec<u64>>, Vec built earlier",
            pass(s, |s| &s.std_vec_early, |h| len_and_sum(h)),
        ),
        contender(
            "triomphe::ThinArc",
            pass(s, |s| &s.thin, |h| len_and_sum(&h.slice)),
        ),
    ]
}

/// Workload 10, a probe for workload 4: the same sets, the same lines
/// read, but no branch waits on the length (see `len_and_four`). A thin
/// handle (`ArcArray`, `ThinArc`) finds its length in the block, on the line
/// the read misses, so in workload 4 the loop's and the bounds check's
/// branches wait for the miss; `Arc<[u64]>` has its length in the handle.
/// Where workload 4 has thin handles behind `Arc<[u64]>` and this probe
/// has them level, those branches are the difference.
pub fn scattered_reads_no_length_branch(s: &Rc<Scattered>) -> Vec<Contender<'static>> {
    // The invariant `read` relies on, checked once outside the timing.
    assert!(
        s.ours.iter().all(|a| a.len() == 4)
            && s.small.iter().all(|a| a.len() == 4)
            && s.std_slice.iter().all(|a| a.len() == 4)
            && s.thin.iter().all(|a| a.slice.len() == 4),
        "every array of workload 10 holds 4 elements"
    );
    // SAFETY: called on the arrays of `s` alone, each of 4 elements
    // (asserted above).
    let read = |a: &[u64]| unsafe { len_and_four(a) };
    vec![
        contender("ArcArray", pass(s, |s| &s.ours, move |h| read(h))),
        contender(COMPACT, pass(s, |s| &s.small, move |h| read(h))),
        contender("Arc<[u64]>", pass(s, |s| &s.std_slice, move |h| read(h))),
        contender(
            "triomphe::ThinArc",
            pass(s, |s| &s.thin, move |h| read(&h.slice)),
        ),
    ]
}

// ---------------------------------------------------------------------
// 5 to 7: builds and bytes.

/// The elements of workloads 5 and 9.
fn mixed(i: usize) -> u64 {
    (i as u64).wrapping_mul(0x9E37_79B9)
}

/// Workload 5: one array of `n` `u64` from a closure, built and dropped.
pub fn build_large(n: usize) -> Vec<Contender<'static>> {
    let f = mixed;
    vec![
        contender("ArcArray", build(move || ArcArray::new(n, f))),
        contender(
            "Arc::<[u64]>::from(vec)",
            build(move || Arc::<[u64]>::from((0..n).map(f).collect::<Vec<u64>>())),
        ),
        contender(
            "collect::<Arc<[u64]>>",
            build(move || (0..n).map(f).collect::<Arc<[u64]>>()),
        ),
        contender(
            "Arc::new(vec) (Arc<Vec>)",
            build(move || Arc::new((0..n).map(f).collect::<Vec<u64>>())),
        ),
        contender(
            "ThinArc::from_header_and_iter",
            build(move || ThinArc::from_header_and_iter((), (0..n).map(f))),
        ),
    ]
}

/// Workload 6: build and drop a 4-element array (iteration `i` holds
/// `i..i + 4`).
pub fn build_small() -> Vec<Contender<'static>> {
    vec![
        contender(
            "ArcArray",
            each(|i| drop(black_box(ArcArray::new(4, |j| (i + j) as u64)))),
        ),
        contender(
            COMPACT,
            each(|i| drop(black_box(compact(4, |j| (i + j) as u64)))),
        ),
        contender(
            "collect::<Arc<[u64]>>()",
            each(|i| drop(black_box(four(i).collect::<Arc<[u64]>>()))),
        ),
        contender(
            "Arc::<[u64]>::from([..; 4])",
            each(|i| {
                let i = i as u64;
                drop(black_box(Arc::<[u64]>::from([i, i + 1, i + 2, i + 3])))
            }),
        ),
        contender(
            "ThinArc::from_header_and_iter",
            each(|i| drop(black_box(ThinArc::from_header_and_iter((), four(i))))),
        ),
    ]
}

/// Workload 7: bytes per array of `u64` (the handle plus the block bytes
/// requested) and allocations, at each of `lens`, per contender. Needs
/// [`Counting`] as the global allocator.
pub fn memory(lens: &[usize]) -> Vec<(&'static str, Vec<(usize, usize)>)> {
    let per = |f: &dyn Fn(usize) -> (usize, usize)| lens.iter().map(|&n| f(n)).collect();
    vec![
        (
            "ArcArray",
            per(&|n| held_bytes(|| ArcArray::new(n, |i| i as u64))),
        ),
        (COMPACT, per(&|n| held_bytes(|| compact(n, |i| i as u64)))),
        (
            "Arc<[u64]>",
            per(&|n| held_bytes(|| (0..n as u64).collect::<Arc<[u64]>>())),
        ),
        (
            "Arc<Vec<u64>>",
            per(&|n| held_bytes(|| Arc::new((0..n as u64).collect::<Vec<u64>>()))),
        ),
        (
            "triomphe::ThinArc",
            per(&|n| held_bytes(|| ThinArc::from_header_and_iter((), (0..n).map(|j| j as u64)))),
        ),
    ]
}

// ---------------------------------------------------------------------
// 8, 9 and 14: rayon.

/// Workload 8's buffers: `0..n` as an `ArcArray` and an `Arc<Vec>`,
/// `ArcArray` allocated first or second (where 800 MB land matters: with
/// one pair made once, the buffer allocated second summed 6-9% faster
/// whichever type it was).
pub fn rayon_buffers(n: usize, ours_first: bool) -> (ArcArray<u64>, Arc<Vec<u64>>) {
    let vec = || Arc::new((0..n as u64).collect::<Vec<u64>>());
    if ours_first {
        let a = ArcArray::new(n, |i| i as u64);
        (a, vec())
    } else {
        let v = vec();
        (ArcArray::new(n, |i| i as u64), v)
    }
}

/// Workload 8's operation on `ArcArray`: a rayon sum of a shared clone.
pub fn rayon_sum_ours(a: &ArcArray<u64>) -> u64 {
    a.clone().par_iter().sum::<u64>()
}

/// Workload 8's operation on `Arc<Vec>`: a rayon sum of a shared clone.
pub fn rayon_sum_vec(v: &Arc<Vec<u64>>) -> u64 {
    v.clone().par_iter().sum::<u64>()
}

/// Workload 8 with its buffers made once (criterion's form; compare makes
/// them anew every round, in alternating order).
pub fn rayon_reduction(n: usize) -> Vec<Contender<'static>> {
    let (ours, vec) = rayon_buffers(n, true);
    vec![
        contender(
            "ArcArray",
            each(move |_| {
                black_box(rayon_sum_ours(&ours));
            }),
        ),
        contender(
            "Arc<Vec<u64>>",
            each(move |_| {
                black_box(rayon_sum_vec(&vec));
            }),
        ),
    ]
}

/// Workload 9: `n` `u64` built in parallel (rayon) and dropped: `par_new`
/// writes straight into the block; without it a buffer is built as a
/// `Vec` in parallel and converted (a copy, except into `Arc<Vec<T>>`).
#[cfg(feature = "rayon")]
pub fn rayon_build(n: usize) -> Vec<Contender<'static>> {
    let f = mixed;
    let par_vec = move || (0..n).into_par_iter().map(f).collect::<Vec<u64>>();
    vec![
        contender("ArcArray::par_new", build(move || ArcArray::par_new(n, f))),
        contender(
            "ArcArray::from(parallel Vec)",
            build(move || ArcArray::from(par_vec())),
        ),
        contender(
            "Arc::<[u64]>::from(parallel Vec)",
            build(move || Arc::<[u64]>::from(par_vec())),
        ),
        contender("Arc::new(parallel Vec)", build(move || Arc::new(par_vec()))),
    ]
}

/// Workload 14: `collect` of `n` mapped `u64` from an indexed parallel
/// iterator, which writes straight into the block (as rayon's own `Vec`
/// collect writes into the vector), against collecting a `Vec` in
/// parallel and converting it (a second block, faulted in again, and a
/// serial copy), against `par_new` with the same closure, and against
/// std's `Arc<[u64]>` and triomphe's `Arc<[u64]>` from the collected `Vec`
/// (neither has a parallel collect of its own), and the `Vec` alone.
#[cfg(feature = "rayon")]
pub fn rayon_collect(n: u64) -> Vec<Contender<'static>> {
    let f = |i: u64| i * 3 + 1;
    let par_vec = move || (0..n).into_par_iter().map(f).collect::<Vec<u64>>();
    let check: ArcArray<u64> = (0..n).into_par_iter().map(f).collect();
    assert!(check.iter().enumerate().all(|(i, &x)| x == f(i as u64)));
    drop(check);
    vec![
        contender(
            "collect::<ArcArray<u64>>()",
            build(move || (0..n).into_par_iter().map(f).collect::<ArcArray<u64>>()),
        ),
        contender(
            "ArcArray::from(collect::<Vec<u64>>())",
            build(move || ArcArray::from(par_vec())),
        ),
        contender(
            "ArcArray::par_new(n, f)",
            build(move || ArcArray::par_new(n as usize, |i| f(i as u64))),
        ),
        contender(
            "Arc::<[u64]>::from(collect::<Vec>())",
            build(move || Arc::<[u64]>::from(par_vec())),
        ),
        contender(
            "triomphe::Arc::<[u64]>::from(Vec)",
            build(move || triomphe::Arc::<[u64]>::from(par_vec())),
        ),
        contender("collect::<Vec<u64>>() alone", build(par_vec)),
    ]
}

// ---------------------------------------------------------------------
// 11 to 13: the allocator parameter.

/// One batch of workload 11: the build, the drops and the arena's reset
/// (zero for the others, which free as they drop).
pub type Phases = [Duration; 3];

/// A contender of workload 11: its name and one timed batch.
pub type Batch<'a> = (&'static str, Box<dyn FnMut() -> Phases + 'a>);

/// The build and the drops of one batch of workload 11: `n` arrays made
/// by `make` into slots made (and faulted in) before the clock starts, so
/// the handles' own storage is not timed, then dropped slot by slot; the
/// slots are freed after, untimed.
pub fn batch<H>(n: usize, make: impl Fn(usize) -> H) -> [Duration; 2] {
    let mut slots: Vec<Option<H>> = (0..n).map(|_| None).collect();
    let start = Instant::now();
    for (i, slot) in slots.iter_mut().enumerate() {
        *slot = Some(make(i));
    }
    black_box(&mut slots);
    let built = Instant::now();
    for slot in slots.iter_mut() {
        *slot = None;
    }
    black_box(&mut slots);
    [built - start, built.elapsed()]
}

/// A batch from the global allocator: nothing to reset.
fn global([build, drops]: [Duration; 2]) -> Phases {
    [build, drops, Duration::ZERO]
}

/// Workload 11: `n` arrays of 4 u64 from a `bumpalo::Bump` arena, built,
/// dropped and the arena reset, against the same arrays from the global
/// allocator (`ArcArray::new`, and `Arc<[u64]>` built the two ways users
/// build one). The first three contenders are the arenas.
///
/// An arena frees nothing on drop (bumpalo takes back only its most
/// recent allocation), so a batch keeps all `n` alive, drops them, then
/// resets the arena. The arena is one long-lived `Bump`, reset every
/// batch as a program resets it between phases: after the first batch it
/// keeps its largest chunk, so later batches bump through memory already
/// mapped. The global allocator keeps what it keeps (glibc: freed chunks
/// in its bins, the top of the heap trimmed).
///
/// The layout weighs here as much as the allocator: in a `Bump` a padded
/// array of 4 u64 takes 176 bytes (the 128-byte count region), a compact
/// one 64, and a batch of 1M (176 or 64 MB) is written through memory, not
/// cache. `CompactArcArray` runs in both allocators.
///
/// The second arena contender makes a fresh `Bump` for every batch and
/// drops it instead of resetting it (its "reset" is that drop): it maps
/// new chunks every time, as the global allocator's contenders map new
/// heap.
pub fn arena_batches(n: usize) -> Vec<Batch<'static>> {
    let mut bump = bumpalo::Bump::new();
    let mut compact_bump = bumpalo::Bump::new();
    vec![
        (
            "ArcArray::new_in(.., &Bump)",
            Box::new(move || {
                let [build, drops] = batch(n, |i| ArcArray::new_in(4, |j| (i + j) as u64, &bump));
                // The arrays and their borrows of the arena are gone.
                let start = Instant::now();
                bump.reset();
                [build, drops, start.elapsed()]
            }),
        ),
        (
            "CompactArcArray::new_in(.., &Bump)",
            Box::new(move || {
                let [build, drops] = batch(n, |i| {
                    CompactArcArray::new_in(4, |j| (i + j) as u64, &compact_bump)
                });
                let start = Instant::now();
                compact_bump.reset();
                [build, drops, start.elapsed()]
            }),
        ),
        (
            "ArcArray::new_in(.., &fresh Bump)",
            Box::new(move || {
                let fresh = bumpalo::Bump::new();
                let [build, drops] = batch(n, |i| ArcArray::new_in(4, |j| (i + j) as u64, &fresh));
                let start = Instant::now();
                drop(fresh);
                [build, drops, start.elapsed()]
            }),
        ),
        (
            "ArcArray::new (global allocator)",
            Box::new(move || global(batch(n, |i| ArcArray::new(4, |j| (i + j) as u64)))),
        ),
        (
            "CompactArcArray::new (global allocator)",
            Box::new(move || global(batch(n, |i| compact(4, |j| (i + j) as u64)))),
        ),
        (
            "Arc::<[u64]>::from([..; 4])",
            Box::new(move || {
                global(batch(n, |i| {
                    let i = i as u64;
                    Arc::<[u64]>::from([i, i + 1, i + 2, i + 3])
                }))
            }),
        ),
        (
            "collect::<Arc<[u64]>>()",
            Box::new(move || global(batch(n, |i| four(i).collect::<Arc<[u64]>>()))),
        ),
    ]
}

/// Workload 11's last row: build and drop one array at a time, as
/// workload 6 does; there bumpalo takes each block back as it is dropped,
/// so the arena reuses one block and never grows.
pub fn arena_one_at_a_time() -> Vec<Contender<'static>> {
    let (bump, compact_bump) = (bumpalo::Bump::new(), bumpalo::Bump::new());
    vec![
        contender(
            "ArcArray::new_in(.., &Bump)",
            each(move |i| drop(black_box(ArcArray::new_in(4, |j| (i + j) as u64, &bump)))),
        ),
        contender(
            "CompactArcArray::new_in(.., &Bump)",
            each(move |i| {
                drop(black_box(CompactArcArray::new_in(
                    4,
                    |j| (i + j) as u64,
                    &compact_bump,
                )))
            }),
        ),
        contender(
            "ArcArray::new (global allocator)",
            each(|i| drop(black_box(ArcArray::new(4, |j| (i + j) as u64)))),
        ),
        contender(
            "CompactArcArray::new (global allocator)",
            each(|i| drop(black_box(compact(4, |j| (i + j) as u64)))),
        ),
        contender(
            "Arc::<[u64]>::from([..; 4])",
            each(|i| {
                let i = i as u64;
                drop(black_box(Arc::<[u64]>::from([i, i + 1, i + 2, i + 3])))
            }),
        ),
        contender(
            "collect::<Arc<[u64]>>()",
            each(|i| drop(black_box(four(i).collect::<Arc<[u64]>>()))),
        ),
    ]
}

/// Writes one byte in every 4 KiB page of `buf`: the first touch, where
/// the OS maps (and zeroes) a page that `calloc` left unmapped.
pub fn touch_pages(buf: &mut [u8]) {
    for page in buf.chunks_mut(4096) {
        page[0] = 1;
    }
}

/// A zeroed unique array of `n` bytes, made shareable later.
fn ours_zeroed(n: usize) -> UniqueArcArray<u8> {
    // SAFETY: all-zero bytes are a valid `u8`.
    unsafe { UniqueArcArray::<u8>::new_zeroed(n).assume_init() }
}

/// std's zeroed slice of `n` bytes.
fn std_zeroed(n: usize) -> Arc<[u8]> {
    // SAFETY: all-zero bytes are a valid `u8`.
    unsafe { Arc::<[u8]>::new_zeroed_slice(n).assume_init() }
}

/// Workload 12: an `n`-byte zeroed shared buffer, made and dropped as a
/// user would, untouched: `calloc` maps fresh pages that the OS zeroes
/// when they are first touched, so the zeroing is not in these figures,
/// while the copy from a `Vec` (the last contender) writes every page.
pub fn zeroed_untouched(n: usize) -> Vec<Contender<'static>> {
    vec![
        contender(
            "new_zeroed + assume_init + shareable",
            build(move || ours_zeroed(n).shareable()),
        ),
        contender(
            "Arc::<[u8]>::new_zeroed_slice",
            build(move || std_zeroed(n)),
        ),
        contender(
            "Arc::<[u8]>::from(vec![0; n])",
            build(move || Arc::<[u8]>::from(vec![0u8; n])),
        ),
    ]
}

/// Workload 12, touched: one byte written per page before sharing (each
/// contender through its own unique access: the `UniqueArcArray`,
/// `Arc::get_mut`, the `Vec` before it is copied), which faults in every
/// page: the price the untouched figures defer.
pub fn zeroed_touched(n: usize) -> Vec<Contender<'static>> {
    vec![
        contender(
            "new_zeroed + assume_init + shareable",
            build(move || {
                let mut u = ours_zeroed(n);
                touch_pages(&mut u);
                u.shareable()
            }),
        ),
        contender(
            "Arc::<[u8]>::new_zeroed_slice",
            build(move || {
                let mut a = std_zeroed(n);
                touch_pages(Arc::get_mut(&mut a).expect("a new Arc is unique"));
                a
            }),
        ),
        contender(
            "Arc::<[u8]>::from(vec![0; n])",
            build(move || {
                let mut v = vec![0u8; n];
                touch_pages(&mut v);
                Arc::<[u8]>::from(v)
            }),
        ),
    ]
}

/// Workload 13: `try_new` against `new`, the same closure, `n` elements.
/// `try_new`'s `Result` is dropped whole (dropping its array), unexamined,
/// so the difference is the constructor's alone.
pub fn try_new_cost(n: usize) -> Vec<Contender<'static>> {
    vec![
        contender(
            "ArcArray::try_new",
            build(move || ArcArray::try_new(n, |i| i as u64)),
        ),
        contender(
            "ArcArray::new",
            build(move || ArcArray::new(n, |i| i as u64)),
        ),
    ]
}

// ---------------------------------------------------------------------
// 15 and 16: a unique array grown like a `Vec`, then shared.

/// `into` after pushing each of `values` in turn, as a user's loop does.
pub fn pushed<C>(mut into: C, push: impl Fn(&mut C, u64), values: impl Iterator<Item = u64>) -> C {
    for value in values {
        push(&mut into, value);
    }
    into
}

/// Workload 15: `n` u64 pushed one at a time, then shared, as a user fills
/// a buffer whose length a loop decides: into a `UniqueArcArray` that
/// `shareable` turns into an `ArcArray` with the same block, against a
/// `Vec` that `Arc::<[u64]>::from` copies into a second block; and the
/// `Vec` alone, not shared, for the speed of the pushes and the growth.
/// The first three with the capacity known (`with_capacity(n)`), the last
/// three unknown (from empty, doubling). Every contender drops its result
/// inside the timing.
pub fn push_then_share(n: usize) -> Vec<Contender<'static>> {
    let values = move || (0..n).map(mixed);
    let ours = UniqueArcArray::push;
    vec![
        contender(
            "UniqueArcArray::with_capacity(n)",
            build(move || pushed(UniqueArcArray::with_capacity(n), ours, values()).shareable()),
        ),
        contender(
            "Vec::with_capacity(n) + Arc::from",
            build(move || Arc::<[u64]>::from(pushed(Vec::with_capacity(n), Vec::push, values()))),
        ),
        contender(
            "Vec::with_capacity(n) alone",
            build(move || pushed(Vec::with_capacity(n), Vec::push, values())),
        ),
        contender(
            "UniqueArcArray::with_capacity(0)",
            build(move || pushed(UniqueArcArray::with_capacity(0), ours, values()).shareable()),
        ),
        contender(
            "Vec::new() + Arc::from",
            build(move || Arc::<[u64]>::from(pushed(Vec::new(), Vec::push, values()))),
        ),
        contender(
            "Vec::new() alone",
            build(move || pushed(Vec::new(), Vec::push, values())),
        ),
    ]
}

/// Workload 16: 4 u64 pushed into room for 4, shared and dropped (iteration
/// `i` pushes `i..i + 4`): the small-array form of workload 15, where the
/// allocations and the copy weigh more than the pushes. Both layouts.
pub fn small_push_then_share() -> Vec<Contender<'static>> {
    vec![
        contender(
            "UniqueArcArray",
            each(|i| {
                let u = pushed(
                    UniqueArcArray::with_capacity(4),
                    UniqueArcArray::push,
                    four(i),
                );
                drop(black_box(u.shareable()))
            }),
        ),
        contender(
            "CompactUniqueArcArray",
            each(|i| {
                let u = pushed(
                    CompactUniqueArcArray::with_capacity(4),
                    CompactUniqueArcArray::push,
                    four(i),
                );
                drop(black_box(u.shareable()))
            }),
        ),
        contender(
            "Vec::with_capacity(4) + Arc::from",
            each(|i| {
                let v = pushed(Vec::with_capacity(4), Vec::push, four(i));
                drop(black_box(Arc::<[u64]>::from(v)))
            }),
        ),
    ]
}
