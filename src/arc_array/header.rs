//! The block of an `ArcArray` as the count protocol sees it: its header
//! (the layout's front with the counts and the allocator, then the length)
//! and the operations on a raw block that the handles call: reading the
//! counts and the length, releasing a weak count, the last strong
//! release, freeing, and the move of `try_unique`/`make_mut` when weak
//! handles share the block. Every atomic operation is `counts.rs`'s.

use core::mem;

use super::counts::{Counts, LastStrong};
use super::layout::CountsAndAlloc;
use super::ArcLayout;
use crate::allocation::{self, Allocator};
use crate::block::{Block, Header};

/// The header of an `ArcArray` block: the counts and the allocator (the
/// layout's front: padded to `layout::COUNTS_REGION`, 128 bytes on
/// `x86_64`, for [`Padded`]; packed for [`Compact`]), then the length,
/// which starts the read-mostly region shared with the label and elements.
#[repr(C)]
pub(crate) struct ArcHeader<P: ArcLayout, A> {
    pub(super) front: P::Front<A>,
    pub(super) len: usize,
}

impl<P: ArcLayout, A> ArcHeader<P, A> {
    pub(crate) fn new(len: usize, alloc: A) -> Self {
        ArcHeader {
            front: P::front(CountsAndAlloc::new(alloc)),
            len,
        }
    }

    /// The counts and the allocator at the header's start.
    #[inline]
    pub(super) fn slots(header: *mut Self) -> *mut CountsAndAlloc<A> {
        // Both fronts are `repr(C)` with `CountsAndAlloc<A>` at offset 0
        // (`Compact`'s is one, `Padded`'s a union holding one), and the
        // front is the header's first field: the same address.
        header.cast()
    }
}

impl<P: ArcLayout, A: Allocator> Header for ArcHeader<P, A> {
    type Alloc = A;
    // SAFETY: the trait's contract: `header` points to a header of an
    // allocated block; the result is a place inside it.
    unsafe fn alloc(header: *mut Self) -> *mut A {
        // SAFETY: a place inside the header the caller points to;
        // `ManuallyDrop<A>` is `repr(transparent)` over `A`.
        unsafe { (&raw mut (*Self::slots(header)).alloc).cast() }
    }

    // SAFETY: the trait's contract: the caller holds the last count of
    // any kind, the contents are gone, and the block was allocated for
    // `cap` elements (a shared block's length; a unique one's capacity).
    unsafe fn free_block<L, E>(block: Block<Self, L, E>, cap: usize) {
        // SAFETY: the header is live until the deallocation, and ours
        // alone (caller); `dispose` moves the allocator out, frees the
        // block for `cap` with it and drops it.
        unsafe {
            Counts::before_free(&raw mut (*ArcHeader::slots(block.header())).counts);
            block.dispose(cap);
        }
    }
}

/// The block behind `ArcArray`, `WeakArcArray` and `UniqueArcArray`.
pub(crate) type ArcBlock<E, L, P, A> = Block<ArcHeader<P, A>, L, E>;

impl<E, L, P: ArcLayout, A: Allocator> Block<ArcHeader<P, A>, L, E> {
    /// The counts.
    ///
    /// # Safety
    ///
    /// The block is allocated (some strong or weak count is held) for `'a`.
    #[inline]
    pub(super) unsafe fn counts<'a>(self) -> &'a Counts {
        // SAFETY: the header is initialised for the block's whole life and
        // the counts are only accessed atomically through shared references.
        // The reference covers the counts alone, never the allocator beside
        // them or the data (rust#55005).
        unsafe { &(*ArcHeader::slots(self.header())).counts }
    }

    /// The length: fixed once the block is shared; only a unique block's
    /// one handle changes it ([`Block::set_unique_len_and_capacity`]).
    ///
    /// # Safety
    ///
    /// The block is allocated (some strong or weak count is held).
    #[inline]
    pub(super) unsafe fn len(self) -> usize {
        // SAFETY: the header is initialised; `len` is only written by a
        // unique block's one handle, which no other handle can observe.
        // Read through the raw pointer, no reference.
        unsafe { (*self.header()).len }
    }

    /// The number of elements a unique block has room for: the capacity
    /// its strong word records while it has room past its length, its
    /// length when full (`Counts::unique_capacity`); any number for
    /// zero-sized elements.
    ///
    /// # Safety
    ///
    /// The caller is the block's unique handle (no other handle of any
    /// kind exists).
    #[inline]
    pub(super) unsafe fn unique_capacity(self) -> usize {
        if mem::size_of::<E>() == 0 {
            return usize::MAX;
        }
        // SAFETY: the block is allocated while its handle exists (caller).
        unsafe { self.len().max(self.counts().unique_capacity()) }
    }

    /// Records a unique block's length and capacity: `len` elements
    /// initialised, room allocated for `cap` (ignored for zero-sized
    /// elements, which need no room).
    ///
    /// # Safety
    ///
    /// The caller is the block's unique handle, `len <= cap`, the first
    /// `len` elements are initialised, and the block was allocated (or
    /// last resized) for `cap` elements.
    #[inline]
    pub(super) unsafe fn set_unique_len_and_capacity(self, len: usize, cap: usize) {
        debug_assert!(len <= cap);
        // Full (or zero-sized): the one strong count, capacity the length.
        let recorded = if mem::size_of::<E>() == 0 || cap == len {
            0
        } else {
            cap
        };
        // SAFETY: the header is initialised and, with the strong word,
        // read and written only by the unique handle (caller); written
        // through the raw pointer, no reference.
        unsafe {
            (&raw mut (*self.header()).len).write(len);
            self.counts().set_unique_capacity(recorded);
        }
    }

