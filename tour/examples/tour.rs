//! A tour of heaparray that shows rather than tells: every figure it
//! prints is measured here (sizes with `size_of`, bytes with a counting
//! global allocator), beside `Arc<[T]>` and `Arc<Vec<T>>`.
//!
//! Run with `cargo run --release --manifest-path tour/Cargo.toml`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::mem::size_of;
use std::sync::atomic::{AtomicIsize, Ordering::Relaxed};
use std::sync::Arc;

use heaparray::*;
use rayon::prelude::*;

/// Counts the bytes live in the heap, as requested from the allocator.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: forwards every call to `System` unchanged; the counter is a
// plain atomic, so counting never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Relaxed);
        // SAFETY: the caller's contract is System's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Relaxed);
        // SAFETY: the caller's contract is System's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The bytes an array of `n` `u64` keeps: its handle plus the heap bytes
/// still live once `make` has built it (temporaries freed).
fn bytes_per_array<T>(n: usize, make: impl Fn(usize) -> T) -> usize {
    let before = LIVE.load(Relaxed);
    let array = make(n);
    let heap = LIVE.load(Relaxed) - before;
    drop(array);
    size_of::<T>() + heap as usize
}

/// The label of the tour's big array: metadata in the same block.
#[derive(Debug)]
struct Meta {
    name: &'static str,
    negatives: usize,
}

fn main() {
    sizes();
    bytes();
    shared_across_threads();
    weak_and_unique_round_trips();
}

fn sizes() {
    println!("handle sizes, in bytes (size_of; Option<_> beside):");
    let rows: [(&str, usize, usize); 8] = [
        (
            "ArcArray<u64>",
            size_of::<ArcArray<u64>>(),
            size_of::<Option<ArcArray<u64>>>(),
        ),
        (
            "CompactArcArray<u64>",
            size_of::<CompactArcArray<u64>>(),
            size_of::<Option<CompactArcArray<u64>>>(),
        ),
        (
            "UniqueArcArray<u64>",
            size_of::<UniqueArcArray<u64>>(),
            size_of::<Option<UniqueArcArray<u64>>>(),
        ),
        (
            "ArcArrayBorrow<u64>",
            size_of::<ArcArrayBorrow<'static, u64>>(),
            size_of::<Option<ArcArrayBorrow<'static, u64>>>(),
        ),
        (
            "RcArray<u64>",
            size_of::<RcArray<u64>>(),
            size_of::<Option<RcArray<u64>>>(),
        ),
        (
            "HeapArray<u64>",
            size_of::<HeapArray<u64>>(),
            size_of::<Option<HeapArray<u64>>>(),
        ),
        (
            "Arc<[u64]>",
            size_of::<Arc<[u64]>>(),
            size_of::<Option<Arc<[u64]>>>(),
        ),
        (
            "Arc<Vec<u64>>",
            size_of::<Arc<Vec<u64>>>(),
            size_of::<Option<Arc<Vec<u64>>>>(),
        ),
    ];
    for (name, size, option) in rows {
        println!("  {name:<22} {size:>3} {option:>3}");
    }
}

fn bytes() {
    println!("\nbytes per array of n u64 (handle + heap bytes kept, counted):");
    println!("  {:<22} {:>7} {:>7}", "", "n = 4", "n = 1000");
    let row = |name: &str, four: usize, thousand: usize| {
        println!("  {name:<22} {four:>7} {thousand:>7}");
    };
    let arc = |n| ArcArray::<u64>::new(n, |i| i as u64);
    row(
        "ArcArray",
        bytes_per_array(4, arc),
        bytes_per_array(1000, arc),
    );
    let compact = |n| CompactArcArray::<u64>::new(n, |i| i as u64);
    row(
        "CompactArcArray",
        bytes_per_array(4, compact),
        bytes_per_array(1000, compact),
    );
    let rc = |n| RcArray::<u64>::new(n, |i| i as u64);
    row("RcArray", bytes_per_array(4, rc), bytes_per_array(1000, rc));
    let heap = |n| HeapArray::<u64>::new(n, |i| i as u64);
    row(
        "HeapArray",
        bytes_per_array(4, heap),
        bytes_per_array(1000, heap),
    );
    let std_slice = |n| (0..n as u64).collect::<Arc<[u64]>>();
    row(
        "Arc<[u64]>",
        bytes_per_array(4, std_slice),
        bytes_per_array(1000, std_slice),
    );
    let std_vec = |n| Arc::new((0..n as u64).collect::<Vec<u64>>());
    row(
        "Arc<Vec<u64>>",
        bytes_per_array(4, std_vec),
        bytes_per_array(1000, std_vec),
    );
}

fn shared_across_threads() {
    // One allocation, filled in place; the label is updated as it fills.
    let len = 1_000_000;
    let meta = Meta {
        name: "sine",
        negatives: 0,
    };
    let samples = ArcArray::with_label(meta, len, |meta, i| {
        let x = (i as f64 / 1000.0).sin();
        meta.negatives += usize::from(x < 0.0);
        x
    });
    let label = samples.get_label();
    println!(
        "\nbuilt {:?}: {} samples, {} negative",
        label.name,
        samples.len(),
        label.negatives
    );

    // std threads: each gets a clone of the one-word handle.
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let mine = ArcArray::clone(&samples);
            std::thread::spawn(move || mine[t * len / 4..(t + 1) * len / 4].iter().sum::<f64>())
        })
        .collect();
    let by_threads: f64 = threads.into_iter().map(|t| t.join().unwrap()).sum();

    // rayon: tasks borrow the array, no count touched.
    let by_rayon: f64 = samples.par_iter().sum();
    println!(
        "4 threads summed {by_threads:.6}, rayon {by_rayon:.6}; strong count back to {}",
        ArcArray::strong_count(&samples)
    );
    // Collected in parallel, written straight into the block.
    let squares: ArcArray<u64> = (0..1000u64).into_par_iter().map(|i| i * i).collect();
    println!(
        "rayon collect: {} squares, the last {}",
        squares.len(),
        squares[999]
    );
}

fn weak_and_unique_round_trips() {
    // Weak: upgrades while a strong handle lives.
    let a = ArcArray::from(vec![1u32, 2, 3]);
    let weak = ArcArray::downgrade(&a);
    let upgraded = weak.upgrade().is_some();
    drop(a);
    println!(
        "\nweak round trip: upgrades while shared: {upgraded}, after the last drop: {}",
        weak.upgrade().is_some()
    );

    // Unique: grow like a Vec, share with no copy, take back, grow again.
    let mut u = UniqueArcArray::with_capacity(4);
    u.extend([10u64, 20, 30, 40]);
    let block = u.as_ptr();
    let shared: ArcArray<u64> = u.shareable();
    let same_block = ArcArray::as_ptr(&shared) == block;
    let mut back = ArcArray::try_unique(shared).expect("the only handle");
    back.push(50);
    let elems: Vec<u64> = back.into_iter().collect();
    println!("unique round trip: shared the same block: {same_block}; back by value after a push: {elems:?}");
}
