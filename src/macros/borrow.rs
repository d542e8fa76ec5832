//! `impl_borrow!`: the borrowed handle's impls, written once for
//! `ArcArrayBorrowBase` and `RcArrayBorrow`. A borrow is a block pointer
//! and a lifetime tied to an owner that holds a strong count (SAFETY.md,
//! "Borrowed handles"); this macro's unsafe code turns that pointer into
//! `&L` and `&[E]` for `'a`, and steps back from an element pointer in
//! `from_raw`. `clone_arc` clones the owner's handle rebuilt in
//! `ManuallyDrop`, so the count code stays each handle's own.

/// Implements, for a borrow type `$borrow<'a, E, L, [P,] A>` with fields
/// `block: NonNull<u8>` and `_borrows: PhantomData`, whose owner is
/// `$owner<E, L, [P,] A>` (with `raw()` and `from_block`) and whose block
/// is `$block<E, L, [P,] A>`: the owner's `borrow`, and the borrow's
/// `from_raw`, `clone_arc`, `get_label`, `as_slice`, `as_ptr`, `ptr_eq`,
/// `Clone`/`Copy`, `Deref`, `AsRef`, `Debug` and `From<&owner>`. The names
/// are the ones the docs use (`ArcArrayBorrow`, `ArcArray`).
macro_rules! impl_borrow {
    ($name:ident, $borrow:ident, $owner_name:ident, $owner:ident, $block:ident $(, $p:ident: $bound:path)?) => {
        impl<E, L $(, $p: $bound)?, A: $crate::Allocator> Clone for $borrow<'_, E, L $(, $p)?, A> {
            #[inline]
            fn clone(&self) -> Self {
                *self
            }
        }
        impl<E, L $(, $p: $bound)?, A: $crate::Allocator> Copy for $borrow<'_, E, L $(, $p)?, A> {}

        impl<E, L $(, $p: $bound)?, A: $crate::Allocator> $owner<E, L $(, $p)?, A> {
            #[doc = concat!("A borrowed handle to this array: one word, `Copy`, no count touched (see [`", stringify!($name), "`](crate::", stringify!($name), ")). An associated function (`", stringify!($owner_name), "::borrow(&a)`), so that `a.borrow()` stays `Borrow::borrow`.")]
            ///
            /// # Examples
            ///
            /// ```
            /// use heaparray::*;
            #[doc = concat!("let a = ", stringify!($owner_name), "::from([1, 2]);")]
            #[doc = concat!("let b: ", stringify!($name), "<'_, i32> = ", stringify!($owner_name), "::borrow(&a);")]
            /// assert_eq!(*b, [1, 2]);
            /// ```
            #[must_use]
            #[inline]
            pub fn borrow(this: &Self) -> $borrow<'_, E, L $(, $p)?, A> {
                $borrow {
                    block: this.raw().as_non_null(),
                    _borrows: core::marker::PhantomData,
                }
            }
        }

        impl<'a, E, L $(, $p: $bound)?, A: $crate::Allocator> $borrow<'a, E, L $(, $p)?, A> {
            /// A borrow of the array whose elements start at `ptr`, for `'a`,
            /// with no count touched.
            ///
            /// # Safety
            ///
            #[doc = concat!("- `ptr` came from [`", stringify!($owner_name), "::as_ptr`](", stringify!($owner), "::as_ptr) or [`into_raw`](", stringify!($owner), "::into_raw) of an array of this exact type (the same element, label, layout and allocator types), and keeps that pointer's provenance (it was not rebuilt from an address);")]
            /// - a strong count of that block is held for all of `'a` (a live
            ///   handle, or a pointer from `into_raw` not yet given back), so
            ///   that the contents stay alive;
            /// - for all of `'a`, no handle of the block writes or takes its
            ///   contents: no `get_mut`, `make_mut`, `get_mut_with_label`,
            ///   `make_mut_with_label`, nor a `try_unique`, `into_unique` or
            ///   `unwrap_or_clone` that succeeds. The borrow must be usable as
            ///   a `&'a` to the owning handle would be (with
            #[doc = concat!("   `", stringify!($owner_name), "::borrow(&a)` the borrow checker sees to this; here the caller does).")]
            ///
            #[doc = concat!("`a.as_ptr()` on a handle is the *slice's* method, reached through `Deref`: its pointer has provenance over the elements only, not the counts, and is not one this function accepts. Use `", stringify!($owner_name), "::as_ptr(&a)`.")]
            ///
            /// # Examples
            ///
            /// ```
            /// use heaparray::*;
            #[doc = concat!("let a = ", stringify!($owner_name), "::with_label('k', 2, |_, i| i);")]
            #[doc = concat!("let ptr = ", stringify!($owner_name), "::as_ptr(&a); // a cursor keeps this")]
            /// // SAFETY: from `as_ptr` of an array of this type, and `a`
            /// // outlives the borrow.
            #[doc = concat!("let b = unsafe { ", stringify!($name), "::<usize, char>::from_raw(ptr) };")]
            /// assert_eq!((*b.get_label(), &*b), ('k', &[0, 1][..]));
            /// let owned = b.clone_arc();
            #[doc = concat!("assert!(", stringify!($owner_name), "::ptr_eq(&owned, &a));")]
            /// ```
            #[must_use]
            #[inline]
            pub unsafe fn from_raw(ptr: *const E) -> Self {
                // SAFETY: `ptr` is the element pointer of a live block of
                // this type, with its provenance (caller): stepping back to
                // the block start stays in bounds and keeps permission for
                // the whole block.
                let block = unsafe { $block::<E, L $(, $p)?, A>::from_elems(ptr) };
                $borrow {
                    block: block.as_non_null(),
                    _borrows: core::marker::PhantomData,
                }
            }

            #[inline]
            fn raw(self) -> $block<E, L $(, $p)?, A> {
                // SAFETY: `self.block` came from `as_non_null` of a block of
                // this type.
                unsafe { $crate::block::Block::from_non_null(self.block) }
            }

            #[doc = concat!("An owned handle to the same array: one strong increment, as `", stringify!($owner_name), "::clone` (triomphe's name).")]
            ///
            /// # Examples
            ///
            /// ```
            /// use heaparray::*;
            #[doc = concat!("let a = ", stringify!($owner_name), "::from([\"x\".to_string()]);")]
            #[doc = concat!("let owned = ", stringify!($owner_name), "::borrow(&a).clone_arc();")]
            /// drop(a);
            /// assert_eq!(*owned, ["x"]);
            /// ```
            #[must_use]
            #[inline]
            pub fn clone_arc(self) -> $owner<E, L $(, $p)?, A> {
                // The owner's handle, rebuilt over the block without taking
                // a count (`ManuallyDrop`: it never releases one), cloned:
                // the clone's increment is the new handle's count. The
                // owner keeps the block alive for `'a`.
                let owner = core::mem::ManuallyDrop::new($owner::from_block(self.block));
                $owner::clone(&owner)
            }

            /// The label, for all of `'a`.
            ///
            /// # Examples
            ///
            /// ```
            /// use heaparray::*;
            #[doc = concat!("let a = ", stringify!($owner_name), "::with_label(3u8, 0, |_, _| ());")]
            #[doc = concat!("assert_eq!(*", stringify!($owner_name), "::borrow(&a).get_label(), 3);")]
            /// ```
            #[must_use]
            #[inline]
            pub fn get_label(self) -> &'a L {
                // SAFETY: a strong handle keeps the label initialised for
                // `'a`, and no handle writes it while another exists.
                unsafe { self.raw().label_ref() }
            }

            /// The elements, for all of `'a` (`Deref` gives them for the
            /// borrow's own lifetime).
            ///
            /// # Examples
            ///
            /// ```
            /// use heaparray::*;
            #[doc = concat!("let a = ", stringify!($owner_name), "::from([1, 2]);")]
            #[doc = concat!("let elems: &[i32] = ", stringify!($owner_name), "::borrow(&a).as_slice();")]
            /// assert_eq!(elems, [1, 2]);
            /// ```
            #[must_use]
            #[inline]
            pub fn as_slice(self) -> &'a [E] {
                let block = self.raw();
                // SAFETY: a strong handle keeps `len` elements initialised
                // and unwritten for `'a`.
                unsafe { block.elements(block.len()) }
            }

            #[doc = concat!("The elements' address, as `", stringify!($owner_name), "::as_ptr`.")]
            ///
            /// # Examples
            ///
            /// ```
            /// use heaparray::*;
            #[doc = concat!("let a = ", stringify!($owner_name), "::from([1]);")]
            #[doc = concat!("let b = ", stringify!($owner_name), "::borrow(&a);")]
            #[doc = concat!("assert_eq!(", stringify!($name), "::as_ptr(b), ", stringify!($owner_name), "::as_ptr(&a));")]
            /// ```
            #[must_use]
            #[inline]
            pub fn as_ptr(this: Self) -> *const E {
                this.raw().elems()
            }

            /// Whether two borrows are of the same block.
            ///
            /// # Examples
            ///
            /// ```
            /// use heaparray::*;
            #[doc = concat!("let a = ", stringify!($owner_name), "::from([1]);")]
            /// let b = a.clone();
            #[doc = concat!("assert!(", stringify!($name), "::ptr_eq(", stringify!($owner_name), "::borrow(&a), ", stringify!($owner_name), "::borrow(&b)));")]
            /// ```
            #[must_use]
            #[inline]
            pub fn ptr_eq(this: Self, other: Self) -> bool {
                this.block == other.block
            }
        }

        impl<E, L $(, $p: $bound)?, A: $crate::Allocator> core::ops::Deref for $borrow<'_, E, L $(, $p)?, A> {
            type Target = [E];
            #[inline]
            fn deref(&self) -> &[E] {
                self.as_slice()
            }
        }

        impl<E, L $(, $p: $bound)?, A: $crate::Allocator> AsRef<[E]> for $borrow<'_, E, L $(, $p)?, A> {
            #[inline]
            fn as_ref(&self) -> &[E] {
                self
            }
        }

        /// As the owned handle's: the slice for a zero-sized label,
        /// otherwise `Name { label, elements }`.
        impl<E: core::fmt::Debug, L: core::fmt::Debug $(, $p: $bound)?, A: $crate::Allocator> core::fmt::Debug
            for $borrow<'_, E, L $(, $p)?, A>
        {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                if core::mem::size_of::<L>() == 0 {
                    core::fmt::Debug::fmt(&**self, f)
                } else {
                    f.debug_struct(debug_name!($name $(, $p)?))
                        .field("label", self.get_label())
                        .field("elements", &&**self)
                        .finish()
                }
            }
        }

        impl<'a, E, L $(, $p: $bound)?, A: $crate::Allocator> From<&'a $owner<E, L $(, $p)?, A>>
            for $borrow<'a, E, L $(, $p)?, A>
        {
            #[inline]
            fn from(handle: &'a $owner<E, L $(, $p)?, A>) -> Self {
                $owner::borrow(handle)
            }
        }
    };
}
