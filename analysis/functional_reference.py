#!/usr/bin/python3
"""A second, independent implementation of eoqsim's functional mode in PyTorch, to check the C++
one bit for bit:

  quantizers  WAGEUBN's quantizers (reference/papers.md 1.2-1.5) on random tensors, against
              `eoqsim quantize`, with the same seeded xorshift32 generator;
  step        one EOQ training step of the digits MLP (64-128-128-10, no BN), written out by hand
              from the papers' formulas and the scheme (configs/schemes/eoq.json), against
              `eoqsim train --steps 1 --dump-parameters`: every weight, bias and momentum.

Usage: /usr/bin/python3 analysis/functional_reference.py EOQSIM [quantizers|step|all] [--trials N]
Exits 1 on the first mismatch, naming it. Needs python3-torch.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile

import torch

torch.set_default_dtype(torch.float64)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# ---- the generator: xorshift32 (Marsaglia 2003), uniform = top 24 bits / 2^24 ------------------
class Rng:
    def __init__(self, seed):
        s = ((seed ^ (seed >> 32)) & 0xFFFFFFFF) ^ 0x2545F491
        self.s = s if s != 0 else 1

    def next(self):
        x = self.s
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        self.s = x
        return x

    def uniform(self):
        return (self.next() >> 8) * 2.0 ** -24

    def uniforms(self, n):
        return torch.tensor([self.uniform() for _ in range(n)])


# ---- the quantizers, on float64 tensors ---------------------------------------------------------
def pow2_round(x):
    return 0.0 if not x > 0 else 2.0 ** round(math.log2(x))  # Python's round: half to even


def direct(x, k):
    s = 2.0 ** (k - 1)
    return torch.round(x * s) / s  # torch.round rounds half to even


def clip(x, k):
    if k >= 32:
        return x
    d = 2.0 ** (1 - k)
    return x.clamp(-1 + d, 1 - d)


def stochastic_round(y, rng):
    a = y.abs()
    f = a.floor()
    u = rng.uniforms(y.numel()).reshape(y.shape)
    r = f + (u < (a - f)).to(y.dtype)
    return torch.where(y < 0, -r, r)


def q_direct(x, k):
    return direct(x, k), 2.0 ** (1 - k), 0.0


def q_clip(x, k):
    return clip(direct(x, k), k), 2.0 ** (1 - k), 0.0


def q_sr(x, k, rng):
    s = 2.0 ** (k - 1)
    return stochastic_round(x * s, rng) / s, 1 / s, 0.0


def q_shift(x, k, scale=0.0):
    R = scale if scale > 0 else pow2_round(x.abs().max().item() if x.numel() else 0.0)
    if R == 0:
        return torch.zeros_like(x), 0.0, 0.0
    return R * direct(x / R, k).clamp(-1.0, 1.0), R * 2.0 ** (1 - k), R


def q_flag(x, k, scale=0.0):
    R = scale if scale > 0 else pow2_round(x.abs().max().item() if x.numel() else 0.0)
    s = R * 2.0 ** (1 - k)
    if R == 0:
        return torch.zeros_like(x), 0.0, 0.0
    z = x.abs() / s
    sign = torch.sign(x)
    top = 2.0 ** (k - 1) - 1
    fine = sign * direct(z, k).clamp(-1.0, 1.0)
    coarse = sign * torch.round(z).clamp(-top, top)
    return s * torch.where(z < 1, fine, coarse), s * 2.0 ** (1 - k), R


def q_constant_sr(x, k, rng, g_scale=128.0, scale=0.0):
    R = scale if scale > 0 else pow2_round(x.abs().max().item() if x.numel() else 0.0)
    denom = 128.0 * 2.0 ** (k - 1)
    n = direct(g_scale * x / R, 32) if R > 0 else torch.zeros_like(x)
    n = stochastic_round(n, rng).clamp(-(g_scale - 1), g_scale - 1)
    return direct(n / denom, 15), 1 / denom, R


# ---- check 1: quantizers against `eoqsim quantize` -----------------------------------------------
def random_tensor(gen, trial):
    n = 1 + int(torch.randint(0, 300, (1,), generator=gen))
    mag = 2.0 ** float(torch.randint(-12, 4, (1,), generator=gen))
    x = torch.randn(n, generator=gen) * mag
    kind = trial % 5
    if kind == 1:  # values exactly on rounding boundaries of the 8-bit grid
        x = (torch.randint(-300, 300, (n,), generator=gen) + 0.5) * 2.0 ** -7
    elif kind == 2:
        x = torch.zeros(n)
    elif kind == 3:
        x = torch.full((n,), float(x[0]))
    return x


def check_quantizers(eoqsim, trials):
    gen = torch.Generator().manual_seed(12345)
    checked = 0
    with tempfile.TemporaryDirectory() as tmp:
        for trial in range(trials):
            x = random_tensor(gen, trial)
            path = os.path.join(tmp, "x.json")
            with open(path, "w") as f:
                json.dump(x.tolist(), f)
            for name in ("direct", "clip", "sr", "shift", "flag", "constant_sr"):
                for k in (4, 8, 13) if name != "constant_sr" else (8,):
                    seed = 1000 + trial
                    out = subprocess.run([eoqsim, "quantize", "--quantizer", name, "--bits", str(k), "--in", path,
                                          "--seed", str(seed)], check=True, capture_output=True, text=True).stdout
                    got = json.loads(out)
                    rng = Rng(seed)
                    want, lsb, scale = {
                        "direct": lambda: q_direct(x, k), "clip": lambda: q_clip(x, k), "sr": lambda: q_sr(x, k, rng),
                        "shift": lambda: q_shift(x, k), "flag": lambda: q_flag(x, k),
                        "constant_sr": lambda: q_constant_sr(x, k, rng)}[name]()
                    g = torch.tensor(got["values"])
                    if not torch.equal(g, want) or got["lsb"] != lsb or got["scale"] != scale:
                        bad = int((g != want).nonzero()[0]) if g.shape == want.shape and not torch.equal(g, want) else -1
                        sys.exit("MISMATCH %s k=%d trial %d: element %d eoqsim %r reference %r (lsb %r/%r scale %r/%r)" %
                                 (name, k, trial, bad, got["values"][bad] if bad >= 0 else None,
                                  float(want[bad]) if bad >= 0 else None, got["lsb"], lsb, got["scale"], scale))
                    checked += 1
    print("quantizers: %d cases bit-identical (direct, clip, sr, shift, flag, constant_sr; k = 4, 8, 13)" % checked)


# ---- check 2: one EOQ training step of the digits MLP ----------------------------------------------
def load_digits():
    images, labels = [], []
    with open(os.path.join(ROOT, "data", "digits", "digits.txt")) as f:
        for line in f:
            line = line.strip()
            if line:
                labels.append(int(line[0]))
                images.append([(ord(c) - ord("a")) / 16.0 for c in line[2:]])
    train = [i for i in range(len(images)) if i % 5 != 4]  # the test split is every fifth image
    return [images[i] for i in train], [labels[i] for i in train]


def saturate(x, lsb, bits):
    """An integer tensor of `bits` bits on grid `lsb` holds codes -2^(bits-1) .. 2^(bits-1)-1."""
    return x.clamp(-(2.0 ** (bits - 1)) * lsb, (2.0 ** (bits - 1) - 1) * lsb)


def f32(x):
    return x.to(torch.float32).to(torch.float64)


def eoq_mlp_step(seed, batch, lr, momentum, wd, g_scale=128.0):
    """One step of eoq (configs/schemes/eoq.json) on the MLP, op by op in the trace's order."""
    images, labels = load_digits()
    unit_rng, init_rng, order_rng = Rng(seed), Rng(seed + 0x1000193), Rng(seed + 0x2000193)
    sizes = [(64, 128), (128, 128), (128, 10)]
    P = {}
    for li, (fin, fout) in enumerate(sizes, 1):  # U(-b, b), b = 1/sqrt(fan_in), onto Q(., 8), int8
        b = 1 / math.sqrt(fin)
        w = torch.tensor([(2 * init_rng.uniform() - 1) * b for _ in range(fin * fout)]).reshape(fout, fin)
        bias = torch.tensor([(2 * init_rng.uniform() - 1) * b for _ in range(fout)])
        P["fc%d.weight" % li] = saturate(direct(w, 8), 2 ** -7, 8)
        P["fc%d.bias" % li] = saturate(direct(bias, 8), 2 ** -7, 8)
        P["fc%d.weight.momentum" % li] = torch.zeros(fout, fin)
        P["fc%d.bias.momentum" % li] = torch.zeros(fout)
    order = list(range(len(images)))
    for i in range(len(order) - 1, 0, -1):  # Fisher-Yates
        j = order_rng.next() % (i + 1)
        order[i], order[j] = order[j], order[i]
    idx = order[:batch]
    x = saturate(direct(torch.tensor([images[i] for i in idx]), 8), 2 ** -7, 8)
    y = [labels[i] for i in idx]

    # Forward: int8 codes multiply exactly; biases add on the int32 grid; A = shift (step 1: own max).
    acts, outs = [x], []
    h = x
    for li in (1, 2, 3):
        z = h @ P["fc%d.weight" % li].T + P["fc%d.bias" % li]
        a, lsb, _ = q_shift(z, 8)
        a = saturate(a, lsb, 8)
        outs.append(a)
        h = a.clamp(min=0) if li < 3 else a
        if li < 3:
            acts.append(h)
    z = h
    # Softmax in FP32, per sample, as the vector unit computes it.
    probs = torch.zeros_like(z)
    for b in range(batch):
        zb = z[b].tolist()
        mx = max(zb)
        s = sum(math.exp(v - mx) for v in zb)
        probs[b] = f32(torch.tensor([math.exp(v - mx) / s for v in zb]))
    e = probs.clone()
    for b in range(batch):
        e[b, y[b]] -= 1.0
    e = f32(e / batch)
    e, lsb, _ = q_shift(e, 8)
    e = saturate(e, lsb, 8)

    grads = {}
    for li in (3, 2, 1):
        W = P["fc%d.weight" % li]
        if li > 1:  # error into the layer below: E (shift), then the ReLU mask
            dx, lsb, _ = q_shift(e @ W, 8)
            dx = saturate(dx, lsb, 8)
        dW = e.T @ acts[li - 1]
        g, lsb, _ = q_constant_sr(dW, 8, unit_rng, g_scale)
        grads["fc%d.weight" % li] = g
        g, lsb, _ = q_constant_sr(e.sum(0), 8, unit_rng, g_scale)
        grads["fc%d.bias" % li] = g
        if li > 1:
            e = torch.where(acts[li - 1] > 0, dx, torch.zeros_like(dx))
    # Update: m = Q(mu*m + g + wd*w, 8); w = SR(w - lr*m) onto the 8-bit grid, fc1 first.
    for li in (1, 2, 3):
        for part in ("weight", "bias"):
            name = "fc%d.%s" % (li, part)
            w, m = P[name], P[name + ".momentum"]
            m = saturate(direct(momentum * m + (grads[name] + wd * w), 8), 2 ** -7, 8)
            w, _, _ = q_sr(w - lr * m, 8, unit_rng)
            P[name], P[name + ".momentum"] = saturate(w, 2 ** -7, 8), m
    return P


