//! The seed's trait vocabulary, so that generic code is written once for
//! every handle, layout and allocator. Each handle implements the traits
//! that are sound for it: a shared `ArcArray` or `RcArray` has no `&mut`
//! access to its elements, so it has neither [`LabelledArrayMut`],
//! [`SliceArrayMut`] nor [`CopyMap`]. The accessors are implemented for
//! every allocator; the constructors that take no allocator
//! ([`MakeArray`], [`TryMakeArray`], [`TryLabelledArray`],
//! [`DefaultLabelledArray`], [`LabelledArray::with_label`]) for every
//! allocator made without a value (`A: Default`, as `Global`), and
//! [`MakeArrayIn`] and [`LabelledArrayIn`] take the allocator.
//!
//! These traits are imported by path, not by `use heaparray::*`: some of
//! their methods have a slice method's name ([`CopyMap::get`] takes a
//! `usize`, `<[T]>::get` also a range; [`LabelledArray::get_unchecked`]
//! likewise), and while such a trait is in scope its method wins over the
//! slice's. Import the traits where generic code needs them, or name one
//! trait at a time:
//!
//! ```
//! use heaparray::traits::*;
//! use heaparray::{ArcArray, HeapArray};
//!
//! fn total<A: LabelledArray<u32, u32> + SliceArray<u32>>(a: &A) -> u32 {
//!     *a.get_label() + a.as_slice().iter().sum::<u32>()
//! }
//! let h = HeapArray::with_label(100, 3, |_, i| i as u32);
//! let a = ArcArray::with_label(100, 3, |_, i| i as u32);
//! assert_eq!(total(&h), 103);
//! assert_eq!(total(&a), 103);
//!
//! // Any allocator: an arena's array is a `LabelledArray` too.
//! let arena = bumpalo::Bump::new();
//! let b = heaparray::UniqueArcArray::with_label_in(100, 3, |_, i| i as u32, &arena);
//! assert_eq!(total(&b), 103);
//! ```
//!
//! With the slice methods in scope as well, call the trait's by path:
//!
//! ```
//! use heaparray::HeapArray;
//! use heaparray::traits::CopyMap;
//!
//! let mut h = HeapArray::from(vec![1, 2, 3]);
//! assert_eq!(CopyMap::insert(&mut h, 0, 9), Some(1));
//! assert_eq!(<[i32]>::get(&h, 1..), Some(&[2, 3][..]));
//! ```

use crate::allocation::{Allocator, TryReserveError};

