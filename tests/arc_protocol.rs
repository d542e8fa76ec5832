//! `ArcArray`, `WeakArcArray` and `UniqueArcArray` on one thread: the
//! intent of std's own `Arc` test suite restated for the array handles
//! (counts, weak handles, get_mut, make_mut, try_unique, into_unique, raw
//! pointers), the constructors' panic safety, one allocation per array, and
//! the std traits of a swap-in for `Arc<[T]>`.
#![cfg(not(any(loom, shuttle)))]

mod common;

use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};

use common::{
    allocations, check_all, expect_panic, ids_of, owning_layout_tests, Align256, Canary, Counting,
    Ledger, Liar, Owning, LABEL,
};
use heaparray::traits::*;
use heaparray::*;

#[global_allocator]
static ALLOC: Counting = Counting;

fn canaries(ledger: &std::sync::Arc<Ledger>, len: usize) -> ArcArray<Canary, Canary> {
    ArcArray::with_label(ledger.canary(), len, |_, _| ledger.canary())
}

// ---- counts -------------------------------------------------------------

#[test]
fn counts_follow_clone_downgrade_and_drop() {
    let a = ArcArray::new(3, |i| i);
    assert_eq!(
        (ArcArray::strong_count(&a), ArcArray::weak_count(&a)),
        (1, 0)
    );
    let b = a.clone();
    let w = ArcArray::downgrade(&a);
    let w2 = w.clone();
    assert_eq!(
        (ArcArray::strong_count(&a), ArcArray::weak_count(&a)),
        (2, 2)
    );
    assert_eq!((w.strong_count(), w.weak_count()), (2, 2));
    drop(b);
    drop(w2);
    assert_eq!(
        (ArcArray::strong_count(&a), ArcArray::weak_count(&a)),
        (1, 1)
    );
    drop(a);
    assert_eq!((w.strong_count(), w.weak_count()), (0, 0));
}

#[test]
fn weak_new_never_upgrades() {
    let w = WeakArcArray::<String>::new();
    assert!(w.upgrade().is_none());
    assert_eq!((w.strong_count(), w.weak_count()), (0, 0));
    let w2 = w.clone();
    assert!(w.ptr_eq(&w2));
    assert!(WeakArcArray::<String>::default().upgrade().is_none());
    assert_eq!(format!("{w:?}"), "(WeakArcArray)");
}

#[test]
fn ptr_eq_for_strong_and_weak_handles() {
    let a = ArcArray::new(1, |i| i);
    let b = a.clone();
    let c = ArcArray::new(1, |i| i);
    assert!(ArcArray::ptr_eq(&a, &b));
    assert!(!ArcArray::ptr_eq(&a, &c));
    assert_eq!(a, c, "equal contents, different blocks");
    let (wa, wc) = (ArcArray::downgrade(&a), ArcArray::downgrade(&c));
    assert!(wa.ptr_eq(&ArcArray::downgrade(&b)));
    assert!(!wa.ptr_eq(&wc));
}

#[test]
fn upgrade_fails_after_the_last_strong_drop() {
    let ledger = Ledger::new();
    let ((), _, live) = allocations(|| {
        let a = canaries(&ledger, 3);
        let w = ArcArray::downgrade(&a);
        let up = w.upgrade().expect("a strong handle exists");
        assert_eq!(ArcArray::strong_count(&up), 2);
        drop(up);
        drop(a);
        // The contents go with the last strong handle, the block stays.
        assert_eq!(ledger.live(), 0);
        ledger.assert_all_dropped();
        assert!(w.upgrade().is_none());
        drop(w);
    });
    assert_eq!(live, 0, "the last weak handle frees the block");
}

// ---- get_mut --------------------------------------------------------------

