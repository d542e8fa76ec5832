//! The uninitialised and zeroed constructors of the handles with `&mut`
//! access (`impl_uninit!`).

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
    ($name:ident, $handle:ident $(, $p:ident: $bound:path)?) => {
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
