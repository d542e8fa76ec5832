//! bytemuck support (feature `bytemuck`): safe zeroed arrays of
//! `bytemuck::Zeroable` elements, from `Allocator::allocate_zeroed` (for
//! the global allocator, `calloc`: no write pass over fresh pages).

use bytemuck::Zeroable;

use crate::{Allocator, ArcArrayBase, ArcLayout, Global, HeapArray, UniqueArcArrayBase};

impl<E: Zeroable> HeapArray<E> {
    /// An array of `len` zeroed elements, with no write pass: the safe form
    /// of [`HeapArray::new_zeroed`] for element types whose all-zero bytes
    /// are valid.
    ///
    /// # Panics
    ///
    /// As [`HeapArray::new`].
    ///
    /// # Examples
    ///
    /// ```
    /// let a = heaparray::HeapArray::<f32>::zeroed(1024);
    /// assert!(a.iter().all(|&x| x == 0.0));
    /// ```
    #[must_use]
    #[track_caller]
    pub fn zeroed(len: usize) -> Self {
        Self::zeroed_in(len, Global)
    }
}

impl<E: Zeroable, A: Allocator> HeapArray<E, (), A> {
    /// As [`HeapArray::zeroed`], in a block from `alloc`.
    ///
    /// # Panics
    ///
    /// As [`HeapArray::new`].
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = HeapArray::<u32>::zeroed_in(8, Global);
    /// assert_eq!(&*a, &[0; 8]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn zeroed_in(len: usize, alloc: A) -> Self {
        // SAFETY: `E: Zeroable` promises all-zero bytes are a valid `E`, and
        // `new_zeroed_in` zeroes every element's bytes.
        unsafe { HeapArray::<E, (), A>::new_zeroed_in(len, alloc).assume_init() }
    }
}

impl<E: Zeroable, P: ArcLayout> UniqueArcArrayBase<E, (), P, Global> {
    /// A uniquely owned array of `len` zeroed elements, with no write pass
    /// (the safe form of [`UniqueArcArray::new_zeroed`](crate::UniqueArcArrayBase::new_zeroed)).
    ///
    /// # Panics
    ///
    /// As [`UniqueArcArray::new`](crate::UniqueArcArrayBase::new).
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let mut u = UniqueArcArray::<u8>::zeroed(4096);
    /// u[0] = 1;
    /// let a = u.shareable();
    /// assert_eq!(a.iter().map(|&b| u32::from(b)).sum::<u32>(), 1);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn zeroed(len: usize) -> Self {
        Self::zeroed_in(len, Global)
    }
}

impl<E: Zeroable, P: ArcLayout, A: Allocator> UniqueArcArrayBase<E, (), P, A> {
    /// As [`UniqueArcArray::zeroed`](crate::UniqueArcArrayBase::zeroed), in a block from `alloc`.
    ///
    /// # Panics
    ///
    /// As [`UniqueArcArray::new`](crate::UniqueArcArrayBase::new).
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = UniqueArcArray::<u32>::zeroed_in(8, Global);
    /// assert_eq!(&*a, &[0; 8]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn zeroed_in(len: usize, alloc: A) -> Self {
        // SAFETY: `E: Zeroable` promises all-zero bytes are a valid `E`, and
        // `new_zeroed_in` zeroes every element's bytes.
        unsafe { UniqueArcArrayBase::<E, (), P, A>::new_zeroed_in(len, alloc).assume_init() }
    }
}

impl<E: Zeroable, P: ArcLayout> ArcArrayBase<E, (), P, Global> {
    /// A shared array of `len` zeroed elements, with no write pass (as
    /// `Arc::<[T]>::new_zeroed_slice`, but safe for `Zeroable` types).
    ///
    /// # Panics
    ///
    /// As [`ArcArray::new`](crate::ArcArrayBase::new).
    ///
    /// # Examples
    ///
    /// ```
    /// let a = heaparray::ArcArray::<u64>::zeroed(1 << 12);
    /// assert_eq!(a.iter().sum::<u64>(), 0);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn zeroed(len: usize) -> Self {
        UniqueArcArrayBase::zeroed(len).shareable()
    }
}

impl<E: Zeroable, P: ArcLayout, A: Allocator> ArcArrayBase<E, (), P, A> {
    /// As [`ArcArray::zeroed`](crate::ArcArrayBase::zeroed), in a block from `alloc`.
    ///
    /// # Panics
    ///
    /// As [`ArcArray::new`](crate::ArcArrayBase::new).
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = ArcArray::<u32>::zeroed_in(8, Global);
    /// assert_eq!(&*a, &[0; 8]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn zeroed_in(len: usize, alloc: A) -> Self {
        UniqueArcArrayBase::zeroed_in(len, alloc).shareable()
    }
}
