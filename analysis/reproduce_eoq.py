#!/usr/bin/python3
"""Reproduces the EOQ paper's cost and speed comparisons with eoqsim, and the sweeps behind them.

Usage: /usr/bin/python3 analysis/reproduce_eoq.py [--quick] [--out DIR] [--eoqsim PATH] [--jobs N]

Writes to DIR (default reproduce-out):
  normalization.png  FP32 BN inference vs EOQ's 8-bit Fixup layers: energy and latency ratios per
                     network and per assumption, beside the paper's >70x (power) / >18x (speed)
  norm_layers.png    the same per block of ResNet-18
  training.png       one training step under FP32-BN, BF16-BN, int8 + FP32 BN, WAGEUBN and EOQ:
                     energy by category and cycles by phase
  batch_sweep.png    energy and time per sample, and BN's share of the step, against batch size
  summary.md         every figure in tables, the assumptions, and where each number comes from
and keeps every eoqsim run under DIR/runs/. Progress goes to stderr. --quick uses small networks
and fewer points (for CI); the full setting runs ResNet-18/34/50 and batches 1..256 in minutes.
"""
import argparse
import concurrent.futures
import csv
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError as e:  # pragma: no cover - environment problem
    sys.stderr.write("reproduce_eoq.py: matplotlib is needed (Debian: python3-matplotlib): %s\n" % e)
    sys.exit(2)

# The paper's claim (EOQ, arXiv 2105.13890, ar5iv version; reference/papers.md 2.2): 8-bit EOQ
# networks without BN are ">70x lower in power, >18x faster in the processing speed compared with
# the traditional 32-bit floating-point BN inference process".
PAPER_POWER, PAPER_SPEED = 70.0, 18.0

TRAINING_PAIRS = [("fp32_bn", "edge_bn_fp32"), ("bf16_bn", "edge_bf16"), ("int8_fp32bn", "edge_int8_fp32bn"),
                  ("wageubn", "edge_wageubn"), ("eoq", "edge_eoq")]
CATEGORIES = ["compute", "sram", "dram", "interconnect", "quant", "norm", "vector", "update", "leakage"]
PHASES = ["fwd", "bwd_e", "bwd_w", "upd"]


class Runner:
    def __init__(self, eoqsim, out, jobs):
        self.eoqsim, self.out, self.jobs = eoqsim, out, jobs
        self.count = 0
        self.started = time.time()

    def progress(self, msg):
        sys.stderr.write("[%6.1fs] %s\n" % (time.time() - self.started, msg))
        sys.stderr.flush()

    def run(self, name, args):
        """One eoqsim invocation into DIR/runs/NAME; returns that directory."""
        d = os.path.join(self.out, "runs", name)
        cmd = [self.eoqsim] + args + ["--out", d]
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if p.returncode != 0:
            raise RuntimeError("%s failed (exit %d): %s" % (" ".join(cmd), p.returncode, p.stderr.strip()))
        self.count += 1
        self.progress("done %s" % name)
        return d

    def cli(self, args):
        """An eoqsim command that writes its own output file (network, trace)."""
        cmd = [self.eoqsim] + args
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if p.returncode != 0:
            raise RuntimeError("%s failed (exit %d): %s" % (" ".join(cmd), p.returncode, p.stderr.strip()))
        self.count += 1

    def many(self, jobs):
        """Runs {name: args} in parallel; returns {name: directory} in the given order."""
        with concurrent.futures.ThreadPoolExecutor(max_workers=self.jobs) as ex:
            futures = {name: ex.submit(self.run, name, args) for name, args in jobs.items()}
            return {name: f.result() for name, f in futures.items()}


def layers(d):
    with open(os.path.join(d, "layers.csv")) as f:
        return list(csv.DictReader(f))


def report(d):
    with open(os.path.join(d, "report.json")) as f:
        return json.load(f)


