#!/usr/bin/env bash
# Mutants of the count protocol, each run against the loom models on a copy
# of the crate. `bash ci/mutants.sh [all|ordering|logic] [ID...]` (default
# all; IDs pick mutants, e.g. `logic L3`).
#
# Ordering mutants: weakens each memory ordering in src/ one at a time (an
# operation's Acquire/Release/AcqRel/SeqCst becomes Relaxed; each call of
# the acquire fence is removed, and so is the fence itself). Fails if a
# mutant survives unless the comment at its operation says "loom cannot
# see" (SAFETY.md would then have to give the reason; since the counts
# share one word, no operation needs the mark).
#
# Logic mutants: the text patches listed in ci/logic-mutants.txt, one at a
# time. Every one must be killed by a loom model; a patch that no longer
# applies, or a mutant that does not compile, fails the script before (or
# instead of) counting it.
#
# Prints one line per mutant (its verdict, then its build and model
# seconds), "K of M killed" per kind, and where the time went.
#
# How it runs, and why (issue 18: this step took 428 s of CI's 1,669 s when
# it rebuilt `cargo test --release --tests` and ran whole loom targets
# through cargo for each mutant):
#
# - One binary. The copy gets a test target `loom_all` (loom-all/main.rs)
#   holding each loom-tests file as a module named after its target, with
#   loom-tests/common as one crate-level module (each file's `mod common;`
#   becomes `use crate::common;`, the only change to the model code). A
#   mutant compiles the crate and one test crate and links one binary, not
#   eight; a model's full name is then `target::model`, the name verdicts
#   give. Per mutant the build is `--lib --test loom_all`: the same code as
#   the `--tests` build of the copy (the crate's unit-test harness, empty
#   under loom, and every model).
# - A profile for the mutants: `mutants`, the release profile (optimised
#   dependencies, no debug assertions, the same loom and the same models)
#   with the crate and its tests at opt-level 0 and incremental. A mutant's
#   rebuild took 3 to 4.5 s of CPU at opt-level 3 (incremental; 8 s
#   without) and about 0.4 s here, while the models run about 1.25x slower
#   (a full unmutated run: 15.1 s of CPU against 11.9 s, most of it loom's
#   own code and the kernel's); the runs of the mutants cost less than the
#   builds saved. Every exploration stays exhaustive, as in ci/loom.sh.
# - The first failing model ends the mutant. The models run one at a time,
#   each in its own process of the one binary (`--exact`), in the order
#   the old runs met them: the targets in Cargo.toml's order, the models
#   of a target in the test harness's (name) order. The first that fails
#   kills the mutant and names it, as before, without running the rest of
#   its target: a mutant killed by loom_weak's first model no longer waits
#   for two_upgrades_race_last_strong_drop (110,609 executions). The 600 s
#   timeout is still one bound per target (each model gets what its
#   target has left). A survivor still runs every model.
# - Two lanes, one per core. The loom runs are single-threaded, so two
#   mutants run at once, each lane with its own copy of the crate and its
#   own target directory (cargo hashes a path package by its path relative
#   to the workspace, so two copies in one target directory would overwrite
#   each other's artifacts); the second is a copy of the first after the
#   unmutated build, so dependencies are built once. The lanes take the
#   next mutant from one queue, and the results are printed in mutant order.
#   MUTANTS_LANES=1 runs one lane.
#
# Files are restored from a snapshot taken at the start, so edits made to
# the working tree while the script runs do not mix into it.
set -euo pipefail
cd "$(dirname "$0")/.."
section=${1:-all}
case "$section" in
    all | ordering | logic) ;;
    *) echo "usage: $0 [all|ordering|logic] [ID...]" >&2; exit 2 ;;
