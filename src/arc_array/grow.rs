//! `UniqueArcArray` grows like a `Vec`: `with_capacity`, `capacity`,
//! `reserve`, `shrink_to` and `push` here, the editing operations in
//! edit.rs, on the block it will share. While the array is unique its
//! header holds the length and, while it has room past the length, its
//! strong word the capacity (`Counts::unique_capacity`), so that a push
//! writes the length alone; growth resizes the block through the
//! allocator in its header (`Block::try_resize_owned`), and
//! [`shareable`](UniqueArcArrayBase::shareable) trims it at most once.
//! SAFETY.md, "Growing a unique array", gives the invariants.

use core::mem;

use super::{ArcBlock, ArcHeader, ArcLayout, UniqueArcArrayBase};

use crate::allocation::{self, capacity_overflow, Allocator, Global, TryReserveError};
use crate::block::Builder;

/// Unlabelled arrays with room reserved, from the global allocator.
impl<E, P: ArcLayout> UniqueArcArrayBase<E, (), P, Global> {
    /// An empty array with room for at least `capacity` elements, as
    /// `Vec::with_capacity`: pushing up to `capacity` elements, then
    /// [`shareable`](Self::shareable), allocates once and copies nothing.
    ///
    /// # Panics
    ///
    /// If the block's size would exceed `isize::MAX` ("capacity
    /// overflow"); the global allocation error handler runs if the
    /// allocation fails.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let mut u = UniqueArcArray::<u64>::with_capacity(4);
    /// assert_eq!((u.len(), u.capacity()), (0, 4));
    /// u.extend([1, 2, 3, 4]);
    /// let shared: ArcArray<u64> = u.shareable(); // the same block
    /// assert_eq!(*shared, [1, 2, 3, 4]);
    /// ```
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        Self::with_label_and_capacity_in((), capacity, Global)
    }
}

/// Unlabelled arrays with room reserved, from any allocator.
impl<E, P: ArcLayout, A: Allocator> UniqueArcArrayBase<E, (), P, A> {
    /// [`with_capacity`](Self::with_capacity) in `alloc`.
    ///
    /// # Panics
    ///
    /// As [`with_capacity`](Self::with_capacity).
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let mut u = CompactUniqueArcArray::<u8>::with_capacity_in(2, Global);
    /// u.push(7);
    /// assert_eq!(*u, [7]);
    /// ```
    #[must_use]
    pub fn with_capacity_in(capacity: usize, alloc: A) -> Self {
        Self::with_label_and_capacity_in((), capacity, alloc)
    }
}

/// Labelled arrays with room reserved, from the global allocator.
impl<E, L, P: ArcLayout> UniqueArcArrayBase<E, L, P, Global> {
    /// An empty array labelled `label`, with room for at least `capacity`
    /// elements.
    ///
    /// # Panics
    ///
    /// As [`with_capacity`](UniqueArcArrayBase::with_capacity).
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let mut u = UniqueArcArray::with_label_and_capacity("primes", 3);
    /// u.extend([2, 3, 5]);
    /// let a: ArcArray<i32, &str> = u.shareable();
    /// assert_eq!((*a.get_label(), &*a), ("primes", &[2, 3, 5][..]));
    /// ```
    #[must_use]
    pub fn with_label_and_capacity(label: L, capacity: usize) -> Self {
        Self::with_label_and_capacity_in(label, capacity, Global)
    }
}

impl<E, L, P: ArcLayout, A: Allocator> UniqueArcArrayBase<E, L, P, A> {
    /// [`with_label_and_capacity`](UniqueArcArrayBase::with_label_and_capacity)
    /// in `alloc`.
    ///
    /// # Panics
    ///
    /// As [`with_capacity`](UniqueArcArrayBase::with_capacity).
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let u = UniqueArcArray::<u8, char>::with_label_and_capacity_in('x', 8, Global);
    /// assert!(u.is_empty() && u.capacity() >= 8);
    /// ```
    #[must_use]
    pub fn with_label_and_capacity_in(label: L, capacity: usize, alloc: A) -> Self {
        let builder: Builder<ArcHeader<P, A>, L, E> =
            allocation::infallible(Builder::try_new(label, capacity, alloc, false));
        let (block, len, cap) = builder.finish_with_capacity(ArcHeader::<P, A>::new);
        // SAFETY: a fresh block, ours alone, allocated for `cap` elements
        // with `len` (0) written.
        unsafe { block.set_unique_len_and_capacity(len, cap) };
        Self::from_block(block.as_non_null())
    }

