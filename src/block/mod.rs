//! The raw block every handle is built on: a header `H`, a label `L` and
//! `[E; len]` in one allocation. Layout math (checked), allocation and
//! deallocation, pointers to each part, dropping and moving contents. Most
//! of the crate's raw-pointer code lives in this module's three rooms: this
//! file, `builder.rs` ([`Builder`], the one panic-safe, fallible way to
//! fill and grow a block in sequence) and `parallel.rs` (rayon's fill and
//! collect into the slots, which uses the builder, never the reverse).
//!
//! ```text
//! offset 0            label_offset        elems_offset
//! | header: H  (pad) | label: L  (pad)   | E | E | E | ... (len)
//! ```
//!
//! The header holds whatever the handle needs before the label (reference
//! counts, the length); `HeapArray` keeps its length in the handle and uses
//! `H = ()`. Offsets depend on `H`, `L` and `E` only, never on the length,
//! so a pointer to the first element (`into_raw`) leads back to the block.

use core::alloc::Layout;
use core::marker::PhantomData;
use core::mem;
use core::ptr::{self, NonNull};

use crate::allocation::{capacity_overflow, Allocator, TryReserveError};

mod builder;
mod into_iter;
#[cfg(feature = "rayon")]
mod parallel;

pub(crate) use builder::{
    build, clone_contents, try_collect, try_fill, try_fill_exact, try_uninit, Builder, FromBuilder,
};
pub(crate) use into_iter::IntoIter;
#[cfg(feature = "rayon")]
pub(crate) use parallel::{try_par_collect, try_par_fill};

/// The address of a weak handle that never had a block
/// (`WeakArcArray::new`, `WeakRcArray::new`, as std's `Weak::new`):
/// `usize::MAX`, without provenance, never dereferenced. No block is ever
/// there: the blocks of the handles with weak counts hold their counts, so
/// their layout is never of size zero (no [`Block::dangling`] address) and
/// is aligned to a `usize` at least; an allocation of a word or more
/// starting at the last address would run past the end of the address
/// space.
#[inline]
pub(crate) fn no_block() -> NonNull<u8> {
    NonNull::new(ptr::without_provenance_mut(usize::MAX)).unwrap_or(NonNull::dangling())
}

/// What a handle keeps at the start of its block: its counts or length, and
/// the allocator the block came from, which the last owner moves out to
/// free the block with.
pub(crate) trait Header {
    /// The allocator the block was allocated with.
    type Alloc: Allocator;

    /// The allocator's place inside the header.
    ///
    /// # Safety
    ///
    /// `header` points to the header of an allocated block (initialised or
    /// not: the result is only a place).
    unsafe fn alloc(header: *mut Self) -> *mut Self::Alloc;

    /// Frees a block of this header as its last owner does, once its
    /// contents are dropped or moved out: [`Block::dispose`] for a header
    /// with no counts (the default); the counted headers first mark the
    /// end of their counts' life (`ArcHeader`: `Counts::before_free`, which
    /// loom checks).
    ///
    /// # Safety
    ///
    /// As [`Block::dispose`]: the header is initialised, the block was
    /// allocated (or last resized) from the allocator in it for `cap`
    /// elements, and the caller holds the last owner's right to the block
    /// (the last count of any kind) and does not use it afterwards.
    unsafe fn free_block<L, E>(block: Block<Self, L, E>, cap: usize)
    where
        Self: Sized,
    {
        // SAFETY: the caller's promises are `dispose`'s.
        unsafe { block.dispose(cap) }
    }
}

/// The block of a header `H`, a label `L` and elements `E`, addressed by a
/// pointer to its first byte. `Copy`: it is an address, not an owner; the
/// handles decide who frees it.
///
/// Invariants the rest of the crate relies on (SAFETY.md, "The block"):
/// - `ptr` is aligned to [`Block::align`] and, unless the block's layout has
///   size zero, came from its allocator (the one its header holds once it
///   is finished, its [`Builder`]'s before) with the layout
///   [`Block::layout`] gives for the block's capacity;
/// - every part pointer is derived from `ptr` by an in-bounds offset, so it
///   carries the provenance of the whole allocation.
pub(crate) struct Block<H, L, E> {
    ptr: NonNull<u8>,
    _parts: PhantomData<(*const H, *const L, *const E)>,
}

