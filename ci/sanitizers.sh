#!/usr/bin/env bash
# The threaded tests under ThreadSanitizer and AddressSanitizer (nightly,
# -Zbuild-std so that std is instrumented too). Under TSan the crate is
# built with `--cfg heaparray_tsan`: TSan does not model fences, so the
# acquire fence of the last drop becomes an Acquire load of the counter
# (src/sync.rs), as std's `acquire!` does.
set -euo pipefail
cd "$(dirname "$0")/.."
run() { echo "+ $*" >&2; "$@"; }
target=x86_64-unknown-linux-gnu
tests=(--test arc_threads --test arc_protocol --test drop_panics)

if ! rustup component list --toolchain nightly --installed | grep -q rust-src; then
    run rustup component add --toolchain nightly rust-src
fi

RUSTFLAGS="-Zsanitizer=thread --cfg heaparray_tsan" RUSTDOCFLAGS="-Zsanitizer=thread" \
    CARGO_TARGET_DIR=target/tsan \
    run cargo +nightly test -Zbuild-std --target "$target" "${tests[@]}"

# Under ASan also tests/oom_unwind.rs: allocation failures that unwind
# (nightly's alloc error hook) in the paths that move contents; a handle
# left without its count would be a use-after-free here.
ASAN_OPTIONS="detect_leaks=1" RUSTFLAGS="-Zsanitizer=address --cfg heaparray_oom_unwind" \
    RUSTDOCFLAGS="-Zsanitizer=address" CARGO_TARGET_DIR=target/asan \
    run cargo +nightly test -Zbuild-std --target "$target" "${tests[@]}" --test oom_unwind
