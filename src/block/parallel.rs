//! rayon's parallel fill (`par_new`, `par_with_label`) and collect
//! (`FromParallelIterator`) into a block's slots: each task writes its own
//! slots through pointers derived from one base pointer, and guards
//! ([`Written`]) own what each wrote until the builder accepts the whole
//! fill. Uses the builder; the builder knows nothing of it.

use core::marker::PhantomData;
use core::mem;
use core::ptr::{self, NonNull};

use super::{Builder, Header};
use crate::allocation::TryReserveError;

/// The element slots of a block being filled in parallel: the one base
/// pointer every task derives its slot pointers from.
struct Slots<E>(*mut E);

// SAFETY: tasks on other threads use the base pointer only to write the
// distinct slots of their own chunks (`Builder::par_fill`), moving an `E`
// made there into the block: sharing it is sending `E`s.
unsafe impl<E: Send> Sync for Slots<E> {}

impl<E> Slots<E> {
    /// The pointer to slot `i`, with the base's provenance over the block.
    ///
    /// # Safety
    ///
    /// `i` is at most the block's capacity.
    #[inline]
    unsafe fn at(&self, i: usize) -> *mut E {
        // SAFETY: in bounds of the block's allocation (caller).
        unsafe { self.0.add(i) }
    }
}

/// Owns a contiguous run of initialised elements while a parallel fill
/// runs: dropping it drops them.
///
/// `start` is derived from the fill's one base pointer ([`Slots`]), so it
/// has permission for the whole block and a merged run may drop its right
/// part through it. It is never null, even for an empty run: dropping a
/// run drops a slice, which must be non-null and aligned at any length.
///
/// The lifetime `'c` brands the run with the borrow of the builder whose
/// block it points into (invariant, so it can neither grow nor shrink): a
/// run cannot outlive that borrow, so it cannot be dropped after the
/// builder freed the block, whatever the code holding it does.
struct Written<'c, E> {
    start: *mut E,
    len: usize,
    _brand: Brand<'c>,
}

/// An invariant lifetime: the borrow of the builder a parallel fill or
/// collect writes into.
type Brand<'c> = PhantomData<fn(&'c ()) -> &'c ()>;

// SAFETY: a `Written` owns its `E`s (it drops them), so moving it to another
// thread moves them: `E: Send` is what that needs.
unsafe impl<E: Send> Send for Written<'_, E> {}

impl<E> Written<'_, E> {
    fn empty_at(start: *mut E) -> Self {
        Written {
            start,
            len: 0,
            _brand: PhantomData,
        }
    }

    /// Joins two runs that rayon's ordered reduce hands over left, right
    /// (`par_fill`), either of which may be empty (the reduce's identity
    /// is an empty run at a dangling address).
    fn merge(left: Self, right: Self) -> Self {
        if left.len == 0 {
            return right;
        }
        if right.len == 0 {
            return left;
        }
        match Self::join(left, right) {
            Ok(merged) => merged,
            Err(runs) => {
                drop(runs); // and so what they own
                panic!("rayon reduces adjacent chunks in order")
            }
        }
    }

    /// One run of `left`'s and `right`'s items if `right` starts where
    /// `left`'s items end, otherwise both back. The two own disjoint slots
    /// (their ranges are), so the sum cannot overflow, and `left.start`,
    /// derived from the same base, has permission for both.
    fn join(left: Self, right: Self) -> Result<Self, (Self, Self)> {
        if left.start.wrapping_add(left.len) != right.start {
            return Err((left, right));
        }
        let merged = Written {
            start: left.start,
            len: left.len + right.len,
            _brand: PhantomData,
        };
        mem::forget((left, right));
        Ok(merged)
    }
}

impl<E> Drop for Written<'_, E> {
    fn drop(&mut self) {
        // SAFETY: the run's `len` elements were written by this run's task
        // and are owned by this guard only (merges forget their parts).
        unsafe { ptr::drop_in_place(ptr::slice_from_raw_parts_mut(self.start, self.len)) }
    }
}

/// The consumer of [`Builder::par_collect`]: the uninitialised slots
/// `start..start + len` of the block, which the folder made from it owns
/// the right to write. `start` is derived from the block's `elems()` (the
/// one base pointer of the collect) by in-bounds offsets, so it has
/// permission for the whole block.
///
/// Ranges are handed out by value only (`split_at` consumes the range and
/// returns two that partition it, `into_folder` consumes it), and the
/// type is not `Clone`, so the live ranges, folders and runs of a collect
/// always cover disjoint slots: no slot is written twice, and each
/// written slot is owned by one run.
struct SlotRange<'c, E> {
    start: *mut E,
    len: usize,
    _brand: Brand<'c>,
}

// SAFETY: a range is the right to write its own slots, moving `E`s made on
// the thread that holds it into the block; no other range reaches them.
// Sending it sends those `E`s: `E: Send`.
unsafe impl<E: Send> Send for SlotRange<'_, E> {}

/// The folder of a [`SlotRange`]: its run of written items, from the
/// range's start, and the range's length.
struct SlotFolder<'c, E> {
    run: Written<'c, E>,
    room: usize,
}

