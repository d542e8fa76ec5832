#!/usr/bin/env bash
# Miri: the whole non-loom test suite (every tests/*.rs, the unit tests and
# the doctests) under Stacked Borrows and under Tree Borrows, both with
# strict provenance and symbolic alignment; the threaded tests under many
# seeds; and the core suites on a 32-bit and a big-endian target.
#
# The rayon suites (tests/rayon_*.rs) run under Tree Borrows with
# permissive provenance and -Zmiri-ignore-leaks only: rayon's
# crossbeam-epoch casts integers to pointers and is not Stacked-Borrows
# clean (crossbeam-rs/crossbeam#545, #1181), and rayon's pool threads
# outlive `main`. Leaks are checked by the tests' own counting allocator.
# tests/arc_swap.rs runs with permissive provenance (arc-swap keeps its
# pointers as integers), under both borrow models.
#
# Miri interprets on one thread, so the runs go in two lanes at once, one
# per core (CI has two), of about the same length (1,556 + 160 s and
# 1,694 s in the CI run here that measured them): Stacked Borrows, the
# seeds, the rayon suites (their flags are Tree Borrows') and i686 in one;
# Tree Borrows and s390x in the other. Each lane has its own
# target directory (two `cargo miri` cannot share one) and log; a lane's
# log is printed when it ends, and any failure fails the script.
# MIRI_LANES=1 runs the lanes one after the other instead.
#
# MIRI_SUBSET=1 runs the CI subset (Stacked and Tree Borrows over every
# suite, seeds on the threaded ones; the cross targets run a smaller set).
set -euo pipefail
cd "$(dirname "$0")/.."
run() { echo "+ $*" >&2; "$@"; }

if ! cargo +nightly miri --version >/dev/null 2>&1; then
    run rustup component add --toolchain nightly miri rust-src
fi
run cargo +nightly miri setup
target="${CARGO_TARGET_DIR:-target/miri-runs}"

strict="-Zmiri-strict-provenance -Zmiri-symbolic-alignment-check"
rayon_flags="-Zmiri-tree-borrows -Zmiri-permissive-provenance -Zmiri-ignore-leaks -Zmiri-symbolic-alignment-check"
suites=()
rayon_suites=()
# Suites whose dependencies turn integers into pointers: arc-swap keeps
# its pointers as `usize` (its own CI runs Miri with permissive provenance).
permissive_suites=()
for f in tests/*.rs; do
    name=$(basename "$f" .rs)
    case "$name" in
        shuttle_*) ;; # cfg(shuttle) only
        rayon_*) rayon_suites+=(--test "$name") ;;
        arc_swap) permissive_suites+=(--test "$name") ;;
        *) suites+=(--test "$name") ;;
    esac
done
permissive="-Zmiri-permissive-provenance -Zmiri-symbolic-alignment-check"
cross=(--test arc_protocol --test layout --test heap_array --test compact_api --test swap_in)
[ "${MIRI_SUBSET:-0}" = 1 ] && cross=(--test arc_protocol --test layout)

timed() {
    local start=$SECONDS
    "$@"
    echo "    ($((SECONDS - start)) s)" >&2
}

stacked_lane() {
    export CARGO_TARGET_DIR="$target/stacked"
    echo "== Stacked Borrows: every suite, unit tests, doctests" >&2
    MIRIFLAGS="$strict" timed run cargo +nightly miri test --all-features --lib "${suites[@]}"
    MIRIFLAGS="$strict" timed run cargo +nightly miri test --features serde,arc-swap,bytes,stable_deref_trait,bytemuck --doc
    MIRIFLAGS="$permissive" timed run cargo +nightly miri test --all-features "${permissive_suites[@]}"
    echo "== threaded suites under 8 seeds" >&2
    MIRIFLAGS="$strict -Zmiri-many-seeds=0..8" timed run cargo +nightly miri test --test arc_threads --test drop_panics
    echo "== rayon suites and doctests (Tree Borrows, permissive provenance for crossbeam-epoch)" >&2
    MIRIFLAGS="$rayon_flags" timed run cargo +nightly miri test --all-features "${rayon_suites[@]}"
    MIRIFLAGS="$rayon_flags" timed run cargo +nightly miri test --all-features --doc rayon_impls
    echo "== 32-bit (i686)" >&2
    MIRIFLAGS="$strict" timed run cargo +nightly miri test --target i686-unknown-linux-gnu "${cross[@]}"
}

tree_lane() {
    export CARGO_TARGET_DIR="$target/tree"
    echo "== Tree Borrows: every suite, unit tests, doctests" >&2
    MIRIFLAGS="-Zmiri-tree-borrows $strict" timed run cargo +nightly miri test --all-features --lib "${suites[@]}"
    MIRIFLAGS="-Zmiri-tree-borrows $strict" timed run cargo +nightly miri test --features serde,arc-swap,bytes,stable_deref_trait,bytemuck --doc
    MIRIFLAGS="-Zmiri-tree-borrows $permissive" timed run cargo +nightly miri test --all-features "${permissive_suites[@]}"
    echo "== big-endian (s390x)" >&2
    MIRIFLAGS="$strict" timed run cargo +nightly miri test --target s390x-unknown-linux-gnu "${cross[@]}"
}

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
if [ "${MIRI_LANES:-2}" = 1 ]; then
    stacked_lane
    tree_lane
    exit 0
fi
# Each lane stops at its first failure (errexit in the subshell).
(set -e; stacked_lane) >"$logs/stacked" 2>&1 &
stacked=$!
(set -e; tree_lane) >"$logs/tree" 2>&1 &
tree=$!
status=0
wait "$stacked" || status=1
echo "===== Stacked Borrows lane: $([ $status = 0 ] && echo passed || echo FAILED)" >&2
cat "$logs/stacked" >&2
tree_status=0
wait "$tree" || tree_status=1
echo "===== Tree Borrows lane: $([ $tree_status = 0 ] && echo passed || echo FAILED)" >&2
cat "$logs/tree" >&2
[ $status = 0 ] && [ $tree_status = 0 ]