def check_step(eoqsim, seed=7, batch=16, lr=0.1, momentum=0.9, wd=1e-4):
    want = eoq_mlp_step(seed, batch, lr, momentum, wd)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([eoqsim, "train", "--chip", "edge_eoq", "--scheme", "eoq", "--network", "mlp", "--steps", "1",
                        "--batch", str(batch), "--seed", str(seed), "--lr", str(lr), "--momentum", str(momentum),
                        "--weight-decay", str(wd), "--dump-parameters", "--out", tmp],
                       check=True, capture_output=True)
        got = json.load(open(os.path.join(tmp, "parameters.json")))
    for name, w in want.items():
        g = torch.tensor(got[name]).reshape(w.shape)
        if not torch.equal(g, w):
            bad = (g != w).nonzero()[0].tolist()
            sys.exit("MISMATCH after one step: %s%s eoqsim %r reference %r" % (name, bad, g[tuple(bad)].item(),
                                                                                w[tuple(bad)].item()))
    changed = sum(int((torch.tensor(got[n]).reshape(w.shape) != 0).sum()) for n, w in want.items() if "momentum" in n)
    print("step: %d parameter and momentum tensors bit-identical after one EOQ step (%d momentum entries non-zero)" %
          (len(want), changed))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("eoqsim")
    ap.add_argument("what", nargs="?", default="all", choices=["quantizers", "step", "all"])
    ap.add_argument("--trials", type=int, default=20)
    a = ap.parse_args()
    if a.what in ("quantizers", "all"):
        check_quantizers(a.eoqsim, a.trials)
    if a.what in ("step", "all"):
        check_step(a.eoqsim)


if __name__ == "__main__":
    main()
