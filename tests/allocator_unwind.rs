//! The allocator is user code too: its `clone`, `deallocate` and `Drop` may
//! unwind or re-enter. These are the reproductions of what a review found
//! (each failed before its fix: a use after free under Miri for the first
//! three, a double free for the trim, a leak for `From<HeapArray>`, an
//! error for a three-element iterator), kept as regression tests, with
//! elements and labels that own heap memory.
#![cfg(not(any(loom, shuttle)))]

use std::alloc::Layout;
use std::cell::{Cell, RefCell};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::NonNull;

use heaparray::*;

mod common;
use common::{zst_counts, Lying, Zst};

thread_local! {
    /// A weak handle the allocator's `clone` drops (re-entering the crate).
    static WEAK: RefCell<Option<WeakArcArray<String, String, Unruly>>> =
        const { RefCell::new(None) };
    /// The next drop of an allocator panics.
    static PANIC_ON_DROP: Cell<bool> = const { Cell::new(false) };
    /// The next `deallocate` panics, after it has freed the memory.
    static PANIC_AFTER_FREE: Cell<bool> = const { Cell::new(false) };
    /// The `n`-th `deallocate` from now (1-based; 0: none) panics, after it
    /// has freed the memory.
    static PANIC_AT_FREE: Cell<usize> = const { Cell::new(0) };
    /// Every live block, with its provenance: what a panic inside `grow`
    /// or `shrink` leaves behind is found here and kept reachable.
    static BLOCKS: RefCell<Vec<(*mut u8, Layout)>> = const { RefCell::new(Vec::new()) };
    /// Blocks allocated and not yet freed.
    static LIVE_BLOCKS: Cell<isize> = const { Cell::new(0) };
}

fn live_blocks() -> isize {
    LIVE_BLOCKS.with(Cell::get)
}

/// Allocators alive: each holds the one [`Zst`] of this suite.
fn live_allocators() -> isize {
    let (made, dropped) = zst_counts();
    made as isize - dropped as isize
}

/// An allocator that forwards to `Global`, counts its blocks and (with its
/// counted [`Zst`], dropped even when its `drop` panics) its own instances,
/// and misbehaves on demand.
#[derive(Default)]
struct Unruly(Zst);

impl Unruly {
    fn new() -> Self {
        Unruly(Zst::make())
    }
}

impl Clone for Unruly {
    fn clone(&self) -> Self {
        drop(WEAK.with(|w| w.borrow_mut().take()));
        Unruly::new()
    }
}

impl Drop for Unruly {
    fn drop(&mut self) {
        if PANIC_ON_DROP.with(|p| p.replace(false)) {
            panic!("the allocator's drop panics");
        }
    }
}

// SAFETY: every call forwards to `Global`, which owns the memory.
unsafe impl Allocator for Unruly {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        let memory = Global.allocate(layout)?;
        LIVE_BLOCKS.with(|n| n.set(n.get() + 1));
        BLOCKS.with(|b| b.borrow_mut().push((memory.cast().as_ptr(), layout)));
        Ok(memory)
    }

    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        // SAFETY: `ptr` came from `Global` with `layout` (this allocator's
        // contract, forwarded).
        unsafe { Global.deallocate(ptr, layout) };
        LIVE_BLOCKS.with(|n| n.set(n.get() - 1));
        BLOCKS.with(|b| b.borrow_mut().retain(|&(p, _)| p != ptr.as_ptr()));
        let countdown = PANIC_AT_FREE.with(|p| p.replace(p.get().saturating_sub(1)));
        if PANIC_AFTER_FREE.with(|p| p.replace(false)) || countdown == 1 {
            panic!("deallocate panics after freeing");
        }
    }
    // `grow` and `shrink` are the trait's own: allocate, copy, then
    // `self.deallocate(old)`, which may panic after freeing the old block.
}

fn array() -> ArcArray<String, String, Unruly> {
    ArcArray::with_label_in("label".to_string(), 2, |_, i| i.to_string(), Unruly::new())
}

/// The weak handle dies (re-entrantly, in the allocator's `clone`) while
/// the contents move to a new block; freeing the old block then drops an
/// allocator that panics. The handle must be on the new block by then.
fn arm_release_panic(a: &ArcArray<String, String, Unruly>) {
    WEAK.with(|w| *w.borrow_mut() = Some(ArcArray::downgrade(a)));
    PANIC_ON_DROP.with(|p| p.set(true));
}

