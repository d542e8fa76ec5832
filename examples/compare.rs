//! heaparray against its peers, side by side in one run: `ArcArray<u64>`
//! against std's `Arc<[u64]>` and `Arc<Vec<u64>>` and triomphe's `ThinArc`
//! (one word, header + slice); where the layout matters (workloads 1, 3, 4,
//! 6, 7, 11, 16), `CompactArcArray<u64>` too, with its own ratios. Every figure
//! is the median of 9 rounds (other counts where the header line says)
//! timed with `Instant`, after a warm-up round; each round samples every
//! contender once, starting at a different one each time, so drift on a
//! shared machine hits all alike.
//! Every ratio is
//! `peer time / ArcArray time` (above 1: ArcArray is faster) or, for reader
//! throughput, `ArcArray / peer`. The machine is what it is: run it twice.
//!
//! Run with `cargo run --release --example compare` (about a minute and
//! a half); `--features rayon` adds workload 9, `par_new` against a
//! parallel `Vec`. Workload numbers as arguments (`-- 4 8`) run just those.
//! Workload 10 is a probe for workload 4: the same reads with no branch on
//! the length. The allocator parameter's workloads: 11, arrays from a
//! `bumpalo::Bump` arena against the global allocator's; 12, a 1 GiB
//! zeroed buffer (`calloc`) against std's zeroed slice and a copy (up to
//! 2 GiB alive at once); 13, `try_new` against `new`. With `--features
//! rayon`, workload 14: `collect::<ArcArray<u64>>()` from an indexed
//! parallel iterator against a parallel `Vec` collect converted, and
//! against `par_new`. Workloads 15 and 16 grow a `UniqueArcArray` as a
//! `Vec` and share it: 1M `u64` pushed into room reserved or from empty,
//! then `shareable`, against a `Vec` pushed and copied by
//! `Arc::<[u64]>::from`, and the `Vec` alone; 4 `u64` pushed into room
//! for 4, 500,000 times. glibc's mmap threshold is fixed for the whole
//! run (see [`MMAP_THRESHOLD`]; `-- --mmap-threshold=BYTES` fixes another,
//! `=dynamic` leaves it moving) and the header line says at what.
//! `cargo bench` measures the same workloads with criterion.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use heaparray::{ArcArray, CompactArcArray, CompactUniqueArcArray, UniqueArcArray};
use rayon::prelude::*;
use triomphe::ThinArc;

/// Counts requested bytes and allocations, for the memory table.
struct Counting;

static BYTES: AtomicUsize = AtomicUsize::new(0);
static ALLOCS: AtomicUsize = AtomicUsize::new(0);

/// Whether [`Counting`] counts: only while workload 7 measures, so that no
/// timed allocation pays for two atomic additions (about 8 ns per build in
/// workload 6), which workload 11's arena, not going through the global
/// allocator, would not pay.
static COUNTING: AtomicBool = AtomicBool::new(false);

