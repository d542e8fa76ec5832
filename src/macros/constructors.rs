//! The constructors, conversions and constructing traits every owning
//! handle shares (`impl_constructors!`), and `Default` for the handles whose
//! empty array is a block of its own (`impl_default!`), all over
//! `block::FromBuilder`.

/// Implements `Default` (an empty array, from a default allocator) for a
/// handle whose empty array is a block of its own: all but `ArcArray`,
/// whose empty arrays share a static block (`arc_array/empty.rs`).
macro_rules! impl_default {
    ($name:ident, $handle:ident $(, $p:ident: $bound:path)?) => {
        impl<E $(, $p: $bound)?, A: $crate::Allocator + Default> Default for $handle<E, () $(, $p)?, A> {
            /// An empty array, in a block of its own from `A::default()`.
            ///
            /// # Examples
            ///
            /// ```
            /// use heaparray::*;
            #[doc = concat!("let a: ", stringify!($name), "<u8> = Default::default();")]
            /// assert!(a.is_empty());
            /// ```
            fn default() -> Self {
                Self::new_in(0, |_| unreachable!(), A::default())
            }
        }
    };
}

/// Implements `Clone` as a new block (`Box::clone`'s and `Vec::clone`'s
/// meaning) for the handles that are their block's only one: `HeapArray`
/// and `UniqueArcArrayBase`.
macro_rules! impl_deep_clone {
    ($name:ident, $handle:ident $(, $p:ident: $bound:path)?) => {
        impl<E: Clone, L: Clone $(, $p: $bound)?, A: $crate::Allocator + Clone> Clone for $handle<E, L $(, $p)?, A> {
            /// Clones the label and every element into a new block (of
            /// the length, with no spare capacity) from a clone of the
            /// allocator. A panicking `Clone` drops what was cloned so far
            /// and frees the new block; an allocation failure calls the
            /// global allocation error handler, as `Box::clone` does.
            ///
            /// # Examples
            ///
            /// ```
            /// use heaparray::*;
            #[doc = concat!("let a = ", stringify!($name), "::with_label(String::from(\"meta\"), 2, |_, i| i.to_string());")]
            /// let b = a.clone();
            /// assert_eq!((b.get_label(), &*b), (a.get_label(), &*a));
            /// assert_ne!(b.as_ptr(), a.as_ptr());
            /// ```
            #[track_caller]
            fn clone(&self) -> Self {
                let alloc = Self::allocator(self).clone();
                Self::with_label_in(self.get_label().clone(), self.len(), |_, i| self[i].clone(), alloc)
            }
        }
    };
}