#[test]
fn get_mut_only_when_alone() {
    let mut a = ArcArray::new(2, |i| i);
    ArcArray::get_mut(&mut a).unwrap()[0] = 10;
    let b = a.clone();
    assert!(ArcArray::get_mut(&mut a).is_none(), "another strong handle");
    drop(b);
    let w = ArcArray::downgrade(&a);
    assert!(ArcArray::get_mut(&mut a).is_none(), "a weak handle");
    drop(w);
    ArcArray::get_mut(&mut a).unwrap()[1] = 11;
    assert_eq!(&*a, &[10, 11]);
    assert_eq!(ArcArray::weak_count(&a), 0, "the lock is released");
}

// ---- make_mut -------------------------------------------------------------

#[test]
fn make_mut_clones_when_shared() {
    let ledger = Ledger::new();
    let mut a = canaries(&ledger, 3);
    let b = a.clone();
    let before = ledger.made();
    let ids: Vec<usize> = b.iter().map(|c| c.id).collect();
    ArcArray::make_mut(&mut a)[0] = ledger.canary();
    assert!(!ArcArray::ptr_eq(&a, &b));
    assert_eq!(
        ledger.made(),
        before + 4 + 1,
        "label and 3 elements cloned, 1 new"
    );
    assert_eq!(
        b.iter().map(|c| c.id).collect::<Vec<_>>(),
        ids,
        "the other is unchanged"
    );
    assert_ne!(a.get_label().id, b.get_label().id, "the label was cloned");
    drop((a, b));
    ledger.assert_all_dropped();
}

#[test]
fn make_mut_in_place_when_unique() {
    let mut a = ArcArray::new(3, |i| i);
    let p = ArcArray::as_ptr(&a);
    ArcArray::make_mut(&mut a)[2] = 9;
    assert_eq!(ArcArray::as_ptr(&a), p);
    assert_eq!(&*a, &[0, 1, 9]);
    assert_eq!(ArcArray::strong_count(&a), 1);
}

#[test]
fn make_mut_with_only_weak_handles_moves_without_cloning() {
    let ledger = Ledger::new();
    let ((), _, live) = allocations(|| {
        let mut a = canaries(&ledger, 3);
        let w = ArcArray::downgrade(&a);
        let made = ledger.made();
        let p = ArcArray::as_ptr(&a);
        ArcArray::make_mut(&mut a)[1] = ledger.canary();
        assert_eq!(ledger.made(), made + 1, "nothing cloned");
        assert_ne!(ArcArray::as_ptr(&a), p, "moved to a fresh block");
        assert!(w.upgrade().is_none(), "the weak handle is dead");
        assert_eq!(ArcArray::weak_count(&a), 0);
        drop(w);
        drop(a);
    });
    assert_eq!(live, 0);
    ledger.assert_all_dropped();
}

owning_layout_tests!(make_mut_with_a_panicking_clone_leaves_this_unchanged);

/// A `Clone` panicking at each point of `make_mut`'s copy (clone 0 is the
/// label's, element `i` is clone `i + 1`), with and without weak handles:
/// the copy is dropped and its block freed, the handle, the counts and the
/// contents unchanged, the weak handles still upgrade, and a later
/// `make_mut` copies.
fn make_mut_with_a_panicking_clone_leaves_this_unchanged<E: Owning, L: Owning, P: ArcLayout>() {
    let len = 4;
    for weak in [false, true] {
        for k in [0, 1, 2, len] {
            let ledger = Ledger::new();
            let ((), _, live) = allocations(|| {
                let mut a: ArcArrayBase<E, L, P, Global> =
                    LabelledArray::with_label(L::make(&ledger, LABEL), len, |_, i| {
                        E::make(&ledger, i)
                    });
                let b = a.clone();
                let w = weak.then(|| ArcArrayBase::downgrade(&a));
                let ids = ids_of(&a);
                ledger.panic_on_clone(k);
                let message = expect_panic(|| {
                    ArcArrayBase::make_mut(&mut a);
                });
                assert!(message.contains("on purpose"));
                assert!(ArcArrayBase::ptr_eq(&a, &b), "unchanged");
                assert_eq!(ArcArrayBase::strong_count(&a), 2);
                assert_eq!(ArcArrayBase::weak_count(&a), usize::from(weak));
                assert_eq!(ledger.live(), len + 1, "k = {k}: the clones dropped");
                assert_eq!(ids_of(&a), ids);
                check_all(&a);
                a.get_label().check(LABEL);
                if let Some(w) = &w {
                    let up = w.upgrade().expect("a strong handle is left");
                    assert!(ArcArrayBase::ptr_eq(&up, &a));
                }
                ledger.panic_on_clone(usize::MAX);
                ArcArrayBase::make_mut(&mut a);
                assert!(!ArcArrayBase::ptr_eq(&a, &b), "copied now");
                check_all(&a);
                a.get_label().check(LABEL);
                drop((a, b, w));
            });
            assert_eq!(live, 0, "weak = {weak}, k = {k}");
            ledger.assert_all_dropped();
        }
    }
}

