//! `ArcArrayBorrow`, `CompactArcArrayBorrow` and `RcArrayBorrow`: one word, `Copy`, no count
//! touched; `clone_arc` makes an owner. The peers' bugs come first, with
//! elements and labels that own heap memory, so that Miri (both borrow
//! models) sees every access: triomphe#65 (a borrow without provenance over
//! the counts made `clone_arc` UB), triomphe#66 (a borrow `Send` with only
//! `T: Sync`; the compile-fail half is a doctest on `ArcArrayBorrow`),
//! rowan#108/#163 (a drop that reached the counts through a frozen
//! reference under Tree Borrows). `RcArrayBorrow` runs the same tests.
#![cfg(not(any(loom, shuttle)))]

use std::mem::size_of;

use heaparray::*;

/// The same tests for each handle's borrow (`Owner<E, L>` and
/// `Borrowed<'a, E, L>` are the module's aliases), elements and labels
/// owning heap memory.
macro_rules! borrow_tests {
    ($($module:ident: $owner:ty, $borrowed:ty;)*) => {$(
        mod $module {
            use super::*;

            type Owner<E, L> = $owner;
            type Borrowed<'a, E, L> = $borrowed;
            type Node = Owner<String, Box<str>>;

            fn node(kind: &str, n: usize) -> Node {
                Node::with_label(kind.into(), n, |_, i| format!("child {i}"))
            }

            /// triomphe#65: a borrow rebuilt from a raw pointer (`as_ptr`,
            /// as a cursor stores it) clones to an owner, which outlives
            /// the original handle and drops the contents.
            #[test]
            fn clone_arc_from_a_raw_pointer_owns() {
                let a = node("branch", 3);
                let ptr = Node::as_ptr(&a);
                // SAFETY: from `as_ptr` of a `Node`; `a` outlives the borrow.
                let b = unsafe { Borrowed::<String, Box<str>>::from_raw(ptr) };
                let owned = b.clone_arc();
                assert_eq!(Node::strong_count(&a), 2);
                drop(a);
                assert_eq!(&**owned.get_label(), "branch");
                assert_eq!(owned[2], "child 2");
                assert_eq!(Node::strong_count(&owned), 1);
            }

            /// rowan#108/#163: the last owner made by `clone_arc` drops the
            /// label and the elements, then the weak handle frees the
            /// block, with the counts reached through the block pointer.
            #[test]
            fn last_owner_from_clone_arc_drops_all() {
                let a = node("leaf", 2);
                let weak = Node::downgrade(&a);
                let owned = Node::borrow(&a).clone_arc();
                drop(a);
                drop(owned);
                assert!(weak.upgrade().is_none());
                drop(weak);
            }

            /// Copies touch no count; `get_label` and `as_slice` live for
            /// `'a`; `Debug` as the owner's.
            #[test]
            fn copies_touch_no_count() {
                let a = node("kind", 2);
                assert_eq!(size_of::<Borrowed<'_, String, Box<str>>>(), size_of::<usize>());
                assert_eq!(size_of::<Option<Borrowed<'_, u8, ()>>>(), size_of::<usize>());
                let b = Node::borrow(&a);
                let copies = [b; 4];
                assert_eq!(Node::strong_count(&a), 1);
                let label: &str = copies[3].get_label();
                let elems: &[String] = copies[1].as_slice();
                assert_eq!((label, elems.len()), ("kind", 2));
                assert!(copies.iter().all(|c| Borrowed::ptr_eq(*c, b)));
                assert_eq!(Borrowed::as_ptr(b), Node::as_ptr(&a));
                assert_eq!(&*b, &*a);
                assert!(format!("{b:?}").ends_with(
                    r#"Borrow { label: "kind", elements: ["child 0", "child 1"] }"#
                ));
                let unlabelled = Owner::<u8, ()>::from([1, 2]);
                assert_eq!(format!("{:?}", Owner::borrow(&unlabelled)), "[1, 2]");
                let other = node("kind", 2);
                assert!(!Borrowed::ptr_eq(b, Node::borrow(&other)));
            }

            /// `into_raw`'s pointer borrowed while that count is held, then
            /// given back.
            #[test]
            fn borrow_of_into_raw() {
                let ptr = Node::into_raw(node("raw", 1));
                // SAFETY: from `into_raw` of a `Node`, whose count is held
                // until `from_raw` takes it back, after the borrow's last use.
                let b = unsafe { Borrowed::<String, Box<str>>::from_raw(ptr) };
                let owned = b.clone_arc();
                assert_eq!(&**owned.get_label(), "raw");
                // SAFETY: the pointer's count, given back once.
                let back = unsafe { Node::from_raw(ptr) };
                assert!(Node::ptr_eq(&back, &owned));
            }
        }
    )*};
}

borrow_tests! {
    padded: ArcArray<E, L>, ArcArrayBorrow<'a, E, L>;
    compact: CompactArcArray<E, L>, CompactArcArrayBorrow<'a, E, L>;
    rc: RcArray<E, L>, RcArrayBorrow<'a, E, L>;
}

/// Borrows sent to scoped threads, in both layouts: each reads and clones
/// to an owner, which it drops there or hands back.
#[test]
fn borrows_cross_threads() {
    cross_threads::<Padded>();
    cross_threads::<Compact>();
}

fn cross_threads<P: ArcLayout>() {
    type Node<P> = ArcArrayBase<String, Box<str>, P, Global>;
    let a: Node<P> = ArcArrayBase::with_label("shared".into(), 4, |_, i| format!("child {i}"));
    let b = ArcArrayBase::borrow(&a);
    let owners: Vec<Node<P>> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..2)
            .map(|t| {
                s.spawn(move || {
                    assert_eq!(b[t], format!("child {t}"));
                    let owned = b.clone_arc();
                    let kept = owned.clone();
                    drop(owned);
                    kept
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    assert_eq!(ArcArrayBase::strong_count(&a), 3);
    drop(a);
    assert!(owners.iter().all(|o| &**o.get_label() == "shared"));
}