/// Something with a length.
///
/// ```
/// use heaparray::traits::Container;
/// use heaparray::{ArcArray, HeapArray};
///
/// fn total_len(arrays: &[&dyn Container]) -> usize {
///     arrays.iter().map(|a| a.len()).sum()
/// }
/// let (a, h) = (ArcArray::from([1, 2]), HeapArray::from(vec!['x']));
/// assert_eq!(total_len(&[&a, &h]), 3);
/// ```
pub trait Container {
    /// The number of elements.
    ///
    /// ```
    /// use heaparray::traits::Container;
    /// assert_eq!(Container::len(&heaparray::RcArray::from([1, 2, 3])), 3);
    /// ```
    fn len(&self) -> usize;
    /// Whether there are no elements.
    ///
    /// ```
    /// use heaparray::traits::Container;
    /// assert!(Container::is_empty(&heaparray::ArcArray::<u8>::default()));
    /// ```
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A map from copyable keys (indices, for the arrays) to values.
///
/// For the arrays this shadows the slice methods `get` and `get_mut` while
/// the trait is in scope; they agree for `usize` keys. Ranges go through
/// indexing (`&a[1..3]`), `<[E]>::get(&a, 1..3)` or
/// [`SliceArray::as_slice`].
///
/// ```
/// use heaparray::traits::CopyMap;
/// let mut h = heaparray::HeapArray::from(vec![10, 20]);
/// assert_eq!(CopyMap::insert(&mut h, 1, 21), Some(20));
/// assert_eq!(CopyMap::get(&h, 1), Some(&21));
/// ```
pub trait CopyMap<K: Copy + Eq, V> {
    /// The value at `key`, if any.
    ///
    /// ```
    /// use heaparray::traits::CopyMap;
    /// let h = heaparray::HeapArray::from(vec![1, 2]);
    /// assert_eq!((CopyMap::get(&h, 1), CopyMap::get(&h, 2)), (Some(&2), None));
    /// ```
    fn get(&self, key: K) -> Option<&V>;
    /// The value at `key` by mutable reference, if any.
    ///
    /// ```
    /// use heaparray::traits::CopyMap;
    /// let mut u = heaparray::UniqueArcArray::from([1, 2]);
    /// *CopyMap::get_mut(&mut u, 0).unwrap() = 5;
    /// assert_eq!(*u, [5, 2]);
    /// ```
    fn get_mut(&mut self, key: K) -> Option<&mut V>;
    /// Stores `value` at `key` and returns the value it replaces.
    ///
    /// # Panics
    ///
    /// For an array, if `key` is out of range (`key >= len`), as
    /// `Vec::insert` panics past its length: an array has a slot for every
    /// key below its length and no other, so a value for another key has
    /// nowhere to go, and it is never dropped silently. The panic drops
    /// `value`; the array is unchanged.
    ///
    /// ```should_panic
    /// use heaparray::traits::CopyMap;
    /// let mut h = heaparray::HeapArray::from(vec![1, 2, 3, 4, 5]);
    /// CopyMap::insert(&mut h, 99, 7); // panics: index 99, length 5
    /// ```
    fn insert(&mut self, key: K, value: V) -> Option<V>;
}

/// An array built from a length and a function of the index, from an
/// allocator made without a value (`A: Default`, as `Global`; see
/// [`MakeArrayIn`] for any allocator).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be built without an allocator value",
    note = "`MakeArray` is implemented for unlabelled arrays (`L = ()`) whose allocator is `Default`; an arena's array is built with `MakeArrayIn::new_in`"
)]
///
/// ```
/// use heaparray::traits::MakeArray;
/// use heaparray::{ArcArray, RcArray};
///
/// fn evens<T: MakeArray<u32>>(n: usize) -> T {
///     T::new(n, |i| 2 * i as u32)
/// }
/// let (a, r): (ArcArray<u32>, RcArray<u32>) = (evens(3), evens(3));
/// assert_eq!((&*a, &*r), (&[0, 2, 4][..], &[0, 2, 4][..]));
/// ```
pub trait MakeArray<E>: Sized {
    /// Builds an array of `len` elements, element `i` being `f(i)`.
    ///
    /// ```
    /// use heaparray::traits::MakeArray;
    /// let h: heaparray::HeapArray<usize> = MakeArray::new(2, |i| i + 1);
    /// assert_eq!(*h, [1, 2]);
    /// ```
    fn new<F: FnMut(usize) -> E>(len: usize, f: F) -> Self;
}

