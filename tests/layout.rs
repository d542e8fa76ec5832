//! Handle sizes and block layout: every thin handle is one word (and so is
//! its `Option`), `HeapArray` two; an `ArcArray` block keeps its counts off
//! the cache-line pair its data lives on (`REGION` bytes: 128 on x86_64), wherever the allocator puts
//! the block (checked with an allocator that places blocks at every
//! offset); parts are aligned, over-aligned types included.
#![cfg(not(any(loom, shuttle)))]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::mem::{align_of, size_of};

use heaparray::*;

/// An allocator that records, per thread, the address of the last block it
/// handed out and how many it handed out, and that places every block at a
/// chosen offset (`SHIFT`, rounded down to the block's alignment) from a
/// 128-byte boundary, to try every placement a real allocator might pick.
struct Placing;

/// The padded layout's count region: crossbeam-utils' cache-line pair for
/// the target (128 bytes on x86_64, 256 on s390x, 64 on i686).
const REGION: usize = align_of::<crossbeam_utils::CachePadded<u8>>();

/// Blocks are placed at every offset below this from a boundary aligned to
/// it; blocks aligned to more are passed to `System` unshifted.
const SLACK: usize = if REGION > 128 { REGION } else { 128 };

/// Whether blocks are placed at all. Not under Miri: the pointer a `Box` or
/// `Vec` hands back to `dealloc` carries a tag for its own bytes only, so
/// freeing the larger `System` block through it is (rightly) reported
/// there. Miri runs these tests with its own placements, which differ from
/// run to run.
const SHIFTING: bool = !cfg!(miri);

thread_local! {
    static SHIFT: Cell<usize> = const { Cell::new(0) };
    static LAST: Cell<usize> = const { Cell::new(0) };
    static ALLOCS: Cell<usize> = const { Cell::new(0) };
    static LAST_SIZE: Cell<usize> = const { Cell::new(0) };
}

fn outer(layout: Layout) -> Option<Layout> {
    Layout::from_size_align(layout.size().checked_add(SLACK)?, SLACK).ok()
}

// SAFETY: every block comes from `System`: as asked for if over-aligned or
// not shifting (and freed the same way), else shifted. A shifted block lies inside a
// `System` block `SLACK` bytes larger, aligned to `SLACK`, at an offset below
// `SLACK` that is a multiple of the requested alignment (which divides
// `SLACK`), so it is aligned and has its size; `dealloc` finds the `System`
// block again by rounding down to `SLACK`. The thread-locals are `const`
// cells without destructors: touching them never allocates.
unsafe impl GlobalAlloc for Placing {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.with(|n| n.set(n.get() + 1));
        let ptr = if layout.align() > SLACK || !SHIFTING {
            // SAFETY: the caller's contract is System's.
            unsafe { System.alloc(layout) }
        } else {
            let Some(outer) = outer(layout) else {
                return std::ptr::null_mut();
            };
            let shift = (SHIFT.with(Cell::get) % SLACK) & !(layout.align() - 1);
            // SAFETY: `outer` has a non-zero size.
            let base = unsafe { System.alloc(outer) };
            if base.is_null() {
                return base;
            }
            // SAFETY: `shift < SLACK`, inside the `System` block.
            unsafe { base.add(shift) }
        };
        LAST.with(|l| l.set(ptr.addr()));
        LAST_SIZE.with(|l| l.set(layout.size()));
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if layout.align() > SLACK || !SHIFTING {
            // SAFETY: allocated by `System` with this layout.
            unsafe { System.dealloc(ptr, layout) }
        } else {
            let base = ptr.wrapping_sub(ptr.addr() % SLACK);
            // SAFETY: `alloc` made this block from a `System` block of the
            // outer layout starting at `base` (the shift is below `SLACK`,
            // the base aligned to it).
            unsafe { System.dealloc(base, outer(layout).unwrap()) }
        }
    }
}