#[test]
fn make_mut_keeps_its_handle_when_freeing_the_old_block_unwinds() {
    let mut a = array();
    arm_release_panic(&a);
    let caught = catch_unwind(AssertUnwindSafe(|| ArcArray::make_mut(&mut a)[0].push('!')));
    assert!(caught.is_err(), "the allocator's drop panicked");
    // `a` is the new block's handle, with its contents moved, not cloned.
    assert_eq!(
        (ArcArray::strong_count(&a), ArcArray::weak_count(&a)),
        (1, 0)
    );
    assert_eq!(
        (a.get_label().as_str(), &a[..]),
        ("label", &["0".to_string(), "1".to_string()][..])
    );
    ArcArray::make_mut(&mut a)[0].push('!');
    assert_eq!(a[0], "0!");
    drop(a);
    assert_eq!((live_blocks(), live_allocators()), (0, 0));
}

/// `unique` (`try_unique` or `into_unique`) of an array whose allocator
/// panics when the old block is freed: the new block is dropped too.
fn unique_drops_the_new_block_when_freeing_the_old_one_unwinds<T>(
    unique: impl FnOnce(ArcArray<String, String, Unruly>) -> T,
) {
    let a = array();
    arm_release_panic(&a);
    let caught = catch_unwind(AssertUnwindSafe(|| unique(a)));
    assert!(caught.is_err(), "the allocator's drop panicked");
    assert_eq!((live_blocks(), live_allocators()), (0, 0));
}

#[test]
fn try_unique_drops_the_new_block_when_freeing_the_old_one_unwinds() {
    unique_drops_the_new_block_when_freeing_the_old_one_unwinds(|a| {
        ArcArray::try_unique(a).map(|u| u.len())
    });
}

#[test]
fn into_unique_drops_the_new_block_when_freeing_the_old_one_unwinds() {
    unique_drops_the_new_block_when_freeing_the_old_one_unwinds(|a| {
        ArcArray::into_unique(a).map(|u| u.len())
    });
}

/// Claims four elements and yields none.
struct ClaimsFour;

impl Iterator for ClaimsFour {
    type Item = u8;
    fn next(&mut self) -> Option<u8> {
        None
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (4, Some(4))
    }
}

#[test]
fn trimming_to_an_empty_block_frees_it_once_when_deallocate_unwinds() {
    // A zero-sized label and allocator and no element: the trimmed block
    // has size zero, so the trim frees the block the iterator's hint got.
    // `Unruly` is zero-sized.
    assert_eq!(std::mem::size_of::<Unruly>(), 0);
    PANIC_AFTER_FREE.with(|p| p.set(true));
    let caught = catch_unwind(|| HeapArray::from_iter_in(ClaimsFour, Unruly::new()).len());
    assert!(caught.is_err(), "deallocate panicked");
    assert_eq!(
        (live_blocks(), live_allocators()),
        (0, 0),
        "freed exactly once"
    );
    // Without the panic the same build gives an empty array.
    assert!(HeapArray::from_iter_in(ClaimsFour, Unruly::new()).is_empty());
    assert_eq!((live_blocks(), live_allocators()), (0, 0));
}

#[test]
fn from_heap_array_drops_the_new_block_when_freeing_the_old_one_unwinds() {
    let heap =
        HeapArray::with_label_in("label".to_string(), 2, |_, i| i.to_string(), Unruly::new());
    PANIC_AFTER_FREE.with(|p| p.set(true));
    let caught = catch_unwind(AssertUnwindSafe(|| UniqueArcArray::from(heap).len()));
    assert!(caught.is_err(), "deallocate panicked");
    // The label, both elements and the new block were dropped and freed
    // (Miri's leak check sees the `String`s), and the allocator dropped.
    assert_eq!((live_blocks(), live_allocators()), (0, 0));
    // And without the panic, the allocator moves with the contents.
    let heap =
        HeapArray::with_label_in("label".to_string(), 2, |_, i| i.to_string(), Unruly::new());
    let shared = ArcArray::from(heap);
    assert_eq!((live_blocks(), live_allocators()), (1, 1));
    assert_eq!(shared[1], "1");
    drop(shared);
    assert_eq!((live_blocks(), live_allocators()), (0, 0));
}

/// Yields `items` but claims at least `lower`.
fn claims_more<I: Iterator>(items: I, lower: usize) -> Lying<I> {
    Lying {
        items,
        hint: (lower, None),
    }
}

