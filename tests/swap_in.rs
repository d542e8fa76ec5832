//! The rest of a swap-in for `Arc<[T]>`: `Default`'s shared static block
//! (no allocation, and every operation on it), the raw strong-count
//! functions, `WeakArcArray`'s raw pointers, `is_unique`,
//! `unwrap_or_clone`, the `From` conversions of arrays, `&mut` slices and
//! `Cow`s, and `fmt::Pointer`, with elements and labels that own memory.
#![cfg(not(any(loom, shuttle)))]

mod common;

use std::borrow::Cow;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use common::{allocations, owning_layout_tests, owning_tests, Counting, Ledger, Owning, LABEL};
use heaparray::*;

#[global_allocator]
static ALLOC: Counting = Counting;

#[repr(align(16))]
#[derive(Clone, Debug, Default, PartialEq)]
struct Align16(u8);

#[repr(align(32))]
#[derive(Clone, Debug, Default, PartialEq)]
struct Align32(u8);

/// Every operation a user may do on an empty default array, none of which
/// may allocate while the array stays on the static block.
fn exercise_default<E: std::fmt::Debug, P: ArcLayout>() -> ArcArrayBase<E, (), P, Global>
where
    ArcArrayBase<E, (), P, Global>: Default,
{
    let a = ArcArrayBase::<E, (), P, Global>::default();
    let b = ArcArrayBase::<E, (), P, Global>::default();
    assert!(a.is_empty() && ArcArrayBase::ptr_eq(&a, &b));
    assert!(!ArcArrayBase::is_unique(&a));
    assert!(
        ArcArrayBase::strong_count(&a) >= 3,
        "the static's own count and two handles"
    );
    let c = a.clone();
    drop(b);
    let w = ArcArrayBase::downgrade(&c);
    let up = w.upgrade().expect("a strong handle exists");
    assert!(ArcArrayBase::ptr_eq(&up, &a));
    assert_eq!(w.as_ptr(), ArcArrayBase::as_ptr(&a));
    let p = ArcArrayBase::into_raw(up);
    // SAFETY: `p` came from `into_raw` of this type, once.
    let up = unsafe { ArcArrayBase::<E, (), P, Global>::from_raw(p) };
    // SAFETY: `p`'s count is held by `up`.
    unsafe { ArcArrayBase::<E, (), P, Global>::increment_strong_count(p) };
    // SAFETY: the count just added is given up.
    unsafe { ArcArrayBase::<E, (), P, Global>::decrement_strong_count(p) };
    let wp = w.clone().into_raw();
    // SAFETY: `wp` came from `into_raw` of this weak type, once.
    drop(unsafe { WeakArcArrayBase::<E, (), P, Global>::from_raw(wp) });
    let mut d = c.clone();
    assert!(ArcArrayBase::get_mut(&mut d).is_none());
    let d = ArcArrayBase::try_unique(d).expect_err("the static holds a count");
    assert!(ArcArrayBase::into_unique(d).is_none());
    drop((c, w, up));
    a
}

#[test]
fn default_allocates_nothing_and_every_operation_works() {
    let (a, allocs, live) = allocations(|| {
        let a = exercise_default::<u8, Padded>();
        drop(exercise_default::<u64, Padded>());
        drop(exercise_default::<Align16, Padded>());
        drop(exercise_default::<String, Compact>());
        drop(exercise_default::<Align16, Compact>());
        drop(exercise_default::<(), Compact>());
        drop(CompactUniqueArcArray::<u8>::default().shareable()); // not static
        a
    });
    // The one allocation is the unique array's own block.
    assert_eq!((allocs, live), (1, 0));
    assert!(a.is_empty());
}

