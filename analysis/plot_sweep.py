#!/usr/bin/python3
"""Draws a sweep's results: Pareto fronts and parameter sensitivity.

Usage: /usr/bin/python3 analysis/plot_sweep.py DIR [--group COLUMN]
Reads DIR/results.csv (from `eoqsim sweep` or `eoqsim sweep-merge`) and writes
  DIR/pareto.png       energy vs cycles per step, and area vs throughput, one colour per group
                       (default: the scheme), Pareto-optimal points joined
  DIR/sensitivity.png  energy and cycles against each swept parameter (each point, and the
                       median per value), one colour per group
Only points with status "ok" are drawn. Exit status 2 on a missing or malformed results.csv.
"""
import argparse
import csv
import os
import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

WORKLOAD = ["chip", "scheme", "network", "batch", "mode"]


def fail(msg):
    sys.stderr.write("plot_sweep.py: error: %s\n" % msg)
    sys.exit(2)


UNITS = {"b": 1, "kib": 1024, "mib": 1024 ** 2, "gib": 1024 ** 3, "kb": 1e3, "mb": 1e6, "gb": 1e9,
         "hz": 1, "khz": 1e3, "mhz": 1e6, "ghz": 1e9, "b/s": 1, "kb/s": 1e3, "mb/s": 1e6, "gb/s": 1e9,
         "tb/s": 1e12, "s": 1, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}


def number(v):
    """A value as a number, quantities with units in their base unit ("128 KiB" -> 131072)."""
    try:
        return float(v)
    except ValueError:
        pass
    parts = v.split()
    if len(parts) == 2 and parts[1].lower() in UNITS:
        try:
            return float(parts[0]) * UNITS[parts[1].lower()]
        except ValueError:
            return None
    return None


def pareto(points, minimize_x=True, minimize_y=True):
    """The points no other point beats in both coordinates, sorted by x."""
    sx = 1 if minimize_x else -1
    sy = 1 if minimize_y else -1
    best = []
    for x, y in sorted(points, key=lambda p: (sx * p[0], sy * p[1])):
        if not best or sy * y < sy * best[-1][1]:
            best.append((x, y))
    return best


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dir")
    p.add_argument("--group", default="scheme", help="column that picks the colour (default scheme)")
    a = p.parse_args()
    path = os.path.join(a.dir, "results.csv")
    try:
        with open(path) as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        fail("%s: %s" % (path, e))
    if not rows or "status" not in rows[0] or "point" not in rows[0]:
        fail("%s: not a sweep results.csv (no point/status columns)" % path)
    if a.group not in rows[0]:
        fail("--group %s: no such column in %s" % (a.group, path))
    ok = [r for r in rows if r["status"] == "ok"]
    if not ok:
        fail("%s: no point with status ok" % path)
    header = list(rows[0].keys())
    params = header[1:header.index("status")]
    groups = sorted({r[a.group] for r in ok})
    # Parameters that vary within a group (a column zipped with the group, like chip with scheme,
    # says nothing more).
    swept = [c for c in params if c != a.group and
             any(len({r[c] for r in ok if r[a.group] == g}) > 1 for g in groups)]

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.8))
    for g in groups:
        sel = [r for r in ok if r[a.group] == g]
        pts = [(float(r["cycles"]) / 1e6, float(r["energy_pj"]) * 1e-9) for r in sel]
        ax1.scatter(*zip(*pts), s=14, alpha=0.6, label=g)
        front = pareto(pts)
        ax1.plot(*zip(*front), linewidth=1.2)
        pts2 = [(float(r["throughput_samples_per_s"]), float(r["area_mm2"])) for r in sel]
        ax2.scatter(*zip(*pts2), s=14, alpha=0.6, label=g)
        front2 = pareto(pts2, minimize_x=False, minimize_y=True)
        ax2.plot(*zip(*front2), linewidth=1.2)
    ax1.set_xlabel("cycles per step (millions)")
    ax1.set_ylabel("energy per step (mJ)")
    ax1.set_title("energy vs time (lines: Pareto fronts)", fontsize=9)
    ax2.set_xlabel("throughput (samples/s)")
    ax2.set_ylabel("area (mm²)")
    ax2.set_title("area vs throughput (lines: Pareto fronts)", fontsize=9)
    for ax in (ax1, ax2):
        ax.legend(fontsize=7, title=a.group, title_fontsize=7)
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(os.path.join(a.dir, "pareto.png"), dpi=100)
    plt.close(fig)

    if swept:
        fig, axes = plt.subplots(2, len(swept), figsize=(4 * len(swept), 6.5), squeeze=False)
        for k, col in enumerate(swept):
            values = sorted({r[col] for r in ok}, key=lambda v: (number(v) is None, number(v) or 0, v))
            xs = {v: i for i, v in enumerate(values)}
            for g in groups:
                sel = [r for r in ok if r[a.group] == g]
                for row, (metric, scale, label) in enumerate((("energy_pj", 1e-9, "energy (mJ)"),
                                                              ("cycles", 1e-6, "cycles (millions)"))):
                    ax = axes[row][k]
                    ax.scatter([xs[r[col]] for r in sel], [float(r[metric]) * scale for r in sel], s=8, alpha=0.4)
                    med = [statistics.median([float(r[metric]) * scale for r in sel if r[col] == v] or [float("nan")])
                           for v in values]
                    ax.plot(range(len(values)), med, marker="o", label=g)
                    ax.set_xticks(range(len(values)))
                    ax.set_xticklabels(values, rotation=30, fontsize=7)
                    ax.set_ylabel(label, fontsize=8)
                    if row == 1:
                        ax.set_xlabel(col, fontsize=8)
        axes[0][0].legend(fontsize=7, title=a.group, title_fontsize=7)
        fig.suptitle("sensitivity: each point, and the median per value", fontsize=9)
        fig.tight_layout()
        fig.savefig(os.path.join(a.dir, "sensitivity.png"), dpi=100)
        plt.close(fig)
    print("wrote %s/pareto.png%s" % (a.dir, " and sensitivity.png" if swept else ""))


if __name__ == "__main__":
    main()