def norm_totals(rows, types):
    sel = [r for r in rows if r["type"] in types]
    return sum(float(r["energy_pj"]) for r in sel), sum(int(r["cycles"]) for r in sel), len(sel)


def block_of(layer):
    """ResNet block prefix ("layer1.0") or "stem"/"head" for layers outside blocks."""
    parts = layer.split(".")
    if parts[0].startswith("layer") and len(parts) > 2:
        return parts[0] + "." + parts[1]
    return "stem" if layer in ("bn1", "bias1") else "head"


def ratio(a, b):
    return a / b if b > 0 else float("inf")


def fmt_ratio(x):
    return "∞ (fully hidden)" if x == float("inf") else "%.1f×" % x


# --- 1. The normalization step ------------------------------------------------------------------

def strip_layers(net, types):
    """The network JSON without layers of `types`, their readers rewired to their inputs."""
    alias = {}
    layers_out = []
    for layer in net["layers"]:
        ins = [alias.get(i, i) for i in layer["inputs"]]
        if layer["type"] in types:
            alias[layer["name"]] = ins[0]
            continue
        layer = dict(layer)
        layer["inputs"] = ins
        layers_out.append(layer)
    out = dict(net)
    out["name"] = net["name"] + "_plain"
    out["form"] = "plain"
    out["layers"] = layers_out
    return out


def run_totals(d):
    rep = report(d)
    return rep["totals"]["energy_pj"], rep["totals"]["cycles"]


