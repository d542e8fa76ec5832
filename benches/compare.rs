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
//! The workloads themselves are in workloads.rs, which the criterion bench
//! (peers.rs) drives too; this harness samples them, prints the medians
//! and the ratios, and takes the memory figures (workload 7) with a
//! counting global allocator.
//!
//! Run with `cargo run --release --manifest-path benches/Cargo.toml --bin
//! compare` (about a minute and a half); `--features rayon` adds workload
//! 9, `par_new` against a parallel `Vec`. Workload numbers as arguments
//! (`-- 4 8`) run just those.
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
//! for 4, 500,000 times. Workload 17 is a syntax tree of about 1M tokens,
//! hash-consed as rowan builds its green tree, on `ArcArray`,
//! `CompactArcArray`, triomphe's `ThinArc` and `Arc<[T]>`: build, clone +
//! drop of a node, a walk, and the bytes, per tree and per node.
//! glibc's mmap threshold is fixed for the whole
//! run (see [`workloads::MMAP_THRESHOLD`]; `-- --mmap-threshold=BYTES`
//! fixes another, `=dynamic` leaves it moving) and the header line says
//! at what. `cargo bench --manifest-path benches/Cargo.toml` measures the
//! same workloads with criterion.

use std::rc::Rc;
use std::sync::Arc;
use std::thread;
use std::time::Instant;

use workloads::{tree, Contender, Counting, Scattered};

#[global_allocator]
static ALLOC: Counting = Counting;

/// Rounds per workload: each round times every contender once.
const REPS: usize = 9;

/// `--quick` (CI's run, so that the harness cannot rot): one round of each
/// workload, no warm-up, and the workloads that need gigabytes (8, 12)
/// skipped. Its figures measure nothing.
static QUICK: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// `rounds`, or 1 under `--quick`.
fn rounds(rounds: usize) -> usize {
    if QUICK.load(std::sync::atomic::Ordering::Relaxed) {
        1
    } else {
        rounds
    }
}

/// Rounds for workload 4, whose samples (one pass over 1M arrays, about
/// 70 ms) are few and long enough for other tenants' bursts to hit several
/// of 9.
const SCATTER_REPS: usize = 25;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// A sampled contender: its name and a closure that takes one sample (one
/// figure, or in workload 11 one figure per phase).
type Sampler<'a, T = f64> = (&'static str, Box<dyn FnMut() -> T + 'a>);

