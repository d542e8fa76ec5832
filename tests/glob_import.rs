//! Issue 19, item 2: `use heaparray::*` shadows nothing. Every call below
//! is a slice method called through a handle with only the glob import in
//! scope; while the seed's traits were in the glob, `get` with a range
//! failed to compile (`CopyMap::get` takes a `usize`), `get_unchecked` with
//! a range likewise (`LabelledArray::get_unchecked`), and `insert` on an
//! array of 5 elements returned `None` and dropped the value. This file
//! failing to compile is the test failing.
#![cfg(not(any(loom, shuttle)))]

use heaparray::*;

#[test]
fn slice_methods_win_with_the_glob_import() {
    let mut h = HeapArray::from(vec![1u8, 2, 3, 4, 5]);
    assert_eq!(h.get(1..3), Some(&[2, 3][..]));
    assert_eq!(h.get(9), None);
    if let Some(s) = h.get_mut(0..2) {
        s.copy_from_slice(&[7, 7]);
    }
    assert_eq!(&*h, &[7, 7, 3, 4, 5]);
    // SAFETY: 1..3 is in bounds of 5 elements.
    assert_eq!(unsafe { h.get_unchecked(1..3) }, &[7, 3]);

    let a = ArcArray::from(vec![1u32, 2, 3]);
    // SAFETY: in bounds.
    assert_eq!(unsafe { a.get_unchecked(0..2) }, &[1, 2]);
    assert_eq!(a.get(..), Some(&[1, 2, 3][..]));
    let c = CompactArcArray::from(vec![1u32, 2, 3]);
    assert_eq!(c.get(2..), Some(&[3][..]));
    let r = RcArray::from(vec![1u32, 2, 3]);
    assert_eq!(r.first(), Some(&1));
    let mut u = UniqueArcArray::from(vec![5u8, 4, 3]);
    u.sort();
    assert_eq!(u.get(..2), Some(&[3, 4][..]));
    assert_eq!((a.len(), c.is_empty()), (3, false));
}

#[test]
fn the_glob_brings_the_types_the_error_and_the_allocator() {
    fn in_any<A: Allocator>(a: &UniqueArcArray<u8, (), A>) -> usize {
        a.len()
    }
    let g: ArcArray<u8, (), Global> = ArcArray::new_in(2, |i| i as u8, Global);
    let u = UniqueArcArray::new_in(3, |i| i as u8, Global);
    assert_eq!((g.len(), in_any(&u)), (2, 3));
    let err = ArcArray::<u64>::try_new(usize::MAX / 4, |_| 0).unwrap_err();
    assert_eq!(err, TryReserveError::CapacityOverflow);
    let _: Option<AllocError> = None;
    let _: (Option<Padded>, Option<Compact>) = (None, None);
    let w: WeakArcArray<u8> = WeakArcArray::new();
    let cw: CompactWeakArcArray<u8> = CompactWeakArcArray::new();
    assert!(w.upgrade().is_none() && cw.upgrade().is_none());
}

#[test]
fn the_traits_by_path_beside_the_glob() {
    use heaparray::traits::{CopyMap, LabelledArray};
    let mut h = HeapArray::with_label(9u8, 5, |_, i| i as u8);
    assert_eq!(CopyMap::insert(&mut h, 0, 7), Some(0));
    assert_eq!(*LabelledArray::get_label(&h), 9);
    // With the trait in scope, the slice's `get` is still reachable by path.
    assert_eq!(<[u8]>::get(&h, 1..3), Some(&[1, 2][..]));
}