#[test]
fn a_lower_bound_the_allocator_refuses_is_not_trusted() {
    // An arena limited to 1 MiB (64 KiB under Miri) refuses the 8 MiB the
    // hint asks for; the three elements the iterator yields fit.
    let limit = if cfg!(miri) { 1 << 16 } else { 1 << 20 };
    let arena = bumpalo::Bump::new();
    arena.set_allocation_limit(Some(limit));
    let strings = claims_more((0..3).map(|i| i.to_string()), 1 << 20);
    let a = UniqueArcArray::<String, (), _>::try_from_iter_in(strings, &arena)
        .expect("three elements fit");
    assert_eq!(&*a, &["0", "1", "2"]);
    let b = RcArray::from_iter_in(claims_more(0..3u64, 1 << 20), &arena);
    assert_eq!(&*b, &[0, 1, 2]);
    // The global allocator refuses 2^59 bytes (Miri would report the
    // attempt as resource exhaustion instead of failing it).
    if !cfg!(miri) {
        let c = HeapArray::<u64>::try_from_iter(claims_more(0..3u64, 1 << 56)).expect("fits");
        assert_eq!(&*c, &[0, 1, 2]);
        let d: ArcArray<u64> = claims_more(0..3u64, 1 << 56).collect();
        assert_eq!(&*d, &[0, 1, 2]);
    }
    // An iterator that really yields more than the allocator has still
    // fails, with nothing leaked.
    let too_many = 2 * limit / std::mem::size_of::<String>();
    let many = claims_more((0..too_many).map(|i| i.to_string()), 1 << 20);
    let err = HeapArray::<String, (), _>::try_from_iter_in(many, &arena).unwrap_err();
    assert!(matches!(err, TryReserveError::AllocError { .. }), "{err:?}");
}

// ---- an allocator that unwinds inside `grow` and `shrink` -------------------

/// Owns heap memory and counts the live ones: a double drop is a double
/// free of the `String` (and a count below zero), a use after free shows
/// under Miri.
#[derive(Debug, PartialEq)]
struct Owned(String);

thread_local! {
    static LIVE_VALUES: Cell<isize> = const { Cell::new(0) };
}

impl Owned {
    fn new(s: impl Into<String>) -> Self {
        LIVE_VALUES.with(|n| n.set(n.get() + 1));
        Owned(s.into())
    }
}

impl Drop for Owned {
    fn drop(&mut self) {
        let live = LIVE_VALUES.with(|n| {
            n.set(n.get() - 1);
            n.get()
        });
        assert!(live >= 0, "{:?} dropped twice", self.0);
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Owned {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Owned::new)
    }
}

