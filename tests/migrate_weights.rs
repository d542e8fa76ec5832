//! Issue 19 acceptance, migration 1: `Arc<Vec<f32>>` model weights shared
//! across std threads (and rayon tasks), with hot reload through a
//! `Mutex<Arc<Vec<f32>>>` that a writer swaps while readers keep old
//! versions alive; moved to `ArcArray<f32>` and `CompactArcArray<f32>`.
//!
//! `original` is the std program. `migrated!` is the same program with
//! `Arc<Vec<f32>>` -> `$Arc<f32>` and `Arc::` -> `$Arc::`; each other
//! change is marked `MIGRATION:`. It is instantiated in both layouts with
//! both import styles, and once more with an allocator of our own (a
//! thread-safe counting one: `&bumpalo::Bump` is not `Sync`, so arena
//! weights cannot cross threads, exactly as with std's nightly
//! `Arc<_, &Bump>`). Each program returns a transcript; they must match.

#![cfg(not(any(loom, shuttle)))]

/// Small under Miri, which runs this file too; 2 reader threads.
const N: usize = if cfg!(miri) { 8 } else { 512 };
const READERS: usize = 2;
const ROUNDS: usize = if cfg!(miri) { 2 } else { 20 };

mod original {
    use std::sync::{Arc, Mutex};
    use std::thread;

    pub struct Model {
        current: Mutex<Arc<Vec<f32>>>,
    }

    impl Model {
        pub fn new(weights: Vec<f32>) -> Self {
            Model {
                current: Mutex::new(Arc::new(weights)),
            }
        }

        pub fn snapshot(&self) -> Arc<Vec<f32>> {
            Arc::clone(&self.current.lock().unwrap())
        }

        /// Publishes new weights; returns the retired version.
        pub fn reload(&self, weights: Vec<f32>) -> Arc<Vec<f32>> {
            let new = Arc::new(weights);
            std::mem::replace(&mut *self.current.lock().unwrap(), new)
        }
    }

    pub fn score(weights: &[f32], input: &[f32]) -> f32 {
        weights.iter().zip(input).map(|(w, x)| w * x).sum()
    }

    pub fn run(n: usize, readers: usize, rounds: usize) -> Vec<String> {
        let mut log = Vec::new();
        let model = Model::new((0..n).map(|i| i as f32).collect());
        let input: Arc<Vec<f32>> = Arc::new(vec![1.0; n]);

        // Readers take a snapshot, then the writer reloads: each reader
        // finishes on the version it took.
        let v1 = model.snapshot();
        let handles: Vec<_> = (0..readers)
            .map(|t| {
                let weights = model.snapshot();
                let input = Arc::clone(&input);
                thread::spawn(move || (t, weights.len(), weights[1], score(&weights, &input)))
            })
            .collect();
        let retired = model.reload(vec![2.0; n]);
        for h in handles {
            log.push(format!("reader {:?}", h.join().unwrap()));
        }
        log.push(format!(
            "retired is v1 {} strong {} current strong {}",
            Arc::ptr_eq(&retired, &v1),
            Arc::strong_count(&v1),
            Arc::strong_count(&model.snapshot())
        ));

        // A writer swaps while readers score: every score is one of the
        // published versions', and old versions stay alive while read.
        let valid: Vec<f32> = (0..=rounds)
            .map(|k| score(&vec![k as f32; n], &input))
            .chain([score(&vec![2.0; n], &input)])
            .collect();
        let invalid = thread::scope(|s| {
            let (model, input, valid) = (&model, &input, &valid);
            s.spawn(move || {
                for k in 0..=rounds {
                    drop(model.reload(vec![k as f32; n]));
                }
            });
            let readers: Vec<_> = (0..readers)
                .map(|_| {
                    s.spawn(move || {
                        (0..rounds)
                            .filter(|_| !valid.contains(&score(&model.snapshot(), input)))
                            .count()
                    })
                })
                .collect();
            readers
                .into_iter()
                .map(|r| r.join().unwrap())
                .sum::<usize>()
        });
        log.push(format!("invalid scores {invalid}"));

        // Recycle the retired buffer once its last reader is gone.
        let retired = Arc::try_unwrap(retired).unwrap_err();
        drop(v1);
        let mut buf: Vec<f32> = Arc::try_unwrap(retired).unwrap();
        for w in buf.iter_mut() {
            *w *= 10.0;
        }
        drop(model.reload(buf));
        let now = model.snapshot();
        log.push(format!(
            "recycled: w[1] {} score {}",
            now[1],
            score(&now, &input)
        ));

        // A local tweak: copy-on-write while the model still holds it.
        let mut mine = model.snapshot();
        Arc::make_mut(&mut mine)[0] = -1.0;
        log.push(format!(
            "make_mut: mine[0] {} model[0] {} shared {}",
            mine[0],
            model.snapshot()[0],
            Arc::ptr_eq(&mine, &model.snapshot())
        ));
        log
    }

