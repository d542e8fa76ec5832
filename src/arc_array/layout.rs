//! Where an `ArcArray` block keeps its counts: [`Padded`] (the default), on
//! a region of their own (128 bytes on `x86_64`; the size crossbeam-utils
//! gives the target's cache-line pair), or [`Compact`], right before the length.
//! Both run the same code (`counts.rs`, `mod.rs`); only the room between the
//! start of the counts and the length differs, chosen by the block's header
//! type.

use core::fmt;
use core::mem::{self, ManuallyDrop, MaybeUninit};

use super::counts::Counts;

/// How an [`ArcArray`](crate::ArcArray) block places its reference counts:
/// [`Padded`] (the default) or [`Compact`]. Sealed: these two are all.
///
/// The choice is in the type's name ([`ArcArray`](crate::ArcArray) or
/// [`CompactArcArray`](crate::CompactArcArray), and likewise for the weak
/// and unique handles): both are aliases of [`ArcArrayBase`](crate::ArcArrayBase),
/// whose third type parameter is the layout, so every constructor, method
/// and trait is the same for both. Generic code over the layout names the
/// base type with `P: ArcLayout` (which implies
/// `'static`: both layouts are plain markers, so handles move into
/// spawned threads whatever `P` is).
///
/// ```
/// use heaparray::*;
///
/// fn first<P: ArcLayout>(a: &ArcArrayBase<u32, (), P, Global>) -> u32 {
///     a[0] + ArcArrayBase::strong_count(a) as u32
/// }
/// assert_eq!(first(&ArcArray::new(1, |i| i as u32 + 7)), 8);
/// assert_eq!(first(&CompactArcArray::new(1, |i| i as u32 + 7)), 8);
/// ```
pub trait ArcLayout: sealed::Sealed + 'static {}

/// The default layout: the counts alone on the first 128 bytes of the
/// block (on `x86_64`, aarch64 and powerpc64; the target's cache-line pair
/// as `crossbeam_utils::CachePadded` knows it: 256 bytes on s390x, 16 to 64
/// on others), so that `clone` and `drop` on other threads never write the
/// cache lines (nor the prefetch pair) that readers of the length, label
/// and elements load. Costs 120 bytes per block on `x86_64` against
/// [`Compact`] (a 144-byte header against 16); the README ("Padded or
/// compact") has the measured trade-off.
///
/// ```
/// use heaparray::{ArcArray, ArcArrayBase, Global, Padded};
/// let a: ArcArrayBase<u8, (), Padded, Global> = ArcArray::from([1]); // the same type
/// assert_eq!(*a, [1]);
/// ```
pub enum Padded {}

/// The compact layout: the strong and weak counts (one 64-bit word) and
/// the length in 16 bytes (on 64-bit and 32-bit targets), the label and
/// elements right after, as triomphe's `ThinArc` does. A handle and the
/// block of a small array are then smaller than `Arc<[T]>`'s (on 64-bit
/// targets: 56 bytes against 64 for 4 `u64`). Smaller blocks for many small arrays; but a
/// thread that clones and drops handles writes the cache line that readers
/// of the first elements load. Use it through [`CompactArcArray`](crate::CompactArcArray).
///
/// ```
/// use heaparray::{ArcArrayBase, Compact, CompactArcArray, Global};
/// let a: ArcArrayBase<u8, (), Compact, Global> = CompactArcArray::from([1]); // the same type
/// assert_eq!(*a, [1]);
/// ```
pub enum Compact {}

impl ArcLayout for Padded {}
impl ArcLayout for Compact {}

impl fmt::Debug for Padded {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {}
    }
}

impl fmt::Debug for Compact {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {}
    }
}