/// An array with a label: metadata stored in the same block. Implemented
/// by every handle for every allocator.
///
/// ```
/// use heaparray::traits::LabelledArray;
/// use heaparray::{CompactArcArray, HeapArray};
///
/// fn describe<T: LabelledArray<u8, &'static str>>(a: &T) -> String {
///     format!("{}: {} bytes", a.get_label(), a.len())
/// }
/// let a = CompactArcArray::with_label("header", 4, |_, i| i as u8);
/// assert_eq!(describe(&a), "header: 4 bytes");
/// assert_eq!(describe(&HeapArray::with_label("body", 0, |_, _| 0)), "body: 0 bytes");
/// ```
pub trait LabelledArray<E, L>: Container + Sized {
    /// Builds an array of `len` elements, element `i` being
    /// `f(&mut label, i)`; the label can be updated as the elements are made.
    ///
    /// Only for a handle whose allocator is made without a value
    /// (`A: Default`, as `Global`), which [`TryLabelledArray`] says: generic
    /// code that builds names both bounds, `T: LabelledArray<E, L> +
    /// TryLabelledArray<E, L>`; a handle in an arena is built with
    /// [`LabelledArrayIn::with_label_in`].
    ///
    /// # Panics
    ///
    /// "capacity overflow" for a block over `isize::MAX` bytes; the global
    /// allocation error handler if the allocation fails; `f`'s panics (the
    /// label and the elements made are dropped).
    ///
    /// ```
    /// use heaparray::traits::LabelledArray;
    /// let a: heaparray::RcArray<u8, u8> = LabelledArray::with_label(0, 3, |sum, i| {
    ///     *sum += i as u8;
    ///     i as u8
    /// });
    /// assert_eq!((*a.get_label(), &*a), (3, &[0, 1, 2][..]));
    /// ```
    #[track_caller]
    fn with_label<F: FnMut(&mut L, usize) -> E>(label: L, len: usize, f: F) -> Self
    where
        Self: TryLabelledArray<E, L>,
    {
        crate::allocation::infallible(Self::try_with_label(label, len, f))
    }
    /// The label.
    ///
    /// ```
    /// use heaparray::traits::LabelledArray;
    /// let a = heaparray::ArcArray::with_label('k', 1, |_, _| 0u8);
    /// assert_eq!(*LabelledArray::get_label(&a), 'k');
    /// ```
    fn get_label(&self) -> &L;
    /// The element at `idx` without a bounds check.
    ///
    /// # Safety
    ///
    /// `idx < self.len()`.
    ///
    /// ```
    /// use heaparray::traits::LabelledArray;
    /// let a = heaparray::ArcArray::from([7, 8]);
    /// // SAFETY: 1 < 2, the length.
    /// assert_eq!(unsafe { *LabelledArray::get_unchecked(&a, 1) }, 8);
    /// ```
    unsafe fn get_unchecked(&self, idx: usize) -> &E;
}

/// A labelled array with mutable access to its label and elements.
///
/// ```
/// use heaparray::traits::LabelledArrayMut;
///
/// fn bump<T: LabelledArrayMut<u32, u32>>(a: &mut T) {
///     *a.get_label_mut() += 1;
/// }
/// let mut h = heaparray::HeapArray::with_label(0u32, 1, |_, _| 0u32);
/// bump(&mut h);
/// assert_eq!(*h.get_label(), 1);
/// ```
pub trait LabelledArrayMut<E, L>: LabelledArray<E, L> {
    /// The label by mutable reference.
    ///
    /// ```
    /// use heaparray::traits::LabelledArrayMut;
    /// let mut u = heaparray::UniqueArcArray::with_label(1u8, 0, |_, _| ());
    /// *LabelledArrayMut::get_label_mut(&mut u) = 2;
    /// assert_eq!(*u.get_label(), 2);
    /// ```
    fn get_label_mut(&mut self) -> &mut L;
    /// The element at `idx` by mutable reference, without a bounds check.
    ///
    /// # Safety
    ///
    /// `idx < self.len()`.
    ///
    /// ```
    /// use heaparray::traits::LabelledArrayMut;
    /// let mut h = heaparray::HeapArray::from(vec![1, 2]);
    /// // SAFETY: 0 < 2, the length.
    /// unsafe { *LabelledArrayMut::get_mut_unchecked(&mut h, 0) = 9 };
    /// assert_eq!(*h, [9, 2]);
    /// ```
    unsafe fn get_mut_unchecked(&mut self, idx: usize) -> &mut E;
}

