//! The std trait impls every handle shares, written once. Each handle
//! supplies `as_slice` (through `Deref`) and `get_label`; these impls only
//! forward to them, so they contain no unsafe code.

/// Implements, for a handle that derefs to `[E]` and has `get_label`:
/// `AsRef<[E]>`, `Borrow<[E]>` (unlabelled handles only: see below),
/// `Index` (any slice index), `IntoIterator` for `&Handle`, `Debug` (label
/// and elements), `Pointer` (the elements' address),
/// `PartialEq`/`Eq`/`PartialOrd`/`Ord`/`Hash` by label, then elements, as a
/// derived struct `{ label, elements }` (and triomphe's `HeaderSlice`)
/// compares: with `L = ()` exactly as the slice, which is why `Borrow<[E]>`
/// (whose contract is that `Eq` and `Hash` agree with the slice's) is
/// there for `L = ()` alone. Then the read-only
/// seed traits `Container`, `SliceArray`, `LabelledArray::get_label`'s
/// companions are left to each handle. A handle with a third type
/// parameter names it and its bound after the name its docs use:
/// `impl_slice_traits!(ArcArray, ArcArrayBase<P: ArcLayout>)`.
macro_rules! impl_slice_traits {
    ($name:ident) => { impl_slice_traits!(@ $name, $name); };
    ($name:ident, $handle:ident<$p:ident: $bound:path>) => { impl_slice_traits!(@ $name, $handle, $p: $bound); };
    (@ $name:ident, $handle:ident $(, $p:ident: $bound:path)?) => {
        impl<E, L $(, $p: $bound)?, A: $crate::Allocator> core::convert::AsRef<[E]> for $handle<E, L $(, $p)?, A> {
            #[inline]
            fn as_ref(&self) -> &[E] {
                self
            }
        }

        impl<E $(, $p: $bound)?, A: $crate::Allocator> core::borrow::Borrow<[E]> for $handle<E, () $(, $p)?, A> {
            #[inline]
            fn borrow(&self) -> &[E] {
                self
            }
        }

        impl<E, L, I: core::slice::SliceIndex<[E]> $(, $p: $bound)?, A: $crate::Allocator> core::ops::Index<I> for $handle<E, L $(, $p)?, A> {
            type Output = I::Output;
            #[inline]
            #[track_caller]
            fn index(&self, index: I) -> &I::Output {
                core::ops::Index::index(&**self, index)
            }
        }

        impl<'a, E, L $(, $p: $bound)?, A: $crate::Allocator> IntoIterator for &'a $handle<E, L $(, $p)?, A> {
            type Item = &'a E;
            type IntoIter = core::slice::Iter<'a, E>;
            #[inline]
            fn into_iter(self) -> Self::IntoIter {
                self.iter()
            }
        }

        impl<E: core::fmt::Debug, L: core::fmt::Debug $(, $p: $bound)?, A: $crate::Allocator> core::fmt::Debug for $handle<E, L $(, $p)?, A> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("label", self.get_label())
                    .field("elements", &&**self)
                    .finish()
            }
        }

        /// Equal if the labels are equal and the elements are, as a
        /// derived struct `{ label, elements }` compares. With `L = ()` this
        /// is the slice's equality; a label that says what the elements
        /// mean (a node's kind, a unit, a version) keeps arrays of
        /// different meaning apart, where ignoring it would make them
        /// equal, and their hashes too.
        ///
        /// # Examples
        ///
        /// ```
        #[doc = concat!("use heaparray::", stringify!($name), ";")]
        #[doc = concat!("let a = ", stringify!($name), "::with_label(0xdead_u32, 2, |_, i| i);")]
        #[doc = concat!("let b = ", stringify!($name), "::with_label(0xbeef_u32, 2, |_, i| i);")]
        /// assert_ne!(a, b);
        /// assert_eq!(&a[..], &b[..]); // compare the elements alone
        #[doc = concat!("assert_eq!(", stringify!($name), "::from(vec![1, 2]), ", stringify!($name), "::from(vec![1, 2]));")]
        /// ```
        impl<E: PartialEq, L: PartialEq $(, $p: $bound)?, A: $crate::Allocator> PartialEq for $handle<E, L $(, $p)?, A> {
            #[inline]
            fn eq(&self, other: &Self) -> bool {
                self.get_label() == other.get_label() && **self == **other
            }
        }

        impl<E: Eq, L: Eq $(, $p: $bound)?, A: $crate::Allocator> Eq for $handle<E, L $(, $p)?, A> {}

        /// By label, then elements, as a derived struct `{ label, elements }`
        /// orders (with `L = ()`, as the slice).
        impl<E: PartialOrd, L: PartialOrd $(, $p: $bound)?, A: $crate::Allocator> PartialOrd for $handle<E, L $(, $p)?, A> {
            #[inline]
            fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
                match self.get_label().partial_cmp(other.get_label()) {
                    Some(core::cmp::Ordering::Equal) => (**self).partial_cmp(&**other),
                    by_label => by_label,
                }
            }
        }

        impl<E: Ord, L: Ord $(, $p: $bound)?, A: $crate::Allocator> Ord for $handle<E, L $(, $p)?, A> {
            #[inline]
            fn cmp(&self, other: &Self) -> core::cmp::Ordering {
                self.get_label().cmp(other.get_label()).then_with(|| (**self).cmp(&**other))
            }
        }

        /// The label, then the elements, as a derived struct hashes; with
        /// `L = ()` exactly the slice's hash (`()` hashes to nothing), so an
        /// unlabelled handle finds its entry in a map by `&[E]`.
        impl<E: core::hash::Hash, L: core::hash::Hash $(, $p: $bound)?, A: $crate::Allocator> core::hash::Hash for $handle<E, L $(, $p)?, A> {
            #[inline]
            fn hash<Hs: core::hash::Hasher>(&self, state: &mut Hs) {
                self.get_label().hash(state);
                (**self).hash(state)
            }
        }

        impl<E, L $(, $p: $bound)?, A: $crate::Allocator> core::fmt::Pointer for $handle<E, L $(, $p)?, A> {
            /// Formats the address of the first element (where it would be,
            /// for an empty array), as `Arc`'s `Pointer` formats the address
            /// of its data.
            ///
            /// # Examples
            ///
            /// ```
            /// use heaparray::*;
            #[doc = concat!("let a = ", stringify!($name), "::new(2, |i| i);")]
            /// assert_eq!(format!("{a:p}"), format!("{:p}", a.as_ptr()));
            /// ```
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                core::fmt::Pointer::fmt(&(**self).as_ptr(), f)
            }
        }

        impl<E, L $(, $p: $bound)?, A: $crate::Allocator> $crate::traits::Container for $handle<E, L $(, $p)?, A> {
            #[inline]
            fn len(&self) -> usize {
                <[E]>::len(self)
            }
        }

        impl<E, L $(, $p: $bound)?, A: $crate::Allocator> $crate::traits::SliceArray<E> for $handle<E, L $(, $p)?, A> {
            #[inline]
            fn as_slice(&self) -> &[E] {
                self
            }
        }
    };
}

