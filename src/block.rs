//! The raw block every handle is built on: a header `H`, a label `L` and
//! `[E; len]` in one allocation. Layout math (checked), allocation and
//! deallocation, pointers to each part, and [`Builder`], the one panic-safe
//! way to fill a block. Most of the crate's raw-pointer code lives here.
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

use alloc::vec::Vec;

use crate::allocation::{Allocator, TryReserveError};

/// Panics with the message every handle gives for a length too large to
/// allocate. Called before anything is allocated.
#[cold]
#[inline(never)]
#[track_caller]
pub(crate) fn capacity_overflow() -> ! {
    panic!("capacity overflow: the block for this length would exceed isize::MAX bytes")
}

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
        let elems = ptr::slice_from_raw_parts_mut(self.elems(), len);
        // SAFETY: the first `len` elements are initialised and unused
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

/// Fills a block: the label first, then elements one by one, growing the
/// block through its allocator when it runs out of room;
/// [`Builder::try_finish`] trims it and writes the header, into which the
/// allocator moves.
///
/// This is the crate's one initialisation guard. If anything panics or
/// fails before the block is finished (the element closure, a `Clone`, an
/// iterator, an allocation that fails), dropping the builder drops the
/// elements written so far and the label exactly once, frees the block,
/// then drops the allocator.
///
/// One exception, the rule for lending the block to the allocator
/// (SAFETY.md, "Calls into the allocator"): while `grow` or `shrink` runs
/// on the block, the builder does not own its contents. If that call
/// unwinds, the allocator may have moved the contents and freed the old
/// block before it panicked, or not: nothing says where the label and the
/// elements are now, so dropping the builder leaks them (and whichever
/// block holds them) instead of dropping them. A leak is safe; a drop or a
/// free of memory the allocator may have freed is not.
pub(crate) struct Builder<H: Header, L, E> {
    block: Block<H, L, E>,
    cap: usize,
    len: usize,
    /// True while the block is lent to the allocator's `grow` or `shrink`
    /// ([`Builder::try_resize`]): a drop then leaks the contents.
    lent: bool,
    alloc: H::Alloc,
}

impl<H: Header, L, E> Builder<H, L, E> {
    /// Allocates room for `cap` elements from `alloc` (zeroed if `zeroed`)
    /// and moves `label` in.
    ///
    /// # Errors
    ///
    /// As [`Block::try_allocate`]; `label` and `alloc` are dropped then.
    pub(crate) fn try_new(
        label: L,
        cap: usize,
        alloc: H::Alloc,
        zeroed: bool,
    ) -> Result<Self, TryReserveError> {
        // Zero-sized elements never need room: the block holds any number.
        let cap = if mem::size_of::<E>() == 0 {
            usize::MAX
        } else {
            cap
        };
        let block = Block::<H, L, E>::try_allocate(cap, &alloc, zeroed)?;
        // SAFETY: just allocated from `alloc` for `cap` elements.
        Ok(unsafe { Self::from_allocated(block, cap, label, alloc) })
    }

    /// A builder over a block just allocated, moving `label` in.
    ///
    /// # Safety
    ///
    /// `block` was allocated from `alloc` for `cap` elements (`usize::MAX`,
    /// or any capacity, for zero-sized elements) and holds nothing.
    unsafe fn from_allocated(block: Block<H, L, E>, cap: usize, label: L, alloc: H::Alloc) -> Self {
        let cap = if mem::size_of::<E>() == 0 {
            usize::MAX
        } else {
            cap
        };
        // SAFETY: the fresh block has room for a label, aligned (caller).
        unsafe { block.label().write(label) };
        Builder {
            block,
            cap,
            len: 0,
            lent: false,
            alloc,
        }
    }

    /// The label, for initialisers that update it as they go.
    #[inline]
    pub(crate) fn label_mut(&mut self) -> &mut L {
        // SAFETY: the label was written in `try_new`; `&mut self` makes the
        // reference exclusive.
        unsafe { self.block.label_mut() }
    }

