#!/usr/bin/env bash
# The loom models (loom-tests/, one [[test]] target per protocol): every
# interleaving of the count protocol up to LOOM_MAX_PREEMPTIONS preemptions
# (default 3), in release mode. `--tests` because rustdoc never sees
# RUSTFLAGS: doctests linked against a loom build would run loom atomics
# outside a model; the plain test files are gated `cfg(not(loom))`.
set -euo pipefail
cd "$(dirname "$0")/.."
export RUSTFLAGS="--cfg loom ${RUSTFLAGS:-}"
export LOOM_MAX_PREEMPTIONS="${LOOM_MAX_PREEMPTIONS:-3}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/loom}"
echo "+ RUSTFLAGS=\"$RUSTFLAGS\" LOOM_MAX_PREEMPTIONS=$LOOM_MAX_PREEMPTIONS cargo test --release --tests" >&2
cargo test --release --tests --no-run
for target in $(sed -n 's/^name = "\(loom_[a-z_]*\)"/\1/p' Cargo.toml); do
    start=$SECONDS
    cargo test --release --test "$target" -q
    echo "$target: $((SECONDS - start)) s" >&2
done