// ---- try_unique / into_unique ---------------------------------------------

#[test]
fn try_unique_rules() {
    let a = ArcArray::new(2, |i| i.to_string());
    let b = a.clone();
    let a = ArcArray::try_unique(a).expect_err("shared");
    assert_eq!(ArcArray::strong_count(&a), 2, "handed back intact");
    drop(b);
    let p = ArcArray::as_ptr(&a);
    let mut u = ArcArray::try_unique(a).expect("alone");
    assert_eq!(u.as_ptr(), p, "no weak handle: no move");
    u[0].push('!');
    assert_eq!(&*u.shareable(), &["0!".to_string(), "1".to_string()]);
}

#[test]
fn try_unique_with_weak_handles_moves_and_kills_them() {
    let ledger = Ledger::new();
    let a = canaries(&ledger, 2);
    let w = ArcArray::downgrade(&a);
    let made = ledger.made();
    let u = ArcArray::try_unique(a).expect("the only strong handle");
    assert_eq!(ledger.made(), made, "nothing cloned");
    assert!(w.upgrade().is_none());
    assert_eq!(w.strong_count(), 0);
    drop(u);
    drop(w);
    ledger.assert_all_dropped();
}

#[test]
fn into_unique_only_for_the_last() {
    let a = ArcArray::with_label('l', 2, |_, i| i);
    let (b, c) = (a.clone(), a.clone());
    assert!(ArcArray::into_unique(a).is_none());
    assert!(ArcArray::into_unique(b).is_none());
    let w = ArcArray::downgrade(&c);
    let mut u = ArcArray::into_unique(c).expect("the last");
    *u.get_label_mut() = 'm';
    assert_eq!((*u.get_label(), &u[..]), ('m', &[0, 1][..]));
    assert!(w.upgrade().is_none());
}

// ---- UniqueArcArray -------------------------------------------------------

#[test]
fn unique_array_is_written_then_shared_without_copy() {
    let mut u = UniqueArcArray::with_label(0u32, 4, |sum, i| {
        *sum += i as u32;
        i as u32
    });
    u[3] = 30;
    for x in &mut u {
        *x += 1;
    }
    *u.get_label_mut() += 100;
    let p = u.as_ptr();
    let a: ArcArray<u32, u32> = ArcArray::from(u);
    assert_eq!(ArcArray::as_ptr(&a), p);
    assert_eq!((*a.get_label(), &a[..]), (106, &[1, 2, 3, 31][..]));
    let h = HeapArray::from(vec![1u8, 2]);
    let u2 = UniqueArcArray::from(h);
    assert_eq!(&*u2, &[1, 2]);
}

// ---- raw pointers ---------------------------------------------------------

#[test]
fn into_raw_from_raw_round_trip() {
    let a = ArcArray::with_label("l", 3, |_, i| i as u64);
    let b = a.clone();
    let p = ArcArray::into_raw(b);
    assert_eq!(p, ArcArray::as_ptr(&a));
    assert_eq!(
        ArcArray::strong_count(&a),
        2,
        "the raw pointer holds a count"
    );
    // SAFETY: `p` came from `into_raw` of an `ArcArray<u64, &str>`, once.
    let b = unsafe { ArcArray::<u64, &str>::from_raw(p) };
    assert_eq!((*b.get_label(), &b[..]), ("l", &[0, 1, 2][..]));
    drop(b);
    assert_eq!(ArcArray::strong_count(&a), 1);
}