def normalization(r, quick):
    networks = ["resnet18"] if quick else ["resnet18", "resnet34", "resnet50"]
    batch = "1"
    work = os.path.join(r.out, "networks")
    os.makedirs(work, exist_ok=True)
    folded = json.load(open(os.path.join(ROOT, "configs", "schemes", "fp32_bn.json")))
    folded["name"] = "fp32_bn_folded"
    folded["bn"]["inference"] = "folded"
    folded_path = os.path.join(work, "fp32_bn_folded.json")
    with open(folded_path, "w") as f:
        json.dump(folded, f, indent=2)
    # Each variant changes one assumption of the FP32 BN side (reference/papers.md 4.2).
    variants = [
        ("unfolded", "traditional FP32 BN: sub, div, mul, add per element, one iterative divider "
                     "(25 cycles, a new division every 24)", "fp32_bn", []),
        ("pipelined div", "the same with 16 pipelined dividers (a new division per cycle each)", "fp32_bn",
         ["--set", "norm_unit.div.count=16", "--set", "norm_unit.div.interval=1"]),
        ("folded", "folded BN: per channel one sqrt and one division, then a multiply-add per element",
         folded_path, []),
        ("on chip", "unfolded BN fused on the conv output path: activations stay on chip", "fp32_bn",
         ["--set", "norm_unit.fused=true"]),
        ("folded, on chip", "folded BN fused on the conv output path: BN's best case", folded_path,
         ["--set", "norm_unit.fused=true"]),
    ]
    # The cost of normalization is what a network pays over the same network without it: each
    # network also runs with its BN (FP32) or Fixup (EOQ) layers removed.
    plain = {}
    for net in networks:
        for form, types in (("bn", ("batchnorm",)), ("fixup", ("fixup_bias", "fixup_scale"))):
            path = os.path.join(work, "%s_%s.json" % (net, form))
            r.cli(["network", "--network", "%s:%s" % (net, form), "-o", path])
            plain_path = os.path.join(work, "%s_%s_plain.json" % (net, form))
            with open(plain_path, "w") as f:
                json.dump(strip_layers(json.load(open(path)), types), f, indent=1)
            plain[(net, form)] = plain_path
    jobs = {}
    for net in networks:
        base = ["run", "--mode", "infer", "--batch", batch]
        jobs["norm_%s_eoq" % net] = base + ["--network", net, "--chip", "edge_eoq", "--scheme", "eoq"]
        jobs["norm_%s_eoq_plain" % net] = base + ["--network", plain[(net, "fixup")], "--chip", "edge_eoq",
                                                  "--scheme", "eoq"]
        jobs["norm_%s_fp32_plain" % net] = base + ["--network", plain[(net, "bn")], "--chip", "edge_bn_fp32",
                                                   "--scheme", "fp32_bn"]
        for key, _, scheme, sets in variants:
            jobs["norm_%s_%s" % (net, key.replace(" ", "_").replace(",", ""))] = (
                base + ["--network", net, "--chip", "edge_bn_fp32", "--scheme", scheme] + sets)
    dirs = r.many(jobs)
    results = []
    for net in networks:
        eoq_rows = layers(dirs["norm_%s_eoq" % net])
        fe, fc, fn = norm_totals(eoq_rows, ("fixup_bias", "fixup_scale"))
        e_eoq, c_eoq = run_totals(dirs["norm_%s_eoq" % net])
        e_eoq0, c_eoq0 = run_totals(dirs["norm_%s_eoq_plain" % net])
        e_fp0, c_fp0 = run_totals(dirs["norm_%s_fp32_plain" % net])
        for key, desc, _, _ in variants:
            d = dirs["norm_%s_%s" % (net, key.replace(" ", "_").replace(",", ""))]
            be, bc, bnn = norm_totals(layers(d), ("batchnorm",))
            e_fp, c_fp = run_totals(d)
            results.append({"network": net, "variant": key, "desc": desc,
                            "bn_delta_pj": e_fp - e_fp0, "bn_delta_cycles": c_fp - c_fp0,
                            "fixup_delta_pj": e_eoq - e_eoq0, "fixup_delta_cycles": c_eoq - c_eoq0,
                            "energy_ratio": ratio(e_fp - e_fp0, e_eoq - e_eoq0),
                            "speed_ratio": ratio(c_fp - c_fp0, c_eoq - c_eoq0),
                            "bn_energy_pj": be, "bn_cycles": bc, "fixup_energy_pj": fe, "fixup_cycles": fc,
                            "rows_energy_ratio": ratio(be, fe), "rows_speed_ratio": ratio(bc, fc)})
    # Per block of ResNet-18, base variant.
    bn_rows = layers(dirs["norm_resnet18_unfolded"])  # per block: the layers' own rows
    fx_rows = layers(dirs["norm_resnet18_eoq"])
    blocks = []
    for row in bn_rows:
        if row["type"] == "batchnorm" and block_of(row["layer"]) not in blocks:
            blocks.append(block_of(row["layer"]))
    per_block = []
    for b in blocks:
        be = sum(float(x["energy_pj"]) for x in bn_rows if x["type"] == "batchnorm" and block_of(x["layer"]) == b)
        bc = sum(int(x["cycles"]) for x in bn_rows if x["type"] == "batchnorm" and block_of(x["layer"]) == b)
        fe = sum(float(x["energy_pj"]) for x in fx_rows
                 if x["type"] in ("fixup_bias", "fixup_scale") and block_of(x["layer"]) == b)
        fc = sum(int(x["cycles"]) for x in fx_rows
                 if x["type"] in ("fixup_bias", "fixup_scale") and block_of(x["layer"]) == b)
        per_block.append({"block": b, "bn_energy_pj": be, "bn_cycles": bc, "fixup_energy_pj": fe, "fixup_cycles": fc})

    # Figures.
    fig, (ax_e, ax_s) = plt.subplots(1, 2, figsize=(12, 4.5))
    keys = [v[0] for v in variants]
    width = 0.8 / len(networks)
    for k, net in enumerate(networks):
        rows = [x for x in results if x["network"] == net]
        xs = [i + k * width for i in range(len(keys))]
        ax_e.bar(xs, [x["energy_ratio"] for x in rows], width, label=net)
        ax_s.bar(xs, [min(x["speed_ratio"], 1e7) for x in rows], width, label=net)
    for ax, paper, what in ((ax_e, PAPER_POWER, "energy"), (ax_s, PAPER_SPEED, "latency")):
        ax.axhline(paper, color="k", linestyle="--", linewidth=1)
        ax.text(-0.4, paper * 1.1, "paper: >%g×" % paper, ha="left", fontsize=8)
        ax.set_xticks([i + width * (len(networks) - 1) / 2 for i in range(len(keys))])
        ax.set_xticklabels(keys, fontsize=8)
        ax.set_yscale("log")
        ax.set_ylabel("FP32 BN / EOQ Fixup (%s)" % what)
        ax.legend(fontsize=8, loc="upper right")
    ax_e.set_title("cost of normalization, inference, batch %s: FP32 BN / EOQ Fixup, energy" % batch, fontsize=9)
    ax_s.set_title("latency (EOQ's Fixup adds few cycles: it rides on the array)", fontsize=9)
    fig.tight_layout()
    fig.savefig(os.path.join(r.out, "normalization.png"), dpi=100)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(12, 4))
    xs = range(len(per_block))
    ax.bar([x - 0.2 for x in xs], [b["bn_energy_pj"] * 1e-6 for b in per_block], 0.4, label="FP32 BN (unfolded)")
    ax.bar([x + 0.2 for x in xs], [b["fixup_energy_pj"] * 1e-6 for b in per_block], 0.4, label="EOQ Fixup (int8)")
    ax.set_xticks(list(xs))
    ax.set_xticklabels([b["block"] for b in per_block], rotation=30, fontsize=8)
    ax.set_yscale("log")
    ax.set_ylabel("energy per inference (µJ)")
    ax.set_title("ResNet-18, batch %s: normalization energy per block" % batch, fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(r.out, "norm_layers.png"), dpi=100)
    plt.close(fig)
    return results, per_block


