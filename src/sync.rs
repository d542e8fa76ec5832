//! The one place that names atomic types, fences and the
//! default allocator: `core`/`alloc` normally, `loom` under `cfg(loom)`, `shuttle`
//! under `cfg(shuttle)`. The rest of the crate imports from here, so the
//! model checkers see every synchronising operation and `cfg(loom)` or
//! `cfg(shuttle)` appear nowhere else in `src/`.

#[cfg(all(loom, shuttle))]
compile_error!("`--cfg loom` and `--cfg shuttle` cannot be combined");

/// Atomics and fences: the counts of `ArcArray` use nothing else.
pub(crate) mod atomic {
    #[cfg(all(not(any(loom, shuttle)), target_has_atomic = "64"))]
    pub(crate) use core::sync::atomic::AtomicU64;
    #[cfg(not(any(loom, shuttle)))]
    pub(crate) use core::sync::atomic::{fence, Ordering};
    #[cfg(loom)]
    pub(crate) use loom::sync::atomic::{fence, AtomicU64, Ordering};
    #[cfg(shuttle)]
    pub(crate) use shuttle::sync::atomic::{fence, AtomicU64, Ordering};

    #[cfg(all(not(any(loom, shuttle)), not(target_has_atomic = "64")))]
    pub(crate) use lock_based::AtomicU64;

    /// The counts' one word on targets without 64-bit atomics (32-bit
    /// Arm, MIPS and PowerPC, for instance): crossbeam-utils' `AtomicCell`,
    /// which guards each read-modify-write and store with a spin lock from
    /// a global table. Its plain `load` is an optimistic seqlock read that
    /// races with locked writes (crossbeam says so itself), so `load` here
    /// is a locked `fetch_add(0)` instead. Every access to the word then
    /// takes the lock, and every operation is ordered with every other on
    /// the word as if it were `SeqCst`, stronger than each ordering the
    /// protocol asks for: the protocol and its proofs are the same on every
    /// target. What differs: a clone or drop there takes a spin lock, so it
    /// is not lock-free, and a handle must not be cloned or dropped in an
    /// interrupt or signal handler that may have interrupted the lock's
    /// holder (the crate docs, "Targets without 64-bit atomics").
    #[cfg(all(not(any(loom, shuttle)), not(target_has_atomic = "64")))]
    mod lock_based {
        use core::sync::atomic::Ordering;
        use crossbeam_utils::atomic::AtomicCell;

        /// `core::sync::atomic::AtomicU64`'s methods the counts use, over
        /// an `AtomicCell<u64>`; the orderings are implied (see above).
        pub(crate) struct AtomicU64(AtomicCell<u64>);

        impl AtomicU64 {
            pub(crate) const fn new(value: u64) -> Self {
                AtomicU64(AtomicCell::new(value))
            }
            pub(crate) fn load(&self, _: Ordering) -> u64 {
                // Under the lock, not `AtomicCell::load`'s racy seqlock read.
                self.0.fetch_add(0)
            }
            pub(crate) fn store(&self, value: u64, _: Ordering) {
                self.0.store(value);
            }
            pub(crate) fn fetch_add(&self, value: u64, _: Ordering) -> u64 {
                self.0.fetch_add(value)
            }
            pub(crate) fn fetch_sub(&self, value: u64, _: Ordering) -> u64 {
                self.0.fetch_sub(value)
            }
            pub(crate) fn compare_exchange(
                &self,
                current: u64,
                new: u64,
                _: Ordering,
                _: Ordering,
            ) -> Result<u64, u64> {
                self.0.compare_exchange(current, new)
            }
            pub(crate) fn compare_exchange_weak(
                &self,
                current: u64,
                new: u64,
                success: Ordering,
                failure: Ordering,
            ) -> Result<u64, u64> {
                self.compare_exchange(current, new, success, failure)
            }
        }
    }

    /// Tells the model checker that `counter` is about to be freed, so every
    /// access to it must happen before this point: under loom, an exclusive
    /// `with_mut` access, which fails the model if any earlier access by
    /// another thread is not ordered before it (loom does not check frees
    /// themselves). Nothing at all otherwise.
    ///
    /// # Safety
    ///
    /// `counter` points to a live counter that no other thread accesses
    /// from now on (the caller holds the last count of its block).
    #[inline]
    pub(crate) unsafe fn before_free(counter: *mut AtomicU64) {
        #[cfg(loom)]
        // SAFETY: live and no longer shared (caller), so `&mut` is unique.
        unsafe {
            (*counter).with_mut(|_| ());
        }
        #[cfg(not(loom))]
        let _ = counter;
    }

