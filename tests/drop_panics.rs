//! A panicking element or label destructor: the panic propagates, every
//! other element and the label are still dropped exactly once, and the
//! block is freed, for every handle (HeapArray and RcArray leaked the block
//! here before `Block::drop_contents_then`). Every test runs with the
//! canary alone and with elements and labels that own heap memory
//! (`String`, `Box<u64>`, `Vec<u64>`), the `ArcArray` handles in both
//! layouts.
#![cfg(not(any(loom, shuttle)))]

mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use common::{
    allocations, owning_layout_tests, owning_tests, Bomb, Counting, Ledger, Owning, LABEL,
};
use heaparray::traits::*;
use heaparray::*;

#[global_allocator]
static ALLOC: Counting = Counting;

/// `bomb_at` this label makes the label's destructor panic instead of an
/// element's.
const LABEL_BOMB: usize = usize::MAX;

/// Where the destructor panics: the first, a middle and the last element,
/// and the label.
const BOMBS: [usize; 4] = [0, 2, 4, LABEL_BOMB];

fn label<L: Owning>(ledger: &Arc<Ledger>, bomb_at: usize) -> Bomb<L> {
    Bomb {
        value: L::make(ledger, LABEL),
        n: LABEL,
        bomb: bomb_at == LABEL_BOMB,
    }
}

fn elements<E: Owning, L: Owning>(
    ledger: &Arc<Ledger>,
    bomb_at: usize,
) -> impl FnMut(&mut Bomb<L>, usize) -> Bomb<E> + '_ {
    move |_, i| Bomb {
        value: E::make(ledger, i),
        n: i,
        bomb: i == bomb_at,
    }
}

/// Silences the destructors' own panic messages: printing one with a
/// backtrace fills std's symbol cache (megabytes), which would read as a
/// leak here. Other panics (failed assertions) still print.
fn quiet_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let ours = info.payload().downcast_ref::<String>();
            if !ours.is_some_and(|m| m.contains("panics in drop")) {
                default(info);
            }
        }));
    });
}

/// Builds with `make`, drops, and checks the panic, the drops and the bytes.
fn check<T>(name: &str, make: impl Fn(&Arc<Ledger>, usize) -> T) {
    quiet_panics();
    for bomb_at in BOMBS {
        let ledger = Ledger::new();
        let ((), _, live) = allocations(|| {
            let handle = make(&ledger, bomb_at);
            let result = catch_unwind(AssertUnwindSafe(|| drop(handle)));
            assert!(result.is_err(), "{name}: the destructor's panic propagates");
        });
        assert_eq!(live, 0, "{name}, bomb at {bomb_at}: the block leaked");
        assert_eq!(ledger.made(), 6, "{name}: five elements and the label");
        ledger.assert_all_dropped();
    }
}

owning_tests!(heap_array, rc_array);
owning_layout_tests!(
    unique_arc_array,
    arc_array_last_strong_handle,
    arc_array_with_a_weak_handle_left
);

fn heap_array<E: Owning, L: Owning>() {
    check("HeapArray", |l, k| {
        HeapArray::with_label(label::<L>(l, k), 5, elements::<E, L>(l, k))
    });
}

fn rc_array<E: Owning, L: Owning>() {
    check("RcArray", |l, k| {
        RcArray::with_label(label::<L>(l, k), 5, elements::<E, L>(l, k))
    });
}

fn unique_arc_array<E: Owning, L: Owning, P: ArcLayout>() {
    check("UniqueArcArray", |l, k| {
        <UniqueArcArrayBase<_, _, P, Global> as LabelledArray<_, _>>::with_label(
            label::<L>(l, k),
            5,
            elements::<E, L>(l, k),
        )
    });
}

fn arc_array_last_strong_handle<E: Owning, L: Owning, P: ArcLayout>() {
    check("ArcArray", |l, k| {
        let a = <ArcArrayBase<_, _, P, Global> as LabelledArray<_, _>>::with_label(
            label::<L>(l, k),
            5,
            elements::<E, L>(l, k),
        );
        let b = a.clone();
        drop(a);
        b
    });
}

fn arc_array_with_a_weak_handle_left<E: Owning, L: Owning, P: ArcLayout>() {
    quiet_panics();
    for bomb_at in [3, LABEL_BOMB] {
        let ledger = Ledger::new();
        let ((), _, live) = allocations(|| {
            let a = <ArcArrayBase<_, _, P, Global> as LabelledArray<_, _>>::with_label(
                label::<L>(&ledger, bomb_at),
                5,
                elements::<E, L>(&ledger, bomb_at),
            );
            let weak = ArcArrayBase::downgrade(&a);
            assert!(catch_unwind(AssertUnwindSafe(|| drop(a))).is_err());
            // The contents are gone; the weak handle still holds the block.
            assert!(weak.upgrade().is_none());
            assert_eq!((weak.strong_count(), weak.weak_count()), (0, 0));
            ledger.assert_all_dropped();
            drop(weak);
        });
        assert_eq!(live, 0, "the last weak handle frees the block");
    }
}
