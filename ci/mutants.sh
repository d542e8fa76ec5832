#!/usr/bin/env bash
# Mutants of the count protocol, each run against the loom models on a copy
# of the crate. `bash ci/mutants.sh [all|ordering|logic] [ID...]` (default
# all; IDs pick mutants, e.g. `logic L3`).
#
# Ordering mutants: weakens each memory ordering in src/ one at a time (an
# operation's Acquire/Release/AcqRel/SeqCst becomes Relaxed; each call of
# the acquire fence is removed, and so is the fence itself). Fails if a
# mutant survives unless the comment at its operation says "loom cannot
# see" (SAFETY.md, "Orderings loom cannot see", gives the reason for each).
#
# Logic mutants: the text patches listed in ci/logic-mutants.txt, one at a
# time. Every one must be killed by a loom model; a patch that no longer
# applies, or a mutant that does not compile, fails the script before (or
# instead of) counting it.
#
# Prints one line per mutant and "K of M killed" per kind.
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
trap 'rm -rf "$work"' EXIT
export RUSTFLAGS="--cfg loom ${RUSTFLAGS:-}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target/mutants}"

cp -r Cargo.toml Cargo.lock README.md src loom-tests "$work/"
mkdir -p "$work/tests" "$work/benches" "$work/examples"
# Declared targets (the bench, examples with their own [[example]] entry)
# must exist for the manifest to parse; the loom run builds none of them.
touch "$work/benches/peers.rs"
sed -n '/^\[\[example\]\]/,/^$/s/^name = "\(.*\)"/\1/p' Cargo.toml |
    while read -r example; do touch "$work/examples/$example.rs"; done

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
python3 "$work/logic.py" "$root/ci/logic-mutants.txt" "$work" check >"$work/logic.tsv"

echo "+ building the loom models once, unmutated" >&2
(cd "$work" && cargo test --release --tests --no-run -q)
targets=$(sed -n 's/^name = "\(loom_[a-z_]*\)"/\1/p' "$work/Cargo.toml")

# Runs the loom targets in Cargo.toml's order against the mutated copy and
# sets `verdict`: "KILLED by target::model" (the first model that fails),
# "KILLED by the compiler" or "SURVIVED".
run_models() {
    verdict="SURVIVED"
    if ! (cd "$work" && cargo test --release --tests --no-run -q >"$work/build" 2>&1); then
        verdict="KILLED by the compiler"
        return
    fi
    for target in $targets; do
        if ! (cd "$work" && HEAPARRAY_LOOM_STARTS=1 timeout 600 cargo test --release --test "$target" -- --nocapture --test-threads=1 >"$work/out" 2>&1); then
            # The first failing model: each says on stderr when it starts,
            # and they run one at a time, so it is the one running when the
            # harness first reports FAILED; or, if the process crashed
            # before (poisoned memory can make a mutant dereference garbage,
            # or panic again while unwinding), the last one started.
            model=$(awk '/started: [a-z_0-9]+$/ { current = $NF }
                /(^| )FAILED$/ && failed == "" { failed = current }
                END { print (failed != "" ? failed : current) }' "$work/out")
            verdict="KILLED by $target::${model:-?}"
            return
        fi
    done
}

status=0
total=0
killed=0
[ "$section" = logic ] || echo "== ordering mutants" >&2
# fd 3: cargo must not read the mutant list from stdin.
while [ "$section" != logic ] && IFS=$'\t' read -r -u 3 id file line col old new tag; do
    wanted "$id" || continue
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
    run_models
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
[ "$section" = logic ] || echo "ordering mutants: $killed of $total killed"

ltotal=0
lkilled=0
[ "$section" = ordering ] || echo "== logic mutants (ci/logic-mutants.txt)" >&2
while [ "$section" != ordering ] && IFS=$'\t' read -r -u 3 id files title; do
    wanted "$id" || continue
    ltotal=$((ltotal + 1))
    python3 "$work/logic.py" "$root/ci/logic-mutants.txt" "$work" apply "$id"
    run_models
    for file in ${files//,/ }; do
        cp "$root/$file" "$work/$file"
    done
    case "$verdict" in
        "KILLED by the compiler")
            verdict="ERROR: does not compile (fix ci/logic-mutants.txt)"
            sed -n '1,20p' "$work/build" >&2
            status=1 ;;
        KILLED*) lkilled=$((lkilled + 1)) ;;
        *) status=1 ;;
    esac
    printf '%-4s %s\n     %s\n' "$id" "$title" "$verdict"
done 3<"$work/logic.tsv"
[ "$section" = ordering ] || echo "logic mutants: $lkilled of $ltotal killed"
exit $status
