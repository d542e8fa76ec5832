//! The handle state machine shared by the property test (tests/model_ops.rs)
//! and the fuzz target: a pool of strong, weak and unique handles, a plain
//! model of what each block must hold (strong and weak counts, contents,
//! whether it is still alive), operations on both, and a check of the real
//! handles against the model after every step.
#![allow(dead_code)]

use std::sync::Arc;

use heaparray::{ArcArray, UniqueArcArray, WeakArcArray};

use super::common::{catch_expected, Canary, Ledger};

/// An element: a value, plus a canary so that every element made is
/// checked to be dropped exactly once.
pub struct Elem {
    pub value: u32,
    canary: Canary,
}

impl Clone for Elem {
    fn clone(&self) -> Self {
        Elem {
            value: self.value,
            canary: self.canary.clone(),
        }
    }
}

/// The label: a value and a canary.
#[derive(Clone)]
pub struct Label {
    pub value: u32,
    canary: Canary,
}

type Strong = ArcArray<Elem, Label>;
type Weak = WeakArcArray<Elem, Label>;
type Unique = UniqueArcArray<Elem, Label>;

/// One slot of the pool.
enum Handle {
    Strong(Strong),
    Weak(Weak),
    Unique(Unique),
}

/// What the model knows of a block.
#[derive(Clone, Debug)]
struct Block {
    strong: usize,
    weak: usize,
    /// `None` once the contents were dropped or moved away.
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
}

pub const POOL: usize = 6;

/// The pool, the model and the ledger of every value made.
pub struct Machine {
    ledger: Arc<Ledger>,
    slots: Vec<Option<(Handle, usize)>>,
    blocks: Vec<Block>,
}

impl Default for Machine {
    fn default() -> Self {
        Machine {
            ledger: Ledger::new(),
            slots: (0..POOL).map(|_| None).collect(),
            blocks: Vec::new(),
        }
    }
}

impl Machine {
    fn elem(&self, value: u32) -> Elem {
        Elem {
            value,
            canary: self.ledger.canary(),
        }
    }

    fn label(&self, value: u32) -> Label {
        Label {
            value,
            canary: self.ledger.canary(),
        }
    }

    /// Puts a new strong handle of a new model block in the first free slot
    /// (or drops it when the pool is full).
    fn add_block(&mut self, handle: Handle, contents: (u32, Vec<u32>), strong: usize) {
        let id = self.blocks.len();
        self.blocks.push(Block {
            strong,
            weak: 0,
            contents: Some(contents),
        });
        self.put(handle, id);
    }

    fn put(&mut self, handle: Handle, id: usize) {
        match self.slots.iter_mut().find(|s| s.is_none()) {
            Some(slot) => *slot = Some((handle, id)),
            None => self.release(handle, id),
        }
    }

    /// Drops a handle and updates the model as its drop must.
    fn release(&mut self, handle: Handle, id: usize) {
        let block = &mut self.blocks[id];
        match handle {
            Handle::Strong(h) => {
                drop(h);
                block.strong -= 1;
                if block.strong == 0 {
                    block.contents = None;
                }
            }
            Handle::Weak(w) => {
                drop(w);
                block.weak -= 1;
            }
            Handle::Unique(u) => {
                drop(u);
                block.strong = 0;
                block.contents = None;
            }
        }
    }

    fn take(&mut self, slot: u8) -> Option<(Handle, usize)> {
        self.slots[slot as usize % POOL].take()
    }

    /// Takes the slot's handle if `kind` accepts it; leaves anything else.
    fn take_as<T>(
        &mut self,
        slot: u8,
        kind: fn(Handle) -> Result<T, Handle>,
    ) -> Option<(T, usize)> {
        let i = slot as usize % POOL;
        let (handle, id) = self.slots[i].take()?;
        match kind(handle) {
            Ok(taken) => Some((taken, id)),
            Err(handle) => {
                self.slots[i] = Some((handle, id));
                None
            }
        }
    }

    fn take_strong(&mut self, slot: u8) -> Option<(Strong, usize)> {
        self.take_as(slot, |h| {
            if let Handle::Strong(s) = h {
                Ok(s)
            } else {
                Err(h)
            }
        })
    }

