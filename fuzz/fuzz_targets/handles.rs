//! Fuzz target: arbitrary operation sequences over a pool of strong, weak
//! and unique handles, checked after every step against the model of
//! tests/model (the same state machine the proptest runs), with every
//! element and label dropped exactly once at the end. The first input byte
//! picks the element type (zero-sized, `u8`, `String`, align-256, each with
//! the label type tests/model_ops.rs pairs it with), the block layout
//! (`Padded` or `Compact`) and the allocator (the global one, or the
//! counting `Faulty` of tests/common/alloc.rs, 24-byte or zero-sized,
//! whose live blocks and instances are checked after every step); the rest
//! decodes to operations, including the panicking `Clone` and `Drop` ones,
//! the allocation failures of `try_with_label_in`, `make_mut` and
//! `try_unique`, and a unique handle's growth (`push`, `extend`,
//! `reserve`, ...). Run with
//! `bash ci/fuzz.sh` (cargo fuzz, nightly, AddressSanitizer).
#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;

// Both files carry their own `#![allow(dead_code)]` (each test binary
// uses part of them).
#[path = "../../tests/common/mod.rs"]
mod common;
#[path = "../../tests/model/mod.rs"]
mod model;

use heaparray::{ArcLayout, Compact, Global, Padded};
use model::alloc::Faulty;
use model::{Aligned, Boxed, Byte, Machine, ModelAlloc, Op, Payload, Text, Zst};

/// Decodes one operation; small numbers keep sequences meaningful.
fn op(u: &mut Unstructured<'_>) -> arbitrary::Result<Op> {
    let slot = |u: &mut Unstructured<'_>| u.int_in_range(0..=model::POOL as u8 - 1);
    Ok(match u.int_in_range(0..=24u8)? {
        0 => Op::New {
            len: u.int_in_range(0..=6)?,
            label: u.arbitrary()?,
        },
        1 => Op::Collect {
            len: u.int_in_range(0..=6)?,
            exact: u.arbitrary()?,
        },
        2 => Op::CollectLying {
            real: u.int_in_range(0..=6)?,
            hint_low: u.arbitrary()?,
            hint_high: u.arbitrary()?,
        },
        3 => Op::Clone(slot(u)?),
        4 => Op::Drop(slot(u)?),
        5 => Op::Downgrade(slot(u)?),
        6 => Op::Upgrade(slot(u)?),
        7 => Op::GetMut {
            slot: slot(u)?,
            index: u.int_in_range(0..=6)?,
            value: u.arbitrary()?,
        },
        8 => Op::MakeMut {
            slot: slot(u)?,
            index: u.int_in_range(0..=6)?,
            value: u.arbitrary()?,
        },
        9 => Op::MakeMutPanicking {
            slot: slot(u)?,
            after: u.int_in_range(0..=8)?,
        },
        10 => Op::TryUnique(slot(u)?),
        11 => Op::IntoUnique(slot(u)?),
        12 => Op::Shareable(slot(u)?),
        13 => Op::UniqueWrite {
            slot: slot(u)?,
            index: u.int_in_range(0..=6)?,
            value: u.arbitrary()?,
        },
        14 => Op::DropPanicking {
            slot: slot(u)?,
            nth: u.int_in_range(0..=8)?,
        },
        15 => Op::RawRoundTrip(slot(u)?),
        16 => Op::NewFailing {
            len: u.int_in_range(0..=6)?,
            label: u.arbitrary()?,
        },
        17 => Op::MakeMutFailing(slot(u)?),
        18 => Op::TryUniqueFailing(slot(u)?),
        19 => Op::WithCapacity {
            cap: u.int_in_range(0..=6)?,
            label: u.arbitrary()?,
        },
        20 => Op::Push {
            slot: slot(u)?,
            value: u.arbitrary()?,
        },
        21 => Op::Pop(slot(u)?),
        22 => Op::Extend {
            slot: slot(u)?,
            len: u.int_in_range(0..=6)?,
            how: u.int_in_range(0..=2)?,
        },
        23 => Op::Reserve {
            slot: slot(u)?,
            additional: u.int_in_range(0..=10)?,
            exact: u.arbitrary()?,
        },
        _ => Op::Truncate {
            slot: slot(u)?,
            len: u.int_in_range(0..=6)?,
        },
    })
}

/// Runs the operations `data` decodes to on a machine with elements `E`
/// and labels `L` in blocks of layout `P` from allocator `A`.
fn run<E: Payload, L: Payload, P: ArcLayout, A: ModelAlloc>(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let mut machine = Machine::<E, L, P, A>::default();
    // An exhausted `Unstructured` yields defaults forever: stop at the end
    // of the data.
    while !u.is_empty() {
        let Ok(op) = op(&mut u) else { break };
        machine.apply(&op);
    }
    machine.finish();
}

fuzz_target!(|data: &[u8]| {
    common::install_quiet_hook();
    let Some((&kind, ops)) = data.split_first() else {
        return;
    };
    match kind % 12 {
        0 => run::<Zst, Text, Padded, Global>(ops),
        1 => run::<Byte, Aligned, Padded, Global>(ops),
        2 => run::<Text, Zst, Padded, Global>(ops),
        3 => run::<Aligned, Byte, Padded, Global>(ops),
        4 => run::<Zst, Text, Compact, Global>(ops),
        5 => run::<Byte, Aligned, Compact, Global>(ops),
        6 => run::<Text, Zst, Compact, Global>(ops),
        7 => run::<Aligned, Byte, Compact, Global>(ops),
        // Blocks from the counting, failing allocator (24 bytes, or
        // zero-sized): the `*Failing` operations make it fail.
        8 => run::<Text, Boxed, Padded, Faulty<3>>(ops),
        9 => run::<Text, Boxed, Compact, Faulty<3>>(ops),
        10 => run::<Aligned, Byte, Compact, Faulty<3>>(ops),
        _ => run::<Zst, Text, Padded, Faulty>(ops),
    }
});