#[test]
fn default_is_one_block_per_layout() {
    let (p, c) = (ArcArray::<u8>::default(), CompactArcArray::<u8>::default());
    let (p64, c16) = (
        ArcArray::<u64>::default(),
        CompactArcArray::<Align16>::default(),
    );
    assert_eq!(p.as_ptr().addr() % 16, 0);
    // The same block for every element type of a layout: its header starts
    // at the same address, so the element pointers differ only by E's
    // alignment rounding of the header's end.
    let header_end = |ptr: *const u8, align: usize| ptr.addr() - ptr.addr() % align;
    assert_eq!(
        header_end(p.as_ptr(), 16),
        header_end(p64.as_ptr().cast(), 16)
    );
    assert_ne!(p.as_ptr().addr(), c.as_ptr().addr());
    assert_eq!(format!("{p:p}"), format!("{:p}", p.as_ptr()));
    assert!(c16.as_ptr().addr() % 16 == 0 && c.as_ptr().addr() <= c16.as_ptr().addr());
}

#[test]
fn make_mut_and_unwrap_or_clone_leave_the_static_block() {
    let ((), allocs, live) = allocations(|| {
        let mut a = ArcArray::<String>::default();
        let shared = ArcArray::as_ptr(&a);
        assert!(ArcArray::make_mut(&mut a).is_empty());
        assert_ne!(ArcArray::as_ptr(&a), shared);
        assert!(ArcArray::is_unique(&a) && ArcArray::get_mut(&mut a).is_some());
        let u = ArcArrayBase::unwrap_or_clone(CompactArcArray::<String>::default());
        assert!(u.is_empty());
        let u = ArcArray::into_unique(a).expect("its own block now");
        drop(u);
    });
    assert_eq!(
        (allocs, live),
        (2, 0),
        "make_mut's block and unwrap_or_clone's"
    );
}

#[test]
fn default_beyond_the_static_blocks_allocates() {
    // Aligned beyond 16: a block of its own (as std's `Arc<[T]>`).
    let ((a, b), allocs, _) = allocations(|| {
        (
            ArcArray::<Align32>::default(),
            ArcArray::<Align32>::default(),
        )
    });
    assert_eq!(allocs, 2);
    assert!(!ArcArray::ptr_eq(&a, &b) && ArcArray::is_unique(&a));
    assert_eq!(a.as_ptr().addr() % 32, 0);
}

