//! A tour of heaparray: builds a labelled array, shares it across rayon
//! threads, and prints what it did and the handle sizes next to `Arc<[T]>`
//! and `Arc<Vec<T>>`.
//!
//! Run with `cargo run --release --example tour`.

use std::mem::size_of;
use std::sync::Arc;

use heaparray::*;
use rayon::prelude::*;

/// The label: metadata stored in the same block as the samples.
#[derive(Debug, Clone)]
struct Meta {
    name: &'static str,
    negatives: usize,
}

fn main() {
    // One allocation, filled in place; the label is updated as we go.
    let len = 1_000_000;
    let samples = ArcArray::with_label(
        Meta {
            name: "sine",
            negatives: 0,
        },
        len,
        |meta, i| {
            let x = (i as f64 / 1000.0).sin();
            if x < 0.0 {
                meta.negatives += 1;
            }
            x
        },
    );
    println!(
        "built {:?} with {} samples, {} negative",
        samples.get_label().name,
        samples.len(),
        samples.get_label().negatives
    );

    // Share it across rayon workers: each task clones the one-word handle.
    let chunk = 100_000;
    let sums: Vec<f64> = (0..len / chunk)
        .into_par_iter()
        .map(|c| {
            let mine = ArcArray::clone(&samples);
            mine[c * chunk..(c + 1) * chunk].iter().sum()
        })
        .collect();
    println!(
        "{} rayon tasks summed their chunks to {:.3}; strong count back to {}",
        sums.len(),
        sums.iter().sum::<f64>(),
        ArcArray::strong_count(&samples)
    );

    // Weak handles, copy-on-write and unique ownership, as with std's Arc.
    let weak = ArcArray::downgrade(&samples);
    let mut edited = ArcArray::clone(&samples);
    ArcArray::make_mut(&mut edited)[0] = 42.0;
    println!(
        "make_mut copied on write: original[0] = {}, edited[0] = {}; weak upgrades: {}",
        samples[0],
        edited[0],
        weak.upgrade().is_some()
    );
    drop(samples);
    println!(
        "after the last strong drop the weak upgrades: {}",
        weak.upgrade().is_some()
    );

    let word = size_of::<usize>();
    println!("\nhandle sizes (bytes):");
    println!(
        "  {:<28} {:>3}",
        "ArcArray<f64, Meta>",
        size_of::<ArcArray<f64, Meta>>()
    );
    println!(
        "  {:<28} {:>3}",
        "Option<ArcArray<f64>>",
        size_of::<Option<ArcArray<f64>>>()
    );
    println!("  {:<28} {:>3}", "Arc<[f64]>", size_of::<Arc<[f64]>>());
    println!(
        "  {:<28} {:>3}",
        "Arc<Vec<f64>>",
        size_of::<Arc<Vec<f64>>>()
    );
    println!(
        "  {:<28} {:>3}",
        "HeapArray<f64, Meta>",
        size_of::<HeapArray<f64, Meta>>()
    );
    println!("  {:<28} {:>3}", "RcArray<f64>", size_of::<RcArray<f64>>());
    assert_eq!(size_of::<ArcArray<f64, Meta>>(), word);
    println!(
        "\nreaching an element: ArcArray 1 hop, Arc<[T]> 1 hop (2-word handle), Arc<Vec<T>> 2 hops"
    );

    // Many small arrays: the compact layout drops the 128-byte padding
    // around the counts (same methods; built through the traits, which
    // `use heaparray::*` brings in).
    let small: Vec<CompactArcArray<u16>> = (0..1000)
        .map(|i| CompactArcArray::new(4, |j| (i + j) as u16))
        .collect();
    let last = CompactArcArray::clone(&small[999]);
    println!(
        "\n1000 compact arrays of 4 u16 (24-byte header each, not 144); the last: {:?}, {} handles",
        &*last,
        ArcArrayBase::strong_count(&last)
    );
}
