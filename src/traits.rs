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

use crate::allocation::{Allocator, TryReserveError};

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

/// [`MakeArray`] with a chosen allocator, and with allocation failure
/// reported as an error: the `_in` and `try_` constructors of unlabelled
/// arrays, for every handle and layout.
///
/// The default layout's handles have the same constructors as inherent
/// functions; this trait is how the [`Compact`](crate::Compact) layout, or
/// generic code, reaches them:
///
/// ```
/// use heaparray::*;
///
/// let arena = bumpalo::Bump::new();
/// let a = CompactArcArray::try_new_in(4, |i| i as u64, &arena)?; // MakeArrayIn
/// let b = CompactArcArray::new_in(2, |i| i, Global);
/// let c = CompactUniqueArcArray::from_iter_in(0..3u8, &arena);
/// assert_eq!((&*a, &*b, &*c), (&[0, 1, 2, 3][..], &[0, 1][..], &[0, 1, 2][..]));
/// # Ok::<(), TryReserveError>(())
/// ```
pub trait MakeArrayIn<E, A: Allocator>: Sized {
    /// Builds an array of `len` elements, element `i` being `f(i)`, in a
    /// block from `alloc`.
    ///
    /// # Panics
    ///
    /// "capacity overflow" for a block over `isize::MAX` bytes; the global
    /// allocation error handler if the allocation fails; `f`'s panics.
    fn new_in<F: FnMut(usize) -> E>(len: usize, f: F, alloc: A) -> Self;

    /// As [`new_in`](Self::new_in), returning allocation failure.
    ///
    /// # Errors
    ///
    /// [`TryReserveError`]: nothing is leaked and `alloc` is dropped.
    fn try_new_in<F: FnMut(usize) -> E>(
        len: usize,
        f: F,
        alloc: A,
    ) -> Result<Self, TryReserveError>;

    /// Collects an iterator into a block from `alloc`.
    ///
    /// # Panics
    ///
    /// As [`new_in`](Self::new_in).
    fn from_iter_in<I: IntoIterator<Item = E>>(iter: I, alloc: A) -> Self;

    /// As [`from_iter_in`](Self::from_iter_in), returning allocation
    /// failure at the first allocation, any growth or the final trim.
    ///
    /// # Errors
    ///
    /// [`TryReserveError`]: the elements collected so far are dropped.
    fn try_from_iter_in<I: IntoIterator<Item = E>>(
        iter: I,
        alloc: A,
    ) -> Result<Self, TryReserveError>;
}

/// [`MakeArray`] with allocation failure reported as an error, from the
/// global allocator: `try_new` and `try_from_iter` for every handle and
/// layout (see [`MakeArrayIn`] for the forms that take an allocator).
///
/// ```
/// use heaparray::*;
///
/// let a = CompactArcArray::try_new(2, |i| i)?; // TryMakeArray::try_new
/// let b = CompactUniqueArcArray::<u8>::try_from_iter(0..3)?;
/// assert_eq!((&*a, &*b), (&[0, 1][..], &[0, 1, 2][..]));
/// # Ok::<(), TryReserveError>(())
/// ```
pub trait TryMakeArray<E>: Sized {
    /// Builds an array of `len` elements, element `i` being `f(i)`.
    ///
    /// # Errors
    ///
    /// [`TryReserveError`]: nothing is leaked, `f` is not called.
    fn try_new<F: FnMut(usize) -> E>(len: usize, f: F) -> Result<Self, TryReserveError>;

    /// Collects an iterator.
    ///
    /// # Errors
    ///
    /// [`TryReserveError`] at the first allocation, any growth or the final
    /// trim: the elements collected so far are dropped.
    fn try_from_iter<I: IntoIterator<Item = E>>(iter: I) -> Result<Self, TryReserveError>;
}

/// [`LabelledArray::with_label`] with allocation failure reported as an
/// error, from the global allocator, for every handle and layout.
///
/// ```
/// use heaparray::*;
/// let a = CompactArcArray::try_with_label("meta", 2, |_, i| i)?;
/// assert_eq!(*a.get_label(), "meta");
/// # Ok::<(), TryReserveError>(())
/// ```
pub trait TryLabelledArray<E, L>: Sized {
    /// Builds a labelled array, element `i` being `f(&mut label, i)`.
    ///
    /// # Errors
    ///
    /// [`TryReserveError`]: the label is dropped.
    fn try_with_label<F: FnMut(&mut L, usize) -> E>(
        label: L,
        len: usize,
        f: F,
    ) -> Result<Self, TryReserveError>;
}

/// [`LabelledArray`]'s constructor with a chosen allocator, and with
/// allocation failure reported as an error, for every handle and layout
/// (see [`MakeArrayIn`]).
///
/// ```
/// use heaparray::*;
///
/// let arena = bumpalo::Bump::new();
/// let a = CompactArcArray::try_with_label_in("meta", 2, |_, i| i, &arena)?;
/// let b = CompactUniqueArcArray::with_label_in(1u8, 1, |_, i| i, Global);
/// assert_eq!((*a.get_label(), *b.get_label()), ("meta", 1));
/// # Ok::<(), TryReserveError>(())
/// ```
pub trait LabelledArrayIn<E, L, A: Allocator>: Sized {
    /// Builds a labelled array, element `i` being `f(&mut label, i)`, in a
    /// block from `alloc`.
    ///
    /// # Panics
    ///
    /// As [`MakeArrayIn::new_in`]; the label is dropped too.
    fn with_label_in<F: FnMut(&mut L, usize) -> E>(label: L, len: usize, f: F, alloc: A) -> Self;

    /// As [`with_label_in`](Self::with_label_in), returning allocation
    /// failure.
    ///
    /// # Errors
    ///
    /// [`TryReserveError`]: the label and `alloc` are dropped.
    fn try_with_label_in<F: FnMut(&mut L, usize) -> E>(
        label: L,
        len: usize,
        f: F,
        alloc: A,
    ) -> Result<Self, TryReserveError>;
}
