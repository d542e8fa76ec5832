//! `ArcArrayBorrow`: a borrowed handle, one word and `Copy`, that touches
//! no count: the lifetime ties it to an owner that keeps the block alive,
//! as `&ArcArray` would, without the second hop.

use core::fmt;
use core::marker::PhantomData;
use core::ops::Deref;
use core::ptr::NonNull;

use super::{ArcArrayBase, ArcBlock, ArcLayout, Padded};
use crate::allocation::{Allocator, Global};
use crate::block::Block;

/// A borrowed [`ArcArray`](crate::ArcArray): one word, `Copy`, no count
/// touched, for code that passes arrays by reference (tree nodes, cursors,
/// iterators over children) and only sometimes needs an owned handle
/// ([`clone_arc`](ArcArrayBorrowBase::clone_arc), one increment). triomphe's
/// `ArcBorrow`, for a labelled array.
///
/// Made by [`ArcArray::borrow`](ArcArrayBase::borrow) from a handle, or by
/// [`from_raw`](ArcArrayBorrowBase::from_raw) from a pointer of
/// [`ArcArray::as_ptr`](ArcArrayBase::as_ptr) or
/// [`into_raw`](ArcArrayBase::into_raw) whose owner the caller keeps alive.
///
/// `&ArcArray` is already safe to pass around; the borrow is one hop to
/// the elements instead of two, and it can be rebuilt from a raw pointer
/// (a cursor that stores `*const E`) without a count.
///
/// # Examples
///
/// ```
/// use heaparray::*;
///
/// // A node whose children are nodes: a walk passes borrows, not handles.
/// struct Kind(&'static str);
/// fn leaves(node: ArcArrayBorrow<'_, u32, Kind>) -> u32 {
///     node.iter().sum()
/// }
/// let node = ArcArray::with_label(Kind("leaf"), 3, |_, i| i as u32);
/// let b = ArcArray::borrow(&node);
/// let copy = b; // `Copy`: no count touched
/// assert_eq!(leaves(copy), 3);
/// assert_eq!(b.get_label().0, "leaf");
/// assert_eq!(ArcArray::strong_count(&node), 1);
/// let owned: ArcArray<u32, Kind> = b.clone_arc(); // one increment
/// assert_eq!(ArcArray::strong_count(&node), 2);
/// # drop(owned);
/// ```
///
/// A borrow cannot outlive the handle it came from:
///
/// ```compile_fail
/// use heaparray::*;
/// let b = {
///     let a = ArcArray::from([1, 2, 3]);
///     ArcArray::borrow(&a) // error: `a` does not live long enough
/// };
/// assert_eq!(b[0], 1);
/// ```
/// `Send` and `Sync` exactly when `&ArcArray` is: an array of elements that
/// are `Sync` but not `Send` (a `MutexGuard`) cannot have its borrow sent
/// to another thread, where `clone_arc` could make the last owner
/// (triomphe#66 was an `ArcBorrow` that allowed it):
///
/// ```compile_fail
/// use heaparray::*;
/// fn send<T: Send>(_: T) {}
/// let m = std::sync::Mutex::new(());
/// let a = ArcArray::new(1, |_| m.lock().unwrap());
/// send(ArcArray::borrow(&a)); // error: `MutexGuard` cannot be sent
/// ```
pub type ArcArrayBorrow<'a, E, L = (), A = Global> = ArcArrayBorrowBase<'a, E, L, Padded, A>;

/// The one type behind [`ArcArrayBorrow`] and
/// [`CompactArcArrayBorrow`](crate::CompactArcArrayBorrow), generic over the
/// layout `P`, as [`ArcArrayBase`] is.
pub struct ArcArrayBorrowBase<'a, E, L, P: ArcLayout, A: Allocator> {
    /// The block's first byte, with the provenance of the whole block
    /// (counts included: `clone_arc` writes them).
    block: NonNull<u8>,
    /// Borrows an owned handle for `'a`: covariant, and `Send`/`Sync`
    /// exactly when `&ArcArrayBase` is (see below).
    _borrows: PhantomData<&'a ArcArrayBase<E, L, P, A>>,
}

