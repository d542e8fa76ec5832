//! Criterion benchmarks: every workload with heaparray and its peers in one
//! group (std `Arc<[u64]>`, `Arc<Vec<u64>>`, triomphe's `ThinArc` and
//! `Arc<[u64]>`; `CompactArcArray` where the layout matters: groups 1, 3,
//! 4, 6, 11 and 16), so that `target/criterion/<group>/report` compares them
//! side by side. `cargo run --release --example compare` prints the same
//! comparison as a table of ratios in about a minute and a half, its
//! contenders interleaved round by round (criterion samples one function
//! after another: on a shared machine its ratios drift more); the memory
//! workload (7) is only there, as it needs a counting allocator. Groups 9
//! (`par_new`) and 14 (`collect` from a parallel iterator) need
//! `--features rayon`. Groups 11 to 13 measure the
//! allocator parameter: arrays from a `bumpalo::Bump` arena (11), a 1 GiB
//! zeroed buffer (12, up to 2 GiB alive at once), `try_new` against `new`
//! (13). Groups 15 and 16 grow a `UniqueArcArray` as a `Vec` and share it
//! (1M `u64`; 4 `u64`). glibc's mmap threshold is fixed before the first
//! group (`fix_mmap_threshold`).

// The functions criterion_group! generates have no docs.
#![allow(missing_docs)]

use std::hint::black_box;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use bumpalo::Bump;
use criterion::measurement::WallTime;
use criterion::{criterion_group, BenchmarkGroup, Criterion};
use heaparray::{ArcArray, CompactArcArray, CompactUniqueArcArray, UniqueArcArray};
use rayon::prelude::*;
use triomphe::ThinArc;

fn four() -> impl ExactSizeIterator<Item = u64> {
    (0..4usize).map(|j| j as u64)
}

/// A compact-layout array of `len` elements, `f(i)` each.
fn compact(len: usize, f: impl FnMut(usize) -> u64) -> CompactArcArray<u64> {
    CompactArcArray::new(len, f)
}

/// 1. clone + drop on one thread.
fn clone_drop(c: &mut Criterion) {
    let mut g = c.benchmark_group("1_clone_drop");
    let ours = ArcArray::new(4, |i| i as u64);
    let std_slice: Arc<[u64]> = four().collect();
    let std_vec: Arc<Vec<u64>> = Arc::new(four().collect());
    let thin = ThinArc::from_header_and_iter((), four());
    let tri: triomphe::Arc<[u64]> = four().collect();
    let small = compact(4, |i| i as u64);
    g.bench_function("ArcArray", |b| b.iter(|| drop(black_box(ours.clone()))));
    g.bench_function("CompactArcArray", |b| {
        b.iter(|| drop(black_box(small.clone())))
    });
    g.bench_function("Arc<[u64]>", |b| {
        b.iter(|| drop(black_box(std_slice.clone())))
    });
    g.bench_function("Arc<Vec<u64>>", |b| {
        b.iter(|| drop(black_box(std_vec.clone())))
    });
    g.bench_function("triomphe::ThinArc", |b| {
        b.iter(|| drop(black_box(thin.clone())))
    });
    g.bench_function("triomphe::Arc<[u64]>", |b| {
        b.iter(|| drop(black_box(tri.clone())))
    });
    g.finish();
}

/// Times `iters` clone+drop rounds on each of two threads at once.
fn contended<H: Clone + Send + Sync>(handle: &H, iters: u64) -> Duration {
    let start = Instant::now();
    thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| (0..iters).for_each(|_| drop(black_box(handle.clone()))));
        }
    });
    start.elapsed()
}