/// How far the length, label and elements sit from the block start in the
/// [`Padded`] layout: the target's cache-line pair as crossbeam-utils knows
/// it, `CachePadded`'s alignment (128 bytes on `x86_64`, aarch64 and
/// powerpc64, 256 on s390x, 16 on m68k, 32 or 64 elsewhere), so that this crate keeps no
/// per-architecture table of its own. The counts are written by every
/// `clone` and `drop` on every thread; readers of the data must not share a
/// cache line with them, nor the adjacent line that `x86_64`'s spatial
/// prefetcher pulls in pairs (Intel's optimisation manual, "Spatial
/// Prefetcher"). With the counts at offset 0 and the data at offset
/// `COUNTS_REGION` or more, the data never shares a `COUNTS_REGION`-aligned
/// unit of lines with the counts, wherever the allocator puts the block.
/// Only the size is taken: the block is not aligned to it. SAFETY.md
/// ("Padding") has the measurements that chose this unaligned gap over an
/// aligned `CachePadded`.
pub(crate) const COUNTS_REGION: usize = mem::align_of::<crossbeam_utils::CachePadded<u8>>();

/// The front of a [`Padded`] header: the counts and the allocator, in a
/// region of `COUNTS_REGION` bytes (more only if they do not fit), so that
/// the length after it starts the next cache-line pair. The allocator
/// takes room the gap had anyway: up to 112 bytes on `x86_64`, a
/// `&bumpalo::Bump` or a 24-byte allocator cost no byte of block.
///
/// Aligned to 16, which aligns the whole header to 16 (the 8 bytes of
/// counts at its start never straddle a `COUNTS_REGION` boundary: they are
/// 8-aligned). Sixteen is what `malloc` gives on 64-bit targets anyway, so
/// this costs nothing: the allocator's aligned path (the cost of a
/// 128-aligned `CachePadded`) is only taken above it. The counts took 16
/// bytes when they were two words, whose 8-aligned start could straddle;
/// the alignment stays so that the header's size, 144 bytes on `x86_64`,
/// does not change.
#[repr(C)]
pub union PaddedFront<A> {
    /// The counts and the allocator, at offset 0 as in [`Compact`]'s front.
    pub(super) slots: ManuallyDrop<CountsAndAlloc<A>>,
    /// Sizes the union: never read or written.
    _region: PaddedRegion,
}

/// `COUNTS_REGION` uninitialised bytes, aligned to 16.
#[repr(C, align(16))]
#[derive(Clone, Copy)]
struct PaddedRegion([MaybeUninit<u8>; COUNTS_REGION]);

/// The counts and then the allocator the block came from: the front of
/// every `ArcArray` header (all of it in [`Compact`]; the start of the
/// padded region in [`Padded`]). Only the last owner of the block reads
/// the allocator, to move it out and free the block with it.
#[repr(C)]
pub struct CountsAndAlloc<A> {
    pub(super) counts: Counts,
    pub(super) alloc: ManuallyDrop<A>,
}

impl<A> CountsAndAlloc<A> {
    pub(super) fn new(alloc: A) -> Self {
        CountsAndAlloc {
            counts: Counts::new(),
            alloc: ManuallyDrop::new(alloc),
        }
    }
}

impl<A> fmt::Debug for CountsAndAlloc<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CountsAndAlloc")
    }
}

impl<A> fmt::Debug for PaddedFront<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PaddedFront({} bytes)", mem::size_of::<Self>())
    }
}

pub(crate) mod sealed {
    use super::CountsAndAlloc;

    /// The part of [`ArcLayout`](super::ArcLayout) only this crate sees.
    pub trait Sealed {
        /// What the block header puts before the length: the counts and
        /// the allocator ([`CountsAndAlloc`]) at offset 0, padded or not.
        type Front<A>;
        /// The front holding `slots`.
        fn front<A>(slots: CountsAndAlloc<A>) -> Self::Front<A>;
        /// Whether this is [`Padded`](super::Padded): which of the shared
        /// empty blocks (`empty.rs`) serves the layout, and which alias
        /// `Debug` names (`ArcArray` or `CompactArcArray`; `debug_name!`).
        const PADDED: bool;
    }

    impl Sealed for super::Padded {
        type Front<A> = super::PaddedFront<A>;
        fn front<A>(slots: CountsAndAlloc<A>) -> super::PaddedFront<A> {
            super::PaddedFront {
                slots: core::mem::ManuallyDrop::new(slots),
            }
        }
        const PADDED: bool = true;
    }

    impl Sealed for super::Compact {
        type Front<A> = CountsAndAlloc<A>;
        fn front<A>(slots: CountsAndAlloc<A>) -> CountsAndAlloc<A> {
            slots
        }
        const PADDED: bool = false;
    }
}