esac
shift || true
only=" $* "
wanted() { [ "$only" = "  " ] || [[ "$only" == *" $1 "* ]]; }
root=$PWD
work=$(mktemp -d)
lane_pids=()
cleanup() {
    local pid
    echo 1000000 >"$work/next" 2>/dev/null || true
    for pid in "${lane_pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
export RUSTFLAGS="--cfg loom ${RUSTFLAGS:-}"
target_root="${CARGO_TARGET_DIR:-$root/target/mutants}"
unset CARGO_TARGET_DIR
step_start=${EPOCHREALTIME//[!0-9]/}
# Microseconds since the epoch, and tenths of a second between two of them.
now() { echo "${EPOCHREALTIME//[!0-9]/}"; }
secs() { local d=$(( ($2 - $1 + 50000) / 100000 )); echo "$((d / 10)).$((d % 10))"; }

# The snapshot every lane copies, and restores mutated files from.
pristine=$work/pristine
mkdir -p "$pristine"
cp -r Cargo.toml Cargo.lock README.md src loom-tests "$pristine/"
# The copy is the library alone: not the workspace's other members (the
# tour), so its manifest loses the [workspace] table.
python3 - "$pristine/Cargo.toml" <<'PY'
import re, sys
path = sys.argv[1]
toml = open(path).read()
toml, n = re.subn(r"(?ms)^\[workspace\]\n.*?(?=^\[)", "", toml)
assert n == 1, "Cargo.toml: no single [workspace] table"
open(path, "w").write(toml)
PY
mkdir -p "$pristine/tests" "$pristine/examples"
# Declared targets (examples with their own [[example]] entry) must exist
# for the manifest to parse; the loom run builds none of them.
sed -n '/^\[\[example\]\]/,/^$/s/^name = "\(.*\)"/\1/p' Cargo.toml |
    while read -r example; do touch "$pristine/examples/$example.rs"; done
targets=$(sed -n 's/^name = "\(loom_[a-z_]*\)"/\1/p' Cargo.toml)

# The mutants, one per line: id, file, line, column (-1: remove the line),
# the text replaced, its replacement, and "explained" or "-".
python3 - "$pristine" >"$work/mutants.tsv" <<'PY'
import os, re, sys
work = sys.argv[1]
n = 0
for d, _, files in sorted(os.walk(os.path.join(work, "src"))):
    for f in sorted(files):
        if not f.endswith(".rs"):
            continue
        path = os.path.join(d, f)
        rel = os.path.relpath(path, work)
        lines = open(path).read().split("\n")
        for i, line in enumerate(lines, 1):
            code = line.split("//")[0]
            if code.lstrip().startswith(("use ", "pub(crate) use ", "Ordering::{")):
                continue
            # The ThreadSanitizer mirror of the fence is not compiled under
            # loom; it is the same edge as the fence it stands in for.
            if i > 1 and "cfg(heaparray_tsan)" in lines[i - 2]:
                continue
            above = " ".join(lines[max(0, i - 8):i])
            tag = "explained" if "loom cannot see" in above else "-"
            if re.search(r"\b(acquire_)?fence\(", code):
                # A fence cannot be Relaxed: its mutant is its removal.
                if "fn " not in code:
                    n += 1
                    print(f"M{n}\t{rel}\t{i}\t-1\t{code.strip()}\t(removed)\t{tag}")
                continue
            for m in re.finditer(r"\b(Acquire|Release|AcqRel|SeqCst)\b", code):
                n += 1
                print(f"M{n}\t{rel}\t{i}\t{m.start()}\t{m.group(1)}\tRelaxed\t{tag}")
PY

# Writes one ordering mutant into a lane's copy.
cat >"$work/ordering.py" <<'PY'
import sys
path, line, col, old = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
lines = open(path).read().split("\n")
text = lines[line - 1]
if col >= 0:
    assert text[col:col + len(old)] == old, (text, old)
    lines[line - 1] = text[:col] + "Relaxed" + text[col + len(old):]
else:
    lines[line - 1] = "// mutant removed: " + text
open(path, "w").write("\n".join(lines))
PY

# The logic mutants' patches: `check` applies every mutant to an in-memory
# copy of the sources and fails loudly if a patch does not match exactly
# once, then lists "id<TAB>files<TAB>title"; `apply ID` writes one mutant.
cat >"$work/logic.py" <<'PY'
import os, sys
listing, work, cmd = sys.argv[1], sys.argv[2], sys.argv[3]

def parse(path):
    mutants, cur, file, hunk, part = [], None, None, None, None
    for n, line in enumerate(open(path).read().split("\n"), 1):
        if hunk is not None and line not in ("====", ">>>>"):
            hunk[part].append(line)
        elif line == "<<<<":
            assert cur and file, f"{path}:{n}: a hunk needs a mutant and a file"
            hunk, part = {"old": [], "new": [], "file": file, "line": n}, "old"
        elif line == "====" and hunk is not None and part == "old":
            part = "new"
        elif line == ">>>>" and hunk is not None and part == "new":
            cur["hunks"].append(hunk)
            hunk = None
        elif line.startswith("@@ "):
            id_, _, title = line[3:].strip().partition(" ")
            cur, file = {"id": id_, "title": title.strip(), "hunks": []}, None
            mutants.append(cur)
        elif line.startswith("file: "):
            file = line[6:].strip()
        elif line.strip() and not line.startswith("#"):
            sys.exit(f"{path}:{n}: unexpected line {line!r}")
    assert hunk is None, f"{path}: unterminated hunk"
    return mutants

def patched(mutant):
    texts = {}
    for h in mutant["hunks"]:
        path = os.path.join(work, h["file"])
        text = texts.get(path) or open(path).read()
        old = "\n".join(h["old"]) + "\n"
        new = "\n".join(h["new"]) + "\n" if h["new"] else ""
        # Whole lines: the text must start a line.
        count = ("\n" + text).count("\n" + old)
        if count != 1:
            sys.exit(f"ci/logic-mutants.txt:{h['line']}: mutant {mutant['id']}: the text to "
                     f"replace occurs {count} times in {h['file']}, not once: the list no "
                     f"longer matches the code; update it")
        texts[path] = ("\n" + text).replace("\n" + old, "\n" + new)[1:]
    return texts

mutants = parse(listing)
if cmd == "check":
    ids = [m["id"] for m in mutants]
    assert len(ids) == len(set(ids)), "duplicate mutant ids"
    for m in mutants:
        assert m["hunks"], f"mutant {m['id']} has no hunk"
        patched(m)
        files = ",".join(sorted({h["file"] for h in m["hunks"]}))
        print(f"{m['id']}\t{files}\t{m['title']}")
else:
    (m,) = [m for m in mutants if m["id"] == sys.argv[4]]
    for path, text in patched(m).items():
        open(path, "w").write(text)
PY
cp "$root/ci/logic-mutants.txt" "$work/logic-mutants.txt"
python3 "$work/logic.py" "$work/logic-mutants.txt" "$pristine" check >"$work/logic.tsv"

# The jobs, in the order their lines are printed: "ordering<TAB>mutant
# line" and "logic<TAB>id<TAB>files<TAB>title".
: >"$work/jobs"
if [ "$section" != logic ]; then
    while IFS=$'\t' read -r id rest; do
        if wanted "$id"; then printf 'ordering\t%s\t%s\n' "$id" "$rest" >>"$work/jobs"; fi
    done <"$work/mutants.tsv"
fi
if [ "$section" != ordering ]; then
    while IFS=$'\t' read -r id rest; do
        if wanted "$id"; then printf 'logic\t%s\t%s\n' "$id" "$rest" >>"$work/jobs"; fi
    done <"$work/logic.tsv"
fi
njobs=$(wc -l <"$work/jobs")

# The one-binary target and the mutants' profile, in the copy only.
python3 - "$pristine" $targets <<'PY'
import os, sys
work, targets = sys.argv[1], sys.argv[2:]
toml = open(os.path.join(work, "Cargo.toml")).read()
os.makedirs(os.path.join(work, "loom-all"))
main = ["//! ci/mutants.sh: the loom models of loom-tests/, one module per target.",
        "#![cfg(loom)]",
        '#[path = "../loom-tests/common/mod.rs"]',
        "mod common;"]
for target in targets:
    marker = f'[[test]]\nname = "{target}"\npath = "'
    assert toml.count(marker) == 1, f"Cargo.toml: no single [[test]] {target} with its path next"
    path = toml.split(marker)[1].split('"')[0]
    text = open(os.path.join(work, path)).read()
    assert text.count("\nmod common;\n") == 1, f"{path}: expected one `mod common;` line"
    text = text.replace("\nmod common;\n", "\nuse crate::common;\n")
    open(os.path.join(work, "loom-all", f"{target}.rs"), "w").write(text)
    main.append(f"mod {target};")
open(os.path.join(work, "loom-all", "main.rs"), "w").write("\n".join(main) + "\n")
toml += """
[[test]]
name = "loom_all"
path = "loom-all/main.rs"

[profile.mutants]
inherits = "release"
incremental = true

[profile.mutants.package.heaparray]
opt-level = 0
"""
open(os.path.join(work, "Cargo.toml"), "w").write(toml)
PY

lanes=${MUTANTS_LANES:-2}
[ "$(nproc)" -ge 2 ] || lanes=1
[ "$njobs" -ge "$lanes" ] || lanes=$((njobs > 0 ? njobs : 1))
for n in $(seq 0 $((lanes - 1))); do
    cp -a "$pristine" "$work/lane$n"
done
build=(cargo test --profile mutants --lib --test loom_all --no-run)

echo "+ building the loom models once, unmutated (profile mutants)" >&2
t=$(now)
mkdir -p "$target_root"
bin=$(cd "$work/lane0" && CARGO_TARGET_DIR=$target_root/lane0 "${build[@]}" -q --message-format=json |
    python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "loom_all" and m.get("executable"):
        print(m["executable"])')
[ -x "$bin" ] || { echo "error: no loom_all binary" >&2; exit 1; }
bin=${bin#"$target_root/lane0/"}
for n in $(seq 1 $((lanes - 1))); do
    rm -rf "$target_root/lane$n"
    cp -a "$target_root/lane0" "$target_root/lane$n"
done
# The models in the order the per-target runs met them.
"$target_root/lane0/$bin" --list >"$work/list"
for tg in $targets; do
    sed -n "s/^\(${tg}::[a-z_0-9]*\): test$/\1/p" "$work/list"
done >"$work/models"
if [ "$(wc -l <"$work/models")" != "$(grep -c ': test$' "$work/list")" ]; then
    echo "error: a model of loom_all belongs to no loom target" >&2
    exit 1
fi
build_once=$(secs "$t" "$(now)")
echo "+ unmutated build: $build_once s; $(wc -l <"$work/models") models, $lanes lanes" >&2

# Runs the models against lane $1's build until one fails and sets
# `verdict`: "KILLED by target::model" or "SURVIVED". A target's models
# share its 600 s bound.
run_models() {
    local dir=$1 exe=$2 model tg prev="" start=0 left
    verdict="SURVIVED"
    while read -r model; do
        tg=${model%%::*}
        if [ "$tg" != "$prev" ]; then prev=$tg; start=$(now); fi
        left=$((600000000 - ($(now) - start)))
        [ "$left" -gt 0 ] || left=1
        # In a subshell whose stderr is discarded: a mutant that aborts
        # the process would otherwise have bash print "Aborted" here.
        if ! (HEAPARRAY_LOOM_STARTS=1 timeout "$((left / 1000000)).$(printf %06d $((left % 1000000)))" \
            "$exe" --exact "$model" --nocapture --test-threads=1 >"$dir.out" 2>&1; exit $?) 2>/dev/null; then
            verdict="KILLED by $model"
            return
        fi
        if ! grep -q '^running 1 test$' "$dir.out"; then
            echo "error: $model did not run" >&2
            return 1
        fi
    done <"$work/models"
}

# A lane: takes the next job from the queue, mutates its copy, builds,
# runs the models, restores the files, and writes the job's result:
# "verdict<TAB>build seconds<TAB>model seconds".
echo 1 >"$work/next"
next_job() {
    local i
    { flock 9; i=$(<"$work/next"); echo $((i + 1)) >"$work/next"; } 9>"$work/queue.lock"
    [ "$i" -le "$njobs" ] && echo "$i"
}
lane() {
    local n=$1 dir=$work/lane$n i kind id a b c d e t0 t1 t2 file
    export CARGO_TARGET_DIR=$target_root/lane$n
    while i=$(next_job); do
        echo "$n" >"$work/taken.$i"
        IFS=$'\t' read -r kind id a b c d e < <(sed -n "${i}p" "$work/jobs")
        if [ "$kind" = ordering ]; then
            python3 "$work/ordering.py" "$dir/$a" "$b" "$c" "$d"
            files=$a
        else
            python3 "$work/logic.py" "$work/logic-mutants.txt" "$dir" apply "$id"
            files=${a//,/ }
        fi
        t0=$(now)
        if (cd "$dir" && "${build[@]}" -q >"$work/build.$i" 2>&1); then
            t1=$(now)
            run_models "$dir" "$CARGO_TARGET_DIR/$bin"
        else
            t1=$(now)
            verdict="KILLED by the compiler"
        fi
        t2=$(now)
        for file in $files; do
            cp "$pristine/$file" "$dir/$file"
        done
        printf '%s\t%s\t%s\n' "$verdict" "$(secs "$t0" "$t1")" "$(secs "$t1" "$t2")" >"$work/result.$i.tmp"
        mv "$work/result.$i.tmp" "$work/result.$i"
    done
}
for n in $(seq 0 $((lanes - 1))); do
    lane "$n" &
    lane_pids+=($!)
done

# Waits for job $1's result and sets verdict, build_s and run_s. A lane
# that stopped (a patch that failed, a model that did not run) ends the
# script with an error.
result() {
    local pid alive taken
    while [ ! -e "$work/result.$1" ]; do
        alive=0
        for pid in "${lane_pids[@]}"; do
            if kill -0 "$pid" 2>/dev/null; then alive=1; fi
        done
        taken=$(cat "$work/taken.$1" 2>/dev/null || echo "")
        if [ ! -e "$work/result.$1" ] && { [ "$alive" = 0 ] ||
            { [ -n "$taken" ] && ! kill -0 "${lane_pids[$taken]}" 2>/dev/null; }; }; then
            echo "error: the lanes stopped before mutant $1 of $njobs was done" >&2
            exit 1
        fi
        sleep 0.2
    done
    IFS=$'\t' read -r verdict build_s run_s <"$work/result.$1"
    sum_build=$(awk -v a="$sum_build" -v b="$build_s" 'BEGIN { print a + b }')
    sum_run=$(awk -v a="$sum_run" -v b="$run_s" 'BEGIN { print a + b }')
}

status=0
sum_build=0
sum_run=0
i=0
total=0
killed=0
[ "$section" = logic ] || echo "== ordering mutants" >&2
while IFS=$'\t' read -r kind id file line col old new tag; do
    i=$((i + 1))
    [ "$kind" = ordering ] || break
    total=$((total + 1))
    result "$i"
    case "$verdict" in
        KILLED*) killed=$((killed + 1)) ;;
        *) if [ "$tag" = explained ]; then
               verdict="SURVIVED: loom cannot see it (SAFETY.md explains)"
           else
               status=1
           fi ;;
    esac
    printf '%-4s %s:%s  %s -> %s  %s  [build %s s, models %s s]\n' \
        "$id" "$file" "$line" "$old" "$new" "$verdict" "$build_s" "$run_s"
done <"$work/jobs"
[ "$section" = logic ] || echo "ordering mutants: $killed of $total killed"

ltotal=0
lkilled=0
[ "$section" = ordering ] || echo "== logic mutants (ci/logic-mutants.txt)" >&2
i=0
while IFS=$'\t' read -r kind id files title; do
    i=$((i + 1))
    [ "$kind" = logic ] || continue
    ltotal=$((ltotal + 1))
    result "$i"
    case "$verdict" in
        "KILLED by the compiler")
            verdict="ERROR: does not compile (fix ci/logic-mutants.txt)"
            sed -n '1,20p' "$work/build.$i" >&2
            status=1 ;;
        KILLED*) lkilled=$((lkilled + 1)) ;;
        *) status=1 ;;
    esac
    printf '%-4s %s\n     %s  [build %s s, models %s s]\n' "$id" "$title" "$verdict" "$build_s" "$run_s"
done <"$work/jobs"
[ "$section" = ordering ] || echo "logic mutants: $lkilled of $ltotal killed"
echo "mutants: $njobs in $(secs "$step_start" "$(now)") s (unmutated build $build_once s;" \
    "per mutant, summed over $lanes lanes: builds $sum_build s, models $sum_run s)"
exit $status
