//! The std trait impls every handle shares, written once. Each handle
//! supplies `as_slice` (through `Deref`) and `get_label`; these impls only
//! forward to them, so they contain no unsafe code.

/// Implements, for a handle that derefs to `[E]` and has `get_label`:
/// `AsRef<[E]>`, `Borrow<[E]>`, `Index` (any slice index), `IntoIterator`
/// for `&Handle`, `Debug` (label and elements), `PartialEq`/`Eq`/
/// `PartialOrd`/`Ord`/`Hash` by elements like a slice, and the read-only
/// seed traits `Container`, `SliceArray`, `LabelledArray::get_label`'s
/// companions are left to each handle.
macro_rules! impl_slice_traits {
    ($handle:ident) => {
        impl<E, L> core::convert::AsRef<[E]> for $handle<E, L> {
            #[inline]
            fn as_ref(&self) -> &[E] {
                self
            }
        }

        impl<E, L> core::borrow::Borrow<[E]> for $handle<E, L> {
            #[inline]
            fn borrow(&self) -> &[E] {
                self
            }
        }

        impl<E, L, I: core::slice::SliceIndex<[E]>> core::ops::Index<I> for $handle<E, L> {
            type Output = I::Output;
            #[inline]
            #[track_caller]
            fn index(&self, index: I) -> &I::Output {
                core::ops::Index::index(&**self, index)
            }
        }

        impl<'a, E, L> IntoIterator for &'a $handle<E, L> {
            type Item = &'a E;
            type IntoIter = core::slice::Iter<'a, E>;
            #[inline]
            fn into_iter(self) -> Self::IntoIter {
                self.iter()
            }
        }

        impl<E: core::fmt::Debug, L: core::fmt::Debug> core::fmt::Debug for $handle<E, L> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.debug_struct(stringify!($handle))
                    .field("label", self.get_label())
                    .field("elements", &&**self)
                    .finish()
            }
        }

        impl<E: PartialEq, L> PartialEq for $handle<E, L> {
            #[inline]
            fn eq(&self, other: &Self) -> bool {
                **self == **other
            }
        }

        impl<E: Eq, L> Eq for $handle<E, L> {}

        impl<E: PartialOrd, L> PartialOrd for $handle<E, L> {
            #[inline]
            fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
                (**self).partial_cmp(&**other)
            }
        }

        impl<E: Ord, L> Ord for $handle<E, L> {
            #[inline]
            fn cmp(&self, other: &Self) -> core::cmp::Ordering {
                (**self).cmp(&**other)
            }
        }

        impl<E: core::hash::Hash, L> core::hash::Hash for $handle<E, L> {
            #[inline]
            fn hash<Hs: core::hash::Hasher>(&self, state: &mut Hs) {
                (**self).hash(state)
            }
        }

        impl<E, L> $crate::traits::Container for $handle<E, L> {
            #[inline]
            fn len(&self) -> usize {
                <[E]>::len(self)
            }
        }

        impl<E, L> $crate::traits::SliceArray<E> for $handle<E, L> {
            #[inline]
            fn as_slice(&self) -> &[E] {
                self
            }
        }
    };
}

/// Implements `DerefMut`-based traits for handles with exclusive access:
/// `IndexMut`, `IntoIterator` for `&mut Handle`, `SliceArrayMut`,
/// `CopyMap<usize, E>`.
macro_rules! impl_slice_mut_traits {
    ($handle:ident) => {
        impl<E, L, I: core::slice::SliceIndex<[E]>> core::ops::IndexMut<I> for $handle<E, L> {
            #[inline]
            #[track_caller]
            fn index_mut(&mut self, index: I) -> &mut I::Output {
                core::ops::IndexMut::index_mut(&mut **self, index)
            }
        }

        impl<'a, E, L> IntoIterator for &'a mut $handle<E, L> {
            type Item = &'a mut E;
            type IntoIter = core::slice::IterMut<'a, E>;
            #[inline]
            fn into_iter(self) -> Self::IntoIter {
                self.iter_mut()
            }
        }

        impl<E, L> $crate::traits::SliceArrayMut<E> for $handle<E, L> {
            #[inline]
            fn as_slice_mut(&mut self) -> &mut [E] {
                self
            }
        }

        impl<E, L> $crate::traits::CopyMap<usize, E> for $handle<E, L> {
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
