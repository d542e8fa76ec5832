//! The std trait impls every handle shares, written once. Each handle
//! supplies `as_slice` (through `Deref`) and `get_label`; these impls only
//! forward to them, so they contain no unsafe code.

/// Implements, for a handle that derefs to `[E]` and has `get_label`:
/// `AsRef<[E]>`, `Borrow<[E]>`, `Index` (any slice index), `IntoIterator`
/// for `&Handle`, `Debug` (label and elements), `PartialEq`/`Eq`/
/// `PartialOrd`/`Ord`/`Hash` by elements like a slice, and the read-only
/// seed traits `Container`, `SliceArray`, `LabelledArray::get_label`'s
/// companions are left to each handle. A handle with a third type
/// parameter names it and its bound: `impl_slice_traits!(ArcArray, P: ArcLayout)`.
macro_rules! impl_slice_traits {
    ($handle:ident $(, $p:ident: $bound:path)?) => {
        impl<E, L $(, $p: $bound)?> core::convert::AsRef<[E]> for $handle<E, L $(, $p)?> {
            #[inline]
            fn as_ref(&self) -> &[E] {
                self
            }
        }

        impl<E, L $(, $p: $bound)?> core::borrow::Borrow<[E]> for $handle<E, L $(, $p)?> {
            #[inline]
            fn borrow(&self) -> &[E] {
                self
            }
        }

        impl<E, L, I: core::slice::SliceIndex<[E]> $(, $p: $bound)?> core::ops::Index<I> for $handle<E, L $(, $p)?> {
            type Output = I::Output;
            #[inline]
            #[track_caller]
            fn index(&self, index: I) -> &I::Output {
                core::ops::Index::index(&**self, index)
            }
        }

        impl<'a, E, L $(, $p: $bound)?> IntoIterator for &'a $handle<E, L $(, $p)?> {
            type Item = &'a E;
            type IntoIter = core::slice::Iter<'a, E>;
            #[inline]
            fn into_iter(self) -> Self::IntoIter {
                self.iter()
            }
        }

        impl<E: core::fmt::Debug, L: core::fmt::Debug $(, $p: $bound)?> core::fmt::Debug for $handle<E, L $(, $p)?> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.debug_struct(stringify!($handle))
                    .field("label", self.get_label())
                    .field("elements", &&**self)
                    .finish()
            }
        }

        impl<E: PartialEq, L $(, $p: $bound)?> PartialEq for $handle<E, L $(, $p)?> {
            #[inline]
            fn eq(&self, other: &Self) -> bool {
                **self == **other
            }
        }

        impl<E: Eq, L $(, $p: $bound)?> Eq for $handle<E, L $(, $p)?> {}

        impl<E: PartialOrd, L $(, $p: $bound)?> PartialOrd for $handle<E, L $(, $p)?> {
            #[inline]
            fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
                (**self).partial_cmp(&**other)
            }
        }

        impl<E: Ord, L $(, $p: $bound)?> Ord for $handle<E, L $(, $p)?> {
            #[inline]
            fn cmp(&self, other: &Self) -> core::cmp::Ordering {
                (**self).cmp(&**other)
            }
        }

        impl<E: core::hash::Hash, L $(, $p: $bound)?> core::hash::Hash for $handle<E, L $(, $p)?> {
            #[inline]
            fn hash<Hs: core::hash::Hasher>(&self, state: &mut Hs) {
                (**self).hash(state)
            }
        }

        impl<E, L $(, $p: $bound)?> $crate::traits::Container for $handle<E, L $(, $p)?> {
            #[inline]
            fn len(&self) -> usize {
                <[E]>::len(self)
            }
        }

        impl<E, L $(, $p: $bound)?> $crate::traits::SliceArray<E> for $handle<E, L $(, $p)?> {
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
    ($handle:ident $(, $p:ident: $bound:path)?) => {
        impl<E, L, I: core::slice::SliceIndex<[E]> $(, $p: $bound)?> core::ops::IndexMut<I> for $handle<E, L $(, $p)?> {
            #[inline]
            #[track_caller]
            fn index_mut(&mut self, index: I) -> &mut I::Output {
                core::ops::IndexMut::index_mut(&mut **self, index)
            }
        }

        impl<'a, E, L $(, $p: $bound)?> IntoIterator for &'a mut $handle<E, L $(, $p)?> {
            type Item = &'a mut E;
            type IntoIter = core::slice::IterMut<'a, E>;
            #[inline]
            fn into_iter(self) -> Self::IntoIter {
                self.iter_mut()
            }
        }

        impl<E, L $(, $p: $bound)?> $crate::traits::SliceArrayMut<E> for $handle<E, L $(, $p)?> {
            #[inline]
            fn as_slice_mut(&mut self) -> &mut [E] {
                self
            }
        }

        impl<E, L $(, $p: $bound)?> $crate::traits::CopyMap<usize, E> for $handle<E, L $(, $p)?> {
            #[inline]
            fn get(&self, key: usize) -> Option<&E> {
                <[E]>::get(self, key)
            }
            #[inline]
            fn get_mut(&mut self, key: usize) -> Option<&mut E> {
                <[E]>::get_mut(self, key)
            }
            #[inline]
            fn insert(&mut self, key: usize, value: E) -> Option<E> {
                <[E]>::get_mut(self, key).map(|slot| core::mem::replace(slot, value))
            }
        }
    };
}

