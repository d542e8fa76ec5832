//! Issue 19 acceptance, migration 3: the same cache on one thread, a
//! `HashMap<String, Rc<[u8]>>` with a `std::rc::Weak<[u8]>` side table,
//! moved to `RcArray<u8>` / `WeakRcArray<u8>`.
//!
//! `original` is the std program, `migrated!` the same with the type names
//! changed (`Rc<[u8]>` -> `$Rc<u8>`, `Weak<[u8]>` -> `$Weak<u8>`), with
//! both import styles; then an arena version and the differences met.

#![cfg(not(any(loom, shuttle)))]

/// Small under Miri, which runs this file too.
const N: usize = if cfg!(miri) { 8 } else { 256 };

mod original {
    use std::collections::{HashMap, HashSet};
    use std::rc::{Rc, Weak};

    pub struct Cache {
        live: HashMap<String, Rc<[u8]>>,
        seen: HashMap<String, Weak<[u8]>>,
    }

    impl Cache {
        pub fn new() -> Self {
            Cache {
                live: HashMap::new(),
                seen: HashMap::new(),
            }
        }

        pub fn insert(&mut self, key: &str, bytes: Vec<u8>) -> Rc<[u8]> {
            let value: Rc<[u8]> = Rc::from(bytes);
            self.seen.insert(key.to_owned(), Rc::downgrade(&value));
            self.live.insert(key.to_owned(), Rc::clone(&value));
            value
        }

        pub fn get(&self, key: &str) -> Option<Rc<[u8]>> {
            match self.live.get(key) {
                Some(v) => Some(Rc::clone(v)),
                None => self.seen.get(key).and_then(Weak::upgrade),
            }
        }

        /// Drops the cache's own strong handle; outside holders keep it.
        pub fn release(&mut self, key: &str) {
            self.live.remove(key);
        }

        /// Drops the side-table entries whose buffer is gone.
        pub fn evict(&mut self) -> Vec<String> {
            let mut gone: Vec<String> = self
                .seen
                .iter()
                .filter(|(_, w)| w.upgrade().is_none())
                .map(|(k, _)| k.clone())
                .collect();
            gone.sort();
            self.seen.retain(|_, w| w.strong_count() > 0);
            gone
        }

        pub fn keys(&self) -> Vec<String> {
            let mut k: Vec<String> = self.seen.keys().cloned().collect();
            k.sort();
            k
        }
    }

    pub fn run(n: usize) -> Vec<String> {
        let mut log = Vec::new();
        let mut cache = Cache::new();
        let a = cache.insert("a", vec![1, 2, 3, 4]);
        let b = cache.insert("b", (0..n).map(|i| i as u8).collect());
        let c = cache.insert("c", vec![]);

        // Reading: len, iter, indexing, slicing, get with a range.
        log.push(format!(
            "a: len {} sum {} a[0] {} a[1..3] {:?} get(1..3) {:?} get(9) {:?} last {:?}",
            a.len(),
            a.iter().map(|&x| u32::from(x)).sum::<u32>(),
            a[0],
            &a[1..3],
            a.get(1..3),
            a.get(9),
            a.last()
        ));
        log.push(format!("b: len {} c: empty {}", b.len(), c.is_empty()));
        log.push(format!(
            "counts a: strong {} weak {}",
            Rc::strong_count(&a),
            Rc::weak_count(&a)
        ));

        // Identity and equality.
        let a2 = cache.get("a").unwrap();
        let twin: Rc<[u8]> = Rc::from(vec![1, 2, 3, 4]);
        log.push(format!(
            "ptr_eq(a, a2) {} a == a2 {} a == b {} twin == a {} ptr_eq(twin, a) {}",
            Rc::ptr_eq(&a, &a2),
            a == a2,
            a == b,
            twin == a,
            Rc::ptr_eq(&twin, &a)
        ));
        log.push(format!("a < b {} a.cmp(&twin) {:?}", a < b, a.cmp(&twin)));

        // Hashing: a set of buffers, looked up by a plain slice.
        let set: HashSet<Rc<[u8]>> = [Rc::clone(&a), Rc::clone(&b), Rc::clone(&twin)]
            .into_iter()
            .collect();
        log.push(format!(
            "set: len {} has [1,2,3,4] {} has [9] {}",
            set.len(),
            set.contains(&[1u8, 2, 3, 4][..]),
            set.contains(&[9u8][..])
        ));
        drop(set);

        // Copy-on-write.
        let mut mine = Rc::clone(&a);
        log.push(format!(
            "get_mut while shared {}",
            Rc::get_mut(&mut mine).is_some()
        ));
        Rc::make_mut(&mut mine)[0] = 100;
        log.push(format!(
            "after make_mut: mine {:?} a {:?} ptr_eq {} mine strong {}",
            &mine[..],
            &a[..],
            Rc::ptr_eq(&mine, &a),
            Rc::strong_count(&mine)
        ));
        if let Some(s) = Rc::get_mut(&mut mine) {
            s[1] = 200;
        }
        log.push(format!("after get_mut: mine {:?}", &mine[..]));

        // A raw round trip, as through an FFI callback's `void *`.
        let raw = Rc::into_raw(Rc::clone(&b));
        log.push(format!("while raw: b strong {}", Rc::strong_count(&b)));
        // SAFETY: `raw` came from `Rc::into_raw` and is reclaimed once.
        let back = unsafe { Rc::from_raw(raw) };
        log.push(format!(
            "from_raw: ptr_eq {} strong {}",
            Rc::ptr_eq(&back, &b),
            Rc::strong_count(&b)
        ));
        drop(back);

        // Uniqueness. `Rc<[T]>` has no `try_unwrap`/`into_inner` ([T] is
        // unsized): the std program checks the count and copies out.
        let owned: Option<Vec<u8>> = if Rc::strong_count(&mine) == 1 {
            Some(mine.to_vec())
        } else {
            None
        };
        log.push(format!("owned copy {owned:?}"));

        // Eviction: "a" has outside holders, "c" does not.
        cache.release("a");
        cache.release("c");
        drop(c);
        log.push(format!(
            "evict 1: {:?} keys {:?}",
            cache.evict(),
            cache.keys()
        ));
        log.push(format!(
            "get a after release {:?}",
            cache.get("a").map(|v| v.len())
        ));
        drop((a, a2, twin));
        log.push(format!(
            "evict 2: {:?} keys {:?}",
            cache.evict(),
            cache.keys()
        ));
        log.push(format!("get a {:?}", cache.get("a").is_some()));
        log.push(format!(
            "b strong {} weak {}",
            Rc::strong_count(&b),
            Rc::weak_count(&b)
        ));
        log
    }
}