    /// The same readers as rayon tasks, and a parallel reduction.
    #[cfg(all(feature = "rayon", not(miri)))]
    pub fn run_rayon(n: usize) -> Vec<String> {
        use rayon::prelude::*;
        let mut log = Vec::new();
        let weights: Vec<f32> = (0..n).into_par_iter().map(|i| i as f32).collect();
        let model = Model::new(weights);
        let input: Arc<Vec<f32>> = Arc::new(vec![1.0; n]);
        let mut scores = vec![0.0f32; 2];
        rayon::scope(|s| {
            for (t, slot) in scores.iter_mut().enumerate() {
                let weights = model.snapshot();
                let input = Arc::clone(&input);
                s.spawn(move |_| *slot = score(&weights[t..], &input));
            }
            drop(model.reload(vec![0.0; n]));
        });
        log.push(format!("rayon tasks {scores:?}"));
        let w = model.snapshot();
        let par: f32 = w.par_iter().zip(input.par_iter()).map(|(w, x)| w * x).sum();
        let chunks: Vec<f32> = w.par_chunks(4).map(|c| c.iter().sum()).collect();
        log.push(format!("par score {par} chunks {}", chunks.len()));
        log
    }
}

/// The migrated program: `original` with the type names changed.
macro_rules! migrated {
    ($Arc:ident) => {
        use std::sync::Mutex;
        use std::thread;

        pub struct Model {
            current: Mutex<$Arc<f32>>,
        }

        impl Model {
            pub fn new(weights: Vec<f32>) -> Self {
                Model {
                    // MIGRATION: `Arc::new(vec)` -> `from(vec)`: `new` takes
                    // a length and a closure (`error[E0061]: this function
                    // takes 2 arguments but 1 argument was supplied`).
                    current: Mutex::new($Arc::from(weights)),
                }
            }

            pub fn snapshot(&self) -> $Arc<f32> {
                $Arc::clone(&self.current.lock().unwrap())
            }

            pub fn reload(&self, weights: Vec<f32>) -> $Arc<f32> {
                let new = $Arc::from(weights); // MIGRATION: as above.
                std::mem::replace(&mut *self.current.lock().unwrap(), new)
            }
        }

        pub fn score(weights: &[f32], input: &[f32]) -> f32 {
            weights.iter().zip(input).map(|(w, x)| w * x).sum()
        }

        pub fn run(n: usize, readers: usize, rounds: usize) -> Vec<String> {
            let mut log = Vec::new();
            let model = Model::new((0..n).map(|i| i as f32).collect());
            let input: $Arc<f32> = $Arc::from(vec![1.0; n]); // MIGRATION: new -> from

            let v1 = model.snapshot();
            let handles: Vec<_> = (0..readers)
                .map(|t| {
                    let weights = model.snapshot();
                    let input = $Arc::clone(&input);
                    thread::spawn(move || (t, weights.len(), weights[1], score(&weights, &input)))
                })
                .collect();
            let retired = model.reload(vec![2.0; n]);
            for h in handles {
                log.push(format!("reader {:?}", h.join().unwrap()));
            }
            log.push(format!(
                "retired is v1 {} strong {} current strong {}",
                $Arc::ptr_eq(&retired, &v1),
                $Arc::strong_count(&v1),
                $Arc::strong_count(&model.snapshot())
            ));

            let valid: Vec<f32> = (0..=rounds)
                .map(|k| score(&vec![k as f32; n], &input))
                .chain([score(&vec![2.0; n], &input)])
                .collect();
            let invalid = thread::scope(|s| {
                let (model, input, valid) = (&model, &input, &valid);
                s.spawn(move || {
                    for k in 0..=rounds {
                        drop(model.reload(vec![k as f32; n]));
                    }
                });
                let readers: Vec<_> = (0..readers)
                    .map(|_| {
                        s.spawn(move || {
                            (0..rounds)
                                .filter(|_| !valid.contains(&score(&model.snapshot(), input)))
                                .count()
                        })
                    })
                    .collect();
                readers
                    .into_iter()
                    .map(|r| r.join().unwrap())
                    .sum::<usize>()
            });
            log.push(format!("invalid scores {invalid}"));

            // MIGRATION: `try_unwrap` -> `try_unique` (rustc gives no hint:
            // `error[E0599]: no function or associated item named
            // try_unwrap found`; the doc alias helps rustdoc search only).
            let retired = $Arc::try_unique(retired).unwrap_err();
            drop(v1);
            // MIGRATION: the unique contents are a `UniqueArcArray`, not a
            // `Vec<f32>`: `let mut buf: Vec<f32> = ..` is `error[E0308]:
            // mismatched types` (rustc suggests `.to_vec()`, a copy), and
            // `reload(buf)` likewise. Dropping the annotation and passing
            // `buf.to_vec()` compiles but copies what std moved; the copy
            // is avoided only by changing `reload` to take the handle
            // (`$Arc::from(buf)` is free). No `Vec` without a copy exists.
            let mut buf = $Arc::try_unique(retired).unwrap();
            for w in buf.iter_mut() {
                *w *= 10.0;
            }
            drop(model.reload(buf.to_vec()));
            let now = model.snapshot();
            log.push(format!(
                "recycled: w[1] {} score {}",
                now[1],
                score(&now, &input)
            ));

            let mut mine = model.snapshot();
            $Arc::make_mut(&mut mine)[0] = -1.0;
            log.push(format!(
                "make_mut: mine[0] {} model[0] {} shared {}",
                mine[0],
                model.snapshot()[0],
                $Arc::ptr_eq(&mine, &model.snapshot())
            ));
            log
        }

        #[cfg(all(feature = "rayon", not(miri)))]
        pub fn run_rayon(n: usize) -> Vec<String> {
            use rayon::prelude::*;
            let mut log = Vec::new();
            let weights: Vec<f32> = (0..n).into_par_iter().map(|i| i as f32).collect();
            let model = Model::new(weights);
            let input: $Arc<f32> = $Arc::from(vec![1.0; n]); // MIGRATION: new -> from
            let mut scores = vec![0.0f32; 2];
            rayon::scope(|s| {
                for (t, slot) in scores.iter_mut().enumerate() {
                    let weights = model.snapshot();
                    let input = $Arc::clone(&input);
                    s.spawn(move |_| *slot = score(&weights[t..], &input));
                }
                drop(model.reload(vec![0.0; n]));
            });
            log.push(format!("rayon tasks {scores:?}"));
            let w = model.snapshot();
            let par: f32 = w.par_iter().zip(input.par_iter()).map(|(w, x)| w * x).sum();
            let chunks: Vec<f32> = w.par_chunks(4).map(|c| c.iter().sum()).collect();
            log.push(format!("par score {par} chunks {}", chunks.len()));
            // Not a migration, a bonus: collect straight into the block.
            let direct: $Arc<f32> = (0..n).into_par_iter().map(|i| i as f32).collect();
            assert_eq!(
                &direct[..],
                &(0..n).map(|i| i as f32).collect::<Vec<_>>()[..]
            );
            log
        }
    };
}

