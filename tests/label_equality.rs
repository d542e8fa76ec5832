//! Issue 19, item 6: `==`, `Ord` and `Hash` take the label, then the
//! elements, as a derived struct `{ label, elements }` does; with `L = ()`
//! they are the slice's, and `Borrow<[E]>` serves map lookups by `&[E]`.
#![cfg(not(any(loom, shuttle)))]

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeSet, HashSet};
use std::hash::{Hash, Hasher};

use heaparray::*;

fn hash_of<T: Hash + ?Sized>(t: &T) -> u64 {
    let mut h = DefaultHasher::new();
    t.hash(&mut h);
    h.finish()
}

macro_rules! every_handle {
    ($check:ident) => {
        $check!(HeapArray);
        $check!(RcArray);
        $check!(ArcArray);
        $check!(CompactArcArray);
        $check!(UniqueArcArray);
        $check!(CompactUniqueArcArray);
    };
}

#[test]
fn labels_that_differ_make_arrays_that_differ() {
    macro_rules! check {
        ($h:ident) => {{
            let dead = $h::with_label(0xdead_u32, 3, |_, i| i as u8);
            let beef = $h::with_label(0xbeef_u32, 3, |_, i| i as u8);
            let dead2 = $h::with_label(0xdead_u32, 3, |_, i| i as u8);
            assert_ne!(dead, beef, stringify!($h));
            assert_eq!(dead, dead2, stringify!($h));
            assert_eq!(&dead[..], &beef[..], stringify!($h));
            // Label first, then elements, as a derived struct orders.
            assert!(beef < dead, stringify!($h));
            let longer = $h::with_label(0xbeef_u32, 4, |_, i| i as u8);
            assert!(beef < longer && longer < dead, stringify!($h));
            assert_eq!(
                hash_of(&dead),
                hash_of(&(0xdead_u32, &[0u8, 1, 2][..])),
                stringify!($h)
            );
            assert_ne!(hash_of(&dead), hash_of(&beef), stringify!($h));
        }};
    }
    every_handle!(check);
}

#[test]
fn unlabelled_arrays_compare_and_hash_as_the_slice() {
    macro_rules! check {
        ($h:ident) => {{
            let a = $h::from(vec![3u8, 1, 2]);
            let b = $h::from(vec![3u8, 1, 2]);
            let c = $h::from(vec![3u8, 2]);
            assert_eq!(a, b, stringify!($h));
            assert_eq!(hash_of(&a), hash_of(&[3u8, 1, 2][..]), stringify!($h));
            assert_eq!(
                a.cmp(&c),
                [3u8, 1, 2][..].cmp(&[3u8, 2][..]),
                stringify!($h)
            );
            let set: HashSet<$h<u8>> = [a, c].into_iter().collect();
            assert!(set.contains(&[3u8, 1, 2][..]), stringify!($h));
            assert!(!set.contains(&[9u8][..]), stringify!($h));
        }};
    }
    every_handle!(check);
}

/// The client's bug: a node type that derives its comparisons, over an
/// array whose label holds the node's kind.
#[test]
fn a_derived_node_keeps_its_kinds_apart() {
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
    enum Kind {
        Call,
        Index,
    }
    #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
    struct Node {
        children: ArcArray<u32, Kind>,
    }
    let call = Node {
        children: ArcArray::with_label(Kind::Call, 2, |_, i| i as u32),
    };
    let index = Node {
        children: ArcArray::with_label(Kind::Index, 2, |_, i| i as u32),
    };
    assert_ne!(call, index);
    let set: HashSet<Node> = [call.clone(), index.clone(), call.clone()]
        .into_iter()
        .collect();
    assert_eq!(set.len(), 2);
    let ordered: BTreeSet<Node> = [index.clone(), call.clone()].into_iter().collect();
    assert_eq!(ordered.into_iter().collect::<Vec<_>>(), vec![call, index]);
}
