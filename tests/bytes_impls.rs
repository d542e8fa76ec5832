//! Feature `bytes`: `Bytes::from(ArcArray<u8, ..>)` shares the array's
//! elements with no copy, keeps the array alive through every clone and
//! slice of the `Bytes`, and drops it with the last of them.
#![cfg(all(feature = "bytes", not(any(loom, shuttle))))]

mod common;

use std::sync::Arc;
use std::thread;

use bytes::{Buf, Bytes, BytesMut};
use common::{Canary, Ledger};
use heaparray::*;

/// `Bytes` from a canary-labelled `ArcArray` of `len` bytes `byte(i)`, and
/// the array's element pointer.
fn bytes_of(ledger: &Arc<Ledger>, len: usize, byte: impl Fn(usize) -> u8) -> (Bytes, *const u8) {
    let a = ArcArray::with_label(ledger.canary(), len, |_, i| byte(i));
    let elements = ArcArray::as_ptr(&a);
    (Bytes::from(a), elements)
}

#[test]
fn the_bytes_are_the_arrays_own() {
    let ledger = Ledger::new();
    let (b, elements) = bytes_of(&ledger, 256, |i| i as u8);
    assert_eq!(b.as_ptr(), elements, "no copy");
    assert_eq!(b.len(), 256);
    assert!(b.iter().enumerate().all(|(i, &x)| x == i as u8));
    assert_eq!(ledger.live(), 1);
    drop(b);
    ledger.assert_all_dropped();
}

#[test]
fn clones_and_slices_keep_the_array_alive() {
    let ledger = Ledger::new();
    let (b, elements) = bytes_of(&ledger, 16, |i| i as u8);
    let c = b.clone();
    let tail = b.slice(10..);
    let mut head = c.clone();
    let front = head.split_to(4);
    assert_eq!(
        tail.as_ptr(),
        elements.wrapping_add(10),
        "slices point into the array"
    );
    assert_eq!(front.as_ptr(), elements);
    assert_eq!(head.as_ptr(), elements.wrapping_add(4));

    drop((b, c));
    assert_eq!(ledger.live(), 1, "the slices still hold the array");
    assert_eq!(&tail[..], &[10, 11, 12, 13, 14, 15]);
    drop(front);
    assert_eq!(&head[..2], &[4, 5]);
    drop(head);
    assert_eq!(ledger.live(), 1);
    drop(tail); // the last one
    ledger.assert_all_dropped();
}

#[test]
fn the_array_shares_its_block_with_other_handles() {
    let ledger = Ledger::new();
    let a = CompactArcArray::with_label(ledger.canary(), 8, |_, i| b'a' + i as u8);
    let b = Bytes::from(a.clone());
    assert_eq!(
        ArcArrayBase::strong_count(&a),
        2,
        "the Bytes owns one handle"
    );
    let c = b.clone();
    assert_eq!(
        ArcArrayBase::strong_count(&a),
        2,
        "a clone of the Bytes counts in the Bytes"
    );
    drop(a);
    assert_eq!(ledger.live(), 1);
    assert_eq!(&c[..], b"abcdefgh");
    drop((b, c));
    ledger.assert_all_dropped();
}

#[test]
fn empty_and_zeroed_arrays() {
    let b = Bytes::from(ArcArray::<u8>::new(0, |_| 0));
    assert!(b.is_empty());
    let b = Bytes::from(ArcArray::<u8>::default());
    assert!(b.is_empty());
    let z = UniqueArcArray::<u8>::new_zeroed(1 << 12);
    // SAFETY: all-zero bytes are valid `u8`s.
    let z = unsafe { z.assume_init() }.shareable();
    let b = Bytes::from(z);
    assert_eq!(b.len(), 4096);
    assert!(b.iter().all(|&x| x == 0));
}

/// The conversion back to a `BytesMut` copies (the owner is not a `Vec`);
/// `Buf` reads advance over the array's bytes.
#[test]
fn into_bytes_mut_copies_and_buf_reads() {
    let ledger = Ledger::new();
    let (mut b, elements) = bytes_of(&ledger, 6, |i| i as u8 + 1);
    assert_eq!(b.get_u16(), 0x0102);
    assert_eq!(b.as_ptr(), elements.wrapping_add(2));
    let m = BytesMut::from(b);
    assert_ne!(m.as_ptr(), elements.wrapping_add(2), "a copy");
    assert_eq!(&m[..], &[3, 4, 5, 6]);
    ledger.assert_all_dropped();
}

/// A `Bytes` over an array of a custom allocator and a label that owns
/// heap memory, dropped on another thread.
#[test]
fn dropped_on_another_thread() {
    let ledger = Ledger::new();
    let a: ArcArray<u8, (String, Canary), Global> = ArcArray::with_label_in(
        (String::from("label"), ledger.canary()),
        100,
        |_, i| i as u8,
        Global,
    );
    let b = Bytes::from(a);
    let parts: Vec<Bytes> = (0..4).map(|k| b.slice(k * 25..(k + 1) * 25)).collect();
    drop(b);
    thread::scope(|s| {
        for part in parts {
            s.spawn(move || {
                let first = part[0];
                assert!(part.iter().enumerate().all(|(i, &x)| x == first + i as u8));
            });
        }
    });
    ledger.assert_all_dropped();
}
