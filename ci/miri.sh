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
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/miri-runs}"

strict="-Zmiri-strict-provenance -Zmiri-symbolic-alignment-check"
suites=()
for f in tests/*.rs; do
    name=$(basename "$f" .rs)
    case "$name" in
        rayon_* | shuttle_*) ;; # rayon: flags below; shuttle: cfg(shuttle) only
        model_ops) suites+=(--test "$name") ;; # 12 cases under Miri (cfg(miri))
        *) suites+=(--test "$name") ;;
    esac
done

timed() {
    local start=$SECONDS
    "$@"
    echo "    ($((SECONDS - start)) s)" >&2
}

echo "== Stacked Borrows: every suite, unit tests, doctests" >&2
MIRIFLAGS="$strict" timed run cargo +nightly miri test --all-features --lib "${suites[@]}"
MIRIFLAGS="$strict" timed run cargo +nightly miri test --features serde --doc

echo "== Tree Borrows: every suite, unit tests, doctests" >&2
MIRIFLAGS="-Zmiri-tree-borrows $strict" timed run cargo +nightly miri test --all-features --lib "${suites[@]}"
MIRIFLAGS="-Zmiri-tree-borrows $strict" timed run cargo +nightly miri test --features serde --doc

echo "== rayon suites and doctests (Tree Borrows, permissive provenance for crossbeam-epoch)" >&2
rayon_flags="-Zmiri-tree-borrows -Zmiri-permissive-provenance -Zmiri-ignore-leaks -Zmiri-symbolic-alignment-check"
MIRIFLAGS="$rayon_flags" timed run cargo +nightly miri test --all-features --test rayon_feature --test rayon_sharing --test rayon_panics --test rayon_collect
MIRIFLAGS="$rayon_flags" timed run cargo +nightly miri test --all-features --doc rayon_impls

echo "== threaded suites under 8 seeds" >&2
MIRIFLAGS="$strict -Zmiri-many-seeds=0..8" timed run cargo +nightly miri test --test arc_threads --test drop_panics

cross=(--test arc_protocol --test layout --test heap_array --test compact_api)
[ "${MIRI_SUBSET:-0}" = 1 ] && cross=(--test arc_protocol --test layout)
echo "== 32-bit (i686) and big-endian (s390x)" >&2
for target in i686-unknown-linux-gnu s390x-unknown-linux-gnu; do
    MIRIFLAGS="$strict" timed run cargo +nightly miri test --target "$target" "${cross[@]}"
done