/// Implements the constructors, conversions and constructing traits every
/// owning handle shares, over [`crate::block::FromBuilder`]:
///
/// - inherent, for the global allocator: `new`, `with_label`, `with_len`,
///   `try_new`, `try_with_label`, `try_from_iter`;
/// - inherent, for any allocator: `new_in`, `with_label_in`,
///   `from_iter_in`, `try_new_in`, `try_with_label_in`, `try_from_iter_in`;
/// - `From<Vec<E>>`, `From<Box<[E]>>`, `From<&[E]>`, `From<&mut [E]>`,
///   `From<[E; N]>`, `From<Cow<[E]>>` (global allocator);
/// - for every layout: `MakeArrayIn`, `LabelledArrayIn` (any allocator);
///   `FromIterator` (an allocator that is `Default`); and
///   `MakeArray`, `LabelledArray`, `DefaultLabelledArray`, `TryMakeArray`,
///   `TryLabelledArray` (an allocator that is `Default`: these name no
///   allocator value; `LabelledArray` for any allocator, its `with_label`
///   provided by the trait where `Self: TryLabelledArray`).
///
/// The handle supplies `get_label` and `FromBuilder`. Two inherent methods
/// fill a block (`try_with_label_in`, `try_from_iter_in`) and one checks an
/// exact-size iterator (`try_from_label_and_iter_in`); every other
/// constructor, inherent or trait, calls one of them, passing `Global`,
/// `A::default()`, a `()` label or `infallible`'s panic.
///
/// A handle with a layout parameter is one generic type behind two
/// aliases (`ArcArrayBase` behind `ArcArray` and `CompactArcArray`): the
/// macro takes the name the docs use, then the generic type and its layout
/// parameter (`impl_constructors!(ArcArray, ArcArrayBase, P: ArcLayout)`),
/// and writes every impl once for every layout. The aliases fix the layout,
/// so `CompactArcArray::new(..)` and `ArcArray::from(vec)` infer with no
/// trait in scope; only the base type, named bare, leaves it open.
macro_rules! impl_constructors {
    ($name:ident, $handle:ident $(, $p:ident: $bound:path)?) => {
        impl<E $(, $p: $bound)?> $handle<E, () $(, $p)?, $crate::Global> {
            /// Builds an unlabelled array of `len` elements, element `i` being
            /// `f(i)`, written straight into the block.
            ///
            /// # Panics
            ///
            /// "capacity overflow" if the block would exceed `isize::MAX`
            /// bytes, before anything is allocated. If `f` panics, the
            /// elements made so far are dropped, the block is freed and the
            /// panic propagates. If the allocation fails, the global
            /// allocation error handler runs (an abort, as for `Vec`); the
            /// `try_` constructors return the error instead.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("let a = heaparray::", stringify!($name), "::new(3, |i| i + 3);")]
            /// assert_eq!(&*a, &[3, 4, 5]);
            /// ```
            #[doc(alias = "from_fn")]
            #[track_caller]
            pub fn new<F: FnMut(usize) -> E>(len: usize, f: F) -> Self {
                Self::new_in(len, f, $crate::Global)
            }

            /// As [`new`](Self::new), but an allocation failure or a length
            /// too large is an `Err`, never an abort or a panic (like
            /// `Box::try_new`).
            ///
            /// # Errors
            ///
            /// [`TryReserveError::CapacityOverflow`](crate::TryReserveError)
            /// before anything is allocated, or
            /// [`TryReserveError::AllocError`](crate::TryReserveError) with
            /// the layout the allocator refused. `f` is not called then.
            ///
            /// # Panics
            ///
            /// Only if `f` panics (the elements made so far are dropped and
            /// the block freed).
            ///
            /// # Examples
            ///
            /// ```
            /// use heaparray::*;
            #[doc = concat!("let a = ", stringify!($name), "::try_new(3, |i| i)?;")]
            /// assert_eq!(&*a, &[0, 1, 2]);
            #[doc = concat!("let too_long = ", stringify!($name), "::<u64>::try_new(usize::MAX / 4, |_| 0);")]
            /// assert_eq!(too_long.unwrap_err(), TryReserveError::CapacityOverflow);
            /// # Ok::<(), TryReserveError>(())
            /// ```
            pub fn try_new<F: FnMut(usize) -> E>(
                len: usize,
                f: F,
            ) -> Result<Self, $crate::TryReserveError> {
                Self::try_new_in(len, f, $crate::Global)
            }

            /// Collects an iterator, as `collect` does, but an allocation
            /// failure (at the first allocation, at each growth, or at the
            /// final trim) is an `Err`.
            ///
            /// # Errors
            ///
            /// As [`try_new`](Self::try_new); the elements collected so far
            /// and the rest of the iterator are dropped.
            ///
            /// # Examples
            ///
            /// ```
            /// use heaparray::*;
            #[doc = concat!("let a = ", stringify!($name), "::try_from_iter((0..4).filter(|i| i % 2 == 0))?;")]
            /// assert_eq!(&*a, &[0, 2]);
            /// # Ok::<(), TryReserveError>(())
            /// ```
            pub fn try_from_iter<I: IntoIterator<Item = E>>(
                iter: I,
            ) -> Result<Self, $crate::TryReserveError> {
                Self::try_from_iter_in(iter, $crate::Global)
            }
        }

        impl<E, L $(, $p: $bound)?> $handle<E, L $(, $p)?, $crate::Global> {
            /// Builds an array of `len` elements with a label, element `i`
            /// being `f(&mut label, i)`: the label can be updated as the
            /// elements are made.
            ///
            /// # Panics
            ///
            #[doc = concat!("As [`", stringify!($name), "::new`]; the label is dropped too if `f` panics.")]
            ///
            /// # Examples
            ///
            /// ```
            /// // Count even and odd indices in the label.
            #[doc = concat!("let a = heaparray::", stringify!($name), "::with_label((0, 0), 5, |(even, odd), i| {")]
            ///     if i % 2 == 0 { *even += 1 } else { *odd += 1 }
            ///     i * i
            /// });
            /// assert_eq!(*a.get_label(), (3, 2));
            /// assert_eq!(a[4], 16);
            /// ```
            #[track_caller]
            pub fn with_label<F: FnMut(&mut L, usize) -> E>(label: L, len: usize, f: F) -> Self {
                Self::with_label_in(label, len, f, $crate::Global)
            }

            /// As [`with_label`](Self::with_label), but an allocation
            /// failure or a length too large is an `Err`.
            ///
            /// # Errors
            ///
            #[doc = concat!("As [`", stringify!($name), "::try_new`]; the label is dropped then, as `Box::try_new` drops its value.")]
            ///
            /// # Examples
            ///
            /// ```
            /// use heaparray::*;
            #[doc = concat!("let a = ", stringify!($name), "::try_with_label(\"meta\", 2, |_, i| i)?;")]
            /// assert_eq!((*a.get_label(), &*a), ("meta", &[0, 1][..]));
            /// # Ok::<(), TryReserveError>(())
            /// ```
            pub fn try_with_label<F: FnMut(&mut L, usize) -> E>(
                label: L,
                len: usize,
                f: F,
            ) -> Result<Self, $crate::TryReserveError> {
                Self::try_with_label_in(label, len, f, $crate::Global)
            }

            /// Builds an array of `len` default elements with a label.
            ///
            /// # Panics
            ///
            #[doc = concat!("As [`", stringify!($name), "::new`].")]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("let a = heaparray::", stringify!($name), "::<u8, &str>::with_len(\"zeros\", 3);")]
            /// assert_eq!(&*a, &[0, 0, 0]);
            /// assert_eq!(*a.get_label(), "zeros");
            /// ```
            #[track_caller]
            pub fn with_len(label: L, len: usize) -> Self
            where
                E: Default,
            {
                Self::with_label(label, len, |_, _| E::default())
            }

            /// Builds a labelled array from the items of an exact-size
            /// iterator, written straight into a block of its `len()`
            /// (triomphe's `from_header_and_iter`). The iterator's `len()`
            /// is checked, not trusted.
            ///
            /// # Panics
            ///
            /// If the iterator yields fewer or more items than its `len()`
            /// said (what it yielded and the label are dropped, the block
            /// freed), or if `next` panics; "capacity overflow" and the
            /// allocation error handler as [`new`](Self::new).
            ///
            /// # Examples
            ///
            /// ```
            /// use heaparray::*;
            /// let children = vec!["a".to_string(), "b".to_string()];
            #[doc = concat!("let node = ", stringify!($name), "::from_label_and_iter(\"kind\", children);")]
            /// assert_eq!((*node.get_label(), node.len()), ("kind", 2));
            /// ```
            #[track_caller]
            pub fn from_label_and_iter<I>(label: L, iter: I) -> Self
            where
                I: IntoIterator<Item = E, IntoIter: ExactSizeIterator>,
            {
                $crate::allocation::infallible(Self::try_from_label_and_iter(label, iter))
            }

            /// As [`from_label_and_iter`](Self::from_label_and_iter), with
            /// an `Err` instead of a panic or an abort.
            ///
            /// # Errors
            ///
            #[doc = concat!("As [`", stringify!($name), "::try_new`], before the iterator is touched; [`TryReserveError::LengthMismatch`](crate::TryReserveError) if it yields fewer or more items than its `len()` said (what it yielded and the label are dropped, the block freed).")]
            ///
            /// # Examples
            ///
            /// ```
            /// use heaparray::*;
            #[doc = concat!("let a = ", stringify!($name), "::try_from_label_and_iter(1u8, [10, 20])?;")]
            /// assert_eq!(*a, [10, 20]);
            /// # Ok::<(), TryReserveError>(())
            /// ```
            pub fn try_from_label_and_iter<I: IntoIterator<Item = E, IntoIter: ExactSizeIterator>>(
                label: L,
                iter: I,
            ) -> Result<Self, $crate::TryReserveError> {
                Self::try_from_label_and_iter_in(label, iter, $crate::Global)
            }
        }

        impl<E $(, $p: $bound)?, A: $crate::Allocator> $handle<E, () $(, $p)?, A> {
            /// Builds an unlabelled array of `len` elements, element `i`
            /// being `f(i)`, in a block from `alloc`. The allocator moves
            /// into the block; the last owner frees the block with it.
            ///
            /// # Panics
            ///
            #[doc = concat!("As [`", stringify!($name), "::new`].")]
            ///
            /// # Examples
            ///
            /// ```
            /// use heaparray::*;
            /// let arena = bumpalo::Bump::new();
            #[doc = concat!("let a = ", stringify!($name), "::new_in(3, |i| i * 2, &arena);")]
            /// assert_eq!(&*a, &[0, 2, 4]);
            /// ```
            #[track_caller]
            pub fn new_in<F: FnMut(usize) -> E>(len: usize, f: F, alloc: A) -> Self {
                $crate::allocation::infallible(Self::try_new_in(len, f, alloc))
            }

            /// As [`new_in`](Self::new_in), but an allocation failure or a
            /// length too large is an `Err` (the allocator is dropped then).
            ///
            /// # Errors
            ///
            #[doc = concat!("As [`", stringify!($name), "::try_new`].")]
            ///
            /// # Examples
            ///
            /// ```
            /// use heaparray::*;
            /// let arena = bumpalo::Bump::new();
            #[doc = concat!("let a = ", stringify!($name), "::try_new_in(2, |i| i, &arena)?;")]
            /// assert_eq!(&*a, &[0, 1]);
            /// # Ok::<(), TryReserveError>(())
            /// ```
            pub fn try_new_in<F: FnMut(usize) -> E>(
                len: usize,
                mut f: F,
                alloc: A,
            ) -> Result<Self, $crate::TryReserveError> {
                Self::try_with_label_in((), len, |(), i| f(i), alloc)
            }

            /// Collects an iterator into a block from `alloc`.
            ///
            /// # Panics
            ///
            #[doc = concat!("As [`", stringify!($name), "::new`]; if the iterator panics, what it yielded is dropped and the block freed.")]
            ///
            /// # Examples
            ///
            /// ```
            /// use heaparray::*;
            /// let arena = bumpalo::Bump::new();
            #[doc = concat!("let a = ", stringify!($name), "::from_iter_in((0..3).map(|i| i + 1), &arena);")]
            /// assert_eq!(&*a, &[1, 2, 3]);
            /// ```
            #[track_caller]
            pub fn from_iter_in<I: IntoIterator<Item = E>>(iter: I, alloc: A) -> Self {
                $crate::allocation::infallible(Self::try_from_iter_in(iter, alloc))
            }

            /// As [`from_iter_in`](Self::from_iter_in), but an allocation
            /// failure is an `Err`.
            ///
            /// # Errors
            ///
            #[doc = concat!("As [`", stringify!($name), "::try_from_iter`].")]
            ///
            /// # Examples
            ///
            /// ```
            /// use heaparray::*;
            /// let arena = bumpalo::Bump::new();
            #[doc = concat!("let a = ", stringify!($name), "::try_from_iter_in(0..2, &arena)?;")]
            /// assert_eq!(&*a, &[0, 1]);
            /// # Ok::<(), TryReserveError>(())
            /// ```
            pub fn try_from_iter_in<I: IntoIterator<Item = E>>(
                iter: I,
                alloc: A,
            ) -> Result<Self, $crate::TryReserveError> {
                $crate::block::build($crate::block::try_collect((), iter, alloc))
            }
        }

        impl<E, L $(, $p: $bound)?, A: $crate::Allocator> $handle<E, L $(, $p)?, A> {
            /// Builds a labelled array, element `i` being
            /// `f(&mut label, i)`, in a block from `alloc`.
            ///
            /// # Panics
            ///
            #[doc = concat!("As [`", stringify!($name), "::with_label`].")]
            ///
            /// # Examples
            ///
            /// ```
            /// use heaparray::*;
            /// let arena = bumpalo::Bump::new();
            #[doc = concat!("let a = ", stringify!($name), "::with_label_in(\"meta\", 2, |_, i| i, &arena);")]
            /// assert_eq!(*a.get_label(), "meta");
            /// ```
            #[track_caller]
            pub fn with_label_in<F: FnMut(&mut L, usize) -> E>(
                label: L,
                len: usize,
                f: F,
                alloc: A,
            ) -> Self {
                $crate::allocation::infallible(Self::try_with_label_in(label, len, f, alloc))
            }

            /// As [`with_label_in`](Self::with_label_in), but an allocation
            /// failure or a length too large is an `Err`; the label and the
            /// allocator are dropped then.
            ///
            /// # Errors
            ///
            #[doc = concat!("As [`", stringify!($name), "::try_new`].")]
            ///
            /// # Examples
            ///
            /// ```
            /// use heaparray::*;
            /// let arena = bumpalo::Bump::new();
            #[doc = concat!("let a = ", stringify!($name), "::try_with_label_in(7u8, 1, |_, i| i, &arena)?;")]
            /// assert_eq!(*a.get_label(), 7);
            /// # Ok::<(), TryReserveError>(())
            /// ```
            pub fn try_with_label_in<F: FnMut(&mut L, usize) -> E>(
                label: L,
                len: usize,
                f: F,
                alloc: A,
            ) -> Result<Self, $crate::TryReserveError> {
                $crate::block::build($crate::block::try_fill(label, len, f, alloc))
            }

            /// As [`from_label_and_iter`](Self::from_label_and_iter), in a
            /// block from `alloc`.
            ///
            /// # Panics
            ///
            #[doc = concat!("As [`", stringify!($name), "::from_label_and_iter`].")]
            ///
            /// # Examples
            ///
            /// ```
            /// use heaparray::*;
            #[doc = concat!("let a = ", stringify!($name), "::from_label_and_iter_in('x', 0..3, Global);")]
            /// assert_eq!(*a, [0, 1, 2]);
            /// ```
            #[track_caller]
            pub fn from_label_and_iter_in<I>(label: L, iter: I, alloc: A) -> Self
            where
                I: IntoIterator<Item = E, IntoIter: ExactSizeIterator>,
            {
                $crate::allocation::infallible(Self::try_from_label_and_iter_in(label, iter, alloc))
            }

            /// As [`try_from_label_and_iter`](Self::try_from_label_and_iter),
            /// in a block from `alloc`.
            ///
            /// # Errors
            ///
            #[doc = concat!("As [`", stringify!($name), "::try_from_label_and_iter`].")]
            ///
            /// # Examples
            ///
            /// ```
            /// use heaparray::*;
            /// /// Says one item more than it has.
            /// struct Liar(std::ops::Range<u8>);
            /// impl Iterator for Liar {
            ///     type Item = u8;
            ///     fn next(&mut self) -> Option<u8> { self.0.next() }
            ///     fn size_hint(&self) -> (usize, Option<usize>) { (self.0.len() + 1, Some(self.0.len() + 1)) }
            /// }
            /// impl ExactSizeIterator for Liar {}
            #[doc = concat!("let err = ", stringify!($name), "::try_from_label_and_iter_in((), Liar(0..2), Global).unwrap_err();")]
            /// assert_eq!(err, TryReserveError::LengthMismatch { expected: 3, yielded: 2 });
            /// ```
            pub fn try_from_label_and_iter_in<I: IntoIterator<Item = E, IntoIter: ExactSizeIterator>>(
                label: L,
                iter: I,
                alloc: A,
            ) -> Result<Self, $crate::TryReserveError> {
                $crate::block::build($crate::block::try_fill_exact(label, iter.into_iter(), alloc))
            }
        }

        impl<E $(, $p: $bound)?> From<alloc::vec::Vec<E>> for $handle<E, () $(, $p)?, $crate::Global> {
            /// Moves the elements into a new block (one copy, as
            /// `Arc::<[T]>::from(vec)`); the vector's buffer is freed.
            #[track_caller]
            fn from(vec: alloc::vec::Vec<E>) -> Self {
                $crate::allocation::infallible($crate::block::build(
                    $crate::block::Builder::try_from_vec((), vec, $crate::Global),
                ))
            }
        }

        impl<E $(, $p: $bound)?> From<alloc::boxed::Box<[E]>> for $handle<E, () $(, $p)?, $crate::Global> {
            /// Moves the elements into a new block (one copy).
            fn from(boxed: alloc::boxed::Box<[E]>) -> Self {
                Self::from(alloc::vec::Vec::from(boxed))
            }
        }

        impl<E: Clone $(, $p: $bound)?> From<&[E]> for $handle<E, () $(, $p)?, $crate::Global> {
            /// Clones the elements into a new block; a panicking `Clone`
            /// drops what was cloned and frees the block.
            fn from(slice: &[E]) -> Self {
                Self::new(slice.len(), |i| slice[i].clone())
            }
        }

        impl<E: Clone $(, $p: $bound)?> From<&mut [E]> for $handle<E, () $(, $p)?, $crate::Global> {
            /// Clones the elements into a new block, as `From<&[E]>`.
            ///
            /// # Examples
            ///
            /// ```
            /// use heaparray::*;
            /// let mut v = vec![String::from("a"), String::from("b")];
            #[doc = concat!("let a = ", stringify!($name), "::from(&mut v[..]);")]
            /// assert_eq!((&*a, v.len()), (&v[..], 2));
            /// ```
            fn from(slice: &mut [E]) -> Self {
                Self::from(&*slice)
            }
        }

        impl<E, const N: usize $(, $p: $bound)?> From<[E; N]> for $handle<E, () $(, $p)?, $crate::Global> {
            /// Moves the elements of the array into a new block, each
            /// written straight into its slot.
            ///
            /// # Examples
            ///
            /// ```
            /// use heaparray::*;
            #[doc = concat!("let a = ", stringify!($name), "::from([1, 2, 3]);")]
            /// assert_eq!(&*a, &[1, 2, 3]);
            /// ```
            #[track_caller]
            fn from(array: [E; N]) -> Self {
                Self::from_iter_in(array, $crate::Global)
            }
        }

        impl<E: Clone $(, $p: $bound)?> From<alloc::borrow::Cow<'_, [E]>> for $handle<E, () $(, $p)?, $crate::Global> {
            /// Moves an owned `Cow`'s vector into a new block (as
            /// `From<Vec<E>>`), clones a borrowed one's elements (as
            /// `From<&[E]>`).
            ///
            /// # Examples
            ///
            /// ```
            /// use heaparray::*;
            /// use std::borrow::Cow;
            /// let borrowed: Cow<'_, [u8]> = Cow::Borrowed(&[1, 2]);
            /// let owned: Cow<'_, [u8]> = Cow::Owned(vec![1, 2]);
            #[doc = concat!("assert_eq!(", stringify!($name), "::from(borrowed), ", stringify!($name), "::from(owned));")]
            /// ```
            fn from(cow: alloc::borrow::Cow<'_, [E]>) -> Self {
                match cow {
                    alloc::borrow::Cow::Borrowed(slice) => Self::from(slice),
                    alloc::borrow::Cow::Owned(vec) => Self::from(vec),
                }
            }
        }

        impl<E $(, $p: $bound)?, A: $crate::Allocator + Default> FromIterator<E> for $handle<E, () $(, $p)?, A> {
            /// Collects straight into the block: exact-size iterators fill
            /// it with no reallocation, others grow it through the
            /// allocator. A `size_hint` that lies costs a reallocation,
            /// never soundness.
            fn from_iter<I: IntoIterator<Item = E>>(iter: I) -> Self {
                Self::from_iter_in(iter, A::default())
            }
        }

        impl<E $(, $p: $bound)?, A: $crate::Allocator> $crate::traits::MakeArrayIn<E, A> for $handle<E, () $(, $p)?, A> {
            #[track_caller]
            fn new_in<F: FnMut(usize) -> E>(len: usize, f: F, alloc: A) -> Self {
                Self::new_in(len, f, alloc)
            }
            fn try_new_in<F: FnMut(usize) -> E>(len: usize, f: F, alloc: A) -> Result<Self, $crate::TryReserveError> {
                Self::try_new_in(len, f, alloc)
            }
            #[track_caller]
            fn from_iter_in<I: IntoIterator<Item = E>>(iter: I, alloc: A) -> Self {
                Self::from_iter_in(iter, alloc)
            }
            fn try_from_iter_in<I: IntoIterator<Item = E>>(iter: I, alloc: A) -> Result<Self, $crate::TryReserveError> {
                Self::try_from_iter_in(iter, alloc)
            }
        }

        impl<E, L $(, $p: $bound)?, A: $crate::Allocator> $crate::traits::LabelledArrayIn<E, L, A>
            for $handle<E, L $(, $p)?, A>
        {
            #[track_caller]
            fn with_label_in<F: FnMut(&mut L, usize) -> E>(label: L, len: usize, f: F, alloc: A) -> Self {
                Self::with_label_in(label, len, f, alloc)
            }
            fn try_with_label_in<F: FnMut(&mut L, usize) -> E>(
                label: L,
                len: usize,
                f: F,
                alloc: A,
            ) -> Result<Self, $crate::TryReserveError> {
                Self::try_with_label_in(label, len, f, alloc)
            }
        }

        impl<E $(, $p: $bound)?, A: $crate::Allocator + Default> $crate::traits::MakeArray<E>
            for $handle<E, () $(, $p)?, A>
        {
            #[track_caller]
            fn new<F: FnMut(usize) -> E>(len: usize, f: F) -> Self {
                Self::new_in(len, f, A::default())
            }
        }

        impl<E $(, $p: $bound)?, A: $crate::Allocator + Default> $crate::traits::TryMakeArray<E>
            for $handle<E, () $(, $p)?, A>
        {
            fn try_new<F: FnMut(usize) -> E>(len: usize, f: F) -> Result<Self, $crate::TryReserveError> {
                Self::try_new_in(len, f, A::default())
            }
            fn try_from_iter<I: IntoIterator<Item = E>>(iter: I) -> Result<Self, $crate::TryReserveError> {
                Self::try_from_iter_in(iter, A::default())
            }
        }

        impl<E, L $(, $p: $bound)?, A: $crate::Allocator + Default> $crate::traits::TryLabelledArray<E, L>
            for $handle<E, L $(, $p)?, A>
        {
            fn try_with_label<F: FnMut(&mut L, usize) -> E>(
                label: L,
                len: usize,
                f: F,
            ) -> Result<Self, $crate::TryReserveError> {
                Self::try_with_label_in(label, len, f, A::default())
            }
        }

        impl<E, L $(, $p: $bound)?, A: $crate::Allocator> $crate::traits::LabelledArray<E, L>
            for $handle<E, L $(, $p)?, A>
        {
            fn get_label(&self) -> &L {
                $handle::get_label(self)
            }
            // SAFETY: the trait's contract: the caller promises `idx < len`.
            unsafe fn get_unchecked(&self, idx: usize) -> &E {
                // SAFETY: `idx < len` is the caller's promise.
                unsafe { <[E]>::get_unchecked(self, idx) }
            }
        }

        impl<E: Default, L $(, $p: $bound)?, A: $crate::Allocator + Default>
            $crate::traits::DefaultLabelledArray<E, L> for $handle<E, L $(, $p)?, A>
        {
            #[track_caller]
            fn with_len(label: L, len: usize) -> Self {
                Self::with_label_in(label, len, |_, _| E::default(), A::default())
            }
        }
    };
}