    /// Makes room for at least `additional` more elements.
    ///
    /// # Errors
    ///
    /// `CapacityOverflow` if the count or the block size overflows,
    /// `AllocError` if the allocator cannot grow the block; the builder is
    /// unchanged then.
    pub(crate) fn try_reserve(&mut self, additional: usize) -> Result<(), TryReserveError> {
        let Some(needed) = self.len.checked_add(additional) else {
            return Err(TryReserveError::CapacityOverflow);
        };
        if needed <= self.cap {
            return Ok(());
        }
        // Amortised doubling, as Vec does; at least 4 to skip tiny steps.
        // Doubling past what fits falls back to exactly what is needed.
        let doubled = needed.max(self.cap.saturating_mul(2)).max(4);
        let new_cap = if Block::<H, L, E>::fits(doubled) {
            doubled
        } else {
            needed
        };
        self.try_resize(new_cap)
    }

    /// Moves the contents to a block for `new_cap` elements (at least
    /// `len`, and a layout of non-zero size) through the allocator's `grow`
    /// or `shrink`: the builder's one call into the allocator on a block
    /// with live contents.
    ///
    /// The block is lent for the call (`lent`): if the allocator unwinds,
    /// the builder's drop leaks the contents rather than touch memory the
    /// allocator may have freed before it panicked. (A block of no bytes
    /// is not lent: it is replaced by a first `allocate`.)
    ///
    /// # Errors
    ///
    /// As [`Block::try_resize`]; the builder is unchanged then.
    fn try_resize(&mut self, new_cap: usize) -> Result<(), TryReserveError> {
        debug_assert!(new_cap >= self.len);
        // A block of no bytes is not the allocator's: growing it is a
        // first `allocate`, which cannot touch the (zero-sized) contents.
        self.lent = Block::<H, L, E>::layout(self.cap).size() != 0;
        // SAFETY: the block was allocated (or last resized) from
        // `self.alloc` for `self.cap`, and `new_cap`'s layout is not empty
        // (caller); on `Ok` the old value is replaced by the returned
        // block, on `Err` it is untouched and the builder still owns it,
        // and if the call unwinds `lent` stays set, so the builder's drop
        // never touches either.
        let resized = unsafe { self.block.try_resize(self.cap, new_cap, &self.alloc) };
        self.lent = false;
        self.block = resized?;
        self.cap = new_cap;
        Ok(())
    }

    /// Appends one element, growing the block if it is full.
    ///
    /// # Errors
    ///
    /// As [`Builder::try_reserve`]; `elem` is dropped then.
    #[inline]
    pub(crate) fn try_push(&mut self, elem: E) -> Result<(), TryReserveError> {
        if self.len == self.cap {
            self.try_reserve(1)?;
        }
        // SAFETY: the block had room, or `try_reserve` just made it.
        unsafe { self.push_within_capacity(elem) };
        Ok(())
    }

    /// Appends one element into room already made: no capacity check, so
    /// that a fill loop of known length compiles to plain, unrolled stores.
    /// `try_push` is the checked form.
    ///
    /// # Safety
    ///
    /// `len < cap`: the builder was made or reserved with room for this
    /// element.
    #[inline]
    pub(crate) unsafe fn push_within_capacity(&mut self, elem: E) {
        debug_assert!(self.len < self.cap);
        // SAFETY: `len < cap` (caller), so the slot is inside the block,
        // aligned and uninitialised.
        unsafe { self.block.elems().add(self.len).write(elem) };
        self.len += 1;
    }

