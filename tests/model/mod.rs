//! The handle state machine shared by the property test (tests/model_ops.rs)
//! and the fuzz target: a pool of strong, weak and unique handles, a plain
//! model of what each block must hold (strong and weak counts, contents,
//! whether it is still alive), operations on both, and a check of the real
//! handles against the model after every step.
//!
//! The machine is generic over the element type `E` and the label type `L`
//! (any [`Payload`]): a zero-sized type, a `u8`, a `String`, a `Box` and an
//! align-256 type, so that the same operation sequences run over every
//! layout corner the design promises to support. Every payload value's
//! `Clone` and `Drop` can be made to panic on demand (see [`tally`]); after
//! every step the number of live values must be what the model says, and at
//! the end every value made must have been dropped exactly once.
//!
//! It is generic over the allocator too ([`ModelAlloc`]): the global one,
//! or tests/common/alloc.rs's counting [`alloc::Faulty`], whose live blocks
//! and allocator values must be, after every step, the blocks the model
//! says are allocated (held by a strong or a weak handle), each freed by
//! the allocator instance that allocated it, with its layout; with it, the
//! `*Failing` operations make an allocation fail (`try_with_label_in`) or
//! panic (`make_mut`'s copy or move, `try_unique`'s move).
//!
//! Unique handles grow like a `Vec` (`WithCapacity`, `Push`, `Pop`,
//! `Extend`, `Reserve`, `Truncate`; `Shareable` then trims the block as it
//! shares it): the model's elements are a `Vec` doing the same, and the
//! capacity must hold them (what `reserve` and `reserve_exact` promise,
//! exactly); with the counting allocator every grow and shrink is checked
//! against the block's layout.
#![allow(dead_code)]

use std::sync::Arc;

use heaparray::traits::*;
use heaparray::{
    Allocator, ArcArrayBase, ArcLayout, Global, TryReserveError, UniqueArcArrayBase,
    WeakArcArrayBase,
};

use super::common::{catch_expected, Canary, Ledger, Lying};

/// The allocators of tests/common/alloc.rs (the machine runs over
/// [`alloc::Faulty`] as well as [`Global`]).
#[path = "../common/alloc.rs"]
pub mod alloc;

use alloc::{Faulty, Mode};

/// The allocator a machine's blocks come from: [`Global`], or a
/// [`Faulty`] (zero-sized or 24 bytes), whose blocks and instances the
/// machine counts after every step, and whose allocations the `*Failing`
/// operations make fail.
pub trait ModelAlloc: Allocator + Clone + Default + 'static {
    /// Whether the `*Failing` operations can make this allocator fail
    /// (they do nothing otherwise).
    const INJECTS: bool;
    /// A new labelled array (`with_label` for [`Global`], the path the
    /// machine always took; `with_label_in` for the others).
    fn with_label<E, L, P: ArcLayout>(
        label: L,
        len: usize,
        f: impl FnMut(&mut L, usize) -> E,
    ) -> ArcArrayBase<E, L, P, Self>;
    /// A new empty unique array with room for `cap` elements
    /// (`with_label_and_capacity` for [`Global`], `_in` for the others).
    fn with_capacity<E, L, P: ArcLayout>(label: L, cap: usize)
        -> UniqueArcArrayBase<E, L, P, Self>;
    /// Forgets what an earlier run on this thread left.
    fn reset() {}
    /// The allocator's view after a step: `live` blocks are allocated,
    /// each holding one allocator.
    fn check(_live: usize) {}
}

impl ModelAlloc for Global {
    const INJECTS: bool = false;
    fn with_label<E, L, P: ArcLayout>(
        label: L,
        len: usize,
        f: impl FnMut(&mut L, usize) -> E,
    ) -> ArcArrayBase<E, L, P, Global> {
        <ArcArrayBase<E, L, P, Global> as LabelledArray<E, L>>::with_label(label, len, f)
    }
    fn with_capacity<E, L, P: ArcLayout>(
        label: L,
        cap: usize,
    ) -> UniqueArcArrayBase<E, L, P, Global> {
        UniqueArcArrayBase::with_label_and_capacity(label, cap)
    }
}

impl<const PAD: usize> ModelAlloc for Faulty<PAD> {
    const INJECTS: bool = true;
    fn with_label<E, L, P: ArcLayout>(
        label: L,
        len: usize,
        f: impl FnMut(&mut L, usize) -> E,
    ) -> ArcArrayBase<E, L, P, Self> {
        <ArcArrayBase<E, L, P, Self>>::with_label_in(label, len, f, Faulty::new())
    }
    fn with_capacity<E, L, P: ArcLayout>(
        label: L,
        cap: usize,
    ) -> UniqueArcArrayBase<E, L, P, Self> {
        UniqueArcArrayBase::with_label_and_capacity_in(label, cap, Faulty::new())
    }
    fn reset() {
        alloc::faulty_reset();
    }
    fn check(live: usize) {
        let errors = alloc::faulty_errors();
        assert!(errors.is_empty(), "allocator misuse: {errors:?}");
        assert_eq!(alloc::faulty_blocks(), live, "blocks allocated");
        assert_eq!(alloc::faulty_instances(), live as isize, "allocators alive");
    }
}

