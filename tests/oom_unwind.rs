//! An allocation failure that unwinds, in the paths that move an
//! `ArcArray`'s contents to a new block because weak handles exist
//! (`make_mut`, `try_unique`, `into_unique`), and the same paths of
//! `RcArray` (and its `make_mut` copy): the handle the call started from
//! must still hold its count. On stable Rust a failed allocation
//! aborts, so this needs nightly's `set_alloc_error_hook` with a hook that
//! panics (the default may become panicking, and `-Zoom=panic` does it):
//! ci/sanitizers.sh runs it under AddressSanitizer with
//! `--cfg heaparray_oom_unwind`. (rust-lang/rust#157203 is the same bug in
//! std's `Arc::make_mut`.)
#![cfg(heaparray_oom_unwind)]
#![cfg_attr(heaparray_oom_unwind, feature(alloc_error_hook))]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};

use heaparray::*;

/// Fails the next allocation of this thread once armed.
struct FailNext;

thread_local! {
    static ARMED: Cell<bool> = const { Cell::new(false) };
}

// SAFETY: forwards to `System`, or returns null (a failed allocation,
// which `GlobalAlloc` allows); the flag is a const thread-local without a
// destructor, so reading it never allocates.
unsafe impl GlobalAlloc for FailNext {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if ARMED.with(|a| a.replace(false)) {
            return std::ptr::null_mut();
        }
        // SAFETY: the caller's contract is System's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract is System's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOC: FailNext = FailNext;

/// Runs `f` with the next allocation failing and the failure panicking.
fn with_failing_allocation<R>(f: impl FnOnce() -> R) -> std::thread::Result<R> {
    std::alloc::set_alloc_error_hook(|layout| {
        panic!("allocation of {} bytes failed", layout.size())
    });
    ARMED.with(|a| a.set(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    ARMED.with(|a| a.set(false));
    result
}

thread_local! {
    /// Drops on this thread (each test drops its elements on its own).
    static DROPS: Cell<usize> = const { Cell::new(0) };
}

fn drops() -> usize {
    DROPS.with(Cell::get)
}

/// An element that owns heap memory and counts its drops.
#[derive(Clone)]
struct Owned(String);

impl Drop for Owned {
    fn drop(&mut self) {
        DROPS.with(|d| d.set(d.get() + 1));
    }
}

fn array() -> ArcArray<Owned, String> {
    ArcArray::with_label(String::from("label"), 3, |_, i| {
        Owned(format!("element {i}"))
    })
}

/// For `$handle` (made by `$make`, with a weak handle and no other
/// strong one): `make_mut`, whose move fails, keeps its handle; and
/// `try_unique` and `into_unique`, whose move fails, drop theirs.
macro_rules! move_failure_tests {
    ($handle:ident, $make:ident, $make_mut:ident, $unique:ident) => {
        #[test]
        fn $make_mut() {
            let mut a = $make();
            let w = $handle::downgrade(&a);
            let before = drops();
            let failed = with_failing_allocation(|| {
                $handle::make_mut(&mut a)[0].0.push('!');
            });
            assert!(failed.is_err(), "the failed allocation panics");
            // `a` still holds its strong count (the claim given back),
            // with the contents untouched.
            assert_eq!(($handle::strong_count(&a), $handle::weak_count(&a)), (1, 1));
            assert_eq!(a[0].0, "element 0");
            assert_eq!(drops(), before, "nothing dropped");
            // Another handle comes and goes without dropping the contents.
            let b = w.upgrade().expect("the weak handle still upgrades");
            drop(b);
            assert_eq!(a[2].0, "element 2");
            // And make_mut then succeeds (moving the contents).
            $handle::make_mut(&mut a)[0].0.push('!');
            assert_eq!(a[0].0, "element 0!");
            assert!(w.upgrade().is_none());
            drop(a);
            assert_eq!(drops(), before + 3);
        }

        #[test]
        fn $unique() {
            for into in [false, true] {
                let a = $make();
                let w = $handle::downgrade(&a);
                let before = drops();
                let failed = with_failing_allocation(|| {
                    if into {
                        drop($handle::into_unique(a));
                    } else {
                        drop($handle::try_unique(a).ok());
                    }
                });
                assert!(
                    failed.is_err(),
                    "into = {into}: the failed allocation panics"
                );
                // The handle was consumed: its contents are dropped exactly
                // once, as if it had been dropped; the weak handle keeps the
                // block, dead.
                assert_eq!(drops(), before + 3, "into = {into}");
                assert!(w.upgrade().is_none(), "into = {into}");
                assert_eq!(w.strong_count(), 0);
                drop(w);
            }
        }
    };
}

move_failure_tests!(
    ArcArray,
    array,
    make_mut_keeps_its_handle_when_the_move_fails,
    try_unique_and_into_unique_drop_their_handle_when_the_move_fails
);

#[test]
fn make_mut_of_a_compact_array_keeps_its_handle_when_the_move_fails() {
    let mut a: CompactArcArray<Owned, String> =
        CompactArcArray::with_label(String::from("label"), 2, |_, i| Owned(i.to_string()));
    let w = CompactArcArray::downgrade(&a);
    let failed = with_failing_allocation(|| {
        CompactArcArray::make_mut(&mut a);
    });
    assert!(failed.is_err());
    assert_eq!(
        (
            CompactArcArray::strong_count(&a),
            CompactArcArray::weak_count(&a)
        ),
        (1, 1)
    );
    assert_eq!(w.upgrade().map(|b| b[1].0.clone()).as_deref(), Some("1"));
}

// ---- RcArray -----------------------------------------------------------------

fn rc_array() -> RcArray<Owned, &'static str> {
    RcArray::with_label("label", 3, |_, i| Owned(format!("element {i}")))
}

move_failure_tests!(
    RcArray,
    rc_array,
    rc_make_mut_keeps_its_handle_when_the_move_fails,
    rc_try_unique_and_into_unique_drop_their_handle_when_the_move_fails
);

#[test]
fn rc_make_mut_keeps_its_handle_when_the_copy_fails() {
    let mut a = rc_array();
    let b = a.clone();
    let w = RcArray::downgrade(&a);
    let before = drops();
    // The label is a `&str`: the first allocation is the new block's.
    let failed = with_failing_allocation(|| {
        RcArray::make_mut(&mut a);
    });
    assert!(failed.is_err());
    assert!(RcArray::ptr_eq(&a, &b));
    assert_eq!((RcArray::strong_count(&a), RcArray::weak_count(&a)), (2, 1));
    assert_eq!(drops(), before, "nothing cloned, nothing dropped");
    assert!(w.upgrade().is_some());
}