    /// A builder holding `vec`'s elements, moved with one copy; the
    /// vector's buffer is freed.
    ///
    /// # Errors
    ///
    /// As [`Builder::try_new`]; the label and the vector (with its
    /// elements) are dropped then.
    pub(crate) fn try_from_vec(
        label: L,
        vec: Vec<E>,
        alloc: H::Alloc,
    ) -> Result<Self, TryReserveError> {
        let mut builder = Builder::try_new(label, vec.len(), alloc, false)?;
        let mut vec = mem::ManuallyDrop::new(vec);
        // SAFETY: the vector's `len` elements are initialised and do not
        // overlap the new block, which has room for them; `set_len(0)` then
        // makes the vector forget them, so each is moved exactly once.
        // Nothing between can unwind.
        unsafe {
            ptr::copy_nonoverlapping(vec.as_ptr(), builder.block.elems(), vec.len());
            builder.len = vec.len();
            vec.set_len(0);
            mem::ManuallyDrop::drop(&mut vec);
        }
        Ok(builder)
    }

    /// Fills `len` elements (at most the capacity) in parallel, element `i` being
    /// `f(&label, i)`, on rayon's pool: each task writes one contiguous
    /// chunk of the block.
    ///
    /// Every task's pointers are derived from one raw base pointer, the
    /// block's `elems()`, which carries the provenance of the whole block;
    /// no reference to a chunk is ever made. (Pointers saved from chunk
    /// references were invalidated by the next reborrow, and a merged run
    /// dropped the right chunk through the left chunk's pointer: UB under
    /// both of Miri's borrow models when a task panicked with elements that
    /// own memory.)
    ///
    /// Panic safety: each task's written prefix is owned by a [`Written`]
    /// guard; rayon's ordered `reduce` merges adjacent guards. If any task
    /// panics, rayon drops the guards it already holds (each drops its
    /// elements exactly once) and resumes the panic; the builder itself
    /// then still counts 0 elements and drops the label and the block.
    #[cfg(feature = "rayon")]
    pub(crate) fn par_fill<F>(&mut self, len: usize, f: F)
    where
        E: Send,
        L: Sync,
        F: Fn(&L, usize) -> E + Sync,
    {
        use rayon::prelude::*;
        assert!(
            self.len == 0 && len <= self.cap,
            "par_fill fills an empty builder"
        );
        // SAFETY: the label is initialised and nothing writes it while the
        // tasks run (`&mut self` is held, tasks get `&L`).
        let label: &L = unsafe { &*self.block.label() };
        let base = Slots(self.block.elems());
        let chunk = len.div_ceil(rayon::current_num_threads() * 4).max(1);
        let written = (0..len.div_ceil(chunk))
            .into_par_iter()
            .map(|c| {
                // `start < len`, so `len - start` cannot wrap, nor can
                // `start + chunk.min(..)` overflow (zero-sized elements
                // can make `len` close to `usize::MAX`).
                let start = c * chunk;
                let end = start + chunk.min(len - start);
                // SAFETY: `start <= len <= cap`: in bounds of the block.
                let mut written = Written::empty_at(unsafe { base.at(start) });
                for i in start..end {
                    let elem = f(label, i);
                    // SAFETY: `i < len <= cap`, and slot `i` belongs to this
                    // chunk alone: no other task writes or reads it, and
                    // it is uninitialised until this write.
                    unsafe { base.at(i).write(elem) };
                    written.len += 1;
                }
                written
            })
            .reduce(
                || Written::empty_at(NonNull::dangling().as_ptr()),
                Written::merge,
            );
        assert_eq!(written.len, len, "every chunk is written");
        mem::forget(written);
        self.len = len;
    }