/// Blocks the rule leaks (an allocator unwound inside `grow` or `shrink`,
/// so the block holding the contents may or may not have moved): kept
/// reachable from a static, so that Miri's leak check, which does not
/// report memory a static reaches, passes; the test counts them instead.
struct Kept(#[allow(dead_code)] *mut u8);
// SAFETY: never used again; only kept reachable.
unsafe impl Send for Kept {}
static KEPT: std::sync::Mutex<Vec<Kept>> = std::sync::Mutex::new(Vec::new());

/// After a build that unwound inside `grow` or `shrink`: the one block left
/// live is the leaked one; keep it (with the values in it) and forget the
/// `values` it holds from the counts. Returns how many blocks were left.
fn keep_leaked(values: isize) -> usize {
    let left = BLOCKS.with(|b| std::mem::take(&mut *b.borrow_mut()));
    let n = left.len();
    LIVE_BLOCKS.with(|b| b.set(b.get() - n as isize));
    KEPT.lock()
        .unwrap()
        .extend(left.into_iter().map(|(p, _)| Kept(p)));
    LIVE_VALUES.with(|v| v.set(v.get() - values));
    n
}

fn live_values() -> isize {
    LIVE_VALUES.with(Cell::get)
}

/// Ten owning items behind a hint of `(lower, None)`, which the build
/// trusts for its first block: from 0 it grows to 4, 8 and 16, then shrinks
/// to 10; from 20 it only shrinks.
fn items(lower: usize) -> Lying<impl Iterator<Item = Owned>> {
    claims_more((0..10).map(|i| Owned::new(i.to_string())), lower)
}

/// Runs `build` with the `n`-th `deallocate` panicking after it freed, for
/// `n = 1, 2, ...` until a build passes no such point, and checks each:
/// the panic comes through, the block the unwinding `grow` or `shrink` had
/// moved the contents to is leaked with exactly the label and the elements
/// in it (`in_block[n - 1]`), and nothing is dropped twice or freed twice.
/// The last build must succeed and free everything when dropped.
#[track_caller]
fn sweep_growth<T>(what: &str, in_block: &[isize], mut build: impl FnMut() -> T) {
    assert_eq!(
        (live_blocks(), live_values()),
        (0, 0),
        "{what}: clean start"
    );
    for n in 1.. {
        PANIC_AT_FREE.with(|p| p.set(n));
        let caught = catch_unwind(AssertUnwindSafe(&mut build));
        let unfired = PANIC_AT_FREE.with(|p| p.replace(0));
        match caught {
            Ok(array) => {
                assert_ne!(unfired, 0, "{what}: success despite the panic at free {n}");
                assert_eq!(n - 1, in_block.len(), "{what}: panicking frees");
                drop(array);
                assert_eq!(
                    (live_blocks(), live_values(), live_allocators()),
                    (0, 0, 0),
                    "{what}: all freed"
                );
                return;
            }
            Err(_) => {
                assert_eq!(unfired, 0, "{what}: a panic but not at free {n}");
                let leaked = in_block[n - 1];
                assert_eq!(live_values(), leaked, "{what}, free {n}: values left");
                assert_eq!(keep_leaked(leaked), 1, "{what}, free {n}: blocks left");
                assert_eq!(live_allocators(), 0, "{what}, free {n}: allocators");
            }
        }
    }
}

/// Growth from an empty block: the label (none here) and 0, 4 and 8
/// elements are in the block when `grow` unwinds, 10 at the trim.
const GROWTH: &[isize] = &[0, 4, 8, 10];
/// The same for a `HeapArray` with no label and a zero-sized allocator,
/// whose empty block has no bytes: the first push allocates (no free).
const GROWTH_FROM_NOTHING: &[isize] = &[4, 8, 10];
/// An over-long hint: 10 elements are in the block when `shrink` unwinds.
const TRIM: &[isize] = &[10];

macro_rules! growth_tests {
    ($($name:ident: $handle:ty, $growth:expr;)*) => {$(
        #[test]
        fn $name() {
            type H = $handle;
            let check = |a: &H| assert_eq!(a.len(), 10);
            sweep_growth(concat!(stringify!($handle), "::from_iter_in, growth"), $growth, || {
                let a = H::from_iter_in(items(0), Unruly::new());
                check(&a);
                a
            });
            sweep_growth(concat!(stringify!($handle), "::try_from_iter_in, growth"), $growth, || {
                H::try_from_iter_in(items(0), Unruly::new()).unwrap()
            });
            sweep_growth(concat!(stringify!($handle), "::collect, growth"), $growth, || {
                items(0).collect::<H>()
            });
            sweep_growth(concat!(stringify!($handle), "::from_iter_in, trim"), TRIM, || {
                H::from_iter_in(items(20), Unruly::new())
            });
            sweep_growth(concat!(stringify!($handle), "::try_from_iter_in, trim"), TRIM, || {
                H::try_from_iter_in(items(20), Unruly::new()).unwrap()
            });
        }
    )*};
}

growth_tests! {
    heap_array_growth_unwinding_in_the_allocator: HeapArray<Owned, (), Unruly>, GROWTH_FROM_NOTHING;
    rc_array_growth_unwinding_in_the_allocator: RcArray<Owned, (), Unruly>, GROWTH;
    arc_array_growth_unwinding_in_the_allocator: ArcArray<Owned, (), Unruly>, GROWTH;
    compact_arc_array_growth_unwinding_in_the_allocator: CompactArcArray<Owned, (), Unruly>, GROWTH;
    unique_arc_array_growth_unwinding_in_the_allocator: UniqueArcArray<Owned, (), Unruly>, GROWTH;
    compact_unique_arc_array_growth_unwinding_in_the_allocator:
        CompactUniqueArcArray<Owned, (), Unruly>, GROWTH;
}

/// Deserialization pushes into the block as the elements arrive (serde_json
/// gives no length): the label and 0, 4 and 8 elements are in the block
/// when `grow` unwinds, 10 at the trim.
#[cfg(feature = "serde")]
#[test]
fn deserialization_growth_unwinding_in_the_allocator() {
    const JSON: &str = r#"{"label":"label","elements":["0","1","2","3","4","5","6","7","8","9"]}"#;
    const WITH_LABEL: &[isize] = &[1, 5, 9, 11];
    fn sweep<H: serde::de::DeserializeOwned + std::ops::Deref<Target = [Owned]>>(what: &str) {
        sweep_growth(what, WITH_LABEL, || {
            let a: H = serde_json::from_str(JSON).unwrap();
            assert_eq!(a.len(), 10);
            a
        });
    }
    sweep::<HeapArray<Owned, Owned, Unruly>>("HeapArray");
    sweep::<RcArray<Owned, Owned, Unruly>>("RcArray");
    sweep::<ArcArray<Owned, Owned, Unruly>>("ArcArray");
    sweep::<CompactArcArray<Owned, Owned, Unruly>>("CompactArcArray");
    sweep::<UniqueArcArray<Owned, Owned, Unruly>>("UniqueArcArray");
    sweep::<CompactUniqueArcArray<Owned, Owned, Unruly>>("CompactUniqueArcArray");
}