/// A per-thread count of the payload values alive, and the switches that
/// make a payload's `Clone` or `Drop` panic on demand.
///
/// Per thread because a zero-sized type cannot hold a pointer to a shared
/// counter (as a [`Canary`] holds its [`Ledger`]), and because the test
/// harness runs tests on several threads at once: each machine runs on one
/// thread, and only one machine at a time runs on a thread.
pub mod tally {
    use std::cell::Cell;

    struct Tally {
        /// Payload values made (or cloned) minus values dropped.
        live: Cell<isize>,
        /// Set, for good, if `live` ever went below zero: a double drop.
        underflow: Cell<bool>,
        /// Clones since `panic_on_clone`, and the one (0-based) that panics.
        clones: Cell<usize>,
        clone_panics_at: Cell<usize>,
        /// Drops since `panic_on_drop`, and the one (0-based) that panics.
        drops: Cell<usize>,
        drop_panics_at: Cell<usize>,
    }

    thread_local! {
        static TALLY: Tally = const {
            Tally {
                live: Cell::new(0),
                underflow: Cell::new(false),
                clones: Cell::new(0),
                clone_panics_at: Cell::new(usize::MAX),
                drops: Cell::new(0),
                drop_panics_at: Cell::new(usize::MAX),
            }
        };
    }

    /// Starts a fresh count for a new machine on this thread, with nothing
    /// armed (a failed earlier case may have left a switch armed or values
    /// leaked).
    pub fn reset() {
        TALLY.with(|t| {
            t.live.set(0);
            t.underflow.set(false);
            t.clone_panics_at.set(usize::MAX);
            t.drop_panics_at.set(usize::MAX);
        });
    }

    /// Payload values alive on this thread.
    pub fn live() -> isize {
        TALLY.with(|t| t.live.get())
    }

    /// Whether a payload value was ever dropped more often than made.
    pub fn underflowed() -> bool {
        TALLY.with(|t| t.underflow.get())
    }

    /// Makes the `n`-th payload clone from now (0-based) panic;
    /// `usize::MAX` disarms.
    pub fn panic_on_clone(n: usize) {
        TALLY.with(|t| {
            t.clones.set(0);
            t.clone_panics_at.set(n);
        });
    }

    /// Makes the `n`-th payload drop from now (0-based) panic, once: the
    /// switch disarms itself as it fires, so that no second destructor
    /// panics while the first panic unwinds (that would abort the process).
    /// `usize::MAX` disarms.
    pub fn panic_on_drop(n: usize) {
        TALLY.with(|t| {
            t.drops.set(0);
            t.drop_panics_at.set(n);
        });
    }

    /// A zero-sized member of every payload type, counted in the tally;
    /// its private field makes [`Tracked::new`] the only way to make one.
    pub struct Tracked(());

    impl Tracked {
        pub fn new() -> Tracked {
            TALLY.with(|t| t.live.set(t.live.get() + 1));
            Tracked(())
        }
    }

    impl Clone for Tracked {
        /// Panics (making nothing) if this is the armed clone.
        fn clone(&self) -> Tracked {
            let fire = TALLY.with(|t| {
                let n = t.clones.get();
                t.clones.set(n + 1);
                n == t.clone_panics_at.get()
            });
            if fire {
                panic!("clone panics on purpose");
            }
            Tracked::new()
        }
    }

    impl Drop for Tracked {
        /// Counts the value as dropped first, then panics if this is the
        /// armed drop: a panicking destructor has still dropped its value
        /// (and the owner's other fields are dropped by the unwind).
        fn drop(&mut self) {
            let fire = TALLY.with(|t| {
                let live = t.live.get() - 1;
                t.live.set(live);
                if live < 0 {
                    t.underflow.set(true);
                }
                let n = t.drops.get();
                t.drops.set(n + 1);
                let fire = n == t.drop_panics_at.get();
                if fire {
                    t.drop_panics_at.set(usize::MAX);
                }
                fire
            });
            if fire {
                panic!("drop panics on purpose");
            }
        }
    }
}

use tally::Tracked;

/// An element or label type the machine runs over. Each holds a
/// [`Tracked`] first (so an armed clone panics before anything else of the
/// value is made) and, unless zero-sized, a [`Canary`] that checks its own
/// value is dropped exactly once.
pub trait Payload: Clone + 'static {
    /// How many canaries one value holds (0 or 1).
    const CANARIES: usize;
    /// A new value holding `value`, as far as the type can.
    fn make(value: u32, ledger: &Arc<Ledger>) -> Self;
    /// What `make(value, _).value()` reads back: the model stores this.
    fn stored(value: u32) -> u32;
    fn value(&self) -> u32;
    /// Replaces the value in place (the model then expects `stored(value)`).
    fn set(&mut self, value: u32);
}

/// Zero-sized: holds no value (always reads 0) and no canary; its drops
/// are checked by the tally alone.
#[derive(Clone)]
pub struct Zst(Tracked);