    /// Collects an indexed parallel iterator of `len` items (its
    /// `opt_len`) straight into the block, on rayon's pool, as rayon's own
    /// `Vec` collect does into a vector's spare capacity: the iterator is
    /// driven into a [`SlotRange`] consumer for slots `0..len`, which
    /// splits its range where the iterator splits; each folder writes its
    /// items into its own range, and the reducer joins runs that are
    /// adjacent, left then right.
    ///
    /// The iterator traits are safe, so nothing the iterator does is
    /// trusted: a folder fed more items than its range panics ("more
    /// items"), a split beyond the range panics, an unindexed split
    /// (`split_off_left`) panics, runs out of order or with gaps are not
    /// joined (the right one is dropped), and the fill is accepted only if
    /// the one run handed back covers exactly `0..len`; otherwise it panics
    /// ("expected N items"). In every case each item written is dropped
    /// exactly once: by the run that owns it (while the iterator unwinds or
    /// when it is dropped), or by the builder once the fill is accepted.
    #[cfg(feature = "rayon")]
    #[track_caller]
    pub(crate) fn par_collect<'c, I>(&'c mut self, len: usize, par_iter: I)
    where
        E: Send,
        I: rayon::iter::ParallelIterator<Item = E>,
    {
        assert!(
            self.len == 0 && len <= self.cap,
            "par_collect fills an empty builder"
        );
        let base = self.block.elems();
        let slots: SlotRange<'c, E> = SlotRange {
            start: base,
            len,
            _brand: PhantomData,
        };
        let written: Written<'c, E> = par_iter.drive_unindexed(slots);
        assert!(
            written.len == len && (len == 0 || written.start == base),
            "expected {len} items from an indexed parallel iterator (its opt_len), but got {}",
            written.len
        );
        // The run covers slots `0..len`: the builder owns them from here.
        mem::forget(written);
        self.len = len;
    }

    /// Trims the block to the elements written, writes the header (from
    /// the final length and the allocator, which moves into it) and hands
    /// over the filled block, allocated for the length returned.
    ///
    /// # Errors
    ///
    /// `AllocError` if the allocator cannot shrink the block; the builder
    /// is dropped then, with everything in it.
    pub(crate) fn try_finish(
        mut self,
        header: impl FnOnce(usize, H::Alloc) -> H,
    ) -> Result<(Block<H, L, E>, usize), TryReserveError> {
        if self.len != self.cap && mem::size_of::<E>() != 0 {
            if Block::<H, L, E>::layout(self.len).size() == 0 {
                // Nothing left to keep (no element, and a header and label
                // of no bytes): the builder takes the dangling block first,
                // so that an allocator whose `deallocate` unwinds cannot
                // have the old block freed twice.
                let old = mem::replace(&mut self.block, Block::at(Block::<H, L, E>::dangling()));
                let old_cap = mem::replace(&mut self.cap, self.len);
                // SAFETY: allocated from `self.alloc` for `old_cap`, and no
                // longer the builder's; its only content, the label, has no
                // bytes and is now at the dangling block.
                unsafe { old.deallocate(old_cap, &self.alloc) };
            } else {
                // A non-empty layout, at the length.
                self.try_resize(self.len)?;
            }
        }
        // From here on nothing may unwind: the builder is forgotten and its
        // allocator moved into the header (the header closures of this
        // crate only build a value).
        let this = mem::ManuallyDrop::new(self);
        // SAFETY: read once, from a builder that is never dropped.
        let alloc = unsafe { ptr::read(&raw const this.alloc) };
        let (block, len) = (this.block, this.len);
        // SAFETY: the header slot of the block holds nothing yet.
        unsafe { block.write_header(header(len, alloc)) };
        Ok((block, len))
    }
}

impl<H: Header, L, E> Drop for Builder<H, L, E> {
    /// Only reached by unwinding or a failed build: drops what was written,
    /// frees the block, then (as a field) the allocator. Unwound from
    /// inside the allocator's `grow` or `shrink` (`lent`): leaks the
    /// contents and the block, and only drops the allocator.
    fn drop(&mut self) {
        if self.lent {
            return;
        }
        let (cap, alloc) = (self.cap, &self.alloc);
        // SAFETY: the label and the first `len` elements were written and
        // are dropped only here (the builder never handed them out); the
        // block was allocated from `alloc` for `cap` and is freed once,
        // after them.
        unsafe {
            self.block
                .drop_contents_then(self.len, |block| block.deallocate(cap, alloc));
        }
    }
}

