//! The seed's trait vocabulary, so that generic code is written once for
//! every handle. Each handle implements the traits that are sound for it: a
//! shared `ArcArray` or `RcArray` has no `&mut` access to its elements, so
//! it has neither [`LabelledArrayMut`], [`SliceArrayMut`] nor [`CopyMap`].
//!
//! ```
//! use heaparray::*;
//!
//! fn total<A: LabelledArray<u32, u32> + SliceArray<u32>>(a: &A) -> u32 {
//!     *a.get_label() + a.as_slice().iter().sum::<u32>()
//! }
//! let h = HeapArray::with_label(100, 3, |_, i| i as u32);
//! let a = ArcArray::with_label(100, 3, |_, i| i as u32);
//! assert_eq!(total(&h), 103);
//! assert_eq!(total(&a), 103);
//! ```

/// Something with a length.
pub trait Container {
    /// The number of elements.
    fn len(&self) -> usize;
    /// Whether there are no elements.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A map from copyable keys (indices, for the arrays) to values.
///
/// For the arrays this shadows the slice methods `get` and `get_mut` while
/// the trait is in scope; they agree for `usize` keys. Ranges go through
/// indexing (`&a[1..3]`) or [`SliceArray::as_slice`].
pub trait CopyMap<K: Copy + Eq, V> {
    /// The value at `key`, if any.
    fn get(&self, key: K) -> Option<&V>;
    /// The value at `key` by mutable reference, if any.
    fn get_mut(&mut self, key: K) -> Option<&mut V>;
    /// Stores `value` at `key` and returns the value it replaces; `None`
    /// (and `value` is dropped) if `key` is out of range for an array.
    fn insert(&mut self, key: K, value: V) -> Option<V>;
}

/// An array built from a length and a function of the index.
pub trait MakeArray<E>: Sized {
    /// Builds an array of `len` elements, element `i` being `f(i)`.
    fn new<F: FnMut(usize) -> E>(len: usize, f: F) -> Self;
}

/// An array with a label: metadata stored in the same block.
pub trait LabelledArray<E, L>: Container + Sized {
    /// Builds an array of `len` elements, element `i` being
    /// `f(&mut label, i)`; the label can be updated as the elements are made.
    fn with_label<F: FnMut(&mut L, usize) -> E>(label: L, len: usize, f: F) -> Self;
    /// The label.
    fn get_label(&self) -> &L;
    /// The element at `idx` without a bounds check.
    ///
    /// # Safety
    ///
    /// `idx < self.len()`.
    unsafe fn get_unchecked(&self, idx: usize) -> &E;
}

/// A labelled array with mutable access to its label and elements.
pub trait LabelledArrayMut<E, L>: LabelledArray<E, L> {
    /// The label by mutable reference.
    fn get_label_mut(&mut self) -> &mut L;
    /// The element at `idx` by mutable reference, without a bounds check.
    ///
    /// # Safety
    ///
    /// `idx < self.len()`.
    unsafe fn get_mut_unchecked(&mut self, idx: usize) -> &mut E;
}

/// A labelled array whose elements can start as their default.
pub trait DefaultLabelledArray<E: Default, L>: LabelledArray<E, L> {
    /// Builds an array of `len` default elements with the given label.
    fn with_len(label: L, len: usize) -> Self;
}

/// An array readable as a slice.
pub trait SliceArray<E> {
    /// The elements as a slice.
    fn as_slice(&self) -> &[E];
}

/// An array writable as a slice.
pub trait SliceArrayMut<E>: SliceArray<E> {
    /// The elements as a mutable slice.
    fn as_slice_mut(&mut self) -> &mut [E];
}