impl<H, L, E> Clone for Block<H, L, E> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<H, L, E> Copy for Block<H, L, E> {}

impl<H, L, E> Block<H, L, E> {
    /// Header then label: the part of the layout that does not depend on
    /// the length. Never fails for types that exist (their sizes are at most
    /// `isize::MAX`), but is checked anyway.
    #[inline]
    fn prefix() -> (Layout, usize) {
        match Layout::new::<H>().extend(Layout::new::<L>()) {
            Ok(prefix) => prefix,
            Err(_) => capacity_overflow(),
        }
    }

    /// Byte offset of the label from the block start.
    #[inline]
    pub(crate) fn label_offset() -> usize {
        Self::prefix().1
    }

    /// Byte offset of the first element from the block start: the prefix
    /// rounded up to `E`'s alignment. Independent of the length.
    #[inline]
    pub(crate) fn elems_offset() -> usize {
        let size = Self::prefix().0.size();
        let align = mem::align_of::<E>();
        // Cannot overflow: `size` is at most isize::MAX and `align` a power
        // of two at most 2^29.
        (size + align - 1) & !(align - 1)
    }

    /// The alignment of the block: the largest of `H`, `L` and `E`'s.
    #[inline]
    pub(crate) fn align() -> usize {
        Self::prefix().0.align().max(mem::align_of::<E>())
    }

    /// The layout of a block with room for `cap` elements, or
    /// `CapacityOverflow` if it would exceed `isize::MAX` bytes.
    #[inline]
    pub(crate) fn try_layout(cap: usize) -> Result<Layout, TryReserveError> {
        let (prefix, _) = Self::prefix();
        match Layout::array::<E>(cap).and_then(|elems| prefix.extend(elems)) {
            Ok((layout, _)) => Ok(layout),
            Err(_) => Err(TryReserveError::CapacityOverflow),
        }
    }

    /// The layout of a block with room for `cap` elements.
    ///
    /// # Panics
    ///
    /// "capacity overflow" if the block would exceed `isize::MAX` bytes.
    #[inline]
    #[track_caller]
    pub(crate) fn layout(cap: usize) -> Layout {
        match Self::try_layout(cap) {
            Ok(layout) => layout,
            Err(_) => capacity_overflow(),
        }
    }

    /// Whether a block for `cap` elements stays within `isize::MAX` bytes.
    #[inline]
    pub(crate) fn fits(cap: usize) -> bool {
        Layout::array::<E>(cap)
            .and_then(|elems| Self::prefix().0.extend(elems))
            .is_ok()
    }

    /// An aligned, dangling address standing for a block of size zero (only
    /// possible when `H`, `L` and `E` are all zero-sized).
    #[inline]
    fn dangling() -> NonNull<u8> {
        // `align()` is a non-zero power of two, so the pointer is non-null.
        NonNull::new(ptr::without_provenance_mut(Self::align())).unwrap_or(NonNull::dangling())
    }

    /// A block at `ptr`.
    #[inline]
    fn at(ptr: NonNull<u8>) -> Self {
        Block {
            ptr,
            _parts: PhantomData,
        }
    }

    /// Allocates an uninitialised block for `cap` elements from `alloc`,
    /// zeroed if `zeroed` (through `Allocator::allocate_zeroed`: for the
    /// global allocator that is `calloc`, whose fresh pages come zeroed from
    /// the OS with no write pass).
    ///
    /// # Errors
    ///
    /// `CapacityOverflow` before asking the allocator if the layout
    /// overflows; `AllocError` if the allocator fails. Nothing is allocated
    /// then.
    pub(crate) fn try_allocate<A: Allocator>(
        cap: usize,
        alloc: &A,
        zeroed: bool,
    ) -> Result<Self, TryReserveError> {
        let layout = Self::try_layout(cap)?;
        if layout.size() == 0 {
            return Ok(Self::at(Self::dangling()));
        }
        let memory = if zeroed {
            alloc.allocate_zeroed(layout)
        } else {
            alloc.allocate(layout)
        };
        match memory {
            Ok(memory) => Ok(Self::at(memory.cast())),
            Err(_) => Err(TryReserveError::AllocError { layout }),
        }
    }