/// The element slots of a block being filled in parallel: the one base
/// pointer every task derives its slot pointers from.
#[cfg(feature = "rayon")]
struct Slots<E>(*mut E);

// SAFETY: tasks on other threads use the base pointer only to write the
// distinct slots of their own chunks (`Builder::par_fill`), moving an `E`
// made there into the block: sharing it is sending `E`s.
#[cfg(feature = "rayon")]
unsafe impl<E: Send> Sync for Slots<E> {}

#[cfg(feature = "rayon")]
impl<E> Slots<E> {
    /// The pointer to slot `i`, with the base's provenance over the block.
    ///
    /// # Safety
    ///
    /// `i` is at most the block's capacity.
    #[inline]
    unsafe fn at(&self, i: usize) -> *mut E {
        // SAFETY: in bounds of the block's allocation (caller).
        unsafe { self.0.add(i) }
    }
}

/// Owns a contiguous run of initialised elements while a parallel fill
/// runs: dropping it drops them.
///
/// `start` is derived from the fill's one base pointer ([`Slots`]), so it
/// has permission for the whole block and a merged run may drop its right
/// part through it. It is never null, even for an empty run: dropping a
/// run drops a slice, which must be non-null and aligned at any length.
///
/// The lifetime `'c` brands the run with the borrow of the builder whose
/// block it points into (invariant, so it can neither grow nor shrink): a
/// run cannot outlive that borrow, so it cannot be dropped after the
/// builder freed the block, whatever the code holding it does.
#[cfg(feature = "rayon")]
struct Written<'c, E> {
    start: *mut E,
    len: usize,
    _brand: Brand<'c>,
}

/// An invariant lifetime: the borrow of the builder a parallel fill or
/// collect writes into.
#[cfg(feature = "rayon")]
type Brand<'c> = PhantomData<fn(&'c ()) -> &'c ()>;

// SAFETY: a `Written` owns its `E`s (it drops them), so moving it to another
// thread moves them: `E: Send` is what that needs.
#[cfg(feature = "rayon")]
unsafe impl<E: Send> Send for Written<'_, E> {}

#[cfg(feature = "rayon")]
impl<E> Written<'_, E> {
    fn empty_at(start: *mut E) -> Self {
        Written {
            start,
            len: 0,
            _brand: PhantomData,
        }
    }

    /// Joins two runs that rayon's ordered reduce hands over left, right
    /// (`par_fill`), either of which may be empty (the reduce's identity
    /// is an empty run at a dangling address).
    fn merge(left: Self, right: Self) -> Self {
        if left.len == 0 {
            return right;
        }
        if right.len == 0 {
            return left;
        }
        match Self::join(left, right) {
            Ok(merged) => merged,
            Err(runs) => {
                drop(runs); // and so what they own
                panic!("rayon reduces adjacent chunks in order")
            }
        }
    }

    /// One run of `left`'s and `right`'s items if `right` starts where
    /// `left`'s items end, otherwise both back. The two own disjoint slots
    /// (their ranges are), so the sum cannot overflow, and `left.start`,
    /// derived from the same base, has permission for both.
    fn join(left: Self, right: Self) -> Result<Self, (Self, Self)> {
        if left.start.wrapping_add(left.len) != right.start {
            return Err((left, right));
        }
        let merged = Written {
            start: left.start,
            len: left.len + right.len,
            _brand: PhantomData,
        };
        mem::forget((left, right));
        Ok(merged)
    }
}

#[cfg(feature = "rayon")]
impl<E> Drop for Written<'_, E> {
    fn drop(&mut self) {
        // SAFETY: the run's `len` elements were written by this run's task
        // and are owned by this guard only (merges forget their parts).
        unsafe { ptr::drop_in_place(ptr::slice_from_raw_parts_mut(self.start, self.len)) }
    }
}

