//! `UniqueArcArray`: an `ArcArray` block with exactly one handle and no
//! weak ones, so it can be written freely before it is shared.

use core::marker::PhantomData;
use core::mem::ManuallyDrop;
use core::ops::{Deref, DerefMut};
use core::panic::{RefUnwindSafe, UnwindSafe};
use core::ptr::NonNull;

use super::{ArcArray, ArcBlock, ArcHeader, ArcLayout, Padded};

use crate::block::{Block, Builder, FromBuilder};
use crate::traits::LabelledArrayMut;
use crate::HeapArray;

/// The only handle to an [`ArcArray`] block: full `&mut` access to the
/// label and the elements, then [`shareable`](UniqueArcArray::shareable)
/// turns it into an `ArcArray` without a copy.
///
/// Made by building one directly, or by [`ArcArray::try_unique`],
/// [`ArcArray::into_unique`].
///
/// # Size and alignment
///
/// One word; `Option<UniqueArcArray>` is one word too. Same block as
/// `ArcArray` (its counts say one strong handle, no weak ones).
///
/// # Examples
///
/// ```
/// use heaparray::*;
/// let mut u = UniqueArcArray::with_label(0u32, 3, |_, i| i as u32);
/// u[2] = 10;
/// *u.get_label_mut() = u.iter().sum();
/// let a: ArcArray<u32, u32> = u.shareable();
/// assert_eq!(*a.get_label(), 11);
/// ```
pub struct UniqueArcArray<E, L = (), P: ArcLayout = Padded> {
    block: NonNull<u8>,
    _owns: PhantomData<(L, E, P)>,
}

// SAFETY: the only handle owns the label and the elements as a `Box` does,
// so `Box`'s bounds apply. `shareable` on the receiving thread is sound
// with them: the `ArcArray` it makes is only `Send`/`Sync` under
// `ArcArray`'s own, stronger bounds.
unsafe impl<E: Send, L: Send, P: ArcLayout> Send for UniqueArcArray<E, L, P> {}
// SAFETY: `&UniqueArcArray` gives out `&L` and `&[E]` only, as `&Box`.
unsafe impl<E: Sync, L: Sync, P: ArcLayout> Sync for UniqueArcArray<E, L, P> {}
impl<E: UnwindSafe, L: UnwindSafe, P: ArcLayout> UnwindSafe for UniqueArcArray<E, L, P> {}
impl<E: RefUnwindSafe, L: RefUnwindSafe, P: ArcLayout> RefUnwindSafe for UniqueArcArray<E, L, P> {}

impl<E, L, P: ArcLayout> UniqueArcArray<E, L, P> {
    /// The label.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let u = UniqueArcArray::with_label(5u8, 0, |_, _| ());
    /// assert_eq!(*u.get_label(), 5);
    /// ```
    #[must_use]
    #[inline]
    pub fn get_label(&self) -> &L {
        // SAFETY: the only handle keeps the label initialised; `&self`
        // excludes writers.
        unsafe { self.raw().label_ref() }
    }

    /// The label by mutable reference.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let mut u = UniqueArcArray::with_label(5u8, 0, |_, _| ());
    /// *u.get_label_mut() = 6;
    /// assert_eq!(*u.get_label(), 6);
    /// ```
    #[inline]
    pub fn get_label_mut(&mut self) -> &mut L {
        // SAFETY: the only handle of any kind, borrowed exclusively.
        unsafe { self.raw().label_mut() }
    }

    /// Turns this into a shareable [`ArcArray`] with no copy: the block and
    /// its counts (one strong handle) are already an `ArcArray`'s.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = UniqueArcArray::new(2, |i| i).shareable();
    /// let b = a.clone();
    /// assert_eq!(ArcArray::strong_count(&b), 2);
    /// ```
    #[must_use]
    #[inline]
    pub fn shareable(self) -> ArcArray<E, L, P> {
        ArcArray::from_block(ManuallyDrop::new(self).block)
    }

    #[inline]
    fn raw(&self) -> ArcBlock<E, L, P> {
        // SAFETY: `self.block` came from `as_non_null` of an ArcBlock<E, L, P>.
        unsafe { Block::from_non_null(self.block) }
    }

    /// Takes over a block whose counts are 1 and 1 with no other handle.
    #[inline]
    pub(super) fn from_block(block: NonNull<u8>) -> Self {
        UniqueArcArray {
            block,
            _owns: PhantomData,
        }
    }
}

impl<E, L, P: ArcLayout> FromBuilder<E, L> for UniqueArcArray<E, L, P> {
    type Header = ArcHeader<P>;
    fn from_builder(builder: Builder<ArcHeader<P>, L, E>) -> Self {
        let (block, _) = builder.finish(ArcHeader::<P>::new);
        Self::from_block(block.as_non_null())
    }
}

impl<E, L, P: ArcLayout> Drop for UniqueArcArray<E, L, P> {
    fn drop(&mut self) {
        let block = self.raw();
        // SAFETY: the only handle of any kind: the contents are initialised
        // and ours to drop, and nothing uses the block again.
        unsafe { block.drop_contents_then(block.len(), |block| block.free()) }
    }
}

impl<E, L, P: ArcLayout> Deref for UniqueArcArray<E, L, P> {
    type Target = [E];
    #[inline]
    fn deref(&self) -> &[E] {
        let block = self.raw();
        // SAFETY: the only handle keeps `len` elements initialised.
        unsafe { block.elements(block.len()) }
    }
}

impl<E, L, P: ArcLayout> DerefMut for UniqueArcArray<E, L, P> {
    #[inline]
    fn deref_mut(&mut self) -> &mut [E] {
        let block = self.raw();
        // SAFETY: the only handle, borrowed exclusively.
        unsafe { block.elements_mut(block.len()) }
    }
}

impl_slice_traits!(UniqueArcArray, P: ArcLayout);
impl_constructors!(UniqueArcArray, P: ArcLayout);
impl_slice_mut_traits!(UniqueArcArray, P: ArcLayout);

impl<E, L> From<HeapArray<E, L>> for UniqueArcArray<E, L> {
    /// Moves the label and the elements into a new block (one copy).
    fn from(heap: HeapArray<E, L>) -> Self {
        let (block, len) = heap.into_raw_block();
        // SAFETY: we own the HeapArray's label and `len` elements (it was
        // consumed); they are moved once, then the old block, allocated for
        // `len`, is freed without dropping them.
        let moved = unsafe {
            let moved = block.move_contents(len, ArcHeader::<Padded>::new(len));
            block.deallocate(len);
            moved
        };
        Self::from_block(moved.as_non_null())
    }
}

impl<E, L, P: ArcLayout> LabelledArrayMut<E, L> for UniqueArcArray<E, L, P> {
    fn get_label_mut(&mut self) -> &mut L {
        UniqueArcArray::get_label_mut(self)
    }
    // SAFETY: the trait's contract: the caller promises `idx < len`.
    unsafe fn get_mut_unchecked(&mut self, idx: usize) -> &mut E {
        // SAFETY: `idx < len` is the caller's promise.
        unsafe { <[E]>::get_unchecked_mut(self, idx) }
    }
}
