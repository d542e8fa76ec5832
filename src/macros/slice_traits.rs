//! The std and seed trait impls every handle shares as a slice with a
//! label: `impl_slice_traits!` (read access) and `impl_slice_mut_traits!`
//! (the handles with `&mut` access). They only forward to `Deref` and
//! `get_label`: no unsafe code beyond the seed traits' `unsafe fn`s.

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
/// `impl_slice_traits!(ArcArray, ArcArrayBase, P: ArcLayout)`.
macro_rules! impl_slice_traits {
    ($name:ident, $handle:ident $(, $p:ident: $bound:path)?) => {
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

        /// With a zero-sized label (the default `()`), the elements as the
        /// slice formats them, as `Arc<[T]>` and `Vec<T>` do (`[1, 2]`):
        /// an unlabelled array prints what the type it replaces printed,
        /// as serde writes it. With a label, `Name { label, elements }`.
        ///
        /// # Examples
        ///
        /// ```
        #[doc = concat!("use heaparray::", stringify!($name), ";")]
        #[doc = concat!("assert_eq!(format!(\"{:?}\", ", stringify!($name), "::from(vec![1, 2])), \"[1, 2]\");")]
        #[doc = concat!("let a = ", stringify!($name), "::with_label('x', 1, |_, i| i);")]
        #[doc = concat!("assert_eq!(format!(\"{a:?}\"), \"", stringify!($name), " { label: 'x', elements: [0] }\");")]
        /// ```
        impl<E: core::fmt::Debug, L: core::fmt::Debug $(, $p: $bound)?, A: $crate::Allocator> core::fmt::Debug for $handle<E, L $(, $p)?, A> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                if core::mem::size_of::<L>() == 0 {
                    return core::fmt::Debug::fmt(&**self, f);
                }
                f.debug_struct(debug_name!($name $(, $p)?))
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
    ($name:ident, $handle:ident $(, $p:ident: $bound:path)?) => {
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
