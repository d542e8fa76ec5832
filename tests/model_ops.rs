//! Model-based property test of the handle API: proptest generates
//! sequences of operations over a pool of strong, weak and unique handles
//! (tests/model/mod.rs); after every step the real handles are checked
//! against a plain model (counts, contents, upgrade results), and at the
//! end every element and label ever made must have been dropped exactly
//! once. A few thousand cases run on every `cargo test`.
#![cfg(not(any(loom, shuttle)))]

mod common;
mod model;

use model::{Machine, Op};
use proptest::prelude::*;

fn op() -> impl Strategy<Value = Op> {
    let slot = 0u8..model::POOL as u8;
    prop_oneof![
        1 => (0u8..6, any::<u32>()).prop_map(|(len, label)| Op::New { len, label }),
        1 => (0u8..6, any::<bool>()).prop_map(|(len, exact)| Op::Collect { len, exact }),
        1 => (0u8..6, any::<u8>(), proptest::option::of(any::<u8>()))
            .prop_map(|(real, hint_low, hint_high)| Op::CollectLying { real, hint_low, hint_high }),
        3 => slot.clone().prop_map(Op::Clone),
        3 => slot.clone().prop_map(Op::Drop),
        2 => slot.clone().prop_map(Op::Downgrade),
        2 => slot.clone().prop_map(Op::Upgrade),
        1 => (slot.clone(), 0u8..6, any::<u32>())
            .prop_map(|(slot, index, value)| Op::GetMut { slot, index, value }),
        1 => (slot.clone(), 0u8..6, any::<u32>())
            .prop_map(|(slot, index, value)| Op::MakeMut { slot, index, value }),
        1 => (slot.clone(), 0u8..8).prop_map(|(slot, after)| Op::MakeMutPanicking { slot, after }),
        1 => slot.clone().prop_map(Op::TryUnique),
        1 => slot.clone().prop_map(Op::IntoUnique),
        1 => slot.clone().prop_map(Op::Shareable),
        1 => (slot.clone(), 0u8..6, any::<u32>())
            .prop_map(|(slot, index, value)| Op::UniqueWrite { slot, index, value }),
        1 => slot.prop_map(Op::RawRoundTrip),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: if cfg!(miri) { 8 } else { 3_000 },
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn handles_agree_with_the_model(ops in proptest::collection::vec(op(), 1..60)) {
        common::install_quiet_hook();
        let mut machine = Machine::default();
        for op in &ops {
            machine.apply(op);
        }
        machine.finish();
    }
}