    /// Resizes the allocation from room for `old_cap` elements to `new_cap`,
    /// keeping the bytes both layouts share (header, label, elements).
    ///
    /// # Safety
    ///
    /// - `self` was allocated (or last resized) from `alloc` for `old_cap`
    ///   elements;
    /// - `new_cap`'s layout, if it fits, has a non-zero size (a block that
    ///   shrinks to nothing is freed by its owner, which must stop owning
    ///   it first: see `Builder::try_finish`);
    /// - on `Ok`, `self` is not used afterwards: the returned block
    ///   replaces it.
    ///
    /// # Errors
    ///
    /// `CapacityOverflow` if `new_cap`'s layout overflows, `AllocError` if
    /// the allocator cannot grow or shrink the block; `self` is then
    /// untouched and still valid for `old_cap`.
    pub(crate) unsafe fn try_resize<A: Allocator>(
        self,
        old_cap: usize,
        new_cap: usize,
        alloc: &A,
    ) -> Result<Self, TryReserveError> {
        let old = Self::layout(old_cap);
        let new = Self::try_layout(new_cap)?;
        debug_assert!(new.size() != 0, "try_resize to an empty layout");
        if old.size() == new.size() {
            return Ok(self);
        }
        if old.size() == 0 {
            return Self::try_allocate(new_cap, alloc, false);
        }
        // SAFETY:
        // - `self.ptr` was allocated from `alloc` with `old` (caller);
        // - `old` and `new` have the same alignment, and `new` is larger
        //   for `grow`, smaller for `shrink`.
        let resized = unsafe {
            if new.size() > old.size() {
                alloc.grow(self.ptr, old, new)
            } else {
                alloc.shrink(self.ptr, old, new)
            }
        };
        match resized {
            Ok(memory) => Ok(Self::at(memory.cast())),
            Err(_) => Err(TryReserveError::AllocError { layout: new }),
        }
    }

    /// Frees the block without dropping anything in it.
    ///
    /// # Safety
    ///
    /// - `self` was allocated (or last resized) from `alloc` for `cap`
    ///   elements;
    /// - nothing uses the block afterwards.
    pub(crate) unsafe fn deallocate<A: Allocator>(self, cap: usize, alloc: &A) {
        let layout = Self::layout(cap);
        if layout.size() != 0 {
            // SAFETY: `ptr` came from `alloc` with `layout` (the caller's
            // first promise, and the type's invariant).
            unsafe { alloc.deallocate(self.ptr, layout) };
        }
    }

    /// The block start, as a pointer to the header.
    #[inline]
    pub(crate) fn header(self) -> *mut H {
        self.ptr.as_ptr().cast()
    }

    /// A pointer to the label, with provenance over the whole block.
    #[inline]
    pub(crate) fn label(self) -> *mut L {
        self.ptr.as_ptr().wrapping_add(Self::label_offset()).cast()
    }

    /// A pointer to the first element (one past the label if `len == 0`),
    /// aligned for `E`, with provenance over the whole block.
    #[inline]
    pub(crate) fn elems(self) -> *mut E {
        self.ptr.as_ptr().wrapping_add(Self::elems_offset()).cast()
    }

    /// The block start, for handles that store it.
    #[inline]
    pub(crate) fn as_non_null(self) -> NonNull<u8> {
        self.ptr
    }

    /// Rebuilds the block from the pointer [`Block::as_non_null`] gave.
    ///
    /// # Safety
    ///
    /// `ptr` came from `as_non_null` of a block of the same `H`, `L`, `E`.
    #[inline]
    pub(crate) unsafe fn from_non_null(ptr: NonNull<u8>) -> Self {
        Self::at(ptr)
    }

