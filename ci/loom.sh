#!/usr/bin/env bash
# The loom models (loom-tests/, one [[test]] target per protocol): every
# interleaving of the count protocol, exhaustively (no preemption bound
# unless LOOM_MAX_PREEMPTIONS sets one; the whole exploration takes seconds),
# in release mode, printing each model's number of executions.
# `--tests` because rustdoc never sees RUSTFLAGS: doctests linked against
# a loom build would run loom atomics outside a model; the plain test files are gated `cfg(not(loom))`.
set -euo pipefail
cd "$(dirname "$0")/.."
export RUSTFLAGS="--cfg loom ${RUSTFLAGS:-}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/loom}"
echo "+ RUSTFLAGS=\"$RUSTFLAGS\" cargo test --release --tests" >&2
cargo test --release --tests --no-run
for target in $(sed -n 's/^name = "\(loom_[a-z_]*\)"/\1/p' Cargo.toml); do
    start=$SECONDS
    cargo test --release --test "$target" -- --nocapture --test-threads=1
    echo "$target: $((SECONDS - start)) s" >&2
done
