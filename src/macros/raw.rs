//! The raw-pointer functions of the counted handles (`ArcArrayBase`,
//! `RcArray`): `ptr_eq`, `as_ptr`, `into_raw`, `from_raw`,
//! `increment_strong_count`, `decrement_strong_count`. Their bodies are
//! the same for both (an element pointer, a block found back from it, a
//! count taken or given through a rebuilt handle); the docs differ (each
//! names its handle and compares itself with `Arc` or `Rc`), so each
//! handle passes its own docs in, and one body serves both.

/// Writes the raw-pointer functions in `impl<$g> $ty`, with `$block` the
/// handle's block type (which has `from_elems`). Each function's docs come
/// from the invocation. `increment_strong_count` runs `$check` on the
/// rebuilt handle `$this` before it adds the count (the `RcArray` abort
/// on a claimed count; nothing for `ArcArrayBase`, whose `clone` checks).
macro_rules! impl_raw_pointers {
    (
        impl[$($g:tt)*] $ty:ty, block $block:ty;
        $(#[$ptr_eq:meta])* fn ptr_eq;
        $(#[$as_ptr:meta])* fn as_ptr;
        $(#[$into_raw:meta])* fn into_raw;
        $(#[$from_raw:meta])* fn from_raw;
        $(#[$increment:meta])* fn increment_strong_count($this:ident) $check:block
        $(#[$decrement:meta])* fn decrement_strong_count;
    ) => {
        impl<$($g)*> $ty {
            $(#[$ptr_eq])*
            #[must_use]
            #[inline]
            pub fn ptr_eq(this: &Self, other: &Self) -> bool {
                this.block == other.block
            }

            $(#[$as_ptr])*
            #[must_use]
            #[inline]
            pub fn as_ptr(this: &Self) -> *const E {
                this.raw().elems()
            }

            $(#[$into_raw])*
            #[must_use]
            #[inline]
            pub fn into_raw(this: Self) -> *const E {
                ::core::mem::ManuallyDrop::new(this).raw().elems()
            }

            $(#[$from_raw])*
            // The `# Safety` section is in the docs the handle passes in.
            #[inline]
            pub unsafe fn from_raw(ptr: *const E) -> Self {
                // SAFETY: `ptr` is the element pointer of a live block of this type
                // (caller), so stepping back to the block start stays in bounds.
                let block = unsafe { <$block>::from_elems(ptr) };
                Self::from_block(block.as_non_null())
            }

            $(#[$increment])*
            // The `# Safety` section is in the docs the handle passes in.
            #[inline]
            pub unsafe fn increment_strong_count(ptr: *const E) {
                // SAFETY: `ptr` came from `into_raw` and its count is held
                // (caller): the rebuilt handle is valid while `ManuallyDrop` keeps
                // it from releasing that count.
                let $this = ::core::mem::ManuallyDrop::new(unsafe { Self::from_raw(ptr) });
                $check
                // The clone's count is the one added: it is not dropped either.
                ::core::mem::forget(Self::clone(&$this));
            }

            $(#[$decrement])*
            // The `# Safety` section is in the docs the handle passes in.
            #[inline]
            pub unsafe fn decrement_strong_count(ptr: *const E) {
                // SAFETY: `ptr` came from `into_raw`, and the count the handle
                // takes over is the caller's to give up.
                drop(unsafe { Self::from_raw(ptr) });
            }
        }
    };
}