impl<E> SlotFolder<'_, E> {
    /// Writes `item` into the next slot of the range, or panics (dropping
    /// `item`; the run keeps what it owns) if the range is full.
    #[inline]
    fn push(&mut self, item: E) {
        if self.run.len == self.room {
            overfed();
        }
        // SAFETY: `run.len < room`, so the slot is inside this folder's
        // range (inside the block, aligned); no other range, folder or run
        // reaches it, and it is uninitialised until this write. The run
        // owns it from the increment on.
        unsafe { self.run.start.add(self.run.len).write(item) };
        self.run.len += 1;
    }
}

/// The panic of a folder fed more items than its range holds.
#[cold]
#[inline(never)]
fn overfed() -> ! {
    panic!("a parallel iterator fed a consumer more items than its length (opt_len) said")
}

/// The reducer of a parallel collect: joins a run with the run that starts
/// where it ends.
struct JoinAdjacent;

impl<'c, E: Send> rayon::iter::plumbing::Consumer<E> for SlotRange<'c, E> {
    type Folder = SlotFolder<'c, E>;
    type Reducer = JoinAdjacent;
    type Result = Written<'c, E>;

    fn split_at(self, index: usize) -> (Self, Self, JoinAdjacent) {
        assert!(
            index <= self.len,
            "a parallel iterator split its consumer at {index}, beyond its {} items",
            self.len
        );
        // `index <= len`: both halves stay inside this range (a wrapping
        // offset, so no `unsafe`, but never wrapping: the range is inside
        // the block).
        let right = SlotRange {
            start: self.start.wrapping_add(index),
            len: self.len - index,
            _brand: PhantomData,
        };
        let left = SlotRange {
            start: self.start,
            len: index,
            _brand: PhantomData,
        };
        (left, right, JoinAdjacent)
    }

    fn into_folder(self) -> SlotFolder<'c, E> {
        SlotFolder {
            run: Written::empty_at(self.start),
            room: self.len,
        }
    }

    fn full(&self) -> bool {
        false
    }
}

impl<E: Send> rayon::iter::plumbing::UnindexedConsumer<E> for SlotRange<'_, E> {
    fn split_off_left(&self) -> Self {
        panic!(
            "a parallel iterator with a length (opt_len) was driven as unindexed \
             (split_off_left): heaparray collects it into slots it splits by index"
        )
    }

    fn to_reducer(&self) -> JoinAdjacent {
        JoinAdjacent
    }
}

impl<'c, E> rayon::iter::plumbing::Folder<E> for SlotFolder<'c, E> {
    type Result = Written<'c, E>;

    #[inline]
    fn consume(mut self, item: E) -> Self {
        self.push(item);
        self
    }

    /// The loop every producer's `fold_with` ends in (rayon's default
    /// calls `consume` and `full` per item): the same check and write per
    /// item, with the run kept in place.
    #[inline]
    fn consume_iter<I: IntoIterator<Item = E>>(mut self, iter: I) -> Self {
        for item in iter {
            self.push(item);
        }
        self
    }

    fn complete(self) -> Written<'c, E> {
        self.run
    }

    fn full(&self) -> bool {
        false
    }
}

impl<'c, E> rayon::iter::plumbing::Reducer<Written<'c, E>> for JoinAdjacent {
    /// Joins `left` and `right` if `right` starts where `left`'s written
    /// items end (`left` filled its range); otherwise drops `right`'s
    /// items and keeps `left`, and the collect comes up short.
    fn reduce(self, left: Written<'c, E>, right: Written<'c, E>) -> Written<'c, E> {
        Written::join(left, right).unwrap_or_else(|(left, right)| {
            drop(right);
            left
        })
    }
}

/// The builder's parallel fills: they write an empty builder's slots.
impl<H: Header, L, E> Builder<H, L, E> {
    /// Fills `len` elements (at most the capacity) in parallel, element `i` being
    /// `f(&label, i)`, on rayon's pool: each task writes one contiguous
    /// chunk of the block.
    ///
    /// Every task's pointers are derived from one raw base pointer, the
    /// block's `elems()`, which carries the provenance of the whole block;
    /// no reference to a chunk is ever made. (Pointers saved from chunk
    /// references were invalidated by the next reborrow, and a merged run
    /// dropped the right chunk through the left chunk's pointer: UB under
    /// both of Miri's borrow models when a task panicked with elements that
    /// own memory.)
    ///
    /// Panic safety: each task's written prefix is owned by a [`Written`]
    /// guard; rayon's ordered `reduce` merges adjacent guards. If any task
    /// panics, rayon drops the guards it already holds (each drops its
    /// elements exactly once) and resumes the panic; the builder itself
    /// then still counts 0 elements and drops the label and the block.
    pub(crate) fn par_fill<F>(&mut self, len: usize, f: F)
    where
        E: Send,
        L: Sync,
        F: Fn(&L, usize) -> E + Sync,
    {
        use rayon::prelude::*;
        assert!(
            self.len == 0 && len <= self.cap,
            "par_fill fills an empty builder"
        );
        // SAFETY: the label is initialised and nothing writes it while the
        // tasks run (`&mut self` is held, tasks get `&L`).
        let label: &L = unsafe { &*self.block.label() };
        let base = Slots(self.block.elems());
        let chunk = len.div_ceil(rayon::current_num_threads() * 4).max(1);
        let written = (0..len.div_ceil(chunk))
            .into_par_iter()
            .map(|c| {
                // `start < len`, so `len - start` cannot wrap, nor can
                // `start + chunk.min(..)` overflow (zero-sized elements
                // can make `len` close to `usize::MAX`).
                let start = c * chunk;
                let end = start + chunk.min(len - start);
                // SAFETY: `start <= len <= cap`: in bounds of the block.
                let mut written = Written::empty_at(unsafe { base.at(start) });
                for i in start..end {
                    let elem = f(label, i);
                    // SAFETY: `i < len <= cap`, and slot `i` belongs to this
                    // chunk alone: no other task writes or reads it, and
                    // it is uninitialised until this write.
                    unsafe { base.at(i).write(elem) };
                    written.len += 1;
                }
                written
            })
            .reduce(
                || Written::empty_at(NonNull::dangling().as_ptr()),
                Written::merge,
            );
        assert_eq!(written.len, len, "every chunk is written");
        mem::forget(written);
        self.len = len;
    }

