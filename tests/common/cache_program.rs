//! The cache program of tests/migrate_arc.rs and tests/migrate_rc.rs,
//! written once: a `HashMap<String, Buf>` cache of byte buffers with a
//! side table of weak handles, which logs what it observes. The std
//! program (`Arc<[u8]>` with `std::sync::Weak<[u8]>`, or `Rc<[u8]>` with
//! `std::rc::Weak<[u8]>`) and the migrated ones (`ArcArray<u8>`,
//! `CompactArcArray<u8>`, `RcArray<u8>` and their weak handles) are this
//! one text with the type names given: that is the migration, and the
//! suites compare the transcripts.

/// The program, in the module it is expanded in: `$Ptr` and `$WeakPtr` are
/// the strong and weak handle types' names as the program calls their
/// functions (`Arc` and `Weak`, or `ArcArray` and `WeakArcArray`), `$Buf`
/// and `$WeakBuf` the buffer types (`Arc<[u8]>`, or `ArcArray<u8>`).
macro_rules! cache_program {
    ($Ptr:ident, $WeakPtr:ident, $Buf:ty, $WeakBuf:ty) => {
        use std::collections::{HashMap, HashSet};

        pub struct Cache {
            live: HashMap<String, $Buf>,
            seen: HashMap<String, $WeakBuf>,
        }

        impl Cache {
            pub fn new() -> Self {
                Cache {
                    live: HashMap::new(),
                    seen: HashMap::new(),
                }
            }

            pub fn insert(&mut self, key: &str, bytes: Vec<u8>) -> $Buf {
                let value: $Buf = $Ptr::from(bytes);
                self.seen.insert(key.to_owned(), $Ptr::downgrade(&value));
                self.live.insert(key.to_owned(), $Ptr::clone(&value));
                value
            }

            pub fn get(&self, key: &str) -> Option<$Buf> {
                match self.live.get(key) {
                    Some(v) => Some($Ptr::clone(v)),
                    None => self.seen.get(key).and_then($WeakPtr::upgrade),
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
                $Ptr::strong_count(&a),
                $Ptr::weak_count(&a)
            ));

            // Identity and equality.
            let a2 = cache.get("a").unwrap();
            let twin: $Buf = $Ptr::from(vec![1, 2, 3, 4]);
            log.push(format!(
                "ptr_eq(a, a2) {} a == a2 {} a == b {} twin == a {} ptr_eq(twin, a) {}",
                $Ptr::ptr_eq(&a, &a2),
                a == a2,
                a == b,
                twin == a,
                $Ptr::ptr_eq(&twin, &a)
            ));
            log.push(format!("a < b {} a.cmp(&twin) {:?}", a < b, a.cmp(&twin)));

            // Hashing: a set of buffers, looked up by a plain slice.
            let set: HashSet<$Buf> = [$Ptr::clone(&a), $Ptr::clone(&b), $Ptr::clone(&twin)]
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
            let mut mine = $Ptr::clone(&a);
            log.push(format!(
                "get_mut while shared {}",
                $Ptr::get_mut(&mut mine).is_some()
            ));
            $Ptr::make_mut(&mut mine)[0] = 100;
            log.push(format!(
                "after make_mut: mine {:?} a {:?} ptr_eq {} mine strong {}",
                &mine[..],
                &a[..],
                $Ptr::ptr_eq(&mine, &a),
                $Ptr::strong_count(&mine)
            ));
            if let Some(s) = $Ptr::get_mut(&mut mine) {
                s[1] = 200;
            }
            log.push(format!("after get_mut: mine {:?}", &mine[..]));

            // A raw round trip, as through an FFI callback's `void *`.
            let raw = $Ptr::into_raw($Ptr::clone(&b));
            log.push(format!("while raw: b strong {}", $Ptr::strong_count(&b)));
            // SAFETY: `raw` came from `into_raw` and is reclaimed once.
            let back = unsafe { $Ptr::from_raw(raw) };
            log.push(format!(
                "from_raw: ptr_eq {} strong {}",
                $Ptr::ptr_eq(&back, &b),
                $Ptr::strong_count(&b)
            ));
            drop(back);

            // Uniqueness. `Arc<[T]>` has no `try_unwrap`/`into_inner` ([T] is
            // unsized): the std program checks the count and copies out.
            let owned: Option<Vec<u8>> = if $Ptr::strong_count(&mine) == 1 {
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
                $Ptr::strong_count(&b),
                $Ptr::weak_count(&b)
            ));
            log
        }
    };
}

/// The migrated programs and their tests: for each line, a module `$m`
/// that imports the crate's handles as the line says (a glob or by name)
/// and holds the program over `$Ptr<u8>` and `$WeakPtr<u8>`, and a test
/// `$test` that compares its transcript with the std program's
/// (`original::run`, in the suite's root, as `N`).
macro_rules! migrated {
    ($($test:ident: mod $m:ident { $($import:tt)* } $Ptr:ident, $WeakPtr:ident;)*) => {$(
        mod $m {
            $($import)*
            cache_program!($Ptr, $WeakPtr, $Ptr<u8>, $WeakPtr<u8>);
        }

        #[test]
        fn $test() {
            assert_eq!($m::run(N), original::run(N));
        }
    )*};
}
