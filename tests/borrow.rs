//! `ArcArrayBorrow` and `CompactArcArrayBorrow`: one word, `Copy`, no count
//! touched; `clone_arc` makes an owner. The peers' bugs come first, with
//! elements and labels that own heap memory, so that Miri (both borrow
//! models) sees every access: triomphe#65 (a borrow without provenance over
//! the counts made `clone_arc` UB), triomphe#66 (a borrow `Send` with only
//! `T: Sync`; the compile-fail half is a doctest on `ArcArrayBorrow`),
//! rowan#108/#163 (a drop that reached the counts through a frozen
//! reference under Tree Borrows).
#![cfg(not(any(loom, shuttle)))]

use std::mem::size_of;

use heaparray::*;

type Node<P> = ArcArrayBase<String, Box<str>, P, Global>;

fn node<P: ArcLayout>(kind: &str, n: usize) -> Node<P> {
    ArcArrayBase::with_label(kind.into(), n, |_, i| format!("child {i}"))
}

/// Runs each test body once per layout (`name` on `Padded`, `name_compact`
/// on `Compact`).
macro_rules! common_tests {
    ($($(#[$doc:meta])* $name:ident,)*) => {
        mod padded {
            $( $(#[$doc])* #[test] fn $name() { super::$name::<heaparray::Padded>() } )*
        }
        mod compact {
            $( $(#[$doc])* #[test] fn $name() { super::$name::<heaparray::Compact>() } )*
        }
    };
}

common_tests! {
    /// triomphe#65: a borrow rebuilt from a raw pointer (`as_ptr`, as a
    /// cursor stores it) clones to an owner, which outlives the original
    /// handle and is the one to drop the contents.
    clone_arc_from_a_raw_pointer_owns,
    /// rowan#108/#163: the last owner made by `clone_arc` drops the label and
    /// the elements and frees the block, with the counts reached through the
    /// block pointer, never through a shared reference to the contents.
    last_owner_from_clone_arc_drops_all,
    /// Copies touch no count; `get_label` and `as_slice` live for `'a`.
    copies_touch_no_count,
    /// `into_raw`'s pointer borrowed while that count is held, then given
    /// back.
    borrow_of_into_raw,
}

/// Borrows sent to scoped threads, in both layouts: each reads and clones
/// to an owner, which it drops there or hands back.
#[test]
fn borrows_cross_threads() {
    cross_threads::<Padded>();
    cross_threads::<Compact>();
}

fn clone_arc_from_a_raw_pointer_owns<P: ArcLayout>() {
    let a = node::<P>("branch", 3);
    let ptr = ArcArrayBase::as_ptr(&a);
    // SAFETY: from `as_ptr` of a `Node<P>`, and `a` outlives the borrow.
    let b = unsafe { ArcArrayBorrowBase::<String, Box<str>, P, Global>::from_raw(ptr) };
    let owned = b.clone_arc();
    assert_eq!(ArcArrayBase::strong_count(&a), 2);
    drop(a);
    assert_eq!(&**owned.get_label(), "branch");
    assert_eq!(owned[2], "child 2");
    assert_eq!(ArcArrayBase::strong_count(&owned), 1);
}

fn last_owner_from_clone_arc_drops_all<P: ArcLayout>() {
    let a = node::<P>("leaf", 2);
    let weak = ArcArrayBase::downgrade(&a);
    let owned = ArcArrayBase::borrow(&a).clone_arc();
    drop(a);
    drop(owned); // the last strong handle: drops the Strings, keeps the block
    assert!(weak.upgrade().is_none());
    drop(weak); // frees the block
}

fn copies_touch_no_count<P: ArcLayout>() {
    let a = node::<P>("kind", 2);
    assert_eq!(
        size_of::<ArcArrayBorrowBase<'_, String, Box<str>, P, Global>>(),
        size_of::<usize>()
    );
    assert_eq!(
        size_of::<Option<ArcArrayBorrowBase<'_, u8, (), P, Global>>>(),
        size_of::<usize>()
    );
    let b = ArcArrayBase::borrow(&a);
    let copies = [b; 4];
    assert_eq!(ArcArrayBase::strong_count(&a), 1);
    let label: &str = copies[3].get_label();
    let elems: &[String] = copies[1].as_slice();
    assert_eq!((label, elems.len()), ("kind", 2));
    assert!(copies.iter().all(|c| ArcArrayBorrowBase::ptr_eq(*c, b)));
    assert_eq!(ArcArrayBorrowBase::as_ptr(b), ArcArrayBase::as_ptr(&a));
    assert_eq!(&*b, &*a);
    assert_eq!(
        format!("{b:?}"),
        r#"ArcArrayBorrow { label: "kind", elements: ["child 0", "child 1"] }"#
    );
    let unlabelled = ArcArrayBase::<u8, (), P, Global>::from([1, 2]);
    assert_eq!(format!("{:?}", ArcArrayBase::borrow(&unlabelled)), "[1, 2]");
    let other = node::<P>("kind", 2);
    assert!(!ArcArrayBorrowBase::ptr_eq(b, ArcArrayBase::borrow(&other)));
}

fn borrow_of_into_raw<P: ArcLayout>() {
    let ptr = ArcArrayBase::into_raw(node::<P>("raw", 1));
    // SAFETY: from `into_raw` of a `Node<P>`, whose count is held until
    // `from_raw` below takes it back, after the borrow's last use.
    let b = unsafe { ArcArrayBorrowBase::<String, Box<str>, P, Global>::from_raw(ptr) };
    let owned = b.clone_arc();
    assert_eq!(&**owned.get_label(), "raw");
    // SAFETY: the pointer's count, given back once.
    let back = unsafe { Node::<P>::from_raw(ptr) };
    assert!(ArcArrayBase::ptr_eq(&back, &owned));
}

fn cross_threads<P: ArcLayout>() {
    let a = node::<P>("shared", 4);
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
