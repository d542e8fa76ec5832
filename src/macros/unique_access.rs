//! The ways to unique access for the shared handles (`impl_unique_access!`:
//! `get_mut`, `make_mut`, `unwrap_or_clone`, `get_mut_with_label` and
//! `make_mut_with_label`), written once for `ArcArrayBase` and `RcArray`. The one macro with unsafe code: it expands inside each
//! handle's count-code room, where its two `unsafe` blocks stand on that
//! handle's uniqueness test and on `make_unique`'s promise (the only handle of
//! any kind when it returns), and call the block's part pointers.

/// Writes the ways to unique access into a shared handle's inherent impl
/// (`ArcArrayBase`, `RcArray`): `get_mut`, `make_mut` and `unwrap_or_clone`
/// (with the docs and attributes given for each, and the owned type
/// `unwrap_or_clone` returns), `get_mut_with_label` and
/// `make_mut_with_label`; from the name its docs use, and the handle's test
/// that no other handle of any kind exists, over the parameter it names
/// (`|this| Self::is_unique(this)`). The handle supplies `raw`, `len`,
/// `allocator`, `try_unique` and `make_unique`, which leaves the handle
/// the only one of any kind (cloning or moving the contents if it must):
/// what `make_mut_with_label`, and so `make_mut`, rely on.
macro_rules! impl_unique_access {
    (
        $name:ident, |$this:ident| $unique:expr;
        $(#[$get_mut_doc:meta])* fn get_mut;
        $(#[$make_mut_doc:meta])* fn make_mut;
        $(#[$unwrap_doc:meta])* fn unwrap_or_clone -> $owned:ty;
    ) => {
        $(#[$get_mut_doc])*
        #[inline]
        pub fn get_mut($this: &mut Self) -> Option<&mut [E]> {
            Self::get_mut_with_label($this).map(|(_, elements)| elements)
        }

        $(#[$make_mut_doc])*
        pub fn make_mut($this: &mut Self) -> &mut [E]
        where
            E: Clone,
            L: Clone,
            A: Clone,
        {
            Self::make_mut_with_label($this).1
        }

        $(#[$unwrap_doc])*
        pub fn unwrap_or_clone($this: Self) -> $owned
        where
            E: Clone,
            L: Clone,
            A: Clone,
        {
            match Self::try_unique($this) {
                Ok(unique) => unique,
                // The handle keeps its strong count across the clones (user
                // code), and is dropped after them.
                Err(shared) => crate::block::clone_contents(
                    shared.get_label(),
                    &shared,
                    Self::allocator(&shared),
                ),
            }
        }

        /// The label and the elements by mutable reference, together, if this
        /// is the only handle, strong or weak: [`get_mut`](Self::get_mut) with
        /// the label (for a header fixed up after the elements change).
        ///
        /// # Examples
        ///
        /// ```
        /// use heaparray::*;
        #[doc = concat!("let mut a = ", stringify!($name), "::with_label(0u32, 3, |_, i| i as u8);")]
        #[doc = concat!("let (sum, elems) = ", stringify!($name), "::get_mut_with_label(&mut a).unwrap();")]
        /// elems[0] = 10;
        /// *sum = elems.iter().map(|&b| u32::from(b)).sum();
        /// assert_eq!((*a.get_label(), &a[..]), (13, &[10, 1, 2][..]));
        #[doc = concat!("let w = ", stringify!($name), "::downgrade(&a);")]
        #[doc = concat!("assert!(", stringify!($name), "::get_mut_with_label(&mut a).is_none());")]
        /// # drop(w);
        /// ```
        #[inline]
        pub fn get_mut_with_label($this: &mut Self) -> Option<(&mut L, &mut [E])> {
            if $unique {
                let (block, len) = ($this.raw(), $this.len());
                // SAFETY: no other handle of any kind exists, and none can be
                // made without `this`, which `&mut` borrows exclusively; the
                // label and the elements are disjoint parts of the block.
                Some(unsafe { (block.label_mut(), block.elements_mut(len)) })
            } else {
                None
            }
        }

        /// The label and the elements by mutable reference, copy-on-write:
        /// [`make_mut`](Self::make_mut) (which clones or moves the label with
        /// the elements when the block is shared), then both.
        ///
        /// # Panics
        ///
        /// As [`make_mut`](Self::make_mut).
        ///
        /// # Examples
        ///
        /// ```
        /// use heaparray::*;
        #[doc = concat!("let mut a = ", stringify!($name), "::with_label(String::from(\"v1\"), 2, |_, i| i);")]
        /// let b = a.clone();
        #[doc = concat!("let (version, elems) = ", stringify!($name), "::make_mut_with_label(&mut a);")]
        /// elems[1] = 7;
        /// version.replace_range(.., "v2");
        /// assert_eq!((a.get_label().as_str(), &a[..]), ("v2", &[0, 7][..]));
        /// assert_eq!((b.get_label().as_str(), &b[..]), ("v1", &[0, 1][..]));
        /// ```
        pub fn make_mut_with_label($this: &mut Self) -> (&mut L, &mut [E])
        where
            E: Clone,
            L: Clone,
            A: Clone,
        {
            Self::make_unique($this);
            let (block, len) = ($this.raw(), $this.len());
            // SAFETY: `make_unique` has made `this` the only handle of any
            // kind to its block (a fresh clone, a moved block, or one with no
            // other handle), nothing has run since, and `&mut this` is
            // exclusive; the label and the elements are disjoint parts of the
            // block.
            unsafe { (block.label_mut(), block.elements_mut(len)) }
        }
    };
}