#[test]
fn default_is_shared_across_threads() {
    let threads = if cfg!(miri) { 3 } else { 8 };
    let rounds = if cfg!(miri) { 20 } else { 10_000 };
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            std::thread::spawn(move || {
                for i in 0..rounds {
                    let a = ArcArray::<u64>::default();
                    let b = a.clone();
                    let w = ArcArray::downgrade(&b);
                    if (i + t) % 2 == 0 {
                        drop(a);
                        assert!(w.upgrade().is_some());
                    } else {
                        drop(w);
                        assert!(ArcArray::into_unique(a).is_none());
                    }
                    assert!(b.is_empty());
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let a = ArcArray::<u64>::default();
    // Only this test's handles and the static's own count are left, unless
    // another test holds one at this moment.
    assert!(ArcArray::strong_count(&a) >= 2);
}

#[cfg(feature = "serde")]
#[test]
fn default_round_trips_through_serde() {
    let a = ArcArray::<String>::default();
    let json = serde_json::to_string(&a).unwrap();
    let b: ArcArray<String> = serde_json::from_str(&json).unwrap();
    assert_eq!(a, b);
}

/// A label and `len` elements of `ledger`, in layout `P`.
fn owning<E: Owning, L: Owning, P: ArcLayout>(
    ledger: &Arc<Ledger>,
    len: usize,
) -> ArcArrayBase<E, L, P, Global> {
    ArcArrayBase::with_label_in(
        L::make(ledger, LABEL),
        len,
        |_, i| E::make(ledger, i),
        Global,
    )
}

fn raw_strong_counts<E: Owning, L: Owning, P: ArcLayout>() {
    let ledger = Ledger::new();
    let a = owning::<E, L, P>(&ledger, 3);
    let p = ArcArrayBase::into_raw(a);
    // SAFETY: `p` came from `into_raw`; its count is held.
    unsafe { ArcArrayBase::<E, L, P, Global>::increment_strong_count(p) };
    // SAFETY: `p` came from `into_raw`; this takes over one of its counts.
    let b = unsafe { ArcArrayBase::<E, L, P, Global>::from_raw(p) };
    assert_eq!(ArcArrayBase::strong_count(&b), 2);
    common::check_all(&b);
    b.get_label().check(LABEL);
    drop(b);
    assert_eq!(ledger.live(), 4, "one count is left: nothing dropped");
    // SAFETY: the last count, given up: the contents drop here.
    unsafe { ArcArrayBase::<E, L, P, Global>::decrement_strong_count(p) };
    ledger.assert_all_dropped();
}

fn weak_raw_pointers<E: Owning, L: Owning, P: ArcLayout>() {
    let ledger = Ledger::new();
    let a = owning::<E, L, P>(&ledger, 2);
    let p = ArcArrayBase::downgrade(&a).into_raw();
    assert_eq!(p, ArcArrayBase::as_ptr(&a));
    // SAFETY: from `into_raw` of this weak type, once.
    let w = unsafe { WeakArcArrayBase::<E, L, P, Global>::from_raw(p) };
    assert_eq!(w.as_ptr(), p);
    common::check_all(&w.upgrade().unwrap());
    let q = w.clone().into_raw();
    drop(a);
    ledger.assert_all_dropped();
    // The contents are gone; the pointer still names the block, which the
    // two weak counts keep allocated.
    assert_eq!(w.as_ptr(), q);
    // SAFETY: from `into_raw` of this weak type, once.
    let v = unsafe { WeakArcArrayBase::<E, L, P, Global>::from_raw(q) };
    assert!(v.upgrade().is_none() && v.ptr_eq(&w));
    drop((v, w)); // the last one frees the block (Miri checks the leak)
}

fn unwrap_or_clone_by_case<E: Owning, L: Owning, P: ArcLayout>() {
    let ledger = Ledger::new();
    let make = || owning::<E, L, P>(&ledger, 3);
    // The only handle: the block itself, no copy.
    let a = make();
    let p = ArcArrayBase::as_ptr(&a);
    let u = ArcArrayBase::unwrap_or_clone(a);
    assert_eq!(u.as_ptr(), p);
    common::check_all(&u);
    drop(u);
    // Weak handles only: the contents move (no clone), the weak ones die.
    let a = make();
    let w = ArcArrayBase::downgrade(&a);
    let made = ledger.made();
    let u = ArcArrayBase::unwrap_or_clone(a);
    assert_eq!(ledger.made(), made, "moved, not cloned");
    assert!(w.upgrade().is_none());
    common::check_all(&u);
    u.get_label().check(LABEL);
    drop((u, w));
    // Shared: a clone; the other handle keeps the original.
    let a = make();
    let b = a.clone();
    let u = ArcArrayBase::unwrap_or_clone(a);
    assert_ne!(u.as_ptr(), ArcArrayBase::as_ptr(&b));
    assert_eq!(ArcArrayBase::strong_count(&b), 1);
    common::check_all(&u);
    common::check_all(&b);
    drop((u, b));
    // Shared, and a clone panics part-way: what was cloned is dropped and
    // the consumed handle is released; the other one is intact.
    for n in 0..4 {
        let a = make();
        let b = a.clone();
        ledger.panic_on_clone(n);
        let r = common::catch_expected(AssertUnwindSafe(|| ArcArrayBase::unwrap_or_clone(a)));
        ledger.panic_on_clone(usize::MAX);
        assert!(r.is_err(), "clone {n} panics");
        assert!(ArcArrayBase::is_unique(&b));
        common::check_all(&b);
        b.get_label().check(LABEL);
        drop(b);
        ledger.assert_all_dropped();
    }
    ledger.assert_all_dropped();
}

owning_layout_tests!(
    raw_strong_counts,
    weak_raw_pointers,
    unwrap_or_clone_by_case
);

#[test]
fn weak_new_raw_pointer_round_trips() {
    let w = WeakArcArray::<String>::new();
    let p = w.as_ptr();
    assert!(!p.is_null());
    assert_eq!(w.into_raw(), p);
    // SAFETY: from `into_raw` of this type, once.
    let w = unsafe { WeakArcArray::<String>::from_raw(p) };
    assert!(w.upgrade().is_none() && w.ptr_eq(&WeakArcArray::new()));
    assert_eq!(format!("{w:p}"), format!("{p:p}"));
}

#[test]
fn is_unique_sees_every_kind_of_handle() {
    let a = CompactArcArray::new(2, |i| i.to_string());
    assert!(ArcArrayBase::is_unique(&a));
    let w = ArcArrayBase::downgrade(&a);
    assert!(!ArcArrayBase::is_unique(&a));
    drop(w);
    let b = a.clone();
    assert!(!ArcArrayBase::is_unique(&a) && !ArcArrayBase::is_unique(&b));
    drop(b);
    assert!(ArcArrayBase::is_unique(&a));
    let p = ArcArrayBase::into_raw(a.clone());
    assert!(!ArcArrayBase::is_unique(&a), "a raw pointer holds a count");
    // SAFETY: from `into_raw`, once.
    drop(unsafe { CompactArcArray::<String>::from_raw(p) });
    assert!(ArcArrayBase::is_unique(&a));
}

/// The `From` conversions of every handle, with elements that own memory.
fn conversions<E: Owning, L: Owning>() {
    let ledger = Ledger::new();
    let make = || -> [E; 3] { std::array::from_fn(|i| E::make(&ledger, i)) };
    macro_rules! each_handle {
        ($($h:ty),*) => {$({
            let a = <$h>::from(make());
            common::check_all(&a);
            let mut v: Vec<E> = make().into();
            let b = <$h>::from(&mut v[..]);
            common::check_all(&b);
            let c = <$h>::from(Cow::Borrowed(&v[..]));
            common::check_all(&c);
            let d = <$h>::from(Cow::<[E]>::Owned(v));
            common::check_all(&d);
            let e = <$h>::from([] as [E; 0]);
            assert!(e.is_empty());
            assert_eq!(format!("{a:p}"), format!("{:p}", a.as_ptr()));
            drop((a, b, c, d, e));
            ledger.assert_all_dropped();
        })*};
    }
    each_handle!(HeapArray<E>, RcArray<E>, ArcArray<E>, UniqueArcArray<E>);
    // A clone that panics part-way through `From<&mut [E]>` and
    // `From<Cow::Borrowed>`: the clones made are dropped, the source kept.
    let mut v: Vec<E> = make().into();
    for n in 0..3 {
        ledger.panic_on_clone(n);
        assert!(common::catch_expected(AssertUnwindSafe(|| ArcArray::from(&mut v[..]))).is_err());
        ledger.panic_on_clone(n);
        let r = common::catch_expected(AssertUnwindSafe(|| HeapArray::from(Cow::Borrowed(&v[..]))));
        assert!(r.is_err());
        ledger.panic_on_clone(usize::MAX);
        common::check_all(&v);
        assert_eq!(ledger.live(), 3);
    }
    drop(v);
    let _ = L::make(&ledger, LABEL);
    ledger.assert_all_dropped();
}

owning_tests!(conversions);

#[test]
fn pointer_formats_the_element_address() {
    let h = HeapArray::new(2, |i| i as u32);
    let r = RcArray::new(2, |i| i as u32);
    let a = CompactArcArray::new(2, |i| i as u32);
    let u = UniqueArcArray::new(2, |i| i as u32);
    let w = ArcArrayBase::downgrade(&a);
    for (formatted, ptr) in [
        (format!("{h:p}"), h.as_ptr()),
        (format!("{r:p}"), r.as_ptr()),
        (format!("{a:p}"), a.as_ptr()),
        (format!("{u:p}"), u.as_ptr()),
        (format!("{w:p}"), w.as_ptr()),
    ] {
        assert_eq!(formatted, format!("{ptr:p}"));
        assert!(formatted.starts_with("0x"));
    }
}
