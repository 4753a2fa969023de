#!/usr/bin/python3
"""Where does int8 training stop learning? Trains the digits MLP under eoq (`eoqsim train`,
functional mode) for every PE accumulator width x update rounding, and tabulates test accuracy,
accumulator saturations and the chip's energy per step.

Each point is eoq (configs/schemes/eoq.json) with its accumulator path set to intW and its
optimizer rounding set to nearest or stochastic, on edge_eoq with pe_array.accumulator_bits=W
(and 16-bit lanes in the quantization unit, which reads the accumulator).

Usage: /usr/bin/python3 analysis/functional_sweep.py [--eoqsim build/eoqsim] [--out DIR]
           [--widths 10,12,14,16,18,20,24,32] [--roundings nearest,stochastic] [--steps 1000] [--jobs 2]
Writes DIR/sweep.csv, DIR/sweep.md and DIR/sweep.png.
"""
import argparse
import csv
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def fail(msg):
    print("functional_sweep.py: error: " + msg, file=sys.stderr)
    sys.exit(2)


def int_list(s, what):
    try:
        v = [int(x) for x in s.split(",")]
    except ValueError:
        fail("%s: expected comma-separated integers, found %r" % (what, s))
    if any(x < 8 or x > 64 for x in v):
        fail("%s: accumulator widths must be 8..64, found %r" % (what, s))
    return v


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--eoqsim", default="build/eoqsim")
    ap.add_argument("--out", default="out/functional_sweep")
    ap.add_argument("--widths", default="10,12,14,16,18,20,24,32")
    ap.add_argument("--roundings", default="nearest,stochastic")
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args()
    widths = int_list(a.widths, "--widths")
    roundings = a.roundings.split(",")
    for r in roundings:
        if r not in ("nearest", "stochastic", "none"):
            fail("--roundings: expected nearest, stochastic or none, found %r" % r)
    os.makedirs(a.out, exist_ok=True)
    base = json.load(open(os.path.join(ROOT, "configs", "schemes", "eoq.json")))

    def point(w, rounding):
        name = "eoq_acc%d_%s" % (w, rounding)
        d = os.path.join(a.out, name)
        os.makedirs(d, exist_ok=True)
        s = json.loads(json.dumps(base))
        s["name"] = name
        s["tensors"]["accumulator"] = {"precision": "int%d" % w, "quantizer": "none",
                                       "note": "functional_sweep.py: accumulator width %d" % w}
        s["optimizer"]["rounding"] = rounding
        scheme = os.path.join(d, "scheme.json")
        with open(scheme, "w") as f:
            json.dump(s, f, indent=1)
        # The quantization unit reads the accumulator: narrow widths take its 16-bit lanes.
        cmd = [a.eoqsim, "train", "--chip", "edge_eoq", "--scheme", scheme, "--set", "pe_array.accumulator_bits=%d" % w,
               "--set", 'quant_unit.precisions=["int16","int32"]',
               "--network", "mlp", "--steps", str(a.steps), "--batch", str(a.batch), "--seed", str(a.seed),
               "--eval-every", str(max(1, a.steps // 10)), "--out", d]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            fail("%s failed (exit %d): %s" % (" ".join(cmd), r.returncode, r.stderr.strip()))
        t = json.load(open(os.path.join(d, "report.json")))["training"]
        accs = []
        with open(os.path.join(d, "training.csv")) as f:
            for row in csv.DictReader(f):
                if row["test_accuracy"]:
                    accs.append(float(row["test_accuracy"]))
        return {"accumulator_bits": w, "rounding": rounding, "final_test_accuracy": t["final_test_accuracy"],
                "best_test_accuracy": max(accs), "final_loss": t["final_loss"],
                "accumulator_saturations": t["accumulator_saturations"],
                "storage_saturations": t["storage_saturations"], "energy_per_step_uj": t["per_step"]["energy_j"] * 1e6}

    grid = [(w, r) for r in roundings for w in widths]
    with ThreadPoolExecutor(max_workers=max(1, a.jobs)) as ex:
        rows = list(ex.map(lambda p: point(*p), grid))

    keys = list(rows[0].keys())
    with open(os.path.join(a.out, "sweep.csv"), "w") as f:
        w = csv.DictWriter(f, fieldnames=keys, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    lines = ["| accumulator bits | " + " | ".join("%s rounding: final (best) test accuracy" % r for r in roundings) +
             " | MAC adds saturated per step (%s runs) |" % roundings[-1], "|---" * (len(roundings) + 2) + "|"]
    for wd in widths:
        cells = []
        sat = 0
        for r in roundings:
            p = next(x for x in rows if x["accumulator_bits"] == wd and x["rounding"] == r)
            cells.append("%.3f (%.3f)" % (p["final_test_accuracy"], p["best_test_accuracy"]))
            sat = p["accumulator_saturations"] / a.steps
        lines.append("| %d | %s | %.0f |" % (wd, " | ".join(cells), sat))
    with open(os.path.join(a.out, "sweep.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for r in roundings:
        pts = [x for x in rows if x["rounding"] == r]
        ax.plot([p["accumulator_bits"] for p in pts], [p["final_test_accuracy"] for p in pts], marker="o",
                label="update rounding: %s" % r)
    ax.axhline(0.1, color="grey", linestyle=":", label="chance (10 classes)")
    ax.set_xlabel("PE accumulator width (bits)")
    ax.set_ylabel("test accuracy after %d steps" % a.steps)
    ax.set_ylim(0, 1)
    ax.grid(True, alpha=0.3)
    ax.legend()
    ax.set_title("eoq on the digits MLP: accumulator width x update rounding")
    fig.tight_layout()
    fig.savefig(os.path.join(a.out, "sweep.png"), dpi=110)
    print("wrote %s/sweep.{csv,md,png}" % a.out)


if __name__ == "__main__":
    main()
