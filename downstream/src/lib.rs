//! A lookup table shared between threads as immutable snapshots: the
//! kind of small library a user builds on `heaparray::ArcArray`.
//!
//! A [`Table`] is one heap block (a name and the entries) behind a
//! one-word handle; cloning it for another thread is one atomic increment.
//! Writing through [`Table::set`] is copy-on-write: a reader that holds a
//! snapshot keeps seeing it unchanged. A [`Watcher`] observes a table
//! without keeping its entries alive.
//!
//! This crate has no `cfg(loom)` or `cfg(shuttle)` code: under
//! `RUSTFLAGS="--cfg loom"` heaparray's atomics and allocator are loom's
//! by themselves, so the models in `tests/` see every count operation of
//! the tables they build.
//!
//! ```
//! use snapshot_table::Table;
//!
//! let mut prices = Table::build("prices", 4, |i| 100 + i as u64);
//! let reader = prices.clone();
//! let t = std::thread::spawn(move || reader.get(2).copied());
//! prices.set(2, 7); // the reader's snapshot is not touched
//! assert_eq!(t.join().unwrap(), Some(102));
//! assert_eq!(prices.get(2), Some(&7));
//! ```

use heaparray::{ArcArray, WeakArcArray};

/// A named table of entries, shared by cloning (see the crate docs).
pub struct Table<V> {
    block: ArcArray<V, &'static str>,
}

impl<V> Clone for Table<V> {
    fn clone(&self) -> Self {
        Table {
            block: self.block.clone(),
        }
    }
}

impl<V> Table<V> {
    /// A table of `len` entries, entry `i` being `entry(i)`, built in place.
    pub fn build(name: &'static str, len: usize, mut entry: impl FnMut(usize) -> V) -> Self {
        Table {
            block: ArcArray::with_label(name, len, |_, i| entry(i)),
        }
    }

    /// The table's name.
    pub fn name(&self) -> &'static str {
        self.block.get_label()
    }

    /// The entry for `key`, if the table has one.
    pub fn get(&self, key: usize) -> Option<&V> {
        self.block.get(key)
    }

    /// Every entry, in key order.
    pub fn entries(&self) -> &[V] {
        &self.block
    }

    /// How many handles share this snapshot (a snapshot of that count).
    pub fn readers(&self) -> usize {
        ArcArray::strong_count(&self.block)
    }

    /// Whether two tables are the same snapshot.
    pub fn same_snapshot(&self, other: &Self) -> bool {
        ArcArray::ptr_eq(&self.block, &other.block)
    }

    /// A watcher of this snapshot, which does not keep its entries alive.
    pub fn watch(&self) -> Watcher<V> {
        Watcher {
            block: ArcArray::downgrade(&self.block),
        }
    }
}

impl<V: Clone> Table<V> {
    /// Sets the entry for `key` (which must exist): in place if this is
    /// the only handle to the snapshot, else in a copy that only `self`
    /// sees from now on. Watchers of the old snapshot stop seeing `self`.
    ///
    /// # Panics
    ///
    /// If `key` is out of range.
    pub fn set(&mut self, key: usize, value: V) {
        ArcArray::make_mut(&mut self.block)[key] = value;
    }
}

/// Observes a table without keeping its entries alive (a weak handle).
pub struct Watcher<V> {
    block: WeakArcArray<V, &'static str>,
}

impl<V> Clone for Watcher<V> {
    fn clone(&self) -> Self {
        Watcher {
            block: self.block.clone(),
        }
    }
}

impl<V> Watcher<V> {
    /// The snapshot, if some table still holds it.
    pub fn current(&self) -> Option<Table<V>> {
        self.block.upgrade().map(|block| Table { block })
    }
}

#[cfg(all(test, not(any(loom, shuttle))))]
mod tests {
    use super::*;

    #[test]
    fn set_is_copy_on_write() {
        let mut a = Table::build("t", 3, |i| i);
        let b = a.clone();
        a.set(0, 9);
        assert_eq!((a.entries(), b.entries()), (&[9, 1, 2][..], &[0, 1, 2][..]));
        assert!(!a.same_snapshot(&b));
        assert_eq!((a.readers(), b.readers()), (1, 1));
    }

    #[test]
    fn watcher_sees_a_live_snapshot_only() {
        let a = Table::build("t", 2, |i| i);
        let w = a.watch();
        assert_eq!(w.current().unwrap().name(), "t");
        drop(a);
        assert!(w.current().is_none());
    }
}