// SAFETY: a borrow is a `&ArcArrayBase` in all but the second hop: it gives
// out `&L`, `&[E]` and `&A`, and `clone_arc` makes an owned handle on the
// borrowing thread. `&ArcArrayBase` is `Send` and `Sync` when `ArcArrayBase`
// is `Sync`: `E`, `L` and `A` all `Send + Sync` (an owned handle made here
// may be the last, and drop them here). triomphe#66 was an `ArcBorrow`
// that asked only `T: Sync`.
unsafe impl<E: Send + Sync, L: Send + Sync, P: ArcLayout, A: Allocator + Send + Sync> Send
    for ArcArrayBorrowBase<'_, E, L, P, A>
{
}
// SAFETY: as `Send` above: `&ArcArrayBorrowBase` gives what the borrow does.
unsafe impl<E: Send + Sync, L: Send + Sync, P: ArcLayout, A: Allocator + Send + Sync> Sync
    for ArcArrayBorrowBase<'_, E, L, P, A>
{
}

impl<E, L, P: ArcLayout, A: Allocator> Clone for ArcArrayBorrowBase<'_, E, L, P, A> {
    #[inline]
    fn clone(&self) -> Self {
        *self
    }
}
impl<E, L, P: ArcLayout, A: Allocator> Copy for ArcArrayBorrowBase<'_, E, L, P, A> {}

impl<E, L, P: ArcLayout, A: Allocator> ArcArrayBase<E, L, P, A> {
    /// A borrowed handle to this array: one word, `Copy`, no count touched
    /// (see [`ArcArrayBorrow`](crate::ArcArrayBorrow)). An associated
    /// function (`ArcArray::borrow(&a)`), so that `a.borrow()` stays
    /// `Borrow::borrow`.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = CompactArcArray::from([1, 2]);
    /// let b: CompactArcArrayBorrow<'_, i32> = CompactArcArray::borrow(&a);
    /// assert_eq!(*b, [1, 2]);
    /// ```
    #[must_use]
    #[inline]
    pub fn borrow(this: &Self) -> ArcArrayBorrowBase<'_, E, L, P, A> {
        ArcArrayBorrowBase {
            block: this.raw().as_non_null(),
            _borrows: PhantomData,
        }
    }
}

impl<'a, E, L, P: ArcLayout, A: Allocator> ArcArrayBorrowBase<'a, E, L, P, A> {
    /// A borrow of the array whose elements start at `ptr`, for `'a`, with
    /// no count touched.
    ///
    /// # Safety
    ///
    /// - `ptr` came from [`ArcArrayBase::as_ptr`] or
    ///   [`ArcArrayBase::into_raw`] of an array of this exact type (the same
    ///   `E`, `L`, layout and allocator), and keeps that pointer's
    ///   provenance (it was not rebuilt from an address);
    /// - a strong count of that block is held for all of `'a` (a live
    ///   handle, or a pointer from `into_raw` not yet given back), so that
    ///   the contents stay alive and unwritten while the borrow lives.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = ArcArray::with_label('k', 2, |_, i| i);
    /// let ptr = ArcArray::as_ptr(&a); // a cursor keeps this
    /// // SAFETY: from `as_ptr` of an `ArcArray<usize, char>`, and `a`
    /// // outlives the borrow.
    /// let b = unsafe { ArcArrayBorrow::<usize, char>::from_raw(ptr) };
    /// assert_eq!((*b.get_label(), &*b), ('k', &[0, 1][..]));
    /// let owned = b.clone_arc();
    /// assert!(ArcArray::ptr_eq(&owned, &a));
    /// ```
    #[must_use]
    #[inline]
    pub unsafe fn from_raw(ptr: *const E) -> Self {
        // SAFETY: `ptr` is the element pointer of a live block of this type,
        // with its provenance (caller): stepping back to the block start
        // stays in bounds and keeps permission for the whole block.
        let block = unsafe { ArcBlock::<E, L, P, A>::from_elems(ptr) };
        ArcArrayBorrowBase {
            block: block.as_non_null(),
            _borrows: PhantomData,
        }
    }