/// Implements `DerefMut`-based traits for handles with exclusive access:
/// `IndexMut`, `IntoIterator` for `&mut Handle`, `SliceArrayMut`,
/// `CopyMap<usize, E>`. The optional parameter is `impl_slice_traits!`'s.
macro_rules! impl_slice_mut_traits {
    ($name:ident) => { impl_slice_mut_traits!(@ $name, $name); };
    ($name:ident, $handle:ident<$p:ident: $bound:path>) => { impl_slice_mut_traits!(@ $name, $handle, $p: $bound); };
    (@ $name:ident, $handle:ident $(, $p:ident: $bound:path)?) => {
        impl<E, L, I: core::slice::SliceIndex<[E]> $(, $p: $bound)?, A: $crate::Allocator> core::ops::IndexMut<I> for $handle<E, L $(, $p)?, A> {
            #[inline]
            #[track_caller]
            fn index_mut(&mut self, index: I) -> &mut I::Output {
                core::ops::IndexMut::index_mut(&mut **self, index)
            }
        }

        impl<'a, E, L $(, $p: $bound)?, A: $crate::Allocator> IntoIterator for &'a mut $handle<E, L $(, $p)?, A> {
            type Item = &'a mut E;
            type IntoIter = core::slice::IterMut<'a, E>;
            #[inline]
            fn into_iter(self) -> Self::IntoIter {
                self.iter_mut()
            }
        }

        impl<E, L $(, $p: $bound)?, A: $crate::Allocator> $crate::traits::SliceArrayMut<E> for $handle<E, L $(, $p)?, A> {
            #[inline]
            fn as_slice_mut(&mut self) -> &mut [E] {
                self
            }
        }

        impl<E, L $(, $p: $bound)?, A: $crate::Allocator> $crate::traits::LabelledArrayMut<E, L>
            for $handle<E, L $(, $p)?, A>
        {
            fn get_label_mut(&mut self) -> &mut L {
                $handle::get_label_mut(self)
            }
            // SAFETY: the trait's contract: the caller promises `idx < len`.
            unsafe fn get_mut_unchecked(&mut self, idx: usize) -> &mut E {
                // SAFETY: `idx < len` is the caller's promise.
                unsafe { <[E]>::get_unchecked_mut(self, idx) }
            }
        }

        impl<E, L $(, $p: $bound)?, A: $crate::Allocator> $crate::traits::CopyMap<usize, E> for $handle<E, L $(, $p)?, A> {
            #[inline]
            fn get(&self, key: usize) -> Option<&E> {
                <[E]>::get(self, key)
            }
            #[inline]
            fn get_mut(&mut self, key: usize) -> Option<&mut E> {
                <[E]>::get_mut(self, key)
            }
            #[inline]
            #[track_caller]
            fn insert(&mut self, key: usize, value: E) -> Option<E> {
                let len = self.len();
                match <[E]>::get_mut(self, key) {
                    Some(slot) => Some(core::mem::replace(slot, value)),
                    None => $crate::traits::insert_out_of_range(key, len),
                }
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
///   `TryLabelledArray` (the global allocator: these name no allocator,
///   so that `CompactArcArray::new(..)` infers it).
///
/// The handle supplies `get_label` and `FromBuilder`.
///
/// A handle with a layout parameter is one generic type behind two
/// aliases (`ArcArrayBase` behind `ArcArray` and `CompactArcArray`): the
/// macro takes the name the docs use, then the generic type and its layout
/// parameter (`impl_constructors!(ArcArray, ArcArrayBase<P: ArcLayout>)`),
/// and writes every impl once for every layout. The aliases fix the layout,
/// so `CompactArcArray::new(..)` and `ArcArray::from(vec)` infer with no
/// trait in scope; only the base type, named bare, leaves it open.
/// Implements `Default` (an empty array, from a default allocator) for a
/// handle whose empty array is a block of its own: all but `ArcArray`,
/// whose empty arrays share a static block (`arc_array/empty.rs`).
macro_rules! impl_default {
    ($name:ident) => { impl_default!(@ $name, $name); };
    ($name:ident, $handle:ident<$p:ident: $bound:path>) => { impl_default!(@ $name, $handle, $p: $bound); };
    (@ $name:ident, $handle:ident $(, $p:ident: $bound:path)?) => {
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
                <Self as $crate::traits::MakeArrayIn<E, A>>::new_in(0, |_| unreachable!(), A::default())
            }
        }
    };
}

macro_rules! impl_constructors {
    ($name:ident) => { impl_constructors!(@ $name, $name); };
    ($name:ident, $handle:ident<$p:ident: $bound:path>) => { impl_constructors!(@ $name, $handle, $p: $bound); };
    (@ $name:ident, $handle:ident $(, $p:ident: $bound:path)?) => {
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
                <Self as $crate::traits::MakeArrayIn<E, $crate::Global>>::new_in(len, f, $crate::Global)
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
                <Self as $crate::traits::TryMakeArray<E>>::try_new(len, f)
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
                <Self as $crate::traits::TryMakeArray<E>>::try_from_iter(iter)
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
                <Self as $crate::traits::LabelledArrayIn<E, L, $crate::Global>>::with_label_in(
                    label,
                    len,
                    f,
                    $crate::Global,
                )
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
                <Self as $crate::traits::TryLabelledArray<E, L>>::try_with_label(label, len, f)
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
                <Self as $crate::traits::DefaultLabelledArray<E, L>>::with_len(label, len)
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
                <Self as $crate::traits::MakeArrayIn<E, A>>::new_in(len, f, alloc)
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
                f: F,
                alloc: A,
            ) -> Result<Self, $crate::TryReserveError> {
                <Self as $crate::traits::MakeArrayIn<E, A>>::try_new_in(len, f, alloc)
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
                <Self as $crate::traits::MakeArrayIn<E, A>>::from_iter_in(iter, alloc)
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
                <Self as $crate::traits::MakeArrayIn<E, A>>::try_from_iter_in(iter, alloc)
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
                <Self as $crate::traits::LabelledArrayIn<E, L, A>>::with_label_in(label, len, f, alloc)
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
                <Self as $crate::traits::LabelledArrayIn<E, L, A>>::try_with_label_in(
                    label, len, f, alloc,
                )
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
                <Self as $crate::traits::MakeArrayIn<E, $crate::Global>>::from_iter_in(
                    array,
                    $crate::Global,
                )
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
                <Self as $crate::traits::MakeArrayIn<E, A>>::from_iter_in(iter, A::default())
            }
        }

        impl<E $(, $p: $bound)?, A: $crate::Allocator> $crate::traits::MakeArrayIn<E, A> for $handle<E, () $(, $p)?, A> {
            #[track_caller]
            fn new_in<F: FnMut(usize) -> E>(len: usize, f: F, alloc: A) -> Self {
                $crate::allocation::infallible(Self::try_new_in(len, f, alloc))
            }
            fn try_new_in<F: FnMut(usize) -> E>(
                len: usize,
                mut f: F,
                alloc: A,
            ) -> Result<Self, $crate::TryReserveError> {
                <Self as $crate::traits::LabelledArrayIn<E, (), A>>::try_with_label_in(
                    (),
                    len,
                    |(), i| f(i),
                    alloc,
                )
            }
            #[track_caller]
            fn from_iter_in<I: IntoIterator<Item = E>>(iter: I, alloc: A) -> Self {
                $crate::allocation::infallible(Self::try_from_iter_in(iter, alloc))
            }
            fn try_from_iter_in<I: IntoIterator<Item = E>>(
                iter: I,
                alloc: A,
            ) -> Result<Self, $crate::TryReserveError> {
                $crate::block::build($crate::block::try_collect((), iter, alloc))
            }
        }

        impl<E, L $(, $p: $bound)?, A: $crate::Allocator> $crate::traits::LabelledArrayIn<E, L, A>
            for $handle<E, L $(, $p)?, A>
        {
            #[track_caller]
            fn with_label_in<F: FnMut(&mut L, usize) -> E>(
                label: L,
                len: usize,
                f: F,
                alloc: A,
            ) -> Self {
                $crate::allocation::infallible(Self::try_with_label_in(label, len, f, alloc))
            }
            fn try_with_label_in<F: FnMut(&mut L, usize) -> E>(
                label: L,
                len: usize,
                f: F,
                alloc: A,
            ) -> Result<Self, $crate::TryReserveError> {
                $crate::block::build($crate::block::try_fill(label, len, f, alloc))
            }
        }

        impl<E $(, $p: $bound)?, A: $crate::Allocator + Default> $crate::traits::MakeArray<E>
            for $handle<E, () $(, $p)?, A>
        {
            #[track_caller]
            fn new<F: FnMut(usize) -> E>(len: usize, f: F) -> Self {
                <Self as $crate::traits::MakeArrayIn<E, A>>::new_in(len, f, A::default())
            }
        }

        impl<E $(, $p: $bound)?, A: $crate::Allocator + Default> $crate::traits::TryMakeArray<E>
            for $handle<E, () $(, $p)?, A>
        {
            fn try_new<F: FnMut(usize) -> E>(len: usize, f: F) -> Result<Self, $crate::TryReserveError> {
                <Self as $crate::traits::MakeArrayIn<E, A>>::try_new_in(len, f, A::default())
            }
            fn try_from_iter<I: IntoIterator<Item = E>>(iter: I) -> Result<Self, $crate::TryReserveError> {
                <Self as $crate::traits::MakeArrayIn<E, A>>::try_from_iter_in(iter, A::default())
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
                <Self as $crate::traits::LabelledArrayIn<E, L, A>>::try_with_label_in(
                    label,
                    len,
                    f,
                    A::default(),
                )
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
                <Self as $crate::traits::LabelledArray<E, L>>::with_label(label, len, |_, _| {
                    E::default()
                })
            }
        }
    };
}

