//! Issue 19 acceptance, migration 2: a `HashMap<String, Arc<[u8]>>` cache
//! with a `std::sync::Weak<[u8]>` side table, moved to `ArcArray<u8>` /
//! `WeakArcArray<u8>` (and `CompactArcArray` / `CompactWeakArcArray`).
//!
//! `original` is the program as written against std. `migrated!` is the
//! same program with the type names changed (`Arc<[u8]>` -> `$Arc<u8>`,
//! `Weak<[u8]>` -> `$Weak<u8>`, `Arc::` -> `$Arc::`, `Weak::` -> `$Weak::`):
//! both are one text, tests/common/cache_program.rs, which names the types
//! it is given, so nothing else changes; every change beyond the names
//! (in the arena version) is marked `MIGRATION:` with the reason. It is
//! instantiated in both layouts and with both import styles, and an arena
//! version (`&bumpalo::Bump`, through the `_in` constructors) follows.
//! Each program returns a transcript of what it observed; the transcripts
//! must be equal.

#![cfg(not(any(loom, shuttle)))]

/// Small under Miri, which runs this file too.
const N: usize = if cfg!(miri) { 8 } else { 256 };

#[macro_use]
#[path = "common/cache_program.rs"]
mod cache_program;

/// The std program.
mod original {
    use std::sync::{Arc, Weak};
    cache_program!(Arc, Weak, Arc<[u8]>, Weak<[u8]>);
}

// The migrated programs: the same text (`cache_program!`) with the type
// names changed, in both layouts and with both import styles.
migrated! {
    cache_padded_glob_behaves_as_std:
        mod padded_glob { use heaparray::*; } ArcArray, WeakArcArray;
    cache_padded_explicit_behaves_as_std:
        mod padded_explicit { use heaparray::{ArcArray, WeakArcArray}; } ArcArray, WeakArcArray;
    cache_compact_glob_behaves_as_std:
        mod compact_glob { use heaparray::*; } CompactArcArray, CompactWeakArcArray;
    cache_compact_explicit_behaves_as_std:
        mod compact_explicit { use heaparray::{CompactArcArray, CompactWeakArcArray}; }
        CompactArcArray, CompactWeakArcArray;
}

/// The same cache with its buffers in an arena. Std's `Arc<[T], A>` is
/// nightly-only, so this has no std twin to diff against: the transcript is
/// compared with the std program's instead.
///
/// MIGRATION (more than a type name): the allocator is the *third*
/// parameter, after the label: `ArcArray<u8, (), &Bump>`, where std's
/// nightly type is `Arc<[u8], &Bump>`. Writing `ArcArray<u8, &'a Bump>` (as
/// one would from std) compiles as "label `&Bump`, global allocator" and
/// fails only at the constructor: `error[E0308]: mismatched types ...
/// expected struct ArcArrayBase<_, &Bump, _, heaparray::Global>`. And every
/// constructor changes: `ArcArray::from(vec)` has no `_in` form, so it is
/// `ArcArray::from_iter_in(vec, arena)`.
mod arena {
    use bumpalo::Bump;
    use heaparray::*;
    use std::collections::{HashMap, HashSet};

    type Buf<'a> = ArcArray<u8, (), &'a Bump>;
    type WeakBuf<'a> = WeakArcArray<u8, (), &'a Bump>;