    #[inline]
    fn raw(self) -> ArcBlock<E, L, P, A> {
        // SAFETY: `self.block` came from `as_non_null` of an
        // ArcBlock<E, L, P, A>.
        unsafe { Block::from_non_null(self.block) }
    }

    /// An owned handle to the same array: one strong increment, as
    /// [`ArcArray::clone`](Clone::clone) (triomphe's name).
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = ArcArray::from(["x".to_string()]);
    /// let owned = ArcArray::borrow(&a).clone_arc();
    /// drop(a);
    /// assert_eq!(*owned, ["x"]);
    /// ```
    #[must_use]
    #[inline]
    pub fn clone_arc(self) -> ArcArrayBase<E, L, P, A> {
        // SAFETY: the owner keeps a strong count for `'a`, so the block
        // and its counts are allocated; the pointer has provenance over
        // the whole block, counts included, and they are only accessed
        // atomically through a reference to them alone.
        unsafe { self.raw().counts() }.increment_strong();
        ArcArrayBase::from_block(self.block)
    }

    /// The label, for all of `'a`.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = ArcArray::with_label(3u8, 0, |_, _| ());
    /// assert_eq!(*ArcArray::borrow(&a).get_label(), 3);
    /// ```
    #[must_use]
    #[inline]
    pub fn get_label(self) -> &'a L {
        // SAFETY: a strong handle keeps the label initialised for `'a` and
        // no handle writes it while another exists.
        unsafe { self.raw().label_ref() }
    }

    /// The elements, for all of `'a` (`Deref` gives them for the borrow's
    /// own lifetime).
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = ArcArray::from([1, 2]);
    /// let elems: &[i32] = ArcArray::borrow(&a).as_slice();
    /// assert_eq!(elems, [1, 2]);
    /// ```
    #[must_use]
    #[inline]
    pub fn as_slice(self) -> &'a [E] {
        let block = self.raw();
        // SAFETY: a strong handle keeps `len` elements initialised and
        // unwritten for `'a`.
        unsafe { block.elements(block.len()) }
    }

    /// The elements' address, as [`ArcArray::as_ptr`](ArcArrayBase::as_ptr).
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = ArcArray::from([1]);
    /// assert_eq!(ArcArrayBorrow::as_ptr(ArcArray::borrow(&a)), ArcArray::as_ptr(&a));
    /// ```
    #[must_use]
    #[inline]
    pub fn as_ptr(this: Self) -> *const E {
        this.raw().elems()
    }

    /// Whether two borrows are of the same block.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = ArcArray::from([1]);
    /// let b = a.clone();
    /// assert!(ArcArrayBorrow::ptr_eq(ArcArray::borrow(&a), ArcArray::borrow(&b)));
    /// ```
    #[must_use]
    #[inline]
    pub fn ptr_eq(this: Self, other: Self) -> bool {
        this.block == other.block
    }
}

impl<E, L, P: ArcLayout, A: Allocator> Deref for ArcArrayBorrowBase<'_, E, L, P, A> {
    type Target = [E];
    #[inline]
    fn deref(&self) -> &[E] {
        self.as_slice()
    }
}

impl<E, L, P: ArcLayout, A: Allocator> AsRef<[E]> for ArcArrayBorrowBase<'_, E, L, P, A> {
    #[inline]
    fn as_ref(&self) -> &[E] {
        self
    }
}

/// As the owned handle's: the slice for a zero-sized label, otherwise
/// `Name { label, elements }`.
impl<E: fmt::Debug, L: fmt::Debug, P: ArcLayout, A: Allocator> fmt::Debug
    for ArcArrayBorrowBase<'_, E, L, P, A>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if core::mem::size_of::<L>() == 0 {
            fmt::Debug::fmt(&**self, f)
        } else {
            f.debug_struct("ArcArrayBorrow")
                .field("label", self.get_label())
                .field("elements", &&**self)
                .finish()
        }
    }
}

impl<'a, E, L, P: ArcLayout, A: Allocator> From<&'a ArcArrayBase<E, L, P, A>>
    for ArcArrayBorrowBase<'a, E, L, P, A>
{
    #[inline]
    fn from(handle: &'a ArcArrayBase<E, L, P, A>) -> Self {
        ArcArrayBase::borrow(handle)
    }
}
