//! Criterion benchmarks: every workload of workloads.rs with heaparray and
//! its peers in one group (std `Arc<[u64]>`, `Arc<Vec<u64>>`, triomphe's
//! `ThinArc` and `Arc<[u64]>`; `CompactArcArray` where the layout matters:
//! groups 1, 3, 4, 6, 11 and 16), so that
//! `benches/target/criterion/<group>/report` compares them side by side.
//! `cargo run --release --manifest-path benches/Cargo.toml --bin compare`
//! prints the same comparison, over the same workloads, as a table of
//! ratios in about a minute and a half, its contenders interleaved round
//! by round (criterion samples one function after another: on a shared
//! machine its ratios drift more); the memory workload (7) is only there,
//! as it needs a counting allocator. Groups 9 (`par_new`) and 14
//! (`collect` from a parallel iterator) need `--features rayon`. Groups
//! 11 to 13 measure the allocator parameter: arrays from a `bumpalo::Bump`
//! arena (11), a 1 GiB zeroed buffer (12, up to 2 GiB alive at once),
//! `try_new` against `new` (13). Groups 15 and 16 grow a `UniqueArcArray`
//! as a `Vec` and share it (1M `u64`; 4 `u64`). Group 17 is a syntax tree
//! of about 1M tokens on `ArcArray`, `CompactArcArray`, `ThinArc` and
//! `Arc<[T]>` (its bytes only in compare). Group 8 sums 10M `u64`
//! made once (compare: 100M, made anew every round). glibc's mmap
//! threshold is fixed before the first group, as compare fixes it.
//!
//! `cargo bench --manifest-path benches/Cargo.toml [--features rayon]`;
//! `python3 benches/plot.py` draws the results.

use std::rc::Rc;
use std::time::Duration;

use criterion::Criterion;
use workloads::{Contender, Phases};

/// One group named `name`: each contender a function, each iteration one
/// operation, timed by the contender itself (`iter_custom`).
fn group(c: &mut Criterion, name: &str, sample_size: usize, contenders: Vec<Contender<'_>>) {
    let mut g = c.benchmark_group(name);
    g.sample_size(sample_size);
    for Contender { name, mut run } in contenders {
        g.bench_function(name, |b| b.iter_custom(&mut run));
    }
    g.finish();
}

/// The sample size of most groups.
const SAMPLES: usize = 30;

fn clone_drop(c: &mut Criterion) {
    group(
        c,
        "1_clone_drop",
        SAMPLES,
        workloads::clone_drop_one_thread(),
    );
}

fn clone_drop_two_threads(c: &mut Criterion) {
    let contenders = workloads::clone_drop_two_threads();
    group(c, "2_clone_drop_2_threads", SAMPLES, contenders);
}

fn false_sharing(c: &mut Criterion) {
    let contenders = workloads::false_sharing();
    group(c, "3_reads_under_clone_traffic", SAMPLES, contenders);
}

/// Groups 4 and 10 over one set of arrays (workloads.rs, `Scattered`).
fn scattered_reads(c: &mut Criterion) {
    let s = Rc::new(workloads::Scattered::new(1_000_000));
    let contenders = workloads::scattered_reads(&s);
    group(c, "4_scattered_reads_1M_arrays", 10, contenders);
    let contenders = workloads::scattered_reads_no_length_branch(&s);
    group(c, "10_scattered_reads_no_length_branch", 10, contenders);
}

fn build_large(c: &mut Criterion) {
    group(c, "5_build_1M_u64", 20, workloads::build_large(1_000_000));
}

fn build_small(c: &mut Criterion) {
    group(c, "6_build_drop_4_u64", SAMPLES, workloads::build_small());
}

fn rayon_reduction(c: &mut Criterion) {
    let contenders = workloads::rayon_reduction(10_000_000);
    group(c, "8_rayon_sum_10M_u64", 20, contenders);
}

#[cfg(feature = "rayon")]
fn rayon_build(c: &mut Criterion) {
    let contenders = workloads::rayon_build(10_000_000);
    group(c, "9_rayon_build_10M_u64", 20, contenders);
}

#[cfg(not(feature = "rayon"))]
fn rayon_build(_: &mut Criterion) {}