    pub struct Cache<'a> {
        arena: &'a Bump,
        live: HashMap<String, Buf<'a>>,
        seen: HashMap<String, WeakBuf<'a>>,
    }

    impl<'a> Cache<'a> {
        pub fn new(arena: &'a Bump) -> Self {
            Cache {
                arena,
                live: HashMap::new(),
                seen: HashMap::new(),
            }
        }

        pub fn insert(&mut self, key: &str, bytes: Vec<u8>) -> Buf<'a> {
            let value: Buf<'a> = ArcArray::from_iter_in(bytes, self.arena);
            self.seen
                .insert(key.to_owned(), ArcArray::downgrade(&value));
            self.live.insert(key.to_owned(), ArcArray::clone(&value));
            value
        }

        pub fn get(&self, key: &str) -> Option<Buf<'a>> {
            match self.live.get(key) {
                Some(v) => Some(ArcArray::clone(v)),
                None => self.seen.get(key).and_then(WeakArcArray::upgrade),
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
        let arena = Bump::new();
        let mut log = Vec::new();
        let mut cache = Cache::new(&arena);
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
            ArcArray::strong_count(&a),
            ArcArray::weak_count(&a)
        ));

        let a2 = cache.get("a").unwrap();
        let twin: Buf<'_> = ArcArray::from_iter_in(vec![1, 2, 3, 4], &arena);
        log.push(format!(
            "ptr_eq(a, a2) {} a == a2 {} a == b {} twin == a {} ptr_eq(twin, a) {}",
            ArcArray::ptr_eq(&a, &a2),
            a == a2,
            a == b,
            twin == a,
            ArcArray::ptr_eq(&twin, &a)
        ));
        log.push(format!("a < b {} a.cmp(&twin) {:?}", a < b, a.cmp(&twin)));

        let set: HashSet<Buf<'_>> = [
            ArcArray::clone(&a),
            ArcArray::clone(&b),
            ArcArray::clone(&twin),
        ]
        .into_iter()
        .collect();
        log.push(format!(
            "set: len {} has [1,2,3,4] {} has [9] {}",
            set.len(),
            set.contains(&[1u8, 2, 3, 4][..]),
            set.contains(&[9u8][..])
        ));
        drop(set);

        let mut mine = ArcArray::clone(&a);
        log.push(format!(
            "get_mut while shared {}",
            ArcArray::get_mut(&mut mine).is_some()
        ));
        // The copy comes from a clone of the allocator: the same arena.
        ArcArray::make_mut(&mut mine)[0] = 100;
        log.push(format!(
            "after make_mut: mine {:?} a {:?} ptr_eq {} mine strong {}",
            &mine[..],
            &a[..],
            ArcArray::ptr_eq(&mine, &a),
            ArcArray::strong_count(&mine)
        ));
        if let Some(s) = ArcArray::get_mut(&mut mine) {
            s[1] = 200;
        }
        log.push(format!("after get_mut: mine {:?}", &mine[..]));

        let raw = ArcArray::into_raw(ArcArray::clone(&b));
        log.push(format!(
            "while raw: b strong {}",
            ArcArray::strong_count(&b)
        ));
        // SAFETY: `raw` came from `into_raw` of this very type (allocator
        // included) and is reclaimed once.
        let back: Buf<'_> = unsafe { ArcArray::from_raw(raw) };
        log.push(format!(
            "from_raw: ptr_eq {} strong {}",
            ArcArray::ptr_eq(&back, &b),
            ArcArray::strong_count(&b)
        ));
        drop(back);

        let owned: Option<Vec<u8>> = if ArcArray::strong_count(&mine) == 1 {
            Some(mine.to_vec())
        } else {
            None
        };
        log.push(format!("owned copy {owned:?}"));
        assert!(std::ptr::eq(*ArcArray::allocator(&mine), &arena));

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
            ArcArray::strong_count(&b),
            ArcArray::weak_count(&b)
        ));
        log
    }
}

#[test]
fn cache_in_an_arena_behaves_as_std() {
    assert_eq!(arena::run(N), original::run(N));
}

/// What std's `Arc<[u8]>` cannot do, and the places where the migrated
/// program had (or would have) to change more than a type name.
mod differences {
    use heaparray::*;
    use std::sync::Arc;

    /// `Arc<[T]>` has no `try_unwrap`/`into_inner` (`[T]` is unsized); the
    /// handles have them as `try_unique`/`into_unique` (doc-aliased, so
    /// rustdoc's search finds `try_unwrap`; rustc does not: `ArcArray::
    /// try_unwrap(a)` is `error[E0599]: no function or associated item
    /// named try_unwrap found for struct ArcArrayBase<_, _, Padded, _>`
    /// with no "similar name" hint, and `into_inner` is even pointed at
    /// `into_iter`).
    #[test]
    fn try_unique_where_std_has_none() {
        let a = ArcArray::from(vec![1u8, 2, 3]);
        let b = ArcArray::clone(&a);
        let a = ArcArray::try_unique(a).unwrap_err();
        drop(b);
        let mut u = ArcArray::try_unique(a).unwrap();
        u[0] = 9;
        // API GAP: there is no way from a `UniqueArcArray` to a `Vec<u8>`
        // without a copy (`Vec::from(u)`: E0277 `Vec<u8>: From<UniqueArc
        // ArrayBase<..>>` is not satisfied; `HeapArray::from(u)` likewise;
        // `u.into_iter()` iterates by reference). `to_vec()` copies.
        let v: Vec<u8> = u.to_vec();
        assert_eq!(v, [9, 2, 3]);

        let c = CompactArcArray::from(vec![4u8]);
        let c2 = CompactArcArray::clone(&c);
        assert!(CompactArcArray::into_unique(c).is_none());
        assert_eq!(&*CompactArcArray::into_unique(c2).unwrap(), &[4]);
    }

