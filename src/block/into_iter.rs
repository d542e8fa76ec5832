//! [`IntoIter`]: the one owner of a block whose elements are being moved
//! out by value, behind every handle's `IntoIterator` (`HeapArray`,
//! `UniqueArcArray` in both layouts). The handles wrap it without any
//! unsafe code of their own beyond handing their block over.
//!
//! It owns the block as the last owner of any kind: the label, the
//! elements it has not yet yielded (the *alive* range `start..end`), the
//! header and the allocator in it. Each `next` moves the element at
//! `start` out and bumps `start`; each `next_back` lowers `end` and moves
//! that element out. Dropping it drops the alive elements, then the label,
//! then frees the block through [`Header::free_block`], even if a
//! destructor panics ([`Block::drop_range_then`]).

use core::fmt;
use core::iter::FusedIterator;
use core::marker::PhantomData;
use core::panic::{RefUnwindSafe, UnwindSafe};

use super::{Block, Header};

/// The elements of a block, by value, front to back or back to front.
///
/// Invariants (SAFETY.md, "Moving the elements out"):
/// - `start <= end <= cap`, and `cap` is the block's capacity: the number
///   of elements its layout was allocated for (a unique array's may
///   exceed its length);
/// - the header and the label are initialised, and so is every element of
///   `start..end`; the elements outside it have been moved out and are
///   never read or dropped again;
/// - nothing else owns or reaches the block: this is its last owner of any
///   kind, which frees it exactly once, in `Drop`.
pub(crate) struct IntoIter<H: Header, L, E> {
    block: Block<H, L, E>,
    cap: usize,
    start: usize,
    end: usize,
    /// Owns the label, the elements and the header with the allocator in
    /// it, for the drop check (as `vec::IntoIter` owns its `T` and `A`);
    /// covariant in all three, as the handles are.
    _owns: PhantomData<(L, E, H)>,
}

// SAFETY: the iterator owns the label, the elements and the allocator as a
// `vec::IntoIter<E, A>` (plus the label) does, and nothing else reaches
// the block (the last owner of any kind; its counts, if any, are no longer
// touched by any other thread): sending it sends them.
unsafe impl<H: Header, L: Send, E: Send> Send for IntoIter<H, L, E> where H::Alloc: Send {}
// SAFETY: `&IntoIter` gives out `&[E]` (`as_slice`) and nothing else:
// sharing it shares only them (and, as `vec::IntoIter`, requires the
// allocator and the label `Sync` too).
unsafe impl<H: Header, L: Sync, E: Sync> Sync for IntoIter<H, L, E> where H::Alloc: Sync {}
impl<H: Header, L: UnwindSafe, E: UnwindSafe> UnwindSafe for IntoIter<H, L, E> where
    H::Alloc: UnwindSafe
{
}
impl<H: Header, L: RefUnwindSafe, E: RefUnwindSafe> RefUnwindSafe for IntoIter<H, L, E> where
    H::Alloc: RefUnwindSafe
{
}

impl<H: Header, L, E> IntoIter<H, L, E> {
    /// Takes over `block`, with its first `len` elements alive.
    ///
    /// # Safety
    ///
    /// - the block is finished: its header, its label and `len` elements
    ///   are initialised, and it was allocated (or last resized) from the
    ///   allocator in its header for `cap >= len` elements;
    /// - the caller gives up the last owner's right to the block (the last
    ///   count of any kind, for a counted header): nothing else reads,
    ///   writes, drops or frees anything in it afterwards, and no reference
    ///   into it is live.
    #[inline]
    pub(crate) unsafe fn new(block: Block<H, L, E>, len: usize, cap: usize) -> Self {
        debug_assert!(len <= cap);
        IntoIter {
            block,
            cap,
            start: 0,
            end: len,
            _owns: PhantomData,
        }
    }

    /// The elements not yet yielded.
    #[inline]
    pub(crate) fn as_slice(&self) -> &[E] {
        // SAFETY: `start..end` is inside the block's `len` elements, all
        // initialised, and this owner alone reaches them; `&self` keeps
        // `next` (a write of the range, and a move out) away for the
        // borrow.
        unsafe {
            core::slice::from_raw_parts(self.block.elems().add(self.start), self.end - self.start)
        }
    }

    /// The elements not yet yielded, mutably.
    #[inline]
    pub(crate) fn as_mut_slice(&mut self) -> &mut [E] {
        // SAFETY: as `as_slice`, and `&mut self` makes the access
        // exclusive.
        unsafe {
            core::slice::from_raw_parts_mut(
                self.block.elems().add(self.start),
                self.end - self.start,
            )
        }
    }
}

impl<H: Header, L, E> Iterator for IntoIter<H, L, E> {
    type Item = E;

    #[inline]
    fn next(&mut self) -> Option<E> {
        if self.start == self.end {
            return None;
        }
        let i = self.start;
        self.start += 1;
        // SAFETY: `i` was in the alive range, so the element is initialised
        // and inside the block (`add` stays in bounds, or moves zero bytes
        // for zero-sized elements); it has just left the range, so it is
        // moved out exactly once and never dropped by `Drop`.
        Some(unsafe { self.block.elems().add(i).read() })
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.end - self.start;
        (n, Some(n))
    }

    #[inline]
    fn count(self) -> usize {
        self.end - self.start
    }
}

impl<H: Header, L, E> DoubleEndedIterator for IntoIter<H, L, E> {
    #[inline]
    fn next_back(&mut self) -> Option<E> {
        if self.start == self.end {
            return None;
        }
        self.end -= 1;
        // SAFETY: as `next`, for the element at the back of the range,
        // which has just left it.
        Some(unsafe { self.block.elems().add(self.end).read() })
    }
}

impl<H: Header, L, E> ExactSizeIterator for IntoIter<H, L, E> {}
impl<H: Header, L, E> FusedIterator for IntoIter<H, L, E> {}

impl<H: Header, L, E: fmt::Debug> fmt::Debug for IntoIter<H, L, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("IntoIter").field(&self.as_slice()).finish()
    }
}

impl<H: Header, L, E> Drop for IntoIter<H, L, E> {
    fn drop(&mut self) {
        let cap = self.cap;
        // SAFETY: the type's invariants: the label and the elements of
        // `start..end` are initialised and ours alone, and are never used
        // again (the iterator is going); then, with them dropped, the last
        // owner frees the block, once, even if a destructor panicked.
        unsafe {
            self.block
                .drop_range_then(self.start, self.end, |block| H::free_block(block, cap));
        }
    }
}