/// A labelled array whose elements can start as their default, from an
/// allocator made without a value (`A: Default`, as `Global`).
///
/// ```
/// use heaparray::traits::DefaultLabelledArray;
///
/// fn zeros<T: DefaultLabelledArray<f32, &'static str>>(n: usize) -> T {
///     T::with_len("zeros", n)
/// }
/// let a: heaparray::CompactArcArray<f32, &str> = zeros(2);
/// assert_eq!(*a, [0.0, 0.0]);
/// ```
pub trait DefaultLabelledArray<E: Default, L>: LabelledArray<E, L> {
    /// Builds an array of `len` default elements with the given label.
    ///
    /// ```
    /// use heaparray::traits::DefaultLabelledArray;
    /// let h: heaparray::HeapArray<u8, char> = DefaultLabelledArray::with_len('z', 3);
    /// assert_eq!((*h.get_label(), &*h), ('z', &[0, 0, 0][..]));
    /// ```
    fn with_len(label: L, len: usize) -> Self;
}

/// An array readable as a slice.
///
/// ```
/// use heaparray::traits::SliceArray;
///
/// fn first<T: SliceArray<u8>>(a: &T) -> Option<u8> {
///     a.as_slice().first().copied()
/// }
/// assert_eq!(first(&heaparray::ArcArray::from([4, 5])), Some(4));
/// ```
pub trait SliceArray<E> {
    /// The elements as a slice.
    ///
    /// ```
    /// use heaparray::traits::SliceArray;
    /// let r = heaparray::RcArray::from([1, 2]);
    /// assert_eq!(SliceArray::as_slice(&r), [1, 2]);
    /// ```
    fn as_slice(&self) -> &[E];
}

/// An array writable as a slice.
///
/// ```
/// use heaparray::traits::SliceArrayMut;
///
/// fn sort<T: SliceArrayMut<u8>>(a: &mut T) {
///     a.as_slice_mut().sort_unstable();
/// }
/// let mut h = heaparray::HeapArray::from(vec![3, 1, 2]);
/// sort(&mut h);
/// assert_eq!(*h, [1, 2, 3]);
/// ```
pub trait SliceArrayMut<E>: SliceArray<E> {
    /// The elements as a mutable slice.
    ///
    /// ```
    /// use heaparray::traits::SliceArrayMut;
    /// let mut u = heaparray::UniqueArcArray::from([1, 2]);
    /// SliceArrayMut::as_slice_mut(&mut u)[1] = 7;
    /// assert_eq!(*u, [1, 7]);
    /// ```
    fn as_slice_mut(&mut self) -> &mut [E];
}

/// [`MakeArray`] with a chosen allocator, and with allocation failure
/// reported as an error: the `_in` and `try_` constructors of unlabelled
/// arrays, for every handle and layout.
///
/// Every handle has the same constructors as inherent functions; this
/// trait is how generic code reaches them:
///
/// ```
/// use heaparray::traits::MakeArrayIn;
/// use heaparray::{Allocator, CompactArcArray, Global, HeapArray, TryReserveError};
///
/// fn squares<T: MakeArrayIn<u64, A>, A: Allocator>(alloc: A) -> Result<T, TryReserveError> {
///     T::try_new_in(4, |i| (i * i) as u64, alloc)
/// }
/// let arena = bumpalo::Bump::new();
/// let a: CompactArcArray<u64, (), &bumpalo::Bump> = squares(&arena)?;
/// let h: HeapArray<u64> = squares(Global)?;
/// assert_eq!((&*a, &*h), (&[0, 1, 4, 9][..], &[0, 1, 4, 9][..]));
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
    ///
    /// ```
    /// use heaparray::traits::MakeArrayIn;
    /// let h: heaparray::HeapArray<u8> = MakeArrayIn::new_in(2, |i| i as u8, heaparray::Global);
    /// assert_eq!(*h, [0, 1]);
    /// ```
    fn new_in<F: FnMut(usize) -> E>(len: usize, f: F, alloc: A) -> Self;

    /// As [`new_in`](Self::new_in), returning allocation failure.
    ///
    /// # Errors
    ///
    /// [`TryReserveError`]: nothing is leaked and `alloc` is dropped.
    ///
    /// ```
    /// use heaparray::traits::MakeArrayIn;
    /// use heaparray::{ArcArray, Global};
    /// let too_big = <ArcArray<u64> as MakeArrayIn<u64, Global>>::try_new_in(usize::MAX / 4, |_| 0, Global);
    /// assert!(too_big.is_err());
    /// ```
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
    ///
    /// ```
    /// use heaparray::traits::MakeArrayIn;
    /// let arena = bumpalo::Bump::new();
    /// let r: heaparray::RcArray<u8, (), &bumpalo::Bump> = MakeArrayIn::from_iter_in(1..4, &arena);
    /// assert_eq!(*r, [1, 2, 3]);
    /// ```
    fn from_iter_in<I: IntoIterator<Item = E>>(iter: I, alloc: A) -> Self;

    /// As [`from_iter_in`](Self::from_iter_in), returning allocation
    /// failure at the first allocation, any growth or the final trim.
    ///
    /// # Errors
    ///
    /// [`TryReserveError`]: the elements collected so far are dropped.
    ///
    /// ```
    /// use heaparray::traits::MakeArrayIn;
    /// use heaparray::{CompactArcArray, Global};
    /// let a: CompactArcArray<char> = MakeArrayIn::try_from_iter_in("ab".chars(), Global)?;
    /// assert_eq!(*a, ['a', 'b']);
    /// # Ok::<(), heaparray::TryReserveError>(())
    /// ```
    fn try_from_iter_in<I: IntoIterator<Item = E>>(
        iter: I,
        alloc: A,
    ) -> Result<Self, TryReserveError>;
}

