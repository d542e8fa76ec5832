//! rayon support (feature `rayon`): parallel construction straight into
//! the block (`par_new`, `par_with_label`, `FromParallelIterator`), and
//! `IntoParallelIterator` for shared references.

use rayon::iter::{FromParallelIterator, IntoParallelIterator};
use rayon::slice::Iter;

use crate::block;
use crate::{Allocator, ArcArrayBase, ArcLayout, HeapArray, UniqueArcArrayBase};

macro_rules! impl_par_new {
    ($name:ident) => { impl_par_new!(@ $name, $name); };
    ($name:ident, $handle:ident<$p:ident: $bound:path>) => { impl_par_new!(@ $name, $handle, $p: $bound); };
    (@ $name:ident, $handle:ident $(, $p:ident: $bound:path)?) => {
        impl<E: Send $(, $p: $bound)?> $handle<E, () $(, $p)?, crate::Global> {
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
            #[doc = concat!("use heaparray::", stringify!($name), ";")]
            #[doc = concat!("let a = ", stringify!($name), "::par_new(1000, |i| i * 2);")]
            /// assert_eq!(a[999], 1998);
            /// ```
            #[track_caller]
            pub fn par_new<F: Fn(usize) -> E + Sync>(len: usize, f: F) -> Self {
                Self::par_with_label((), len, |(), i| f(i))
            }
        }

        impl<E: Send, L: Sync $(, $p: $bound)?> $handle<E, L $(, $p)?, crate::Global> {
            /// Builds a labelled array in parallel, element `i` being
            /// `f(&label, i)`. Panics as
            #[doc = concat!("[`", stringify!($name), "::par_new`](Self::par_new).")]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use heaparray::", stringify!($name), ";")]
            #[doc = concat!("let a = ", stringify!($name), "::par_with_label(10u64, 100, |step, i| i as u64 * step);")]
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

impl_par_new!(ArcArray, ArcArrayBase<P: ArcLayout>);
impl_par_new!(HeapArray);
impl_par_new!(UniqueArcArray, UniqueArcArrayBase<P: ArcLayout>);

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

impl_par_iter!(ArcArrayBase, P: ArcLayout);
impl_par_iter!(HeapArray);
impl_par_iter!(UniqueArcArrayBase, P: ArcLayout);

macro_rules! impl_from_par_iter {
    ($name:ident) => { impl_from_par_iter!(@ $name, $name); };
    ($name:ident, $handle:ident<$p:ident: $bound:path>) => { impl_from_par_iter!(@ $name, $handle, $p: $bound); };
    (@ $name:ident, $handle:ident $(, $p:ident: $bound:path)?) => {
        impl<E: Send $(, $p: $bound)?, A: Allocator + Default> FromParallelIterator<E>
            for $handle<E, () $(, $p)?, A>
        {
            /// Collects a parallel iterator into the block, in parallel.
            ///
            /// An indexed iterator (one whose `opt_len` is known, such as
            /// `(0..n).into_par_iter().map(f)` or `v.par_iter().cloned()`)
            /// is written straight into a block of its length by rayon's
            /// tasks, as rayon collects into a `Vec`'s spare capacity: no
            /// intermediate `Vec`, no copy. Any other (`filter`,
            /// `flat_map`, `par_bridge`, ...) is collected as rayon
            /// collects a `Vec`, then moved into the block with one copy.
            ///
            /// # Panics
            ///
            /// "capacity overflow" for a length whose block would exceed
            /// `isize::MAX` bytes, before anything is allocated. If
            /// the iterator panics on any worker, every item already made
            /// is dropped exactly once, the block is freed and the panic
            /// propagates. An iterator that lies about its length or its
            /// splits (the iterator traits are safe to implement) gets a
            /// panic or a correct array, never an unsound one, and every
            /// item it made is dropped once, with one exception: a length
            /// whose block fits `isize::MAX` but that the allocator cannot
            /// give (a safe iterator claiming 2^45 items) runs the
            /// allocation error handler, which aborts the process, as
            /// rayon's own `collect_into_vec` does for that length.
            ///
            /// # Examples
            ///
            /// ```
            /// use heaparray::*;
            /// use rayon::prelude::*;
            #[doc = concat!("let squares: ", stringify!($name), "<u64> = (0..100u64).into_par_iter().map(|i| i * i).collect();")]
            /// assert_eq!(squares[99], 9801);
            ///
            #[doc = concat!("let words: ", stringify!($name), "<String> = [\"a\", \"b\"].par_iter().map(|s| s.to_uppercase()).collect();")]
            /// assert_eq!(&*words, ["A", "B"]);
            ///
            /// // Unindexed: collected, then moved into the block.
            #[doc = concat!("let odd: ", stringify!($name), "<u64> = (0..100u64).into_par_iter().filter(|i| i % 2 == 1).collect();")]
            /// assert_eq!(odd.len(), 50);
            /// ```
            #[track_caller]
            fn from_par_iter<I: IntoParallelIterator<Item = E>>(par_iter: I) -> Self {
                crate::allocation::infallible(block::build(block::try_par_collect(
                    (),
                    par_iter,
                    A::default(),
                )))
            }
        }
    };
}

impl_from_par_iter!(ArcArray, ArcArrayBase<P: ArcLayout>);
impl_from_par_iter!(HeapArray);
impl_from_par_iter!(UniqueArcArray, UniqueArcArrayBase<P: ArcLayout>);