    /// Rebuilds the block from the pointer [`Block::elems`] gave.
    ///
    /// # Safety
    ///
    /// `elems` came from `elems()` of a live block of the same `H`, `L`, `E`.
    #[inline]
    pub(crate) unsafe fn from_elems(elems: *const E) -> Self {
        // SAFETY: `elems` is `elems_offset()` bytes into the block it came
        // from (caller), so stepping back stays in bounds and yields the
        // original, non-null block pointer with its provenance.
        let ptr = unsafe { elems.cast::<u8>().cast_mut().sub(Self::elems_offset()) };
        // SAFETY: the original block start, which is non-null.
        let ptr = unsafe { NonNull::new_unchecked(ptr) };
        Self::at(ptr)
    }

    /// The elements as a slice.
    ///
    /// # Safety
    ///
    /// - the first `len` elements are initialised;
    /// - for `'a`, nothing writes them or frees the block.
    #[inline]
    pub(crate) unsafe fn elements<'a>(self, len: usize) -> &'a [E] {
        // SAFETY: `elems()` is aligned and non-null; the first `len`
        // elements are initialised and unaliased by writers for 'a (caller).
        unsafe { core::slice::from_raw_parts(self.elems(), len) }
    }

    /// The elements as a mutable slice.
    ///
    /// # Safety
    ///
    /// - the first `len` elements are initialised;
    /// - for `'a`, nothing else reads or writes them or frees the block.
    #[inline]
    pub(crate) unsafe fn elements_mut<'a>(self, len: usize) -> &'a mut [E] {
        // SAFETY: as `elements`, and exclusive for 'a (caller).
        unsafe { core::slice::from_raw_parts_mut(self.elems(), len) }
    }

    /// The label by shared reference.
    ///
    /// # Safety
    ///
    /// The label is initialised and, for `'a`, not written or freed.
    #[inline]
    pub(crate) unsafe fn label_ref<'a>(self) -> &'a L {
        // SAFETY: `label()` is aligned, non-null and initialised (caller).
        unsafe { &*self.label() }
    }

    /// The label by mutable reference.
    ///
    /// # Safety
    ///
    /// The label is initialised and, for `'a`, not otherwise accessed.
    #[inline]
    pub(crate) unsafe fn label_mut<'a>(self) -> &'a mut L {
        // SAFETY: as `label_ref`, and exclusive for 'a (caller).
        unsafe { &mut *self.label() }
    }

    /// Drops the label and the first `len` elements in place, then runs
    /// `then` with the block (to free it, or release a count that may free
    /// it), even if a destructor panics: a panicking element destructor
    /// still drops the other elements and the label (a second panic aborts,
    /// as in std) and never leaks the block.
    ///
    /// # Safety
    ///
    /// The label and the first `len` elements are initialised, no reference
    /// to them is live, and they are not used (or dropped) again.
    pub(crate) unsafe fn drop_contents_then(self, len: usize, then: impl FnOnce(Self)) {
        // SAFETY: the caller's promise, for the elements `0..len`.
        unsafe { self.drop_range_then(0, len, then) }
    }