    /// Records a unique block's length alone, its capacity unchanged:
    /// `push`'s one write.
    ///
    /// # Safety
    ///
    /// The caller is the block's unique handle, the first `len` elements
    /// are initialised, and the strong word records a capacity of at
    /// least `len` (`Counts::unique_capacity`: the block had room past
    /// its length, and keeps the capacity it recorded then).
    #[inline]
    pub(super) unsafe fn set_unique_len(self, len: usize) {
        // SAFETY: as in `set_unique_len_and_capacity`; the strong word
        // still records the capacity (caller).
        unsafe {
            debug_assert!(mem::size_of::<E>() == 0 || len <= self.counts().unique_capacity());
            (&raw mut (*self.header()).len).write(len);
        }
    }

    /// Releases one weak count and frees the block if it was the last.
    ///
    /// # Safety
    ///
    /// The caller holds a weak count (a weak handle, or the one of the
    /// strong handles after the last of them dropped the contents) and does
    /// not use the block afterwards.
    pub(super) unsafe fn release_weak(self) {
        // SAFETY: the caller's weak count keeps the block allocated.
        if unsafe { self.counts() }.decrement_weak() {
            // SAFETY: that was the last count of any kind: nothing else can
            // reach the block.
            unsafe { self.free() }
        }
    }

    /// Ends the strong handles' hold on the block once the last of them has
    /// dropped the contents: frees the block at once if no weak handle
    /// existed at the last strong decrement (which `last` says: no second
    /// atomic access), otherwise releases the strong handles' weak count.
    ///
    /// # Safety
    ///
    /// The caller dropped the last strong handle, whose decrement returned
    /// `last`, the contents are dropped, and it does not use the block
    /// afterwards.
    pub(super) unsafe fn release_last_strong(self, last: LastStrong) {
        if last.weak_handles_left {
            // SAFETY: the strong handles' weak count, now the caller's,
            // keeps the block allocated until this releases it.
            unsafe { self.release_weak() }
        } else {
            // SAFETY: no weak handle existed at the last strong decrement
            // and none can appear (strong count 0): the caller holds the
            // last count of any kind.
            unsafe { self.free() }
        }
    }

    /// Frees the block (its contents are already dropped or moved out).
    ///
    /// # Safety
    ///
    /// The caller holds the last count of any kind and does not use the
    /// block afterwards.
    pub(super) unsafe fn free(self) {
        // SAFETY: the caller holds the last count of any kind; a shared
        // block was allocated for its length.
        unsafe { ArcHeader::free_block(self, self.len()) }
    }

    /// Makes the caller, holding the claimed strong count (now 0, see
    /// `Counts::claim_unique`), the unique owner of the contents: in place
    /// if no weak handle is left, otherwise by moving the label and the
    /// elements to a new block, from a clone of the allocator (the weak
    /// handles keep the old block, and free it with the allocator in it),
    /// and leaving the weak handles dead.
    ///
    /// Returns the unique block and, after a move, the old block, whose
    /// strong handles' weak count the caller must release (with
    /// [`Block::release_weak`]) once it holds the unique block as a handle:
    /// that release may free the old block, which runs the allocator's
    /// `deallocate` and drop, user code that may unwind, and an unwind then
    /// must find the caller's handle on the new block, not the freed one.
    ///
    /// # Safety
    ///
    /// The caller took the strong count to 0 (last `decrement_strong` or a
    /// successful `claim_unique`) and has not dropped the contents.
    pub(super) unsafe fn into_unique_block(self) -> (Self, Option<Self>)
    where
        A: Clone,
    {
        // SAFETY: the strong handles' weak count keeps the block alive.
        let counts = unsafe { self.counts() };
        if !counts.weak_handles_left() {
            counts.restore_unique();
            return (self, None);
        }
        // If the allocator's `clone` panics, or the move fails (the error
        // handler may unwind) or its allocator panics, nothing has been
        // copied: the claimed strong count is given back, so the caller's
        // handle counts again, over its untouched contents.
        let unclaim = Unclaim(counts);
        // SAFETY: the header is initialised and stays so while we hold the
        // strong handles' weak count.
        let alloc = unsafe { self.allocator() }.clone();
        // SAFETY: the block is allocated while we hold a count.
        let len = unsafe { self.len() };
        // SAFETY: the strong count is 0, so no one else reads the contents
        // and the caller owns them; a successful move leaves them to the
        // new block, whose header is written next.
        let moved = match unsafe { self.try_move_contents(len, &alloc) } {
            Ok(moved) => moved,
            Err(err) => allocation::fail(&err),
        };
        // SAFETY: the fresh block's header holds nothing yet.
        unsafe { moved.write_header(ArcHeader::<P, A>::new(len, alloc)) };
        mem::forget(unclaim);
        // The old block keeps the strong handles' weak count, for the
        // caller to release.
        (moved, Some(self))
    }
}

/// Gives a claimed strong count back if dropped: armed while
/// `into_unique_block` moves the contents, so that a move that unwinds
/// leaves the caller's handle counted.
struct Unclaim<'a>(&'a Counts);

impl Drop for Unclaim<'_> {
    fn drop(&mut self) {
        self.0.restore_unique();
    }
}
