//! `RcArray`: a label and an array shared on one thread through a single
//! pointer, with a plain (non-atomic) strong count.

use core::cell::Cell;
use core::marker::PhantomData;
use core::ops::Deref;
use core::panic::{RefUnwindSafe, UnwindSafe};
use core::ptr::NonNull;

use crate::allocation::{Allocator, Global, TryReserveError};
use crate::block::{Block, Builder, FromBuilder, Header};

/// The header of an `RcArray` block: the strong count, the length and the
/// allocator (no byte for a zero-sized one).
#[repr(C)]
pub(crate) struct RcHeader<A> {
    strong: Cell<usize>,
    len: usize,
    alloc: A,
}

impl<A: Allocator> Header for RcHeader<A> {
    type Alloc = A;
    // SAFETY: the trait's contract: `header` points to a header of an
    // allocated block; the result is a place inside it.
    unsafe fn alloc(header: *mut Self) -> *mut A {
        // SAFETY: a place inside the header the caller points to.
        unsafe { &raw mut (*header).alloc }
    }
}

type RcBlock<E, L, A> = Block<RcHeader<A>, L, E>;

/// A reference-counted label and array for one thread, reached through a
/// single pointer.
///
/// Cloning an `RcArray` bumps a plain counter; the last clone to drop drops
/// the label and the elements and frees the block. It is "naive": there are
/// no weak handles, so a cycle of `RcArray`s (an `RcArray` whose elements
/// hold clones of itself, through a `RefCell` say) is never freed, as with
/// `std::rc::Rc`. It is neither `Send` nor `Sync`; share across threads
/// with [`ArcArray`](crate::ArcArray).
///
/// # Size and alignment
///
/// One word for any allocator, and `Option<RcArray>` is one word. The block
/// holds the count and the length (two words), the allocator (no byte for
/// [`Global`]), the label, then the elements. The last parameter, `A`, is
/// the [`Allocator`] the block comes from, as for
/// [`HeapArray`](crate::HeapArray#allocator).
///
/// # Examples
///
/// ```
/// use heaparray::*;
///
/// let a = RcArray::with_label("shared", 3, |_, i| i);
/// let b = a.clone();
/// assert_eq!(RcArray::strong_count(&a), 2);
/// assert!(RcArray::ptr_eq(&a, &b));
/// assert_eq!(*b.get_label(), "shared");
/// ```
pub struct RcArray<E, L = (), A: Allocator = Global> {
    block: NonNull<u8>,
    _owns: PhantomData<(L, E, A)>,
}

// Like `Rc<T>: UnwindSafe where T: RefUnwindSafe`: a handle moved into
// `catch_unwind` shares its contents with the handles outside, so a panic
// can only have left them as `&`-access leaves them; an `RcArray` of
// `Cell`s is not unwind-safe, as `Rc<[Cell<u8>]>` is not. (The explicit
// impl replaces the automatic one, which only asked `E, L: UnwindSafe`.)
// `RefUnwindSafe` stays automatic: it already needs `E, L: RefUnwindSafe`.
impl<E: RefUnwindSafe, L: RefUnwindSafe, A: Allocator + RefUnwindSafe> UnwindSafe
    for RcArray<E, L, A>
{
}

impl<E, L, A: Allocator> RcArray<E, L, A> {
    /// The label.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = RcArray::with_label('l', 0, |_, _| ());
    /// assert_eq!(*a.get_label(), 'l');
    /// ```
    #[must_use]
    #[inline]
    pub fn get_label(&self) -> &L {
        // SAFETY: the label is initialised while any handle lives; shared
        // handles only read it (writes need `get_mut`-style uniqueness).
        unsafe { self.raw().label_ref() }
    }

    /// The number of handles to this block.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = RcArray::new(1, |i| i);
    /// let _b = a.clone();
    /// assert_eq!(RcArray::strong_count(&a), 2);
    /// ```
    #[must_use]
    #[inline]
    pub fn strong_count(this: &Self) -> usize {
        this.header().strong.get()
    }

    /// Whether two handles point to the same block (like `Rc::ptr_eq`).
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = RcArray::new(1, |i| i);
    /// let b = a.clone();
    /// let c = RcArray::new(1, |i| i);
    /// assert!(RcArray::ptr_eq(&a, &b));
    /// assert!(!RcArray::ptr_eq(&a, &c));
    /// ```
    #[must_use]
    #[inline]
    pub fn ptr_eq(this: &Self, other: &Self) -> bool {
        this.block == other.block
    }

