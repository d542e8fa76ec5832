//! The behaviour tests every owning handle shares, written once:
//! `handle_tests!` stamps them into a suite for one handle type (the same
//! test names in tests/heap_array.rs, tests/rc_array.rs and each module of
//! tests/arc_handles.rs, over what every handle has), with the helpers
//! they use.
//! What only one handle has (`DerefMut`, `get_label_mut`, `into_parts`, a
//! deep `clone` for `HeapArray`; the counts, `ptr_eq` and `make_mut` for
//! `RcArray`) stays in its own suite.

use std::sync::Arc;

use crate::common::{allocations, expect_panic, quiet_panics, zst_counts, Ledger, Liar};

/// `Liar` yields "1", "2", ... `real` items whatever it claims.
pub fn liar(real: usize, hint: (usize, Option<usize>)) -> Liar {
    Liar {
        real,
        hint,
        yielded: 0,
    }
}

/// What an honest `liar(real, _)` yields.
pub fn truth(real: usize) -> Vec<String> {
    (1..=real).map(|i| i.to_string()).collect()
}

/// `(items, size_hint)` cases of iterators whose hint lies ([`liar`]),
/// `many` items in some: what the handle tests and tests/traits.rs collect.
pub fn lying_hints(many: usize) -> Vec<(usize, (usize, Option<usize>))> {
    vec![
        // claims fewer
        (5, (0, Some(0))),
        (5, (2, Some(2))),
        (many, (1, Some(1))),
        (many, (1, Some(3))),
        (many, (0, None)),
        // claims more
        (5, (100, Some(100))),
        (0, (10, Some(10))),
        (0, (3, None)),
        (3, (7, None)),
        // absurd bounds
        (5, (usize::MAX, None)),
        (5, (usize::MAX, Some(usize::MAX))),
        (5, (isize::MAX as usize, Some(isize::MAX as usize))),
        (5, (0, Some(usize::MAX))),
        (5, (usize::MAX, Some(0))),
        (0, (usize::MAX, Some(usize::MAX))),
    ]
}

/// Builds with `make`, checks the canaries made and alive, drops, and
/// checks every canary dropped once and no byte left.
pub fn drops_everything<T>(
    name: &str,
    (made, alive): (usize, usize),
    make: impl FnOnce(&Arc<Ledger>) -> T,
) {
    let ledger = Ledger::new();
    let ((), _, live) = allocations(|| {
        let value = make(&ledger);
        assert_eq!(ledger.live(), alive, "{name}: alive before the drop");
        drop(value);
    });
    assert_eq!(ledger.made(), made, "{name}: made");
    ledger.assert_all_dropped();
    assert_eq!(live, 0, "{name}: leaked bytes");
}

/// The allocations a caught panic costs by itself (its payload).
fn panic_cost() -> usize {
    let _warm = allocations(|| expect_panic(|| panic!("capacity overflow (a baseline)")));
    allocations(|| expect_panic(|| panic!("capacity overflow (a baseline)"))).1
}

/// `f` panics with a capacity overflow, having allocated nothing.
#[track_caller]
pub fn overflows<R>(f: impl FnOnce() -> R) {
    quiet_panics();
    let cost = panic_cost();
    let (msg, n, _) = allocations(|| expect_panic(f));
    assert!(msg.contains("capacity overflow"), "message: {msg:?}");
    assert_eq!(n, cost, "nothing allocated before the panic");
}

/// Runs `f`, which makes `made` counted zero-sized values ([`Zst`]), and
/// checks that each was dropped once and no byte is left.
pub fn zero_sized_dropped_once(made: usize, f: impl FnOnce()) {
    let before = zst_counts();
    let ((), _, live) = allocations(f);
    let after = zst_counts();
    assert_eq!(after.0 - before.0, made, "zero-sized values made");
    assert_eq!(
        after.1 - before.1,
        made,
        "every zero-sized value dropped once"
    );
    assert_eq!(live, 0);
}