/// Counts one allocation of `layout`, if [`COUNTING`].
fn count(layout: Layout) {
    if COUNTING.load(Relaxed) {
        BYTES.fetch_add(layout.size(), Relaxed);
        ALLOCS.fetch_add(1, Relaxed);
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
        // SAFETY: the caller's contract is System's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
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

#[global_allocator]
static ALLOC: Counting = Counting;

/// Rounds per workload: each round times every contender once.
const REPS: usize = 9;

/// Rounds for workload 4, whose samples (one pass over 1M arrays, about
/// 70 ms) are few and long enough for other tenants' bursts to hit several
/// of 9.
const SCATTER_REPS: usize = 25;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// One sample: nanoseconds per iteration of `f` over `iters` iterations.
fn ns_per(iters: usize, mut f: impl FnMut(usize)) -> f64 {
    let start = Instant::now();
    for i in 0..iters {
        f(i);
    }
    start.elapsed().as_nanos() as f64 / iters as f64
}

/// A contender: its name and a closure that takes one sample (one figure,
/// or in workload 11 one figure per phase).
type Contender<'a, T = f64> = (&'static str, Box<dyn FnMut() -> T + 'a>);

/// After one unrecorded warm-up round, samples every contender once per
/// round, `rounds` rounds, starting each round at the next contender so
/// that none is always first (on a shared machine, the first of a sequence
/// is often the slowest); returns each contender's samples, in order.
fn interleaved<T>(rounds: usize, contenders: &mut [Contender<'_, T>]) -> Vec<Vec<T>> {
    let n = contenders.len();
    // A warm-up round, not recorded: otherwise the first contender
    // always takes the cold first sample (caches, page faults).
    for contender in contenders.iter_mut() {
        (contender.1)();
    }
    let mut samples: Vec<Vec<T>> = (0..n).map(|_| Vec::with_capacity(rounds)).collect();
    for round in 0..rounds {
        for k in 0..n {
            let c = (round + k) % n;
            samples[c].push((contenders[c].1)());
        }
    }
    samples
}

/// A table row: workload, ArcArray's median, then each peer's.
struct Row {
    workload: &'static str,
    unit: &'static str,
    /// The first contender's name: ArcArray, in one form or another.
    ours_name: &'static str,
    ours: f64,
    peers: Vec<(&'static str, f64)>,
    /// The first contender whose name starts with "Compact" ([`COMPACT`],
    /// or `CompactUniqueArcArray`), its name and median, if it ran: its
    /// ratios against the peers are printed beside ArcArray's.
    compact: Option<(&'static str, f64)>,
    /// `true` when a higher figure is better (throughput).
    higher_is_better: bool,
    mark: &'static str,
}

impl Row {
    /// [`Row::measure_with`] over `REPS` rounds.
    fn measure(
        workload: &'static str,
        unit: &'static str,
        higher_is_better: bool,
        mark: &'static str,
        contenders: Vec<Contender<'_>>,
    ) -> Row {
        Row::measure_with(REPS, workload, unit, higher_is_better, mark, contenders)
    }

    /// The contenders (ArcArray first) sampled in [`interleaved`]
    /// rounds; the figures are the medians.
    fn measure_with(
        rounds: usize,
        workload: &'static str,
        unit: &'static str,
        higher_is_better: bool,
        mark: &'static str,
        mut contenders: Vec<Contender<'_>>,
    ) -> Row {
        let samples = interleaved(rounds, &mut contenders);
        let names = contenders.iter().map(|c| c.0).collect();
        Row::from_samples(workload, unit, higher_is_better, mark, names, samples)
    }

    /// A row of the medians of `samples`, one list per contender, named by
    /// `names` (ArcArray first).
    fn from_samples(
        workload: &'static str,
        unit: &'static str,
        higher_is_better: bool,
        mark: &'static str,
        names: Vec<&'static str>,
        samples: Vec<Vec<f64>>,
    ) -> Row {
        let mut medians = samples.into_iter().map(median);
        let ours = medians.next().expect("ArcArray is a contender");
        let peers: Vec<(&'static str, f64)> = names.iter().copied().skip(1).zip(medians).collect();
        let compact = peers.iter().copied().find(|p| p.0.starts_with("Compact"));
        Row {
            workload,
            unit,
            ours_name: names[0],
            ours,
            peers,
            compact,
            higher_is_better,
            mark,
        }
    }

    /// How many times better `ours` is than `peer`.
    fn ratio(&self, ours: f64, peer: f64) -> f64 {
        if self.higher_is_better {
            ours / peer
        } else {
            peer / ours
        }
    }

    fn print(&self) {
        println!("{} ({})", self.workload, self.unit);
        println!("  {:<36} {:>10.2}", self.ours_name, self.ours);
        for &(name, figure) in &self.peers {
            let mut line = format!(
                "  {:<36} {:>10.2}   {} is {:.2}x",
                name,
                figure,
                self.ours_name,
                self.ratio(self.ours, figure)
            );
            if let Some((compact, its)) = self.compact.filter(|c| c.0 != name) {
                line += &format!(", {compact} {:.2}x", self.ratio(its, figure));
            }
            println!("{line}");
        }
        println!("  mark: {}", self.mark);
    }
}

/// The name of the compact-layout contender (the start of its name, where
/// there are two: the first is the one whose ratios are printed).
const COMPACT: &str = "CompactArcArray";

/// A compact-layout array of `len` elements, `f(i)` each.
fn compact(len: usize, f: impl FnMut(usize) -> u64) -> CompactArcArray<u64> {
    CompactArcArray::new(len, f)
}

/// Boxes a sampling closure as a contender.
fn c<'a>(name: &'static str, f: impl FnMut() -> f64 + 'a) -> Contender<'a> {
    (name, Box::new(f))
}

/// Workload 1: clone + drop on one thread.
fn clone_drop_one_thread() -> Row {
    let n = 1_000_000;
    let ours = ArcArray::new(4, |i| i as u64);
    let small = compact(4, |i| i as u64);
    let std_slice: Arc<[u64]> = (0..4).collect();
    let std_vec: Arc<Vec<u64>> = Arc::new((0..4).collect());
    let thin = ThinArc::from_header_and_iter((), (0..4usize).map(|j| j as u64));
    Row::measure(
        "1. clone + drop, one thread",
        "ns per clone+drop, median",
        false,
        "equal to Arc<[T]> (ratio ~1.0)",
        vec![
            c("ArcArray", || ns_per(n, |_| drop(black_box(ours.clone())))),
            c(COMPACT, || ns_per(n, |_| drop(black_box(small.clone())))),
            c("Arc<[u64]>", || {
                ns_per(n, |_| drop(black_box(std_slice.clone())))
            }),
            c("Arc<Vec<u64>>", || {
                ns_per(n, |_| drop(black_box(std_vec.clone())))
            }),
            c("triomphe::ThinArc", || {
                ns_per(n, |_| drop(black_box(thin.clone())))
            }),
        ],
    )
}

/// One sample: `f` on two threads at once, wall time per iteration.
fn two_threads(iters: usize, f: impl Fn() + Sync) -> f64 {
    let start = Instant::now();
    thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| (0..iters).for_each(|_| f()));
        }
    });
    start.elapsed().as_nanos() as f64 / iters as f64
}

/// Workload 2: clone + drop from 2 threads on the same array.
fn clone_drop_two_threads() -> Row {
    let n = 500_000;
    let ours = ArcArray::new(4, |i| i as u64);
    let std_slice: Arc<[u64]> = (0..4).collect();
    let std_vec: Arc<Vec<u64>> = Arc::new((0..4).collect());
    let thin = ThinArc::from_header_and_iter((), (0..4usize).map(|j| j as u64));
    Row::measure(
        "2. clone + drop, 2 threads, same array",
        "ns per round of both threads, median",
        false,
        "no worse than Arc<[T]> (ratio >= ~1.0)",
        vec![
            c("ArcArray", || {
                two_threads(n, || drop(black_box(ours.clone())))
            }),
            c("Arc<[u64]>", || {
                two_threads(n, || drop(black_box(std_slice.clone())))
            }),
            c("Arc<Vec<u64>>", || {
                two_threads(n, || drop(black_box(std_vec.clone())))
            }),
            c("triomphe::ThinArc", || {
                two_threads(n, || drop(black_box(thin.clone())))
            }),
        ],
    )
}

/// One sample: reader throughput (million reads of len + 4 elements per
/// second) while another thread clones and drops the same handle.
fn reads_under_clone_traffic<H: Clone + Send + Sync>(
    handle: &H,
    read: impl Fn(&H) -> u64 + Sync,
) -> f64 {
    let window = Duration::from_millis(100);
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
        // Time only reads that run against the traffic.
        while !started.load(Relaxed) {
            std::hint::spin_loop();
        }
        let start = Instant::now();
        let mut reads = 0u64;
        let mut sink = 0u64;
        while start.elapsed() < window {
            for _ in 0..256 {
                sink = sink.wrapping_add(read(black_box(handle)));
            }
            reads += 256;
        }
        black_box(sink);
        stop.store(true, Relaxed);
        reads as f64 / start.elapsed().as_secs_f64() / 1e6
    })
}