/// 2. clone + drop from 2 threads on the same array.
fn clone_drop_two_threads(c: &mut Criterion) {
    let mut g = c.benchmark_group("2_clone_drop_2_threads");
    let ours = ArcArray::new(4, |i| i as u64);
    let std_slice: Arc<[u64]> = four().collect();
    let std_vec: Arc<Vec<u64>> = Arc::new(four().collect());
    let thin = ThinArc::from_header_and_iter((), four());
    g.bench_function("ArcArray", |b| b.iter_custom(|n| contended(&ours, n)));
    g.bench_function("Arc<[u64]>", |b| {
        b.iter_custom(|n| contended(&std_slice, n))
    });
    g.bench_function("Arc<Vec<u64>>", |b| {
        b.iter_custom(|n| contended(&std_vec, n))
    });
    g.bench_function("triomphe::ThinArc", |b| {
        b.iter_custom(|n| contended(&thin, n))
    });
    g.finish();
}

/// Times `iters` reads of len + elements while another thread clones and
/// drops the same handle: false sharing shows as slower reads.
fn reads_under_traffic<H: Clone + Send + Sync>(
    handle: &H,
    read: impl Fn(&H) -> u64,
    iters: u64,
) -> Duration {
    let (started, stop) = (AtomicBool::new(false), AtomicBool::new(false));
    thread::scope(|s| {
        s.spawn(|| {
            started.store(true, Relaxed);
            while !stop.load(Relaxed) {
                drop(black_box(handle.clone()));
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

/// 3. readers against clone/drop traffic on the same array.
fn false_sharing(c: &mut Criterion) {
    let mut g = c.benchmark_group("3_reads_under_clone_traffic");
    let sum = |s: &[u64]| s.len() as u64 + s.iter().sum::<u64>();
    let ours = ArcArray::new(4, |i| i as u64);
    let std_slice: Arc<[u64]> = four().collect();
    let std_vec: Arc<Vec<u64>> = Arc::new(four().collect());
    let thin = ThinArc::from_header_and_iter((), four());
    let small = compact(4, |i| i as u64);
    g.bench_function("ArcArray", |b| {
        b.iter_custom(|n| reads_under_traffic(&ours, |h| sum(h), n))
    });
    g.bench_function("CompactArcArray", |b| {
        b.iter_custom(|n| reads_under_traffic(&small, |h| sum(h), n))
    });
    g.bench_function("Arc<[u64]>", |b| {
        b.iter_custom(|n| reads_under_traffic(&std_slice, |h| sum(h), n))
    });
    g.bench_function("Arc<Vec<u64>>", |b| {
        b.iter_custom(|n| reads_under_traffic(&std_vec, |h| sum(h), n))
    });
    g.bench_function("triomphe::ThinArc", |b| {
        b.iter_custom(|n| reads_under_traffic(&thin, |h| sum(&h.slice), n))
    });
    g.finish();
}

/// A fixed pseudo-random permutation (xorshift).
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

/// Sums `len` and the elements of the arrays in `order`.
fn scatter<H>(arrays: &[H], order: &[usize], slice: impl Fn(&H) -> &[u64]) -> u64 {
    order
        .iter()
        .map(|&i| {
            let s = slice(&arrays[i]);
            s.len() as u64 + s.iter().sum::<u64>()
        })
        .sum()
}

/// 4. scattered reads over 1M small arrays.
///
/// The arrays are made in turns of 64 per contender, so that every set
/// spreads alike over the same heap, and `Arc<Vec>` two ways: its buffer
/// right before its `ArcInner` (adjacent), and wrapping `Vec`s built
/// earlier (two independent cache misses); `examples/compare.rs`
/// (`Scattered::new`) says why.
fn scattered_reads(c: &mut Criterion) {
    let mut g = c.benchmark_group("4_scattered_reads_1M_arrays");
    g.sample_size(10);
    let n = 1_000_000;
    let order = shuffled(n);
    let mut early = (0..n)
        .map(|i| four().map(|j| j + i as u64).collect::<Vec<u64>>())
        .collect::<Vec<_>>()
        .into_iter();
    let mut ours = Vec::with_capacity(n);
    let mut small = Vec::with_capacity(n);
    let mut std_slice: Vec<Arc<[u64]>> = Vec::with_capacity(n);
    let mut std_vec: Vec<Arc<Vec<u64>>> = Vec::with_capacity(n);
    let mut std_vec_early = Vec::with_capacity(n);
    let mut thin = Vec::with_capacity(n);
    for turn in (0..n).step_by(64) {
        let arrays = turn..(turn + 64).min(n);
        ours.extend(arrays.clone().map(|i| ArcArray::new(4, |j| (i + j) as u64)));
        small.extend(arrays.clone().map(|i| compact(4, |j| (i + j) as u64)));
        std_slice.extend(
            arrays
                .clone()
                .map(|i| four().map(|j| j + i as u64).collect::<Arc<[u64]>>()),
        );
        std_vec.extend(
            arrays
                .clone()
                .map(|i| Arc::new(four().map(|j| j + i as u64).collect::<Vec<u64>>())),
        );
        std_vec_early.extend(early.by_ref().take(arrays.len()).map(Arc::new));
        thin.extend(
            arrays.map(|i| ThinArc::from_header_and_iter((), four().map(move |j| j + i as u64))),
        );
    }
    g.bench_function("ArcArray", |b| b.iter(|| scatter(&ours, &order, |h| h)));
    g.bench_function("CompactArcArray", |b| {
        b.iter(|| scatter(&small, &order, |h| h))
    });
    g.bench_function("Arc<[u64]>", |b| {
        b.iter(|| scatter(&std_slice, &order, |h| h))
    });
    g.bench_function("Arc<Vec<u64>>, buffer adjacent", |b| {
        b.iter(|| scatter(&std_vec, &order, |h| h))
    });
    g.bench_function("Arc<Vec<u64>>, Vec built earlier", |b| {
        b.iter(|| scatter(&std_vec_early, &order, |h| h))
    });
    g.bench_function("triomphe::ThinArc", |b| {
        b.iter(|| scatter(&thin, &order, |h| &h.slice))
    });
    g.finish();
}

/// 5. one array of 1M u64 from a closure.
fn build_large(c: &mut Criterion) {
    let mut g = c.benchmark_group("5_build_1M_u64");
    g.sample_size(20);
    let n = 1_000_000;
    let f = |i: usize| (i as u64).wrapping_mul(0x9E37_79B9);
    g.bench_function("ArcArray::new", |b| b.iter(|| ArcArray::new(n, f)));
    g.bench_function("Arc::<[u64]>::from(vec)", |b| {
        b.iter(|| Arc::<[u64]>::from((0..n).map(f).collect::<Vec<u64>>()))
    });
    g.bench_function("collect::<Arc<[u64]>>", |b| {
        b.iter(|| (0..n).map(f).collect::<Arc<[u64]>>())
    });
    g.bench_function("Arc<Vec<u64>>", |b| {
        b.iter(|| Arc::new((0..n).map(f).collect::<Vec<u64>>()))
    });
    g.bench_function("ThinArc::from_header_and_iter", |b| {
        b.iter(|| ThinArc::from_header_and_iter((), (0..n).map(f)))
    });
    g.finish();
}

/// 6. build and drop 4-element arrays.
fn build_small(c: &mut Criterion) {
    let mut g = c.benchmark_group("6_build_drop_4_u64");
    g.bench_function("ArcArray::new", |b| {
        b.iter(|| ArcArray::new(4, |j| black_box(j as u64)))
    });
    g.bench_function("CompactArcArray::new", |b| {
        b.iter(|| compact(4, |j| black_box(j as u64)))
    });
    g.bench_function("collect::<Arc<[u64]>>", |b| {
        b.iter(|| {
            (0..4usize)
                .map(|j| black_box(j as u64))
                .collect::<Arc<[u64]>>()
        })
    });
    g.bench_function("Arc::<[u64]>::from([..; 4])", |b| {
        b.iter(|| Arc::<[u64]>::from(black_box([0u64, 1, 2, 3])))
    });
    g.bench_function("ThinArc::from_header_and_iter", |b| {
        b.iter(|| ThinArc::from_header_and_iter((), (0..4usize).map(|j| black_box(j as u64))))
    });
    g.finish();
}

/// Workload 8, a rayon reduction over a shared buffer: 10M u64 here,
/// 100M in the compare example.
fn rayon_reduction(c: &mut Criterion) {
    let mut g = c.benchmark_group("8_rayon_sum_10M_u64");
    g.sample_size(20);
    let n = 10_000_000;
    let ours = ArcArray::new(n, |i| i as u64);
    let std_vec: Arc<Vec<u64>> = Arc::new((0..n as u64).collect());
    g.bench_function("ArcArray", |b| {
        b.iter(|| ours.clone().par_iter().sum::<u64>())
    });
    g.bench_function("Arc<Vec<u64>>", |b| {
        b.iter(|| std_vec.clone().par_iter().sum::<u64>())
    });
    g.finish();
}

/// The `rayon` feature's parallel construction (`par_new`, straight into
/// the block) against building a `Vec` in parallel and converting it, the
/// way users build a shared buffer in parallel without heaparray.
/// `cargo bench --features rayon`; without the feature the group is absent.
#[cfg(feature = "rayon")]
fn rayon_build(c: &mut Criterion) {
    let mut g = c.benchmark_group("9_rayon_build_10M_u64");
    g.sample_size(20);
    let n = 10_000_000;
    let f = |i: usize| (i as u64).wrapping_mul(0x9E37_79B9);
    let par_vec = || (0..n).into_par_iter().map(f).collect::<Vec<u64>>();
    g.bench_function("ArcArray::par_new", |b| b.iter(|| ArcArray::par_new(n, f)));
    g.bench_function("ArcArray::from(parallel Vec)", |b| {
        b.iter(|| ArcArray::from(par_vec()))
    });
    g.bench_function("Arc::<[u64]>::from(parallel Vec)", |b| {
        b.iter(|| Arc::<[u64]>::from(par_vec()))
    });
    g.bench_function("Arc::new(parallel Vec)", |b| b.iter(|| Arc::new(par_vec())));
    g.finish();
}

#[cfg(not(feature = "rayon"))]
fn rayon_build(_: &mut Criterion) {}

/// 14. `collect` from an indexed parallel iterator.
///
/// `FromParallelIterator` writes straight into the block; against it,
/// collecting a `Vec` in parallel and converting it, `par_new` with the
/// same closure, and std's and triomphe's `Arc<[u64]>` from the collected
/// `Vec` (neither has a parallel collect of its own).
/// `cargo bench --features rayon`.
#[cfg(feature = "rayon")]
fn rayon_collect(c: &mut Criterion) {
    let mut g = c.benchmark_group("14_rayon_collect_10M_u64");
    g.sample_size(20);
    let n = 10_000_000u64;
    let f = |i: u64| i * 3 + 1;
    let par_vec = || (0..n).into_par_iter().map(f).collect::<Vec<u64>>();
    g.bench_function("collect::<ArcArray<u64>>()", |b| {
        b.iter(|| (0..n).into_par_iter().map(f).collect::<ArcArray<u64>>())
    });
    g.bench_function("ArcArray::from(collect::<Vec<u64>>())", |b| {
        b.iter(|| ArcArray::from(par_vec()))
    });
    g.bench_function("ArcArray::par_new", |b| {
        b.iter(|| ArcArray::par_new(n as usize, |i| f(i as u64)))
    });
    g.bench_function("Arc::<[u64]>::from(collect::<Vec<u64>>())", |b| {
        b.iter(|| Arc::<[u64]>::from(par_vec()))
    });
    g.bench_function("triomphe::Arc::<[u64]>::from(Vec)", |b| {
        b.iter(|| triomphe::Arc::<[u64]>::from(par_vec()))
    });
    g.finish();
}

#[cfg(not(feature = "rayon"))]
fn rayon_collect(_: &mut Criterion) {}

/// Arrays per batch in group 11.
const BATCH: usize = 1_000_000;

/// A part of a group-11 batch to time.
#[derive(Clone, Copy)]
enum Part {
    /// Build, drop and reset together.
    Total,
    Build,
    Drop,
    Reset,
}

impl Part {
    /// This part's time among a batch's `[build, drop, reset]`.
    fn of(self, [build, drops, reset]: [Duration; 3]) -> Duration {
        match self {
            Part::Total => build + drops + reset,
            Part::Build => build,
            Part::Drop => drops,
            Part::Reset => reset,
        }
    }
}

/// Builds `BATCH` arrays with `make` into slots made before the clock
/// starts (the handles' own storage is not timed), then drops them slot by
/// slot: the build's and the drops' times. The slots are freed untimed.
fn batch<H>(make: impl Fn(usize) -> H) -> [Duration; 2] {
    let mut slots: Vec<Option<H>> = (0..BATCH).map(|_| None).collect();
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

/// One function per `(name, part)`, each iteration a batch of `BATCH`
/// arrays timed by `sample` (`[build, drop, reset]`), only `part` counted.
fn batches(
    g: &mut BenchmarkGroup<'_, WallTime>,
    parts: &[(&str, Part)],
    mut sample: impl FnMut() -> [Duration; 3],
) {
    for &(name, part) in parts {
        g.bench_function(name, |b| {
            b.iter_custom(|iters| (0..iters).map(|_| part.of(sample())).sum())
        });
    }
}

/// Group 11: 1M arrays of 4 u64 from a `bumpalo::Bump` arena: built, all
/// dropped (an arena frees nothing then), the arena reset; against the same
/// arrays from the global allocator, each figure per batch of 1M. The
/// arena is one long-lived `Bump`, reset after every batch, as a program
/// resets it between phases; the parts (build, drop, reset) are functions
/// of their own. `examples/compare.rs` (workload 11) says more.
fn arena(c: &mut Criterion) {
    let mut g = c.benchmark_group("11_arena_1M_arrays_4_u64");
    g.sample_size(10);
    let mut bump = Bump::new();
    batches(
        &mut g,
        &[
            ("ArcArray in a Bump", Part::Total),
            ("ArcArray in a Bump: build", Part::Build),
            ("ArcArray in a Bump: drop", Part::Drop),
            ("ArcArray in a Bump: reset", Part::Reset),
        ],
        || {
            let [build, drops] = batch(|i| ArcArray::new_in(4, |j| (i + j) as u64, &bump));
            let start = Instant::now();
            bump.reset();
            [build, drops, start.elapsed()]
        },
    );
    batches(
        &mut g,
        &[("CompactArcArray in a Bump", Part::Total)],
        || {
            let [build, drops] = batch(|i| CompactArcArray::new_in(4, |j| (i + j) as u64, &bump));
            let start = Instant::now();
            bump.reset();
            [build, drops, start.elapsed()]
        },
    );
    let global = |[build, drops]: [Duration; 2]| [build, drops, Duration::ZERO];
    batches(
        &mut g,
        &[
            ("ArcArray, global allocator", Part::Total),
            ("ArcArray, global allocator: build", Part::Build),
            ("ArcArray, global allocator: drop", Part::Drop),
        ],
        || global(batch(|i| ArcArray::new(4, |j| (i + j) as u64))),
    );
    batches(
        &mut g,
        &[("CompactArcArray, global allocator", Part::Total)],
        || global(batch(|i| compact(4, |j| (i + j) as u64))),
    );
    batches(
        &mut g,
        &[
            ("Arc::<[u64]>::from([..; 4])", Part::Total),
            ("Arc::<[u64]>::from([..; 4]): build", Part::Build),
            ("Arc::<[u64]>::from([..; 4]): drop", Part::Drop),
        ],
        || {
            global(batch(|i| {
                let i = i as u64;
                Arc::<[u64]>::from([i, i + 1, i + 2, i + 3])
            }))
        },
    );
    batches(&mut g, &[("collect::<Arc<[u64]>>", Part::Total)], || {
        global(batch(|i| {
            four().map(|j| j + i as u64).collect::<Arc<[u64]>>()
        }))
    });
    g.finish();
}

/// Writes one byte in every 4 KiB page of `buf` (the first touch).
fn touch_pages(buf: &mut [u8]) {
    for page in buf.chunks_mut(4096) {
        page[0] = 1;
    }
}

/// Group 12: a 1 GiB zeroed shared buffer, made and dropped: `calloc` (ours
/// through `new_zeroed`, std's `new_zeroed_slice`) against copying a
/// zeroed `Vec`. Untouched, as a user makes one; a second group writes a
/// byte in every page before sharing (the first touch the first defers).
fn zeroed(c: &mut Criterion) {
    let n: usize = 1 << 30;
    let ours = || {
        // SAFETY: all-zero bytes are a valid `u8`.
        unsafe { UniqueArcArray::<u8>::new_zeroed(n).assume_init() }
    };
    let std_zeroed = || {
        // SAFETY: all-zero bytes are a valid `u8`.
        unsafe { Arc::<[u8]>::new_zeroed_slice(n).assume_init() }
    };
    let mut g = c.benchmark_group("12_zeroed_1GiB_u8");
    g.sample_size(10);
    g.bench_function("ArcArray (UniqueArcArray::new_zeroed)", |b| {
        b.iter(|| ours().shareable())
    });
    g.bench_function("Arc::<[u8]>::new_zeroed_slice", |b| b.iter(std_zeroed));
    g.bench_function("Arc::<[u8]>::from(vec![0; n])", |b| {
        b.iter(|| Arc::<[u8]>::from(vec![0u8; n]))
    });
    g.finish();
    let mut g = c.benchmark_group("12_zeroed_1GiB_u8_touched");
    g.sample_size(10);
    g.bench_function("ArcArray (UniqueArcArray::new_zeroed)", |b| {
        b.iter(|| {
            let mut u = ours();
            touch_pages(&mut u);
            u.shareable()
        })
    });
    g.bench_function("Arc::<[u8]>::new_zeroed_slice", |b| {
        b.iter(|| {
            let mut a = std_zeroed();
            touch_pages(Arc::get_mut(&mut a).expect("a new Arc is unique"));
            a
        })
    });
    g.bench_function("Arc::<[u8]>::from(vec![0; n])", |b| {
        b.iter(|| {
            let mut v = vec![0u8; n];
            touch_pages(&mut v);
            Arc::<[u8]>::from(v)
        })
    });
    g.finish();
}

/// Group 13: `try_new` against `new`, 4 and 1M u64 (the `Result` is dropped
/// whole, unexamined).
fn try_new(c: &mut Criterion) {
    let mut g = c.benchmark_group("13_try_new_4_u64");
    g.bench_function("ArcArray::new", |b| {
        b.iter(|| ArcArray::new(4, |i| i as u64))
    });
    g.bench_function("ArcArray::try_new", |b| {
        b.iter(|| ArcArray::try_new(4, |i| i as u64))
    });
    g.finish();
    let mut g = c.benchmark_group("13_try_new_1M_u64");
    g.sample_size(20);
    let n = 1_000_000;
    g.bench_function("ArcArray::new", |b| {
        b.iter(|| ArcArray::new(n, |i| i as u64))
    });
    g.bench_function("ArcArray::try_new", |b| {
        b.iter(|| ArcArray::try_new(n, |i| i as u64))
    });
    g.finish();
}

/// `into` after pushing each of `values` in turn, as a user's loop does.
fn pushed<C>(mut into: C, push: impl Fn(&mut C, u64), values: impl Iterator<Item = u64>) -> C {
    for value in values {
        push(&mut into, value);
    }
    into
}

/// Group 15: 1M u64 pushed one at a time, then shared (and dropped, in
/// the timing): `UniqueArcArray` and `shareable` against a `Vec` and
/// `Arc::<[u64]>::from`, and the `Vec` alone; room reserved, then from
/// empty. `examples/compare.rs` (workload 15) says more.
fn push_then_share(c: &mut Criterion) {
    let n = 1_000_000;
    let values = move || (0..n).map(|i| (i as u64).wrapping_mul(0x9E37_79B9));
    let ours = UniqueArcArray::push;
    let mut g = c.benchmark_group("15_push_1M_u64_share");
    g.sample_size(20);
    g.bench_function("UniqueArcArray::with_capacity(n)", |b| {
        b.iter(|| pushed(UniqueArcArray::with_capacity(n), ours, values()).shareable())
    });
    g.bench_function("Vec::with_capacity(n) + Arc::from", |b| {
        b.iter(|| Arc::<[u64]>::from(pushed(Vec::with_capacity(n), Vec::push, values())))
    });
    g.bench_function("Vec::with_capacity(n) alone", |b| {
        b.iter(|| pushed(Vec::with_capacity(n), Vec::push, values()))
    });
    g.bench_function("UniqueArcArray::with_capacity(0)", |b| {
        b.iter(|| pushed(UniqueArcArray::with_capacity(0), ours, values()).shareable())
    });
    g.bench_function("Vec::new() + Arc::from", |b| {
        b.iter(|| Arc::<[u64]>::from(pushed(Vec::new(), Vec::push, values())))
    });
    g.bench_function("Vec::new() alone", |b| {
        b.iter(|| pushed(Vec::new(), Vec::push, values()))
    });
    g.finish();
}

/// Group 16: 4 u64 pushed into room for 4, shared and dropped, both
/// layouts, against `Vec::with_capacity(4)` and `Arc::<[u64]>::from`.
fn small_push_then_share(c: &mut Criterion) {
    let values = || four().map(black_box);
    let mut g = c.benchmark_group("16_push_4_u64_share_drop");
    g.bench_function("UniqueArcArray", |b| {
        b.iter(|| {
            pushed(
                UniqueArcArray::with_capacity(4),
                UniqueArcArray::push,
                values(),
            )
            .shareable()
        })
    });
    g.bench_function("CompactUniqueArcArray", |b| {
        b.iter(|| {
            let u = CompactUniqueArcArray::with_capacity(4);
            pushed(u, CompactUniqueArcArray::push, values()).shareable()
        })
    });
    g.bench_function("Vec::with_capacity(4) + Arc::from", |b| {
        b.iter(|| Arc::<[u64]>::from(pushed(Vec::with_capacity(4), Vec::push, values())))
    });
    g.finish();
}

/// glibc's mmap threshold fixed at 32 MiB and its trim threshold at
/// 64 MiB, before any group runs (`examples/compare.rs`,
/// `MMAP_THRESHOLD`, says why): left to glibc they rise as mapped blocks
/// are freed, so that the 8 MB blocks of groups 5 and 15 came fresh
/// (every page faulted in) or reused from the heap according to what ran
/// before. Fixed, they come from the heap, as glibc's own adjustment ends.
fn fix_mmap_threshold() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let (mmap, trim) = (32 << 20, 64 << 20);
        // SAFETY: `mallopt` sets a malloc parameter; no other thread
        // exists yet.
        let set = unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, mmap) == 1
                && libc::mallopt(libc::M_TRIM_THRESHOLD, trim) == 1
        };
        if set {
            eprintln!("mmap threshold fixed at {mmap} B, trim threshold at {trim} B (glibc)");
        } else {
            eprintln!("glibc refused mmap threshold {mmap} B or trim threshold {trim} B");
        }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    eprintln!("not glibc: the allocator's mmap threshold is its own");
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30)
}

criterion_group! {
    name = peers;
    config = config();
    targets = clone_drop, clone_drop_two_threads, false_sharing, scattered_reads,
        build_large, build_small, rayon_reduction, rayon_build, arena, zeroed, try_new,
        rayon_collect, push_then_share, small_push_then_share
}

/// `criterion_main!(peers)`, with the allocator's state fixed first.
fn main() {
    fix_mmap_threshold();
    peers();
    Criterion::default().configure_from_args().final_summary();
}