/// The migrated program: `original` with the type names changed.
macro_rules! migrated {
    ($Rc:ident, $Weak:ident) => {
        use std::collections::{HashMap, HashSet};

        pub struct Cache {
            live: HashMap<String, $Rc<u8>>,
            seen: HashMap<String, $Weak<u8>>,
        }

        impl Cache {
            pub fn new() -> Self {
                Cache {
                    live: HashMap::new(),
                    seen: HashMap::new(),
                }
            }

            pub fn insert(&mut self, key: &str, bytes: Vec<u8>) -> $Rc<u8> {
                let value: $Rc<u8> = $Rc::from(bytes);
                self.seen.insert(key.to_owned(), $Rc::downgrade(&value));
                self.live.insert(key.to_owned(), $Rc::clone(&value));
                value
            }

            pub fn get(&self, key: &str) -> Option<$Rc<u8>> {
                match self.live.get(key) {
                    Some(v) => Some($Rc::clone(v)),
                    None => self.seen.get(key).and_then($Weak::upgrade),
                }
            }

            pub fn release(&mut self, key: &str) {
                self.live.remove(key);
            }

            pub fn evict(&mut self) -> Vec<String> {
                let mut gone: Vec<String> = self
                    .seen
                    .iter()
                    .filter(|(_, w)| w.upgrade().is_none())
                    .map(|(k, _)| k.clone())
                    .collect();
                gone.sort();
                self.seen.retain(|_, w| w.strong_count() > 0);
                gone
            }

            pub fn keys(&self) -> Vec<String> {
                let mut k: Vec<String> = self.seen.keys().cloned().collect();
                k.sort();
                k
            }
        }

        pub fn run(n: usize) -> Vec<String> {
            let mut log = Vec::new();
            let mut cache = Cache::new();
            let a = cache.insert("a", vec![1, 2, 3, 4]);
            let b = cache.insert("b", (0..n).map(|i| i as u8).collect());
            let c = cache.insert("c", vec![]);

            log.push(format!(
                "a: len {} sum {} a[0] {} a[1..3] {:?} get(1..3) {:?} get(9) {:?} last {:?}",
                a.len(),
                a.iter().map(|&x| u32::from(x)).sum::<u32>(),
                a[0],
                &a[1..3],
                a.get(1..3),
                a.get(9),
                a.last()
            ));
            log.push(format!("b: len {} c: empty {}", b.len(), c.is_empty()));
            log.push(format!(
                "counts a: strong {} weak {}",
                $Rc::strong_count(&a),
                $Rc::weak_count(&a)
            ));

            let a2 = cache.get("a").unwrap();
            let twin: $Rc<u8> = $Rc::from(vec![1, 2, 3, 4]);
            log.push(format!(
                "ptr_eq(a, a2) {} a == a2 {} a == b {} twin == a {} ptr_eq(twin, a) {}",
                $Rc::ptr_eq(&a, &a2),
                a == a2,
                a == b,
                twin == a,
                $Rc::ptr_eq(&twin, &a)
            ));
            log.push(format!("a < b {} a.cmp(&twin) {:?}", a < b, a.cmp(&twin)));

            let set: HashSet<$Rc<u8>> = [$Rc::clone(&a), $Rc::clone(&b), $Rc::clone(&twin)]
                .into_iter()
                .collect();
            log.push(format!(
                "set: len {} has [1,2,3,4] {} has [9] {}",
                set.len(),
                set.contains(&[1u8, 2, 3, 4][..]),
                set.contains(&[9u8][..])
            ));
            drop(set);

            let mut mine = $Rc::clone(&a);
            log.push(format!(
                "get_mut while shared {}",
                $Rc::get_mut(&mut mine).is_some()
            ));
            $Rc::make_mut(&mut mine)[0] = 100;
            log.push(format!(
                "after make_mut: mine {:?} a {:?} ptr_eq {} mine strong {}",
                &mine[..],
                &a[..],
                $Rc::ptr_eq(&mine, &a),
                $Rc::strong_count(&mine)
            ));
            if let Some(s) = $Rc::get_mut(&mut mine) {
                s[1] = 200;
            }
            log.push(format!("after get_mut: mine {:?}", &mine[..]));

            let raw = $Rc::into_raw($Rc::clone(&b));
            log.push(format!("while raw: b strong {}", $Rc::strong_count(&b)));
            // SAFETY: `raw` came from `into_raw` and is reclaimed once.
            let back = unsafe { $Rc::from_raw(raw) };
            log.push(format!(
                "from_raw: ptr_eq {} strong {}",
                $Rc::ptr_eq(&back, &b),
                $Rc::strong_count(&b)
            ));
            drop(back);

            let owned: Option<Vec<u8>> = if $Rc::strong_count(&mine) == 1 {
                Some(mine.to_vec())
            } else {
                None
            };
            log.push(format!("owned copy {owned:?}"));

            cache.release("a");
            cache.release("c");
            drop(c);
            log.push(format!(
                "evict 1: {:?} keys {:?}",
                cache.evict(),
                cache.keys()
            ));
            log.push(format!(
                "get a after release {:?}",
                cache.get("a").map(|v| v.len())
            ));
            drop((a, a2, twin));
            log.push(format!(
                "evict 2: {:?} keys {:?}",
                cache.evict(),
                cache.keys()
            ));
            log.push(format!("get a {:?}", cache.get("a").is_some()));
            log.push(format!(
                "b strong {} weak {}",
                $Rc::strong_count(&b),
                $Rc::weak_count(&b)
            ));
            log
        }
    };
}

