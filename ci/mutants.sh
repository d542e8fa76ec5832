#!/usr/bin/env bash
# Ordering mutants: weakens each memory ordering in src/ one at a time (an
# operation's Acquire/Release/AcqRel/SeqCst becomes Relaxed; each call of
# the acquire fence is removed, and so is the fence itself), on a copy of
# the crate, and runs the loom models against each mutant. Prints one line
# per mutant and "K of M killed". Fails if a mutant survives unless the
# comment at its operation says "loom cannot see" (SAFETY.md, "Orderings
# loom cannot see", gives the reason for each).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export RUSTFLAGS="--cfg loom ${RUSTFLAGS:-}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target/mutants}"

cp -r Cargo.toml Cargo.lock README.md src loom-tests "$work/"
mkdir -p "$work/tests" "$work/benches" "$work/examples"
touch "$work/benches/peers.rs" # a declared target; the loom run does not build it

# The mutants, one per line: id, file, line, column (-1: remove the line),
# the text replaced, its replacement, and "explained" or "-".
python3 - "$work" >"$work/mutants.tsv" <<'PY'
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

echo "+ building the loom models once, unmutated" >&2
(cd "$work" && cargo test --release --tests --no-run -q)
targets=$(sed -n 's/^name = "\(loom_[a-z_]*\)"/\1/p' "$work/Cargo.toml")

total=0
killed=0
status=0
# fd 3: cargo must not read the mutant list from stdin.
while IFS=$'\t' read -r -u 3 id file line col old new tag; do
    total=$((total + 1))
    python3 - "$work/$file" "$line" "$col" "$old" <<'PY'
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
    verdict="SURVIVED"
    if ! (cd "$work" && cargo test --release --tests --no-run -q >/dev/null 2>&1); then
        verdict="KILLED by the compiler"
    else
        for target in $targets; do
            if ! (cd "$work" && timeout 600 cargo test --release --test "$target" -- --test-threads=1 >"$work/out" 2>&1); then
                # The failing model is the last one started: a loom failure
                # may abort the process before the summary.
                model=$(sed -n 's/^test \([a-z_0-9]*\) \.\.\..*$/\1/p' "$work/out" | tail -n1)
                verdict="KILLED by $target::${model:-?}"
                break
            fi
        done
    fi
    cp "$root/$file" "$work/$file"
    case "$verdict" in
        KILLED*) killed=$((killed + 1)) ;;
        *) if [ "$tag" = explained ]; then
               verdict="SURVIVED: loom cannot see it (SAFETY.md explains)"
           else
               status=1
           fi ;;
    esac
    printf '%-4s %s:%s  %s -> %s  %s\n' "$id" "$file" "$line" "$old" "$new" "$verdict"
done 3<"$work/mutants.tsv"

echo "$killed of $total killed"
exit $status
