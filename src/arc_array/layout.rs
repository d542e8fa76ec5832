//! Where an `ArcArray` block keeps its counts: [`Padded`] (the default), on
//! a region of their own (128 bytes on `x86_64`; the size crossbeam-utils
//! gives the target's cache-line pair), or [`Compact`], right before the length.
//! Both run the same code (`counts.rs`, `mod.rs`); only the gap between the
//! counts and the length differs, chosen by the block's header type.

use core::fmt;
use core::mem::{self, MaybeUninit};

use super::counts::Counts;

/// How an [`ArcArray`](crate::ArcArray) block places its reference counts:
/// [`Padded`] (the default) or [`Compact`]. Sealed: these two are all.
///
/// The choice is the third type parameter of `ArcArray`, `WeakArcArray` and
/// `UniqueArcArray`; every method and trait is the same for both. Generic
/// code over the layout names it as `P: ArcLayout` (which implies
/// `'static`: both layouts are plain markers, so handles move into
/// spawned threads whatever `P` is).
///
/// ```
/// use heaparray::*;
///
/// fn first<P: ArcLayout>(a: &ArcArray<u32, (), P>) -> u32 {
///     a[0] + ArcArray::strong_count(a) as u32
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
/// [`Compact`] (a 144-byte header against 24); the README ("Padded or
/// compact") has the measured trade-off.
pub enum Padded {}

/// The compact layout: strong count, weak count and length packed in 24
/// bytes (on 64-bit targets), the label and elements right after, as
/// `Arc<[T]>` and triomphe do. Smaller blocks for many small arrays; but a
/// thread that clones and drops handles writes the cache line that readers
/// of the first elements load. Use it through [`CompactArcArray`](crate::CompactArcArray).
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

/// The bytes between the counts and the length in the [`Padded`] layout,
/// never read or written.
///
/// Aligned to 16, which aligns the whole header to 16: the 16 bytes of
/// counts at its start then never straddle a `COUNTS_REGION` boundary (at
/// an 8-aligned address `A = 128k + 120` the weak count would share the
/// pair of lines that `len`, at `A + 128`, starts). Sixteen is what `malloc`
/// gives on 64-bit targets anyway, so this costs nothing: the allocator's
/// aligned path (the cost of a 128-aligned `CachePadded`) is only taken
/// above it.
#[repr(C, align(16))]
#[derive(Clone, Copy)]
pub struct PaddedGap([MaybeUninit<u8>; COUNTS_REGION.saturating_sub(PADDED_COUNTS)]);

impl fmt::Debug for PaddedGap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PaddedGap({} bytes)", mem::size_of::<Self>())
    }
}

/// The room the counts take before the gap: their size rounded up to the
/// gap's alignment of 16 (16 bytes on 64- and 32-bit targets; more under
/// loom, whose atomics are larger, which only moves the data further).
const PADDED_COUNTS: usize = mem::size_of::<Counts>().next_multiple_of(16);

pub(crate) mod sealed {
    /// The part of [`ArcLayout`](super::ArcLayout) only this crate sees.
    pub trait Sealed {
        /// What the block header puts between the counts and the length.
        type Gap: Copy;
        /// Its (uninitialised) value.
        const GAP: Self::Gap;
    }

    impl Sealed for super::Padded {
        type Gap = super::PaddedGap;
        const GAP: super::PaddedGap = super::PaddedGap([core::mem::MaybeUninit::uninit(); _]);
    }

    impl Sealed for super::Compact {
        type Gap = ();
        const GAP: () = ();
    }
}
