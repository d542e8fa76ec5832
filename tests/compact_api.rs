//! The compact layout's API: every method and trait of `ArcArray`,
//! `WeakArcArray` and `UniqueArcArray` is there for `Compact` too, with
//! counts and drops exact. (The model test, `tests/model_ops.rs`, runs the
//! handle protocol in both layouts; `tests/layout.rs` checks the block.)
#![cfg(not(any(loom, shuttle)))]

mod common;

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use common::{allocations, expect_panic, owning_tests, Counting, Ledger, Owning, LABEL};
use heaparray::traits::*;
use heaparray::*;

#[global_allocator]
static ALLOC: Counting = Counting;

fn hash_of<T: Hash + ?Sized>(t: &T) -> u64 {
    let mut h = DefaultHasher::new();
    t.hash(&mut h);
    h.finish()
}

#[test]
fn constructors_through_the_traits_and_collect() {
    let a = CompactArcArray::new(3, |i| i * 2);
    assert_eq!(&*a, &[0, 2, 4]);
    let b = CompactArcArray::with_label("label", 2, |_, i| i as u8);
    assert_eq!((*b.get_label(), &*b), ("label", &[0u8, 1][..]));
    let c = CompactArcArray::<u16, char>::with_len('z', 3);
    assert_eq!((*c.get_label(), &*c), ('z', &[0u16; 3][..]));
    let d: CompactArcArray<u64> = (0..5).filter(|x| x % 2 == 1).collect();
    assert_eq!(&*d, &[1, 3]);
    let e = CompactArcArray::<String>::default();
    assert!(e.is_empty());
    let u = CompactUniqueArcArray::with_label(7u8, 2, |_, i| i as u32);
    let shared: CompactArcArray<u32, u8> = u.into();
    assert_eq!((*shared.get_label(), &*shared), (7, &[0u32, 1][..]));
}

#[test]
fn std_traits_match_the_default_layout() {
    let padded = ArcArray::with_label(1u8, 4, |_, i| i as u32);
    let compact = CompactArcArray::with_label(1u8, 4, |_, i| i as u32);
    assert_eq!(&*padded, &*compact);
    assert_eq!(hash_of(&compact), hash_of(&padded));
    // The label, then the elements, as a derived struct or a tuple hashes.
    assert_eq!(hash_of(&compact), hash_of(&(1u8, &[0u32, 1, 2, 3][..])));
    // `Debug` names the alias the user wrote.
    assert_eq!(
        format!("{padded:?}"),
        "ArcArray { label: 1, elements: [0, 1, 2, 3] }"
    );
    assert_eq!(format!("{compact:?}"), format!("Compact{padded:?}"));
    let unique = CompactUniqueArcArray::with_label(1u8, 1, |_, _| 0u8);
    assert_eq!(
        format!("{unique:?}"),
        "CompactUniqueArcArray { label: 1, elements: [0] }"
    );
    let borrowed = CompactArcArray::borrow(&compact);
    assert_eq!(
        format!("{borrowed:?}"),
        "CompactArcArrayBorrow { label: 1, elements: [0, 1, 2, 3] }"
    );
    let weak = CompactArcArray::downgrade(&compact);
    assert_eq!(format!("{weak:?}"), "(CompactWeakArcArray)");
    assert_eq!(
        format!("{:?}", ArcArray::downgrade(&padded)),
        "(WeakArcArray)"
    );
    assert_eq!(compact[1..3], [1, 2]);
    assert_eq!(compact.as_ref(), &[0, 1, 2, 3]);
    assert_eq!((&compact).into_iter().sum::<u32>(), 6);
    let bigger = CompactArcArray::with_label(1u8, 2, |_, i| i as u32 + 9);
    assert!(compact < bigger && compact == compact.clone());
    let first_by_label = CompactArcArray::with_label(0u8, 2, |_, i| i as u32 + 9);
    assert!(first_by_label < compact);
    assert_eq!(Container::len(&compact), 4);
    assert_eq!(SliceArray::as_slice(&compact), &[0, 1, 2, 3]);
    // SAFETY: 3 < 4.
    assert_eq!(unsafe { *LabelledArray::get_unchecked(&compact, 3) }, 3);
}

#[test]
fn counts_weak_handles_and_uniqueness() {
    let ledger = Ledger::new();
    let mut a = CompactArcArray::with_label(ledger.canary(), 3, |_, _| ledger.canary());
    let b = a.clone();
    let w: CompactWeakArcArray<_, _> = CompactArcArray::downgrade(&a);
    assert_eq!(
        (
            CompactArcArray::strong_count(&a),
            CompactArcArray::weak_count(&a)
        ),
        (2, 1)
    );
    assert_eq!((w.strong_count(), w.weak_count()), (2, 1));
    assert!(CompactArcArray::get_mut(&mut a).is_none());
    // Shared: make_mut clones (3 elements and the label: 4 more canaries).
    CompactArcArray::make_mut(&mut a);
    assert!(!CompactArcArray::ptr_eq(&a, &b));
    assert_eq!(ledger.live(), 8);
    drop(b);
    assert_eq!(ledger.live(), 4);
    assert!(
        w.upgrade().is_none(),
        "b was the last strong handle of w's block"
    );
    // Unique with a weak handle: the contents move (no clone).
    let w2 = CompactArcArray::downgrade(&a);
    let u = CompactArcArray::try_unique(a).ok().unwrap();
    assert!(w2.upgrade().is_none());
    assert_eq!(ledger.live(), 4);
    let mut a = u.shareable();
    assert!(CompactArcArray::get_mut(&mut a).is_some());
    let c = a.clone();
    assert!(CompactArcArray::into_unique(a).is_none());
    let u = CompactArcArray::into_unique(c).unwrap();
    drop((u, w, w2));
    assert_eq!(ledger.live(), 0);
    assert!(CompactWeakArcArray::<u8>::new().upgrade().is_none());
}

#[test]
fn raw_round_trip_and_threads() {
    let a = CompactArcArray::new(1000, |i| i as u64);
    let p = CompactArcArray::into_raw(a);
    // SAFETY: from `CompactArcArray::<u64>::into_raw`, used once.
    let a = unsafe { CompactArcArray::<u64>::from_raw(p) };
    let sums: Vec<u64> = (0..4)
        .map(|t| {
            let a = a.clone();
            std::thread::spawn(move || a[t * 250..(t + 1) * 250].iter().sum())
        })
        .map(|h| h.join().unwrap())
        .collect();
    assert_eq!(sums.iter().sum::<u64>(), 499_500);
    assert_eq!(CompactArcArray::strong_count(&a), 1);
}

owning_tests!(a_panicking_closure_leaks_nothing);

fn a_panicking_closure_leaks_nothing<E: Owning, L: Owning>() {
    for k in [0, 3, 4] {
        let ledger = Ledger::new();
        let ((), _, live) = allocations(|| {
            let message = expect_panic(|| {
                CompactArcArray::with_label(L::make(&ledger, LABEL), 5, |label, i| {
                    label.check(LABEL);
                    assert!(i < k, "boom");
                    E::make(&ledger, i)
                })
            });
            assert_eq!(message, "boom");
            let message = expect_panic(|| {
                CompactUniqueArcArray::with_label(L::make(&ledger, LABEL), 5, |_, i| {
                    assert!(i < k, "boom");
                    E::make(&ledger, i)
                })
            });
            assert_eq!(message, "boom");
        });
        assert_eq!(ledger.made(), 2 * (k + 1), "k = {k}");
        ledger.assert_all_dropped();
        assert_eq!(live, 0, "the block was freed");
    }
}