    /// As [`Block::drop_contents_then`], for the elements `start..end`
    /// only (those an [`IntoIter`] has not yet moved out): drops them, then
    /// the label, then runs `then` with the block, even if a destructor
    /// panics.
    ///
    /// # Safety
    ///
    /// `start <= end`; the label and the elements `start..end` are
    /// initialised, no reference to them is live, and they are not used
    /// (or dropped) again.
    unsafe fn drop_range_then(self, start: usize, end: usize, then: impl FnOnce(Self)) {
        /// Runs `then` on the way out, by return or by unwind.
        struct Then<H, L, E, F: FnOnce(Block<H, L, E>)>(Block<H, L, E>, Option<F>);
        impl<H, L, E, F: FnOnce(Block<H, L, E>)> Drop for Then<H, L, E, F> {
            fn drop(&mut self) {
                if let Some(then) = self.1.take() {
                    then(self.0);
                }
            }
        }
        /// Drops the label on the way out, after the elements.
        struct DropLabel<L>(*mut L);
        impl<L> Drop for DropLabel<L> {
            fn drop(&mut self) {
                // SAFETY: the label is initialised and dropped only here
                // (the caller's promise).
                unsafe { ptr::drop_in_place(self.0) }
            }
        }
        let _then = Then(self, Some(then));
        let _label = DropLabel(self.label());
        // In bounds: `start <= end` and the block holds at least `end`
        // elements (caller), so the offset stays inside the allocation
        // (or is zero bytes, for zero-sized elements or `start == 0`).
        let first = self.elems().wrapping_add(start);
        let elems = ptr::slice_from_raw_parts_mut(first, end - start);
        // SAFETY: the elements `start..end` are initialised and unused
        // hereafter (caller); `drop_in_place` on a slice keeps dropping the
        // rest if one panics.
        unsafe { ptr::drop_in_place(elems) }
    }

    /// Moves the label and the first `len` elements bitwise into a new block
    /// allocated from `alloc`, whose header the caller then writes
    /// ([`Block::write_header`]). The old block's contents are then
    /// logically uninitialised: the caller frees it without dropping them.
    ///
    /// # Safety
    ///
    /// The label and the first `len` elements of `self` are initialised and
    /// nothing else reads or writes them, now or later (unless this fails).
    ///
    /// # Errors
    ///
    /// As [`Block::try_allocate`]; nothing has been moved then, and `self`
    /// is as it was.
    pub(crate) unsafe fn try_move_contents<H2, A: Allocator>(
        self,
        len: usize,
        alloc: &A,
    ) -> Result<Block<H2, L, E>, TryReserveError> {
        let new = Block::<H2, L, E>::try_allocate(len, alloc, false)?;
        // SAFETY: the sources are initialised and ours to move (caller); the
        // destinations are freshly allocated with room for a label and
        // `len` elements, aligned, and do not overlap the sources.
        unsafe {
            ptr::copy_nonoverlapping(self.label(), new.label(), 1);
            ptr::copy_nonoverlapping(self.elems(), new.elems(), len);
        }
        Ok(new)
    }

    /// Writes the header of a block whose header is not initialised (a
    /// fresh block, or one its contents were just moved into).
    ///
    /// # Safety
    ///
    /// The block is allocated and its header slot holds no value that
    /// still needs dropping.
    #[inline]
    pub(crate) unsafe fn write_header(self, header: H) {
        // SAFETY: the header slot at offset 0 is inside the block and
        // aligned (the block's alignment covers `H`'s); nothing is
        // overwritten that needed dropping (caller).
        unsafe { self.header().write(header) }
    }
}

impl<H: Header, L, E> Block<H, L, E> {
    /// The allocator the block came from, kept in its header.
    ///
    /// # Safety
    ///
    /// The header is initialised and, for `'a`, the allocator is not moved
    /// out (the block is not freed).
    #[inline]
    pub(crate) unsafe fn allocator<'a>(self) -> &'a H::Alloc {
        // SAFETY: the header, and so the allocator in it, is initialised
        // and stays in place for 'a (caller); it is only ever read through
        // shared references until the last owner moves it out.
        unsafe { &*H::alloc(self.header()) }
    }

    /// Frees the block with the allocator its header holds: moves the
    /// allocator out, frees the block with it, then drops it. Nothing else
    /// in the block is dropped.
    ///
    /// # Safety
    ///
    /// - the header is initialised and the block was allocated (or last
    ///   resized) from that allocator for `cap` elements;
    /// - the caller holds the last owner's right to the block, and nothing
    ///   uses it afterwards.
    pub(crate) unsafe fn dispose(self, cap: usize) {
        // SAFETY: the allocator is initialised, and read exactly once: the
        // block, which held it, is freed next and never read again.
        let alloc = unsafe { H::alloc(self.header()).read() };
        // SAFETY: allocated from `alloc` for `cap` (caller). If the
        // allocator's `deallocate` panics, `alloc` still drops, once.
        unsafe { self.deallocate(cap, &alloc) };
    }