#[global_allocator]
static A: Placing = Placing;

/// Runs `f` with blocks placed `shift` bytes past a 128-byte boundary;
/// returns its result, the start of the last block allocated and the
/// number of allocations.
fn placed<R>(shift: usize, f: impl FnOnce() -> R) -> (R, usize, usize) {
    let old = SHIFT.with(|s| s.replace(shift));
    let n0 = ALLOCS.with(Cell::get);
    LAST.with(|l| l.set(0));
    let r = f();
    let n = ALLOCS.with(Cell::get) - n0;
    let last = LAST.with(Cell::get);
    SHIFT.with(|s| s.set(old));
    (r, last, n)
}

const WORD: usize = size_of::<usize>();
/// The counts: strong and weak in one 64-bit word at the block start, on
/// 64-bit and 32-bit targets alike.
const COUNTS: usize = 8;
/// A compact header for `Global`: the counts and the length, rounded up to
/// the counts' alignment of 8: 16 bytes on 64-bit and 32-bit targets, as
/// `ThinArc`'s count and length.
const COMPACT_HEADER: usize = 16;

fn addr<T: ?Sized>(r: &T) -> usize {
    (r as *const T).cast::<u8>().addr()
}

/// `data` sits at least `REGION` bytes past the block start and never on
/// the `REGION`-aligned line pair holding any byte of the counts.
#[track_caller]
fn off_the_counts(start: usize, data: usize, what: &str) {
    assert!(
        data >= start + REGION,
        "{what}: {} bytes from the block start",
        data - start
    );
    let last_count_byte = start + COUNTS - 1;
    assert!(
        data / REGION > last_count_byte / REGION,
        "{what} at {data:#x} shares a {REGION}-byte line pair with the counts of the block at {start:#x}"
    );
}

/// Every offset from a `SLACK`-byte boundary that an allocator can give a
/// block of this alignment.
fn shifts(align: usize) -> impl Iterator<Item = usize> {
    let end = if SHIFTING { SLACK } else { 1 };
    (0..end).step_by(align.max(1))
}

// ---------------------------------------------------------------------------
// Handle sizes

#[test]
fn heap_array_is_two_words() {
    assert_eq!(size_of::<HeapArray<u8>>(), 2 * WORD);
    assert_eq!(size_of::<Option<HeapArray<u8>>>(), 2 * WORD);
    assert_eq!(size_of::<HeapArray<String, Vec<u8>>>(), 2 * WORD);
    assert_eq!(size_of::<Option<HeapArray<Align256, Align256>>>(), 2 * WORD);
    assert_eq!(size_of::<HeapArray<(), ()>>(), 2 * WORD);
    assert_eq!(size_of::<Option<HeapArray<(), ()>>>(), 2 * WORD);
}

#[test]
fn thin_handles_are_one_word() {
    macro_rules! one_word {
        ($($t:ty),* $(,)?) => {$(
            assert_eq!(size_of::<$t>(), WORD, "{}", stringify!($t));
            assert_eq!(size_of::<Option<$t>>(), WORD, "Option<{}>", stringify!($t));
            assert_eq!(align_of::<$t>(), align_of::<usize>(), "{}", stringify!($t));
        )*};
    }
    one_word!(
        RcArray<u8>,
        WeakRcArray<u8>,
        ArcArray<u8>,
        WeakArcArray<u8>,
        UniqueArcArray<u8>,
        RcArray<String, Vec<u8>>,
        WeakRcArray<String, Vec<u8>>,
        ArcArray<String, Vec<u8>>,
        WeakArcArray<String, Vec<u8>>,
        UniqueArcArray<String, Vec<u8>>,
        RcArray<Align256, Align256>,
        WeakRcArray<Align256, Align256>,
        ArcArray<Align256, Align256>,
        WeakArcArray<Align256, Align256>,
        UniqueArcArray<Align256, Align256>,
        RcArray<(), ()>,
        WeakRcArray<(), ()>,
        ArcArray<(), ()>,
        WeakArcArray<(), ()>,
        UniqueArcArray<(), ()>,
        CompactArcArray<u8>,
        CompactWeakArcArray<u8>,
        CompactUniqueArcArray<u8>,
        CompactArcArray<Align256, Align256>,
        CompactWeakArcArray<Align256, Align256>,
        CompactUniqueArcArray<Align256, Align256>,
        CompactArcArray<(), ()>,
    );
}

