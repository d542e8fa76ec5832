//! How an `ArcArray` comes to be: from the builder (every constructor and
//! `collect`), `Default` (a shared static block), and the conversions from
//! the other handles. The constructors and the `From` conversions from
//! std's types are `impl_constructors!`'s, written once for every handle.

use core::mem::{self, ManuallyDrop};

use super::header::ArcHeader;
use super::{empty, ArcArrayBase, ArcLayout, UniqueArcArrayBase};
use crate::allocation::{Allocator, TryReserveError};
use crate::block::{Builder, FromBuilder};
use crate::HeapArray;

impl<E, L, P: ArcLayout, A: Allocator> FromBuilder<E, L> for ArcArrayBase<E, L, P, A> {
    type Header = ArcHeader<P, A>;
    fn try_from_builder(builder: Builder<ArcHeader<P, A>, L, E>) -> Result<Self, TryReserveError> {
        UniqueArcArrayBase::try_from_builder(builder).map(UniqueArcArrayBase::shareable)
    }
}

impl<E, P: ArcLayout, A: Allocator + Default> Default for ArcArrayBase<E, (), P, A> {
    /// An empty array. For elements aligned to at most 16 bytes and a
    /// zero-sized allocator such as [`Global`](crate::Global), this allocates nothing:
    /// like std's `Arc<[T]>::default()`, every such empty array of one
    /// layout shares one static block, which is never freed. Otherwise
    /// (and under loom and shuttle, whose atomics cannot be in a static)
    /// it is an empty block of its own, from `A::default()`.
    ///
    /// The static block holds a strong count of its own, so it behaves as
    /// a block shared with another handle: [`ArcArray::get_mut`](crate::ArcArrayBase::get_mut) returns
    /// `None`, [`ArcArray::is_unique`](crate::ArcArrayBase::is_unique) is `false`, [`ArcArray::try_unique`](crate::ArcArrayBase::try_unique)
    /// gives the handle back and [`ArcArray::into_unique`](crate::ArcArrayBase::into_unique) `None`;
    /// [`ArcArray::make_mut`](crate::ArcArrayBase::make_mut) and [`ArcArray::unwrap_or_clone`](crate::ArcArrayBase::unwrap_or_clone) move to a
    /// fresh empty block.
    ///
    /// Two consequences of that count, as with std's shared empty
    /// `Arc<[T]>`: [`ArcArray::strong_count`](crate::ArcArrayBase::strong_count)
    /// of a shared empty array counts the static's own count as well as
    /// every handle to that block in the whole process (one fresh
    /// `default()` alone reads 2, and other code's empty arrays add to
    /// it); and a weak handle to it still upgrades after every strong
    /// handle you made is gone, since the static's count never is.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let (a, b) = (ArcArray::<u64>::default(), ArcArray::<u64>::default());
    /// assert!(a.is_empty() && ArcArray::ptr_eq(&a, &b)); // one static block
    /// let mut c = CompactArcArray::<u8>::default();
    /// assert!(CompactArcArray::get_mut(&mut c).is_none());
    /// assert!(CompactArcArray::make_mut(&mut c).is_empty()); // now its own block
    /// assert!(CompactArcArray::get_mut(&mut c).is_some());
    ///
    /// let d = ArcArray::<u32>::default();
    /// assert!(ArcArray::strong_count(&d) >= 2); // the static's own count too
    /// let w = ArcArray::downgrade(&d);
    /// drop(d);
    /// assert!(w.upgrade().is_some()); // the static block is never released
    /// ```
    fn default() -> Self {
        let alloc = A::default();
        match empty::shared_block::<E, P, A>() {
            Some(block) => {
                // The static block is taken to hold an `A`: this one, given
                // up (zero-sized, no drop glue: `shared_block`'s terms).
                mem::forget(alloc);
                // The static's own count, never released, and a clone of it
                // for the caller: one relaxed increment, as any clone.
                let shared = ManuallyDrop::new(Self::from_block(block));
                ArcArrayBase::clone(&shared)
            }
            None => {
                <Self as crate::traits::MakeArrayIn<E, A>>::new_in(0, |_| unreachable!(), alloc)
            }
        }
    }
}

impl<E, L, P: ArcLayout, A: Allocator> From<HeapArray<E, L, A>> for ArcArrayBase<E, L, P, A> {
    /// Moves the label and the elements into a shared block from the same
    /// allocator (one copy), which then moves into the new block.
    fn from(heap: HeapArray<E, L, A>) -> Self {
        UniqueArcArrayBase::from(heap).shareable()
    }
}

impl<E, L, P: ArcLayout, A: Allocator> From<UniqueArcArrayBase<E, L, P, A>>
    for ArcArrayBase<E, L, P, A>
{
    /// Shares the block as it is, no copy (as [`UniqueArcArray::shareable`](crate::UniqueArcArrayBase::shareable)).
    fn from(unique: UniqueArcArrayBase<E, L, P, A>) -> Self {
        unique.shareable()
    }
}