/// Implements the uninitialised and zeroed constructors of the handles
/// with `&mut` access (`HeapArray`, `UniqueArcArray`): `new_uninit`,
/// `new_zeroed`, `with_label_uninit` and their `_in` forms, each returning
/// the handle of `MaybeUninit<E>`, which the handle's own `assume_init`
/// turns into the handle of `E`. They are generic over the layout
/// parameter, if any: `UniqueArcArray::<u8>::new_uninit` is padded,
/// `CompactUniqueArcArray::<u8>::new_uninit` compact. The `_in` forms infer
/// the allocator from their argument but, like `Box::new_uninit_slice_in`,
/// need the element type named.
macro_rules! impl_uninit {
    ($name:ident) => { impl_uninit!(@ $name, $name); };
    ($name:ident, $handle:ident<$p:ident: $bound:path>) => { impl_uninit!(@ $name, $handle, $p: $bound); };
    (@ $name:ident, $handle:ident $(, $p:ident: $bound:path)?) => {
        impl<E $(, $p: $bound)?> $handle<E, () $(, $p)?, $crate::Global> {
            /// An array of `len` uninitialised elements, from the global
            /// allocator, to be written and then
            #[doc = concat!("[`assume_init`](", stringify!($name), "::assume_init)ed")]
            /// (like `Box::new_uninit_slice`).
            ///
            /// # Panics
            ///
            #[doc = concat!("As [`", stringify!($name), "::new`].")]
            ///
            /// # Examples
            ///
            /// ```
            /// use heaparray::*;
            #[doc = concat!("let mut a = ", stringify!($name), "::<u32>::new_uninit(3);")]
            /// for (i, slot) in a.iter_mut().enumerate() {
            ///     slot.write(i as u32 * 10);
            /// }
            /// // SAFETY: every element was written above.
            /// let a = unsafe { a.assume_init() };
            /// assert_eq!(&*a, &[0, 10, 20]);
            /// ```
            #[must_use]
            #[track_caller]
            pub fn new_uninit(len: usize) -> $handle<core::mem::MaybeUninit<E>, () $(, $p)?, $crate::Global> {
                $handle::<E, () $(, $p)?, $crate::Global>::new_uninit_in(len, $crate::Global)
            }

            /// An array of `len` elements whose bytes are all zero, from
            /// the global allocator's `allocate_zeroed` (`calloc`: fresh
            /// pages come zeroed from the OS, with no write pass). Zero
            /// bytes are a valid value for many types (integers, floats,
            /// raw pointers, `Option<&T>`), not for all: `assume_init`
            /// says which is which. With the `bytemuck` feature, `zeroed`
            /// does both steps safely for `bytemuck::Zeroable` types.
            ///
            /// # Panics
            ///
            #[doc = concat!("As [`", stringify!($name), "::new`].")]
            ///
            /// # Examples
            ///
            /// ```
            /// use heaparray::*;
            #[doc = concat!("let a = ", stringify!($name), "::<u64>::new_zeroed(1 << 12);")]
            /// // SAFETY: all-zero bytes are a valid `u64`.
            /// let a = unsafe { a.assume_init() };
            /// assert!(a.iter().all(|&x| x == 0));
            /// ```
            #[must_use]
            #[track_caller]
            pub fn new_zeroed(len: usize) -> $handle<core::mem::MaybeUninit<E>, () $(, $p)?, $crate::Global> {
                $handle::<E, () $(, $p)?, $crate::Global>::new_zeroed_in(len, $crate::Global)
            }
        }

        impl<E, L $(, $p: $bound)?> $handle<E, L $(, $p)?, $crate::Global> {
            /// A labelled array of `len` uninitialised elements, from the
            /// global allocator.
            ///
            /// # Panics
            ///
            #[doc = concat!("As [`", stringify!($name), "::new`]; the label is dropped then.")]
            ///
            /// # Examples
            ///
            /// ```
            /// use heaparray::*;
            #[doc = concat!("let mut a = ", stringify!($name), "::<u8, &str>::with_label_uninit(\"bytes\", 2);")]
            /// a[0].write(1);
            /// a[1].write(2);
            /// // SAFETY: both elements were written.
            /// let a = unsafe { a.assume_init() };
            /// assert_eq!((*a.get_label(), &*a), ("bytes", &[1, 2][..]));
            /// ```
            #[must_use]
            #[track_caller]
            pub fn with_label_uninit(label: L, len: usize) -> $handle<core::mem::MaybeUninit<E>, L $(, $p)?, $crate::Global> {
                $handle::<E, L $(, $p)?, $crate::Global>::with_label_uninit_in(label, len, $crate::Global)
            }
        }

        impl<E $(, $p: $bound)?, A: $crate::Allocator> $handle<E, () $(, $p)?, A> {
            /// As `new_uninit`, in a block from `alloc`.
            ///
            /// # Panics
            ///
            #[doc = concat!("As [`", stringify!($name), "::new`].")]
            ///
            /// # Examples
            ///
            /// ```
            /// use heaparray::*;
            /// use std::mem::MaybeUninit;
            /// let arena = bumpalo::Bump::new();
            #[doc = concat!("let mut a: ", stringify!($name), "<MaybeUninit<u16>, (), &bumpalo::Bump> =")]
            #[doc = concat!("    ", stringify!($name), "::new_uninit_in(2, &arena);")]
            /// a[0].write(7u16);
            /// a[1].write(8);
            /// // SAFETY: both elements were written.
            /// let a = unsafe { a.assume_init() };
            /// assert_eq!(&*a, &[7, 8]);
            /// ```
            #[must_use]
            #[track_caller]
            pub fn new_uninit_in(len: usize, alloc: A) -> $handle<core::mem::MaybeUninit<E>, () $(, $p)?, A> {
                $crate::allocation::infallible($crate::block::build($crate::block::try_uninit(
                    (),
                    len,
                    alloc,
                    false,
                )))
            }

            /// As `new_zeroed`, in a block from `alloc`
            /// (`Allocator::allocate_zeroed`).
            ///
            /// # Panics
            ///
            #[doc = concat!("As [`", stringify!($name), "::new`].")]
            ///
            /// # Examples
            ///
            /// ```
            /// use heaparray::*;
            /// use std::mem::MaybeUninit;
            /// let arena = bumpalo::Bump::new();
            #[doc = concat!("let a: ", stringify!($name), "<MaybeUninit<u32>, (), &bumpalo::Bump> =")]
            #[doc = concat!("    ", stringify!($name), "::new_zeroed_in(4, &arena);")]
            /// // SAFETY: all-zero bytes are a valid `u32`.
            /// let a = unsafe { a.assume_init() };
            /// assert_eq!(&*a, &[0u32; 4]);
            /// ```
            #[must_use]
            #[track_caller]
            pub fn new_zeroed_in(len: usize, alloc: A) -> $handle<core::mem::MaybeUninit<E>, () $(, $p)?, A> {
                $crate::allocation::infallible($crate::block::build($crate::block::try_uninit(
                    (),
                    len,
                    alloc,
                    true,
                )))
            }
        }

        impl<E, L $(, $p: $bound)?, A: $crate::Allocator> $handle<E, L $(, $p)?, A> {
            /// As `with_label_uninit`, in a block from `alloc`.
            ///
            /// # Panics
            ///
            #[doc = concat!("As [`", stringify!($name), "::new`]; the label is dropped then.")]
            ///
            /// # Examples
            ///
            /// ```
            /// use heaparray::*;
            /// use std::mem::MaybeUninit;
            /// let arena = bumpalo::Bump::new();
            #[doc = concat!("let mut a: ", stringify!($name), "<MaybeUninit<u8>, char, &bumpalo::Bump> =")]
            #[doc = concat!("    ", stringify!($name), "::with_label_uninit_in('x', 1, &arena);")]
            /// a[0].write(1u8);
            /// // SAFETY: the element was written.
            /// let a = unsafe { a.assume_init() };
            /// assert_eq!((*a.get_label(), a[0]), ('x', 1));
            /// ```
            #[must_use]
            #[track_caller]
            pub fn with_label_uninit_in(
                label: L,
                len: usize,
                alloc: A,
            ) -> $handle<core::mem::MaybeUninit<E>, L $(, $p)?, A> {
                $crate::allocation::infallible($crate::block::build($crate::block::try_uninit(
                    label, len, alloc, false,
                )))
            }
        }
    };
}