#[test]
fn option_of_a_thin_handle_uses_the_niche() {
    let a: Option<ArcArray<u8>> = Some(ArcArray::new(2, |i| i as u8));
    assert_eq!(a.as_deref(), Some(&[0u8, 1][..]));
    let none: Option<ArcArray<u8>> = None;
    assert!(none.is_none());
    let w: Option<WeakArcArray<u8>> = Some(WeakArcArray::new());
    assert!(w.as_ref().is_some_and(|w| w.upgrade().is_none()));
    let r: Option<RcArray<u8>> = Some(RcArray::new(1, |_| 9));
    assert_eq!(r.as_deref(), Some(&[9u8][..]));
    let u: Option<UniqueArcArray<u8>> = Some(UniqueArcArray::new(0, |_| 0));
    assert!(u.is_some_and(|u| u.is_empty()));
    let h: Option<HeapArray<()>> = Some(HeapArray::new(3, |_| ()));
    assert_eq!(h.map(|h| h.len()), Some(3));
}

// ---------------------------------------------------------------------------
// ArcArray: the counts off the data's lines, at every block placement

/// An `ArcArray<E, L>` with `len` elements, at every placement: one
/// allocation, data and label off the counts' line pair, parts aligned.
fn arc_placements<E: Clone + Default + PartialEq + std::fmt::Debug, L: Default>(
    len: usize,
    what: &str,
) {
    // The padded counts are 16-aligned (SAFETY.md, "Padding").
    let block_align = align_of::<E>().max(align_of::<L>()).max(16);
    for shift in shifts(block_align) {
        let what = format!("{what}, block at {shift} past a {SLACK}-byte boundary");
        let (a, start, n) = placed(shift, || {
            ArcArray::<E, L>::with_label(L::default(), len, |_, _| E::default())
        });
        assert_eq!(n, 1, "{what}: one allocation");
        if block_align <= SLACK && SHIFTING {
            assert_eq!(start % SLACK, shift, "{what}: the allocator placed it");
        }
        let data = ArcArray::as_ptr(&a).addr();
        assert_eq!(data, a.as_ptr().addr());
        assert_eq!(data % align_of::<E>(), 0, "{what}: elements aligned");
        if size_of::<E>() != 0 {
            off_the_counts(start, data, &format!("{what}: the elements"));
        }
        let label = addr(a.get_label());
        assert_eq!(label % align_of::<L>(), 0, "{what}: label aligned");
        if size_of::<L>() != 0 {
            off_the_counts(start, label, &format!("{what}: the label"));
        }
        assert_eq!(a.len(), len);
        assert!(a.iter().all(|e| *e == E::default()), "{what}");

        // Clones and weak handles share the block; into_raw gives the
        // same aligned pointer back.
        let (b, _, n) = placed(shift, || (a.clone(), ArcArray::downgrade(&a)));
        assert_eq!(n, 0, "{what}: clone and downgrade allocate nothing");
        assert_eq!(ArcArray::as_ptr(&b.0).addr(), data);
        let p = ArcArray::into_raw(b.0);
        assert_eq!(p.addr(), data, "{what}: into_raw");
        // SAFETY: `p` came from `ArcArray::<E, L>::into_raw`, used once.
        let c = unsafe { ArcArray::<E, L>::from_raw(p) };
        assert!(ArcArray::ptr_eq(&a, &c), "{what}: from_raw");
        assert_eq!(addr(c.get_label()), label);
        drop((a, c, b.1));
    }
}

