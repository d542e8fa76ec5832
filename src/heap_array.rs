//! `HeapArray`: an owned label and array in one block, reached through a
//! pointer and a length (like `Box<[E]>` with a label).

use core::marker::PhantomData;
use core::mem::ManuallyDrop;
use core::ops::{Deref, DerefMut};
use core::ptr::NonNull;

use alloc::vec::Vec;

use crate::block::{Block, Builder, FromBuilder};
use crate::traits::LabelledArrayMut;

/// The block of a `HeapArray`: no header, the length lives in the handle.
type HeapBlock<E, L> = Block<(), L, E>;

/// An owned array of `E` with a label `L`, in one heap allocation.
///
/// It behaves like `Box<[E]>`: it derefs (mutably) to `[E]`, drops its
/// elements and label when dropped, and can be converted into an
/// [`ArcArray`](crate::ArcArray) to share.
///
/// # Size and alignment
///
/// Two words (a pointer to the block and the length); `Option<HeapArray>`
/// is two words too. The block holds the label, then the elements at their
/// alignment; nothing else.
///
/// # Examples
///
/// ```
/// use heaparray::*;
///
/// let mut a = HeapArray::new(4, |i| i * 10);
/// a[1] += 1;
/// assert_eq!(&a[..], &[0, 11, 20, 30]);
///
/// let mut b = HeapArray::with_label("name", 2, |_, i| i);
/// *b.get_label_mut() = "other";
/// assert_eq!(*b.get_label(), "other");
/// ```
pub struct HeapArray<E, L = ()> {
    block: NonNull<u8>,
    len: usize,
    _owns: PhantomData<(L, E)>,
}

// SAFETY: a HeapArray owns its label and elements exactly as a
// `Box<(L, [E])>` would, with no shared state: sending it sends them, and
// sharing `&HeapArray` shares only `&L` and `&[E]`.
unsafe impl<E: Send, L: Send> Send for HeapArray<E, L> {}
// SAFETY: as above: `&HeapArray` gives out `&L` and `&[E]` only.
unsafe impl<E: Sync, L: Sync> Sync for HeapArray<E, L> {}

impl<E, L> HeapArray<E, L> {
    /// The label.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = HeapArray::with_label(7u32, 0, |_, _| 0u8);
    /// assert_eq!(*a.get_label(), 7);
    /// ```
    #[must_use]
    #[inline]
    pub fn get_label(&self) -> &L {
        // SAFETY: the label is initialised for the handle's life and `&self`
        // excludes writers.
        unsafe { self.raw().label_ref() }
    }

    /// The label by mutable reference.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let mut a = HeapArray::with_label(7u32, 0, |_, _| 0u8);
    /// *a.get_label_mut() += 1;
    /// assert_eq!(*a.get_label(), 8);
    /// ```
    #[inline]
    pub fn get_label_mut(&mut self) -> &mut L {
        // SAFETY: initialised, and `&mut self` makes the access exclusive.
        unsafe { self.raw().label_mut() }
    }

    /// Splits the array into its label and a `Vec` of its elements (one
    /// copy of the elements; the block is freed).
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = HeapArray::with_label('x', 3, |_, i| i);
    /// assert_eq!(a.into_parts(), ('x', vec![0, 1, 2]));
    /// ```
    #[must_use]
    pub fn into_parts(self) -> (L, Vec<E>) {
        let this = ManuallyDrop::new(self);
        let block = this.raw();
        let mut elems = Vec::with_capacity(this.len);
        // SAFETY:
        // - the label and `len` elements are initialised and owned by this
        //   handle, which is forgotten: they are moved out exactly once;
        // - `elems` has room for `len` elements and does not overlap;
        // - the block was allocated for `len` and is not used after.
        unsafe {
            let label = block.label().read();
            core::ptr::copy_nonoverlapping(block.elems(), elems.as_mut_ptr(), this.len);
            elems.set_len(this.len);
            block.deallocate(this.len);
            (label, elems)
        }
    }

    /// The block behind this handle.
    #[inline]
    fn raw(&self) -> HeapBlock<E, L> {
        // SAFETY: `self.block` came from `as_non_null` of a HeapBlock<E, L>.
        unsafe { Block::from_non_null(self.block) }
    }

    /// Hands the block and the length to the caller, who now owns the
    /// label, the elements and the allocation (made for `len` elements).
    pub(crate) fn into_raw_block(self) -> (Block<(), L, E>, usize) {
        let this = ManuallyDrop::new(self);
        (this.raw(), this.len)
    }
}

impl<E, L> FromBuilder<E, L> for HeapArray<E, L> {
    type Header = ();
    fn from_builder(builder: Builder<(), L, E>) -> Self {
        let (block, len) = builder.finish(|_| ());
        HeapArray {
            block: block.as_non_null(),
            len,
            _owns: PhantomData,
        }
    }
}

impl<E, L> Drop for HeapArray<E, L> {
    fn drop(&mut self) {
        let block = self.raw();
        // SAFETY: the handle owns an initialised label and `len` elements in
        // a block allocated for `len`; it is never used again.
        unsafe {
            block.destroy(self.len);
        }
    }
}

impl<E, L> Deref for HeapArray<E, L> {
    type Target = [E];
    #[inline]
    fn deref(&self) -> &[E] {
        // SAFETY: `len` initialised elements live as long as the handle;
        // `&self` excludes writers.
        unsafe { self.raw().elements(self.len) }
    }
}

impl<E, L> DerefMut for HeapArray<E, L> {
    #[inline]
    fn deref_mut(&mut self) -> &mut [E] {
        // SAFETY: as `deref`, and `&mut self` makes the access exclusive.
        unsafe { self.raw().elements_mut(self.len) }
    }
}

impl_slice_traits!(HeapArray);
impl_constructors!(HeapArray);
impl_slice_mut_traits!(HeapArray);

impl<E: Clone, L: Clone> Clone for HeapArray<E, L> {
    /// Clones the label and every element into a new block. A panicking
    /// `Clone` drops what was cloned so far and frees the new block.
    fn clone(&self) -> Self {
        Self::with_label(self.get_label().clone(), self.len, |_, i| self[i].clone())
    }
}

impl<E, L> IntoIterator for HeapArray<E, L> {
    type Item = E;
    type IntoIter = alloc::vec::IntoIter<E>;
    /// Moves the elements out (through a `Vec`; the label is dropped).
    fn into_iter(self) -> Self::IntoIter {
        self.into_parts().1.into_iter()
    }
}

impl<E, L> LabelledArrayMut<E, L> for HeapArray<E, L> {
    fn get_label_mut(&mut self) -> &mut L {
        HeapArray::get_label_mut(self)
    }
    // SAFETY: the trait's contract: the caller promises `idx < len`.
    unsafe fn get_mut_unchecked(&mut self, idx: usize) -> &mut E {
        // SAFETY: `idx < len` is the caller's promise.
        unsafe { <[E]>::get_unchecked_mut(self, idx) }
    }
}