/// `make` allocates one block of `bytes`, and its drop frees them.
#[track_caller]
pub fn one_block<T>(name: &str, bytes: isize, make: impl FnOnce() -> T) {
    let (value, n, live) = allocations(make);
    assert_eq!(n, 1, "{name}: allocations");
    assert_eq!(live, bytes, "{name}: live bytes");
    let ((), _, freed) = allocations(|| drop(value));
    assert_eq!(freed, -bytes, "{name}: freed bytes");
}

/// The shared tests for handle `$H` (`HeapArray`, `RcArray` and the four
/// `ArcArray` handles), whose block has `$header` bytes before the label
/// (its counts and length: none for a `HeapArray`), and the panic-safety
/// tests generic over the element and label types (`owning_tests!`).
/// `$drops` is the suite's function that counts the drops of its own
/// constructors and copies. The allocation counts read the counting
/// allocator, which the suite installs as its global allocator.
#[allow(unused_macros)]
macro_rules! handle_tests {
    ($H:ident, header: $header:expr, drops: $drops:ident) => {
        // ---- construction ----------------------------------------------

        #[test]
        fn new_fills_each_index() {
            let a = $H::new(10, |i| i + 3);
            assert_eq!(a.len(), 10);
            assert_eq!(&*a, &[3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
            assert_eq!(*a.get_label(), ());

            let empty = $H::new(0, |_| -> u32 { panic!("never called") });
            assert!(empty.is_empty());
            assert_eq!(&*empty, &[] as &[u32]);

            let mut seen = Vec::new();
            let b = $H::new(4, |i| {
                seen.push(i);
                i
            });
            assert_eq!(seen, [0, 1, 2, 3]);
            assert_eq!(&*b, &[0, 1, 2, 3]);
        }

        #[test]
        fn with_label_counts_evens_and_odds_in_the_label() {
            let a = $H::with_label((0, 0), 10, |(evens, odds), i| {
                if i % 2 == 0 {
                    *evens += 1
                } else {
                    *odds += 1
                }
                i + 3
            });
            assert_eq!(*a.get_label(), (5, 5));
            assert_eq!(a[1], 4);

            let b = $H::with_label((0, 0), 5, |(evens, odds), i| {
                *if i % 2 == 0 { evens } else { odds } += 1;
                i * i
            });
            assert_eq!(*b.get_label(), (3, 2));
            assert_eq!(&*b, &[0, 1, 4, 9, 16]);

            let c = $H::with_label(0u32, 4, |sum, i| {
                *sum += i as u32;
                *sum
            });
            assert_eq!(*c.get_label(), 6);
            assert_eq!(&*c, &[0, 1, 3, 6]);
        }

        #[test]
        fn with_len_uses_default() {
            let a = $H::<u32, &str>::with_len("zeros", 4);
            assert_eq!(&*a, &[0, 0, 0, 0]);
            assert_eq!(*a.get_label(), "zeros");
            let a = $H::<u8, char>::with_len('z', 3);
            assert_eq!(&*a, &[0, 0, 0]);
            assert_eq!(*a.get_label(), 'z');

            let s = $H::<String, u8>::with_len(9, 3);
            assert!(s.iter().all(String::is_empty));
            assert_eq!(s.len(), 3);

            let e = $H::<String, ()>::with_len((), 0);
            assert!(e.is_empty());
        }

        #[test]
        fn from_vec_moves_without_cloning() {
            let ledger = Ledger::new();
            let v: Vec<Canary> = (0..5).map(|_| ledger.canary()).collect();
            let ids: Vec<usize> = v.iter().map(|c| c.id).collect();
            assert_eq!(ids, [0, 1, 2, 3, 4]);
            ledger.panic_on_clone(0);
            let a = $H::from(v);
            assert_eq!(a.iter().map(|c| c.id).collect::<Vec<_>>(), ids);
            assert_eq!(ledger.made(), 5, "no clone was made");
            drop(a);
            ledger.assert_all_dropped();

            // Spare capacity in the vector does not show.
            let mut v = Vec::with_capacity(100);
            v.extend([1u16, 2, 3]);
            let a: $H<u16> = v.into();
            assert_eq!(&*a, &[1, 2, 3]);

            let a = $H::from(Vec::<String>::new());
            assert!(a.is_empty());
        }

        #[test]
        fn from_slice_clones() {
            let src = [String::from("a"), String::from("bc"), String::from("")];
            let a = $H::from(&src[..]);
            assert_eq!(&*a, &src[..]);
            assert_ne!(a.as_ptr(), src.as_ptr());
            let empty: $H<String> = $H::from(&[][..]);
            assert!(empty.is_empty());

            let ledger = Ledger::new();
            let src: Vec<Canary> = (0..4).map(|_| ledger.canary()).collect();
            let a = $H::from(&src[..]);
            assert_eq!(ledger.made(), 8, "one clone per element");
            assert!(a.iter().zip(&src).all(|(x, y)| x.id != y.id));
            drop(a);
            assert_eq!(
                ledger.live(),
                4,
                "the clones are dropped, the source is not"
            );
            drop(src);
            ledger.assert_all_dropped();
        }

        #[test]
        fn from_boxed_slice() {
            let b: Box<[i64]> = vec![-1, 0, 1].into_boxed_slice();
            let a = $H::from(b);
            assert_eq!(&*a, &[-1, 0, 1]);

            let ledger = Ledger::new();
            let b: Box<[Canary]> = (0..3).map(|_| ledger.canary()).collect();
            ledger.panic_on_clone(0);
            let a = $H::from(b);
            assert_eq!(a.iter().map(|c| c.id).collect::<Vec<_>>(), [0, 1, 2]);
            drop(a);
            ledger.assert_all_dropped();
        }

        #[test]
        fn collect_from_lying_size_hints_is_correct() {
            let many = if cfg!(miri) { 40 } else { 1_000 };
            for (real, hint) in crate::common::handle_tests::lying_hints(many) {
                let a: $H<String> = liar(real, hint).collect();
                assert_eq!(&*a, &truth(real)[..], "real {real}, hint {hint:?}");
            }
        }

        #[test]
        fn collect_from_lying_size_hint_keeps_one_trimmed_block() {
            // The block ends up the size an honest collect gives, and is freed.
            let honest = allocations(|| truth(5).into_iter().collect::<$H<String>>());
            for hint in [
                (0, Some(0)),
                (100, Some(100)),
                (usize::MAX, None),
                (2, None),
            ] {
                let (a, _, live) = allocations(|| liar(5, hint).collect::<$H<String>>());
                assert_eq!(live, honest.2, "hint {hint:?}: one block of the right size");
                let ((), _, freed) = allocations(|| drop(a));
                assert_eq!(freed, -live, "hint {hint:?}: everything freed");
            }
        }

        #[test]
        fn default_is_empty() {
            let a: $H<String> = $H::default();
            assert!(a.is_empty());
            assert_eq!(a.len(), 0);
            assert_eq!(format!("{a:?}"), "[]");
        }

        // ---- reading -----------------------------------------------------

        #[test]
        fn index_by_usize_and_ranges() {
            let a = $H::new(6, |i| i as u8);
            assert_eq!(a[0], 0);
            assert_eq!(a[5], 5);
            assert_eq!(&a[1..3], &[1, 2]);
            assert_eq!(&a[..2], &[0, 1]);
            assert_eq!(&a[4..], &[4, 5]);
            assert_eq!(&a[1..=2], &[1, 2]);
            assert_eq!(&a[..=0], &[0]);
            assert_eq!(&a[..], &[0, 1, 2, 3, 4, 5]);
            assert_eq!(&a[6..], &[] as &[u8]);
            expect_panic(|| a[6]);
            expect_panic(|| a[3..7].len());
        }

        #[test]
        fn into_iterator_by_reference() {
            let a = $H::new(4, |i| i as i32);
            let mut sum = 0;
            for x in &a {
                sum += *x;
            }
            assert_eq!(sum, 6);
            assert_eq!((&a).into_iter().len(), 4);
            assert_eq!(
                (&a).into_iter().rev().copied().collect::<Vec<_>>(),
                [3, 2, 1, 0]
            );
        }

        #[test]
        fn debug_shows_label_and_elements() {
            let name = stringify!($H);
            for len in [8, 4] {
                let a = $H::<u8, u32>::with_label(17, len, |_, i| i as u8);
                let elems: Vec<u8> = (0..len as u8).collect();
                assert_eq!(
                    format!("{a:?}"),
                    format!("{name} {{ label: 17, elements: {elems:?} }}")
                );
            }
            let b = $H::new(2, |i| i);
            assert_eq!(format!("{b:?}"), "[0, 1]");
            let c = $H::with_label("tag", 2, |_, i| format!("s{i}"));
            assert_eq!(
                format!("{c:?}"),
                format!(r#"{name} {{ label: "tag", elements: ["s0", "s1"] }}"#)
            );
            assert_eq!(format!("{:?}", c.clone()), format!("{c:?}"));
            // Unlabelled: as the slice (and `Box<[T]>`) formats, `{:#?}` too.
            assert_eq!(format!("{b:#?}"), format!("{:#?}", vec![0, 1]));
            assert_eq!(
                format!("{:#?}", $H::with_label(1u8, 1, |_, _| 0u8)),
                format!("{name} {{\n    label: 1,\n    elements: [\n        0,\n    ],\n}}")
            );
        }

        #[test]
        fn comparisons_and_hash_agree_with_the_slice() {
            fn agree<T: Ord + std::hash::Hash + Clone + std::fmt::Debug>(vecs: Vec<Vec<T>>) {
                let arrays: Vec<$H<T>> = vecs.iter().map(|v| $H::from(&v[..])).collect();
                for (va, a) in vecs.iter().zip(&arrays) {
                    assert_eq!(hash_of(a), hash_of(&va[..]), "{va:?}");
                    for (vb, b) in vecs.iter().zip(&arrays) {
                        assert_eq!(a == b, va == vb, "{va:?} == {vb:?}");
                        assert_eq!(a != b, va != vb, "{va:?} != {vb:?}");
                        assert_eq!(a.cmp(b), va.cmp(vb), "{va:?} cmp {vb:?}");
                        assert_eq!(
                            a.partial_cmp(b),
                            va.partial_cmp(vb),
                            "{va:?} partial_cmp {vb:?}"
                        );
                        assert_eq!(a < b, va < vb);
                        assert_eq!(a > b, va > vb);
                        assert_eq!(a >= b, va >= vb);
                    }
                }
                let mut sorted = arrays.clone();
                sorted.sort();
                let mut expected = vecs.clone();
                expected.sort();
                assert!(sorted.iter().map(|a| a.to_vec()).eq(expected));
            }
            agree::<u8>(vec![
                vec![],
                vec![0],
                vec![1],
                vec![0, 0],
                vec![0, 1],
                vec![1, 0],
                vec![1, 2, 3],
                vec![1, 2, 3],
                vec![255],
            ]);
            agree::<i16>(vec![
                vec![],
                vec![-1],
                vec![0],
                vec![0, 0],
                vec![0, 1],
                vec![1, -5],
                vec![1, 2, 3],
                vec![1, 2, 3],
            ]);
            // A clone is equal; a block with the same elements and another label
            // is not (the label, then the elements, as a derived struct).
            let x = $H::with_label(1u8, 3, |_, i| i);
            let y = $H::with_label(2u8, 3, |_, i| i);
            assert_eq!(x, x.clone());
            assert_ne!(x, y);
            assert!(x < y);
            assert_eq!(hash_of(&x), hash_of(&(1u8, &[0usize, 1, 2][..])));
            let nan = $H::from(vec![f32::NAN]);
            assert_ne!(nan, nan.clone(), "like the slice, even for the same block");
            assert_eq!(nan.partial_cmp(&nan.clone()), None);
        }

        #[test]
        fn as_ref_and_borrow_look_up_by_slice() {
            let a = $H::from(vec![1u8, 2, 3]);
            let r: &[u8] = a.as_ref();
            assert_eq!(r, &[1, 2, 3]);
            assert_eq!(<$H<u8> as AsRef<[u8]>>::as_ref(&a), &[1, 2, 3]);
            let set: HashSet<$H<u8>> = [vec![1u8, 2, 3], vec![4], vec![]]
                .into_iter()
                .map($H::from)
                .collect();
            assert!(set.contains(&[1u8, 2, 3][..]));
            assert!(set.contains(&[4u8][..]));
            assert!(set.contains(&[0u8; 0][..]));
            assert!(!set.contains(&[1u8, 2][..]));
            assert!(!set.contains(&[3u8, 2, 1][..]));
            assert_eq!(set.len(), 3);
        }

        // ---- drops -------------------------------------------------------

        #[test]
        fn every_element_and_label_dropped_once() {
            every_constructor_drops_everything_once();
            // The suite's own ways to make and share handles.
            $drops();
        }

        /// The constructors every handle has.
        fn every_constructor_drops_everything_once() {
            drops_everything("new", (6, 6), |l| $H::new(6, |_| l.canary()));
            drops_everything("with_label", (7, 7), |l| {
                $H::with_label(l.canary(), 6, |_, _| l.canary())
            });
            drops_everything("with_label (canary label, len 0)", (1, 1), |l| {
                $H::<u8, _>::with_label(l.canary(), 0, |_, _| 0)
            });
            drops_everything("from vec", (6, 6), |l| {
                $H::from((0..6).map(|_| l.canary()).collect::<Vec<_>>())
            });
            drops_everything("from box", (6, 6), |l| {
                $H::from((0..6).map(|_| l.canary()).collect::<Box<[_]>>())
            });
            drops_everything("from slice", (12, 12), |l| {
                let src: Vec<Canary> = (0..6).map(|_| l.canary()).collect();
                ($H::from(&src[..]), src)
            });
            drops_everything("collect exact", (6, 6), |l| {
                (0..6).map(|_| l.canary()).collect::<$H<_>>()
            });
            for odd in [0, 1] {
                drops_everything("collect inexact", (3, 3), |l| {
                    (0..6)
                        .filter(|i| i % 2 == odd)
                        .map(|_| l.canary())
                        .collect::<$H<_>>()
                });
            }
        }

        // ---- panic safety (generic: `owning_tests!`) ----------------------

        owning_tests!(
            panicking_closure_drops_what_was_made,
            panicking_clone_in_from_slice,
            panicking_iterator_in_collect,
            capacity_overflow_drops_the_label_once,
        );

        fn panicking_closure_drops_what_was_made<E: Owning, L: Owning>() {
            quiet_panics();
            let len = 8;
            for k in panic_points(len) {
                let ledger = Ledger::new();
                let calls = Cell::new(0);
                let ((), _, live) = allocations(|| {
                    let msg = expect_panic(|| {
                        $H::with_label(L::make(&ledger, LABEL), len, |label, i| {
                            label.check(LABEL);
                            calls.set(calls.get() + 1);
                            if i == k {
                                panic!("closure panics on purpose at {i}");
                            }
                            E::make(&ledger, i)
                        })
                    });
                    assert_eq!(msg, format!("closure panics on purpose at {k}"));
                });
                assert_eq!(calls.get(), k + 1, "k = {k}: stopped at the panic");
                assert_eq!(ledger.made(), k + 1, "k = {k}: label and {k} elements");
                ledger.assert_all_dropped();
                assert_eq!(live, 0, "k = {k}: the block leaked");
            }
        }

        fn panicking_clone_in_from_slice<E: Owning, L: Owning>() {
            quiet_panics();
            let len = 6;
            for k in panic_points(len) {
                let ledger = Ledger::new();
                let src: Vec<E> = (0..len).map(|i| E::make(&ledger, i)).collect();
                ledger.panic_on_clone(k);
                let ((), _, live) = allocations(|| {
                    assert_eq!(
                        expect_panic(|| $H::from(&src[..])),
                        "clone panics on purpose"
                    );
                });
                assert_eq!(live, 0, "k = {k}");
                assert_eq!(ledger.made(), len + k);
                assert_eq!(ledger.live(), len, "k = {k}: the clones are dropped");
                check_all(&src);
                drop(src);
                ledger.assert_all_dropped();
            }
        }

        fn panicking_iterator_in_collect<E: Owning, L: Owning>() {
            quiet_panics();
            let len = 8;
            for k in panic_points(len) {
                for exact in [true, false] {
                    let ledger = Ledger::new();
                    let ((), _, live) = allocations(|| {
                        let items = (0..len).map(|i| {
                            if i == k {
                                panic!("iterator panics on purpose");
                            }
                            E::make(&ledger, i)
                        });
                        if exact {
                            expect_panic(|| items.collect::<$H<_>>());
                        } else {
                            expect_panic(|| items.filter(|_| true).collect::<$H<_>>());
                        }
                    });
                    assert_eq!(ledger.made(), k, "k = {k}, exact = {exact}");
                    ledger.assert_all_dropped();
                    assert_eq!(live, 0, "k = {k}, exact = {exact}");
                }
            }
        }

        fn capacity_overflow_drops_the_label_once<E: Owning, L: Owning>() {
            quiet_panics();
            let ledger = Ledger::new();
            let ((), _, live) = allocations(|| {
                for len in [usize::MAX, usize::MAX / 2] {
                    let msg = expect_panic(|| {
                        $H::with_label(L::make(&ledger, LABEL), len, |_, _| -> u64 {
                            panic!("never called")
                        })
                    });
                    assert!(msg.contains("capacity overflow"), "{msg}");
                    let msg = expect_panic(|| {
                        $H::with_label(L::make(&ledger, LABEL), len, |_, _| -> E {
                            panic!("never called")
                        })
                    });
                    assert!(msg.contains("capacity overflow"), "{msg}");
                }
            });
            assert_eq!(ledger.made(), 4);
            ledger.assert_all_dropped();
            assert_eq!(live, 0);
        }

        // ---- zero-sized and over-aligned types ----------------------------

        #[test]
        fn zero_sized_elements_and_labels() {
            let a = $H::new(5, |_| ());
            assert_eq!(a.len(), 5);
            assert_eq!(&*a, &[(); 5]);
            assert_eq!(format!("{:?}", a.clone()), "[(), (), (), (), ()]");
            let b = $H::with_label((), 3, |(), _| ());
            assert_eq!(format!("{b:?}"), "[(), (), ()]");
            let c = $H::with_label((), 3, |(), i| i as u16);
            assert_eq!(&*c, &[0, 1, 2]);
            let d: $H<()> = std::iter::repeat_n((), 7).filter(|_| true).collect();
            assert_eq!(d.len(), 7);
            let e = $H::from(vec![(); 4]);
            assert_eq!(e.len(), 4);
            assert_eq!(e.clone().len(), 4);
            let empty = $H::<(), ()>::new(0, |_| ());
            assert!(empty.is_empty());
            let ((), _, live) = allocations(|| drop((a, b, c, d, e, empty)));
            assert!(live <= 0);
        }

        #[test]
        fn zero_sized_elements_with_drop_are_counted() {
            let n = if cfg!(miri) { 100 } else { 1_000_000 };
            zero_sized_dropped_once(4 * n + 3, || {
                let a = $H::with_label(Zst::make(), n, |_, _| Zst::make());
                assert_eq!(a.len(), n);
                // A copy element by element, through `with_label`.
                let b = $H::with_label(Zst::make(), a.len(), |_, _| Zst::make());
                let c = $H::<Zst, Zst>::with_len(Zst::make(), n);
                let d: $H<Zst> = (0..n).map(|_| Zst::make()).filter(|_| true).collect();
                assert_eq!((b.len(), c.len(), d.len()), (n, n, n));
                drop((a, b, c, d));
            });
        }

        #[test]
        fn huge_zero_sized_array() {
            let n = if cfg!(miri) { 1_000 } else { 1_000_000 };
            let a = $H::new(n, |_| ());
            assert_eq!(a.len(), n);
            assert_eq!(a.iter().count(), n);
            let b: $H<()> = (0..n).map(|_| ()).collect();
            assert_eq!(b.len(), n);
        }

        #[test]
        fn over_aligned_elements_and_labels() {
            fn assert_aligned<E, L>(a: &$H<E, L>) {
                assert_eq!(a.as_ptr() as usize % std::mem::align_of::<E>(), 0);
                assert_eq!(
                    a.get_label() as *const L as usize % std::mem::align_of::<L>(),
                    0
                );
            }
            let a = $H::with_label(Align256(7), 5, |_, i| Align256(i as u64));
            assert_eq!(a.as_ptr() as usize % 256, 0);
            assert_eq!(a.get_label() as *const Align256 as usize % 256, 0);
            assert_eq!(a[3], Align256(3));
            assert_eq!(a[4], Align256(4));
            assert_eq!(*a.get_label(), Align256(7));
            assert_aligned(&a.clone());

            let b = $H::with_label(1u8, 3, |_, i| Align256(i as u64));
            assert_aligned(&b);
            assert_eq!(b.as_ptr() as usize % 256, 0);
            let c = $H::with_label(Align256(1), 3, |_, i| i as u8);
            assert_aligned(&c);
            assert_eq!(c.get_label() as *const Align256 as usize % 256, 0);
            assert_eq!(&*c, &[0, 1, 2]);

            let n = if cfg!(miri) { 20 } else { 500 };
            // Growing by realloc keeps the alignment.
            let d: $H<Align256> = (0..n as u64).filter(|_| true).map(Align256).collect();
            assert_eq!(d.as_ptr() as usize % 256, 0);
            assert!(d.iter().enumerate().all(|(i, x)| x.0 == i as u64));
            let e = $H::from(vec![Align256(1), Align256(2)]);
            assert_eq!(e.as_ptr() as usize % 256, 0);
            let f = $H::from(&[Align256(3)][..]);
            assert_eq!(f.as_ptr() as usize % 256, 0);
            let z = $H::with_label(Zst256, 3, |_, _| Zst256);
            assert_eq!(z.as_ptr() as usize % 256, 0);
            assert_eq!(z.get_label() as *const Zst256 as usize % 256, 0);
            let z2 = $H::with_label(5u8, 3, |_, _| Zst256);
            assert_eq!(z2.as_ptr() as usize % 256, 0);
            let ((), _, live) = allocations(|| drop((a, b, c, d, e, f)));
            assert!(live < 0);
        }

        // ---- capacity overflow and allocation counts -----------------------

        #[test]
        fn capacity_overflow_panics_before_allocating() {
            let called = Cell::new(false);
            let f = |_| {
                called.set(true);
                0u8
            };
            overflows(|| $H::new(usize::MAX, f));
            overflows(|| $H::<u8>::new(isize::MAX as usize + 1, f));
            overflows(|| $H::<u64>::new(isize::MAX as usize / 8 + 1, |_| 0));
            overflows(|| $H::<u64>::new(usize::MAX / 8 + 1, |_| 0));
            overflows(|| $H::<u64>::new(usize::MAX, |_| 0));
            // The label pushes an array that fits on its own over the limit.
            overflows(|| $H::with_label(0u64, isize::MAX as usize, |_, _| 0u8));
            overflows(|| $H::<Align256, ()>::with_len((), isize::MAX as usize / 256 + 1));
            overflows(|| $H::<u32, ()>::with_len((), usize::MAX));
            assert!(!called.get(), "the closure is never called");
        }

        #[test]
        fn one_allocation_per_array() {
            let header: isize = $header;
            let src = [5u64; 10];
            one_block("new", header + 80, || $H::new(10, |i| i as u64));
            // A u32 label, then the elements at u64's alignment (8 on x86_64,
            // 4 on i686); a u64 label.
            let u64_align = std::mem::align_of::<u64>() as isize;
            let label_room = (header + 4 + u64_align - 1) / u64_align * u64_align;
            one_block("with_label (u32)", label_room + 80, || {
                $H::with_label(1u32, 10, |_, i| i as u64)
            });
            one_block("with_label (u64)", header + 8 + 80, || {
                $H::with_label(1u64, 10, |_, i| i as u64)
            });
            one_block("with_len", header + 80, || $H::<u64, ()>::with_len((), 10));
            one_block("collect exact", header + 80, || {
                (0..10u64).collect::<$H<_>>()
            });
            one_block("from slice", header + 80, || $H::from(&src[..]));
            // From a vector: one block, and the vector's buffer freed.
            let v = vec![1u64; 10];
            let (a, n, live) = allocations(|| $H::from(v));
            assert_eq!(
                (n, live),
                (1, header),
                "from vec: the vector's buffer freed"
            );
            let ((), _, freed) = allocations(|| drop(a));
            assert_eq!(freed, -(header + 80));
        }

        #[test]
        fn inexact_collect_ends_with_one_block() {
            let n = if cfg!(miri) { 50 } else { 1_000 };
            let (a, _, live) =
                allocations(|| (0..n as u64).filter(|x| x % 2 == 1).collect::<$H<_>>());
            assert_eq!(a.len(), n / 2);
            assert_eq!(
                live,
                $header + (n / 2 * 8) as isize,
                "trimmed to the length"
            );
            let ((), _, freed) = allocations(|| drop(a));
            assert_eq!(freed, -live);
        }
    };
}
#[allow(unused_imports)]
pub(crate) use handle_tests;

/// The tests of a deep `Clone` (a new block, `Vec::clone`'s meaning), for
/// the handles that are their block's only one: `HeapArray` and the unique
/// `ArcArray` handles, whose block has `$header` bytes before the label.
#[allow(unused_macros)]
macro_rules! deep_clone_tests {
    ($H:ident, header: $header:expr) => {
        #[test]
        fn clone_is_deep() {
            let a = $H::with_label(String::from("l"), 3, |_, i| vec![i; i]);
            let mut b = a.clone();
            assert_eq!(a, b);
            assert_eq!(b.get_label(), "l");
            assert_ne!(a.as_ptr(), b.as_ptr(), "a new block");
            b[2].push(7);
            b.get_label_mut().push('!');
            assert_eq!(&*a, &[vec![], vec![1], vec![2, 2]]);
            assert_eq!(a.get_label(), "l");
            assert_eq!(&b[2], &[2, 2, 7]);
            assert_eq!(b.get_label(), "l!");
        }

        owning_tests!(panicking_clone_in_clone);

        fn panicking_clone_in_clone<E: Owning, L: Owning>() {
            quiet_panics();
            let len = 6;
            // Clone number 0 is the label's; element i is clone number i + 1.
            for k in [0, 1, 2, len / 2 + 1, len] {
                let ledger = Ledger::new();
                let a = $H::with_label(L::make(&ledger, LABEL), len, |_, i| E::make(&ledger, i));
                let ids = ids_of(&a);
                ledger.panic_on_clone(k);
                let ((), _, live) = allocations(|| {
                    let msg = expect_panic(|| a.clone());
                    assert_eq!(msg, "clone panics on purpose");
                });
                assert_eq!(live, 0, "k = {k}: the new block leaked");
                assert_eq!(ledger.made(), len + 1 + k, "k = {k}: clones made");
                assert_eq!(ledger.live(), len + 1, "k = {k}: every clone dropped");
                assert_eq!(ids_of(&a), ids, "original intact");
                check_all(&a);
                assert_eq!(a.get_label().id(), 0);
                a.get_label().check(LABEL);
                drop(a);
                ledger.assert_all_dropped();
            }
        }

        #[test]
        fn one_allocation_per_clone() {
            // A clone is deep: one block, label and elements.
            let a = $H::with_label(1u64, 10, |_, i| i as u64);
            one_block("clone", $header + 88, || a.clone());
        }
    };
}
#[allow(unused_imports)]
pub(crate) use deep_clone_tests;