#[test]
fn arc_array_data_never_shares_a_line_pair_with_the_counts() {
    arc_placements::<u8, ()>(3, "ArcArray<u8>");
    arc_placements::<u8, ()>(0, "ArcArray<u8>, empty");
    arc_placements::<u64, ()>(5, "ArcArray<u64>");
    arc_placements::<u8, u8>(3, "ArcArray<u8, u8>");
    arc_placements::<u16, [u8; 3]>(4, "ArcArray<u16, [u8; 3]>");
    arc_placements::<u64, u128>(2, "ArcArray<u64, u128>");
    arc_placements::<String, String>(2, "ArcArray<String, String>");
    arc_placements::<[u64; 25], u8>(2, "ArcArray<[u64; 25], u8>");
    arc_placements::<(), u32>(7, "ArcArray<(), u32>");
    arc_placements::<u32, ()>(7, "ArcArray<u32, ()>");
}

#[test]
fn arc_array_over_aligned_parts() {
    arc_placements::<Align256, ()>(3, "ArcArray<Align256>");
    arc_placements::<u8, Align256>(3, "ArcArray<u8, Align256>");
    arc_placements::<Align256, Align256>(2, "ArcArray<Align256, Align256>");
    arc_placements::<Align128, u8>(2, "ArcArray<Align128, u8>");
    arc_placements::<u8, Align128>(2, "ArcArray<u8, Align128>");
    arc_placements::<Align64, ()>(2, "ArcArray<Align64>");
    arc_placements::<Zst256, ()>(2, "ArcArray<Zst256>");
    arc_placements::<u8, Zst256>(2, "ArcArray<u8, Zst256>");
}

/// Every way of making an `ArcArray` block keeps the layout.
#[test]
fn arc_array_layout_for_every_constructor() {
    for shift in shifts(WORD) {
        let check = |what: &str, a: &ArcArray<u32>, start: usize| {
            let what = format!("{what}, block at {shift}");
            off_the_counts(start, ArcArray::as_ptr(a).addr(), &what);
            assert_eq!(ArcArray::as_ptr(a).addr() % 4, 0, "{what}");
        };
        let (a, start, _) = placed(shift, || (0..9).filter(|x| x % 2 == 0).collect());
        check("collect, inexact", &a, start);
        assert_eq!(&*a, &[0, 2, 4, 6, 8]);
        let (a, start, _) = placed(shift, || ArcArray::from(vec![1, 2, 3]));
        check("from vec", &a, start);
        let (a, start, _) = placed(shift, || ArcArray::from(&[4, 5][..]));
        check("from slice", &a, start);
        let h = HeapArray::new(3, |i| i as u32);
        let (a, start, _) = placed(shift, || ArcArray::from(h));
        check("from HeapArray", &a, start);
        assert_eq!(&*a, &[0, 1, 2]);
        let (u, start, _) = placed(shift, || UniqueArcArray::new(4, |i| i as u32));
        let before = u.as_ptr();
        let a = u.shareable();
        assert_eq!(ArcArray::as_ptr(&a), before, "shareable does not move");
        check("UniqueArcArray::shareable", &a, start);
        let mut a = a;
        let b = a.clone();
        let (_, start, n) = placed(shift, || {
            ArcArray::make_mut(&mut a)[0] = 7;
        });
        assert_eq!(n, 1, "make_mut while shared copies once");
        check("make_mut copy", &a, start);
        assert_eq!((a[0], b[0]), (7, 0));
        let w = ArcArray::downgrade(&b);
        let (u, start, _) = placed(shift, || ArcArray::try_unique(b).ok().unwrap());
        assert!(w.upgrade().is_none());
        check("try_unique with a weak handle", &u.shareable(), start);
    }
}

// ---------------------------------------------------------------------------
// The compact layout