    /// The number of elements the array can hold without reallocating:
    /// `usize::MAX` for zero-sized elements, as `Vec`'s.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let mut u = UniqueArcArray::<u32>::with_capacity(10);
    /// u.push(1);
    /// assert!(u.capacity() >= 10);
    /// ```
    #[must_use]
    #[inline]
    pub fn capacity(&self) -> usize {
        // SAFETY: the one handle reads its block.
        unsafe { self.raw().unique_capacity() }
    }

    /// The length and the capacity.
    #[inline]
    pub(super) fn len_cap(&self) -> (usize, usize) {
        let block = self.raw();
        // SAFETY: the one handle reads its block.
        unsafe { (block.len(), block.unique_capacity()) }
    }

    /// Records the length and capacity.
    ///
    /// # Safety
    ///
    /// As `Block::set_unique_len_and_capacity`: `len <= cap`, the first
    /// `len` elements are initialised and the block has room for `cap`.
    #[inline]
    pub(super) unsafe fn set_len_cap(&mut self, len: usize, cap: usize) {
        // SAFETY: the one handle, borrowed exclusively (caller's promises).
        unsafe { self.raw().set_unique_len_and_capacity(len, cap) }
    }

    /// Moves the contents to room for exactly `new_cap` elements (at least
    /// the length).
    fn try_resize(&mut self, new_cap: usize) -> Result<(), TryReserveError> {
        let (len, cap) = self.len_cap();
        debug_assert!(len <= new_cap && mem::size_of::<E>() != 0);
        if new_cap == cap {
            return Ok(());
        }
        // SAFETY: the one handle, borrowed exclusively, owns the block
        // outright; it was allocated for `cap` and `new_cap` holds the
        // `len` elements. The handle still points at the block during the
        // call, so an unwinding allocator aborts.
        let resized = unsafe { self.raw().try_resize_owned(cap, new_cap, true) }?;
        self.block = resized.as_non_null();
        // SAFETY: the block now has room for `new_cap`, with `len` written.
        unsafe { self.set_len_cap(len, new_cap) };
        Ok(())
    }

    /// Makes room for `additional` more elements: exactly, or amortised
    /// (doubling, as `Vec`).
    fn try_grow(&mut self, additional: usize, exact: bool) -> Result<(), TryReserveError> {
        let (len, cap) = self.len_cap();
        let Some(needed) = len.checked_add(additional) else {
            return Err(TryReserveError::CapacityOverflow);
        };
        if needed <= cap {
            return Ok(());
        }
        let new_cap = if exact {
            needed
        } else {
            ArcBlock::<E, L, P, A>::amortized_capacity(cap, needed)
        };
        self.try_resize(new_cap)
    }

    /// Reserves room for at least `additional` more elements (more, to
    /// amortise growth, as `Vec::reserve`): the block is reallocated
    /// through its allocator's `grow`, the label and elements moving with
    /// it.
    ///
    /// # Panics
    ///
    /// "capacity overflow" if the block's size would exceed `isize::MAX`;
    /// the global allocation error handler runs if the allocator fails.
    /// If the allocator itself panics inside `grow`, the process aborts:
    /// the allocator may have freed the block before it panicked, and the
    /// array, still borrowed, would point at it.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let mut u = UniqueArcArray::from([1]);
    /// u.reserve(10);
    /// assert!(u.capacity() >= 11);
    /// ```
    pub fn reserve(&mut self, additional: usize) {
        allocation::infallible(self.try_grow(additional, false));
    }

    /// Reserves room for exactly `additional` more elements (as
    /// `Vec::reserve_exact`, the allocator may give more).
    ///
    /// # Panics
    ///
    /// As [`reserve`](Self::reserve).
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let mut u = UniqueArcArray::<u8>::with_capacity(0);
    /// u.reserve_exact(3);
    /// assert_eq!(u.capacity(), 3);
    /// ```
    pub fn reserve_exact(&mut self, additional: usize) {
        allocation::infallible(self.try_grow(additional, true));
    }