    /// The elements by mutable reference if this is the only handle.
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let mut a = RcArray::new(2, |i| i);
    /// RcArray::get_mut(&mut a).unwrap()[0] = 7;
    /// let b = a.clone();
    /// assert!(RcArray::get_mut(&mut a).is_none());
    /// drop(b);
    /// assert_eq!(&*a, &[7, 1]);
    /// ```
    #[inline]
    pub fn get_mut(this: &mut Self) -> Option<&mut [E]> {
        if Self::strong_count(this) == 1 {
            // SAFETY: no other handle exists and `&mut this` is exclusive.
            Some(unsafe { this.raw().elements_mut(this.len()) })
        } else {
            None
        }
    }

    /// The elements by mutable reference, cloning the label and the
    /// elements into a new block first if other handles share this one
    /// (copy-on-write, like `Rc::make_mut`).
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let mut a = RcArray::new(2, |i| i);
    /// let b = a.clone();
    /// RcArray::make_mut(&mut a)[0] = 9;
    /// assert_eq!((&*a, &*b), (&[9, 1][..], &[0, 1][..]));
    /// ```
    pub fn make_mut(this: &mut Self) -> &mut [E]
    where
        E: Clone,
        L: Clone,
        A: Clone,
    {
        if Self::strong_count(this) != 1 {
            let alloc = Self::allocator(this).clone();
            let label = this.get_label().clone();
            *this = crate::allocation::infallible(crate::block::build(crate::block::try_fill(
                label,
                this.len(),
                |_, i| this[i].clone(),
                alloc,
            )));
        }
        // SAFETY: this is now the only handle, and `&mut this` is exclusive.
        unsafe { this.raw().elements_mut(this.len()) }
    }

    /// The allocator the block came from (like `Rc::allocator`).
    ///
    /// # Examples
    ///
    /// ```
    /// use heaparray::*;
    /// let a = RcArray::new_in(2, |i| i, Global);
    /// let _: &Global = RcArray::allocator(&a);
    /// ```
    #[must_use]
    #[inline]
    pub fn allocator(this: &Self) -> &A {
        // SAFETY: the header is initialised while any handle lives, and the
        // allocator is only moved out when the last handle frees the block.
        unsafe { this.raw().allocator() }
    }

    #[inline]
    fn raw(&self) -> RcBlock<E, L, A> {
        // SAFETY: `self.block` came from `as_non_null` of an RcBlock<E, L, A>.
        unsafe { Block::from_non_null(self.block) }
    }

    #[inline]
    fn header(&self) -> &RcHeader<A> {
        // SAFETY: the header is initialised while any handle lives; it is
        // only ever accessed through shared references (its count is a Cell).
        unsafe { &*self.raw().header() }
    }
}

impl<E, L, A: Allocator> FromBuilder<E, L> for RcArray<E, L, A> {
    type Header = RcHeader<A>;
    fn try_from_builder(builder: Builder<RcHeader<A>, L, E>) -> Result<Self, TryReserveError> {
        let (block, _) = builder.try_finish(|len, alloc| RcHeader {
            strong: Cell::new(1),
            len,
            alloc,
        })?;
        Ok(RcArray {
            block: block.as_non_null(),
            _owns: PhantomData,
        })
    }
}

impl<E, L, A: Allocator> Clone for RcArray<E, L, A> {
    /// Another handle to the same block.
    ///
    /// Aborts the process if the count would exceed `isize::MAX`, as `Rc`
    /// does (only reachable by leaking handles with `mem::forget`).
    #[inline]
    fn clone(&self) -> Self {
        let strong = &self.header().strong;
        let count = strong.get();
        if count >= isize::MAX as usize {
            crate::sync::abort();
        }
        strong.set(count + 1);
        RcArray {
            block: self.block,
            _owns: PhantomData,
        }
    }
}

impl<E, L, A: Allocator> Drop for RcArray<E, L, A> {
    fn drop(&mut self) {
        let strong = &self.header().strong;
        let count = strong.get() - 1;
        strong.set(count);
        if count == 0 {
            let (block, len) = (self.raw(), self.len());
            // SAFETY: this was the last handle: the label and `len` elements
            // are initialised and unreferenced, the block was allocated from
            // its allocator for `len`, and nothing uses it again.
            unsafe {
                block.destroy(len);
            }
        }
    }
}

impl<E, L, A: Allocator> Deref for RcArray<E, L, A> {
    type Target = [E];
    #[inline]
    fn deref(&self) -> &[E] {
        let len = self.header().len;
        // SAFETY: `len` initialised elements live while any handle does, and
        // no handle writes them while shared (`get_mut` needs uniqueness).
        unsafe { self.raw().elements(len) }
    }
}

impl_slice_traits!(RcArray);
impl_constructors!(RcArray);
impl_default!(RcArray);
