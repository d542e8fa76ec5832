#!/usr/bin/env bash
# cargo-mutants over src/: every function body, operator and match arm
# that cargo-mutants knows how to change, changed in turn on a copy of the
# tree, against the native test suite (nextest, every feature, so the serde
# and rayon code is mutated and tested). A second, one-mutant pass builds
# without `std` for the no_std abort, which only exists there.
#
# Fails if a mutant is missed that ci/cargo-mutants-misses.md does not list
# (each listed one is argued there), or, on a full run, if the list names a
# mutant that is no longer missed. Names are compared without their
# line:column, so that edits elsewhere in a file do not stale the list.
# Timeouts (a mutant that makes a test hang) count as caught.
#
# Usage: bash ci/cargo-mutants.sh [cargo-mutants args, e.g. --file src/block/mod.rs]
# (with arguments only the first pass runs, and stale entries are not checked).
# MUTANTS_TIMEOUT (seconds a test run may take, default 90), MUTANTS_JOBS
# (default 1). Output: target/cargo-mutants/{main,nostd}/mutants.out.
# A full run (268 + 1 mutants) took 44 minutes on a 2-core machine that
# was running other builds too.
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C # one sort order for comm
run() { echo "+ $*" >&2; "$@"; }

version=27.1.0
if [ "$(cargo mutants --version 2>/dev/null)" != "cargo-mutants $version" ]; then
    run cargo install --locked cargo-mutants --version "$version"
fi

# Each copy of the tree builds in its own target/ (not a shared one).
unset CARGO_TARGET_DIR
out=target/cargo-mutants
rm -rf "$out"
mkdir -p "$out"
common=(--test-tool=nextest --timeout "${MUTANTS_TIMEOUT:-90}" --jobs "${MUTANTS_JOBS:-1}"
    --exclude 'src/**/*_tests.rs')
nostd='PanicOnDrop'

# cargo-mutants exits 2 when mutants are missed, 3 on timeouts (judged
# below), anything else on an error (a failing unmutated tree is 4).
judge() { case $1 in 0 | 2 | 3) ;; *) exit "$1" ;; esac; }
status=0
run cargo mutants "${common[@]}" --all-features --exclude-re "$nostd" \
    -o "$out/main" "$@" || status=$?
judge "$status"
missed=("$out/main/mutants.out/missed.txt")
if [ $# -eq 0 ]; then
    status=0
    run cargo mutants "${common[@]}" --no-default-features --file src/sync.rs --re "$nostd" \
        -o "$out/nostd" || status=$?
    judge "$status"
    missed+=("$out/nostd/mutants.out/missed.txt")
fi

# A mutant's name without its line:column; repeated names numbered.
names() { sed -E 's/^([^:]+):[0-9]+:[0-9]+: /\1: /' | awk '{ print $0 " #" ++n[$0] }' | sort; }
got=$(cat "${missed[@]}" | names)
# The list: the `- ` items of the misses file, each a name in backquotes.
want=$(sed -nE 's/^- `([^`]+)`.*$/\1/p' ci/cargo-mutants-misses.md | names)

for f in "$out"/*/mutants.out/timeout.txt; do
    if [ -s "$f" ]; then
        echo "timed out (counted as caught):" >&2
        cat "$f" >&2
    fi
done
unexpected=$(comm -23 <(echo "$got") <(echo "$want") | sed '/^$/d')
stale=$(comm -13 <(echo "$got") <(echo "$want") | sed '/^$/d')
if [ -n "$unexpected" ]; then
    echo "missed, and not argued in ci/cargo-mutants-misses.md:" >&2
    echo "$unexpected" >&2
    exit 1
fi
if [ $# -eq 0 ] && [ -n "$stale" ]; then
    echo "listed in ci/cargo-mutants-misses.md but no longer missed:" >&2
    echo "$stale" >&2
    exit 1
fi
echo "cargo-mutants: every missed mutant is argued ($(echo "$got" | sed '/^$/d' | wc -l) of them)" >&2
