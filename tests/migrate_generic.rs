//! Issue 19 acceptance, migration 4: generic code over the handles, with a
//! checksum label (`L = u32`, the sum of the bytes).
//!
//! `original` is what std code does: a `struct Checked { sum, bytes }`
//! behind `Box`, `Arc` or `Rc`, generic through `Deref<Target = Checked>`.
//! The migrated code puts the sum in the label and is generic through
//! `heaparray::traits::*` (every handle, both layouts, any allocator, an
//! arena's included) and, for what the traits do not cover (counts,
//! `make_mut`, unique ownership), through `ArcArrayBase<E, L, P, A>` with
//! `P: ArcLayout`. Both produce the same transcript.

#![cfg(not(any(loom, shuttle)))]

const N: usize = if cfg!(miri) { 8 } else { 300 };

fn bytes(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7) as u8).collect()
}

fn checksum(bytes: &[u8]) -> u32 {
    bytes.iter().map(|&b| u32::from(b)).sum()
}

/// The transcript's line after a copy on write (`tag`: `arc` or `rc`).
fn copied(tag: &str, shared_ok: bool, mine_ok: bool) -> String {
    format!("{tag}: shared ok {shared_ok} mine ok {mine_ok}")
}

/// The transcript's line after the copy's checksum is repaired.
fn repaired(tag: &str, mine_ok: bool, strong: usize) -> String {
    format!("{tag}: mine repaired ok {mine_ok} strong {strong}")
}

mod original {
    use super::checksum;
    use super::{copied, repaired};
    use std::ops::Deref;
    use std::rc::Rc;
    use std::sync::Arc;

    #[derive(Clone)]
    pub struct Checked {
        pub sum: u32,
        pub bytes: Vec<u8>,
    }

    pub fn build(bytes: &[u8]) -> Checked {
        Checked {
            sum: checksum(bytes),
            bytes: bytes.to_vec(),
        }
    }

    pub fn verify<T: Deref<Target = Checked>>(a: &T) -> bool {
        a.sum == checksum(&a.bytes)
    }

    pub fn run(input: &[u8]) -> Vec<String> {
        let mut log = Vec::new();
        // Owned: corrupt, detect, repair.
        let mut owned = Box::new(build(input));
        log.push(format!("owned ok {}", verify(&owned)));
        owned.bytes[0] ^= 1;
        log.push(format!("owned corrupted ok {}", verify(&owned)));
        owned.sum = checksum(&owned.bytes);
        log.push(format!(
            "owned repaired ok {} sum {}",
            verify(&owned),
            owned.sum
        ));

        // Shared, in both Arc and Rc: copy-on-write leaves the other
        // handle intact; the writer repairs its own copy.
        // The same code for both pointers.
        macro_rules! copy_on_write {
            ($Ptr:ident, $tag:literal) => {
                let shared = $Ptr::new(build(input));
                let mut mine = $Ptr::clone(&shared);
                $Ptr::make_mut(&mut mine).bytes[0] ^= 1;
                log.push(copied($tag, verify(&shared), verify(&mine)));
                let m = $Ptr::make_mut(&mut mine);
                m.sum = checksum(&m.bytes);
                log.push(repaired($tag, verify(&mine), $Ptr::strong_count(&shared)));
            };
        }
        copy_on_write!(Arc, "arc");
        copy_on_write!(Rc, "rc");
        log
    }
}

mod migrated {
    use super::{checksum, copied, repaired};
    use heaparray::traits::*;
    use heaparray::{Allocator, ArcArrayBase, ArcLayout, RcArray};

    /// Every handle with a global-like allocator.
    pub fn build<T: LabelledArray<u8, u32> + TryLabelledArray<u8, u32>>(bytes: &[u8]) -> T {
        T::with_label(0, bytes.len(), |sum, i| {
            *sum += u32::from(bytes[i]);
            bytes[i]
        })
    }

    /// Every handle, any allocator (an arena's included).
    pub fn build_in<T: LabelledArrayIn<u8, u32, A>, A: Allocator>(bytes: &[u8], alloc: A) -> T {
        T::with_label_in(
            0,
            bytes.len(),
            |sum, i| {
                *sum += u32::from(bytes[i]);
                bytes[i]
            },
            alloc,
        )
    }

