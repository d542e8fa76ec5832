//! `from_label_and_iter` (and `_in`, `try_`): a labelled array from an
//! exact-size iterator, on every handle, written once. The iterator's
//! `len()` is checked: one that yields fewer or more items gets a clear
//! panic, or `Err(LengthMismatch)` from the `try_` forms, and nothing is
//! lost (every item and the label dropped once, every block freed); so
//! does a `next` that panics. Items and labels own heap memory.
#![cfg(not(any(loom, shuttle)))]

#[path = "common/alloc.rs"]
mod alloc;
mod common;

use alloc::{assert_faulty_quiet, inject, Faulty, Mode};
use common::{allocations, catch_expected, Canary, Counting, Ledger};
use heaparray::*;
use std::sync::Arc;

#[global_allocator]
static ALLOC: Counting = Counting;

/// An item that owns memory and a canary.
#[derive(Debug)]
struct Item {
    text: String,
    _canary: Canary,
}

/// An exact-size iterator over `real` items that says `claim` (and, with
/// `panic_at`, panics instead of yielding that item).
struct Items {
    ledger: Arc<Ledger>,
    next: usize,
    real: usize,
    claim: usize,
    panic_at: Option<usize>,
}

impl Items {
    fn new(ledger: &Arc<Ledger>, real: usize, claim: usize) -> Self {
        Items {
            ledger: Arc::clone(ledger),
            next: 0,
            real,
            claim,
            panic_at: None,
        }
    }
}

impl Iterator for Items {
    type Item = Item;
    fn next(&mut self) -> Option<Item> {
        if self.next == self.real {
            return None;
        }
        assert_ne!(Some(self.next), self.panic_at, "next panics");
        self.next += 1;
        Some(Item {
            text: format!("item {}", self.next - 1),
            _canary: self.ledger.canary(),
        })
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.claim.saturating_sub(self.next);
        (left, Some(left))
    }
}

impl ExactSizeIterator for Items {}

/// The label: owns memory and a canary.
fn label(ledger: &Arc<Ledger>) -> (String, Canary) {
    ("label".to_string(), ledger.canary())
}

macro_rules! every_handle {
    ($($module:ident: $handle:ident;)*) => {$(
        mod $module {
            use super::*;

            type H<E, L, A = Global> = $handle<E, L, A>;

            #[test]
            fn builds_from_an_honest_iterator() {
                for n in [0, 1, 5] {
                    let ledger = Ledger::new();
                    let a = H::from_label_and_iter(label(&ledger), Items::new(&ledger, n, n));
                    assert_eq!(a.get_label().0, "label");
                    let texts: Vec<&str> = a.iter().map(|i| i.text.as_str()).collect();
                    let want: Vec<String> = (0..n).map(|i| format!("item {i}")).collect();
                    assert_eq!(texts, want);
                    let b = H::try_from_label_and_iter_in(0u8, vec![1u64, 2], Global).unwrap();
                    assert_eq!((*b.get_label(), &b[..]), (0, &[1, 2][..]));
                    drop(a);
                    ledger.assert_all_dropped();
                }
                let n = if cfg!(miri) { 100 } else { 1 << 20 };
                let z = H::<(), ()>::from_label_and_iter((), std::iter::repeat_n((), n));
                assert_eq!(z.len(), n);
            }

            /// Fewer items than `len()` said: a panic naming both counts,
            /// or the error; what was yielded and the label dropped once,
            /// the block freed.
            /// `from_label_and_iter` over items yielding `real` of the
            /// `said` its `len()` claims panics with `message`, and
            /// `try_from_label_and_iter` over `(real, said)` of `try_items`
            /// returns the length mismatch; no block is left.
            fn length_mismatch(
                ledger: &Arc<Ledger>,
                (real, said): (usize, usize),
                message: &str,
                try_items: (usize, usize),
            ) {
                let ((), _, live) = allocations(|| {
                    let panic = catch_expected(|| {
                        H::from_label_and_iter(label(ledger), Items::new(ledger, real, said))
                    })
                    .unwrap_err();
                    assert_eq!(panic.downcast_ref::<String>().unwrap(), message);
                    let (yielded, expected) = try_items;
                    let err = H::try_from_label_and_iter(label(ledger), Items::new(ledger, yielded, expected))
                        .unwrap_err();
                    assert_eq!(err, TryReserveError::LengthMismatch { expected, yielded });
                });
                assert_eq!(live, 0, "a block leaked");
            }

            #[test]
            fn too_few_items() {
                let ledger = Ledger::new();
                length_mismatch(
                    &ledger,
                    (2, 4),
                    "an ExactSizeIterator yielded 2 items, but its len() said 4",
                    (1, 3),
                );
                ledger.assert_all_dropped();
            }

            /// More items than `len()` said: the extra one is taken and
            /// dropped, the rest as above.
            #[test]
            fn too_many_items() {
                let ledger = Ledger::new();
                length_mismatch(
                    &ledger,
                    (5, 3),
                    "an ExactSizeIterator yielded more items than its len() said (3)",
                    (1, 0),
                );
                // Labels, the items `len()` claimed, and the extra one each.
                assert_eq!(ledger.made(), (1 + 3 + 1) + (1 + 1));
                ledger.assert_all_dropped();
            }

            /// `next` panics: the items made and the label are dropped once,
            /// the block freed, the panic propagates.
            #[test]
            fn panicking_next() {
                let ledger = Ledger::new();
                let ((), _, live) = allocations(|| {
                    let mut items = Items::new(&ledger, 4, 4);
                    items.panic_at = Some(2);
                    let panic = catch_expected(|| H::from_label_and_iter(label(&ledger), items))
                        .unwrap_err();
                    assert_eq!(panic.downcast_ref::<String>().unwrap().lines().next(), Some("assertion `left != right` failed: next panics"));
                });
                assert_eq!(live, 0, "a block leaked");
                ledger.assert_all_dropped();
            }

            /// The allocator refuses: `Err(AllocError)` before the iterator
            /// is touched; a panicking allocator's panic propagates; the
            /// label dropped either way.
            #[test]
            fn allocation_failures() {
                let ledger = Ledger::new();
                let err = inject(0, Mode::Fail, || {
                    H::<Item, _, Faulty>::try_from_label_and_iter_in(label(&ledger), Items::new(&ledger, 3, 3), Faulty::<0>::new())
                        .map(drop)
                })
                .unwrap_err();
                assert!(matches!(err, TryReserveError::AllocError { .. }), "{err:?}");
                assert_eq!(ledger.made(), 1, "only the label: no item was made");
                let panic = catch_expected(|| {
                    inject(0, Mode::Panic, || {
                        drop(H::<Item, _, Faulty>::from_label_and_iter_in(label(&ledger), Items::new(&ledger, 3, 3), Faulty::<0>::new()))
                    })
                });
                assert!(panic.is_err());
                ledger.assert_all_dropped();
                assert_faulty_quiet("from_label_and_iter_in");
            }
        }
    )*};
}

every_handle! {
    arc: ArcArray;
    compact: CompactArcArray;
    unique: UniqueArcArray;
    heap: HeapArray;
    rc: RcArray;
}
