//! rayon support (feature `rayon`): parallel construction straight into
//! the block, and `IntoParallelIterator` for shared references.

use rayon::iter::IntoParallelIterator;
use rayon::slice::Iter;

use crate::block;
use crate::{ArcArray, ArcLayout, HeapArray, UniqueArcArray};

macro_rules! impl_par_new {
    ($handle:ident) => {
        impl<E: Send> $handle<E> {
            /// Builds an unlabelled array of `len` elements in parallel on
            /// rayon's pool, element `i` being `f(i)`, written straight
            /// into the block (no `Vec`, no copy).
            ///
            /// # Panics
            ///
            /// "capacity overflow" as `new`. If `f` panics on any worker,
            /// every element already written is dropped exactly once, the
            /// block is freed and the panic propagates.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use heaparray::", stringify!($handle), ";")]
            #[doc = concat!("let a = ", stringify!($handle), "::par_new(1000, |i| i * 2);")]
            /// assert_eq!(a[999], 1998);
            /// ```
            #[track_caller]
            pub fn par_new<F: Fn(usize) -> E + Sync>(len: usize, f: F) -> Self {
                Self::par_with_label((), len, |(), i| f(i))
            }
        }

        impl<E: Send, L: Sync> $handle<E, L> {
            /// Builds a labelled array in parallel, element `i` being
            /// `f(&label, i)`. Panics as
            #[doc = concat!("[`", stringify!($handle), "::par_new`].")]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use heaparray::", stringify!($handle), ";")]
            #[doc = concat!("let a = ", stringify!($handle), "::par_with_label(10u64, 100, |step, i| i as u64 * step);")]
            /// assert_eq!(a[7], 70);
            /// ```
            #[track_caller]
            pub fn par_with_label<F: Fn(&L, usize) -> E + Sync>(label: L, len: usize, f: F) -> Self {
                crate::allocation::infallible(block::build(block::try_par_fill(
                    label,
                    len,
                    f,
                    crate::Global,
                )))
            }
        }
    };
}

impl_par_new!(ArcArray);
impl_par_new!(HeapArray);
impl_par_new!(UniqueArcArray);

macro_rules! impl_par_iter {
    ($handle:ident $(, $p:ident: $bound:path)?) => {
        impl<'a, E: Sync, L $(, $p: $bound)?, A: crate::Allocator> IntoParallelIterator
            for &'a $handle<E, L $(, $p)?, A>
        {
            type Iter = Iter<'a, E>;
            type Item = &'a E;
            /// A parallel iterator over the elements.
            fn into_par_iter(self) -> Iter<'a, E> {
                (**self).into_par_iter()
            }
        }
    };
}

impl_par_iter!(ArcArray, P: ArcLayout);
impl_par_iter!(HeapArray);
impl_par_iter!(UniqueArcArray, P: ArcLayout);