    /// Every handle, every layout, every allocator.
    pub fn verify<T: LabelledArray<u8, u32> + SliceArray<u8>>(a: &T) -> bool {
        *a.get_label() == checksum(a.as_slice())
    }

    /// The handles with `&mut` access (`HeapArray`, `UniqueArcArray`).
    pub fn corrupt<T: SliceArrayMut<u8>>(a: &mut T) {
        a.as_slice_mut()[0] ^= 1;
    }

    pub fn repair<T: LabelledArrayMut<u8, u32> + SliceArray<u8>>(a: &mut T) {
        *a.get_label_mut() = checksum(a.as_slice());
    }

    /// The owned part of the std program, for any owning handle.
    pub fn owned_run<T>(mut owned: T, log: &mut Vec<String>)
    where
        T: LabelledArrayMut<u8, u32> + SliceArrayMut<u8>,
    {
        log.push(format!("owned ok {}", verify(&owned)));
        corrupt(&mut owned);
        log.push(format!("owned corrupted ok {}", verify(&owned)));
        repair(&mut owned);
        log.push(format!(
            "owned repaired ok {} sum {}",
            verify(&owned),
            owned.get_label()
        ));
    }

    /// The shared part, generic over the layout and the allocator.
    ///
    /// MIGRATION (API GAP): std's `Arc::make_mut(&mut mine)` gives `&mut
    /// Checked`, label and bytes together. `ArcArrayBase::make_mut` (and
    /// `get_mut`) give `&mut [E]` only: there is no copy-on-write access to
    /// the label of a shared handle. Repairing the checksum takes a round
    /// trip through the unique handle: `unwrap_or_clone` (a second
    /// uniqueness check, here always unique after `make_mut`), then
    /// `get_label_mut`, then `shareable`.
    pub fn shared_run<P: ArcLayout, A: Allocator + Clone>(
        shared: ArcArrayBase<u8, u32, P, A>,
        log: &mut Vec<String>,
    ) {
        let mut mine = ArcArrayBase::clone(&shared);
        ArcArrayBase::make_mut(&mut mine)[0] ^= 1;
        log.push(copied("arc", verify(&shared), verify(&mine)));
        let mut unique = ArcArrayBase::unwrap_or_clone(mine);
        repair(&mut unique);
        let mine = unique.shareable();
        log.push(repaired(
            "arc",
            verify(&mine),
            ArcArrayBase::strong_count(&shared),
        ));
    }

    /// The same for `RcArray` (one layout; generic over the allocator):
    /// `unwrap_or_clone` gives the owned `HeapArray`, whose label is
    /// repaired, and `RcArray::from(heap)` shares it again (one move, no
    /// clone). (The trial found no `From<HeapArray>` for `RcArray` and
    /// rebuilt the block; it has one now.)
    pub fn rc_run<A: Allocator + Clone>(shared: RcArray<u8, u32, A>, log: &mut Vec<String>) {
        let mut mine = RcArray::clone(&shared);
        RcArray::make_mut(&mut mine)[0] ^= 1;
        log.push(copied("rc", verify(&shared), verify(&mine)));
        let mut owned = RcArray::unwrap_or_clone(mine);
        repair(&mut owned);
        let mine = RcArray::from(owned);
        log.push(repaired(
            "rc",
            verify(&mine),
            RcArray::strong_count(&shared),
        ));
    }
}

use heaparray::*;

#[test]
fn every_handle_with_the_global_allocator() {
    let input = bytes(N);
    let expected = original::run(&input);
    let runs = [
        (
            migrated::build::<HeapArray<u8, u32>>(&input),
            migrated::build::<ArcArray<u8, u32>>(&input),
        ),
        (
            migrated::build::<HeapArray<u8, u32>>(&input),
            ArcArray::from(migrated::build::<UniqueArcArray<u8, u32>>(&input)),
        ),
    ];
    for (owned, shared) in runs {
        let mut log = Vec::new();
        migrated::owned_run(owned, &mut log);
        migrated::shared_run(shared, &mut log);
        migrated::rc_run(migrated::build::<RcArray<u8, u32>>(&input), &mut log);
        assert_eq!(log, expected);
    }
    // The compact layout, its unique handle as the owned one.
    let mut log = Vec::new();
    migrated::owned_run(
        migrated::build::<CompactUniqueArcArray<u8, u32>>(&input),
        &mut log,
    );
    migrated::shared_run(
        migrated::build::<CompactArcArray<u8, u32>>(&input),
        &mut log,
    );
    migrated::rc_run(migrated::build::<RcArray<u8, u32>>(&input), &mut log);
    assert_eq!(log, expected);
    // The padded unique handle too.
    let mut log = Vec::new();
    migrated::owned_run(migrated::build::<UniqueArcArray<u8, u32>>(&input), &mut log);
    assert_eq!(log[..], expected[..3]);
}