    /// [`reserve`](Self::reserve), returning an error instead of panicking
    /// or calling the allocation error handler.
    ///
    /// # Errors
    ///
    /// [`TryReserveError::CapacityOverflow`] if the size would exceed
    /// `isize::MAX`, [`TryReserveError::AllocError`] if the allocator
    /// fails; the array is unchanged then.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let mut u = UniqueArcArray::<u64>::with_capacity(0);
    /// assert!(u.try_reserve(usize::MAX).is_err());
    /// assert!(u.try_reserve(100).is_ok());
    /// ```
    pub fn try_reserve(&mut self, additional: usize) -> Result<(), TryReserveError> {
        self.try_grow(additional, false)
    }

    /// [`reserve_exact`](Self::reserve_exact), returning an error instead.
    ///
    /// # Errors
    ///
    /// As [`try_reserve`](Self::try_reserve).
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let mut u = UniqueArcArray::<u64>::with_capacity(0);
    /// u.try_reserve_exact(5).unwrap();
    /// assert_eq!(u.capacity(), 5);
    /// ```
    pub fn try_reserve_exact(&mut self, additional: usize) -> Result<(), TryReserveError> {
        self.try_grow(additional, true)
    }

    /// Shrinks the capacity to the length, through the allocator's
    /// `shrink`. ([`shareable`](Self::shareable) does this itself.)
    ///
    /// # Panics
    ///
    /// The global allocation error handler runs if the allocator fails; the
    /// process aborts if it panics (as [`reserve`](Self::reserve)).
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let mut u = UniqueArcArray::<u8>::with_capacity(10);
    /// u.push(1);
    /// u.shrink_to_fit();
    /// assert_eq!(u.capacity(), 1);
    /// ```
    pub fn shrink_to_fit(&mut self) {
        self.shrink_to(0);
    }

    /// Shrinks the capacity to `min_capacity`, or to the length if that is
    /// more; does nothing if the capacity is already below it.
    ///
    /// # Panics
    ///
    /// As [`shrink_to_fit`](Self::shrink_to_fit).
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let mut u = UniqueArcArray::<u8>::with_capacity(10);
    /// u.shrink_to(4);
    /// assert_eq!(u.capacity(), 4);
    /// ```
    pub fn shrink_to(&mut self, min_capacity: usize) {
        let (len, cap) = self.len_cap();
        let target = min_capacity.max(len);
        if target < cap && mem::size_of::<E>() != 0 {
            allocation::infallible(self.try_resize(target));
        }
    }

    /// Appends `value`, growing the block (doubling) if it is full.
    ///
    /// # Panics
    ///
    /// As [`reserve`](Self::reserve).
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let mut u = UniqueArcArray::<String>::with_capacity(0);
    /// u.push("a".to_string());
    /// u.push("b".to_string());
    /// let a: ArcArray<String> = u.shareable();
    /// assert_eq!(*a, ["a", "b"]);
    /// ```
    #[inline]
    pub fn push(&mut self, value: E) {
        let (len, cap) = self.len_cap();
        if len == cap {
            self.grow_for_push();
        }
        // SAFETY: `len < capacity` now (a zero-sized element needs no
        // room, and `len` below `usize::MAX` as `grow_for_push` checked),
        // and a block with room past its length records its capacity:
        // slot `len` is inside the block and uninitialised; the handle
        // then counts it, the capacity unchanged.
        unsafe { self.push_unchecked(len, value) };
    }

    /// Writes `value` to slot `len` and counts it: the capacity the strong
    /// word records stays, so only the length is written (`Vec` writes
    /// its length alone too; writing the strong word as well at every
    /// push made a loop of pushes 2.5x as slow as `Vec`'s).
    ///
    /// # Safety
    ///
    /// `len` is the length and `len < capacity`.
    #[inline]
    pub(super) unsafe fn push_unchecked(&mut self, len: usize, value: E) {
        let block = self.raw();
        // SAFETY: `len < capacity` (caller): the slot is in the block and
        // uninitialised, and the block has room past its length, so its
        // strong word records the capacity, which `len + 1` is within.
        unsafe {
            block.elems().add(len).write(value);
            block.set_unique_len(len + 1);
        }
    }

    #[cold]
    #[inline(never)]
    fn grow_for_push(&mut self) {
        if mem::size_of::<E>() == 0 {
            capacity_overflow();
        }
        allocation::infallible(self.try_grow(1, false));
    }
}
