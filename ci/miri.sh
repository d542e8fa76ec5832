#!/usr/bin/env bash
# Miri: the whole non-loom test suite (every tests/*.rs, the unit tests and
# the doctests) under Stacked Borrows and under Tree Borrows, both with
# strict provenance and symbolic alignment; the tests that spawn threads
# under 8 seeds; and the core suites on a 32-bit and a big-endian target.
#
# The rayon suites (tests/rayon_*.rs) run under Tree Borrows with
# permissive provenance and -Zmiri-ignore-leaks only: rayon's
# crossbeam-epoch casts integers to pointers and is not Stacked-Borrows
# clean (crossbeam-rs/crossbeam#545, #1181), and rayon's pool threads
# outlive `main`. Leaks are checked by the tests' own counting allocator.
# tests/arc_swap.rs runs with permissive provenance (arc-swap keeps its
# pointers as integers), under both borrow models.
#
# Seeds (-Zmiri-many-seeds=0..8) go to the tests that spawn threads, the
# only ones whose schedule a seed changes: all of tests/arc_threads.rs and
# the tests listed in `threaded` below (the script fails if a suite that
# spawns threads, or a listed test, is missing there). tests/drop_panics.rs
# spawns none (its 8 seeds were a quarter of the Stacked lane); the rayon
# suites' pool threads are not seeded (8 more runs of them, about 600 s).
# MIRI_SEEDS=all runs every suite under the seeds instead, drop_panics
# included: by hand, not in CI.
#
# Miri interprets on one thread, so the runs go in two lanes at once, one
# per core (CI has two), of about the same length: the Stacked Borrows
# suites, the seeds, the rayon doctests and i686 in one; the Tree Borrows
# suites, the rayon suites and s390x in the other. Both lanes share one target directory,
# built first (every x86_64 suite with --all-features, which the doctests
# and seeds use too, and the two cross targets' suites): cargo holds its
# lock only while it builds, and nothing is built once the lanes start.
# A lane's log is printed when it ends and finishes with one line per run,
# `MIRI-LANE <lane> <seconds> <what>`, and `MIRI-LANE <lane> <seconds>
# total` (.ci/run's step table shows them); any failure fails the script.
# MIRI_LANES=1 runs the lanes one after the other instead.
#
# MIRI_SUBSET=1 runs the CI subset (Stacked and Tree Borrows over every
# suite, seeds on the threaded tests; the cross targets run a smaller set).
set -euo pipefail
cd "$(dirname "$0")/.."
run() { echo "+ $*" >&2; "$@"; }

if ! cargo +nightly miri --version >/dev/null 2>&1; then
    run rustup component add --toolchain nightly miri rust-src
fi
run cargo +nightly miri setup
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/miri-runs}"

strict="-Zmiri-strict-provenance -Zmiri-symbolic-alignment-check"
tree="-Zmiri-tree-borrows"
permissive="-Zmiri-permissive-provenance -Zmiri-symbolic-alignment-check"
rayon_flags="-Zmiri-tree-borrows -Zmiri-permissive-provenance -Zmiri-ignore-leaks -Zmiri-symbolic-alignment-check"
seeds="-Zmiri-many-seeds=0..8"
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
cross=(--test arc_protocol --test layout --test heap_array --test compact_api --test swap_in)
[ "${MIRI_SUBSET:-0}" = 1 ] && cross=(--test arc_protocol --test layout)