mod padded_glob {
    use heaparray::*;
    migrated!(ArcArray);
}

mod padded_explicit {
    use heaparray::ArcArray;
    migrated!(ArcArray);
}

mod compact_glob {
    use heaparray::*;
    migrated!(CompactArcArray);
}

mod compact_explicit {
    use heaparray::CompactArcArray;
    migrated!(CompactArcArray);
}

#[test]
fn weights_padded_glob_behave_as_std() {
    assert_eq!(
        padded_glob::run(N, READERS, ROUNDS),
        original::run(N, READERS, ROUNDS)
    );
}

#[test]
fn weights_padded_explicit_behave_as_std() {
    assert_eq!(
        padded_explicit::run(N, READERS, ROUNDS),
        original::run(N, READERS, ROUNDS)
    );
}

#[test]
fn weights_compact_glob_behave_as_std() {
    assert_eq!(
        compact_glob::run(N, READERS, ROUNDS),
        original::run(N, READERS, ROUNDS)
    );
}

#[test]
fn weights_compact_explicit_behave_as_std() {
    assert_eq!(
        compact_explicit::run(N, READERS, ROUNDS),
        original::run(N, READERS, ROUNDS)
    );
}

// Natively only: under Miri, rayon's pool runs in ci/miri.sh's rayon
// lane (tests/rayon_*.rs: Tree Borrows with permissive provenance, which
// crossbeam-epoch needs); the std-thread runs above are this program's
// Miri coverage, in both borrow models.
#[cfg(all(feature = "rayon", not(miri)))]
#[test]
fn weights_on_rayon_behave_as_std() {
    let expected = original::run_rayon(N);
    assert_eq!(padded_glob::run_rayon(N), expected);
    assert_eq!(padded_explicit::run_rayon(N), expected);
    assert_eq!(compact_glob::run_rayon(N), expected);
    assert_eq!(compact_explicit::run_rayon(N), expected);
}