/// The consumer of [`Builder::par_collect`]: the uninitialised slots
/// `start..start + len` of the block, which the folder made from it owns
/// the right to write. `start` is derived from the block's `elems()` (the
/// one base pointer of the collect) by in-bounds offsets, so it has
/// permission for the whole block.
///
/// Ranges are handed out by value only (`split_at` consumes the range and
/// returns two that partition it, `into_folder` consumes it), and the
/// type is not `Clone`, so the live ranges, folders and runs of a collect
/// always cover disjoint slots: no slot is written twice, and each
/// written slot is owned by one run.
#[cfg(feature = "rayon")]
struct SlotRange<'c, E> {
    start: *mut E,
    len: usize,
    _brand: Brand<'c>,
}

// SAFETY: a range is the right to write its own slots, moving `E`s made on
// the thread that holds it into the block; no other range reaches them.
// Sending it sends those `E`s: `E: Send`.
#[cfg(feature = "rayon")]
unsafe impl<E: Send> Send for SlotRange<'_, E> {}

/// The folder of a [`SlotRange`]: its run of written items, from the
/// range's start, and the range's length.
#[cfg(feature = "rayon")]
struct SlotFolder<'c, E> {
    run: Written<'c, E>,
    room: usize,
}

#[cfg(feature = "rayon")]
impl<E> SlotFolder<'_, E> {
    /// Writes `item` into the next slot of the range, or panics (dropping
    /// `item`; the run keeps what it owns) if the range is full.
    #[inline]
    fn push(&mut self, item: E) {
        if self.run.len == self.room {
            overfed();
        }
        // SAFETY: `run.len < room`, so the slot is inside this folder's
        // range (inside the block, aligned); no other range, folder or run
        // reaches it, and it is uninitialised until this write. The run
        // owns it from the increment on.
        unsafe { self.run.start.add(self.run.len).write(item) };
        self.run.len += 1;
    }
}

/// The panic of a folder fed more items than its range holds.
#[cfg(feature = "rayon")]
#[cold]
#[inline(never)]
fn overfed() -> ! {
    panic!("a parallel iterator fed a consumer more items than its length (opt_len) said")
}

/// The reducer of a parallel collect: joins a run with the run that starts
/// where it ends.
#[cfg(feature = "rayon")]
struct JoinAdjacent;

#[cfg(feature = "rayon")]
impl<'c, E: Send> rayon::iter::plumbing::Consumer<E> for SlotRange<'c, E> {
    type Folder = SlotFolder<'c, E>;
    type Reducer = JoinAdjacent;
    type Result = Written<'c, E>;

    fn split_at(self, index: usize) -> (Self, Self, JoinAdjacent) {
        assert!(
            index <= self.len,
            "a parallel iterator split its consumer at {index}, beyond its {} items",
            self.len
        );
        // `index <= len`: both halves stay inside this range (a wrapping
        // offset, so no `unsafe`, but never wrapping: the range is inside
        // the block).
        let right = SlotRange {
            start: self.start.wrapping_add(index),
            len: self.len - index,
            _brand: PhantomData,
        };
        let left = SlotRange {
            start: self.start,
            len: index,
            _brand: PhantomData,
        };
        (left, right, JoinAdjacent)
    }

    fn into_folder(self) -> SlotFolder<'c, E> {
        SlotFolder {
            run: Written::empty_at(self.start),
            room: self.len,
        }
    }

    fn full(&self) -> bool {
        false
    }
}

#[cfg(feature = "rayon")]
impl<E: Send> rayon::iter::plumbing::UnindexedConsumer<E> for SlotRange<'_, E> {
    fn split_off_left(&self) -> Self {
        panic!(
            "a parallel iterator with a length (opt_len) was driven as unindexed \
             (split_off_left): heaparray collects it into slots it splits by index"
        )
    }

    fn to_reducer(&self) -> JoinAdjacent {
        JoinAdjacent
    }
}