/// [`MakeArray`] with allocation failure reported as an error, from an
/// allocator made without a value (`A: Default`, as `Global`): `try_new`
/// and `try_from_iter` for every handle and layout (see [`MakeArrayIn`]
/// for the forms that take an allocator).
///
/// ```
/// use heaparray::traits::TryMakeArray;
/// use heaparray::{CompactArcArray, HeapArray, TryReserveError};
///
/// fn evens<T: TryMakeArray<u8>>() -> Result<T, TryReserveError> {
///     T::try_from_iter((0..6).filter(|i| i % 2 == 0))
/// }
/// let a: CompactArcArray<u8> = evens()?;
/// let h: HeapArray<u8> = evens()?;
/// assert_eq!((&*a, &*h), (&[0, 2, 4][..], &[0, 2, 4][..]));
/// # Ok::<(), TryReserveError>(())
/// ```
pub trait TryMakeArray<E>: Sized {
    /// Builds an array of `len` elements, element `i` being `f(i)`.
    ///
    /// # Errors
    ///
    /// [`TryReserveError`]: nothing is leaked, `f` is not called.
    ///
    /// ```
    /// use heaparray::traits::TryMakeArray;
    /// let h: heaparray::HeapArray<u16> = TryMakeArray::try_new(2, |i| i as u16)?;
    /// assert_eq!(*h, [0, 1]);
    /// # Ok::<(), heaparray::TryReserveError>(())
    /// ```
    fn try_new<F: FnMut(usize) -> E>(len: usize, f: F) -> Result<Self, TryReserveError>;

    /// Collects an iterator.
    ///
    /// # Errors
    ///
    /// [`TryReserveError`] at the first allocation, any growth or the final
    /// trim: the elements collected so far are dropped.
    ///
    /// ```
    /// use heaparray::traits::TryMakeArray;
    /// let r: heaparray::RcArray<u8> = TryMakeArray::try_from_iter([1, 2])?;
    /// assert_eq!(*r, [1, 2]);
    /// # Ok::<(), heaparray::TryReserveError>(())
    /// ```
    fn try_from_iter<I: IntoIterator<Item = E>>(iter: I) -> Result<Self, TryReserveError>;
}

