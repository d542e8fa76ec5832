//! [`Builder`]: the one panic-safe, fallible way to fill a block in
//! sequence, and to grow it while it fills (`collect`, deserialisation),
//! with the rules for calls into the allocator that SAFETY.md ("Calls into
//! the allocator") gives; and the functions every constructor ends in.

use core::mem;
use core::ptr;

use alloc::vec::Vec;

use super::{Block, Header};
use crate::allocation::TryReserveError;

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
    pub(super) block: Block<H, L, E>,
    pub(super) cap: usize,
    pub(super) len: usize,
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
        self.try_resize(Block::<H, L, E>::amortized_capacity(self.cap, needed))
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
        let (block, len, _) = self.finish_with_capacity(header);
        Ok((block, len))
    }

    /// Writes the header (from the length and the allocator, which moves
    /// into it) without trimming the block: hands over the filled block
    /// with its length and its capacity, the number of elements it was
    /// allocated for (`UniqueArcArray::with_capacity`).
    pub(crate) fn finish_with_capacity(
        self,
        header: impl FnOnce(usize, H::Alloc) -> H,
    ) -> (Block<H, L, E>, usize, usize) {
        // From here on nothing may unwind: the builder is forgotten and its
        // allocator moved into the header (the header closures of this
        // crate only build a value).
        let this = mem::ManuallyDrop::new(self);
        // SAFETY: read once, from a builder that is never dropped.
        let alloc = unsafe { ptr::read(&raw const this.alloc) };
        let (block, len, cap) = (this.block, this.len, this.cap);
        // SAFETY: the header slot of the block holds nothing yet.
        unsafe { block.write_header(header(len, alloc)) };
        (block, len, cap)
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

/// Fills a builder with the items of an exact-size iterator: room for its
/// `len()` up front, then exactly that many items, checked (the iterator
/// traits are safe, so `len()` is not trusted): the body of every
/// `from_label_and_iter`.
///
/// # Errors
///
/// As [`Builder::try_new`], before the iterator is touched; then
/// [`TryReserveError::LengthMismatch`] if the iterator runs out early or
/// has an item left over (that item is dropped); the builder, with every
/// item written and the label, is dropped then.
pub(crate) fn try_fill_exact<H: Header, L, E, I: ExactSizeIterator<Item = E>>(
    label: L,
    mut iter: I,
    alloc: H::Alloc,
) -> Result<Builder<H, L, E>, TryReserveError> {
    let expected = iter.len();
    let mut builder = Builder::try_new(label, expected, alloc, false)?;
    for yielded in 0..expected {
        let Some(elem) = iter.next() else {
            return Err(TryReserveError::LengthMismatch { expected, yielded });
        };
        // SAFETY: `Builder::try_new` made room for `expected` elements and
        // `yielded` have been pushed.
        unsafe { builder.push_within_capacity(elem) };
    }
    if iter.next().is_some() {
        return Err(TryReserveError::LengthMismatch {
            expected,
            yielded: expected.saturating_add(1),
        });
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

/// A new handle holding clones of `label` and `elems`, in a block from a
/// clone of `alloc` (cloned first, then the label, then each element): the
/// copy `make_mut` and `unwrap_or_clone` make of shared contents. The
/// caller keeps its own handle, and its count, across these calls into
/// user code, so a `Clone` that panics leaves it as it was (the builder
/// drops what was cloned and frees its block). Allocation failure goes to
/// the global handler, as for `Vec` (`allocation::infallible`).
pub(crate) fn clone_contents<T, E, L>(
    label: &L,
    elems: &[E],
    alloc: &<T::Header as Header>::Alloc,
) -> T
where
    T: FromBuilder<E, L>,
    E: Clone,
    L: Clone,
    <T::Header as Header>::Alloc: Clone,
{
    let alloc = alloc.clone();
    let builder = try_fill(label.clone(), elems.len(), |_, i| elems[i].clone(), alloc);
    crate::allocation::infallible(build(builder))
}

/// Builds a handle from a builder, or passes the builder's error on.
#[inline]
pub(crate) fn build<T: FromBuilder<E, L>, E, L>(
    builder: Result<Builder<T::Header, L, E>, TryReserveError>,
) -> Result<T, TryReserveError> {
    builder.and_then(T::try_from_builder)
}