const _: () = assert!(std::mem::size_of::<Zst>() == 0);

impl Payload for Zst {
    const CANARIES: usize = 0;
    fn make(_: u32, _: &Arc<Ledger>) -> Self {
        Zst(Tracked::new())
    }
    fn stored(_: u32) -> u32 {
        0
    }
    fn value(&self) -> u32 {
        0
    }
    fn set(&mut self, _: u32) {}
}

/// Declares a payload that holds a [`Tracked`], a value of type `$ty` and a
/// [`Canary`], with its [`Payload`] impl: the four that hold a value
/// differ only in the value's type and how it is made, read and replaced,
/// which the arms give as closures over the value field.
macro_rules! payload {
    ($(#[$attr:meta])* $name:ident($ty:ty) {
        make: |$made:ident| $make:expr,
        stored: |$raw:ident| $stored:expr,
        value: |$read:ident| $value:expr,
        set: |$field:ident, $new:ident| $set:expr $(,)?
    }) => {
        $(#[$attr])*
        #[derive(Clone)]
        pub struct $name {
            tracked: Tracked,
            value: $ty,
            canary: Canary,
        }

        impl Payload for $name {
            const CANARIES: usize = 1;
            fn make($made: u32, ledger: &Arc<Ledger>) -> Self {
                $name {
                    tracked: Tracked::new(),
                    value: $make,
                    canary: ledger.canary(),
                }
            }
            fn stored($raw: u32) -> u32 {
                $stored
            }
            fn value(&self) -> u32 {
                let $read = &self.value;
                $value
            }
            fn set(&mut self, $new: u32) {
                let $field = &mut self.value;
                $set
            }
        }
    };
}

payload! {
    /// A `u8` value (the model stores the value truncated to `u8`).
    Byte(u8) {
        make: |value| value as u8,
        stored: |value| u32::from(value as u8),
        value: |v| u32::from(*v),
        set: |v, value| *v = value as u8,
    }
}

payload! {
    /// A `String` value (the decimal digits): a payload that owns heap memory,
    /// so a missed or doubled drop also shows as a leak or a double free
    /// under AddressSanitizer or Miri.
    Text(String) {
        make: |value| value.to_string(),
        stored: |value| value,
        value: |v| v.parse().expect("a value the machine wrote"),
        set: |v, value| *v = value.to_string(),
    }
}

payload! {
    /// A `Box<u32>` value: heap memory of its own, as [`Text`], behind a
    /// one-word field, so that element and label can both own memory (paired
    /// with `Text` in tests/model_ops.rs).
    Boxed(Box<u32>) {
        make: |value| Box::new(value),
        stored: |value| value,
        value: |v| **v,
        set: |v, value| **v = value,
    }
}

payload! {
    /// A `u32` value in an over-aligned (256-byte) type: the block's layout
    /// must pad to it, and every pointer must stay aligned to it.
    #[repr(align(256))]
    Aligned(u32) {
        make: |value| value,
        stored: |value| value,
        value: |v| *v,
        set: |v, value| *v = value,
    }
}

/// One slot of the pool.
enum Handle<E, L, P: ArcLayout, A: Allocator> {
    Strong(ArcArrayBase<E, L, P, A>),
    Weak(WeakArcArrayBase<E, L, P, A>),
    Unique(UniqueArcArrayBase<E, L, P, A>),
}

/// A pool slot: a handle and the model block it belongs to, or nothing.
type Slot<E, L, P, A> = Option<(Handle<E, L, P, A>, usize)>;

/// Which kind a handle was, once it is gone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Strong,
    Weak,
    Unique,
}

impl<E, L, P: ArcLayout, A: Allocator> Handle<E, L, P, A> {
    fn kind(&self) -> Kind {
        match self {
            Handle::Strong(_) => Kind::Strong,
            Handle::Weak(_) => Kind::Weak,
            Handle::Unique(_) => Kind::Unique,
        }
    }
}

/// What the model knows of a block.
#[derive(Clone, Debug)]
struct Block {
    strong: usize,
    weak: usize,
    /// The label's and the elements' stored values (see
    /// [`Payload::stored`]); `None` once the contents were dropped or moved
    /// away.
    contents: Option<(u32, Vec<u32>)>,
}