#[cfg(feature = "rayon")]
fn rayon_collect(c: &mut Criterion) {
    let contenders = workloads::rayon_collect(10_000_000);
    group(c, "14_rayon_collect_10M_u64", 20, contenders);
}

#[cfg(not(feature = "rayon"))]
fn rayon_collect(_: &mut Criterion) {}

/// A part of a group-11 batch: its name and its time among the phases.
type Part = (&'static str, fn(Phases) -> Duration);

/// Group 11: each arena and global-allocator contender's batch of 1M
/// arrays (build, drop all, reset) as one function, each iteration a
/// batch; and the parts (build, drop, reset) as functions of their own for
/// the long-lived arena, `ArcArray::new` and `Arc::<[u64]>::from`. Then
/// one array at a time.
fn arena(c: &mut Criterion) {
    let mut g = c.benchmark_group("11_arena_1M_arrays_4_u64");
    g.sample_size(10);
    let parts: [Part; 3] = [
        ("build", |[b, _, _]| b),
        ("drop", |[_, d, _]| d),
        ("reset", |[_, _, r]| r),
    ];
    for (k, (name, mut batch)) in workloads::arena_batches(1_000_000).into_iter().enumerate() {
        g.bench_function(name, |b| {
            b.iter_custom(|iters| (0..iters).map(|_| batch().iter().sum::<Duration>()).sum())
        });
        // The long-lived arena: all three parts; ArcArray::new and
        // Arc::<[u64]>::from([..; 4]): the build and the drops.
        let shown = match k {
            0 => 3,
            3 | 5 => 2,
            _ => 0,
        };
        for &(part, of) in &parts[..shown] {
            g.bench_function(format!("{name}: {part}"), |b| {
                b.iter_custom(|iters| (0..iters).map(|_| of(batch())).sum())
            });
        }
    }
    g.finish();
    let contenders = workloads::arena_one_at_a_time();
    group(c, "11_arena_one_at_a_time_4_u64", SAMPLES, contenders);
}

fn zeroed(c: &mut Criterion) {
    let n = 1 << 30;
    group(c, "12_zeroed_1GiB_u8", 10, workloads::zeroed_untouched(n));
    let contenders = workloads::zeroed_touched(n);
    group(c, "12_zeroed_1GiB_u8_touched", 10, contenders);
}

fn try_new(c: &mut Criterion) {
    group(c, "13_try_new_4_u64", SAMPLES, workloads::try_new_cost(4));
    let contenders = workloads::try_new_cost(1_000_000);
    group(c, "13_try_new_1M_u64", 20, contenders);
}

fn push_then_share(c: &mut Criterion) {
    let contenders = workloads::push_then_share(1_000_000);
    group(c, "15_push_1M_u64_share", 20, contenders);
}

fn small_push_then_share(c: &mut Criterion) {
    let contenders = workloads::small_push_then_share();
    group(c, "16_push_4_u64_share_drop", SAMPLES, contenders);
}

/// Workload 17: the syntax tree (workloads.rs, `tree`): its build, a
/// clone and drop of a node (each iteration one node occurrence, in
/// preorder), and a walk.
fn syntax_tree(c: &mut Criterion) {
    let events = std::sync::Arc::new(workloads::tree::Events::new(1_000_000));
    group(c, "17_tree_build", 10, workloads::tree::build(&events));
    let contenders = workloads::tree::clone_drop(&events);
    group(c, "17_tree_clone_drop_node", SAMPLES, contenders);
    group(c, "17_tree_walk", 20, workloads::tree::walk_tree(&events));
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args()
}

fn main() {
    // glibc's mmap threshold fixed before any group runs (workloads.rs,
    // `MMAP_THRESHOLD`, says why).
    eprintln!("{}", workloads::fix_mmap_threshold(None));
    let mut c = config();
    let groups: [fn(&mut Criterion); 15] = [
        clone_drop,
        clone_drop_two_threads,
        false_sharing,
        scattered_reads,
        build_large,
        build_small,
        rayon_reduction,
        rayon_build,
        arena,
        zeroed,
        try_new,
        rayon_collect,
        push_then_share,
        small_push_then_share,
        syntax_tree,
    ];
    for run in groups {
        run(&mut c);
    }
    c.final_summary();
}