#[cfg(feature = "rayon")]
impl<'c, E> rayon::iter::plumbing::Folder<E> for SlotFolder<'c, E> {
    type Result = Written<'c, E>;

    #[inline]
    fn consume(mut self, item: E) -> Self {
        self.push(item);
        self
    }

    /// The loop every producer's `fold_with` ends in (rayon's default
    /// calls `consume` and `full` per item): the same check and write per
    /// item, with the run kept in place.
    #[inline]
    fn consume_iter<I: IntoIterator<Item = E>>(mut self, iter: I) -> Self {
        for item in iter {
            self.push(item);
        }
        self
    }

    fn complete(self) -> Written<'c, E> {
        self.run
    }

    fn full(&self) -> bool {
        false
    }
}

#[cfg(feature = "rayon")]
impl<'c, E> rayon::iter::plumbing::Reducer<Written<'c, E>> for JoinAdjacent {
    /// Joins `left` and `right` if `right` starts where `left`'s written
    /// items end (`left` filled its range); otherwise drops `right`'s
    /// items and keeps `left`, and the collect comes up short.
    fn reduce(self, left: Written<'c, E>, right: Written<'c, E>) -> Written<'c, E> {
        Written::join(left, right).unwrap_or_else(|(left, right)| {
            drop(right);
            left
        })
    }
}

/// A handle made from a filled builder: the one way every constructor of
/// every handle ends (closures, clones, iterators, vectors, deserialisers).
pub(crate) trait FromBuilder<E, L>: Sized {
    /// The header of this handle's block.
    type Header: Header;

    /// Finishes the builder (trimming the block, writing the header) and
    /// wraps the block.
    ///
    /// # Errors
    ///
    /// As [`Builder::try_finish`].
    fn try_from_builder(builder: Builder<Self::Header, L, E>) -> Result<Self, TryReserveError>;
}

/// Fills a builder with `len` elements, element `i` being
/// `f(&mut label, i)`: the body of every `with_label`.
///
/// # Errors
///
/// As [`Builder::try_new`]: the only allocation is the first.
pub(crate) fn try_fill<H: Header, L, E>(
    label: L,
    len: usize,
    mut f: impl FnMut(&mut L, usize) -> E,
    alloc: H::Alloc,
) -> Result<Builder<H, L, E>, TryReserveError> {
    let mut builder = Builder::try_new(label, len, alloc, false)?;
    for i in 0..len {
        let elem = f(builder.label_mut(), i);
        // SAFETY: `Builder::try_new` made room for `len` elements and `i`
        // have been pushed.
        unsafe { builder.push_within_capacity(elem) };
    }
    Ok(builder)
}

/// A builder of `len` uninitialised elements (zeroed if `zeroed`, through
/// `Allocator::allocate_zeroed`): `MaybeUninit<T>` needs no writing, so the
/// builder counts them as written at once. The body of every `new_uninit`
/// and `new_zeroed`.
///
/// # Errors
///
/// As [`Builder::try_new`].
pub(crate) fn try_uninit<H: Header, L, T>(
    label: L,
    len: usize,
    alloc: H::Alloc,
    zeroed: bool,
) -> Result<Builder<H, L, mem::MaybeUninit<T>>, TryReserveError> {
    let mut builder = Builder::try_new(label, len, alloc, zeroed)?;
    // `try_new` made room for `len` elements (or any number, for zero-sized
    // ones), and a `MaybeUninit` is initialised by any bytes, or none.
    debug_assert!(len <= builder.cap);
    builder.len = len;
    Ok(builder)
}