/// A contender sampled as `run(iters)` in nanoseconds divided by `per`:
/// with `per` = `iters`, nanoseconds per operation; `1e6` with one
/// iteration, milliseconds per operation; and so on.
fn sampled(c: Contender<'_>, iters: u64, per: f64) -> Sampler<'_> {
    let Contender { name, mut run } = c;
    (name, Box::new(move || run(iters).as_nanos() as f64 / per))
}

/// Every contender of `cs` in nanoseconds per operation, `iters` a sample.
fn ns_per(iters: u64, cs: Vec<Contender<'_>>) -> Vec<Sampler<'_>> {
    cs.into_iter()
        .map(|c| sampled(c, iters, iters as f64))
        .collect()
}

/// Every contender of `cs` in milliseconds per operation, one a sample.
fn ms_per(cs: Vec<Contender<'_>>) -> Vec<Sampler<'_>> {
    cs.into_iter().map(|c| sampled(c, 1, 1e6)).collect()
}

/// After one unrecorded warm-up round, samples every contender once per
/// round, `rounds` rounds, starting each round at the next contender so
/// that none is always first (on a shared machine, the first of a sequence
/// is often the slowest); returns each contender's samples, in order.
fn interleaved<T>(rounds: usize, contenders: &mut [Sampler<'_, T>]) -> Vec<Vec<T>> {
    let n = contenders.len();
    let rounds = self::rounds(rounds);
    // A warm-up round, not recorded: otherwise the first contender
    // always takes the cold first sample (caches, page faults).
    if rounds > 1 {
        for contender in contenders.iter_mut() {
            (contender.1)();
        }
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
    /// The first contender whose name starts with "Compact"
    /// ([`workloads::COMPACT`],
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
        contenders: Vec<Sampler<'_>>,
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
        mut contenders: Vec<Sampler<'_>>,
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

/// Workload 1: clone + drop on one thread.
fn clone_drop_one_thread() -> Row {
    Row::measure(
        "1. clone + drop, one thread",
        "ns per clone+drop, median",
        false,
        "equal to Arc<[T]> (ratio ~1.0)",
        ns_per(1_000_000, workloads::clone_drop_one_thread()),
    )
}

/// Workload 2: clone + drop from 2 threads on the same array.
fn clone_drop_two_threads() -> Row {
    Row::measure(
        "2. clone + drop, 2 threads, same array",
        "ns per round of both threads, median",
        false,
        "no worse than Arc<[T]> (ratio >= ~1.0)",
        ns_per(500_000, workloads::clone_drop_two_threads()),
    )
}

/// One sample of reader throughput, in million reads per second: a
/// window of reads against the traffic, its length set by the sample
/// before (the warm-up round's first) to about 100 ms.
fn reads_per_second(c: Contender<'_>) -> Sampler<'_> {
    let Contender { name, mut run } = c;
    let mut iters: u64 = 1 << 16;
    let sample = move || {
        let rate = iters as f64 / run(iters).as_secs_f64();
        iters = ((rate * 0.1) as u64).clamp(1 << 12, 1 << 36);
        rate / 1e6
    };
    (name, Box::new(sample))
}

/// Workload 3: readers against clone/drop traffic (false sharing).
fn false_sharing() -> Row {
    Row::measure(
        "3. reads of len + elements while another thread clones/drops",
        "million reads per second, median",
        true,
        ">= 1.5x Arc<[T]>'s reader throughput",
        workloads::false_sharing()
            .into_iter()
            .map(reads_per_second)
            .collect(),
    )
}

/// Every contender of `cs` in nanoseconds per array of `s`, one pass a
/// sample.
fn per_array<'a>(s: &Scattered, cs: Vec<Contender<'a>>) -> Vec<Sampler<'a>> {
    let n = s.len() as f64;
    cs.into_iter().map(|c| sampled(c, 1, n)).collect()
}

/// Workload 4: scattered reads over 1M small arrays.
fn scattered_reads() -> Row {
    let s = Rc::new(Scattered::new(1_000_000));
    Row::measure_with(
        SCATTER_REPS,
        "4. scattered reads over 1M arrays of 4 u64",
        "ns per array read (len + 4 elements), median",
        false,
        ">= 1.2x Arc<Vec<T>>, ~1.0x Arc<[T]>",
        per_array(&s, workloads::scattered_reads(&s)),
    )
}

/// Workload 10, a probe for workload 4: the same reads, no branch on the
/// length (workloads.rs says why).
fn scattered_reads_no_length_branch() -> Row {
    let s = Rc::new(Scattered::new(1_000_000));
    Row::measure_with(
        SCATTER_REPS,
        "10. probe for 4: the same reads, no branch on the length",
        "ns per array read (len + 4 elements), median",
        false,
        "none; level here but not in 4: the branches on the length cost it",
        per_array(&s, workloads::scattered_reads_no_length_branch(&s)),
    )
}

/// Workload 5: one array of 1M u64 from a closure.
fn build_large() -> Row {
    Row::measure(
        "5. build one array of 1M u64 from a closure (and drop it)",
        "ms, median",
        false,
        ">= 2x Arc::<[T]>::from(vec), ~1.0x ThinArc::from_header_and_iter",
        ms_per(workloads::build_large(1_000_000)),
    )
}

/// Workload 6: build and drop many 4-element arrays.
fn build_small() -> Row {
    Row::measure(
        "6. build + drop a 4-element u64 array",
        "ns, median",
        false,
        ">= 1.4x collecting an Arc<[T]>, >= 0.9x ThinArc::from_header_and_iter, both layouts",
        ns_per(1_000_000, workloads::build_small()),
    )
}

/// Workload 8: a parallel reduction over a shared buffer of 100M u64.
///
/// Both buffers are made anew every round, in alternating order: with
/// one pair made once, the buffer allocated second summed 6-9% faster
/// whichever type it was (swapping the two lines swapped the verdict), a
/// property of where the 800 MB land, not of the handle.
fn rayon_reduction() -> Row {
    let n = 100_000_000;
    let expected = (n as u64) * (n as u64 - 1) / 2;
    let ms = |f: &dyn Fn() -> u64| {
        let start = Instant::now();
        std::hint::black_box(f());
        start.elapsed().as_secs_f64() * 1e3
    };
    let (mut ours, mut peer) = (Vec::with_capacity(REPS), Vec::with_capacity(REPS));
    for round in 0..=REPS {
        let (a, v) = workloads::rayon_buffers(n, round % 2 == 0);
        let sum_ours = || workloads::rayon_sum_ours(&a);
        let sum_vec = || workloads::rayon_sum_vec(&v);
        assert_eq!((sum_ours(), sum_vec()), (expected, expected));
        let (x, y) = if round % 2 == 0 {
            let x = ms(&sum_ours);
            (x, ms(&sum_vec))
        } else {
            let y = ms(&sum_vec);
            (ms(&sum_ours), y)
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

/// Workload 9: the `rayon` feature's parallel construction.
#[cfg(feature = "rayon")]
fn rayon_build() -> Row {
    Row::measure(
        "9. build 10M u64 in parallel (rayon) and drop it",
        "ms, median",
        false,
        "no slower than a parallel Vec converted (ratio >= ~1.0)",
        ms_per(workloads::rayon_build(10_000_000)),
    )
}

/// Workload 14: `collect` from an indexed parallel iterator. More rounds
/// than most: each sample is 10-60 ms of two cores, which other tenants
/// share.
#[cfg(feature = "rayon")]
fn rayon_collect() -> Row {
    Row::measure_with(
        COLLECT_REPS,
        "14. collect 10M mapped u64 from an indexed parallel iterator (rayon) and drop it",
        "ms, median",
        false,
        "at least 2x a parallel Vec converted, no slower than par_new (ratio >= ~1.0)",
        ms_per(workloads::rayon_collect(10_000_000)),
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

/// Workload 11: 1M arrays of 4 u64 from a `bumpalo::Bump` arena, built,
/// dropped and the arena reset, against the same arrays from the global
/// allocator (workloads.rs, `arena_batches`, says more). Each contender's
/// arrays are built in its own sample, the way a user builds them, one
/// after another; the rounds interleave the contenders. The bar is build
/// + drop + reset, and each part is reported too.
///
/// A last row builds and drops one array at a time, as workload 6 does:
/// there bumpalo takes each block back as it is dropped, so the arena
/// reuses one block and never grows.
fn arena_build() -> Vec<Row> {
    let n = 1_000_000;
    // One sample: a batch's phases in ns per array.
    let mut contenders: Vec<Sampler<'_, [f64; 3]>> = workloads::arena_batches(n)
        .into_iter()
        .map(|(name, mut batch)| -> Sampler<'_, [f64; 3]> {
            (
                name,
                Box::new(move || batch().map(|d| d.as_nanos() as f64 / n as f64)),
            )
        })
        .collect();
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
    rows.push(Row::measure_with(
        ARENA_REPS,
        "11. one at a time: build and drop each array before the next",
        "ns per build + drop, median",
        false,
        "none: bumpalo takes each block back, the arena never grows",
        ns_per(1_000_000, workloads::arena_one_at_a_time()),
    ));
    rows
}

/// Workload 12: a 1 GiB zeroed shared buffer, made and dropped as a user
/// would, untouched, and touched (workloads.rs, `zeroed_untouched` and
/// `zeroed_touched`, says what each measures).
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
    let mut untouched = workloads::zeroed_untouched(n);
    // One copy per sample, in microseconds.
    let mut copy = vec![sampled(untouched.pop().expect("the copy"), 1, 1e3)];
    // 20 builds per sample, in microseconds per build.
    let mut calloc: Vec<Sampler<'_>> = untouched
        .into_iter()
        .map(|c| sampled(c, 20, 20e3))
        .collect();
    let mut samples = interleaved(SHORT_REPS, &mut calloc);
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
        ms_per(workloads::zeroed_touched(n)),
    );
    vec![untouched, touched]
}

/// Workload 13: `try_new` against `new`, the same closure, 4 and 1M
/// elements.
fn try_new_cost() -> Vec<Row> {
    let small = Row::measure_with(
        SHORT_REPS,
        "13. try_new against new, 4 u64",
        "ns per build + drop, median",
        false,
        "within 2% (ratio 0.98 to 1.02)",
        ns_per(10_000, workloads::try_new_cost(4)),
    );
    // One build per sample (a few hundred microseconds).
    let large = Row::measure_with(
        SHORT_REPS,
        "13. try_new against new, 1M u64",
        "µs per build + drop, median",
        false,
        "within 2% (ratio 0.98 to 1.02)",
        workloads::try_new_cost(1_000_000)
            .into_iter()
            .map(|c| sampled(c, 1, 1e3))
            .collect(),
    );
    vec![small, large]
}

/// Rounds for workloads 15 and 16 (samples of 1 to 20 ms).
const GROW_REPS: usize = 101;

/// Workload 15: 1M u64 pushed one at a time, then shared (workloads.rs,
/// `push_then_share`, says how). The six are sampled in the same rounds;
/// a row for each capacity. Under [`workloads::MMAP_THRESHOLD`] the 8 MB
/// blocks come from glibc's heap, already faulted in after the warm-up
/// round, so `Arc::from`'s second block costs its copy and no page
/// faults; run alone with `--mmap-threshold=131072`, every block is a
/// fresh mapping instead.
fn push_then_share() -> Vec<Row> {
    let mut contenders: Vec<Sampler<'_>> = workloads::push_then_share(1_000_000)
        .into_iter()
        .map(|c| sampled(c, 1, 1e3))
        .collect();
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
/// times.
fn small_push_then_share() -> Vec<Row> {
    vec![Row::measure_with(
        GROW_REPS,
        "16. push 4 u64 into with_capacity(4), share (shareable, Arc::from), drop",
        "ns per array, median",
        false,
        ">= 1.5x Vec + Arc::from",
        ns_per(500_000, workloads::small_push_then_share()),
    )]
}

/// Rounds for workload 17 (build samples of a few hundred milliseconds).
const TREE_REPS: usize = 9;

/// Two rows of the same samples: per tree (the samples as they are, in
/// `tree_unit`) and per node (each divided by `per_node`, in `node_unit`).
fn tree_rows(
    titles: [&'static str; 2],
    units: [&'static str; 2],
    per_node: f64,
    mark: &'static str,
    names: Vec<&'static str>,
    samples: Vec<Vec<f64>>,
) -> [Row; 2] {
    let scaled = samples
        .iter()
        .map(|s| s.iter().map(|x| x / per_node).collect())
        .collect();
    [
        Row::from_samples(titles[0], units[0], false, mark, names.clone(), samples),
        Row::from_samples(titles[1], units[1], false, mark, names, scaled),
    ]
}

/// Workload 17: a syntax tree of about 1M tokens, hash-consed as rowan
/// builds its green tree, on `ArcArray`, `CompactArcArray`, triomphe's
/// `ThinArc` and `Arc<[T]>`, and a control, `ThinArc` with 8 more header
/// bytes (workloads.rs, `tree`, says how): the build,
/// a clone and drop of every node occurrence, a recursive walk, and the
/// bytes the tree holds; each per tree and per node. The bars are the
/// compact layout's against `ThinArc` (the second ratio on its line).
fn syntax_tree() -> Vec<Row> {
    let events = Arc::new(tree::Events::new(1_000_000));
    let held = tree::held(&events);
    let (nodes, tokens) = held[0].distinct;
    println!(
        "17. syntax tree: {} tokens and {} nodes with repeats ({} events, {} bytes of text); {} distinct nodes and {} distinct tokens after hash-consing",
        events.tokens, events.nodes, events.events.len(), events.text_len, nodes, tokens
    );
    let occurrences = events.nodes as f64;
    let bar = ">= 1.0x triomphe::ThinArc, compact layout (CompactArcArray's ratio)";
    let measure = |rounds, cs: Vec<Sampler<'_>>| {
        let mut cs = cs;
        let samples = interleaved(rounds, &mut cs);
        (cs.iter().map(|c| c.0).collect::<Vec<_>>(), samples)
    };
    let mut rows = Vec::new();
    let (names, samples) = measure(TREE_REPS, ms_per(tree::build(&events)));
    rows.extend(tree_rows(
        [
            "17. build the tree from its events (hash-consing cache included)",
            "17. the build per node occurrence",
        ],
        ["ms per tree, median", "ns per node, median"],
        occurrences / 1e6,
        bar,
        names,
        samples,
    ));
    // One pass over every node occurrence per sample, in ms.
    let iters = events.nodes as u64;
    let clone_drop = tree::clone_drop(&events)
        .into_iter()
        .map(|c| sampled(c, iters, 1e6))
        .collect();
    let (names, samples) = measure(REPS, clone_drop);
    rows.extend(tree_rows(
        [
            "17. clone + drop of every node occurrence, from a borrow, in preorder",
            "17. clone + drop of a node",
        ],
        ["ms per tree, median", "ns per node, median"],
        occurrences / 1e6,
        bar,
        names,
        samples,
    ));
    let (names, samples) = measure(REPS, ms_per(tree::walk_tree(&events)));
    rows.extend(tree_rows(
        [
            "17. recursive walk summing the tokens' text lengths (borrowed nodes)",
            "17. the walk per node occurrence",
        ],
        ["ms per walk, median", "ns per node, median"],
        occurrences / 1e6,
        bar,
        names,
        samples,
    ));
    let names: Vec<&'static str> = held.iter().map(|h| h.name).collect();
    let blocks = (nodes + tokens) as f64;
    let bytes_mark =
        "<= 1.0x triomphe::ThinArc's bytes, compact layout (CompactArcArray's ratio >= 1.0)";
    let one = |f: fn(&tree::Held) -> isize| held.iter().map(|h| vec![f(h) as f64]).collect();
    rows.extend(tree_rows(
        [
            "17. bytes the tree holds (requested of the allocator, and the root handle)",
            "17. the same per distinct block (node or token)",
        ],
        ["bytes per tree", "bytes per block"],
        blocks,
        bytes_mark,
        names.clone(),
        one(|h| h.bytes),
    ));
    rows.extend(tree_rows(
        [
            "17. the same in glibc's chunks (request + 8, rounded up to 16, at least 32)",
            "17. glibc's chunk bytes per distinct block",
        ],
        ["bytes per tree", "bytes per block"],
        blocks,
        bytes_mark,
        names,
        one(|h| h.chunk_bytes),
    ));
    rows
}

/// Workload 7: bytes per array, handle + blocks as the allocator is asked.
fn memory() {
    println!("7. memory per array of u64 (handle + requested block bytes, allocations)");
    println!("  {:<22} {:>16} {:>16}", "", "len 4", "len 1000");
    for (name, figures) in workloads::memory(&[4, 1000]) {
        let [(b4, a4), (b1000, a1000)] = figures[..] else {
            unreachable!("two lengths")
        };
        println!("  {name:<22} {b4:>10} B ({a4})  {b1000:>10} B ({a1000})");
    }
}

/// A workload of several rows.
type Workload = fn() -> Vec<Row>;

fn main() {
    let setting =
        std::env::args().find_map(|a| a.strip_prefix("--mmap-threshold=").map(String::from));
    let mmap = workloads::fix_mmap_threshold(setting.as_deref());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    println!(
        "heaparray vs peers on {cpu}, {} threads available; medians of {REPS} interleaved rounds ({SCATTER_REPS} for workloads 4 and 10, {ARENA_REPS} for 11, {ZEROED_REPS} and {SHORT_REPS} for 12, {SHORT_REPS} for 13, {COLLECT_REPS} for 14, {GROW_REPS} for 15 and 16, {TREE_REPS} for 17); {mmap}\n",
        thread::available_parallelism().map_or(1, |n| n.get())
    );
    // Workload numbers on the command line run just those.
    let chosen: Vec<u32> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let quick = std::env::args().any(|a| a == "--quick");
    QUICK.store(quick, std::sync::atomic::Ordering::Relaxed);
    let run = |k: u32| {
        if quick && matches!(k, 8 | 12) {
            println!("{k}. skipped under --quick (it needs gigabytes)");
            return false;
        }
        chosen.is_empty() || chosen.contains(&k)
    };
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
    // A unique array grown like a `Vec`, then shared; a syntax tree.
    let grown: [(u32, Workload); 3] = [
        (15, push_then_share),
        (16, small_push_then_share),
        (17, syntax_tree),
    ];
    for (k, workload) in grown {
        if run(k) {
            workload().iter().for_each(Row::print);
        }
    }
    println!("\n(total {:.1} s)", start.elapsed().as_secs_f64());
}