def compare(r, name, network, batches, pairs, extra=()):
    """One `eoqsim compare` of `pairs` over `batches`; returns its directory and compare.json."""
    args = ["compare", "--network", network, "--batch", ",".join(str(b) for b in batches)] + list(extra)
    for s, c in pairs:
        args += ["--pair", "%s:%s" % (s, c)]
    d = r.run(name, args)
    with open(os.path.join(d, "compare.json")) as f:
        return d, json.load(f)


# --- 2. The training step -----------------------------------------------------------------------

def training(r, quick):
    net, batch = ("resnet20", "8") if quick else ("resnet18", "32")
    d, cmp = compare(r, "training", net, [batch], TRAINING_PAIRS)
    runs = []
    for run in cmp["runs"]:
        rep = report(os.path.join(d, run["dir"]))
        runs.append({"pair": run["pair"], "scheme": run["scheme"], "cycles": run["cycles"],
                     "energy_pj": run["energy_pj"], "avg_power_w": run["avg_power_w"],
                     "peak_power_w": run["peak_power_w"], "area_mm2": run["area_mm2"],
                     "dram_bytes": run["dram_read_bytes"] + run["dram_write_bytes"],
                     "speedup": run["speedup_vs_first"], "energy_ratio": run["energy_ratio_vs_first"],
                     "breakdown": rep["energy_breakdown_pj"],
                     "phases": {p: rep["phases"].get(p, {}).get("cycles", 0) for p in PHASES}})
    fig, (ax_e, ax_c) = plt.subplots(1, 2, figsize=(12, 4.5))
    names = [x["scheme"] for x in runs]
    bottom = [0.0] * len(runs)
    for cat in CATEGORIES:
        vals = [x["breakdown"].get(cat, 0.0) * 1e-9 for x in runs]
        if any(v > 0 for v in vals):
            ax_e.bar(names, vals, bottom=bottom, label=cat)
            bottom = [b + v for b, v in zip(bottom, vals)]
    ax_e.set_ylabel("energy per training step (mJ)")
    ax_e.set_title("%s, batch %s: energy by category" % (net, batch), fontsize=9)
    ax_e.legend(fontsize=7)
    bottom = [0.0] * len(runs)
    for ph in PHASES:
        vals = [x["phases"][ph] / 1e6 for x in runs]
        ax_c.bar(names, vals, bottom=bottom, label=ph)
        bottom = [b + v for b, v in zip(bottom, vals)]
    ax_c.set_ylabel("cycles per training step (millions)")
    ax_c.set_title("cycles by phase (each scheme on its edge chip)", fontsize=9)
    ax_c.legend(fontsize=7)
    for ax in (ax_e, ax_c):
        ax.tick_params(axis="x", labelsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(r.out, "training.png"), dpi=100)
    plt.close(fig)
    return net, batch, runs