/// Fills a builder with `len` elements in parallel on rayon's pool,
/// element `i` being `f(&label, i)`: the body of every `par_with_label`.
#[cfg(feature = "rayon")]
pub(crate) fn try_par_fill<H: Header, L: Sync, E: Send>(
    label: L,
    len: usize,
    f: impl Fn(&L, usize) -> E + Sync,
    alloc: H::Alloc,
) -> Result<Builder<H, L, E>, TryReserveError> {
    let mut builder = Builder::try_new(label, len, alloc, false)?;
    builder.par_fill(len, f);
    Ok(builder)
}

/// Collects a parallel iterator into a builder: the body of every
/// `FromParallelIterator`. An indexed iterator (`opt_len` is `Some`) is
/// written straight into a block of that length in parallel
/// ([`Builder::par_collect`]); any other is collected as rayon collects a
/// `Vec`, then moved into the block with one copy.
///
/// # Errors
///
/// As [`Builder::try_new`] (a length, true or not, whose block would not
/// fit or that the allocator refuses): nothing has been collected then,
/// and the label is dropped.
///
/// # Panics
///
/// If the iterator panics, or lies about its length or its splits (see
/// [`Builder::par_collect`]); every item made is dropped, the block freed.
#[cfg(feature = "rayon")]
pub(crate) fn try_par_collect<H: Header, L, E: Send, I>(
    label: L,
    par_iter: I,
    alloc: H::Alloc,
) -> Result<Builder<H, L, E>, TryReserveError>
where
    I: rayon::iter::IntoParallelIterator<Item = E>,
{
    use rayon::iter::{FromParallelIterator, ParallelIterator};
    let par_iter = par_iter.into_par_iter();
    let Some(len) = par_iter.opt_len() else {
        return Builder::try_from_vec(label, Vec::from_par_iter(par_iter), alloc);
    };
    let mut builder = Builder::try_new(label, len, alloc, false)?;
    builder.par_collect(len, par_iter);
    Ok(builder)
}

/// Collects an iterator into a builder: room for the iterator's lower
/// bound first (its upper bound when both agree), then growth by doubling
/// if it yields more. A `size_hint` that lies costs a reallocation, never
/// soundness: the builder checks its room on every push.
///
/// # Errors
///
/// At the first allocation or any growth, as [`Builder::try_reserve`]: the
/// builder, the element in hand and the rest of the iterator are dropped.
pub(crate) fn try_collect<H: Header, L, E, I: IntoIterator<Item = E>>(
    label: L,
    iter: I,
    alloc: H::Alloc,
) -> Result<Builder<H, L, E>, TryReserveError> {
    let mut iter = iter.into_iter();
    let (lower, upper) = iter.size_hint();
    let room = match upper {
        Some(upper) if upper == lower => upper,
        _ => lower,
    };
    // A hint beyond what could ever be allocated is a lie: ignore it rather
    // than fail before the iterator has yielded anything.
    let mut room = if Block::<H, L, E>::fits(room) {
        room
    } else {
        0
    };
    // A hint that fits but that the allocator refuses may be a lie too: it
    // gets a block for no element instead, and the iterator's own elements
    // decide whether the block can grow.
    let block = match Block::<H, L, E>::try_allocate(room, &alloc, false) {
        Err(TryReserveError::AllocError { .. }) if room != 0 => {
            room = 0;
            Block::try_allocate(0, &alloc, false)?
        }
        block => block?,
    };
    // SAFETY: `block` was just allocated from `alloc` for `room` elements.
    let mut builder = unsafe { Builder::from_allocated(block, room, label, alloc) };
    iter.try_for_each(|elem| builder.try_push(elem))?;
    Ok(builder)
}

/// Builds a handle from a builder, or passes the builder's error on.
#[inline]
pub(crate) fn build<T: FromBuilder<E, L>, E, L>(
    builder: Result<Builder<T::Header, L, E>, TryReserveError>,
) -> Result<T, TryReserveError> {
    builder.and_then(T::try_from_builder)
}
