#!/usr/bin/env bash
# The downstream example crate (downstream/, built against this checkout
# through `path = ".."`): a user's library on ArcArray with its own loom
# and shuttle models, which see heaparray's counts with no shim. Its own
# target directories, one per cfg (RUSTFLAGS differ), so the root's
# artifacts are never rebuilt. Under loom and shuttle only the model file
# (`--test`), for the reason in ci/loom.sh: rustdoc never sees RUSTFLAGS
# (and the other targets are empty there). The native run includes the
# crate's unit tests and doctest. loom in a debug build: its models here
# are small (about 4 s of 10 models), and optimising loom's dependencies
# (tracing-subscriber's regex engine) took 100 s of a release build on the
# project's 2 cores, against 26 s for the whole debug build and run;
# shuttle in release, whose schedules are the longer part.
set -euo pipefail
cd "$(dirname "$0")/../downstream"
target="${CARGO_TARGET_DIR:-$(cd .. && pwd)/target/downstream}"
flags="${RUSTFLAGS:-}"
run() {
    local cfg=$1 t=$SECONDS
    shift
    echo "+ (cd downstream && RUSTFLAGS=\"$RUSTFLAGS\" CARGO_TARGET_DIR=$CARGO_TARGET_DIR $*)" >&2
    "$@"
    echo "downstream, $cfg: $((SECONDS - t)) s" >&2
}
export RUSTFLAGS="$flags" CARGO_TARGET_DIR="$target/native"
run native cargo test --release
export RUSTFLAGS="--cfg loom $flags" CARGO_TARGET_DIR="$target/loom"
run loom cargo test --test loom -- --nocapture
export RUSTFLAGS="--cfg shuttle $flags" CARGO_TARGET_DIR="$target/shuttle"
run shuttle cargo test --release --test shuttle
