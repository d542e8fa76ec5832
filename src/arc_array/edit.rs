//! `UniqueArcArray`'s `Vec`-like editing, on top of grow.rs's length,
//! capacity and growth: `pop`, `insert`, `remove`, `swap_remove`,
//! `truncate`, `clear`, `resize(_with)`, `retain(_mut)`,
//! `extend_from_slice` and `Extend`. Each keeps grow.rs's rule: while the
//! length is below the capacity, the strong word records the capacity
//! (`set_len_cap` writes both); a panicking destructor, clone, predicate
//! or iterator leaves every element counted once.

use core::ptr;

use super::{ArcLayout, UniqueArcArrayBase};

use crate::allocation::Allocator;

impl<E, L, P: ArcLayout, A: Allocator> UniqueArcArrayBase<E, L, P, A> {
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
        self.retain_after(|elem, _| keep(elem));
    }

    /// Removes each element that `same_bucket(element, previous kept)`
    /// says belongs with the one kept before it: consecutive runs collapse
    /// to their first element (as `Vec::dedup_by`).
    ///
    /// If `same_bucket` or a destructor panics, the elements not yet
    /// visited are kept, and each element is dropped at most once.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let mut u = UniqueArcArray::from(["a", "A", "b", "B", "a"]);
    /// u.dedup_by(|x, y| x.eq_ignore_ascii_case(y));
    /// assert_eq!(*u, ["a", "b", "a"]);
    /// ```
    pub fn dedup_by(&mut self, mut same_bucket: impl FnMut(&mut E, &mut E) -> bool) {
        self.retain_after(|elem, kept| kept.is_none_or(|kept| !same_bucket(elem, kept)));
    }

    /// Removes consecutive elements with the same key (as
    /// `Vec::dedup_by_key`).
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let mut u = UniqueArcArray::from([10, 11, 20, 21, 10]);
    /// u.dedup_by_key(|x| *x / 10);
    /// assert_eq!(*u, [10, 20, 10]);
    /// ```
    pub fn dedup_by_key<K: PartialEq>(&mut self, mut key: impl FnMut(&mut E) -> K) {
        self.dedup_by(|a, b| key(a) == key(b));
    }

    /// Removes consecutive equal elements (as `Vec::dedup`).
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let mut u = UniqueArcArray::from([1, 1, 2, 2, 2, 1]);
    /// u.dedup();
    /// assert_eq!(*u, [1, 2, 1]);
    /// ```
    pub fn dedup(&mut self)
    where
        E: PartialEq,
    {
        self.dedup_by(|a, b| a == b);
    }

    /// The one loop behind `retain` and `dedup`: keeps each element for
    /// which `keep(element, last kept element)` is true, in order, moving
    /// it down over the gap the removed ones leave.
    fn retain_after(&mut self, mut keep: impl FnMut(&mut E, Option<&mut E>) -> bool) {
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
            let last_kept = gap.kept.checked_sub(1).map(|k| {
                // SAFETY: `k = kept - 1 < read`: the last element kept,
                // initialised, in another slot than `elem`, and referenced
                // by nothing else.
                unsafe { &mut *elems.add(k) }
            });
            if keep(elem, last_kept) {
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