/// Implements the constructors, conversions and constructing seed traits
/// every owning handle shares, over [`crate::block::FromBuilder`]: `new`
/// (unlabelled), `with_label`, `with_len`, `Default`, `From<Vec<E>>`,
/// `From<Box<[E]>>`, `From<&[E]>`, `FromIterator`, `MakeArray`,
/// `LabelledArray`, `DefaultLabelledArray`. The handle supplies
/// `get_label` and `FromBuilder`.
///
/// A handle with a layout parameter names it as `impl_slice_traits!` does.
/// The inherent constructors and the `From` conversions are then for the
/// default layout only, as `HashMap::new` is for the default hasher only:
/// on two layouts, `ArcArray::new(..)` and `ArcArray::from(vec)` could not
/// infer which. `Default`, `FromIterator` and the seed traits are for
/// every layout (the type is always named where they are used, and the
/// inherent constructors shadow the traits' for the default), so
/// `CompactArcArray::new(..)` finds `MakeArray::new`.
macro_rules! impl_constructors {
    ($handle:ident $(, $p:ident: $bound:path)?) => {
        impl<E> $handle<E> {
            /// Builds an unlabelled array of `len` elements, element `i` being
            /// `f(i)`, written straight into the block.
            ///
            /// # Panics
            ///
            /// "capacity overflow" if the block would exceed `isize::MAX`
            /// bytes, before anything is allocated. If `f` panics, the
            /// elements made so far are dropped, the block is freed and the
            /// panic propagates.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("let a = heaparray::", stringify!($handle), "::new(3, |i| i + 3);")]
            /// assert_eq!(&*a, &[3, 4, 5]);
            /// ```
            #[track_caller]
            pub fn new<F: FnMut(usize) -> E>(len: usize, f: F) -> Self {
                <Self as $crate::traits::MakeArray<E>>::new(len, f)
            }
        }

        impl<E, L> $handle<E, L> {
            /// Builds an array of `len` elements with a label, element `i`
            /// being `f(&mut label, i)`: the label can be updated as the
            /// elements are made.
            ///
            /// # Panics
            ///
            #[doc = concat!("As [`", stringify!($handle), "::new`]; the label is dropped too if `f` panics.")]
            ///
            /// # Examples
            ///
            /// ```
            /// // Count even and odd indices in the label.
            #[doc = concat!("let a = heaparray::", stringify!($handle), "::with_label((0, 0), 5, |(even, odd), i| {")]
            ///     if i % 2 == 0 { *even += 1 } else { *odd += 1 }
            ///     i * i
            /// });
            /// assert_eq!(*a.get_label(), (3, 2));
            /// assert_eq!(a[4], 16);
            /// ```
            #[track_caller]
            pub fn with_label<F: FnMut(&mut L, usize) -> E>(label: L, len: usize, f: F) -> Self {
                <Self as $crate::traits::LabelledArray<E, L>>::with_label(label, len, f)
            }

            /// Builds an array of `len` default elements with a label.
            ///
            /// # Panics
            ///
            #[doc = concat!("As [`", stringify!($handle), "::new`].")]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("let a = heaparray::", stringify!($handle), "::<u8, &str>::with_len(\"zeros\", 3);")]
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

        impl<E $(, $p: $bound)?> Default for $handle<E, () $(, $p)?> {
            /// An empty array.
            fn default() -> Self {
                <Self as $crate::block::FromBuilder<E, ()>>::from_builder(
                    $crate::block::Builder::new((), 0),
                )
            }
        }

        impl<E> From<alloc::vec::Vec<E>> for $handle<E> {
            /// Moves the elements into a new block (one copy, as
            /// `Arc::<[T]>::from(vec)`); the vector's buffer is freed.
            fn from(vec: alloc::vec::Vec<E>) -> Self {
                <Self as $crate::block::FromBuilder<E, ()>>::from_builder(
                    $crate::block::Builder::from_vec((), vec),
                )
            }
        }

        impl<E> From<alloc::boxed::Box<[E]>> for $handle<E> {
            /// Moves the elements into a new block (one copy).
            fn from(boxed: alloc::boxed::Box<[E]>) -> Self {
                Self::from(alloc::vec::Vec::from(boxed))
            }
        }

        impl<E: Clone> From<&[E]> for $handle<E> {
            /// Clones the elements into a new block; a panicking `Clone`
            /// drops what was cloned and frees the block.
            fn from(slice: &[E]) -> Self {
                <Self as $crate::traits::MakeArray<E>>::new(slice.len(), |i| slice[i].clone())
            }
        }

        impl<E $(, $p: $bound)?> FromIterator<E> for $handle<E, () $(, $p)?> {
            /// Collects straight into the block: exact-size iterators fill
            /// it with no reallocation, others grow it with `realloc`. A
            /// `size_hint` that lies costs a reallocation, never soundness.
            fn from_iter<I: IntoIterator<Item = E>>(iter: I) -> Self {
                <Self as $crate::block::FromBuilder<E, ()>>::from_builder($crate::block::collect(
                    (),
                    iter,
                ))
            }
        }

        impl<E $(, $p: $bound)?> $crate::traits::MakeArray<E> for $handle<E, () $(, $p)?> {
            #[track_caller]
            fn new<F: FnMut(usize) -> E>(len: usize, mut f: F) -> Self {
                <Self as $crate::traits::LabelledArray<E, ()>>::with_label((), len, |(), i| f(i))
            }
        }

        impl<E, L $(, $p: $bound)?> $crate::traits::LabelledArray<E, L> for $handle<E, L $(, $p)?> {
            #[track_caller]
            fn with_label<F: FnMut(&mut L, usize) -> E>(label: L, len: usize, f: F) -> Self {
                <Self as $crate::block::FromBuilder<E, L>>::from_builder($crate::block::fill(
                    label, len, f,
                ))
            }
            fn get_label(&self) -> &L {
                $handle::get_label(self)
            }
            // SAFETY: the trait's contract: the caller promises `idx < len`.
            unsafe fn get_unchecked(&self, idx: usize) -> &E {
                // SAFETY: `idx < len` is the caller's promise.
                unsafe { <[E]>::get_unchecked(self, idx) }
            }
        }

        impl<E: Default, L $(, $p: $bound)?> $crate::traits::DefaultLabelledArray<E, L>
            for $handle<E, L $(, $p)?>
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