    /// `into_raw` is thin: `*const u8`, where std gives `*const [u8]`.
    /// Code that names the pointer type, or reads the length from it,
    /// changes: `let raw: *const [u8] = ArcArray::into_raw(a);` is
    /// `error[E0308]: mismatched types` (plus E0277 "the size for values of
    /// type [u8] cannot be known"). The length must travel beside it.
    #[test]
    fn into_raw_is_thin() {
        let s: Arc<[u8]> = Arc::from(vec![1, 2, 3]);
        let raw: *const [u8] = Arc::into_raw(s);
        assert_eq!(raw.len(), 3);
        // SAFETY: from `into_raw`, reclaimed once.
        drop(unsafe { Arc::from_raw(raw) });

        let a = ArcArray::from(vec![1u8, 2, 3]);
        let len = a.len();
        let raw: *const u8 = ArcArray::into_raw(a);
        // MIGRATION: std's `let back = unsafe { Arc::from_raw(raw) };`
        // infers everything from the pointer (`Arc::from_raw` is on
        // `impl<T> Arc<T>`, the global allocator only; `from_raw_in` takes
        // one). `ArcArray::from_raw` is generic over the label and the
        // allocator, whose defaults do not take part in inference: `let
        // back = unsafe { ArcArray::from_raw(raw) }; back.len()` is
        // `error[E0283]: type annotations needed for ArcArrayBase<u8, _,
        // Padded, _>` ("cannot satisfy `_: heaparray::Allocator`"). It
        // compiles once `back` meets a typed handle (as in `migrated!`,
        // through `ptr_eq(&back, &b)`) or is annotated:
        // SAFETY: from `into_raw`, reclaimed once.
        let back: ArcArray<u8> = unsafe { ArcArray::from_raw(raw) };
        assert_eq!(back.len(), len);
    }

    /// `{:?}` of an unlabelled array is the slice's, as `Arc<[u8]>`'s is:
    /// logs and snapshot tests that print a buffer keep their output. (The
    /// trial found a struct here first; unlabelled arrays now print, as
    /// they serialize, as their slice.) The weak handles print as std's
    /// `(Weak)` does, with their own name.
    #[test]
    fn debug_output_is_the_slices() {
        let s: Arc<[u8]> = Arc::from(vec![1, 2]);
        assert_eq!(format!("{s:?}"), "[1, 2]");
        let a = ArcArray::from(vec![1u8, 2]);
        assert_eq!(format!("{a:?}"), format!("{s:?}"));
        let c = CompactArcArray::from(vec![1u8, 2]);
        assert_eq!(format!("{c:#?}"), format!("{s:#?}"));
        assert_eq!(format!("{:?}", Arc::downgrade(&s)), "(Weak)");
        assert_eq!(format!("{:?}", ArcArray::downgrade(&a)), "(WeakArcArray)");
    }

    /// `Arc::new(vec)` is not `ArcArray::new(vec)`: `new` takes a length
    /// and a closure. `error[E0061]: this function takes 2 arguments but 1
    /// argument was supplied` with the help "provide the argument:
    /// `ArcArray::new(/* usize */, vec![..])`", which leads away from the
    /// fix, `ArcArray::from(vec)`.
    #[test]
    fn new_is_from_a_closure() {
        let a: ArcArray<u8> = ArcArray::from(vec![0, 1, 2]);
        let b: ArcArray<u8> = ArcArray::new(3, |i| i as u8);
        assert_eq!(a, b);
    }

    /// Fine: the auto traits and the std conversions a cache relies on.
    #[test]
    fn same_traits_as_arc_slice() {
        fn traits<T: Send + Sync + Unpin + std::panic::UnwindSafe + std::panic::RefUnwindSafe>() {}
        traits::<Arc<[u8]>>();
        traits::<ArcArray<u8>>();
        traits::<CompactArcArray<u8>>();
        traits::<WeakArcArray<u8>>();
        traits::<CompactWeakArcArray<u8>>();
        let from_slice: ArcArray<u8> = ArcArray::from(&b"abc"[..]);
        let from_array: ArcArray<u8> = ArcArray::from(*b"abc");
        let from_box: ArcArray<u8> = ArcArray::from(b"abc".to_vec().into_boxed_slice());
        let collected: ArcArray<u8> = b"abc".iter().copied().collect();
        assert!(from_slice == from_array && from_box == collected);
        let empty: ArcArray<u8> = ArcArray::default();
        assert!(empty.is_empty());
        let w: WeakArcArray<u8> = WeakArcArray::new();
        assert!(w.upgrade().is_none());
    }
}