# --- 3. Batch-size sweep ------------------------------------------------------------------------

def batch_sweep(r, quick):
    net = "resnet20" if quick else "resnet18"
    batches = [1, 4, 16] if quick else [1, 2, 4, 8, 16, 32, 64, 128, 256]
    pairs = [("fp32_bn", "edge_bn_fp32"), ("wageubn", "edge_wageubn"), ("eoq", "edge_eoq")]
    # FP32 training at batch 256 keeps more than the edge chips' 4 GiB of DRAM busy: the sweep
    # gives every chip 16 GiB (capacity only; timing and energy per bit are unchanged).
    d, cmp = compare(r, "batch_sweep", net, batches, pairs, ["--set", "dram.capacity=16 GiB"])
    rows = []
    for run in cmp["runs"]:
        lr = layers(os.path.join(d, run["dir"]))
        bn_e, bn_c, _ = norm_totals(lr, ("batchnorm",))
        rows.append({"scheme": run["scheme"], "batch": run["batch"], "cycles": run["cycles"],
                     "energy_pj": run["energy_pj"], "bn_cycle_share": bn_c / run["cycles"],
                     "bn_energy_share": bn_e / run["energy_pj"]})
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    for s, _ in pairs:
        sel = [x for x in rows if x["scheme"] == s]
        bs = [x["batch"] for x in sel]
        axes[0].plot(bs, [x["energy_pj"] * 1e-9 / x["batch"] for x in sel], marker="o", label=s)
        axes[1].plot(bs, [x["cycles"] / 1e6 / x["batch"] for x in sel], marker="o", label=s)
        if s != "eoq":
            axes[2].plot(bs, [100 * x["bn_cycle_share"] for x in sel], marker="o", label=s + " (cycles)")
            axes[2].plot(bs, [100 * x["bn_energy_share"] for x in sel], marker="x", linestyle="--",
                         label=s + " (energy)")
    axes[0].set_ylabel("energy per sample (mJ)")
    axes[1].set_ylabel("cycles per sample (millions)")
    axes[2].set_ylabel("BN layers' share of the step (%)")
    for ax in axes:
        ax.set_xscale("log", base=2)
        ax.set_xlabel("batch size")
        ax.legend(fontsize=7)
    axes[0].set_title("%s training step" % net, fontsize=9)
    axes[2].set_title("EOQ has no BN: 0%", fontsize=9)
    fig.tight_layout()
    fig.savefig(os.path.join(r.out, "batch_sweep.png"), dpi=100)
    plt.close(fig)
    return net, rows


# --- Summary ------------------------------------------------------------------------------------

