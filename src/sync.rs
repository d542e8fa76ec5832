//! The one place that names atomic types, fences, spin hints and the raw
//! allocator: `core`/`alloc` normally, `loom` under `cfg(loom)`, `shuttle`
//! under `cfg(shuttle)`. The rest of the crate imports from here, so the
//! model checkers see every synchronising operation and `cfg(loom)` or
//! `cfg(shuttle)` appear nowhere else in `src/`.

#[cfg(all(loom, shuttle))]
compile_error!("`--cfg loom` and `--cfg shuttle` cannot be combined");

/// Atomics and fences: the counts of `ArcArray` use nothing else.
pub(crate) mod atomic {
    #[cfg(not(any(loom, shuttle)))]
    pub(crate) use core::sync::atomic::{fence, AtomicUsize, Ordering};
    #[cfg(loom)]
    pub(crate) use loom::sync::atomic::{fence, AtomicUsize, Ordering};
    #[cfg(shuttle)]
    pub(crate) use shuttle::sync::atomic::{fence, AtomicUsize, Ordering};

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
    pub(crate) unsafe fn before_free(counter: *mut AtomicUsize) {
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
    pub(crate) fn acquire_fence(_counter: &AtomicUsize) {
        #[cfg(not(heaparray_tsan))]
        fence(Ordering::Acquire);
        #[cfg(heaparray_tsan)]
        let _ = _counter.load(Ordering::Acquire);
    }
}

/// A spin-wait hint. Under loom and shuttle it yields to the scheduler, so a
/// model that spins (the weak-count lock) terminates.
#[inline]
pub(crate) fn spin_loop() {
    #[cfg(not(any(loom, shuttle)))]
    core::hint::spin_loop();
    #[cfg(loom)]
    loom::hint::spin_loop();
    #[cfg(shuttle)]
    shuttle::hint::spin_loop();
}

/// The raw allocator. Under loom, allocations are tracked so that a model
/// that leaks or double-frees a block fails.
pub(crate) mod heap {
    #[cfg(not(loom))]
    pub(crate) use alloc::alloc::{alloc, dealloc, realloc};

    #[cfg(loom)]
    pub(crate) use loom::alloc::{alloc, dealloc};

    /// loom has no `realloc`: allocate, copy, free, which is what `realloc`
    /// may do anyway.
    ///
    /// # Safety
    ///
    /// As [`std::alloc::realloc`]: `ptr` was allocated with `layout`,
    /// `new_size` is non-zero and, rounded up to `layout.align()`, does not
    /// overflow `isize`.
    #[cfg(loom)]
    pub(crate) unsafe fn realloc(
        ptr: *mut u8,
        layout: std::alloc::Layout,
        new_size: usize,
    ) -> *mut u8 {
        use std::alloc::Layout;
        // SAFETY: the caller promises `new_size` and `layout.align()` form a
        // valid, non-zero layout.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: `new_layout` has a non-zero size (caller's promise).
        let new = unsafe { alloc(new_layout) };
        if !new.is_null() {
            // SAFETY:
            // - `ptr` is valid for reads of `layout.size()` bytes (it was
            //   allocated with `layout`), `new` for writes of `new_size`;
            // - two live allocations do not overlap.
            unsafe {
                core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                dealloc(ptr, layout);
            }
        }
        new
    }
}

/// Aborts the process: the answer to a reference count that would overflow,
/// as `std::sync::Arc` gives.
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
                panic!("heaparray: reference count overflow");
            }
        }
        let _bomb = PanicOnDrop;
        panic!("heaparray: reference count overflow");
    }
}
