//! Issue 19 acceptance, migration 3: the same cache on one thread, a
//! `HashMap<String, Rc<[u8]>>` with a `std::rc::Weak<[u8]>` side table,
//! moved to `RcArray<u8>` / `WeakRcArray<u8>`.
//!
//! `original` is the std program, `migrated!` the same with the type names
//! changed (`Rc<[u8]>` -> `$Rc<u8>`, `Weak<[u8]>` -> `$Weak<u8>`), with
//! both import styles: one text, tests/common/cache_program.rs, shared
//! with tests/migrate_arc.rs; then an arena version and the differences
//! met.

#![cfg(not(any(loom, shuttle)))]

/// Small under Miri, which runs this file too.
const N: usize = if cfg!(miri) { 8 } else { 256 };

#[macro_use]
#[path = "common/cache_program.rs"]
mod cache_program;

/// The std program.
mod original {
    use std::rc::{Rc, Weak};
    cache_program!(Rc, Weak, Rc<[u8]>, Weak<[u8]>);
}

// The migrated programs: the same text (`cache_program!`) with the type
// names changed, with both import styles.
migrated! {
    rc_cache_glob_behaves_as_std: mod glob { use heaparray::*; } RcArray, WeakRcArray;
    rc_cache_explicit_behaves_as_std:
        mod explicit { use heaparray::{RcArray, WeakRcArray}; } RcArray, WeakRcArray;
}

/// A smaller run of the cache, for the arena: two buffers made by `$make`
/// (`$Buf`, weak `$WeakBuf`, the functions of `$Ptr`), a copy on write,
/// and the side table after the strong handles are gone. One text for the
/// std twin and the arena version; returns the log and the copy.
macro_rules! small_cache {
    ($n:expr, $Ptr:ident, $Buf:ty, $WeakBuf:ty, $make:expr) => {{
        use std::collections::HashMap;
        let mut log = Vec::new();
        let mut live: HashMap<String, $Buf> = HashMap::new();
        let mut seen: HashMap<String, $WeakBuf> = HashMap::new();
        for (key, bytes) in [
            ("a", vec![1u8, 2, 3, 4]),
            ("b", (0..$n).map(|i| i as u8).collect()),
        ] {
            let value: $Buf = $make(bytes);
            seen.insert(key.to_owned(), $Ptr::downgrade(&value));
            live.insert(key.to_owned(), value);
        }
        let a = $Ptr::clone(&live["a"]);
        let mut mine = $Ptr::clone(&a);
        $Ptr::make_mut(&mut mine)[0] = 100;
        log.push(format!(
            "a {:?} mine {:?} strong {} weak {}",
            &a[..],
            &mine[..],
            $Ptr::strong_count(&a),
            $Ptr::weak_count(&a)
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
        (log, mine)
    }};
}

/// The cache's buffers in an arena, on one thread: `RcArray<u8, (),
/// &Bump>`. MIGRATION: the allocator is the third parameter (after the
/// label), and `from(vec)` becomes `from_iter_in(vec, arena)`.
mod arena {
    use bumpalo::Bump;
    use heaparray::{RcArray, WeakRcArray};

    type Buf<'a> = RcArray<u8, (), &'a Bump>;

    pub fn run(n: usize) -> Vec<String> {
        let arena = Bump::new();
        let make = |bytes| -> Buf<'_> { RcArray::from_iter_in(bytes, &arena) };
        let (log, mine) = small_cache!(n, RcArray, Buf<'_>, WeakRcArray<u8, (), &Bump>, make);
        assert!(std::ptr::eq(*RcArray::allocator(&mine), &arena));
        log
    }
}

#[test]
fn rc_cache_in_an_arena() {
    // The std twin of this run: the same program over `Rc<[u8]>` (std's
    // `Rc<[u8], &Bump>` is nightly-only).
    use std::rc::{Rc, Weak};
    let (expected, _) = small_cache!(N, Rc, Rc<[u8]>, Weak<[u8]>, Rc::from);
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
