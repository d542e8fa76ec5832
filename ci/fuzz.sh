#!/usr/bin/env bash
# Fuzzes the handle state machine (fuzz/fuzz_targets/handles.rs, the model
# of tests/model) with cargo fuzz (libFuzzer, nightly, AddressSanitizer)
# for FUZZ_SECONDS (default 300). Installs cargo-fuzz when missing. A crash
# leaves its input in fuzz/artifacts/handles/: turn it into a regression
# test in tests/.
set -euo pipefail
cd "$(dirname "$0")/.."
run() { echo "+ $*" >&2; "$@"; }
seconds="${FUZZ_SECONDS:-300}"
if ! command -v cargo-fuzz >/dev/null 2>&1; then
    run cargo install cargo-fuzz --locked
fi
cd fuzz
run cargo +nightly fuzz run handles --sanitizer address -- \
    -max_total_time="$seconds" -max_len=512 -print_final_stats=1