#[test]
fn into_raw_is_aligned_for_over_aligned_elements_and_zsts() {
    let a = ArcArray::with_label(Align256(1), 3, |_, i| Align256(i as u64));
    let p = ArcArray::into_raw(a);
    assert_eq!(p as usize % 256, 0);
    // SAFETY: from `into_raw` of this type, once.
    let a = unsafe { ArcArray::<Align256, Align256>::from_raw(p) };
    assert_eq!(a[2], Align256(2));
    assert_eq!(a.get_label() as *const Align256 as usize % 256, 0);

    let z = ArcArray::new(5, |_| ());
    let p = ArcArray::into_raw(z);
    // SAFETY: from `into_raw` of this type, once.
    let z = unsafe { ArcArray::<()>::from_raw(p) };
    assert_eq!(z.len(), 5);
}

// ---- constructors ---------------------------------------------------------

#[test]
fn every_constructor_makes_one_allocation_and_frees_it() {
    type Make = Box<dyn Fn() -> ArcArray<u64>>;
    let cases: Vec<(&str, Make)> = vec![
        ("new", Box::new(|| ArcArray::new(100, |i| i as u64))),
        ("collect exact", Box::new(|| (0..100u64).collect())),
        ("from slice", Box::new(|| ArcArray::from(&[1u64, 2, 3][..]))),
        ("from array", Box::new(|| ArcArray::from([1u64, 2, 3]))),
    ];
    for (name, make) in cases {
        let (a, allocs, _) = allocations(&make);
        assert_eq!(allocs, 1, "{name}");
        let ((), _, live) = allocations(|| drop(a));
        assert!(live < 0, "{name}: dropping frees the block");
    }
    let ((), _, live) = allocations(|| {
        let a: ArcArray<u64> = (0..1000u64).filter(|x| x % 7 == 0).collect();
        assert_eq!(a.len(), 143);
    });
    assert_eq!(live, 0, "an inexact collect reallocates but leaks nothing");
}

#[test]
fn from_vec_box_and_heap_array() {
    let ledger = Ledger::new();
    let v: Vec<Canary> = (0..4).map(|_| ledger.canary()).collect();
    let ids: Vec<usize> = v.iter().map(|c| c.id).collect();
    let a = ArcArray::from(v);
    assert_eq!(
        a.iter().map(|c| c.id).collect::<Vec<_>>(),
        ids,
        "moved, not cloned"
    );
    let b: ArcArray<Canary> = ArcArray::from(vec![ledger.canary()].into_boxed_slice());
    let h = HeapArray::with_label(ledger.canary(), 2, |_, _| ledger.canary());
    let label = h.get_label().id;
    let made = ledger.made();
    let c = ArcArray::from(h);
    assert_eq!(
        (c.get_label().id, ledger.made()),
        (label, made),
        "moved, not cloned"
    );
    drop((a, b, c));
    ledger.assert_all_dropped();
}

owning_layout_tests!(
    a_panicking_initialiser_drops_what_was_made,
    from_slice_with_a_panicking_clone_leaks_nothing,
    from_iter_with_a_panicking_iterator_leaks_nothing,
    capacity_overflow_drops_the_label_once,
);

fn a_panicking_initialiser_drops_what_was_made<E: Owning, L: Owning, P: ArcLayout>() {
    for k in [0, 1, 5, 9] {
        let ledger = Ledger::new();
        let ((), _, live) = allocations(|| {
            let message = expect_panic(|| {
                <ArcArrayBase<E, L, P, Global> as LabelledArray<E, L>>::with_label(
                    L::make(&ledger, LABEL),
                    10,
                    |label, i| {
                        label.check(LABEL);
                        assert!(i != k, "initialiser fails at {k}");
                        E::make(&ledger, i)
                    },
                )
            });
            assert!(message.contains("fails at"));
            // The same through UniqueArcArray.
            expect_panic(|| {
                <UniqueArcArrayBase<E, L, P, Global> as LabelledArray<E, L>>::with_label(
                    L::make(&ledger, LABEL),
                    10,
                    |_, i| {
                        assert!(i != k, "initialiser fails at {k}");
                        E::make(&ledger, i)
                    },
                )
            });
        });
        assert_eq!(live, 0, "k = {k}");
        assert_eq!(ledger.made(), 2 * (k + 1));
        ledger.assert_all_dropped();
    }
}

