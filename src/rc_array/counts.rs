//! The count code of `RcArray` and `WeakRcArray`: plain `Cell<usize>`
//! counts with std `Rc`'s semantics (the strong handles together hold one
//! weak count; the contents drop with the last strong handle, the block is
//! freed with the last weak count), and the block operations built on
//! them from the shared primitives of `src/block/mod.rs`.

use core::cell::Cell;
use core::mem;

use super::RcHeader;
use crate::allocation::{self, Allocator, TryReserveError};
use crate::block::Block;

/// Adds one to a count, aborting the process if it would exceed
/// `isize::MAX`, as `Rc` does (only reachable by leaking handles).
#[inline]
pub(super) fn increment(count: &Cell<usize>) {
    let n = count.get();
    if n >= isize::MAX as usize {
        crate::sync::abort();
    }
    count.set(n + 1);
}

/// Gives a claimed strong count back if dropped: armed while the contents
/// of a block move out (`RcBlock::claim_and_move`), so that a move that
/// unwinds leaves the caller's handle counted.
struct Unclaim<'a>(&'a Cell<usize>);

impl Drop for Unclaim<'_> {
    fn drop(&mut self) {
        self.0.set(1);
    }
}

impl<E, L, A: Allocator> Block<RcHeader<A>, L, E> {
    /// The strong count.
    ///
    /// # Safety
    ///
    /// The block is allocated (some strong or weak count is held) for `'a`.
    #[inline]
    pub(super) unsafe fn strong<'a>(self) -> &'a Cell<usize> {
        // SAFETY: the header is initialised for the block's whole life; the
        // count is a `Cell`, only accessed through shared references. The
        // reference covers the count alone, never the allocator or the
        // data.
        unsafe { &(*self.header()).strong }
    }

    /// The weak count (the weak handles, plus one while a strong handle
    /// exists).
    ///
    /// # Safety
    ///
    /// As [`Block::strong`].
    #[inline]
    pub(super) unsafe fn weak<'a>(self) -> &'a Cell<usize> {
        // SAFETY: as `strong`.
        unsafe { &(*self.header()).weak }
    }

    /// The length, fixed for the block's life.
    ///
    /// # Safety
    ///
    /// The block is allocated (some strong or weak count is held).
    #[inline]
    pub(super) unsafe fn len(self) -> usize {
        // SAFETY: the header is initialised and `len` is never written after
        // `Builder::try_finish`; read through the raw pointer, no reference.
        unsafe { (*self.header()).len }
    }

    /// Releases one weak count and frees the block (with the allocator in
    /// its header, which is then dropped) if it was the last count.
    ///
    /// # Safety
    ///
    /// The caller holds a weak count (a weak handle's, or the one of the
    /// strong handles once the last of them has dropped or moved out the
    /// contents) and does not use the block afterwards.
    pub(super) unsafe fn release_weak(self) {
        // SAFETY: the caller's count keeps the block allocated.
        let weak = unsafe { self.weak() };
        let left = weak.get() - 1;
        weak.set(left);
        if left == 0 {
            // SAFETY: that was the last count of any kind: the strong
            // handles' weak count is gone, so the strong count is 0 and the
            // contents are dropped or moved out; no handle reaches the
            // block. Its header holds the allocator it came from, for its
            // length; `dispose` moves it out first, frees, then drops it.
            unsafe { self.dispose(self.len()) }
        }
    }

    /// Drops the contents, then releases the strong handles' weak count,
    /// freeing the block if no weak handle is left, even if a destructor
    /// panics.
    ///
    /// # Safety
    ///
    /// The caller dropped the last strong handle (the strong count is 0),
    /// the contents are initialised and unreferenced, and it does not use
    /// the block afterwards.
    pub(super) unsafe fn drop_last_strong(self) {
        // SAFETY: the caller's promises; the weak count of the strong
        // handles, now the caller's, keeps the block allocated while the
        // destructors run (they may drop, clone or try to upgrade weak
        // handles: `upgrade` refuses a strong count of 0), and is released
        // once, after them.
        unsafe {
            let len = self.len();
            self.drop_contents_then(len, |block| block.release_weak());
        }
    }

    /// Moves the label and the elements out of the block of the only
    /// strong handle, through `take(block, len, allocator)` (which
    /// allocates a new block from the allocator given and copies them
    /// bitwise), and returns what `take` made.
    ///
    /// The allocator given is a clone of the block's own (the weak handles
    /// keep the old block, and free it with the allocator in it). While
    /// the allocator's `clone` and `take` run (user code), the strong count
    /// is claimed (set to 0), so that no weak handle upgrades into the
    /// contents being moved; if either unwinds, or `take` fails and the
    /// allocation error handler unwinds, nothing has moved and an
    /// [`Unclaim`] guard gives the count back: the caller's handle counts
    /// again, over its untouched contents.
    ///
    /// On return the old block's strong count is 0 and its contents are
    /// moved out; the caller must release the strong handles' weak count
    /// ([`Block::release_weak`]) once it holds what `take` made as a
    /// handle: that release may free the block, which runs the allocator's
    /// `deallocate` and drop, user code that may unwind, and an unwind then
    /// must find the caller's handle on the new block.
    ///
    /// # Safety
    ///
    /// The caller holds the only strong handle (the strong count is 1), and
    /// on return gives up its strong count: it never uses the old block as
    /// a strong handle again. `take` moves the contents only on `Ok`.
    pub(super) unsafe fn claim_and_move<T>(
        self,
        take: impl FnOnce(Self, usize, A) -> Result<T, TryReserveError>,
    ) -> T
    where
        A: Clone,
    {
        // SAFETY: the caller's strong count keeps the block allocated, and
        // the strong handles' weak count keeps it so until the caller
        // releases it.
        let strong = unsafe { self.strong() };
        debug_assert_eq!(strong.get(), 1);
        strong.set(0);
        let unclaim = Unclaim(strong);
        // SAFETY: the header is initialised and the allocator stays in place
        // while the block is allocated.
        let alloc = unsafe { self.allocator() }.clone();
        // SAFETY: the block is allocated.
        let len = unsafe { self.len() };
        let taken = match take(self, len, alloc) {
            Ok(taken) => taken,
            Err(err) => allocation::fail(&err),
        };
        mem::forget(unclaim);
        taken
    }
}
