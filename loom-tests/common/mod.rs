//! Scaffolding shared by the loom models: a value whose every read and its
//! drop go through `loom::cell::UnsafeCell`, so that a read or drop not
//! ordered by happens-before with another thread's access fails the model;
//! and a tally of drops, checked after the threads are joined. A model
//! whose body takes a layout parameter runs twice: as itself and as
//! `<name>_compact`, on a `Compact` block.
#![allow(dead_code)]

use loom::cell::UnsafeCell;
use loom::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use loom::sync::Arc;

/// Counts drops. Relaxed increments add no synchronisation to the model;
/// the count is read after `join`, which orders everything.
#[derive(Clone, Default)]
pub struct Tally(Arc<AtomicUsize>);

impl Tally {
    pub fn new() -> Self {
        Tally(Arc::new(AtomicUsize::new(0)))
    }
    pub fn get(&self) -> usize {
        self.0.load(Relaxed)
    }
}

/// A loom-tracked value: `get` is a tracked read, `set` and the drop are
/// tracked writes. The drop poisons the value.
pub struct Tracked {
    cell: UnsafeCell<usize>,
    drops: Tally,
}

impl Tracked {
    pub fn new(value: usize, drops: &Tally) -> Self {
        Tracked {
            cell: UnsafeCell::new(value),
            drops: drops.clone(),
        }
    }

    /// A tracked read; panics on a value that was dropped.
    pub fn get(&self) -> usize {
        // SAFETY: loom checks that no write races this read.
        let value = self.cell.with(|p| unsafe { *p });
        assert_ne!(value, usize::MAX, "read after drop");
        value
    }

    /// A tracked write through a shared reference, as a unique owner's
    /// `&mut` access would be.
    pub fn set(&self, value: usize) {
        // SAFETY: loom checks that no other access races this write.
        self.cell.with_mut(|p| unsafe { *p = value });
    }
}

impl Clone for Tracked {
    fn clone(&self) -> Self {
        Tracked::new(self.get(), &self.drops)
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        // SAFETY: loom checks that no other access races this write.
        self.cell.with_mut(|p| unsafe { *p = usize::MAX });
        self.drops.0.fetch_add(1, Relaxed);
    }
}

/// The array every model shares: a tracked label and two tracked elements
/// (values 10, 11; the label is 7), in block layout `P`.
pub type Array<P = heaparray::Padded> = heaparray::ArcArray<Tracked, Tracked, P>;

/// The shared array in the default layout.
pub fn array(drops: &Tally) -> Array {
    array_in(drops)
}

/// The shared array in layout `P`, for the models run in both layouts.
pub fn array_in<P: heaparray::ArcLayout>(drops: &Tally) -> Array<P> {
    heaparray::LabelledArray::with_label(Tracked::new(7, drops), 2, |_, i| {
        Tracked::new(10 + i, drops)
    })
}

/// Reads the label and every element through tracked reads.
pub fn read_all<P: heaparray::ArcLayout>(a: &Array<P>) -> usize {
    a.get_label().get() + a.iter().map(Tracked::get).sum::<usize>()
}

/// What `read_all` returns for an untouched `array`.
pub const UNTOUCHED: usize = 7 + 10 + 11;

/// Runs `f` under loom, exhaustively: with no preemption bound unless
/// `LOOM_MAX_PREEMPTIONS` sets one (the models are small enough that every
/// interleaving takes under a second in all). Prints how many executions
/// loom explored (`--nocapture` shows them), so a reader can see what each
/// model covers.
pub fn model(f: impl Fn() + Sync + Send + 'static) {
    // A plain std atomic, outside the model: loom does not see it.
    static EXECUTIONS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let builder = loom::model::Builder::new();
    let before = EXECUTIONS.load(std::sync::atomic::Ordering::Relaxed);
    builder.check(move || {
        EXECUTIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        f();
    });
    let explored = EXECUTIONS.load(std::sync::atomic::Ordering::Relaxed) - before;
    println!(
        "{}: {explored} executions ({})",
        std::thread::current().name().unwrap_or("model"),
        builder
            .preemption_bound
            .map_or("exhaustive".to_string(), |b| format!(
                "at most {b} preemptions"
            )),
    );
}