    /// The fence that makes the last handle's destructor see every other
    /// handle's accesses. `ThreadSanitizer` does not model fences, so under
    /// `cfg(heaparray_tsan)` the same edge is made with an `Acquire`
    /// load of the counter (std's `acquire!` macro does the same).
    #[inline]
    pub(crate) fn acquire_fence(_counter: &AtomicU64) {
        #[cfg(not(heaparray_tsan))]
        fence(Ordering::Acquire);
        #[cfg(heaparray_tsan)]
        let _ = _counter.load(Ordering::Acquire);
    }
}

/// Keeps the items of its first braces where this crate's atomics can live
/// in a `static` (core's `AtomicU64::new` is `const`), and those of the
/// second under loom and shuttle, whose atomics are not `const`: each
/// registers with the running model. `ArcArray::default()` shares a static
/// empty block in the first case and allocates one in the second.
macro_rules! const_atomics_or {
    ({ $($static_items:item)* } else { $($model_items:item)* }) => {
        $( #[cfg(not(any(loom, shuttle)))] $static_items )*
        $( #[cfg(any(loom, shuttle))] $model_items )*
    };
}
pub(crate) use const_atomics_or;

/// The default allocator of every handle. Normally allocator-api2's
/// `Global` (the `#[global_allocator]`); under loom a zero-sized allocator
/// that goes through `loom::alloc`, so that a model that leaks or
/// double-frees a block fails. loom has no `realloc`: growing and shrinking
/// use the `Allocator` trait's provided methods (allocate, copy, free),
/// which is what `realloc` may do anyway.
#[cfg(not(loom))]
pub use allocator_api2::alloc::Global;

#[cfg(loom)]
pub use loom_global::Global;

#[cfg(loom)]
mod loom_global {
    use allocator_api2::alloc::{AllocError, Allocator};
    use core::alloc::Layout;
    use core::ptr::NonNull;

    /// The global allocator as loom sees it (see the module docs).
    #[derive(Clone, Copy, Default, Debug)]
    pub struct Global;

    // SAFETY: blocks come from `loom::alloc::alloc` with the layout asked
    // for and go back to `loom::alloc::dealloc` with the same layout (the
    // caller's promise in `deallocate`); a zero-sized request gets an
    // aligned dangling pointer that is never passed to loom. `Global` has
    // no state, so its copies are one allocator.
    unsafe impl Allocator for Global {
        fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
            if layout.size() == 0 {
                let dangling = NonNull::new(core::ptr::without_provenance_mut(layout.align()))
                    .ok_or(AllocError)?;
                return Ok(NonNull::slice_from_raw_parts(dangling, 0));
            }
            // SAFETY: `layout` has a non-zero size.
            let raw = unsafe { loom::alloc::alloc(layout) };
            NonNull::new(raw)
                .map(|ptr| NonNull::slice_from_raw_parts(ptr, layout.size()))
                .ok_or(AllocError)
        }

        // SAFETY: the trait's contract: `ptr` came from `allocate` with
        // `layout`, and is not used afterwards.
        unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
            if layout.size() != 0 {
                // SAFETY: `ptr` came from `allocate` with `layout` (the
                // trait's contract), which took it from `loom::alloc::alloc`.
                unsafe { loom::alloc::dealloc(ptr.as_ptr(), layout) }
            }
        }
    }
}

/// Aborts the process: the answer to a reference count that would overflow,
/// as `std::sync::Arc` gives, and to an allocator that unwinds out of
/// `grow` or `shrink` under a `UniqueArcArray` borrowed by `&mut`.
#[cold]
#[inline(never)]
pub(crate) fn abort() -> ! {
    #[cfg(feature = "std")]
    std::process::abort();
    // Without std there is no `abort`: a panic while panicking aborts.
    #[cfg(not(feature = "std"))]
    {
        struct PanicOnDrop;
        impl Drop for PanicOnDrop {
            fn drop(&mut self) {
                panic!("heaparray: aborting (a reference count would overflow, or an allocator unwound out of grow or shrink)");
            }
        }
        let _bomb = PanicOnDrop;
        panic!("heaparray: aborting (a reference count would overflow, or an allocator unwound out of grow or shrink)");
    }
}