# The tests that spawn threads, outside tests/arc_threads.rs (all of whose
# tests do): those that run two or more threads at once, and those that
# hand a handle to one other thread and join it.
declare -A threaded=(
    [allocators]="last_strong_handle_dropped_on_another_thread last_weak_handle_dropped_on_another_thread unique_and_heap_arrays_dropped_on_another_thread try_unique_on_another_thread last_owner_race into_unique_race_with_weak_handle"
    [bytes_impls]="dropped_on_another_thread"
    [compact_api]="raw_round_trip_and_threads"
    [heap_array]="send_and_sync_like_box"
    [stable_deref]="the_address_survives_a_trip_to_another_thread a_yoke_with_an_array_cart"
    [swap_in]="default_is_shared_across_threads"
    [arc_swap]="loaders_and_a_storer_padded loaders_and_a_storer_compact"
    [migrate_generic]="generic_over_the_layout"
    [migrate_weights]="weights_padded_glob_behave_as_std weights_compact_explicit_behave_as_std"
    [into_iter]="send_sync_and_variance_as_vec_into_iter"
    [borrow]="borrows_cross_threads"
)
for f in tests/*.rs; do
    name=$(basename "$f" .rs)
    case "$name" in shuttle_* | rayon_* | arc_threads) continue ;; esac
    if grep -qE 'spawn\(|thread::scope' "$f" && [ -z "${threaded[$name]:-}" ]; then
        echo "ci/miri.sh: $f spawns threads: list its threaded tests in \`threaded\`" >&2
        exit 1
    fi
done
seeded=()
seeded_names=()
for name in "${!threaded[@]}"; do
    for t in ${threaded[$name]}; do
        if ! grep -qE "fn $t\(\)" "tests/$name.rs"; then
            echo "ci/miri.sh: no test $t in tests/$name.rs (see \`threaded\`)" >&2
            exit 1
        fi
    done
    [ "$name" = arc_swap ] && continue
    seeded+=(--test "$name")
    seeded_names+=(${threaded[$name]})
done

# `timed WHAT cmd...` runs cmd, prints its seconds, and keeps a line for
# the lane's summary.
summary=()
timed() {
    local what=$1 start=$SECONDS status=0
    shift
    "$@" || status=$?
    echo "    ($((SECONDS - start)) s)" >&2
    if [ $status = 0 ]; then
        summary+=("$((SECONDS - start)) $what")
    else
        summary+=("$((SECONDS - start)) FAILED: $what")
    fi
    return $status
}

# `lane NAME FUNCTION` runs a lane in a subshell that stops at its first
# failure and ends, failed or not, with its MIRI-LANE lines.
lane() {
    (
        set -e
        lane_name=$1 lane_start=$SECONDS
        trap 'for line in "${summary[@]}"; do echo "MIRI-LANE $lane_name $line"; done >&2
              echo "MIRI-LANE $lane_name $((SECONDS - lane_start)) total" >&2' EXIT
        "$2"
    )
}

build() {
    echo "== build: every x86_64 suite (--all-features), the cross targets' suites" >&2
    timed "build: x86_64, every suite, --all-features" \
        run cargo +nightly miri test --all-features --no-run --lib \
        "${suites[@]}" "${permissive_suites[@]}" "${rayon_suites[@]}"
    timed "build: i686" run cargo +nightly miri test --no-run --target i686-unknown-linux-gnu "${cross[@]}"
    timed "build: s390x" run cargo +nightly miri test --no-run --target s390x-unknown-linux-gnu "${cross[@]}"
}

seeds_runs() {
    if [ "${MIRI_SEEDS:-threaded}" = all ]; then
        echo "== every suite under 8 seeds (Stacked Borrows)" >&2
        MIRIFLAGS="$strict $seeds" timed "every suite, 8 seeds (Stacked Borrows)" \
            run cargo +nightly miri test --all-features "${suites[@]}"
        MIRIFLAGS="$permissive $seeds" timed "arc_swap, 8 seeds (Stacked Borrows, permissive)" \
            run cargo +nightly miri test --all-features "${permissive_suites[@]}"
        return
    fi
    echo "== the tests that spawn threads, under 8 seeds (Stacked Borrows)" >&2
    MIRIFLAGS="$strict $seeds" timed "arc_threads, 8 seeds (Stacked Borrows)" \
        run cargo +nightly miri test --all-features --test arc_threads
    MIRIFLAGS="$strict $seeds" timed "${#seeded_names[@]} threaded tests of ${#threaded[@]} other suites, 8 seeds (Stacked Borrows)" \
        run cargo +nightly miri test --all-features "${seeded[@]}" -- --exact "${seeded_names[@]}"
    # shellcheck disable=SC2086 # the names are words
    MIRIFLAGS="$permissive $seeds" timed "arc_swap's threaded tests, 8 seeds (Stacked Borrows, permissive)" \
        run cargo +nightly miri test --all-features "${permissive_suites[@]}" -- --exact ${threaded[arc_swap]}
}

# Every suite, the unit tests, the doctests but rayon's, and arc_swap,
# under one borrow model: $1 its flags (none for Stacked Borrows), $2 its
# name.
every_suite() {
    local model=${1:+$1 } name=$2
    echo "== $name: every suite, unit tests, doctests" >&2
    MIRIFLAGS="$model$strict" timed "suites and unit tests ($name)" \
        run cargo +nightly miri test --all-features --lib "${suites[@]}"
    # --all-features as the suites (no rebuild); the rayon doctests run
    # with the rayon suites' flags.
    MIRIFLAGS="$model$strict" timed "doctests ($name)" \
        run cargo +nightly miri test --all-features --doc -- --skip rayon_impls
    MIRIFLAGS="$model$permissive" timed "arc_swap ($name, permissive)" \
        run cargo +nightly miri test --all-features "${permissive_suites[@]}"
}

stacked_lane() {
    every_suite "" "Stacked Borrows"
    seeds_runs
    # In this lane, though Tree Borrows (as the rayon suites in the other):
    # the lanes were 806 s and 857 s with it there.
    MIRIFLAGS="$rayon_flags" timed "rayon doctests (Tree Borrows, permissive)" \
        run cargo +nightly miri test --all-features --doc rayon_impls
    echo "== 32-bit (i686)" >&2
    MIRIFLAGS="$strict" timed "i686 (Stacked Borrows)" \
        run cargo +nightly miri test --target i686-unknown-linux-gnu "${cross[@]}"
}

tree_lane() {
    every_suite "$tree" "Tree Borrows"
    echo "== rayon suites and doctests (Tree Borrows, permissive provenance for crossbeam-epoch)" >&2
    MIRIFLAGS="$rayon_flags" timed "rayon suites (Tree Borrows, permissive)" \
        run cargo +nightly miri test --all-features "${rayon_suites[@]}"
    echo "== big-endian (s390x)" >&2
    MIRIFLAGS="$strict" timed "s390x (Stacked Borrows)" \
        run cargo +nightly miri test --target s390x-unknown-linux-gnu "${cross[@]}"
}

lane build build
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
if [ "${MIRI_LANES:-2}" = 1 ]; then
    lane stacked stacked_lane
    lane tree tree_lane
    exit 0
fi
lane stacked stacked_lane >"$logs/stacked" 2>&1 &
stacked_pid=$!
lane tree tree_lane >"$logs/tree" 2>&1 &
tree_pid=$!
status=0
wait "$stacked_pid" || status=1
echo "===== stacked lane: $([ $status = 0 ] && echo passed || echo FAILED)" >&2
cat "$logs/stacked" >&2
tree_status=0
wait "$tree_pid" || tree_status=1
echo "===== tree lane: $([ $tree_status = 0 ] && echo passed || echo FAILED)" >&2
cat "$logs/tree" >&2
[ $status = 0 ] && [ $tree_status = 0 ]
