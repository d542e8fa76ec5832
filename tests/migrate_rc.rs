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