/// `n` rounded up to a multiple of `align`.
fn round_up(n: usize, align: usize) -> usize {
    n.div_ceil(align) * align
}

/// The block size the allocator is asked for, for a block made by `f`.
fn block_size<R>(f: impl FnOnce() -> R) -> usize {
    let (r, _, n) = placed(0, f);
    assert_eq!(n, 1, "one allocation");
    drop(r);
    LAST_SIZE.with(Cell::get)
}

#[test]
fn compact_block_is_counts_length_label_elements() {
    // The counts (one 64-bit word), len, the label, the elements: nothing
    // else, at every placement, in one allocation.
    assert_eq!(COMPACT_HEADER, round_up(COUNTS + WORD, 8));
    for shift in shifts(8) {
        let (a, start, n) = placed(shift, || CompactArcArray::new(4, |i| i as u64));
        assert_eq!(n, 1);
        assert_eq!(ArcArrayBase::as_ptr(&a).addr(), start + COMPACT_HEADER);
        let (b, start, _) = placed(shift, || {
            CompactArcArray::with_label(1u8, 3, |_, i| i as u16)
        });
        assert_eq!(addr(b.get_label()), start + COMPACT_HEADER);
        assert_eq!(b.as_ptr().addr(), start + COMPACT_HEADER + 2);
        assert_eq!(&*b, &[0, 1, 2]);
        let (u, start, _) = placed(shift, || {
            CompactUniqueArcArray::with_label(7u32, 2, |_, i| i as u8)
        });
        assert_eq!(addr(u.get_label()), start + COMPACT_HEADER);
        assert_eq!(u.as_ptr().addr(), start + COMPACT_HEADER + 4);
        let (c, _, n) = placed(shift, || (a.clone(), ArcArrayBase::downgrade(&a)));
        assert_eq!(n, 0, "clone and downgrade allocate nothing");
        drop(c);
    }
}

#[test]
fn compact_parts_are_aligned() {
    let a = CompactArcArray::with_label(Align256(1), 2, |_, i| Align256(i as u64));
    assert_eq!(ArcArrayBase::as_ptr(&a).addr() % 256, 0, "elements");
    assert_eq!(addr(a.get_label()) % 256, 0, "label");
    let b = CompactArcArray::with_label(1u8, 2, |_, i| Align128(i as u8));
    assert_eq!(b.as_ptr().addr() % 128, 0);
    let p = ArcArrayBase::into_raw(a);
    assert_eq!(p.addr() % 256, 0, "into_raw stays aligned");
    // SAFETY: from `CompactArcArray::<Align256, Align256>::into_raw`, once.
    let a = unsafe { CompactArcArray::<Align256, Align256>::from_raw(p) };
    assert_eq!((*a.get_label(), a[1]), (Align256(1), Align256(1)));
}

/// The padded region is crossbeam-utils' `CachePadded` alignment, whatever
/// the target (run on i686 and s390x by ci/miri.sh): the length starts
/// there, and on s390x, whose cache lines are 256 bytes, the region is 256.
#[test]
fn the_padded_region_is_crossbeams_cache_line_pair() {
    let expected = if cfg!(any(
        target_arch = "x86_64",
        target_arch = "aarch64",
        target_arch = "powerpc64"
    )) {
        128
    } else if cfg!(target_arch = "s390x") {
        256
    } else {
        REGION
    };
    assert_eq!(REGION, expected);
    assert!(REGION >= 16 && REGION.is_power_of_two());
    // The elements of an `ArcArray<u8>` start right after `len`, which
    // starts the region's end: the header is `REGION + WORD` rounded up to
    // 16, and the first element follows it.
    let (a, start, n) = placed(0, || ArcArray::new(3, |i| i as u8));
    assert_eq!(n, 1);
    let offset = ArcArray::as_ptr(&a).addr() - start;
    assert_eq!(offset, round_up(REGION + WORD, 16), "ArcArray<u8>");
    if cfg!(target_arch = "x86_64") {
        assert_eq!(offset, 144);
    }
    // The compact layout does not depend on it.
    let (c, start, _) = placed(0, || CompactArcArray::new(3, |i| i as u8));
    assert_eq!(ArcArrayBase::as_ptr(&c).addr() - start, COMPACT_HEADER);
}