/// Workload 3: readers against clone/drop traffic (false sharing).
fn false_sharing() -> Row {
    let ours = ArcArray::new(4, |i| i as u64);
    let small = compact(4, |i| i as u64);
    let std_slice: Arc<[u64]> = (0..4).collect();
    let thin = ThinArc::from_header_and_iter((), (0..4usize).map(|j| j as u64));
    let std_vec: Arc<Vec<u64>> = Arc::new((0..4).collect());
    let sum = |s: &[u64]| s.len() as u64 + s.iter().sum::<u64>();
    Row::measure(
        "3. reads of len + elements while another thread clones/drops",
        "million reads per second, median",
        true,
        ">= 1.5x Arc<[T]>'s reader throughput",
        vec![
            c("ArcArray", || reads_under_clone_traffic(&ours, |h| sum(h))),
            c(COMPACT, || reads_under_clone_traffic(&small, |h| sum(h))),
            c("Arc<[u64]>", || {
                reads_under_clone_traffic(&std_slice, |h| sum(h))
            }),
            c("Arc<Vec<u64>>", || {
                reads_under_clone_traffic(&std_vec, |h| sum(h))
            }),
            c("triomphe::ThinArc", || {
                reads_under_clone_traffic(&thin, |h| sum(&h.slice))
            }),
        ],
    )
}

