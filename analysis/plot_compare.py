#!/usr/bin/env python3
"""Draws an `eoqsim compare` directory: energy breakdown and cycles per phase, side by side.

Usage: /usr/bin/python3 analysis/plot_compare.py DIR   (writes DIR/compare.png)
Reads only eoqsim's output files (DIR/compare.json and each run's report.json).
"""
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

CATEGORIES = ["compute", "sram", "dram", "interconnect", "quant", "norm", "vector", "update", "leakage"]
PHASES = ["fwd", "bwd_e", "bwd_w", "upd"]


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    d = argv[1]
    try:
        cmp = json.load(open(os.path.join(d, "compare.json")))
    except (OSError, json.JSONDecodeError) as e:
        print(f"plot_compare: {d}/compare.json: {e}", file=sys.stderr)
        return 2
    reports = []
    groups = {(run["network"], run["batch"]) for run in cmp["runs"]}
    for run in cmp["runs"]:
        path = os.path.join(d, run["dir"], "report.json")
        label = run["pair"] if len(groups) == 1 else f"{run['network']} b{run['batch']}\n{run['pair']}"
        try:
            reports.append((label, json.load(open(path))))
        except (OSError, json.JSONDecodeError) as e:
            print(f"plot_compare: {path}: {e}", file=sys.stderr)
            return 2
    width = max(12, 1.6 * len(reports))
    fig, (ax_e, ax_c) = plt.subplots(1, 2, figsize=(width, 4.5))
    names = [p for p, _ in reports]
    bottom = [0.0] * len(reports)
    for cat in CATEGORIES:
        vals = [r["energy_breakdown_pj"].get(cat, 0.0) * 1e-9 for _, r in reports]
        if any(v > 0 for v in vals):
            ax_e.bar(names, vals, bottom=bottom, label=cat)
            bottom = [b + v for b, v in zip(bottom, vals)]
    ax_e.set_ylabel("energy per step (mJ)")
    title = ", ".join(f"{n} batch {b}" for n, b in sorted(groups))
    ax_e.set_title(f"{title}: energy by category", fontsize=9)
    for ax in (ax_e, ax_c):
        ax.tick_params(axis="x", labelsize=7, labelrotation=30)
    ax_e.legend(fontsize=8)
    bottom = [0.0] * len(reports)
    for ph in PHASES:
        vals = [r["phases"].get(ph, {}).get("cycles", 0) / 1e6 for _, r in reports]
        ax_c.bar(names, vals, bottom=bottom, label=ph)
        bottom = [b + v for b, v in zip(bottom, vals)]
    ax_c.set_ylabel("cycles per step (millions)")
    ax_c.set_title("cycles by phase")
    ax_c.legend(fontsize=8)
    fig.tight_layout()
    out = os.path.join(d, "compare.png")
    fig.savefig(out, dpi=120)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