/// The weights from an allocator of our own: thread-safe, counting its
/// live blocks. Std's `Arc<Vec<f32>, A>` is nightly-only, so there is no
/// std twin; the transcript is the std program's.
///
/// MIGRATION (more than names, for any non-default allocator): the type is
/// `ArcArray<f32, (), Counting>` (the allocator comes after the label),
/// and `from(vec)` has no `_in` form: `from_iter_in(vec, alloc)`.
mod own_allocator {
    use heaparray::{AllocError, Allocator, ArcArray, CompactArcArray, Global};
    use std::alloc::Layout;
    use std::ptr::NonNull;
    use std::sync::atomic::{AtomicIsize, Ordering};
    use std::sync::{Arc, Mutex};
    use std::thread;

    #[derive(Clone, Default)]
    pub struct Counting(pub Arc<AtomicIsize>);

    // SAFETY: forwards to the global allocator.
    unsafe impl Allocator for Counting {
        fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
            self.0.fetch_add(1, Ordering::Relaxed);
            Global.allocate(layout)
        }
        unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
            self.0.fetch_sub(1, Ordering::Relaxed);
            // SAFETY: `ptr` came from `Global.allocate` with `layout`.
            unsafe { Global.deallocate(ptr, layout) }
        }
    }

    macro_rules! model {
        ($Arc:ident) => {
            pub struct Model {
                alloc: Counting,
                current: Mutex<$Arc<f32, (), Counting>>,
            }

            impl Model {
                pub fn new(weights: Vec<f32>, alloc: Counting) -> Self {
                    Model {
                        current: Mutex::new($Arc::from_iter_in(weights, alloc.clone())),
                        alloc,
                    }
                }

                pub fn snapshot(&self) -> $Arc<f32, (), Counting> {
                    $Arc::clone(&self.current.lock().unwrap())
                }

                pub fn reload(&self, weights: Vec<f32>) -> $Arc<f32, (), Counting> {
                    let new = $Arc::from_iter_in(weights, self.alloc.clone());
                    std::mem::replace(&mut *self.current.lock().unwrap(), new)
                }
            }

            pub fn run(n: usize, readers: usize, rounds: usize) -> Vec<String> {
                use super::super::original::score;
                let alloc = Counting::default();
                let live = Arc::clone(&alloc.0);
                let mut log = Vec::new();
                let model = Model::new((0..n).map(|i| i as f32).collect(), alloc.clone());
                let input: $Arc<f32, (), Counting> = $Arc::from_iter_in(vec![1.0; n], alloc);

                let v1 = model.snapshot();
                let handles: Vec<_> = (0..readers)
                    .map(|t| {
                        let weights = model.snapshot();
                        let input = $Arc::clone(&input);
                        thread::spawn(move || {
                            (t, weights.len(), weights[1], score(&weights, &input))
                        })
                    })
                    .collect();
                let retired = model.reload(vec![2.0; n]);
                for h in handles {
                    log.push(format!("reader {:?}", h.join().unwrap()));
                }
                log.push(format!(
                    "retired is v1 {} strong {} current strong {}",
                    $Arc::ptr_eq(&retired, &v1),
                    $Arc::strong_count(&v1),
                    $Arc::strong_count(&model.snapshot())
                ));
                // Live blocks: input, v1 (= retired), the current weights.
                assert_eq!(live.load(Ordering::Relaxed), 3);

                let valid: Vec<f32> = (0..=rounds)
                    .map(|k| score(&vec![k as f32; n], &input))
                    .chain([score(&vec![2.0; n], &input)])
                    .collect();
                let invalid = thread::scope(|s| {
                    let (model, input, valid) = (&model, &input, &valid);
                    s.spawn(move || {
                        for k in 0..=rounds {
                            drop(model.reload(vec![k as f32; n]));
                        }
                    });
                    let readers: Vec<_> = (0..readers)
                        .map(|_| {
                            s.spawn(move || {
                                (0..rounds)
                                    .filter(|_| !valid.contains(&score(&model.snapshot(), input)))
                                    .count()
                            })
                        })
                        .collect();
                    readers
                        .into_iter()
                        .map(|r| r.join().unwrap())
                        .sum::<usize>()
                });
                log.push(format!("invalid scores {invalid}"));

                let retired = $Arc::try_unique(retired).unwrap_err();
                drop(v1);
                let mut buf = $Arc::try_unique(retired).unwrap();
                for w in buf.iter_mut() {
                    *w *= 10.0;
                }
                drop(model.reload(buf.to_vec()));
                let now = model.snapshot();
                log.push(format!(
                    "recycled: w[1] {} score {}",
                    now[1],
                    score(&now, &input)
                ));

                let mut mine = model.snapshot();
                $Arc::make_mut(&mut mine)[0] = -1.0;
                log.push(format!(
                    "make_mut: mine[0] {} model[0] {} shared {}",
                    mine[0],
                    model.snapshot()[0],
                    $Arc::ptr_eq(&mine, &model.snapshot())
                ));
                drop((now, mine, input, model, buf));
                assert_eq!(live.load(Ordering::Relaxed), 0, "every block returned");
                log
            }
        };
    }

    pub mod padded {
        use super::*;
        model!(ArcArray);
    }

    pub mod compact {
        use super::*;
        model!(CompactArcArray);
    }
}

#[test]
fn weights_from_our_own_allocator_behave_as_std() {
    let expected = original::run(N, READERS, ROUNDS);
    assert_eq!(own_allocator::padded::run(N, READERS, ROUNDS), expected);
    assert_eq!(own_allocator::compact::run(N, READERS, ROUNDS), expected);
}