    /// Collects an indexed parallel iterator of `len` items (its
    /// `opt_len`) straight into the block, on rayon's pool, as rayon's own
    /// `Vec` collect does into a vector's spare capacity: the iterator is
    /// driven into a [`SlotRange`] consumer for slots `0..len`, which
    /// splits its range where the iterator splits; each folder writes its
    /// items into its own range, and the reducer joins runs that are
    /// adjacent, left then right.
    ///
    /// The iterator traits are safe, so nothing the iterator does is
    /// trusted: a folder fed more items than its range panics ("more
    /// items"), a split beyond the range panics, an unindexed split
    /// (`split_off_left`) panics, runs out of order or with gaps are not
    /// joined (the right one is dropped), and the fill is accepted only if
    /// the one run handed back covers exactly `0..len`; otherwise it panics
    /// ("expected N items"). In every case each item written is dropped
    /// exactly once: by the run that owns it (while the iterator unwinds or
    /// when it is dropped), or by the builder once the fill is accepted.
    #[track_caller]
    pub(crate) fn par_collect<'c, I>(&'c mut self, len: usize, par_iter: I)
    where
        E: Send,
        I: rayon::iter::ParallelIterator<Item = E>,
    {
        assert!(
            self.len == 0 && len <= self.cap,
            "par_collect fills an empty builder"
        );
        let base = self.block.elems();
        let slots: SlotRange<'c, E> = SlotRange {
            start: base,
            len,
            _brand: PhantomData,
        };
        let written: Written<'c, E> = par_iter.drive_unindexed(slots);
        assert!(
            written.len == len && (len == 0 || written.start == base),
            "expected {len} items from an indexed parallel iterator (its opt_len), but got {}",
            written.len
        );
        // The run covers slots `0..len`: the builder owns them from here.
        mem::forget(written);
        self.len = len;
    }
}

/// Fills a builder with `len` elements in parallel on rayon's pool,
/// element `i` being `f(&label, i)`: the body of every `par_with_label`.
pub(crate) fn try_par_fill<H: Header, L: Sync, E: Send>(
    label: L,
    len: usize,
    f: impl Fn(&L, usize) -> E + Sync,
    alloc: H::Alloc,
) -> Result<Builder<H, L, E>, TryReserveError> {
    let mut builder = Builder::try_new(label, len, alloc, false)?;
    builder.par_fill(len, f);
    Ok(builder)
}

/// Collects a parallel iterator into a builder: the body of every
/// `FromParallelIterator`. An indexed iterator (`opt_len` is `Some`) is
/// written straight into a block of that length in parallel
/// ([`Builder::par_collect`]); any other is collected as rayon collects a
/// `Vec`, then moved into the block with one copy.
///
/// # Errors
///
/// As [`Builder::try_new`] (a length, true or not, whose block would not
/// fit or that the allocator refuses): nothing has been collected then,
/// and the label is dropped.
///
/// # Panics
///
/// If the iterator panics, or lies about its length or its splits (see
/// [`Builder::par_collect`]); every item made is dropped, the block freed.
pub(crate) fn try_par_collect<H: Header, L, E: Send, I>(
    label: L,
    par_iter: I,
    alloc: H::Alloc,
) -> Result<Builder<H, L, E>, TryReserveError>
where
    I: rayon::iter::IntoParallelIterator<Item = E>,
{
    use rayon::iter::{FromParallelIterator, ParallelIterator};
    let par_iter = par_iter.into_par_iter();
    let Some(len) = par_iter.opt_len() else {
        return Builder::try_from_vec(label, Vec::from_par_iter(par_iter), alloc);
    };
    let mut builder = Builder::try_new(label, len, alloc, false)?;
    builder.par_collect(len, par_iter);
    Ok(builder)
}