/// A fixed pseudo-random permutation (xorshift; no rand dependency).
fn shuffled(n: usize) -> Vec<usize> {
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

/// One sample: ns per array of reading `len` and the elements of every
/// array in `order`.
fn scatter<H>(arrays: &[H], order: &[usize], slice: impl Fn(&H) -> &[u64]) -> f64 {
    scatter_with(arrays, order, |h| {
        let s = slice(h);
        s.len() as u64 + s.iter().sum::<u64>()
    })
}

/// One sample: ns per array of `read` over every array in `order`.
fn scatter_with<H>(arrays: &[H], order: &[usize], read: impl Fn(&H) -> u64) -> f64 {
    let start = Instant::now();
    let total: u64 = order.iter().map(|&i| read(&arrays[i])).sum();
    black_box(total);
    start.elapsed().as_nanos() as f64 / order.len() as f64
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

/// The arrays of workload 4, one set per contender.
#[derive(Default)]
struct Scattered {
    ours: Vec<ArcArray<u64>>,
    small: Vec<CompactArcArray<u64>>,
    std_slice: Vec<Arc<[u64]>>,
    std_vec: Vec<Arc<Vec<u64>>>,
    std_vec_early: Vec<Arc<Vec<u64>>>,
    thin: Vec<ThinArc<(), u64>>,
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
    fn new(n: usize) -> Self {
        let mut early = (0..n)
            .map(|i| (0..4).map(|j| (i + j) as u64).collect::<Vec<u64>>())
            .collect::<Vec<_>>()
            .into_iter();
        let mut s = Scattered::default();
        let four = |i: usize| (0..4).map(move |j| (i + j) as u64);
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
}

/// Workload 4: scattered reads over 1M small arrays.
fn scattered_reads() -> Row {
    let n = 1_000_000;
    let order = shuffled(n);
    let s = Scattered::new(n);
    Row::measure_with(
        SCATTER_REPS,
        "4. scattered reads over 1M arrays of 4 u64",
        "ns per array read (len + 4 elements), median",
        false,
        ">= 1.2x Arc<Vec<T>>, ~1.0x Arc<[T]>",
        vec![
            c("ArcArray", || scatter(&s.ours, &order, |h| h)),
            c(COMPACT, || scatter(&s.small, &order, |h| h)),
            c("Arc<[u64]>", || scatter(&s.std_slice, &order, |h| h)),
            c("Arc<Vec<u64>>, buffer adjacent", || {
                scatter(&s.std_vec, &order, |h| h)
            }),
            c("Arc<Vec<u64>>, Vec built earlier", || {
                scatter(&s.std_vec_early, &order, |h| h)
            }),
            c("triomphe::ThinArc", || {
                scatter(&s.thin, &order, |h| &h.slice)
            }),
        ],
    )
}

/// Workload 10, a probe for workload 4: the same sets, the same lines
/// read, but no branch waits on the length (see [`len_and_four`]). A thin
/// handle (`ArcArray`, `ThinArc`) finds its length in the block, on the line
/// the read misses, so in workload 4 the loop's and the bounds check's
/// branches wait for the miss; `Arc<[u64]>` has its length in the handle.
/// Where workload 4 has thin handles behind `Arc<[u64]>` and this probe
/// has them level, those branches are the difference.
fn scattered_reads_no_length_branch() -> Row {
    let n = 1_000_000;
    let order = shuffled(n);
    let s = Scattered::new(n);
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
    Row::measure_with(
        SCATTER_REPS,
        "10. probe for 4: the same reads, no branch on the length",
        "ns per array read (len + 4 elements), median",
        false,
        "none; level here but not in 4: the branches on the length cost it",
        vec![
            c("ArcArray", || scatter_with(&s.ours, &order, |h| read(h))),
            c(COMPACT, || scatter_with(&s.small, &order, |h| read(h))),
            c("Arc<[u64]>", || {
                scatter_with(&s.std_slice, &order, |h| read(h))
            }),
            c("triomphe::ThinArc", || {
                scatter_with(&s.thin, &order, |h| read(&h.slice))
            }),
        ],
    )
}

/// One sample of a build (and drop), in milliseconds.
fn ms<T>(mut build: impl FnMut() -> T) -> impl FnMut() -> f64 {
    move || {
        let start = Instant::now();
        drop(black_box(build()));
        start.elapsed().as_secs_f64() * 1e3
    }
}

/// Workload 5: one array of 1M u64 from a closure.
fn build_large() -> Row {
    let n = 1_000_000;
    let f = |i: usize| (i as u64).wrapping_mul(0x9E37_79B9);
    Row::measure(
        "5. build one array of 1M u64 from a closure (and drop it)",
        "ms, median",
        false,
        ">= 2x Arc::<[T]>::from(vec), ~1.0x ThinArc::from_header_and_iter",
        vec![
            c("ArcArray", ms(|| ArcArray::new(n, f))),
            c(
                "Arc::<[u64]>::from(vec)",
                ms(|| Arc::<[u64]>::from((0..n).map(f).collect::<Vec<u64>>())),
            ),
            c(
                "collect::<Arc<[u64]>>",
                ms(|| (0..n).map(f).collect::<Arc<[u64]>>()),
            ),
            c(
                "Arc::new(vec) (Arc<Vec>)",
                ms(|| Arc::new((0..n).map(f).collect::<Vec<u64>>())),
            ),
            c(
                "ThinArc::from_header_and_iter",
                ms(|| ThinArc::from_header_and_iter((), (0..n).map(f))),
            ),
        ],
    )
}

/// Workload 6: build and drop many 4-element arrays.
fn build_small() -> Row {
    let n = 1_000_000;
    Row::measure(
        "6. build + drop a 4-element u64 array",
        "ns, median",
        false,
        ">= 1.4x collecting an Arc<[T]>, >= 0.9x ThinArc::from_header_and_iter, both layouts",
        vec![
            c("ArcArray", || {
                ns_per(n, |i| drop(black_box(ArcArray::new(4, |j| (i + j) as u64))))
            }),
            c(COMPACT, || {
                ns_per(n, |i| drop(black_box(compact(4, |j| (i + j) as u64))))
            }),
            c("collect::<Arc<[u64]>>()", || {
                ns_per(n, |i| {
                    drop(black_box(
                        (0..4).map(|j| (i + j) as u64).collect::<Arc<[u64]>>(),
                    ))
                })
            }),
            c("Arc::<[u64]>::from([..; 4])", || {
                ns_per(n, |i| {
                    let i = i as u64;
                    drop(black_box(Arc::<[u64]>::from([i, i + 1, i + 2, i + 3])))
                })
            }),
            c("ThinArc::from_header_and_iter", || {
                ns_per(n, |i| {
                    drop(black_box(ThinArc::from_header_and_iter(
                        (),
                        (0..4).map(|j| (i + j) as u64),
                    )))
                })
            }),
        ],
    )
}

/// Workload 8: a parallel reduction over a shared buffer.
///
/// Both buffers are made anew every round, in alternating order: with
/// one pair made once, the buffer allocated second summed 6-9% faster
/// whichever type it was (swapping the two lines swapped the verdict), a
/// property of where the 800 MB land, not of the handle.
fn rayon_reduction() -> Row {
    let n = 100_000_000;
    let expected = (n as u64) * (n as u64 - 1) / 2;
    let sum_ours = |a: &ArcArray<u64>| a.clone().par_iter().sum::<u64>();
    let sum_vec = |v: &Arc<Vec<u64>>| v.clone().par_iter().sum::<u64>();
    let (mut ours, mut peer) = (Vec::with_capacity(REPS), Vec::with_capacity(REPS));
    for round in 0..=REPS {
        let (a, v) = if round % 2 == 0 {
            let a = ArcArray::new(n, |i| i as u64);
            (a, Arc::new((0..n as u64).collect::<Vec<u64>>()))
        } else {
            let v = Arc::new((0..n as u64).collect::<Vec<u64>>());
            (ArcArray::new(n, |i| i as u64), v)
        };
        assert_eq!((sum_ours(&a), sum_vec(&v)), (expected, expected));
        let (x, y) = if round % 2 == 0 {
            let x = ms(|| sum_ours(&a))();
            (x, ms(|| sum_vec(&v))())
        } else {
            let y = ms(|| sum_vec(&v))();
            (ms(|| sum_ours(&a))(), y)
        };
        // Round 0 warms up and is not recorded.
        if round > 0 {
            ours.push(x);
            peer.push(y);
        }
    }
    Row {
        workload: "8. rayon sum over a shared buffer of 100M u64",
        unit: "ms, median",
        ours_name: "ArcArray",
        ours: median(ours),
        peers: vec![("Arc<Vec<u64>>", median(peer))],
        compact: None,
        higher_is_better: false,
        mark: "no slowdown against Arc<Vec<T>> (ratio >= ~1.0)",
    }
}

/// The `rayon` feature's parallel construction: `par_new` writes straight
/// into the block; without it a buffer is built as a `Vec` in parallel and
/// converted (a copy, except into `Arc<Vec<T>>`).
#[cfg(feature = "rayon")]
fn rayon_build() -> Row {
    let n = 10_000_000;
    let f = |i: usize| (i as u64).wrapping_mul(0x9E37_79B9);
    let par_vec = || (0..n).into_par_iter().map(f).collect::<Vec<u64>>();
    Row::measure(
        "9. build 10M u64 in parallel (rayon) and drop it",
        "ms, median",
        false,
        "no slower than a parallel Vec converted (ratio >= ~1.0)",
        vec![
            c("ArcArray::par_new", ms(|| ArcArray::par_new(n, f))),
            c(
                "ArcArray::from(parallel Vec)",
                ms(|| ArcArray::from(par_vec())),
            ),
            c(
                "Arc::<[u64]>::from(parallel Vec)",
                ms(|| Arc::<[u64]>::from(par_vec())),
            ),
            c("Arc::new(parallel Vec)", ms(|| Arc::new(par_vec()))),
        ],
    )
}

/// Workload 14: `collect` from an indexed parallel iterator, which writes
/// straight into the block (as rayon's own `Vec` collect writes into the
/// vector), against collecting a `Vec` in parallel and converting it (a
/// second 80 MB block, faulted in again, and a serial copy), against
/// `par_new` with the same closure, and against std's `Arc<[u64]>` and
/// triomphe's `Arc<[u64]>` from the collected `Vec` (neither has a
/// parallel collect of its own). More rounds than most: each sample is
/// 10-60 ms of two cores, which other tenants share.
#[cfg(feature = "rayon")]
fn rayon_collect() -> Row {
    let n = 10_000_000u64;
    let f = |i: u64| i * 3 + 1;
    let par_vec = move || (0..n).into_par_iter().map(f).collect::<Vec<u64>>();
    let check: ArcArray<u64> = (0..n).into_par_iter().map(f).collect();
    assert!(check.iter().enumerate().all(|(i, &x)| x == f(i as u64)));
    drop(check);
    Row::measure_with(
        COLLECT_REPS,
        "14. collect 10M mapped u64 from an indexed parallel iterator (rayon) and drop it",
        "ms, median",
        false,
        "at least 2x a parallel Vec converted, no slower than par_new (ratio >= ~1.0)",
        vec![
            c(
                "collect::<ArcArray<u64>>()",
                ms(move || (0..n).into_par_iter().map(f).collect::<ArcArray<u64>>()),
            ),
            c(
                "ArcArray::from(collect::<Vec<u64>>())",
                ms(move || ArcArray::from(par_vec())),
            ),
            c(
                "ArcArray::par_new(n, f)",
                ms(move || ArcArray::par_new(n as usize, |i| f(i as u64))),
            ),
            c(
                "Arc::<[u64]>::from(collect::<Vec>())",
                ms(move || Arc::<[u64]>::from(par_vec())),
            ),
            c(
                "triomphe::Arc::<[u64]>::from(Vec)",
                ms(move || triomphe::Arc::<[u64]>::from(par_vec())),
            ),
            c("collect::<Vec<u64>>() alone", ms(par_vec)),
        ],
    )
}

/// Rounds for workload 14 (samples of 10-60 ms).
const COLLECT_REPS: usize = 21;

/// Rounds for workload 12's copies and touched buffers (0.5 to 2 s each,
/// 1 to 2 GiB written): few, and never two buffers alive at once.
const ZEROED_REPS: usize = 5;

/// Rounds for workload 11, whose samples (1M arrays, 50 to 300 ms each)
/// are long enough for other tenants to take the core during most of them.
const ARENA_REPS: usize = 15;

/// Rounds of short samples (workload 13, where the bar is 2%, and
/// workload 12's `calloc` forms): many samples under a millisecond,
/// shorter than a time slice on a shared core, so that most run
/// uninterrupted and the median is theirs.
const SHORT_REPS: usize = 501;

/// One sample of workload 11's batch, in ns per array: the build, the
/// drops, the arena's reset (0 for the others, which free as they drop).
type Phases = [f64; 3];

/// The build and the drops of one batch of workload 11, in ns per array:
/// `n` arrays made by `make` into slots made (and faulted in) before the
/// clock starts, so the handles' own storage is not timed, then dropped
/// slot by slot; the slots are freed after, untimed.
fn batch<H>(n: usize, make: impl Fn(usize) -> H) -> [f64; 2] {
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
    let dropped = Instant::now();
    [per_array(built - start, n), per_array(dropped - built, n)]
}

/// `d` in ns per array of `n`.
fn per_array(d: Duration, n: usize) -> f64 {
    d.as_nanos() as f64 / n as f64
}

/// Workload 11: 1M arrays of 4 u64 from a `bumpalo::Bump` arena, built,
/// dropped and the arena reset, against the same arrays from the global
/// allocator (`ArcArray::new`, and `Arc<[u64]>` built the two ways users
/// build one).
///
/// An arena frees nothing on drop (bumpalo takes back only its most
/// recent allocation), so a batch keeps all 1M alive, drops them, then
/// resets the arena: the bar is build + drop + reset, and each part is
/// reported too. The arena is one long-lived `Bump`, reset every round as
/// a program resets it between phases: after the warm-up round it keeps
/// its largest chunk, so later rounds bump through memory already
/// mapped. The global allocator keeps what it keeps (glibc: freed chunks
/// in its bins, the top of the heap trimmed). Each contender's arrays are
/// built in its own sample, the way a user builds them, one after another;
/// the rounds interleave the contenders.
///
/// The layout weighs here as much as the allocator: in a `Bump` a padded
/// array of 4 u64 takes 176 bytes (the 128-byte count region), a compact
/// one 64, and a batch of 1M (176 or 64 MB) is written through memory, not
/// cache. `CompactArcArray` runs in both allocators, with its own ratios.
///
/// A second arena contender makes a fresh `Bump` for every batch and drops
/// it instead of resetting it (its "reset" is that drop): it maps new
/// chunks every time, as the global allocator's contenders map new heap.
///
/// A last row builds and drops one array at a time, as workload 6 does:
/// there bumpalo takes each block back as it is dropped, so the arena
/// reuses one block and never grows.
fn arena_build() -> Vec<Row> {
    let n = 1_000_000;
    let mut bump = bumpalo::Bump::new();
    let mut compact_bump = bumpalo::Bump::new();
    let four = |i: usize| (0..4).map(move |j| (i + j) as u64);
    let mut contenders: Vec<Contender<'_, Phases>> = vec![
        (
            "ArcArray::new_in(.., &Bump)",
            Box::new(move || {
                let [build, drops] = batch(n, |i| ArcArray::new_in(4, |j| (i + j) as u64, &bump));
                // The arrays and their borrows of the arena are gone.
                let start = Instant::now();
                bump.reset();
                [build, drops, per_array(start.elapsed(), n)]
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
                [build, drops, per_array(start.elapsed(), n)]
            }),
        ),
        (
            "ArcArray::new_in(.., &fresh Bump)",
            Box::new(move || {
                let fresh = bumpalo::Bump::new();
                let [build, drops] = batch(n, |i| ArcArray::new_in(4, |j| (i + j) as u64, &fresh));
                let start = Instant::now();
                drop(fresh);
                [build, drops, per_array(start.elapsed(), n)]
            }),
        ),
        (
            "ArcArray::new (global allocator)",
            Box::new(move || {
                let [build, drops] = batch(n, |i| ArcArray::new(4, |j| (i + j) as u64));
                [build, drops, 0.0]
            }),
        ),
        (
            "CompactArcArray::new (global allocator)",
            Box::new(move || {
                let [build, drops] = batch(n, |i| compact(4, |j| (i + j) as u64));
                [build, drops, 0.0]
            }),
        ),
        (
            "Arc::<[u64]>::from([..; 4])",
            Box::new(move || {
                let [build, drops] = batch(n, |i| {
                    let i = i as u64;
                    Arc::<[u64]>::from([i, i + 1, i + 2, i + 3])
                });
                [build, drops, 0.0]
            }),
        ),
        (
            "collect::<Arc<[u64]>>()",
            Box::new(move || {
                let [build, drops] = batch(n, |i| four(i).collect::<Arc<[u64]>>());
                [build, drops, 0.0]
            }),
        ),
    ];
    let samples = interleaved(ARENA_REPS, &mut contenders);
    let names: Vec<&'static str> = contenders.iter().map(|c| c.0).collect();
    let phase = |k: usize| -> Vec<Vec<f64>> {
        samples
            .iter()
            .map(|s| s.iter().map(|p| p[k]).collect())
            .collect()
    };
    let totals = samples
        .iter()
        .map(|s| s.iter().map(|p| p.iter().sum()).collect())
        .collect();
    let unit = "ns per array, median";
    let part = "none: a part of 11's total (medians of parts need not add up to the total's)";
    let mut rows = vec![
        Row::from_samples(
            "11. 1M arrays of 4 u64: build, drop all, reset the arena, together",
            unit,
            false,
            ">= 1.3x both ArcArray::new and Arc<[u64]>, build + drop + reset together",
            names.clone(),
            totals,
        ),
        Row::from_samples(
            "11. the build alone",
            unit,
            false,
            part,
            names.clone(),
            phase(0),
        ),
        Row::from_samples(
            "11. the drops alone",
            unit,
            false,
            part,
            names.clone(),
            phase(1),
        ),
        // The others have nothing to reset: the arenas' figures alone, in
        // microseconds per batch of 1M arrays.
        Row::from_samples(
            "11. the arena's reset alone (the fresh arena's drop)",
            "µs per reset of 1M arrays' arena, median",
            false,
            part,
            names[..3].to_vec(),
            phase(2)[..3]
                .iter()
                .map(|s| s.iter().map(|&ns| ns * n as f64 / 1e3).collect())
                .collect(),
        ),
    ];
    drop(contenders);
    let one = 1_000_000;
    let (bump, compact_bump) = (bumpalo::Bump::new(), bumpalo::Bump::new());
    rows.push(Row::measure_with(
        ARENA_REPS,
        "11. one at a time: build and drop each array before the next",
        "ns per build + drop, median",
        false,
        "none: bumpalo takes each block back, the arena never grows",
        vec![
            c("ArcArray::new_in(.., &Bump)", || {
                ns_per(one, |i| {
                    drop(black_box(ArcArray::new_in(4, |j| (i + j) as u64, &bump)))
                })
            }),
            c("CompactArcArray::new_in(.., &Bump)", || {
                ns_per(one, |i| {
                    drop(black_box(CompactArcArray::new_in(
                        4,
                        |j| (i + j) as u64,
                        &compact_bump,
                    )))
                })
            }),
            c("ArcArray::new (global allocator)", || {
                ns_per(one, |i| {
                    drop(black_box(ArcArray::new(4, |j| (i + j) as u64)))
                })
            }),
            c("CompactArcArray::new (global allocator)", || {
                ns_per(one, |i| drop(black_box(compact(4, |j| (i + j) as u64))))
            }),
            c("Arc::<[u64]>::from([..; 4])", || {
                ns_per(one, |i| {
                    let i = i as u64;
                    drop(black_box(Arc::<[u64]>::from([i, i + 1, i + 2, i + 3])))
                })
            }),
            c("collect::<Arc<[u64]>>()", || {
                ns_per(one, |i| drop(black_box(four(i).collect::<Arc<[u64]>>())))
            }),
        ],
    ));
    rows
}

/// Writes one byte in every 4 KiB page of `buf`: the first touch, where
/// the OS maps (and zeroes) a page that `calloc` left unmapped.
fn touch_pages(buf: &mut [u8]) {
    for page in buf.chunks_mut(4096) {
        page[0] = 1;
    }
}

/// One sample of a build (and drop), in microseconds: the mean of
/// `iters` builds.
fn us<T>(iters: usize, mut build: impl FnMut() -> T) -> impl FnMut() -> f64 {
    move || {
        let start = Instant::now();
        for _ in 0..iters {
            drop(black_box(build()));
        }
        start.elapsed().as_secs_f64() * 1e6 / iters as f64
    }
}

/// Workload 12: a 1 GiB zeroed shared buffer, made and dropped as a user
/// would, untouched: `calloc` maps fresh pages that the OS zeroes when
/// they are first touched, so the zeroing is not in these figures, while
/// the copy from a `Vec` writes every page. A second row writes one byte
/// per page before sharing (each contender through its own unique
/// access: the `UniqueArcArray`, `Arc::get_mut`, the `Vec` before it is
/// copied), which faults in every page: the price the first row defers.
///
/// The untouched `calloc` forms (a few microseconds: a map, a fault on the
/// header's page, an unmap) are sampled against each other in
/// [`SHORT_REPS`] rounds of 20 builds, and the copy (a second or so) in
/// [`ZEROED_REPS`] rounds of its own, its ratio against ArcArray's median:
/// in rounds with the copy, the build right after it unmapped its 1 GiB
/// ran cold (25 µs against 6 here), and the rotation puts the same
/// contender after the copy most times. One buffer is alive at a time
/// (two, 2 GiB, in the touched copy: the `Vec` and its copy).
fn zeroed_buffer() -> Vec<Row> {
    let n: usize = 1 << 30;
    let ours = || {
        // SAFETY: all-zero bytes are a valid `u8`.
        unsafe { UniqueArcArray::<u8>::new_zeroed(n).assume_init() }
    };
    let std_zeroed = || {
        // SAFETY: all-zero bytes are a valid `u8`.
        unsafe { Arc::<[u8]>::new_zeroed_slice(n).assume_init() }
    };
    let mut calloc = vec![
        c(
            "new_zeroed + assume_init + shareable",
            us(20, || ours().shareable()),
        ),
        c("Arc::<[u8]>::new_zeroed_slice", us(20, std_zeroed)),
    ];
    let mut samples = interleaved(SHORT_REPS, &mut calloc);
    // One copy per sample, in microseconds.
    let mut copy = vec![c("Arc::<[u8]>::from(vec![0; n])", {
        let mut copy = ms(|| Arc::<[u8]>::from(vec![0u8; n]));
        move || copy() * 1e3
    })];
    samples.extend(interleaved(ZEROED_REPS, &mut copy));
    let names = calloc.iter().chain(&copy).map(|c| c.0).collect();
    let untouched = Row::from_samples(
        "12. a 1 GiB zeroed shared buffer, made and dropped, untouched",
        "µs per build + drop, median",
        false,
        ">= 100x Arc::<[u8]>::from(vec![0; n]), >= 1.0x Arc::<[u8]>::new_zeroed_slice",
        names,
        samples,
    );
    let touched = Row::measure_with(
        ZEROED_REPS,
        "12. the same, a byte written in every page before sharing",
        "ms, median",
        false,
        "none: the first touch, what the untouched figures leave out",
        vec![
            c(
                "new_zeroed + assume_init + shareable",
                ms(|| {
                    let mut u = ours();
                    touch_pages(&mut u);
                    u.shareable()
                }),
            ),
            c(
                "Arc::<[u8]>::new_zeroed_slice",
                ms(|| {
                    let mut a = std_zeroed();
                    touch_pages(Arc::get_mut(&mut a).expect("a new Arc is unique"));
                    a
                }),
            ),
            c(
                "Arc::<[u8]>::from(vec![0; n])",
                ms(|| {
                    let mut v = vec![0u8; n];
                    touch_pages(&mut v);
                    Arc::<[u8]>::from(v)
                }),
            ),
        ],
    );
    vec![untouched, touched]
}

/// Workload 13: `try_new` against `new`, the same closure, 4 and 1M
/// elements. `try_new`'s `Result` is dropped whole (dropping its array),
/// unexamined, so the difference is the constructor's alone.
fn try_new_cost() -> Vec<Row> {
    let small = Row::measure_with(
        SHORT_REPS,
        "13. try_new against new, 4 u64",
        "ns per build + drop, median",
        false,
        "within 2% (ratio 0.98 to 1.02)",
        vec![
            c("ArcArray::try_new", || {
                ns_per(10_000, |_| {
                    drop(black_box(ArcArray::try_new(4, |i| i as u64)))
                })
            }),
            c("ArcArray::new", || {
                ns_per(10_000, |_| drop(black_box(ArcArray::new(4, |i| i as u64))))
            }),
        ],
    );
    let n = 1_000_000;
    // One build per sample (a few hundred microseconds).
    let large = Row::measure_with(
        SHORT_REPS,
        "13. try_new against new, 1M u64",
        "µs per build + drop, median",
        false,
        "within 2% (ratio 0.98 to 1.02)",
        vec![
            c("ArcArray::try_new", || {
                ns_per(1, |_| drop(black_box(ArcArray::try_new(n, |i| i as u64)))) / 1e3
            }),
            c("ArcArray::new", || {
                ns_per(1, |_| drop(black_box(ArcArray::new(n, |i| i as u64)))) / 1e3
            }),
        ],
    );
    vec![small, large]
}

/// `into` after pushing each of `values` in turn, as a user's loop does.
fn pushed<C>(mut into: C, push: impl Fn(&mut C, u64), values: impl Iterator<Item = u64>) -> C {
    for value in values {
        push(&mut into, value);
    }
    into
}

/// Rounds for workloads 15 and 16 (samples of 1 to 20 ms).
const GROW_REPS: usize = 101;

/// Workload 15: 1M u64 pushed one at a time, then shared, as a user fills
/// a buffer whose length a loop decides: into a `UniqueArcArray` that
/// `shareable` turns into an `ArcArray` with the same block, against a
/// `Vec` that `Arc::<[u64]>::from` copies into a second block; and the
/// `Vec` alone, not shared, for the speed of the pushes and the growth.
/// Each with the capacity known (`with_capacity(n)`) and unknown (from
/// empty, doubling). Every contender drops its result inside the timed
/// sample (`us`). The six are sampled in the same rounds; a row for each
/// capacity. Under [`MMAP_THRESHOLD`] the 8 MB blocks come from glibc's
/// heap, already faulted in after the warm-up round, so `Arc::from`'s
/// second block costs its copy and no page faults; run alone with
/// `--mmap-threshold=131072`, every block is a fresh mapping instead.
fn push_then_share() -> Vec<Row> {
    let n = 1_000_000;
    let values = move || (0..n).map(|i| (i as u64).wrapping_mul(0x9E37_79B9));
    let ours = UniqueArcArray::push;
    let mut contenders = vec![
        c(
            "UniqueArcArray::with_capacity(n)",
            us(1, || {
                pushed(UniqueArcArray::with_capacity(n), ours, values()).shareable()
            }),
        ),
        c(
            "Vec::with_capacity(n) + Arc::from",
            us(1, || {
                Arc::<[u64]>::from(pushed(Vec::with_capacity(n), Vec::push, values()))
            }),
        ),
        c(
            "Vec::with_capacity(n) alone",
            us(1, || pushed(Vec::with_capacity(n), Vec::push, values())),
        ),
        c(
            "UniqueArcArray::with_capacity(0)",
            us(1, || {
                pushed(UniqueArcArray::with_capacity(0), ours, values()).shareable()
            }),
        ),
        c(
            "Vec::new() + Arc::from",
            us(1, || {
                Arc::<[u64]>::from(pushed(Vec::new(), Vec::push, values()))
            }),
        ),
        c(
            "Vec::new() alone",
            us(1, || pushed(Vec::new(), Vec::push, values())),
        ),
    ];
    let samples = interleaved(GROW_REPS, &mut contenders);
    let names: Vec<&'static str> = contenders.iter().map(|c| c.0).collect();
    let (known, unknown) = samples.split_at(3);
    let mark = ">= 1.8x Vec + Arc::from, >= 0.9x the Vec alone";
    vec![
        Row::from_samples(
            "15. push 1M u64 into with_capacity(n), share (shareable, Arc::from), drop",
            "µs per array (1M pushes, share, drop), median",
            false,
            mark,
            names[..3].to_vec(),
            known.to_vec(),
        ),
        Row::from_samples(
            "15. the same from empty (with_capacity(0), Vec::new()), growing",
            "µs per array (1M pushes, share, drop), median",
            false,
            mark,
            names[3..].to_vec(),
            unknown.to_vec(),
        ),
    ]
}

/// Workload 16: 4 u64 pushed into room for 4, shared and dropped, 500,000
/// times: the small-array form of workload 15, where the allocations and
/// the copy weigh more than the pushes. Both layouts; every array is
/// dropped inside the timing.
fn small_push_then_share() -> Vec<Row> {
    let n = 500_000;
    let four = |i: usize| (0..4).map(move |j| (i + j) as u64);
    vec![Row::measure_with(
        GROW_REPS,
        "16. push 4 u64 into with_capacity(4), share (shareable, Arc::from), drop",
        "ns per array, median",
        false,
        ">= 1.5x Vec + Arc::from",
        vec![
            c("UniqueArcArray", || {
                ns_per(n, |i| {
                    let u = pushed(
                        UniqueArcArray::with_capacity(4),
                        UniqueArcArray::push,
                        four(i),
                    );
                    drop(black_box(u.shareable()))
                })
            }),
            c("CompactUniqueArcArray", || {
                ns_per(n, |i| {
                    let u = pushed(
                        CompactUniqueArcArray::with_capacity(4),
                        CompactUniqueArcArray::push,
                        four(i),
                    );
                    drop(black_box(u.shareable()))
                })
            }),
            c("Vec::with_capacity(4) + Arc::from", || {
                ns_per(n, |i| {
                    let v = pushed(Vec::with_capacity(4), Vec::push, four(i));
                    drop(black_box(Arc::<[u64]>::from(v)))
                })
            }),
        ],
    )]
}

/// Workload 7: bytes per array, handle + blocks as the allocator is asked.
fn memory() {
    fn measure<T>(make: impl Fn() -> T) -> (usize, usize) {
        let (b0, a0) = (BYTES.load(Relaxed), ALLOCS.load(Relaxed));
        let value = make();
        let bytes = BYTES.load(Relaxed) - b0 + std::mem::size_of::<T>();
        let allocs = ALLOCS.load(Relaxed) - a0;
        drop(value);
        (bytes, allocs)
    }
    COUNTING.store(true, Relaxed);
    println!("7. memory per array of u64 (handle + requested block bytes, allocations)");
    println!("  {:<22} {:>16} {:>16}", "", "len 4", "len 1000");
    let row = |name: &str, f4: (usize, usize), f1000: (usize, usize)| {
        println!(
            "  {:<22} {:>10} B ({})  {:>10} B ({})",
            name, f4.0, f4.1, f1000.0, f1000.1
        );
    };
    row(
        "ArcArray",
        measure(|| ArcArray::new(4, |i| i as u64)),
        measure(|| ArcArray::new(1000, |i| i as u64)),
    );
    row(
        COMPACT,
        measure(|| compact(4, |i| i as u64)),
        measure(|| compact(1000, |i| i as u64)),
    );
    row(
        "Arc<[u64]>",
        measure(|| (0..4u64).collect::<Arc<[u64]>>()),
        measure(|| (0..1000u64).collect::<Arc<[u64]>>()),
    );
    row(
        "Arc<Vec<u64>>",
        measure(|| Arc::new((0..4u64).collect::<Vec<u64>>())),
        measure(|| Arc::new((0..1000u64).collect::<Vec<u64>>())),
    );
    row(
        "triomphe::ThinArc",
        measure(|| ThinArc::from_header_and_iter((), (0..4usize).map(|j| j as u64))),
        measure(|| ThinArc::from_header_and_iter((), (0..1000usize).map(|j| j as u64))),
    );
    COUNTING.store(false, Relaxed);
}

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
/// 128 KiB; run alone (`-- 15 16 --mmap-threshold=131072`), every one
/// is mapped.
const MMAP_THRESHOLD: usize = 32 << 20;

/// Fixes glibc's mmap threshold at [`MMAP_THRESHOLD`], or at `BYTES`
/// with `--mmap-threshold=BYTES`, and its trim threshold at twice that, as
/// glibc's own adjustment pairs them (`mallopt`, which also stops the
/// adjustment); `--mmap-threshold=dynamic` leaves both to glibc. Returns
/// the state, for the header line. Called first in `main`, before any
/// other thread.
fn fix_mmap_threshold() -> String {
    let arg = std::env::args().find_map(|a| a.strip_prefix("--mmap-threshold=").map(String::from));
    let mmap = match arg.as_deref() {
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
            // exists yet.
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

/// A workload of several rows.
type Workload = fn() -> Vec<Row>;

fn main() {
    let mmap = fix_mmap_threshold();
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    println!(
        "heaparray vs peers on {cpu}, {} threads available; medians of {REPS} interleaved rounds ({SCATTER_REPS} for workloads 4 and 10, {ARENA_REPS} for 11, {ZEROED_REPS} and {SHORT_REPS} for 12, {SHORT_REPS} for 13, {COLLECT_REPS} for 14, {GROW_REPS} for 15 and 16); {mmap}\n",
        thread::available_parallelism().map_or(1, |n| n.get())
    );
    // Workload numbers on the command line run just those.
    let chosen: Vec<u32> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let run = |k: u32| chosen.is_empty() || chosen.contains(&k);
    let start = Instant::now();
    let workloads: [(u32, fn() -> Row); 7] = [
        (1, clone_drop_one_thread),
        (2, clone_drop_two_threads),
        (3, false_sharing),
        (4, scattered_reads),
        (5, build_large),
        (6, build_small),
        (8, rayon_reduction),
    ];
    for (k, workload) in workloads {
        if run(k) {
            workload().print();
        }
        if k == 6 && run(7) {
            memory();
        }
    }
    if run(9) {
        #[cfg(feature = "rayon")]
        rayon_build().print();
        #[cfg(not(feature = "rayon"))]
        println!("9. parallel construction (par_new): run with `--features rayon`");
    }
    if run(10) {
        scattered_reads_no_length_branch().print();
    }
    // The allocator parameter's workloads, several rows each.
    let rows: [(u32, Workload); 3] = [(11, arena_build), (12, zeroed_buffer), (13, try_new_cost)];
    for (k, workload) in rows {
        if run(k) {
            workload().iter().for_each(Row::print);
        }
    }
    if run(14) {
        #[cfg(feature = "rayon")]
        rayon_collect().print();
        #[cfg(not(feature = "rayon"))]
        println!("14. parallel collect (FromParallelIterator): run with `--features rayon`");
    }
    // A unique array grown like a `Vec`, then shared.
    let grown: [(u32, Workload); 2] = [(15, push_then_share), (16, small_push_then_share)];
    for (k, workload) in grown {
        if run(k) {
            workload().iter().for_each(Row::print);
        }
    }
    println!("\n(total {:.1} s)", start.elapsed().as_secs_f64());
}
