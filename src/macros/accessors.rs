//! The accessors the owning handles have alike: `get_label` (and, on the
//! handles that are their block's only one, `get_label_mut`), `allocator`,
//! and the private `raw` that finds a handle's block. Each handle passes
//! its own docs in; the bodies, and their safety arguments, are one.

/// `get_label`, and `get_label_mut` where its docs are given, in an impl
/// block of a handle with a `raw()` block.
macro_rules! impl_label_access {
    ($(#[$get:meta])* fn get_label; $($(#[$get_mut:meta])* fn get_label_mut;)?) => {
        $(#[$get])*
        #[must_use]
        #[inline]
        pub fn get_label(&self) -> &L {
            // SAFETY: a strong (or the only) handle keeps the label
            // initialised, and nothing writes it while `&self` is borrowed:
            // writes need `&mut` of the block's only handle.
            unsafe { self.raw().label_ref() }
        }
        $(
            $(#[$get_mut])*
            #[inline]
            pub fn get_label_mut(&mut self) -> &mut L {
                // SAFETY: initialised, as for `get_label`; only the handles
                // that are their block's only one (`HeapArray`,
                // `UniqueArcArrayBase`) have this method, so `&mut self`
                // makes the access exclusive.
                unsafe { self.raw().label_mut() }
            }
        )?
    };
}

/// `allocator`, with the handle's docs, and `raw` (with visibility
/// `$vis`), the handle's block of type `$block`, in the handle's impl
/// block.
macro_rules! impl_block_access {
    ($(#[$alloc:meta])* fn allocator; $vis:vis fn raw -> $block:ty;) => {
        $(#[$alloc])*
        #[must_use]
        #[inline]
        pub fn allocator(this: &Self) -> &A {
            // SAFETY: a strong (or the only) handle keeps the header, and
            // the allocator in it, initialised and in place: only the last
            // owner moves the allocator out, when it frees the block.
            unsafe { this.raw().allocator() }
        }

        /// The block behind this handle.
        #[inline]
        $vis fn raw(&self) -> $block {
            // SAFETY: `self.block` came from `as_non_null` of the handle's
            // block type, `$block`.
            unsafe { $crate::block::Block::from_non_null(self.block) }
        }
    };
}
