#!/usr/bin/python3
"""Trains the digits MLP under several schemes on their chips with `eoqsim train` (functional mode)
and draws training loss and test accuracy on one figure.

Usage:
  /usr/bin/python3 analysis/plot_training.py [--eoqsim build/eoqsim] [--out DIR] [--steps N]
      [--pair SCHEME:CHIP ...] [--network mlp] [--jobs 2] [--require SCHEME=ACC ...]
  /usr/bin/python3 analysis/plot_training.py --from DIR1 DIR2 ... --out DIR   (plot existing runs)

Writes DIR/training.png, DIR/summary.md and one run directory per pair (training.csv,
report.json). --require eoq=0.9 exits 1 when that scheme's final test accuracy is lower.
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

DEFAULT_PAIRS = ["fp32_bn:edge_bn_fp32", "wageubn:edge_wageubn", "eoq:edge_eoq"]


def fail(msg):
    print("plot_training.py: error: " + msg, file=sys.stderr)
    sys.exit(2)


def run_pair(a, pair):
    scheme, chip = pair.split(":", 1)
    d = os.path.join(a.out, scheme + "_" + os.path.basename(chip).replace(".json", ""))
    cmd = [a.eoqsim, "train", "--chip", chip, "--scheme", scheme, "--network", a.network, "--steps", str(a.steps),
           "--batch", str(a.batch), "--seed", str(a.seed), "--eval-every", str(a.eval_every), "--out", d]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        fail("%s failed (exit %d): %s" % (" ".join(cmd), r.returncode, r.stderr.strip()))
    return d


def read_run(d):
    path = os.path.join(d, "training.csv")
    if not os.path.exists(path):
        fail("%s: no training.csv (not an `eoqsim train` directory)" % d)
    steps, loss, acc_steps, acc = [], [], [], []
    with open(path) as f:
        rows = csv.DictReader(f)
        if rows.fieldnames != ["step", "loss", "test_accuracy"]:
            fail("%s: expected the header step,loss,test_accuracy, found %s" % (path, rows.fieldnames))
        for i, row in enumerate(rows, 2):
            try:
                steps.append(int(row["step"]))
                loss.append(float(row["loss"]))
                if row["test_accuracy"]:
                    acc_steps.append(int(row["step"]))
                    acc.append(float(row["test_accuracy"]))
            except ValueError:
                fail("%s line %d: expected numbers, found %s" % (path, i, row))
    rep = json.load(open(os.path.join(d, "report.json")))
    return {"dir": d, "steps": steps, "loss": loss, "acc_steps": acc_steps, "acc": acc, "training": rep["training"]}


def smooth(v, w):
    out, s = [], 0.0
    for i, x in enumerate(v):
        s += x
        if i >= w:
            s -= v[i - w]
        out.append(s / min(i + 1, w))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--eoqsim", default="build/eoqsim")
    ap.add_argument("--out", default="out/training")
    ap.add_argument("--pair", action="append", help="SCHEME:CHIP (repeatable; default fp32_bn, wageubn, eoq)")
    ap.add_argument("--network", default="mlp")
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--eval-every", type=int, default=100)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--from", dest="from_dirs", nargs="+", help="plot existing `eoqsim train` directories")
    ap.add_argument("--require", action="append", default=[], help="SCHEME=ACCURACY: minimum final test accuracy")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    if a.from_dirs:
        dirs = a.from_dirs
    else:
        pairs = a.pair or DEFAULT_PAIRS
        for p in pairs:
            if ":" not in p:
                fail("--pair expects SCHEME:CHIP, found %r" % p)
        with ThreadPoolExecutor(max_workers=max(1, a.jobs)) as ex:
            dirs = list(ex.map(lambda p: run_pair(a, p), pairs))
    runs = [read_run(d) for d in dirs]

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5))
    for r in runs:
        t = r["training"]
        label = "%s on %s" % (t["scheme"], t["chip"])
        ax1.plot(r["steps"], smooth(r["loss"], 25), label=label)
        ax2.plot(r["acc_steps"], r["acc"], marker="o", markersize=3, label=label)
    ax1.set_xlabel("step")
    ax1.set_ylabel("training loss (moving average of 25 steps)")
    ax1.set_yscale("log")
    ax2.set_xlabel("step")
    ax2.set_ylabel("test accuracy (%d held-out digits)" % runs[0]["training"]["test_images"])
    ax2.set_ylim(0, 1)
    for ax in (ax1, ax2):
        ax.grid(True, alpha=0.3)
        ax.legend()
    t0 = runs[0]["training"]
    fig.suptitle("%s on the 8x8 digits, batch %d, computed by the chips' units (eoqsim train)" % (t0["network"], t0["batch"]))
    fig.tight_layout()
    png = os.path.join(a.out, "training.png")
    fig.savefig(png, dpi=110)

    lines = ["| scheme | chip | steps | final test accuracy | best test accuracy | final loss (25-step mean) | "
             "accumulator saturations | storage saturations | chip time for the run (s) | chip energy (mJ) |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    final = {}
    for r in runs:
        t = r["training"]
        final[t["scheme"]] = t["final_test_accuracy"]
        lines.append("| %s | %s | %d | %.4f | %.4f | %.4f | %d | %d | %.4g | %.4g |" % (
            t["scheme"], t["chip"], t["steps"], t["final_test_accuracy"], max(r["acc"]), smooth(r["loss"], 25)[-1],
            t["accumulator_saturations"], t["storage_saturations"], t["run"]["seconds"], t["run"]["energy_j"] * 1e3))
    with open(os.path.join(a.out, "summary.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    print("wrote %s and %s" % (png, os.path.join(a.out, "summary.md")))
    status = 0
    for req in a.require:
        scheme, _, acc = req.partition("=")
        if scheme not in final:
            fail("--require %s: no run of scheme %s" % (req, scheme))
        if final[scheme] < float(acc):
            print("FAIL: %s final test accuracy %.4f < %s" % (scheme, final[scheme], acc), file=sys.stderr)
            status = 1
    sys.exit(status)


if __name__ == "__main__":
    main()