/// An operation; slot numbers are taken modulo the pool size.
#[derive(Clone, Debug)]
pub enum Op {
    New {
        len: u8,
        label: u32,
    },
    Collect {
        len: u8,
        exact: bool,
    },
    CollectLying {
        real: u8,
        hint_low: u8,
        hint_high: Option<u8>,
    },
    Clone(u8),
    Drop(u8),
    /// Drops the slot's handle with the `nth` payload drop from now
    /// (modulo the block's length + 2: each element, the label, or none)
    /// panicking.
    DropPanicking {
        slot: u8,
        nth: u8,
    },
    Downgrade(u8),
    Upgrade(u8),
    GetMut {
        slot: u8,
        index: u8,
        value: u32,
    },
    MakeMut {
        slot: u8,
        index: u8,
        value: u32,
    },
    /// `make_mut` with the `after`-th payload clone from now (modulo the
    /// length + 2: the label, each element, or none) panicking.
    MakeMutPanicking {
        slot: u8,
        after: u8,
    },
    TryUnique(u8),
    IntoUnique(u8),
    Shareable(u8),
    UniqueWrite {
        slot: u8,
        index: u8,
        value: u32,
    },
    RawRoundTrip(u8),
    /// `try_with_label_in` with its allocation failing: an error, the
    /// label and the elements made dropped. (With the global allocator,
    /// which cannot be made to fail: nothing.)
    NewFailing {
        len: u8,
        label: u32,
    },
    /// `make_mut` with its allocation (a copy or a move) panicking: the
    /// handle is left as it was. Nothing for the global allocator.
    MakeMutFailing(u8),
    /// `try_unique` with its allocation (a move, if weak handles exist)
    /// panicking: the handle is dropped as a handle. Nothing for the
    /// global allocator.
    TryUniqueFailing(u8),
    /// A new empty unique array with room for `cap` elements
    /// (`with_label_and_capacity`).
    WithCapacity {
        cap: u8,
        label: u32,
    },
    /// `push` onto the slot's unique handle (growing it when full).
    Push {
        slot: u8,
        value: u32,
    },
    /// `pop` from the slot's unique handle.
    Pop(u8),
    /// `len` new elements onto the slot's unique handle: `how % 3` picks
    /// `extend` with an exact size hint, `extend` with a hint of 0 (a
    /// filter), or `extend_from_slice` (clones).
    Extend {
        slot: u8,
        len: u8,
        how: u8,
    },
    /// `reserve` or (`exact`) `reserve_exact` on the slot's unique handle.
    Reserve {
        slot: u8,
        additional: u8,
        exact: bool,
    },
    /// `truncate` of the slot's unique handle.
    Truncate {
        slot: u8,
        len: u8,
    },
}

pub const POOL: usize = 6;

/// The pool, the model and the ledger of every canary made, for elements
/// `E` and labels `L` in blocks of layout `P` from allocator `A`. One
/// machine at a time per thread (the [`tally`] and `Faulty`'s registry are
/// per thread).
pub struct Machine<E: Payload, L: Payload, P: ArcLayout, A: ModelAlloc = Global> {
    ledger: Arc<Ledger>,
    slots: Vec<Slot<E, L, P, A>>,
    blocks: Vec<Block>,
}

impl<E: Payload, L: Payload, P: ArcLayout, A: ModelAlloc> Default for Machine<E, L, P, A> {
    fn default() -> Self {
        tally::reset();
        A::reset();
        Machine {
            ledger: Ledger::new(),
            slots: (0..POOL).map(|_| None).collect(),
            blocks: Vec::new(),
        }
    }
}

impl<E: Payload, L: Payload, P: ArcLayout, A: ModelAlloc> Machine<E, L, P, A> {
    /// Puts a new strong handle of a new model block in the first free slot
    /// (or drops it when the pool is full).
    fn add_block(&mut self, handle: Handle<E, L, P, A>, contents: (u32, Vec<u32>), strong: usize) {
        let id = self.blocks.len();
        self.blocks.push(Block {
            strong,
            weak: 0,
            contents: Some(contents),
        });
        self.put(handle, id);
    }

    fn put(&mut self, handle: Handle<E, L, P, A>, id: usize) {
        match self.slots.iter_mut().find(|s| s.is_none()) {
            Some(slot) => *slot = Some((handle, id)),
            None => self.release(handle, id),
        }
    }

    /// Puts back a handle taken from the pool and the new one made from it
    /// (a clone or a downgrade), the model counting one more of the new
    /// handle's kind first: `put` may drop the new one, if the pool is
    /// full, and that drop is counted against it.
    fn put_beside(&mut self, old: Handle<E, L, P, A>, new: Handle<E, L, P, A>, id: usize) {
        match new.kind() {
            Kind::Strong => self.blocks[id].strong += 1,
            Kind::Weak => self.blocks[id].weak += 1,
            Kind::Unique => unreachable!("a unique handle is never made beside another"),
        }
        self.put(old, id);
        self.put(new, id);
    }

    /// Drops a handle and updates the model as its drop must.
    fn release(&mut self, handle: Handle<E, L, P, A>, id: usize) {
        let kind = handle.kind();
        drop(handle);
        self.released(kind, id);
    }

    /// Whether dropping a handle of `kind` to block `id` drops the contents.
    fn drops_contents(&self, kind: Kind, id: usize) -> bool {
        match kind {
            Kind::Strong => self.blocks[id].strong == 1,
            Kind::Weak => false,
            Kind::Unique => true,
        }
    }

    /// The model after a handle of `kind` to block `id` was dropped
    /// (whether or not a destructor panicked: the contents are gone either
    /// way).
    fn released(&mut self, kind: Kind, id: usize) {
        let block = &mut self.blocks[id];
        match kind {
            Kind::Strong => {
                block.strong -= 1;
                if block.strong == 0 {
                    block.contents = None;
                }
            }
            Kind::Weak => block.weak -= 1,
            Kind::Unique => {
                block.strong = 0;
                block.contents = None;
            }
        }
    }