    /// Moves a finished block's contents to room for `new_cap` elements
    /// through the `grow` or `shrink` of the allocator in its header: the
    /// resize of a block that a handle owns (`UniqueArcArray`'s growth),
    /// where [`Builder::try_resize`] is a builder's.
    ///
    /// The allocator is moved out of the header for the call, since the
    /// call may free the memory it sits in, and written back into the
    /// block that holds the contents afterwards (the returned one, or this
    /// one on `Err`) over the bytes `grow` copied, which are never dropped:
    /// any state the allocator changed during the call is kept.
    ///
    /// If the allocator unwinds out of the call, nothing may touch this
    /// block again: the allocator may have freed it before it panicked.
    /// With `abort_on_unwind`, for a handle borrowed by `&mut` (which its
    /// owner gets back if it catches the panic, still pointing at this
    /// block, and cannot be left pointing nowhere), the process aborts.
    /// Without it, for a caller that has let go of the block (a handle
    /// consumed by value), the unwind leaks the contents, as a builder's
    /// does (`Builder::try_resize`).
    ///
    /// # Safety
    ///
    /// - the header is initialised, the block was allocated (or last
    ///   resized) from the allocator in it for `old_cap` elements, and
    ///   `new_cap` holds every initialised element;
    /// - neither layout, for `old_cap` nor for `new_cap`, has size zero (an
    ///   `ArcArray` block's never has: its header holds the counts);
    /// - the caller owns the block outright: nothing else reads or writes
    ///   it, and no reference into it is live. On `Ok` the old block is
    ///   gone: only the returned one may be used.
    pub(crate) unsafe fn try_resize_owned(
        self,
        old_cap: usize,
        new_cap: usize,
        abort_on_unwind: bool,
    ) -> Result<Self, TryReserveError> {
        struct AbortOnUnwind(bool);
        impl Drop for AbortOnUnwind {
            fn drop(&mut self) {
                if self.0 {
                    crate::sync::abort();
                }
            }
        }
        // SAFETY: the header is initialised (caller); this copy is the
        // allocator's one live value until it is written back below.
        let alloc = unsafe { H::alloc(self.header()).read() };
        let abort_on_unwind = AbortOnUnwind(abort_on_unwind);
        // SAFETY: allocated from `alloc` for `old_cap` (caller), which the
        // new capacity's elements fit in; neither layout is empty and no
        // reference into the block is live (caller).
        let resized = unsafe { self.try_resize(old_cap, new_cap, &alloc) };
        mem::forget(abort_on_unwind);
        let home = *resized.as_ref().unwrap_or(&self);
        // SAFETY: `home` holds the contents and its header's allocator
        // slot holds stale bytes of `alloc` (copied by `grow`, or the ones
        // read above), which are overwritten, not dropped.
        unsafe { H::alloc(home.header()).write(alloc) };
        resized
    }

    /// The capacity an amortised growth to at least `needed` elements
    /// picks from `cap`: doubling, as `Vec` does, and at least 4 to skip
    /// tiny steps; exactly `needed` where the doubled block would not fit.
    /// Every growth by one element or a few uses it (the builder's pushes,
    /// `UniqueArcArray::reserve`).
    pub(crate) fn amortized_capacity(cap: usize, needed: usize) -> usize {
        let doubled = needed.max(cap.saturating_mul(2)).max(4);
        if Self::fits(doubled) {
            doubled
        } else {
            needed
        }
    }

    /// Drops the contents and frees a block allocated for `len` elements.
    ///
    /// # Safety
    ///
    /// As [`Block::drop_contents_then`] and [`Block::dispose`].
    pub(crate) unsafe fn destroy(self, len: usize) {
        // SAFETY: the caller's promises, passed on; the block is freed once,
        // after its contents.
        unsafe { self.drop_contents_then(len, |block| block.dispose(len)) }
    }
}