mod glob {
    use heaparray::*;
    migrated!(RcArray, WeakRcArray);
}

mod explicit {
    use heaparray::{RcArray, WeakRcArray};
    migrated!(RcArray, WeakRcArray);
}

#[test]
fn rc_cache_glob_behaves_as_std() {
    assert_eq!(glob::run(N), original::run(N));
}

#[test]
fn rc_cache_explicit_behaves_as_std() {
    assert_eq!(explicit::run(N), original::run(N));
}

/// The cache's buffers in an arena, on one thread: `RcArray<u8, (),
/// &Bump>`. MIGRATION: the allocator is the third parameter (after the
/// label), and `from(vec)` becomes `from_iter_in(vec, arena)`.
mod arena {
    use bumpalo::Bump;
    use heaparray::{RcArray, WeakRcArray};
    use std::collections::HashMap;

    type Buf<'a> = RcArray<u8, (), &'a Bump>;

    pub fn run(n: usize) -> Vec<String> {
        let arena = Bump::new();
        let mut log = Vec::new();
        let mut live: HashMap<String, Buf<'_>> = HashMap::new();
        let mut seen: HashMap<String, WeakRcArray<u8, (), &Bump>> = HashMap::new();
        for (key, bytes) in [
            ("a", vec![1u8, 2, 3, 4]),
            ("b", (0..n).map(|i| i as u8).collect()),
        ] {
            let value: Buf<'_> = RcArray::from_iter_in(bytes, &arena);
            seen.insert(key.to_owned(), RcArray::downgrade(&value));
            live.insert(key.to_owned(), value);
        }
        let a = RcArray::clone(&live["a"]);
        let mut mine = RcArray::clone(&a);
        RcArray::make_mut(&mut mine)[0] = 100;
        log.push(format!(
            "a {:?} mine {:?} strong {} weak {}",
            &a[..],
            &mine[..],
            RcArray::strong_count(&a),
            RcArray::weak_count(&a)
        ));
        live.clear();
        drop(a);
        let mut gone: Vec<&String> = seen
            .iter()
            .filter(|(_, w)| w.upgrade().is_none())
            .map(|(k, _)| k)
            .collect();
        gone.sort();
        log.push(format!("gone {gone:?}"));
        assert!(std::ptr::eq(*RcArray::allocator(&mine), &arena));
        log
    }
}