    fn take(&mut self, slot: u8) -> Option<(Handle<E, L, P, A>, usize)> {
        self.slots[slot as usize % POOL].take()
    }

    /// Takes the slot's handle if it is of `kind`; leaves anything else.
    fn take_kind(&mut self, slot: u8, kind: Kind) -> Option<(Handle<E, L, P, A>, usize)> {
        let slot = &mut self.slots[slot as usize % POOL];
        if slot.as_ref()?.0.kind() == kind {
            slot.take()
        } else {
            None
        }
    }

    fn take_strong(&mut self, slot: u8) -> Option<(ArcArrayBase<E, L, P, A>, usize)> {
        match self.take_kind(slot, Kind::Strong)? {
            (Handle::Strong(h), id) => Some((h, id)),
            _ => unreachable!(),
        }
    }

    fn take_weak(&mut self, slot: u8) -> Option<(WeakArcArrayBase<E, L, P, A>, usize)> {
        match self.take_kind(slot, Kind::Weak)? {
            (Handle::Weak(w), id) => Some((w, id)),
            _ => unreachable!(),
        }
    }

    fn take_unique(&mut self, slot: u8) -> Option<(UniqueArcArrayBase<E, L, P, A>, usize)> {
        match self.take_kind(slot, Kind::Unique)? {
            (Handle::Unique(u), id) => Some((u, id)),
            _ => unreachable!(),
        }
    }

    /// The model after `make_mut` returned for a handle of block `id`
    /// (which was `before`): in place when it was the only handle of any
    /// kind, otherwise a new block (cloned, or moved away from weak ones).
    fn made_mut(
        &mut self,
        h: ArcArrayBase<E, L, P, A>,
        id: usize,
        before: Block,
        contents: (u32, Vec<u32>),
    ) {
        if before.strong == 1 && before.weak == 0 {
            self.blocks[id].contents = Some(contents);
            self.put(Handle::Strong(h), id);
        } else {
            let old = &mut self.blocks[id];
            old.strong -= 1;
            if old.strong == 0 {
                old.contents = None;
            }
            self.add_block(Handle::Strong(h), contents, 1);
        }
    }

    /// `len` new elements holding `value(i)`.
    fn elems(&self, len: u8, value: impl Fn(u32) -> u32) -> Vec<E> {
        (0..u32::from(len))
            .map(|i| E::make(value(i), &self.ledger))
            .collect()
    }

    /// A collected array holds `len` elements reading `stored(i)`.
    fn check_collected(a: &ArcArrayBase<E, (), P, A>, len: u8, what: &str) {
        assert_eq!(a.len(), usize::from(len), "{what} changed the length");
        assert!(
            a.iter()
                .enumerate()
                .all(|(i, e)| e.value() == E::stored(i as u32)),
            "{what} changed the contents"
        );
        assert_aligned(ArcArrayBase::as_ptr(a));
    }