/// `From<&[E]>` (the default layout only) and, for every layout, a collect
/// of cloned elements: a `Clone` panicking at `k`.
fn from_slice_with_a_panicking_clone_leaks_nothing<E: Owning, L: Owning, P: ArcLayout>() {
    let ledger = Ledger::new();
    let source: Vec<E> = (0..6).map(|i| E::make(&ledger, i)).collect();
    for k in [0, 3, 5] {
        ledger.panic_on_clone(k);
        let ((), _, live) = allocations(|| {
            expect_panic(|| ArcArray::from(&source[..]));
        });
        assert_eq!(live, 0, "k = {k}");
        assert_eq!(ledger.live(), 6, "k = {k}: only the source is left");
        ledger.panic_on_clone(k);
        let ((), _, live) = allocations(|| {
            expect_panic(|| {
                source
                    .iter()
                    .cloned()
                    .collect::<ArcArrayBase<E, (), P, Global>>()
            });
            ledger.panic_on_clone(k);
            expect_panic(|| {
                source
                    .iter()
                    .filter(|_| true)
                    .cloned()
                    .collect::<UniqueArcArrayBase<E, (), P, Global>>()
            });
        });
        assert_eq!(live, 0, "k = {k}");
        assert_eq!(ledger.live(), 6, "k = {k}: only the source is left");
    }
    ledger.panic_on_clone(usize::MAX);
    check_all(&source);
    drop(source);
    ledger.assert_all_dropped();
}

fn from_iter_with_a_panicking_iterator_leaks_nothing<E: Owning, L: Owning, P: ArcLayout>() {
    for k in [0, 1, 6] {
        let ledger = Ledger::new();
        let ((), _, live) = allocations(|| {
            expect_panic(|| {
                (0..10)
                    .map(|i| {
                        assert!(i != k, "the iterator fails");
                        E::make(&ledger, i)
                    })
                    .collect::<ArcArrayBase<E, (), P, Global>>()
            });
            expect_panic(|| {
                (0..10)
                    .filter(|_| true)
                    .map(|i| {
                        assert!(i != k, "the iterator fails");
                        E::make(&ledger, i)
                    })
                    .collect::<ArcArrayBase<E, (), P, Global>>()
            });
        });
        assert_eq!(live, 0, "k = {k}");
        assert_eq!(ledger.made(), 2 * k);
        ledger.assert_all_dropped();
    }
}

/// A capacity overflow drops the label (moved in) once, having allocated
/// nothing.
fn capacity_overflow_drops_the_label_once<E: Owning, L: Owning, P: ArcLayout>() {
    let ledger = Ledger::new();
    let ((), _, live) = allocations(|| {
        let message = expect_panic(|| {
            <ArcArrayBase<E, L, P, Global> as LabelledArray<E, L>>::with_label(
                L::make(&ledger, LABEL),
                usize::MAX / 4,
                |_, _| unreachable!(),
            )
        });
        assert!(message.contains("capacity overflow"), "{message}");
    });
    assert_eq!(live, 0);
    assert_eq!(ledger.made(), 1);
    ledger.assert_all_dropped();
}