#[test]
fn block_sizes_of_the_two_layouts() {
    // What the allocator is asked for: the header, then 0, 4 or 1000
    // `u64`. Padded: `REGION` bytes of counts and gap, then `len`, the
    // header rounded up to its alignment of 16 (SAFETY.md, "Padding"): 144
    // bytes on x86_64. Compact: 16 bytes.
    let padded_header = round_up(REGION + WORD, 16);
    let compact_header = COMPACT_HEADER;
    for len in [0, 4, 1000] {
        let elems = 8 * len;
        let padded = block_size(|| ArcArray::new(len, |i| i as u64));
        let compact = block_size(|| CompactArcArray::new(len, |i| i as u64));
        assert_eq!(padded, padded_header + elems, "padded, {len}");
        assert_eq!(compact, compact_header + elems, "compact, {len}");
    }
    // Collected and unique blocks have the same sizes.
    let collected = block_size(|| (0..4u64).collect::<CompactArcArray<u64>>());
    assert_eq!(collected, compact_header + 32);
    let unique = block_size(|| CompactUniqueArcArray::<u64>::new(4, |i| i as u64));
    assert_eq!(unique, collected);
    // A handle and its block, for a small array: on 64-bit targets, less
    // than `Arc<[T]>`'s two-word handle and its block (two counts of a
    // word each, then the elements), by the word the handle saves. (On
    // 32-bit targets the 64-bit word of counts and its alignment cost 8
    // bytes of header that std's two 4-byte counts do not, and the handle
    // saves 4: 4 bytes more in all.) The padded layout pays its gap.
    for len in [0, 1, 4] {
        if WORD != 8 {
            break;
        }
        let ours = size_of::<CompactArcArray<u64>>()
            + block_size(|| CompactArcArray::new(len, |i| i as u64));
        let elems = vec![0u64; len];
        let std = size_of::<std::sync::Arc<[u64]>>()
            + block_size(|| std::sync::Arc::<[u64]>::from(elems.as_slice()));
        assert_eq!(
            ours + WORD,
            std,
            "{len} elements: {ours} bytes against {std}"
        );
    }
}

// ---------------------------------------------------------------------------
// HeapArray, RcArray and UniqueArcArray blocks

#[test]
fn heap_array_block_is_label_then_elements() {
    // "The block holds the label, then the elements at their alignment;
    // nothing else."
    for shift in shifts(8) {
        let (a, start, n) = placed(shift, || HeapArray::new(3, |i| i as u8));
        assert_eq!(n, 1);
        assert_eq!(a.as_ptr().addr(), start);
        let (b, start, _) = placed(shift, || HeapArray::with_label(1u8, 3, |_, i| i as u64));
        assert_eq!(addr(b.get_label()), start);
        // The one-byte label is padded to u64's alignment: 8, or 4 on i686.
        assert_eq!(b.as_ptr().addr(), start + core::mem::align_of::<u64>());
        let (c, start, _) = placed(shift, || HeapArray::with_label(1u32, 3, |_, i| i as u8));
        assert_eq!(c.as_ptr().addr(), start + 4);
        assert_eq!(&*c, &[0, 1, 2]);
    }
}