    /// Applies one operation to the real handles and to the model.
    pub fn apply(&mut self, op: &Op) {
        match *op {
            Op::New { len, label } => {
                let values: Vec<u32> = (0..u32::from(len)).map(|i| i * 3).collect();
                let ledger = &self.ledger;
                let h = A::with_label::<E, L, P>(L::make(label, ledger), len as usize, |_, i| {
                    E::make(values[i], ledger)
                });
                let stored = values.iter().map(|&v| E::stored(v)).collect();
                self.add_block(Handle::Strong(h), (L::stored(label), stored), 1);
            }
            Op::Collect { len, exact } => {
                let elems = self.elems(len, |i| i);
                let a: ArcArrayBase<E, (), P, A> = if exact {
                    elems.into_iter().collect()
                } else {
                    elems.into_iter().filter(|_| true).collect()
                };
                Self::check_collected(&a, len, "collect");
            }
            Op::CollectLying {
                real,
                hint_low,
                hint_high,
            } => {
                let lying = Lying {
                    items: self.elems(real, |i| i).into_iter(),
                    hint: (hint_low as usize, hint_high.map(usize::from)),
                };
                let a: ArcArrayBase<E, (), P, A> = lying.collect();
                Self::check_collected(&a, real, "a lying size_hint");
            }
            Op::Clone(slot) => {
                if let Some((h, id)) = self.take_strong(slot) {
                    let c = h.clone();
                    self.put_beside(Handle::Strong(h), Handle::Strong(c), id);
                }
            }
            Op::Drop(slot) => {
                if let Some((handle, id)) = self.take(slot) {
                    self.release(handle, id);
                }
            }
            Op::DropPanicking { slot, nth } => {
                if let Some((handle, id)) = self.take(slot) {
                    let kind = handle.kind();
                    let len = self.blocks[id].contents.as_ref().map_or(0, |c| c.1.len());
                    let nth = nth as usize % (len + 2);
                    // Payload drops in this drop: the elements, then the
                    // label, if it drops the contents; none otherwise.
                    let panics = self.drops_contents(kind, id) && nth <= len;
                    tally::panic_on_drop(nth);
                    let result = catch_expected(move || drop(handle));
                    tally::panic_on_drop(usize::MAX);
                    assert_eq!(
                        result.is_err(),
                        panics,
                        "drop of a {kind:?} handle of block {id} ({:?}) with drop {nth} panicking",
                        self.blocks[id]
                    );
                    // Panic or not, the drop is done: the check below
                    // counts every element and the label as dropped.
                    self.released(kind, id);
                }
            }
            Op::Downgrade(slot) => {
                if let Some((h, id)) = self.take_strong(slot) {
                    let w = ArcArrayBase::downgrade(&h);
                    self.put_beside(Handle::Strong(h), Handle::Weak(w), id);
                } else if let Some((w, id)) = self.take_weak(slot) {
                    // A weak clone.
                    let w2 = w.clone();
                    self.put_beside(Handle::Weak(w), Handle::Weak(w2), id);
                }
            }
            Op::Upgrade(slot) => {
                if let Some((w, id)) = self.take_weak(slot) {
                    let up = w.upgrade();
                    assert_eq!(
                        up.is_some(),
                        self.blocks[id].strong > 0,
                        "upgrade of block {id}"
                    );
                    self.put(Handle::Weak(w), id);
                    if let Some(h) = up {
                        self.blocks[id].strong += 1;
                        self.put(Handle::Strong(h), id);
                    }
                }
            }
            Op::GetMut { slot, index, value } => {
                if let Some((mut h, id)) = self.take_strong(slot) {
                    let block = &mut self.blocks[id];
                    let alone = block.strong == 1 && block.weak == 0;
                    match ArcArrayBase::get_mut(&mut h) {
                        Some(elems) => {
                            assert!(alone, "get_mut while shared: {block:?}");
                            if let Some(e) = elems.get_mut(index as usize) {
                                e.set(value);
                                block.contents.as_mut().unwrap().1[index as usize] =
                                    E::stored(value);
                            }
                        }
                        None => assert!(!alone, "get_mut refused a unique handle"),
                    }
                    self.put(Handle::Strong(h), id);
                }
            }
            Op::MakeMut { slot, index, value } => {
                if let Some((mut h, id)) = self.take_strong(slot) {
                    let before = self.blocks[id].clone();
                    let elems = ArcArrayBase::make_mut(&mut h);
                    let mut contents = before.contents.clone().unwrap();
                    if let Some(e) = elems.get_mut(index as usize) {
                        e.set(value);
                        contents.1[index as usize] = E::stored(value);
                    }
                    self.made_mut(h, id, before, contents);
                }
            }
            Op::MakeMutPanicking { slot, after } => {
                if let Some((mut h, id)) = self.take_strong(slot) {
                    let shared = self.blocks[id].strong > 1;
                    let len = h.len();
                    let after = after as usize % (len + 2);
                    tally::panic_on_clone(after);
                    let result = catch_expected(|| {
                        ArcArrayBase::make_mut(&mut h);
                    });
                    tally::panic_on_clone(usize::MAX);
                    // Only a copy clones: the label, then each element.
                    assert_eq!(
                        result.is_err(),
                        shared && after <= len,
                        "make_mut of block {id} ({:?}) with clone {after} panicking",
                        self.blocks[id]
                    );
                    if result.is_err() {
                        // The handle is untouched; the partial copy was
                        // dropped (the check below counts it).
                        self.put(Handle::Strong(h), id);
                    } else {
                        // No clone reached the panic: as MakeMut.
                        let before = self.blocks[id].clone();
                        let contents = before.contents.clone().unwrap();
                        self.made_mut(h, id, before, contents);
                    }
                }
            }
            Op::TryUnique(slot) | Op::IntoUnique(slot) => {
                if let Some((h, id)) = self.take_strong(slot) {
                    let before = self.blocks[id].clone();
                    // Both ask for the contents alone; a refused
                    // `try_unique` hands the strong handle back (`Some`),
                    // a refused `into_unique` has dropped it (`None`).
                    let (name, got) = match op {
                        Op::TryUnique(_) => {
                            ("try_unique", ArcArrayBase::try_unique(h).map_err(Some))
                        }
                        _ => ("into_unique", ArcArrayBase::into_unique(h).ok_or(None)),
                    };
                    match got {
                        Ok(u) => {
                            assert_eq!(before.strong, 1, "{name} while shared");
                            self.become_unique(u, id, before);
                        }
                        Err(back) => {
                            assert!(before.strong > 1, "{name} refused the last strong handle");
                            match back {
                                Some(h) => self.put(Handle::Strong(h), id),
                                None => self.blocks[id].strong -= 1,
                            }
                        }
                    }
                }
            }
            Op::Shareable(slot) => {
                if let Some((u, id)) = self.take_unique(slot) {
                    self.put(Handle::Strong(u.shareable()), id);
                }
            }
            Op::UniqueWrite { slot, index, value } => {
                if let Some((mut u, id)) = self.take_unique(slot) {
                    let contents = self.blocks[id].contents.as_mut().unwrap();
                    if let Some(e) = u.get_mut(index as usize) {
                        e.set(value);
                        contents.1[index as usize] = E::stored(value);
                    }
                    // A new label: the old one is dropped here.
                    *u.get_label_mut() = L::make(value, &self.ledger);
                    contents.0 = L::stored(value);
                    self.put(Handle::Unique(u), id);
                }
            }
            Op::RawRoundTrip(slot) => {
                if let Some((h, id)) = self.take_strong(slot) {
                    let p = ArcArrayBase::into_raw(h);
                    assert_aligned(p);
                    // SAFETY: from `into_raw` of this type, rebuilt once.
                    let h = unsafe { ArcArrayBase::<E, L, P, A>::from_raw(p) };
                    assert_eq!(ArcArrayBase::as_ptr(&h), p);
                    self.put(Handle::Strong(h), id);
                }
            }
            Op::NewFailing { len, label } if A::INJECTS => {
                let ledger = &self.ledger;
                let result = alloc::inject(0, Mode::Fail, || {
                    <ArcArrayBase<E, L, P, A>>::try_with_label_in(
                        L::make(label, ledger),
                        len as usize,
                        |_, i| E::make(i as u32, ledger),
                        A::default(),
                    )
                });
                assert!(
                    matches!(result, Err(TryReserveError::AllocError { .. })),
                    "try_with_label_in with its allocation failing"
                );
            }
            Op::MakeMutFailing(slot) if A::INJECTS => {
                if let Some((mut h, id)) = self.take_strong(slot) {
                    let before = self.blocks[id].clone();
                    let allocates = before.strong > 1 || before.weak > 0;
                    let result = catch_expected(|| {
                        alloc::inject(0, Mode::Panic, || {
                            ArcArrayBase::make_mut(&mut h);
                        })
                    });
                    assert_eq!(
                        result.is_err(),
                        allocates,
                        "make_mut of block {id} ({before:?}) with its allocation panicking"
                    );
                    if result.is_err() {
                        // Untouched: the check below reads its counts and
                        // contents against the model's.
                        self.put(Handle::Strong(h), id);
                    } else {
                        let contents = before.contents.clone().unwrap();
                        self.made_mut(h, id, before, contents);
                    }
                }
            }
            Op::TryUniqueFailing(slot) if A::INJECTS => {
                if let Some((h, id)) = self.take_strong(slot) {
                    let before = self.blocks[id].clone();
                    let moves = before.strong == 1 && before.weak > 0;
                    let result = catch_expected(|| {
                        alloc::inject(0, Mode::Panic, || ArcArrayBase::try_unique(h))
                    });
                    match result {
                        Err(_) => {
                            assert!(moves, "try_unique of {id} ({before:?}) panicked");
                            // The handle was dropped as a handle.
                            self.released(Kind::Strong, id);
                        }
                        Ok(Ok(u)) => {
                            assert!(!moves && before.strong == 1, "try_unique of {id}");
                            self.become_unique(u, id, before);
                        }
                        Ok(Err(h)) => {
                            assert!(before.strong > 1, "try_unique refused the only handle");
                            self.put(Handle::Strong(h), id);
                        }
                    }
                }
            }
            Op::NewFailing { .. } | Op::MakeMutFailing(_) | Op::TryUniqueFailing(_) => {}
            Op::WithCapacity { cap, label } => {
                let u = A::with_capacity::<E, L, P>(L::make(label, &self.ledger), cap.into());
                assert!(u.is_empty() && u.capacity() >= cap.into(), "with_capacity");
                self.add_block(Handle::Unique(u), (L::stored(label), Vec::new()), 1);
            }
            Op::Push { slot, value } => {
                if let Some((mut u, id)) = self.take_unique(slot) {
                    u.push(E::make(value, &self.ledger));
                    let contents = self.blocks[id].contents.as_mut().unwrap();
                    contents.1.push(E::stored(value));
                    self.put(Handle::Unique(u), id);
                }
            }
            Op::Pop(slot) => {
                if let Some((mut u, id)) = self.take_unique(slot) {
                    let cap = u.capacity();
                    let contents = self.blocks[id].contents.as_mut().unwrap();
                    assert_eq!(u.pop().map(|e| e.value()), contents.1.pop(), "pop");
                    assert_eq!(u.capacity(), cap, "pop changed the capacity");
                    self.put(Handle::Unique(u), id);
                }
            }
            Op::Extend { slot, len, how } => {
                if let Some((mut u, id)) = self.take_unique(slot) {
                    let elems = self.elems(len, |i| i * 7 + 1);
                    match how % 3 {
                        0 => u.extend(elems),
                        1 => u.extend(elems.into_iter().filter(|_| true)),
                        _ => u.extend_from_slice(&elems),
                    }
                    let contents = self.blocks[id].contents.as_mut().unwrap();
                    contents
                        .1
                        .extend((0..u32::from(len)).map(|i| E::stored(i * 7 + 1)));
                    self.put(Handle::Unique(u), id);
                }
            }
            Op::Reserve {
                slot,
                additional,
                exact,
            } => {
                if let Some((mut u, id)) = self.take_unique(slot) {
                    let (len, cap, additional) = (u.len(), u.capacity(), usize::from(additional));
                    if exact {
                        u.reserve_exact(additional);
                    } else {
                        u.reserve(additional);
                    }
                    // The message formatted only on failure (Miri formats
                    // slowly).
                    let new = u.capacity();
                    let ok = if len + additional <= cap {
                        new == cap
                    } else if exact {
                        new == len + additional
                    } else {
                        new >= (len + additional).max(2 * cap)
                    };
                    assert!(
                        ok,
                        "reserve of {additional} (exact: {exact}) at {len} in {cap}: {new}"
                    );
                    self.put(Handle::Unique(u), id);
                }
            }
            Op::Truncate { slot, len } => {
                if let Some((mut u, id)) = self.take_unique(slot) {
                    let cap = u.capacity();
                    u.truncate(len.into());
                    let contents = self.blocks[id].contents.as_mut().unwrap();
                    contents.1.truncate(len.into());
                    assert_eq!(u.capacity(), cap, "truncate changed the capacity");
                    self.put(Handle::Unique(u), id);
                }
            }
        }
        self.check();
    }

