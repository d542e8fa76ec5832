#!/usr/bin/env python3
"""Draws the criterion results of the peer benchmarks as one SVG.

Run `cargo bench --manifest-path benches/Cargo.toml --features rayon` first.
Reads benches/target/criterion/<group>/<function>/new/{benchmark,estimates}.json and
draws, per group, each function's median time per iteration relative to
ArcArray's (lower is better; ArcArray is 1.0). The scale stops at CAP: a
longer bar (the 1 GiB copy of group 12, some 10^5 times calloc's) is drawn
to the edge, cut, its ratio printed in full. No dependency but Python 3.

    python3 benches/plot.py [criterion dir] [output.svg]

defaults: benches/target/criterion and benches/peers.svg (beside this
script).
"""

import html
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "target", "criterion")
out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "peers.svg")


def load(group_dir):
    """(function name, median ns) for each function of one group."""
    rows = []
    for name in sorted(os.listdir(group_dir)):
        new = os.path.join(group_dir, name, "new")
        if not os.path.isfile(os.path.join(new, "estimates.json")):
            continue
        with open(os.path.join(new, "benchmark.json")) as f:
            function = json.load(f)["function_id"]
        with open(os.path.join(new, "estimates.json")) as f:
            median = json.load(f)["median"]["point_estimate"]
        rows.append((function, median))
    return rows


def ours(rows):
    """ArcArray's row: the one whose name starts with "ArcArray" and, among
    those, the shortest (the in-place constructor, not a conversion); in the
    groups that build a unique array first (12, 15, 16), the one whose name
    starts with "new_zeroed" or "UniqueArcArray"."""
    for prefix in ("ArcArray", "new_zeroed", "UniqueArcArray"):
        candidates = [r for r in rows if r[0].startswith(prefix)]
        if candidates:
            return min(candidates, key=lambda r: len(r[0]))
    return None


def human(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def number(group):
    """A group's leading number, so that 11 sorts after 9."""
    head = group.split("_")[0]
    return (int(head), group) if head.isdigit() else (float("inf"), group)


groups = []
for group in sorted(os.listdir(root), key=number):
    path = os.path.join(root, group)
    if group == "report" or not os.path.isdir(path):
        continue
    rows = load(path)
    base = ours(rows)
    if base:
        groups.append((group, base, rows))

if not groups:
    sys.exit(f"no criterion results under {root}: run `cargo bench --manifest-path benches/Cargo.toml --features rayon` first")

bar_h, gap, label_w, plot_w, title_h = 18, 4, 300, 360, 26
height = 50 + sum(title_h + len(rows) * (bar_h + gap) + 10 for _, _, rows in groups)
width = label_w + plot_w + 200
scale_max = max(max(ns / base[1] for _, ns in rows) for _, base, rows in groups)
# Bars longer than this are cut at the edge.
CAP = 5.0
scale_max = min(max(scale_max, 1.0), CAP)

svg = [
    f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
    f'font-family="sans-serif" font-size="12">',
    f'<rect width="{width}" height="{height}" fill="white"/>',
    '<text x="10" y="22" font-size="15" font-weight="bold">heaparray against its peers: '
    "median time per iteration relative to ArcArray (lower is better)</text>",
]
y = 44
for group, base, rows in groups:
    svg.append(f'<text x="10" y="{y + 16}" font-weight="bold">{html.escape(group)}</text>')
    y += title_h
    x1 = label_w + plot_w / scale_max
    svg.append(
        f'<line x1="{x1:.1f}" y1="{y - 4}" x2="{x1:.1f}" '
        f'y2="{y + len(rows) * (bar_h + gap)}" stroke="#888" stroke-dasharray="3,3"/>'
    )
    for name, ns in rows:
        ratio = ns / base[1]
        cut = ratio > scale_max
        w = plot_w * min(ratio, scale_max) / scale_max
        colour = "#2b7bb9" if (name, ns) == base else "#c0c0c0"
        svg.append(
            f'<text x="{label_w - 8}" y="{y + 13}" text-anchor="end">{html.escape(name)}</text>'
        )
        svg.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}"/>')
        svg.append(
            f'<text x="{label_w + w + 6:.1f}" y="{y + 13}">{"cut: " if cut else ""}'
            f"{ratio:.2f}x ({human(ns)})</text>"
        )
        y += bar_h + gap
    y += 10
svg.append("</svg>")

with open(out, "w") as f:
    f.write("\n".join(svg) + "\n")
print(f"wrote {out}: {len(groups)} groups")
