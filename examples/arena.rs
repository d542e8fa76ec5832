//! Allocation control, end to end: arrays from a `bumpalo::Bump` arena, a
//! fallible build of an untrusted length, and a large zeroed shared buffer.
//! Run: `cargo run --release --example arena`.

use std::mem::size_of;
use std::thread;

use heaparray::*;

fn main() {
    arena();
    untrusted_length();
    zeroed_buffer();
}

/// Many small labelled arrays from one arena: one bump per array, no
/// `free` per array; the arena is freed (or reset) as a whole.
fn arena() {
    let mut arena = bumpalo::Bump::new();
    for round in 0..3u64 {
        {
            let rows: Vec<RcArray<u64, u64, &bumpalo::Bump>> = (0..10_000)
                .map(|r| RcArray::with_label_in(r, 4, |&mut r, c| r * 4 + c as u64, &arena))
                .collect();
            let total: u64 = rows.iter().map(|row| row.iter().sum::<u64>()).sum();
            assert_eq!(total, (0..40_000).sum::<u64>());
            assert_eq!(
                size_of::<RcArray<u64, u64, &bumpalo::Bump>>(),
                size_of::<usize>()
            );
            println!(
                "round {round}: 10,000 arrays of 4 from the arena, {} bytes in use",
                arena.allocated_bytes()
            );
        }
        // No array borrows the arena any more: reuse its memory.
        arena.reset();
    }
}

/// A length that came from the outside: refused with an error, not an
/// abort, when the block could not exist or the allocator says no.
fn untrusted_length() {
    for claimed in [16u64, 1 << 40, 1 << 62, u64::MAX] {
        let result = usize::try_from(claimed)
            .map_err(|_| TryReserveError::CapacityOverflow)
            .and_then(|len| ArcArray::<u64>::try_new(len, |i| i as u64));
        match result {
            Ok(a) => println!(
                "claimed length {claimed}: built, sum {}",
                a.iter().sum::<u64>()
            ),
            Err(err) => println!("claimed length {claimed}: refused ({err})"),
        }
    }
}

/// A zeroed 256 MiB buffer from `calloc`, shared with four threads.
fn zeroed_buffer() {
    const LEN: usize = 256 << 20;
    let mut buffer = UniqueArcArray::<u8>::new_zeroed(LEN);
    buffer[LEN - 1].write(1);
    // SAFETY: all-zero bytes are a valid `u8`, and the last one was written.
    let buffer: ArcArray<u8> = unsafe { buffer.assume_init() }.shareable();
    let counts: Vec<usize> = (0..4)
        .map(|t| {
            let buffer = buffer.clone();
            thread::spawn(move || {
                let quarter = LEN / 4;
                buffer[t * quarter..(t + 1) * quarter]
                    .iter()
                    .filter(|&&b| b != 0)
                    .count()
            })
        })
        .map(|h| h.join().unwrap())
        .collect();
    assert_eq!(counts.iter().sum::<usize>(), 1);
    println!("zeroed buffer of {LEN} bytes, shared by 4 threads: {counts:?} non-zero bytes");
}