#[test]
fn lying_size_hints_give_correct_arrays() {
    let hints = [
        (0, Some(0)),
        (0, None),
        (100, Some(100)),
        (3, Some(3)),
        (usize::MAX, None),
        (usize::MAX, Some(usize::MAX)),
        (1 << (usize::BITS - 4), Some(1 << (usize::BITS - 4))),
    ];
    for real in [0, 1, 7, 40] {
        for hint in hints {
            let ((), _, live) = allocations(|| {
                let a: ArcArray<String> = Liar {
                    real,
                    hint,
                    yielded: 0,
                }
                .collect();
                assert_eq!(a.len(), real, "{hint:?}");
                assert!(a.iter().enumerate().all(|(i, s)| *s == (i + 1).to_string()));
            });
            assert_eq!(live, 0, "real {real}, hint {hint:?}");
        }
    }
}

#[test]
fn capacity_overflow_is_a_clear_panic_before_allocating() {
    let ledger = Ledger::new();
    let label = ledger.canary();
    // What a panic with a literal message allocates by itself (its payload,
    // the message `expect_panic` returns).
    let ((), baseline, _) = allocations(|| {
        expect_panic(|| panic!("capacity overflow: a baseline"));
    });
    let ((), allocs, _) = allocations(|| {
        let message = expect_panic(|| {
            ArcArray::with_label(label, usize::MAX / 4, |_, _| -> u64 { unreachable!() })
        });
        assert!(message.contains("capacity overflow"), "{message}");
    });
    assert_eq!(allocs, baseline, "nothing allocated but the panic itself");
    ledger.assert_all_dropped();
    let message = expect_panic(|| UniqueArcArray::new(isize::MAX as usize, |_| 0u16));
    assert!(message.contains("capacity overflow"), "{message}");
}

#[test]
fn zero_sized_empty_and_over_aligned() {
    let z = ArcArray::with_label((), 1_000, |(), _| ());
    assert_eq!(z.len(), 1_000);
    let e = ArcArray::<String>::new(0, |_| unreachable!());
    assert!(e.is_empty());
    let w = ArcArray::downgrade(&e);
    drop(e);
    assert!(w.upgrade().is_none());
    // The default empty array is the shared static block, which the static
    // keeps alive: its weak handles always upgrade (tests/swap_in.rs).
    let w = ArcArray::downgrade(&ArcArray::<String>::default());
    assert!(w.upgrade().is_some());
    let big = ArcArray::with_label(Align256(9), 4, |_, i| Align256(i as u64));
    assert_eq!(ArcArray::as_ptr(&big) as usize % 256, 0);
    assert_eq!(big.get_label() as *const Align256 as usize % 256, 0);
    assert_eq!(big[3], Align256(3));
}

// ---- std traits -----------------------------------------------------------

#[test]
fn slice_traits_agree_with_the_slice() {
    let a: ArcArray<u32> = vec![3, 1, 2].into();
    let b: ArcArray<u32> = vec![3, 1, 3].into();
    let s: &[u32] = &[3, 1, 2];
    assert_eq!(&*a, s);
    assert_eq!(a.as_ref(), s);
    assert_eq!(&a[1..], &s[1..]);
    assert_eq!(a[0], 3);
    assert_eq!((&a).into_iter().copied().collect::<Vec<_>>(), s.to_vec());
    assert_eq!(a.partial_cmp(&b), s.partial_cmp(&[3, 1, 3][..]));
    assert_eq!(a.cmp(&b), std::cmp::Ordering::Less);
    let state = RandomState::new();
    assert_eq!(state.hash_one(&a), state.hash_one(s));
    assert_eq!(format!("{a:?}"), "[3, 1, 2]");
    // Borrow<[E]> + Hash by contents: look up by slice.
    let set: HashSet<ArcArray<u32>> = [a.clone(), b].into_iter().collect();
    assert!(set.contains(s));
    assert!(!set.contains(&[9u32][..]));
}

#[test]
fn send_and_sync_like_arc() {
    fn shared<T: Send + Sync>() {}
    shared::<ArcArray<String, Vec<u8>>>();
    shared::<WeakArcArray<String>>();
    shared::<UniqueArcArray<String>>();
    fn unwind_safe<T: std::panic::UnwindSafe>() {}
    unwind_safe::<ArcArray<u8>>();
}