/// [`LabelledArray::with_label`] with allocation failure reported as an
/// error, from an allocator made without a value (`A: Default`, as
/// `Global`), for every handle and layout.
///
/// ```
/// use heaparray::traits::TryLabelledArray;
/// use heaparray::{CompactArcArray, TryReserveError};
///
/// fn tagged<T: TryLabelledArray<usize, &'static str>>() -> Result<T, TryReserveError> {
///     T::try_with_label("meta", 2, |_, i| i)
/// }
/// let a: CompactArcArray<usize, &str> = tagged()?;
/// assert_eq!((*a.get_label(), &*a), ("meta", &[0, 1][..]));
/// # Ok::<(), TryReserveError>(())
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be built without an allocator value",
    label = "`TryLabelledArray<{E}, {L}>` is not implemented for `{Self}`",
    note = "generic code that builds through `T::with_label` names the bound `T: TryLabelledArray<E, L>` beside `LabelledArray<E, L>`",
    note = "a handle whose allocator is not `Default` (an arena's `&Bump`) is built with `LabelledArrayIn::with_label_in`"
)]
pub trait TryLabelledArray<E, L>: Sized {
    /// Builds a labelled array, element `i` being `f(&mut label, i)`.
    ///
    /// # Errors
    ///
    /// [`TryReserveError`]: the label is dropped.
    ///
    /// ```
    /// use heaparray::traits::TryLabelledArray;
    /// let h: heaparray::HeapArray<u8, &str> = TryLabelledArray::try_with_label("l", 1, |_, _| 9)?;
    /// assert_eq!((*h.get_label(), &*h), ("l", &[9][..]));
    /// # Ok::<(), heaparray::TryReserveError>(())
    /// ```
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
/// use heaparray::traits::LabelledArrayIn;
/// use heaparray::{Allocator, CompactUniqueArcArray};
///
/// fn counted<T: LabelledArrayIn<u8, usize, A>, A: Allocator>(alloc: A) -> T {
///     T::with_label_in(0, 3, |n, i| { *n += 1; i as u8 }, alloc)
/// }
/// let arena = bumpalo::Bump::new();
/// let a: CompactUniqueArcArray<u8, usize, &bumpalo::Bump> = counted(&arena);
/// assert_eq!((*a.get_label(), &*a), (3, &[0, 1, 2][..]));
/// ```
pub trait LabelledArrayIn<E, L, A: Allocator>: Sized {
    /// Builds a labelled array, element `i` being `f(&mut label, i)`, in a
    /// block from `alloc`.
    ///
    /// # Panics
    ///
    /// As [`MakeArrayIn::new_in`]; the label is dropped too.
    ///
    /// ```
    /// use heaparray::traits::LabelledArrayIn;
    /// let a: heaparray::ArcArray<u8, u8> = LabelledArrayIn::with_label_in(5, 1, |l, _| *l, heaparray::Global);
    /// assert_eq!(*a, [5]);
    /// ```
    fn with_label_in<F: FnMut(&mut L, usize) -> E>(label: L, len: usize, f: F, alloc: A) -> Self;

    /// As [`with_label_in`](Self::with_label_in), returning allocation
    /// failure.
    ///
    /// # Errors
    ///
    /// [`TryReserveError`]: the label and `alloc` are dropped.
    ///
    /// ```
    /// use heaparray::traits::LabelledArrayIn;
    /// use heaparray::{Global, RcArray};
    /// let r: RcArray<u8, char> = LabelledArrayIn::try_with_label_in('r', 2, |_, i| i as u8, Global)?;
    /// assert_eq!((*r.get_label(), &*r), ('r', &[0, 1][..]));
    /// # Ok::<(), heaparray::TryReserveError>(())
    /// ```
    fn try_with_label_in<F: FnMut(&mut L, usize) -> E>(
        label: L,
        len: usize,
        f: F,
        alloc: A,
    ) -> Result<Self, TryReserveError>;
}

/// The panic of [`CopyMap::insert`] past an array's end, out of line (the
/// insert itself stays small enough to inline).
#[cold]
#[inline(never)]
#[track_caller]
pub(crate) fn insert_out_of_range(key: usize, len: usize) -> ! {
    panic!("CopyMap::insert: index (is {key}) should be < len (is {len})")
}