    /// The model after a successful `try_unique` / `into_unique`: in place
    /// if no weak handle exists, else a new block and a dead old one.
    fn become_unique(&mut self, u: UniqueArcArrayBase<E, L, P, A>, id: usize, before: Block) {
        if before.weak == 0 {
            self.blocks[id].strong = 1;
            self.put(Handle::Unique(u), id);
        } else {
            let old = &mut self.blocks[id];
            old.strong = 0;
            old.contents = None;
            self.add_block(Handle::Unique(u), before.contents.unwrap(), 1);
        }
    }

    /// Every handle against the model, and the live payload values against
    /// the live blocks: between steps the machine holds no value outside
    /// its blocks, so each live block accounts for its label and `len`
    /// elements, and nothing else may be alive. A leak or a double drop
    /// shows here, at the step that caused it.
    pub fn check(&self) {
        for (handle, id) in self.slots.iter().flatten() {
            let block = &self.blocks[*id];
            match handle {
                Handle::Strong(h) => {
                    assert_eq!(
                        ArcArrayBase::strong_count(h),
                        block.strong,
                        "strong count of {id}"
                    );
                    assert_eq!(
                        ArcArrayBase::weak_count(h),
                        block.weak,
                        "weak count of {id}"
                    );
                    check_contents(h.get_label(), h, block);
                }
                Handle::Weak(w) => {
                    assert_eq!(
                        w.strong_count(),
                        block.strong,
                        "weak's strong count of {id}"
                    );
                    let expected = if block.strong == 0 { 0 } else { block.weak };
                    assert_eq!(w.weak_count(), expected, "weak's weak count of {id}");
                }
                Handle::Unique(u) => {
                    check_contents(u.get_label(), u, block);
                    // Room for the elements at least; zero-sized ones need
                    // none, and have all the room there is.
                    if std::mem::size_of::<E>() == 0 {
                        assert_eq!(u.capacity(), usize::MAX, "capacity of {id}");
                    } else {
                        assert!(u.capacity() >= u.len(), "capacity of {id}");
                    }
                }
            }
        }
        let live = self.blocks.iter().filter_map(|b| b.contents.as_ref());
        let (mut values, mut canaries) = (0, 0);
        for (_, elems) in live {
            values += 1 + elems.len();
            canaries += L::CANARIES + E::CANARIES * elems.len();
        }
        assert!(!tally::underflowed(), "a payload value was dropped twice");
        assert_eq!(tally::live(), values as isize, "payload values alive");
        assert_eq!(self.ledger.live(), canaries, "canaries alive");
        // A block is allocated while any handle, strong or weak, holds it.
        let allocated = self.blocks.iter().filter(|b| b.strong > 0 || b.weak > 0);
        A::check(allocated.count());
    }

    /// Drops every handle; every value ever made must be dropped once.
    pub fn finish(mut self) {
        for slot in 0..POOL {
            if let Some((handle, id)) = self.slots[slot].take() {
                self.release(handle, id);
            }
        }
        self.ledger.assert_all_dropped();
        assert!(!tally::underflowed(), "a payload value was dropped twice");
        assert_eq!(tally::live(), 0, "payload values never dropped");
        A::check(0);
    }
}

/// A label and elements against the model's stored values.
fn check_contents<E: Payload, L: Payload>(label: &L, elems: &[E], block: &Block) {
    let (stored_label, values) = block.contents.as_ref().expect("a live block");
    assert_eq!(label.value(), *stored_label, "label");
    assert_eq!(
        elems.iter().map(E::value).collect::<Vec<_>>(),
        *values,
        "elements"
    );
    assert_aligned(label as *const L);
    assert_aligned(elems.as_ptr());
}

/// A pointer is aligned for its type (over-aligned types included).
fn assert_aligned<T>(p: *const T) {
    assert!(
        p.is_aligned(),
        "{} at {p:p} misaligned",
        std::any::type_name::<T>()
    );
}