#[test]
fn rc_array_block_is_counts_length_label_elements() {
    // "The block holds the strong and weak counts and the length (three
    // words), the allocator (no byte for Global), the label, then the
    // elements."
    for shift in shifts(WORD) {
        let (a, start, n) = placed(shift, || RcArray::new(3, |i| i as u8));
        assert_eq!(n, 1);
        assert_eq!(a.as_ptr().addr(), start + 3 * WORD);
        let (b, start, _) = placed(shift, || RcArray::with_label(1u8, 3, |_, i| i as u8));
        assert_eq!(addr(b.get_label()), start + 3 * WORD);
        assert_eq!(b.as_ptr().addr(), start + 3 * WORD + 1);
        let (_, _, n) = placed(shift, || b.clone());
        assert_eq!(n, 0);
    }
}

#[test]
fn unique_arc_array_has_the_arc_layout() {
    for shift in shifts(WORD) {
        let (u, start, n) = placed(shift, || {
            UniqueArcArray::with_label(3u8, 4, |_, i| i as u16)
        });
        assert_eq!(n, 1);
        off_the_counts(start, u.as_ptr().addr(), "UniqueArcArray elements");
        off_the_counts(start, addr(u.get_label()), "UniqueArcArray label");
        let a = UniqueArcArray::with_label(3u8, 4, |_, i| i as u16).shareable();
        assert_eq!(
            ArcArray::as_ptr(&a).addr() - addr(a.get_label()),
            u.as_ptr().addr() - addr(u.get_label()),
            "the same offsets"
        );
    }
}

#[test]
fn parts_are_aligned_for_every_handle() {
    let h = HeapArray::with_label(Align256(1), 2, |_, i| Align256(i as u64));
    let r = RcArray::with_label(Align256(1), 2, |_, i| Align256(i as u64));
    let a = ArcArray::with_label(Align256(1), 2, |_, i| Align256(i as u64));
    let u = UniqueArcArray::with_label(Align256(1), 2, |_, i| Align256(i as u64));
    for (what, elems, label) in [
        ("HeapArray", h.as_ptr(), addr(h.get_label())),
        ("RcArray", r.as_ptr(), addr(r.get_label())),
        ("ArcArray", a.as_ptr(), addr(a.get_label())),
        ("UniqueArcArray", u.as_ptr(), addr(u.get_label())),
    ] {
        assert_eq!(elems.addr() % 256, 0, "{what}: elements");
        assert_eq!(label % 256, 0, "{what}: label");
    }
    let p = ArcArray::into_raw(a);
    assert_eq!(p.addr() % 256, 0, "into_raw stays aligned");
    // SAFETY: from `ArcArray::<Align256, Align256>::into_raw`, used once.
    let a = unsafe { ArcArray::<Align256, Align256>::from_raw(p) };
    assert_eq!(*a.get_label(), Align256(1));
    assert_eq!(a[1], Align256(1));
}

#[test]
fn weak_handles_allocate_nothing() {
    let (w, _, n) = placed(0, WeakArcArray::<u64>::new);
    assert_eq!(n, 0);
    assert!(w.upgrade().is_none());
    let a = ArcArray::new(2, |i| i as u64);
    let (w2, _, n) = placed(0, || (ArcArray::downgrade(&a), w.clone()));
    assert_eq!(n, 0);
    let (up, _, n) = placed(0, || w2.0.upgrade());
    assert_eq!(n, 0);
    assert!(ArcArray::ptr_eq(&a, &up.unwrap()));
}

/// Over-aligned element types of several sizes.
#[repr(align(128))]
#[derive(Clone, Default, PartialEq, Debug)]
struct Align128(u8);

#[repr(align(64))]
#[derive(Clone, Default, PartialEq, Debug)]
struct Align64(u8);

/// A zero-sized type aligned to 256 bytes.
#[repr(align(256))]
#[derive(Clone, Default, PartialEq, Debug)]
struct Zst256;

/// An element or label aligned to 256 bytes (as `tests/common`'s; this
/// file has its own allocator, so it does not use that module).
#[repr(align(256))]
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Align256(u64);

// ---------------------------------------------------------------------------
// The allocator in the block

/// A non-zero-sized allocator of `N` words that forwards to the global one
/// (so `placed` and `block_size` see its blocks).
#[derive(Clone, Copy)]
struct Words<const N: usize>([usize; N]);