#[test]
fn rc_cache_in_an_arena() {
    // The std twin of this run, written out (std's `Rc<[u8], &Bump>` is
    // nightly-only).
    let expected = {
        use std::collections::HashMap;
        use std::rc::{Rc, Weak};
        let mut log = Vec::new();
        let mut live: HashMap<String, Rc<[u8]>> = HashMap::new();
        let mut seen: HashMap<String, Weak<[u8]>> = HashMap::new();
        for (key, bytes) in [
            ("a", vec![1u8, 2, 3, 4]),
            ("b", (0..N).map(|i| i as u8).collect()),
        ] {
            let value: Rc<[u8]> = Rc::from(bytes);
            seen.insert(key.to_owned(), Rc::downgrade(&value));
            live.insert(key.to_owned(), value);
        }
        let a = Rc::clone(&live["a"]);
        let mut mine = Rc::clone(&a);
        Rc::make_mut(&mut mine)[0] = 100;
        log.push(format!(
            "a {:?} mine {:?} strong {} weak {}",
            &a[..],
            &mine[..],
            Rc::strong_count(&a),
            Rc::weak_count(&a)
        ));
        live.clear();
        drop(a);
        let mut gone: Vec<&String> = seen
            .iter()
            .filter(|(_, w)| w.upgrade().is_none())
            .map(|(k, _)| k)
            .collect();
        gone.sort();
        log.push(format!("gone {gone:?}"));
        log
    };
    assert_eq!(arena::run(N), expected);
}

mod differences {
    use heaparray::*;
    use std::rc::Rc;

    /// `Rc<[T]>` has no `try_unwrap`; `RcArray::try_unique` gives a
    /// `HeapArray`, which (unlike `ArcArray`'s `UniqueArcArray`) has a way
    /// to a `Vec` without a copy: `into_parts`.
    /// INCONSISTENCY: `RcArray::try_unique(..).unwrap().into_parts().1` is a
    /// `Vec` with no copy; `ArcArray::try_unique(..)` returns a
    /// `UniqueArcArray`, which has neither `into_parts` nor a conversion to
    /// `HeapArray` or `Vec`.
    #[test]
    fn try_unique_to_vec() {
        let r = RcArray::from(vec![1u8, 2, 3]);
        let r2 = RcArray::clone(&r);
        let r = RcArray::try_unique(r).unwrap_err();
        drop(r2);
        let h: HeapArray<u8> = RcArray::try_unique(r).unwrap();
        let ((), v): ((), Vec<u8>) = h.into_parts();
        assert_eq!(v, [1, 2, 3]);

        let w = RcArray::from(vec![7u8]);
        assert_eq!(
            RcArray::into_unique(w).map(|h| h.into_parts().1),
            Some(vec![7])
        );
        assert_eq!(
            RcArray::unwrap_or_clone(RcArray::from(vec![8u8]))
                .into_parts()
                .1,
            [8]
        );
    }

    /// The weak handle's `from_raw`, as std's, and `Weak::new()`, which std
    /// has only for sized `T` (`rc::Weak::<[u8]>::new()` does not exist),
    /// so here heaparray has more.
    #[test]
    fn weak_raw_round_trip_and_new() {
        let r = RcArray::from(vec![1u8, 2]);
        let w = RcArray::downgrade(&r);
        let raw = w.into_raw();
        // SAFETY: from `WeakRcArray::into_raw`, reclaimed once.
        let w: WeakRcArray<u8> = unsafe { WeakRcArray::from_raw(raw) };
        assert!(RcArray::ptr_eq(&w.upgrade().unwrap(), &r));
        assert_eq!((w.strong_count(), w.weak_count()), (1, 1));
        let dangling: WeakRcArray<u8> = WeakRcArray::new();
        assert!(dangling.upgrade().is_none());

        let s: Rc<[u8]> = Rc::from(vec![1u8, 2]);
        let sw = Rc::downgrade(&s);
        assert_eq!((sw.strong_count(), sw.weak_count()), (1, 1));
    }

    /// As for `ArcArray`, `{:?}` of an unlabelled array prints the slice,
    /// as `Rc<[u8]>` does.
    #[test]
    fn debug_output_is_the_slices() {
        let s: Rc<[u8]> = Rc::from(vec![1u8]);
        let r = RcArray::from(vec![1u8]);
        assert_eq!(format!("{s:?}"), "[1]");
        assert_eq!(format!("{r:?}"), format!("{s:?}"));
        assert_eq!(format!("{:?}", RcArray::downgrade(&r)), "(WeakRcArray)");
    }
}
