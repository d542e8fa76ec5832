//! `ArcArray` shared across rayon workers: cloning, reading and dropping a
//! million times with exact final counts, and parallel reductions. Apart
//! from the other thread tests because rayon's own dependencies need other
//! Miri flags (crossbeam-epoch is checked under Tree Borrows, rayon's pool
//! outlives `main`): see ci/miri.sh.
#![cfg(not(any(loom, shuttle)))]

mod common;

use common::{canary_arc, iterations, Ledger};
use heaparray::*;
use rayon::prelude::*;

/// Iterations: 64 under Miri.
fn n(native: usize) -> usize {
    iterations(native, 64)
}

#[test]
fn rayon_clones_reads_and_drops() {
    let ledger = Ledger::new();
    let a = canary_arc(&ledger, 100);
    let total: usize = (0..n(1_000_000))
        .into_par_iter()
        .map_with(a.clone(), |a, i| {
            let mine = a.clone();
            mine[i % 100].id
        })
        .sum();
    assert!(total > 0);
    assert_eq!(ArcArray::strong_count(&a), 1);
    let expected: usize = a.iter().map(|c| c.id).sum();
    let parallel: usize = a.par_iter().map(|c| c.id).sum();
    assert_eq!(parallel, expected);
    drop(a);
    ledger.assert_all_dropped();
}

#[test]
fn parallel_reduction_matches_arc_vec() {
    let len = n(1_000_000);
    let a = ArcArray::new(len, |i| i as u64);
    let v = std::sync::Arc::new((0..len as u64).collect::<Vec<u64>>());
    let sum_a: u64 = (0..8usize)
        .into_par_iter()
        .map(|part| {
            let a = a.clone();
            a[part * len / 8..(part + 1) * len / 8].iter().sum::<u64>()
        })
        .sum();
    let sum_v: u64 = v.par_iter().sum();
    assert_eq!(sum_a, sum_v);
    assert_eq!(sum_a, (len as u64) * (len as u64 - 1) / 2);
}