// SAFETY: forwards every call to `Global`, which returns its own blocks.
unsafe impl<const N: usize> Allocator for Words<N> {
    fn allocate(&self, layout: Layout) -> Result<std::ptr::NonNull<[u8]>, AllocError> {
        Global.allocate(layout)
    }
    unsafe fn deallocate(&self, ptr: std::ptr::NonNull<u8>, layout: Layout) {
        // SAFETY: `ptr` came from `Global` with `layout` (the caller's
        // promise for this allocator, which forwards to `Global`).
        unsafe { Global.deallocate(ptr, layout) }
    }
}

#[test]
fn handles_stay_thin_for_any_allocator() {
    fn thin<T>() {
        assert_eq!(size_of::<T>(), WORD, "{}", std::any::type_name::<T>());
        assert_eq!(size_of::<Option<T>>(), WORD);
    }
    fn check<A: Allocator>() {
        thin::<ArcArray<u64, String, A>>();
        thin::<CompactArcArray<u64, String, A>>();
        thin::<WeakArcArray<u64, String, A>>();
        thin::<CompactUniqueArcArray<u64, String, A>>();
        thin::<RcArray<u64, String, A>>();
        assert_eq!(size_of::<HeapArray<u64, String, A>>(), 2 * WORD);
        assert_eq!(size_of::<Option<HeapArray<u64, String, A>>>(), 2 * WORD);
    }
    check::<Global>();
    check::<&bumpalo::Bump>();
    check::<Words<3>>();
    check::<Words<40>>();
}

#[test]
fn a_zero_sized_allocator_costs_no_byte_and_the_padded_gap_holds_a_small_one() {
    let padded_header = round_up(REGION + WORD, 16);
    // The padded front holds the 8 bytes of counts and then the
    // allocator, within the region when it fits.
    let room = REGION - COUNTS;
    for len in [0, 4] {
        let elems = WORD * len;
        assert_eq!(
            block_size(|| ArcArray::new(len, |i| i)),
            padded_header + elems
        );
        assert_eq!(
            block_size(|| ArcArray::new_in(len, |i| i, Words::<1>([0]))),
            padded_header + elems,
            "a one-word allocator lives in the gap"
        );
        if room >= 3 * WORD {
            let words = block_size(|| ArcArray::new_in(len, |i| i, Words([0; 3])));
            assert_eq!(words, padded_header + elems, "a 24-byte allocator too");
        }
        // Compact: 16 bytes for `Global`; an allocator goes between the
        // counts and the length.
        assert_eq!(
            block_size(|| CompactArcArray::new(len, |i| i)),
            COMPACT_HEADER + elems
        );
        let compact = block_size(|| CompactArcArray::new_in(len, |i| i, Words([0; 3])));
        assert_eq!(
            compact,
            round_up(round_up(COUNTS + 3 * WORD, 8) + WORD, 8) + elems
        );
        // HeapArray: the allocator, then the label and elements.
        let heap = block_size(|| HeapArray::with_label_in(1usize, len, |_, i| i, Words([0])));
        assert_eq!(heap, 2 * WORD + elems);
        // RcArray: strong and weak counts, length, allocator.
        let rc = block_size(|| RcArray::new_in(len, |i| i, Words([0; 2])));
        assert_eq!(rc, 5 * WORD + elems);
    }
    // An allocator too large for the gap moves the length further out: the
    // data still starts past the region.
    let big = Words::<40>([0; 40]);
    let (a, start, _) = placed(0, || ArcArray::new_in(2, |i| i, big));
    let data = ArcArray::as_ptr(&a).addr();
    assert!(
        data - start >= COUNTS + 40 * WORD + WORD,
        "after the counts, allocator and len"
    );
    assert!(data - start >= REGION);
    off_the_counts(start, data, "a 40-word allocator");
}