def write_summary(r, quick, norm, per_block, train, sweep):
    norm_rows, (tnet, tbatch, truns), (snet, srows) = norm, train, sweep
    L = []
    L.append("# EOQ cost and speed claims, reproduced with eoqsim")
    L.append("")
    L.append("Generated by `/usr/bin/python3 analysis/reproduce_eoq.py%s` (%d eoqsim runs, kept under `runs/`). "
             "Every number traces to a run's `report.json` / `layers.csv`." % (" --quick" if quick else "", r.count))
    L.append("")
    L.append("## 1. Normalization step: FP32 BN inference vs EOQ's 8-bit Fixup layers")
    L.append("")
    L.append("The paper: \">70× lower in power, >18× faster\" than \"the traditional 32-bit floating-point BN "
             "inference process\" (EOQ, ar5iv version; reference/papers.md 2.2). eoqsim measures the cost of "
             "normalization as what a network pays over the same network with its normalization layers removed: "
             "FP32 inference on `edge_bn_fp32` with and without its BatchNorm layers, against EOQ inference on "
             "`edge_eoq` with and without its Fixup scalar layers (batch 1). This counts BN's extra passes over "
             "the activations, its DRAM traffic and its sqrt/div, and nothing both networks pay anyway. The last "
             "two columns give the ratio of the normalization layers' own rows in `layers.csv` instead.")
    L.append("")
    L.append("| network | FP32 BN variant | BN costs (µJ) | Fixup costs (µJ) | energy ratio | BN adds cycles | "
             "Fixup adds cycles | latency ratio | rows: energy | rows: latency |")
    L.append("|---|---|---|---|---|---|---|---|---|---|")
    for x in norm_rows:
        L.append("| %s | %s | %.1f | %.2f | %s | %d | %d | %s | %s | %s |" % (
            x["network"], x["variant"], x["bn_delta_pj"] * 1e-6, x["fixup_delta_pj"] * 1e-6,
            fmt_ratio(x["energy_ratio"]), x["bn_delta_cycles"], x["fixup_delta_cycles"],
            fmt_ratio(x["speed_ratio"]), fmt_ratio(x["rows_energy_ratio"]), fmt_ratio(x["rows_speed_ratio"])))
    L.append("")
    L.append("Variants of the FP32 BN side (the assumptions that move the ratio):")
    L.append("")
    seen = set()
    for x in norm_rows:
        if x["variant"] not in seen:
            seen.add(x["variant"])
            L.append("- **%s**: %s." % (x["variant"], x["desc"]))
    L.append("")
    L.append("![normalization](normalization.png)")
    L.append("")
    L.append("Per block of ResNet-18 (unfolded FP32 BN vs EOQ Fixup, the layers' own rows):")
    L.append("")
    L.append("| block | BN energy (µJ) | Fixup energy (µJ) | ratio | BN cycles | Fixup cycles |")
    L.append("|---|---|---|---|---|---|")
    for b in per_block:
        L.append("| %s | %.2f | %.3f | %s | %d | %d |" % (b["block"], b["bn_energy_pj"] * 1e-6,
                                                       b["fixup_energy_pj"] * 1e-6,
                                                       fmt_ratio(ratio(b["bn_energy_pj"], b["fixup_energy_pj"])),
                                                       b["bn_cycles"], b["fixup_cycles"]))
    L.append("")
    L.append("![per block](norm_layers.png)")
    L.append("")
    L.append("## 2. One training step, five schemes, each on its edge chip")
    L.append("")
    L.append("%s, batch %s. Ratios are FP32-BN / this scheme." % (tnet, tbatch))
    L.append("")
    L.append("| scheme | cycles | speed-up | energy (mJ) | energy ratio | avg power (W) | peak power (W) | "
             "DRAM (MB) | area (mm²) |")
    L.append("|---|---|---|---|---|---|---|---|---|")
    for x in truns:
        L.append("| %s | %d | %.2f× | %.2f | %.2f× | %.3f | %.3f | %.1f | %.2f |" % (
            x["pair"], x["cycles"], x["speedup"], x["energy_pj"] * 1e-9, x["energy_ratio"], x["avg_power_w"],
            x["peak_power_w"], x["dram_bytes"] / 1e6, x["area_mm2"]))
    L.append("")
    L.append("Energy by category (mJ):")
    L.append("")
    L.append("| scheme | " + " | ".join(CATEGORIES) + " |")
    L.append("|---|" + "---|" * len(CATEGORIES))
    for x in truns:
        L.append("| %s | " % x["scheme"] + " | ".join("%.2f" % (x["breakdown"].get(c, 0.0) * 1e-9)
                                                    for c in CATEGORIES) + " |")
    L.append("")
    L.append("![training](training.png)")
    L.append("")
    L.append("## 3. Batch size")
    L.append("")
    L.append("%s training step; per sample, and the BN layers' share of the step. Every chip gets 16 GiB of DRAM "
             "for this sweep (FP32 training at batch 256 needs more than the edge chips' 4 GiB)." % snet)
    L.append("")
    L.append("| scheme | batch | energy per sample (mJ) | cycles per sample | BN share of cycles | "
             "BN share of energy |")
    L.append("|---|---|---|---|---|---|")
    for x in srows:
        L.append("| %s | %d | %.3f | %d | %.1f%% | %.1f%% |" % (
            x["scheme"], x["batch"], x["energy_pj"] * 1e-9 / x["batch"], x["cycles"] // x["batch"],
            100 * x["bn_cycle_share"], 100 * x["bn_energy_share"]))
    L.append("")
    L.append("![batch sweep](batch_sweep.png)")
    L.append("")
    L.append("## What the numbers rest on")
    L.append("")
    L.append("- Technology: `configs/tech/45nm.json` (Horowitz ISSCC 2014 per-op energies, CACTI 7.0 SRAM, sqrt/div "
             "estimates marked `estimate`); each run's `report.json` lists every event's price and source "
             "(`energy_per_event`) and the area items with sources.")
    L.append("- Chips: `configs/chips/edge_*.json` (32×32 PEs at 1 GHz, 512 KiB buffer, LPDDR4 at 12.8 GB/s); "
             "`edge_wageubn`'s PEs carry FP32 MACs for WAGEUBN's FP32 first and last layers, which dominates its "
             "area.")
    L.append("- Schemes: `configs/schemes/*.json`, each value with its source or marked `[ASSUMPTION]`; EOQ's "
             "own quantizer formulas are not published, so `eoq` uses WAGEUBN's primitives (papers.md 2.4).")
    L.append("- The paper's 70×/18× table is not available (papers.md 2.2): which BN variant and which sqrt/div "
             "hardware it assumed is unknown, which is why the variants above are shown side by side.")
    with open(os.path.join(r.out, "summary.md"), "w") as f:
        f.write("\n".join(L) + "\n")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="small networks and few points (seconds; for CI)")
    p.add_argument("--out", default="reproduce-out", help="output directory (default reproduce-out)")
    p.add_argument("--eoqsim", default=os.path.join(ROOT, "build", "eoqsim"), help="the eoqsim binary")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="parallel eoqsim runs")
    a = p.parse_args()
    if not os.access(a.eoqsim, os.X_OK):
        sys.stderr.write("reproduce_eoq.py: error: %s is not an executable eoqsim (build it, or give --eoqsim)\n"
                         % a.eoqsim)
        return 2
    if a.jobs < 1:
        sys.stderr.write("reproduce_eoq.py: error: --jobs must be at least 1\n")
        return 2
    os.makedirs(a.out, exist_ok=True)
    r = Runner(a.eoqsim, a.out, a.jobs)
    try:
        r.progress("normalization step")
        norm = normalization(r, a.quick)
        r.progress("training step, five schemes")
        train = training(r, a.quick)
        r.progress("batch-size sweep")
        sweep = batch_sweep(r, a.quick)
    except RuntimeError as e:
        sys.stderr.write("reproduce_eoq.py: error: %s\n" % e)
        return 1
    write_summary(r, a.quick, norm[0], norm[1], train, sweep)
    r.progress("wrote %s/{normalization,norm_layers,training,batch_sweep}.png and summary.md" % a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