/// One owned run of the std program's first part.
type OwnedRun<'a> = Box<dyn Fn(&mut Vec<String>) + 'a>;

#[test]
fn every_handle_in_an_arena() {
    let input = bytes(N);
    let expected = original::run(&input);
    let arena = bumpalo::Bump::new();
    let owned: [OwnedRun<'_>; 3] = [
        Box::new(|log| {
            migrated::owned_run(
                migrated::build_in::<HeapArray<u8, u32, &bumpalo::Bump>, _>(&input, &arena),
                log,
            )
        }),
        Box::new(|log| {
            migrated::owned_run(
                migrated::build_in::<UniqueArcArray<u8, u32, &bumpalo::Bump>, _>(&input, &arena),
                log,
            )
        }),
        Box::new(|log| {
            migrated::owned_run(
                migrated::build_in::<CompactUniqueArcArray<u8, u32, &bumpalo::Bump>, _>(
                    &input, &arena,
                ),
                log,
            )
        }),
    ];
    for (k, owned) in owned.iter().enumerate() {
        let mut log = Vec::new();
        owned(&mut log);
        if k % 2 == 0 {
            migrated::shared_run(
                migrated::build_in::<ArcArray<u8, u32, &bumpalo::Bump>, _>(&input, &arena),
                &mut log,
            );
        } else {
            migrated::shared_run(
                migrated::build_in::<CompactArcArray<u8, u32, &bumpalo::Bump>, _>(&input, &arena),
                &mut log,
            );
        }
        migrated::rc_run(
            migrated::build_in::<RcArray<u8, u32, &bumpalo::Bump>, _>(&input, &arena),
            &mut log,
        );
        assert_eq!(log, expected);
    }
}

/// Generic over the layout with `ArcArrayBase<E, L, P, A>` and `P:
/// ArcLayout`: a function that shares a checked buffer with worker threads
/// (2) and counts the handles, for both layouts.
fn share_checked<P: ArcLayout>(a: &ArcArrayBase<u8, u32, P, Global>) -> Vec<bool> {
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let a = ArcArrayBase::clone(a);
            std::thread::spawn(move || migrated::verify(&a) && ArcArrayBase::strong_count(&a) >= 2)
        })
        .collect();
    workers.into_iter().map(|w| w.join().unwrap()).collect()
}

#[test]
fn generic_over_the_layout() {
    let input = bytes(N);
    let padded: ArcArray<u8, u32> = migrated::build(&input);
    let compact: CompactArcArray<u8, u32> = migrated::build(&input);
    assert_eq!(share_checked(&padded), [true, true]);
    assert_eq!(share_checked(&compact), [true, true]);
    assert_eq!(ArcArrayBase::strong_count(&padded), 1);
    // The label takes part in `==`: the same bytes with another checksum
    // are another array; compare the elements with `[..]`.
    let other: ArcArray<u8, u32> = ArcArray::with_label(0, input.len(), |_, i| input[i]);
    assert_ne!(padded, other);
    assert_eq!(padded[..], other[..]);
}

/// With `heaparray::traits::*` in scope, `get` on a `HeapArray` or
/// `UniqueArcArray` is `CopyMap::get` (a `usize`), as the traits' docs
/// warn: `h.get(1..3)` is then `error[E0308]: mismatched types: expected
/// usize, found Range<{integer}>`. The slice's is reached by path. (The
/// shared handles have no `CopyMap`, so their `get(1..3)` still works.)
#[test]
fn slice_get_under_the_traits() {
    use heaparray::traits::*;
    let h = HeapArray::from(vec![1u8, 2, 3, 4]);
    assert_eq!(h.get(1), Some(&2));
    assert_eq!(<[u8]>::get(&h, 1..3), Some(&[2, 3][..]));
    let a = ArcArray::from(vec![1u8, 2, 3, 4]);
    assert_eq!(a.get(1..3), Some(&[2, 3][..]));
    assert_eq!(Container::len(&a), 4);
}
