//! Feature `stable_deref_trait`: every owning handle derefs to the same
//! address wherever the handle moves (into a box, a vector, another
//! thread), and clones of the shared handles deref to the same address;
//! for empty and zero-sized arrays too. Then a `yoke::Yoke` whose cart is
//! a handle: borrowed data carried along with the array it borrows from.
#![cfg(all(feature = "stable_deref_trait", not(any(loom, shuttle))))]

mod common;

use std::thread;

use common::Ledger;
use heaparray::*;
use stable_deref_trait::{CloneStableDeref, StableDeref};
use yoke::Yoke;

/// The address `owner` derefs to.
fn address<T: StableDeref>(owner: &T) -> *const T::Target {
    &**owner
}

/// Moves `owner` about (into a box, through a vector, out again) and checks
/// it still derefs to where it did; returns it.
fn moved_about<T: StableDeref>(owner: T) -> T {
    let before = address(&owner);
    let boxed = Box::new(owner);
    assert!(std::ptr::eq(address(&*boxed), before));
    let mut v = vec![*boxed];
    v.reserve(100); // the vector's buffer moves, the handle with it
    let owner = v.pop().unwrap();
    assert!(std::ptr::eq(address(&owner), before));
    owner
}

/// Clones deref to the same address as the original.
fn clones_alike<T: CloneStableDeref>(owner: &T) {
    let clone = owner.clone();
    assert!(std::ptr::eq(address(&clone), address(owner)));
    let moved = moved_about(clone);
    assert!(std::ptr::eq(address(&moved), address(owner)));
}

#[test]
fn every_handle_keeps_its_address_when_moved() {
    for len in [0, 1, 5] {
        moved_about(HeapArray::with_label("h", len, |_, i| i as u32));
        moved_about(HeapArray::<(), ()>::new(len, |_| ())); // a block of size zero
        moved_about(RcArray::with_label("r", len, |_, i| i.to_string()));
        moved_about(ArcArray::with_label("a", len, |_, i| i as u64));
        moved_about(CompactArcArray::<u8>::new(len, |i| i as u8));
        moved_about(UniqueArcArray::with_label("u", len, |_, i| i as u8));
        moved_about(ArcArray::<()>::new(len, |_| ()));
    }
    moved_about(ArcArray::<u64>::default());
    moved_about(RcArray::<u64>::default());
}

#[test]
fn clones_of_shared_handles_deref_alike() {
    for len in [0, 3] {
        clones_alike(&ArcArray::new(len, |i| i as u16));
        clones_alike(&CompactArcArray::<String>::new(len, |i| i.to_string()));
        clones_alike(&RcArray::new(len, |i| i as u16));
        clones_alike(&ArcArray::<(), &str>::with_label("zst", len, |_, _| ()));
    }
    clones_alike(&ArcArray::<u8>::default());
}

#[test]
fn the_address_survives_a_trip_to_another_thread() {
    let a = ArcArray::with_label("sent", 8, |_, i| i as u8);
    let here = address(&a) as *const u8 as usize;
    let u = UniqueArcArray::with_label("unique", 4, |_, i| i as u8);
    let u_here = address(&u) as *const u8 as usize;
    let (a, u) = thread::spawn(move || {
        assert_eq!(address(&a) as *const u8 as usize, here);
        (a, u)
    })
    .join()
    .unwrap();
    assert_eq!(address(&a) as *const u8 as usize, here);
    assert_eq!(address(&u) as *const u8 as usize, u_here);
}

/// A mutable handle's `deref_mut` and `deref` agree, and writes through
/// the first are seen by the second, however the handle moves between.
#[test]
fn deref_mut_agrees_with_deref() {
    let mut h = HeapArray::new(4, |i| i);
    let p: *mut [usize] = &mut *h;
    let mut h = moved_about(h);
    assert!(std::ptr::eq(&mut *h as *mut [usize], p));
    h[2] = 20;
    let mut u = moved_about(UniqueArcArray::new(4, |i| i));
    let q: *mut [usize] = &mut *u;
    u[1] = 10;
    assert!(std::ptr::eq(address(&u), q));
    assert_eq!((h[2], u[1]), (20, 10));
}

/// The part of `key=value;...` after the first `=`, borrowed from `bytes`.
fn value(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b == b'=').unwrap() + 1;
    let end = bytes.iter().position(|&b| b == b';').unwrap();
    &bytes[start..end]
}

/// What a demanding user does with it: a `Yoke` carrying a borrow of the
/// array's bytes together with the array, a second one on a clone of the
/// cart (the same block), sent to another thread; the label and elements
/// dropped once, with the last cart. (Cloning the `Yoke` itself needs
/// yoke's own `CloneableCart`, which this crate does not implement.)
#[test]
fn a_yoke_with_an_array_cart() {
    let ledger = Ledger::new();
    let text = "key=value; other=thing";
    let a = ArcArray::with_label(ledger.canary(), text.len(), |_, i| text.as_bytes()[i]);
    let elements = ArcArray::as_ptr(&a);
    let yoke: Yoke<&'static [u8], ArcArray<u8, common::Canary>> =
        Yoke::attach_to_cart(a, |b: &[u8]| value(b));
    assert_eq!(*yoke.get(), b"value");
    assert_eq!(
        yoke.get().as_ptr(),
        elements.wrapping_add(4),
        "a borrow into the block"
    );
    let copy: Yoke<&'static [u8], _> =
        Yoke::attach_to_cart(yoke.backing_cart().clone(), |b: &[u8]| value(b));
    assert!(ArcArray::ptr_eq(copy.backing_cart(), yoke.backing_cart()));
    assert_eq!(copy.get().as_ptr(), yoke.get().as_ptr(), "the same bytes");
    assert_eq!(ArcArray::strong_count(yoke.backing_cart()), 2);
    drop(yoke);
    let copy = thread::spawn(move || {
        assert_eq!(*copy.get(), b"value");
        copy
    })
    .join()
    .unwrap();
    assert_eq!(ledger.live(), 1);
    drop(copy);
    ledger.assert_all_dropped();

    // An `RcArray` and a `HeapArray` cart too (the latter not cloneable).
    let r = RcArray::new(5, |i| b"hello"[i]);
    let y: Yoke<&'static [u8], RcArray<u8>> = Yoke::attach_to_cart(r, |b: &[u8]| &b[1..4]);
    assert_eq!(*y.get(), b"ell");
    let h = HeapArray::new(3, |i| i as u8);
    let y: Yoke<&'static u8, HeapArray<u8>> = Yoke::attach_to_cart(h, |b: &[u8]| &b[2]);
    assert_eq!(**y.get(), 2);
}
