//! `get_mut_with_label` and `make_mut_with_label`: the label and the
//! elements by `&mut` together, for `ArcArray` (both layouts) and
//! `RcArray`, with elements and labels that own heap memory. Both
//! references are written while both are live (Miri checks that they do
//! not alias); the copy-on-write paths (clone when shared, move when only
//! weak handles share the block, in place when alone) and a panicking
//! `Clone` (the handle unchanged, nothing leaked).
#![cfg(not(any(loom, shuttle)))]

mod common;

use std::sync::Arc;

use common::{expect_panic, owning_tests, Ledger, Owning, LABEL};
use heaparray::*;

/// One handle type's four functions, so each check is written once.
trait Handle<E, L>: Clone + std::ops::Deref<Target = [E]> {
    fn make(ledger: &Arc<Ledger>) -> Self;
    fn label(&self) -> &L;
    fn both(this: &mut Self) -> Option<(&mut L, &mut [E])>;
    fn both_cow(this: &mut Self) -> (&mut L, &mut [E]);
    fn weak_is_alive(this: &Self) -> Box<dyn Fn() -> bool>;
    fn same_block(a: &Self, b: &Self) -> bool;
}

macro_rules! handle {
    ($h:ident) => {
        impl<E: Owning, L: Owning> Handle<E, L> for $h<E, L> {
            fn make(ledger: &Arc<Ledger>) -> Self {
                $h::with_label(L::make(ledger, LABEL), 3, |_, i| E::make(ledger, i))
            }
            fn label(&self) -> &L {
                self.get_label()
            }
            fn both(this: &mut Self) -> Option<(&mut L, &mut [E])> {
                $h::get_mut_with_label(this)
            }
            fn both_cow(this: &mut Self) -> (&mut L, &mut [E]) {
                $h::make_mut_with_label(this)
            }
            fn weak_is_alive(this: &Self) -> Box<dyn Fn() -> bool> {
                let w = $h::downgrade(this);
                Box::new(move || w.upgrade().is_some())
            }
            fn same_block(a: &Self, b: &Self) -> bool {
                $h::ptr_eq(a, b)
            }
        }
    };
}
handle!(ArcArray);
handle!(CompactArcArray);
handle!(RcArray);

/// Writes through both references at once, and checks the result.
fn write_both<E: Owning, L: Owning>(ledger: &Arc<Ledger>, (label, elems): (&mut L, &mut [E])) {
    *label = L::make(ledger, LABEL + 1);
    elems[2] = E::make(ledger, 7);
    label.check(LABEL + 1);
    elems[2].check(7);
}

fn get_mut_with_label<E: Owning, L: Owning, H: Handle<E, L>>() {
    let ledger = Ledger::new();
    {
        let mut a = H::make(&ledger);
        write_both(&ledger, H::both(&mut a).expect("the only handle"));
        a.label().check(LABEL + 1);
        a[2].check(7);
        let b = a.clone();
        assert!(H::both(&mut a).is_none(), "another strong handle");
        drop(b);
        let weak = H::weak_is_alive(&a);
        assert!(H::both(&mut a).is_none(), "a weak handle");
        drop(weak);
        assert!(H::both(&mut a).is_some(), "the weak handle is gone");
    }
    ledger.assert_all_dropped();
}

fn make_mut_with_label_paths<E: Owning, L: Owning, H: Handle<E, L>>() {
    let ledger = Ledger::new();
    {
        // Shared: the label and the elements are cloned first.
        let mut a = H::make(&ledger);
        let b = a.clone();
        write_both(&ledger, H::both_cow(&mut a));
        assert!(!H::same_block(&a, &b));
        b.label().check(LABEL);
        b[2].check(2);
        a.label().check(LABEL + 1);
        // Only a weak handle: the contents move, the weak handle dies.
        let weak = H::weak_is_alive(&a);
        let before = ledger.made();
        write_both(&ledger, H::both_cow(&mut a));
        assert!(!weak(), "the weak handle can no longer upgrade");
        assert_eq!(ledger.made(), before + 2, "moved, not cloned");
        drop(weak);
        // Alone: in place.
        let c = a.clone();
        drop(c);
        let ptr = a.as_ptr();
        write_both(&ledger, H::both_cow(&mut a));
        assert_eq!(a.as_ptr(), ptr, "in place");
    }
    ledger.assert_all_dropped();
}

fn panicking_clone_leaves_the_handle<E: Owning, L: Owning, H: Handle<E, L>>() {
    let ledger = Ledger::new();
    {
        let mut a = H::make(&ledger);
        let b = a.clone();
        // The label is cloned first, then the elements: fail at each.
        for n in 0..4 {
            ledger.panic_on_clone(n);
            let msg = expect_panic(|| {
                H::both_cow(&mut a);
            });
            assert!(!msg.is_empty());
            assert!(H::same_block(&a, &b), "clone {n}: the handle is unchanged");
            assert_eq!(ledger.live(), 4, "clone {n}: what was cloned is dropped");
        }
        ledger.panic_on_clone(usize::MAX);
        a.label().check(LABEL);
    }
    ledger.assert_all_dropped();
}

fn all<E: Owning, L: Owning>() {
    get_mut_with_label::<E, L, ArcArray<E, L>>();
    get_mut_with_label::<E, L, CompactArcArray<E, L>>();
    get_mut_with_label::<E, L, RcArray<E, L>>();
    make_mut_with_label_paths::<E, L, ArcArray<E, L>>();
    make_mut_with_label_paths::<E, L, CompactArcArray<E, L>>();
    make_mut_with_label_paths::<E, L, RcArray<E, L>>();
    panicking_clone_leaves_the_handle::<E, L, ArcArray<E, L>>();
    panicking_clone_leaves_the_handle::<E, L, CompactArcArray<E, L>>();
    panicking_clone_leaves_the_handle::<E, L, RcArray<E, L>>();
}

owning_tests!(all);
