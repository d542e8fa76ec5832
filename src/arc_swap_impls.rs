//! arc-swap support (feature `arc-swap`): [`arc_swap::RefCnt`] for
//! [`ArcArray`] (both layouts, any allocator), so that
//! `ArcSwapAny<ArcArray<E, L>>` holds a shared array in one `AtomicPtr`,
//! and `ArcSwapAny<Option<ArcArray<E, L>>>` one that may be absent
//! (arc-swap's own `RefCnt` for `Option<T>` stores `None` as null; its
//! `ArcSwap` and `ArcSwapOption` aliases are for `Arc` only).
//!
//! `Arc<[T]>` cannot be stored at all: its pointer is two words, which no
//! `AtomicPtr` holds (arc-swap issues #27 and #83).
//!
//! # The pointer arc-swap keeps
//!
//! Not the element pointer of [`ArcArray::into_raw`], but the byte just
//! before it: the last byte of the header or of the label, strictly inside
//! the block. arc-swap keys the reference counts its readers owe by the
//! pointer's address, across every `ArcSwapAny` of every type in the
//! process, and requires that two equal pointers manage the same count
//! (`RefCnt`'s contract). The element pointer of an empty array, or of an
//! array of zero-sized elements, is one past the end of its block: the
//! address at which another allocation (from a bump arena, or a size-class
//! allocator's next slot) can start, and another type's pointer can be the
//! start of its allocation (triomphe's `ThinArc`). An address strictly
//! inside the block is no other object's.

use arc_swap::RefCnt;

use crate::{Allocator, ArcArrayBase, ArcLayout};

/// The address arc-swap stores for the element pointer `elems`: the byte
/// before it, inside the block (the module docs say why).
#[inline]
fn inner_byte<E>(elems: *const E) -> *mut u8 {
    // Wrapping: no access is made, and the byte is inside the block anyway
    // (the header comes before the elements), so the provenance of `elems`
    // covers it.
    elems.cast::<u8>().cast_mut().wrapping_sub(1)
}

/// `ArcSwapAny<ArcArrayBase<E, L, P, A>>` and
/// `ArcSwapAny<Option<ArcArrayBase<E, L, P, A>>>`: an atomically replaceable
/// shared array, whose readers take no lock and, with `load`, touch no
/// reference count (arc-swap's debts).
///
/// # Examples
///
/// ```
/// use arc_swap::ArcSwapAny;
/// use heaparray::*;
///
/// let table: ArcSwapAny<_> = ArcSwapAny::new(ArcArray::with_label("v1", 3, |_, i| i as u32));
/// let before = table.load_full(); // a handle of its own, counted
/// table.store(ArcArray::with_label("v2", 2, |_, i| 10 + i as u32));
///
/// let now = table.load(); // a guard: no count taken
/// assert_eq!((*now.get_label(), &now[..]), ("v2", &[10, 11][..]));
/// assert_eq!((*before.get_label(), &before[..]), ("v1", &[0, 1, 2][..]));
///
/// // None stored as null: `Option<ArcArray>` is one word too.
/// let maybe: ArcSwapAny<Option<ArcArray<u8>>> = ArcSwapAny::new(None);
/// assert!(maybe.load().is_none());
/// maybe.store(Some(ArcArray::new(1, |_| 7)));
/// assert_eq!(maybe.load().as_deref(), Some(&[7][..]));
/// ```
// SAFETY: `RefCnt`'s contract (arc-swap 1.9.5), clause by clause:
// - `into_ptr` keeps the strong count (`into_raw` forgets the handle),
//   `as_ptr` touches no count, `from_ptr` takes over one count without
//   touching it (`from_raw`): a count is moved, never made or lost. The
//   default `inc` (`into_ptr(clone)`) adds one count and the default `dec`
//   (`drop(from_ptr)`) releases one, so they cancel; while arc-swap owes a
//   count the block lives on the counts it does hold, as `Arc`'s.
// - `into_ptr` and `as_ptr` give the same value for the same block, with
//   the same provenance: both step back one byte from the element pointer,
//   which `into_raw` and `as_ptr` derive from the handle's block pointer
//   (no reference to the handle or the contents is involved, so
//   `from_ptr` of an `as_ptr` pointer, which arc-swap does, is as valid as
//   of an `into_ptr` one). `from_ptr` steps forward that byte and gets
//   back exactly the pointer `into_raw` gave, so `from_raw`'s contract
//   holds: the same `E`, `L`, `P`, `A` (the impl's own), and each count
//   rebuilt once, since arc-swap rebuilds a handle only for a count it
//   holds or is owed (its `from_ptr` contract). Where arc-swap re-derives
//   the pointer from its address (`as usize as *const _`, in its lock-free
//   paths), the provenance is the block's, exposed by arc-swap's own
//   `as usize` of that same pointer before.
// - Equal pointers, same count: the pointer is strictly inside the block
//   (after its first byte, since the header of counts and length comes
//   first, and before its end, since the elements come after), so it is
//   no other allocation's start, interior or one-past-the-end address; two
//   handles with the same pointer share one block and one strong count.
//   `Option<ArcArray>` forwards `TAG` and the pointer, so it shares the
//   count with `ArcArray` as it must. A block that handles of several
//   types share (a static empty block serving `default()` for every `E`,
//   where there is one) has one count for all of them, so equal pointers
//   into it manage the same count too.
//   `TAG` stays 0, as `Arc`'s: no other `RefCnt` of this crate (no weak
//   handle) shares an address.
// - Never null, never arc-swap's `NONE` (3): the elements start after the
//   header (the word of counts and the length: at least 12 bytes), so the
//   byte before them is at least five bytes into a block whose start is not
//   null; `Option`'s `None` alone is null.
// - No panic or unwind: pointer arithmetic only; `clone` (in `inc`) is a
//   relaxed increment that aborts the process on overflow (the feature
//   enables `std`, so `std::process::abort`), never panics. `dec` runs the
//   label's and the elements' destructors when it releases the last count,
//   exactly as arc-swap's own `RefCnt for Arc<T>` runs `T`'s; it can
//   unwind only if one of them panics.
// - Pinned: moving or cloning a handle never moves the block, so every
//   handle derefs to the same place while one lives.
// - `Send`/`Sync`: `ArcSwapAny` takes them from `ArcArray`'s own (it holds
//   a `PhantomData<T>`), which require `Send + Sync` elements, label and
//   allocator; nothing here adds sharing.
unsafe impl<E, L, P: ArcLayout, A: Allocator> RefCnt for ArcArrayBase<E, L, P, A> {
    /// A byte of the block (the one before the elements): arc-swap never
    /// reads through it, only compares and stores it.
    type Base = u8;

    #[inline]
    fn into_ptr(me: Self) -> *mut u8 {
        inner_byte(ArcArrayBase::into_raw(me))
    }

    #[inline]
    fn as_ptr(me: &Self) -> *mut u8 {
        inner_byte(ArcArrayBase::as_ptr(me))
    }

    /// # Safety
    ///
    /// arc-swap's: `ptr` came from `into_ptr` or `as_ptr` of a handle of
    /// this type, and one strong count is held or owed for it.
    #[inline]
    unsafe fn from_ptr(ptr: *const u8) -> Self {
        // SAFETY: `ptr` came from `into_ptr` or `as_ptr` of a handle of this
        // type whose count arc-swap holds or is owed (`RefCnt::from_ptr`'s
        // contract): one byte on is the element pointer `into_raw` of that
        // block gives, with its provenance, and the count is taken over once.
        unsafe { ArcArrayBase::from_raw(ptr.wrapping_add(1).cast::<E>()) }
    }
}
