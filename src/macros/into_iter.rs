//! The by-value iterators' std impls, written once for every handle's
//! wrapper around `block::IntoIter` (`HeapArrayIntoIter`,
//! `UniqueArcArrayIntoIter`): they forward to the wrapper's `inner` and
//! contain no unsafe code.

/// Implements `as_slice`, `as_mut_slice`, `Iterator`,
/// `DoubleEndedIterator`, `ExactSizeIterator`, `FusedIterator` and `Debug`
/// for a by-value iterator `$name<E, L, [P,] A>` whose field `inner` is a
/// `block::IntoIter`. A wrapper with a layout parameter names it and its
/// bound, and `for` the handle its examples name:
/// `impl_into_iter!(UniqueArcArrayIntoIter<P: ArcLayout> for UniqueArcArray)`.
macro_rules! impl_into_iter {
    ($name:ident for $handle:ident) => { impl_into_iter!(@ $name, $handle); };
    ($name:ident<$p:ident: $bound:path> for $handle:ident) => { impl_into_iter!(@ $name, $handle, $p: $bound); };
    (@ $name:ident, $handle:ident $(, $p:ident: $bound:path)?) => {
        impl<E, L $(, $p: $bound)?, A: $crate::Allocator> $name<E, L $(, $p)?, A> {
            /// The elements not yet yielded, as a slice (like
            /// `vec::IntoIter::as_slice`).
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("let mut it = heaparray::", stringify!($handle), "::from([1, 2, 3]).into_iter();")]
            /// it.next();
            /// assert_eq!(it.as_slice(), [2, 3]);
            /// ```
            #[must_use]
            #[inline]
            pub fn as_slice(&self) -> &[E] {
                self.inner.as_slice()
            }

            /// The elements not yet yielded, as a mutable slice (like
            /// `vec::IntoIter::as_mut_slice`).
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("let mut it = heaparray::", stringify!($handle), "::from([1, 2]).into_iter();")]
            /// it.as_mut_slice()[1] = 5;
            /// assert_eq!(it.collect::<Vec<_>>(), [1, 5]);
            /// ```
            #[inline]
            pub fn as_mut_slice(&mut self) -> &mut [E] {
                self.inner.as_mut_slice()
            }
        }

        impl<E, L $(, $p: $bound)?, A: $crate::Allocator> Iterator for $name<E, L $(, $p)?, A> {
            type Item = E;
            #[inline]
            fn next(&mut self) -> Option<E> {
                self.inner.next()
            }
            #[inline]
            fn size_hint(&self) -> (usize, Option<usize>) {
                self.inner.size_hint()
            }
            #[inline]
            fn count(self) -> usize {
                self.inner.len()
            }
        }

        impl<E, L $(, $p: $bound)?, A: $crate::Allocator> DoubleEndedIterator for $name<E, L $(, $p)?, A> {
            #[inline]
            fn next_back(&mut self) -> Option<E> {
                self.inner.next_back()
            }
        }

        impl<E, L $(, $p: $bound)?, A: $crate::Allocator> ExactSizeIterator for $name<E, L $(, $p)?, A> {}
        impl<E, L $(, $p: $bound)?, A: $crate::Allocator> core::iter::FusedIterator for $name<E, L $(, $p)?, A> {}

        /// The elements not yet yielded, as `vec::IntoIter` prints them:
        #[doc = concat!("`", stringify!($name), "([..])`.")]
        impl<E: core::fmt::Debug, L $(, $p: $bound)?, A: $crate::Allocator> core::fmt::Debug for $name<E, L $(, $p)?, A> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.debug_tuple(stringify!($name)).field(&self.as_slice()).finish()
            }
        }
    };
}