    fn take_weak(&mut self, slot: u8) -> Option<(Weak, usize)> {
        self.take_as(slot, |h| {
            if let Handle::Weak(w) = h {
                Ok(w)
            } else {
                Err(h)
            }
        })
    }

    fn take_unique(&mut self, slot: u8) -> Option<(Unique, usize)> {
        self.take_as(slot, |h| {
            if let Handle::Unique(u) = h {
                Ok(u)
            } else {
                Err(h)
            }
        })
    }

    /// The model after `make_mut` returned for a handle of block `id`
    /// (which was `before`): in place when it was the only handle of any
    /// kind, otherwise a new block (cloned, or moved away from weak ones).
    fn made_mut(&mut self, h: Strong, id: usize, before: Block, contents: (u32, Vec<u32>)) {
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

    /// Applies one operation to the real handles and to the model.
    pub fn apply(&mut self, op: &Op) {
        match *op {
            Op::New { len, label } => {
                let values: Vec<u32> = (0..len as u32).map(|i| i * 3).collect();
                let h = Strong::with_label(self.label(label), len as usize, |_, i| {
                    self.elem(values[i])
                });
                self.add_block(Handle::Strong(h), (label, values), 1);
            }
            Op::Collect { len, exact } => {
                let elems: Vec<Elem> = (0..len as u32).map(|v| self.elem(v)).collect();
                let a: ArcArray<Elem> = if exact {
                    elems.into_iter().collect()
                } else {
                    elems.into_iter().filter(|_| true).collect()
                };
                assert_eq!(a.len(), len as usize);
                assert!(a.iter().enumerate().all(|(i, e)| e.value == i as u32));
            }
            Op::CollectLying {
                real,
                hint_low,
                hint_high,
            } => {
                let items: Vec<Elem> = (0..real as u32).map(|v| self.elem(v)).collect();
                let lying = Lying {
                    items: items.into_iter(),
                    hint: (hint_low as usize, hint_high.map(usize::from)),
                };
                let a: ArcArray<Elem> = lying.collect();
                assert_eq!(
                    a.len(),
                    real as usize,
                    "a lying size_hint changed the contents"
                );
                assert!(a.iter().enumerate().all(|(i, e)| e.value == i as u32));
            }
            Op::Clone(slot) => {
                if let Some((h, id)) = self.take_strong(slot) {
                    let c = h.clone();
                    self.blocks[id].strong += 1;
                    self.put(Handle::Strong(h), id);
                    self.put(Handle::Strong(c), id);
                }
            }
            Op::Drop(slot) => {
                if let Some((handle, id)) = self.take(slot) {
                    self.release(handle, id);
                }
            }
            Op::Downgrade(slot) => {
                if let Some((h, id)) = self.take_strong(slot) {
                    let w = ArcArray::downgrade(&h);
                    self.blocks[id].weak += 1;
                    self.put(Handle::Strong(h), id);
                    self.put(Handle::Weak(w), id);
                } else if let Some((w, id)) = self.take_weak(slot) {
                    // A weak clone.
                    let w2 = w.clone();
                    self.blocks[id].weak += 1;
                    self.put(Handle::Weak(w), id);
                    self.put(Handle::Weak(w2), id);
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
                    match ArcArray::get_mut(&mut h) {
                        Some(elems) => {
                            assert!(alone, "get_mut while shared: {block:?}");
                            if let Some(e) = elems.get_mut(index as usize) {
                                e.value = value;
                                block.contents.as_mut().unwrap().1[index as usize] = value;
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
                    let elems = ArcArray::make_mut(&mut h);
                    let mut contents = before.contents.clone().unwrap();
                    if let Some(e) = elems.get_mut(index as usize) {
                        e.value = value;
                        contents.1[index as usize] = value;
                    }
                    self.made_mut(h, id, before, contents);
                }
            }
            Op::MakeMutPanicking { slot, after } => {
                if let Some((mut h, id)) = self.take_strong(slot) {
                    let shared = self.blocks[id].strong > 1;
                    let len = h.len();
                    self.ledger.panic_on_clone(after as usize % (len + 2));
                    let result = catch_expected(|| {
                        ArcArray::make_mut(&mut h);
                    });
                    self.ledger.panic_on_clone(usize::MAX);
                    match result {
                        Err(_) => {
                            assert!(shared, "only a copy clones");
                            self.put(Handle::Strong(h), id);
                        }
                        Ok(()) => {
                            // No clone reached the panic: as MakeMut.
                            let before = self.blocks[id].clone();
                            let contents = before.contents.clone().unwrap();
                            self.made_mut(h, id, before, contents);
                        }
                    }
                }
            }
            Op::TryUnique(slot) => {
                if let Some((h, id)) = self.take_strong(slot) {
                    let before = self.blocks[id].clone();
                    match ArcArray::try_unique(h) {
                        Ok(u) => {
                            assert_eq!(before.strong, 1, "try_unique while shared");
                            self.become_unique(u, id, before);
                        }
                        Err(h) => {
                            assert!(before.strong > 1, "try_unique refused the only handle");
                            self.put(Handle::Strong(h), id);
                        }
                    }
                }
            }
            Op::IntoUnique(slot) => {
                if let Some((h, id)) = self.take_strong(slot) {
                    let before = self.blocks[id].clone();
                    match ArcArray::into_unique(h) {
                        Some(u) => {
                            assert_eq!(before.strong, 1, "into_unique while shared");
                            self.become_unique(u, id, before);
                        }
                        None => {
                            assert!(before.strong > 1, "into_unique refused the last handle");
                            self.blocks[id].strong -= 1;
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
                    if let Some(e) = u.get_mut(index as usize) {
                        e.value = value;
                        self.blocks[id].contents.as_mut().unwrap().1[index as usize] = value;
                    }
                    let label = self.label(value);
                    *u.get_label_mut() = label;
                    self.blocks[id].contents.as_mut().unwrap().0 = value;
                    self.put(Handle::Unique(u), id);
                }
            }
            Op::RawRoundTrip(slot) => {
                if let Some((h, id)) = self.take_strong(slot) {
                    let p = ArcArray::into_raw(h);
                    // SAFETY: from `into_raw` of this type, rebuilt once.
                    let h = unsafe { Strong::from_raw(p) };
                    assert_eq!(ArcArray::as_ptr(&h), p);
                    self.put(Handle::Strong(h), id);
                }
            }
        }
        self.check();
    }

    /// The model after a successful `try_unique` / `into_unique`: in place
    /// if no weak handle exists, else a new block and a dead old one.
    fn become_unique(&mut self, u: Unique, id: usize, before: Block) {
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

    /// Every handle against the model.
    pub fn check(&self) {
        for (handle, id) in self.slots.iter().flatten() {
            let block = &self.blocks[*id];
            match handle {
                Handle::Strong(h) => {
                    assert_eq!(
                        ArcArray::strong_count(h),
                        block.strong,
                        "strong count of {id}"
                    );
                    assert_eq!(ArcArray::weak_count(h), block.weak, "weak count of {id}");
                    let (label, values) = block.contents.as_ref().expect("a live block");
                    assert_eq!(h.get_label().value, *label);
                    assert_eq!(h.iter().map(|e| e.value).collect::<Vec<_>>(), *values);
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
                    let (label, values) = block.contents.as_ref().expect("a live block");
                    assert_eq!(u.get_label().value, *label);
                    assert_eq!(u.iter().map(|e| e.value).collect::<Vec<_>>(), *values);
                }
            }
        }
    }

    /// Drops every handle; every value ever made must be dropped once.
    pub fn finish(mut self) {
        for slot in 0..POOL {
            if let Some((handle, id)) = self.slots[slot].take() {
                self.release(handle, id);
            }
        }
        self.ledger.assert_all_dropped();
    }
}

/// An iterator whose `size_hint` is whatever it was told.
struct Lying {
    items: std::vec::IntoIter<Elem>,
    hint: (usize, Option<usize>),
}

impl Iterator for Lying {
    type Item = Elem;
    fn next(&mut self) -> Option<Elem> {
        self.items.next()
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.hint
    }
}
