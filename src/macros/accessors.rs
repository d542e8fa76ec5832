//! The accessors the owning handles have alike: `get_label` (and, on the
//! handles that are their block's only one, `get_label_mut`), `allocator`,
//! the private `raw` that finds a handle's block, and `Deref` to the
//! elements the header counts. Each handle passes its own docs in; the
//! bodies, and their safety arguments, are one.

/// `Deref` to the slice of the `len` elements the block's header counts,
/// for a handle with a `raw()` block (all but `HeapArray`, which keeps its
/// length in the handle). Takes `impl_for_handle!`'s form.
macro_rules! impl_deref {
    ($name:ident, $handle:ident $(, $p:ident: $bound:path)?) => {
        impl<E, L $(, $p: $bound)?, A: $crate::Allocator> core::ops::Deref for $handle<E, L $(, $p)?, A> {
            type Target = [E];
            #[inline]
            fn deref(&self) -> &[E] {
                let block = self.raw();
                // SAFETY: a strong (or the only) handle keeps `len` elements
                // initialised, and nothing writes them while `&self` is
                // borrowed: writes need `&mut` of the block's only handle
                // (`get_mut`, `make_mut` and `DerefMut` of a unique one).
                unsafe { block.elements(block.len()) }
            }
        }
    };
}

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

/// The weak handles' pointer functions (`as_ptr`, `into_raw`, `from_raw`,
/// `ptr_eq`), `allocator`, and `raw`, the block of type `$block` unless
/// the handle is `new`'s (whose pointer is the sentinel `no_block`), in
/// the weak handle's impl block. Each public function's docs come from
/// the invocation.
macro_rules! impl_weak_access {
    (
        block $block:ty;
        $(#[$as_ptr:meta])* fn as_ptr;
        $(#[$into_raw:meta])* fn into_raw;
        $(#[$from_raw:meta])* fn from_raw;
        $(#[$ptr_eq:meta])* fn ptr_eq;
        $(#[$alloc:meta])* fn allocator;
    ) => {
        $(#[$as_ptr])*
        #[must_use]
        #[inline]
        pub fn as_ptr(&self) -> *const E {
            match self.raw() {
                Some(block) => block.elems(),
                None => self.block.as_ptr().cast(),
            }
        }

        $(#[$into_raw])*
        #[must_use]
        #[inline]
        pub fn into_raw(self) -> *const E {
            ::core::mem::ManuallyDrop::new(self).as_ptr()
        }

        $(#[$from_raw])*
        // The `# Safety` section is in the docs the handle passes in.
        #[inline]
        pub unsafe fn from_raw(ptr: *const E) -> Self {
            // The sentinel of `new`, compared by address as std's
            // `Weak::from_raw` does.
            if ptr.addr() == $crate::block::no_block().as_ptr().addr() {
                return Self::new();
            }
            // SAFETY: `ptr` is the element pointer of a block this type's weak
            // count keeps allocated (caller), so stepping back to the block
            // start stays in bounds.
            let block = unsafe { <$block>::from_elems(ptr) };
            Self::from_block(block.as_non_null())
        }

        $(#[$ptr_eq])*
        #[must_use]
        pub fn ptr_eq(&self, other: &Self) -> bool {
            self.block == other.block
        }

        $(#[$alloc])*
        #[must_use]
        pub fn allocator(&self) -> Option<&A> {
            let block = self.raw()?;
            // SAFETY: our weak count keeps the block, and the allocator in its
            // header, in place for as long as `&self` lives: only the last
            // owner moves it out.
            Some(unsafe { block.allocator() })
        }

        /// The block, unless this handle was made by `new`.
        fn raw(&self) -> Option<$block> {
            let some = self.block != $crate::block::no_block();
            // SAFETY: a block pointer came from `as_non_null` of a `$block`.
            some.then(|| unsafe { $crate::block::Block::from_non_null(self.block) })
        }
    };
}
