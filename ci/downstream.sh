#!/usr/bin/env bash
# The downstream example crate (downstream/, built against this checkout
# through `path = ".."`): a user's library on ArcArray with its own loom
# and shuttle models, which see heaparray's counts with no shim. Under
# loom and shuttle only the model file (`--test`), for the reason in
# ci/loom.sh: rustdoc never sees RUSTFLAGS (and the other targets are
# empty there). The native run includes the crate's unit tests and
# doctest.
#
# The native and shuttle runs share the root's target directory for their
# cfg, with the same profile and RUSTFLAGS (native in the dev profile
# beside ci/test.sh's build, shuttle in release beside ci/shuttle.sh's), so
# what both workspaces resolve alike is built once: heaparray itself
# natively (0.8 s for the run after ci/test.sh), some of shuttle's
# dependencies (the two workspaces unify features differently, so
# crossbeam-utils, rand and shuttle are built again). loom runs in a debug
# build of its own: its models here are small (about 4 s of 10 models),
# and the release build cannot reuse ci/loom.sh's, because the feature
# unification differs there too and rebuilds regex-automata and
# tracing-subscriber optimised, loom's slowest dependencies (100 s of a
# release build on the project's 2 cores, against 26 s for the whole debug
# build and run).
set -euo pipefail
cd "$(dirname "$0")/../downstream"
target="${CARGO_TARGET_DIR:-$(cd .. && pwd)/target}"
flags="${RUSTFLAGS:-}"
run() {
    local cfg=$1 t=$SECONDS
    shift
    echo "+ (cd downstream && RUSTFLAGS=\"$RUSTFLAGS\" CARGO_TARGET_DIR=$CARGO_TARGET_DIR $*)" >&2
    "$@"
    echo "downstream, $cfg: $((SECONDS - t)) s" >&2
}
export RUSTFLAGS="$flags" CARGO_TARGET_DIR="$target"
run native cargo test
export RUSTFLAGS="--cfg loom $flags" CARGO_TARGET_DIR="$target/downstream-loom"
run loom cargo test --test loom -- --nocapture
export RUSTFLAGS="--cfg shuttle $flags" CARGO_TARGET_DIR="$target/shuttle"
run shuttle cargo test --release --test shuttle
