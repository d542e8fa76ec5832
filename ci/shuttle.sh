#!/usr/bin/env bash
# Shuttle schedules (tests/shuttle_protocol.rs): check_random and check_pct,
# 2,000 iterations each per scenario, 4-5 threads. `--tests` for the same
# reason as loom: rustdoc never sees RUSTFLAGS.
set -euo pipefail
cd "$(dirname "$0")/.."
export RUSTFLAGS="--cfg shuttle ${RUSTFLAGS:-}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/shuttle}"
echo "+ RUSTFLAGS=\"$RUSTFLAGS\" cargo test --release --tests" >&2
cargo test --release --tests
