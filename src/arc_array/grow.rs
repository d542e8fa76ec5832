//! `UniqueArcArray` grows like a `Vec`: `push`, `extend`, `reserve` and
//! the rest, on the block it will share. While the array is unique its
//! header holds the length and, while it has room past the length, its
//! strong word the capacity (`Counts::unique_capacity`), so that a push
//! writes the length alone; growth resizes the block through the
//! allocator in its header (`Block::try_resize_owned`), and
//! [`shareable`](UniqueArcArrayBase::shareable) trims it at most once.
//! SAFETY.md, "Growing a unique array", gives the invariants.

use core::mem;
use core::ptr;

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
    fn len_cap(&self) -> (usize, usize) {
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
    unsafe fn set_len_cap(&mut self, len: usize, cap: usize) {
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
        let doubled = needed.max(cap.saturating_mul(2)).max(4);
        let new_cap = if !exact && ArcBlock::<E, L, P, A>::fits(doubled) {
            doubled
        } else {
            needed
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
    unsafe fn push_unchecked(&mut self, len: usize, value: E) {
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

    /// Removes the last element and returns it, or `None` if the array is
    /// empty. The capacity stays.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let mut u = UniqueArcArray::from([1, 2]);
    /// assert_eq!(u.pop(), Some(2));
    /// assert_eq!(*u, [1]);
    /// ```
    pub fn pop(&mut self) -> Option<E> {
        let (len, cap) = self.len_cap();
        let last = len.checked_sub(1)?;
        // SAFETY: the handle stops counting the last element first, then
        // moves it out: it is read exactly once.
        unsafe {
            self.set_len_cap(last, cap);
            Some(self.raw().elems().add(last).read())
        }
    }

    /// Inserts `value` at `index`, shifting the elements after it right.
    ///
    /// # Panics
    ///
    /// If `index > len`; as [`reserve`](Self::reserve) when growing.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let mut u = UniqueArcArray::from([1, 3]);
    /// u.insert(1, 2);
    /// assert_eq!(*u, [1, 2, 3]);
    /// ```
    pub fn insert(&mut self, index: usize, value: E) {
        let len = self.len();
        assert!(
            index <= len,
            "insertion index (is {index}) should be <= len (is {len})"
        );
        self.reserve(1);
        let cap = self.capacity();
        // SAFETY: room for `len + 1` elements; the tail `index..len` moves
        // up by one (overlapping copy), then the gap is written and
        // counted. Nothing between can unwind.
        unsafe {
            let at = self.raw().elems().add(index);
            ptr::copy(at, at.add(1), len - index);
            at.write(value);
            self.set_len_cap(len + 1, cap);
        }
    }

    /// Removes and returns the element at `index`, shifting the elements
    /// after it left.
    ///
    /// # Panics
    ///
    /// If `index >= len`.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let mut u = UniqueArcArray::from(['a', 'b', 'c']);
    /// assert_eq!(u.remove(0), 'a');
    /// assert_eq!(*u, ['b', 'c']);
    /// ```
    #[track_caller]
    pub fn remove(&mut self, index: usize) -> E {
        let (len, cap) = self.len_cap();
        assert!(
            index < len,
            "removal index (is {index}) should be < len (is {len})"
        );
        // SAFETY: `index < len`: the element is read once, the tail moves
        // down over it, and the handle counts one fewer. Nothing between
        // can unwind.
        unsafe {
            let at = self.raw().elems().add(index);
            let value = at.read();
            ptr::copy(at.add(1), at, len - index - 1);
            self.set_len_cap(len - 1, cap);
            value
        }
    }

    /// Removes and returns the element at `index`, moving the last element
    /// into its place: O(1), but the order changes.
    ///
    /// # Panics
    ///
    /// If `index >= len`.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let mut u = UniqueArcArray::from([1, 2, 3]);
    /// assert_eq!(u.swap_remove(0), 1);
    /// assert_eq!(*u, [3, 2]);
    /// ```
    #[track_caller]
    pub fn swap_remove(&mut self, index: usize) -> E {
        let len = self.len();
        assert!(
            index < len,
            "swap_remove index (is {index}) should be < len (is {len})"
        );
        self.swap(index, len - 1);
        // `len >= 1`: there is a last element.
        self.pop().unwrap_or_else(|| unreachable!())
    }

    /// Keeps the first `len` elements and drops the rest (nothing if `len`
    /// is not less than the length). The capacity stays.
    ///
    /// If an element's `Drop` panics, the elements after it are still
    /// dropped, and the array keeps the first `len`.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let mut u = UniqueArcArray::from([1, 2, 3]);
    /// u.truncate(1);
    /// assert_eq!(*u, [1]);
    /// ```
    pub fn truncate(&mut self, len: usize) {
        let (old, cap) = self.len_cap();
        if len >= old {
            return;
        }
        // SAFETY: the handle stops counting the tail first, so a panicking
        // destructor cannot get it dropped twice; `drop_in_place` on the
        // slice drops every element of it, even past a panic.
        unsafe {
            self.set_len_cap(len, cap);
            let tail = ptr::slice_from_raw_parts_mut(self.raw().elems().add(len), old - len);
            ptr::drop_in_place(tail);
        }
    }

    /// Resizes the array to `new_len`: truncates, or appends clones of
    /// `value` (as `Vec::resize`).
    ///
    /// # Panics
    ///
    /// As [`reserve`](Self::reserve) when growing. If a `clone` panics, the
    /// clones made so far stay.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let mut u = UniqueArcArray::from(["a".to_string()]);
    /// u.resize(3, "z".to_string());
    /// assert_eq!(*u, ["a", "z", "z"]);
    /// u.resize(1, String::new());
    /// assert_eq!(*u, ["a"]);
    /// ```
    pub fn resize(&mut self, new_len: usize, value: E)
    where
        E: Clone,
    {
        let len = self.len();
        if new_len <= len {
            self.truncate(new_len);
            return;
        }
        self.reserve(new_len - len);
        for _ in len + 1..new_len {
            self.push(value.clone());
        }
        self.push(value);
    }

    /// Resizes the array to `new_len`: truncates, or appends values made
    /// by `f` (as `Vec::resize_with`).
    ///
    /// # Panics
    ///
    /// As [`reserve`](Self::reserve) when growing. If `f` panics, the
    /// values made so far stay.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let mut u = UniqueArcArray::<u32>::with_capacity(0);
    /// let mut next = 0;
    /// u.resize_with(3, || { next += 2; next });
    /// assert_eq!(*u, [2, 4, 6]);
    /// ```
    pub fn resize_with(&mut self, new_len: usize, mut f: impl FnMut() -> E) {
        let len = self.len();
        if new_len <= len {
            self.truncate(new_len);
            return;
        }
        self.reserve(new_len - len);
        for _ in len..new_len {
            self.push(f());
        }
    }

    /// Drops every element; the label and the capacity stay.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let mut u = UniqueArcArray::with_label_and_capacity(1u8, 2);
    /// u.push("x");
    /// u.clear();
    /// assert!(u.is_empty() && *u.get_label() == 1);
    /// ```
    pub fn clear(&mut self) {
        self.truncate(0);
    }

    /// Keeps only the elements for which `keep` returns `true`, in order.
    ///
    /// If `keep` or an element's `Drop` panics, the elements not yet
    /// visited are kept (moved down over the gap), those removed are
    /// dropped once, and the array stays valid, as `Vec::retain`.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let mut u = UniqueArcArray::from([1, 2, 3, 4]);
    /// u.retain(|x| x % 2 == 0);
    /// assert_eq!(*u, [2, 4]);
    /// ```
    pub fn retain(&mut self, mut keep: impl FnMut(&E) -> bool) {
        self.retain_mut(|e| keep(e));
    }

    /// [`retain`](Self::retain) with `&mut` access to each element.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let mut u = UniqueArcArray::from([1, 2, 3]);
    /// u.retain_mut(|x| {
    ///     *x *= 10;
    ///     *x > 10
    /// });
    /// assert_eq!(*u, [20, 30]);
    /// ```
    pub fn retain_mut(&mut self, mut keep: impl FnMut(&mut E) -> bool) {
        /// The array while `retain` runs: it counts no element (so a panic
        /// cannot drop one twice) until this guard's drop moves the
        /// unvisited tail down over the gap and counts what is kept.
        struct Gap<'a, E, L, P: ArcLayout, A: Allocator> {
            array: &'a mut UniqueArcArrayBase<E, L, P, A>,
            /// Elements visited.
            read: usize,
            /// Elements kept, at `0..kept`.
            kept: usize,
            len: usize,
            cap: usize,
        }
        impl<E, L, P: ArcLayout, A: Allocator> Drop for Gap<'_, E, L, P, A> {
            fn drop(&mut self) {
                let elems = self.array.raw().elems();
                // SAFETY: `read..len` are unvisited and initialised, and
                // `kept <= read`: the tail moves down to follow the kept
                // ones (overlapping copy); the handle then counts them all.
                unsafe {
                    ptr::copy(
                        elems.add(self.read),
                        elems.add(self.kept),
                        self.len - self.read,
                    );
                    let len = self.kept + self.len - self.read;
                    self.array.set_len_cap(len, self.cap);
                }
            }
        }
        let (len, cap) = self.len_cap();
        // SAFETY: the handle counts no element while the guard runs; `0`
        // is at most any capacity.
        unsafe { self.set_len_cap(0, cap) };
        let mut gap = Gap {
            array: self,
            read: 0,
            kept: 0,
            len,
            cap,
        };
        while gap.read < gap.len {
            let elems = gap.array.raw().elems();
            // SAFETY: `read < len`: an initialised, unvisited element that
            // nothing else references.
            let elem = unsafe { &mut *elems.add(gap.read) };
            if keep(elem) {
                if gap.read != gap.kept {
                    // SAFETY: `kept < read`: the slot at `kept` was moved
                    // out or dropped; the element moves down into it.
                    unsafe { ptr::copy_nonoverlapping(elem, elems.add(gap.kept), 1) };
                }
                gap.kept += 1;
                gap.read += 1;
            } else {
                // Counted as visited first: if its drop panics, the guard
                // does not see it again.
                gap.read += 1;
                // SAFETY: the element is initialised and removed: dropped
                // exactly once, here.
                unsafe { ptr::drop_in_place(elem) };
            }
        }
    }

    /// Appends a clone of every element of `other` (as
    /// `Vec::extend_from_slice`).
    ///
    /// If a `clone` panics, the clones made so far stay in the array.
    ///
    /// # Panics
    ///
    /// As [`reserve`](Self::reserve).
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let mut u = UniqueArcArray::from(["a".to_string()]);
    /// u.extend_from_slice(&["b".to_string(), "c".to_string()]);
    /// assert_eq!(*u, ["a", "b", "c"]);
    /// ```
    pub fn extend_from_slice(&mut self, other: &[E])
    where
        E: Clone,
    {
        self.reserve(other.len());
        for elem in other {
            // SAFETY: room for `other.len()` was reserved above, and each
            // step pushes one of them.
            unsafe { self.push_within_capacity(elem.clone()) };
        }
    }

    /// Appends `value` into room already reserved.
    ///
    /// # Safety
    ///
    /// `len < capacity`.
    #[inline]
    unsafe fn push_within_capacity(&mut self, value: E) {
        let (len, cap) = self.len_cap();
        debug_assert!(len < cap);
        // SAFETY: `len < cap` (caller).
        unsafe { self.push_unchecked(len, value) };
    }

    /// The body of both `Extend` impls: reserves the iterator's lower
    /// bound, then pushes (growing as needed).
    fn extend_iter<I: Iterator<Item = E>>(&mut self, iter: I) {
        let (lower, _) = iter.size_hint();
        // A lower bound that cannot be allocated is a lie (or a real
        // overflow, which the pushes then meet): then nothing is reserved
        // up front, and each push grows the block as it needs.
        let _ = self.try_reserve(lower);
        for value in iter {
            self.push(value);
        }
    }
}

impl<E, L, P: ArcLayout, A: Allocator> Extend<E> for UniqueArcArrayBase<E, L, P, A> {
    /// Pushes every item, reserving the iterator's lower bound first. If
    /// the iterator panics, the items pushed so far stay.
    fn extend<I: IntoIterator<Item = E>>(&mut self, iter: I) {
        self.extend_iter(iter.into_iter());
    }
}

impl<'a, E: Copy + 'a, L, P: ArcLayout, A: Allocator> Extend<&'a E>
    for UniqueArcArrayBase<E, L, P, A>
{
    /// Pushes a copy of every item, as `Vec`'s `Extend<&T>`.
    fn extend<I: IntoIterator<Item = &'a E>>(&mut self, iter: I) {
        self.extend_iter(iter.into_iter().copied());
    }
}
