#include "models/functional/kernels.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "sim/common/error.h"
#include "workloads/scheme.h"

namespace eoqsim::functional {
namespace {

double pow2(int e) { return std::ldexp(1.0, e); }

// The largest code magnitude of a signed integer format of `bits` bits: codes lie in
// [-2^(bits-1), 2^(bits-1) - 1].
double code_max(int bits) { return pow2(bits - 1) - 1; }
double code_min(int bits) { return -pow2(bits - 1); }

// A value written in a floating-point format: FP32, BF16 or FP16 (round to nearest even).
double round_float(double v, const Precision& p) {
  if (p.format == Precision::Format::Bf) return round_bf16(v);
  if (p.bits == 16) return round_fp16(v);
  return round_fp32(v);
}

// A per-channel statistic: at an integer width WAGEUBN's code takes Q(v, bits) on the fixed grid,
// without clipping (it keeps them in float); floats round to their format.
double stat_value(double v, const Precision& p) { return p.is_float() ? round_float(v, p) : direct(v, p.bits); }

std::string where(const Trace& t, const Op& o) {
  return std::string(op_kind_name(o.kind)) + " of layer \"" + t.layers[static_cast<size_t>(o.layer)].name + "\" (" +
         phase_name(o.phase) + ")";
}

}  // namespace

Executor::Executor(const Trace& t, int accumulator_bits, Hyper h, uint64_t seed)
    : t_(t), acc_bits_(accumulator_bits), h_(h), rng_(seed) {
  v_.resize(t.tensors.size());
  lsb_.assign(t.tensors.size(), 0.0);
  count_.assign(t.tensors.size(), 0);
  for (size_t i = 0; i < t.tensors.size(); ++i) v_[i].assign(static_cast<size_t>(t.tensors[i].elements), 0.0);
  for (const Op& o : t.ops)
    if (o.kind == OpKind::MaxPool || o.kind == OpKind::MaxPoolBwd || o.kind == OpKind::Copy)
      throw UnsupportedError("", "--network",
                             "functional mode does not model " + where(t, o) +
                                 " with values (it covers GEMMs, quantizers, ReLU, additions, Fixup parameters, "
                                 "average pooling, BatchNorm, softmax and the optimizers)");
}

int32_t Executor::find(const std::string& name) const {
  for (size_t i = 0; i < t_.tensors.size(); ++i)
    if (t_.tensors[i].name == name) return static_cast<int32_t>(i);
  return -1;
}

void Executor::store(int32_t id, std::vector<double> x, double lsb) {
  const Tensor& T = t_.tensors[static_cast<size_t>(id)];
  if (static_cast<int64_t>(x.size()) != T.elements)
    throw std::logic_error("functional: tensor \"" + T.name + "\" written with " + std::to_string(x.size()) +
                           " values, holds " + std::to_string(T.elements));
  const Precision& p = T.precision;
  if (p.is_float()) {
    for (double& v : x) v = round_float(v, p);
    lsb = 0;
  } else if (lsb > 0) {
    // An integer tensor holds codes of its width: values off the width's range saturate.
    const double hi = code_max(p.bits) * lsb, lo = code_min(p.bits) * lsb;
    for (double& v : x) {
      if (v > hi) {
        v = hi;
        ++storage_saturations_;
      } else if (v < lo) {
        v = lo;
        ++storage_saturations_;
      }
    }
  }
  v_[static_cast<size_t>(id)] = std::move(x);
  lsb_[static_cast<size_t>(id)] = lsb;
}

// A result of the vector or norm unit. Floats round to their format; an integer result is rounded onto `lsb` (the grid the inputs give it,
// or Q's grid 2^(1-bits) when they give none). When the values would overflow the width on that
// grid, the grid coarsens by powers of two until they fit: the unit keeps the top bits and a
// per-tensor exponent, as the shift format does (a sum of two shift-format errors aligns to the
// larger scale). Quantizer outputs, whose format is explicit, saturate instead (store()).
void Executor::store_result(int32_t id, std::vector<double> x, double lsb) {
  const Tensor& T = t_.tensors[static_cast<size_t>(id)];
  if (T.precision.is_float()) {
    store(id, std::move(x), 0);
    return;
  }
  const int bits = T.precision.bits;
  if (!(lsb > 0)) lsb = pow2(1 - bits);
  const double m = max_abs(x);
  while (m / lsb > code_max(bits) + 0.5) lsb *= 2;
  for (double& v : x) v = round_half_even(v / lsb) * lsb;
  store(id, std::move(x), lsb);
}

void Executor::run(int64_t step) {
  step_ = step;
  for (size_t i = 0; i < t_.ops.size(); ++i) run_op(i);
}

void Executor::run_op(size_t i) {
  const Op& o = t_.ops[i];
  switch (o.unit) {
    case UnitKind::PeArray: gemm(o); return;
    case UnitKind::Quant: quantize(o); return;
    case UnitKind::Norm: norm(o); return;
    case UnitKind::Update: update(o); return;
    case UnitKind::Vector: vector_op(o); return;
  }
}

// ---- PE array -------------------------------------------------------------------------------

void Executor::gemm(const Op& o) {
  const ConvGeom& g = o.conv;
  const int32_t a_id = o.inputs[0], b_id = o.inputs[1], out_id = o.outputs[0];
  const std::vector<double>& A = values(a_id);
  const std::vector<double>& Bv = values(b_id);
  const bool integer = o.precision.format == Precision::Format::Int;
  const double la = lsb_[static_cast<size_t>(a_id)], lb = lsb_[static_cast<size_t>(b_id)];
  if (integer && !(la > 0 && lb > 0))
    throw std::logic_error("functional: " + where(t_, o) + ": integer MAC on an operand without a grid");
  // Integer operands become their codes; products of codes accumulate in the chip's
  // accumulator width, saturating on every add (the order is K's index order).
  std::vector<int64_t> ca, cb;
  if (integer) {
    ca.resize(A.size());
    cb.resize(Bv.size());
    // Every integer tensor holds exact grid points; a value off its grid is a kernel bug.
    auto codes = [&](const std::vector<double>& v, double lsb, std::vector<int64_t>& c) {
      for (size_t i = 0; i < v.size(); ++i) {
        c[i] = static_cast<int64_t>(std::llround(v[i] / lsb));
        if (static_cast<double>(c[i]) * lsb != v[i])
          throw std::logic_error("functional: " + where(t_, o) + ": operand value off its grid");
      }
    };
    codes(A, la, ca);
    codes(Bv, lb, cb);
  }
  const int acc_bits = std::min<int>(acc_bits_, o.accum.format == Precision::Format::Int ? o.accum.bits : 64);
  const int64_t hi = static_cast<int64_t>(code_max(std::min(acc_bits, 62))),
                lo = static_cast<int64_t>(code_min(std::min(acc_bits, 62)));
  // Floating-point MACs round every partial sum to the accumulator's format.
  const Precision acc_format = o.accum.is_float() ? o.accum : Precision::parse("fp32");
  const int64_t cin_g = g.cin / g.groups, cout_g = g.cout / g.groups;
  const size_t n_out = static_cast<size_t>(t_.tensors[static_cast<size_t>(out_id)].elements);
  std::vector<double> out(n_out, 0.0);

  struct Acc {
    int64_t i = 0;
    double f = 0;
  };
  uint64_t sat = 0;
  auto mac = [&](Acc& acc, size_t ia, size_t ib) {
    if (integer) {
      int64_t s = acc.i + ca[ia] * cb[ib];
      if (s > hi) {
        s = hi;
        ++sat;
      } else if (s < lo) {
        s = lo;
        ++sat;
      }
      acc.i = s;
    } else {
      acc.f = round_float(acc.f + A[ia] * Bv[ib], acc_format);
    }
  };
  const double lsb_out = integer ? la * lb : 0.0;
  auto result = [&](const Acc& acc) { return integer ? static_cast<double>(acc.i) * lsb_out : acc.f; };

  // Index helpers: activations NCHW, weights [Cout][Cin/g][kh][kw].
  auto x_index = [&](int64_t b, int64_t c, int64_t y, int64_t x) { return static_cast<size_t>(((b * g.cin + c) * g.hin + y) * g.win + x); };
  auto y_index = [&](int64_t b, int64_t c, int64_t y, int64_t x) { return static_cast<size_t>(((b * g.cout + c) * g.hout + y) * g.wout + x); };
  auto w_index = [&](int64_t co, int64_t ci, int64_t ky, int64_t kx) { return static_cast<size_t>(((co * cin_g + ci) * g.kh + ky) * g.kw + kx); };

  switch (o.role) {
    case GemmRole::Forward:
      // y[b,co,oy,ox] = sum over (ci, ky, kx) of x[b, grp*cin_g+ci, oy*sh-ph+ky, ox*sw-pw+kx] * w[co,ci,ky,kx]
      for (int64_t b = 0; b < g.batch; ++b)
        for (int64_t co = 0; co < g.cout; ++co) {
          const int64_t grp = co / cout_g;
          for (int64_t oy = 0; oy < g.hout; ++oy)
            for (int64_t ox = 0; ox < g.wout; ++ox) {
              Acc acc;
              for (int64_t ci = 0; ci < cin_g; ++ci)
                for (int64_t ky = 0; ky < g.kh; ++ky) {
                  const int64_t iy = oy * g.sh - g.ph + ky;
                  if (iy < 0 || iy >= g.hin) continue;
                  for (int64_t kx = 0; kx < g.kw; ++kx) {
                    const int64_t ix = ox * g.sw - g.pw + kx;
                    if (ix < 0 || ix >= g.win) continue;
                    mac(acc, x_index(b, grp * cin_g + ci, iy, ix), w_index(co, ci, ky, kx));
                  }
                }
              out[y_index(b, co, oy, ox)] = result(acc);
            }
        }
      break;
    case GemmRole::Error:
      // dx[b,c,iy,ix] = sum over (co in c's group, ky, kx) with iy = oy*sh-ph+ky of dy[b,co,oy,ox] * w[co,ci,ky,kx]
      for (int64_t b = 0; b < g.batch; ++b)
        for (int64_t c = 0; c < g.cin; ++c) {
          const int64_t grp = c / cin_g, ci = c % cin_g;
          for (int64_t iy = 0; iy < g.hin; ++iy)
            for (int64_t ix = 0; ix < g.win; ++ix) {
              Acc acc;
              for (int64_t cg = 0; cg < cout_g; ++cg) {
                const int64_t co = grp * cout_g + cg;
                for (int64_t ky = 0; ky < g.kh; ++ky) {
                  const int64_t ny = iy + g.ph - ky;
                  if (ny < 0 || ny % g.sh != 0 || ny / g.sh >= g.hout) continue;
                  for (int64_t kx = 0; kx < g.kw; ++kx) {
                    const int64_t nx = ix + g.pw - kx;
                    if (nx < 0 || nx % g.sw != 0 || nx / g.sw >= g.wout) continue;
                    mac(acc, y_index(b, co, ny / g.sh, nx / g.sw), w_index(co, ci, ky, kx));
                  }
                }
              }
              out[x_index(b, c, iy, ix)] = result(acc);
            }
        }
      break;
    case GemmRole::WeightGrad:
      // dw[co,ci,ky,kx] = sum over (b, oy, ox) of x[b, grp*cin_g+ci, iy, ix] * dy[b,co,oy,ox]
      for (int64_t co = 0; co < g.cout; ++co) {
        const int64_t grp = co / cout_g;
        for (int64_t ci = 0; ci < cin_g; ++ci)
          for (int64_t ky = 0; ky < g.kh; ++ky)
            for (int64_t kx = 0; kx < g.kw; ++kx) {
              Acc acc;
              for (int64_t b = 0; b < g.batch; ++b)
                for (int64_t oy = 0; oy < g.hout; ++oy) {
                  const int64_t iy = oy * g.sh - g.ph + ky;
                  if (iy < 0 || iy >= g.hin) continue;
                  for (int64_t ox = 0; ox < g.wout; ++ox) {
                    const int64_t ix = ox * g.sw - g.pw + kx;
                    if (ix < 0 || ix >= g.win) continue;
                    mac(acc, x_index(b, grp * cin_g + ci, iy, ix), y_index(b, co, oy, ox));
                  }
                }
              out[w_index(co, ci, ky, kx)] = result(acc);
            }
      }
      break;
  }
  saturations_ += sat;
  // The accumulator's output keeps its grid (the product of the operand grids).
  store(out_id, std::move(out), lsb_out);
}

// ---- quantization unit ----------------------------------------------------------------------

void Executor::quantize(const Op& o) {
  if (o.kind == OpKind::ReduceMaxAbs) {
    store(o.outputs[0], {max_abs(values(o.inputs[0]))}, 0);
    return;
  }
  if (o.kind == OpKind::Pow2Scale) {
    const double m = values(o.inputs[0])[0];
    store(o.outputs[0], {pow2_round(m)}, 0);
    return;
  }
  if (o.kind != OpKind::Quantize) throw UnsupportedError("", "functional mode", where(t_, o) + " is not modelled with values");
  const int32_t out = o.outputs[0];
  const Tensor& T = t_.tensors[static_cast<size_t>(out)];
  const std::vector<double>& x = values(o.inputs[0]);
  const double scale = o.inputs.size() > 1 ? values(o.inputs[1])[0] : 0.0;
  const auto kind = static_cast<QuantizerKind>(o.quantizer);
  if (T.precision.format != Precision::Format::Int) {
    // Into a floating-point format: plain rounding to the format (store()).
    store(out, x, 0);
    return;
  }
  const int k = T.precision.bits;
  Quantized q;
  switch (kind) {
    case QuantizerKind::None:
    case QuantizerKind::Direct: q = quantize_direct(x, k); break;
    case QuantizerKind::Clip: q = quantize_clip(x, k); break;
    case QuantizerKind::Sr: q = quantize_sr(x, k, rng_); break;
    case QuantizerKind::Shift: q = quantize_shift(x, k, scale); break;
    // The flag format spends one bit on the range flag: k = width - 1 (int9 holds WAGEUBN's E2 at k = 8).
    case QuantizerKind::Flag: q = quantize_flag(x, k - 1, scale); break;
    case QuantizerKind::ConstantSr: q = quantize_constant_sr(x, k, rng_, h_.g_scale, scale); break;
  }
  if (kind == QuantizerKind::Flag) {
    // Codes of the fine grid reach 127 * 128: the flag format is not a plain k-bit code, so the
    // width check does not apply to it.
    v_[static_cast<size_t>(out)] = std::move(q.values);
    lsb_[static_cast<size_t>(out)] = q.lsb;
    return;
  }
  // Constant quantization's n * 2^-14 with |n| <= g_scale - 1 fits its width while g_scale <= 2^(k-1).
  store(out, std::move(q.values), q.lsb);
}

// ---- norm unit ------------------------------------------------------------------------------

void Executor::store_stat(int32_t id, std::vector<double> x) {
  const Precision& p = t_.tensors[static_cast<size_t>(id)].precision;
  for (double& v : x) v = stat_value(v, p);
  v_[static_cast<size_t>(id)] = std::move(x);
  lsb_[static_cast<size_t>(id)] = p.format == Precision::Format::Int ? pow2(1 - p.bits) : 0.0;
}

void Executor::norm(const Op& o) {
  const int64_t C = o.groups;
  // Elements of tensor `id` map to channel (i / S) % C with S = elements / (batch * C).
  auto S_of = [&](int32_t id) {
    const int64_t n = t_.tensors[static_cast<size_t>(id)].elements;
    const int64_t s = n / (t_.batch * C);
    if (s < 1 || s * t_.batch * C != n)
      throw std::logic_error("functional: " + where(t_, o) + ": tensor does not split into batch x channels");
    return s;
  };
  auto ch = [&](size_t i, int64_t S) { return static_cast<size_t>((static_cast<int64_t>(i) / S) % C); };
  const Precision& P = o.precision;
  const bool float_arith = P.is_float();
  auto arith = [&](double v) { return float_arith ? stat_value(v, P) : v; };

  switch (o.kind) {
    case OpKind::ReduceSum:
    case OpKind::ReduceSumSq: {
      const auto& x = values(o.inputs[0]);
      const int64_t S = S_of(o.inputs[0]);
      std::vector<double> s(static_cast<size_t>(C), 0.0);
      for (size_t i = 0; i < x.size(); ++i) s[ch(i, S)] += o.kind == OpKind::ReduceSum ? x[i] : x[i] * x[i];
      count_[static_cast<size_t>(o.outputs[0])] = static_cast<int64_t>(x.size()) / C;
      if (float_arith)
        for (double& v : s) v = arith(v);
      v_[static_cast<size_t>(o.outputs[0])] = std::move(s);
      lsb_[static_cast<size_t>(o.outputs[0])] = 0;
      return;
    }
    case OpKind::BnMoments: {
      const auto& sum = values(o.inputs[0]);
      const auto& sq = values(o.inputs[1]);
      const double M = static_cast<double>(count_[static_cast<size_t>(o.inputs[0])]);
      std::vector<double> mean(static_cast<size_t>(C)), var(static_cast<size_t>(C));
      for (size_t c = 0; c < mean.size(); ++c) {
        mean[c] = arith(sum[c] / M);
        var[c] = arith(std::max(0.0, sq[c] / M - mean[c] * mean[c]));
      }
      count_[static_cast<size_t>(o.outputs[0])] = count_[static_cast<size_t>(o.outputs[1])] = static_cast<int64_t>(M);
      store_stat(o.outputs[0], std::move(mean));
      // The variance is not quantized itself: WAGEUBN quantizes sigma (Sqrt).
      v_[static_cast<size_t>(o.outputs[1])] = std::move(var);
      return;
    }
    case OpKind::RunningStats: {
      const auto& mean = values(o.inputs[0]);
      const auto& var = values(o.inputs[1]);
      std::vector<double> r = values(o.inputs[2]);
      const double M = static_cast<double>(count_[static_cast<size_t>(o.inputs[0])]);
      const double m = h_.bn_momentum, unbias = M > 1 ? M / (M - 1) : 1.0;
      for (size_t c = 0; c < static_cast<size_t>(C); ++c) {
        r[c] = (1 - m) * r[c] + m * mean[c];
        r[static_cast<size_t>(C) + c] = (1 - m) * r[static_cast<size_t>(C) + c] + m * var[c] * unbias;
      }
      store_stat(o.outputs[0], std::move(r));
      return;
    }
    case OpKind::Sqrt: {
      // Training: sqrt of the batch variance; inference: of the running variance (second half).
      const auto& in = values(o.inputs[0]);
      const size_t off = static_cast<int64_t>(in.size()) == 2 * C ? static_cast<size_t>(C) : 0;
      const Precision& out_p = t_.tensors[static_cast<size_t>(o.outputs[0])].precision;
      std::vector<double> s(static_cast<size_t>(C));
      for (size_t c = 0; c < s.size(); ++c) {
        if (out_p.format == Precision::Format::Int) {
          // WAGEUBN: sigma_q = Q(sqrt(var), k) + 2^(1-k), the epsilon one grid step.
          s[c] = direct(std::sqrt(in[off + c]), out_p.bits) + pow2(1 - out_p.bits);
        } else {
          s[c] = std::sqrt(in[off + c] + h_.bn_eps);
        }
      }
      store_stat(o.outputs[0], std::move(s));  // an integer sigma is already on its grid
      return;
    }
    case OpKind::Recip: {
      const auto& s = values(o.inputs[0]);
      std::vector<double> r(s.size());
      for (size_t c = 0; c < s.size(); ++c) r[c] = 1.0 / s[c];
      store_stat(o.outputs[0], std::move(r));
      return;
    }
    case OpKind::Normalize:
    case OpKind::NormalizeDiv: {
      const auto& x = values(o.inputs[0]);
      const auto& mean = values(o.inputs[1]);  // batch mean, or the running statistics (mean first)
      const auto& d = values(o.inputs[2]);     // 1/sigma or sigma
      const int64_t S = S_of(o.inputs[0]);
      std::vector<double> y(x.size());
      for (size_t i = 0; i < x.size(); ++i) {
        const size_t c = ch(i, S);
        y[i] = o.kind == OpKind::Normalize ? arith(arith(x[i] - mean[c]) * d[c]) : arith(arith(x[i] - mean[c]) / d[c]);
      }
      // An integer x-hat is Q(x-hat, bits) (WAGEUBN's fbn_x), stored at its width.
      const Tensor& T = t_.tensors[static_cast<size_t>(o.outputs[0])];
      if (T.precision.format == Precision::Format::Int) {
        store(o.outputs[0], quantize_direct(y, T.precision.bits).values, pow2(1 - T.precision.bits));
      } else {
        store_result(o.outputs[0], std::move(y), 0);
      }
      return;
    }
    case OpKind::Affine:
    case OpKind::ScaleShift: {
      const auto& x = values(o.inputs[0]);
      const auto& p = values(o.inputs[1]);  // gamma|beta, or a|b per channel
      const int64_t S = S_of(o.inputs[0]);
      std::vector<double> y(x.size());
      for (size_t i = 0; i < x.size(); ++i) {
        const size_t c = ch(i, S);
        y[i] = arith(arith(x[i] * p[c]) + p[static_cast<size_t>(C) + c]);
      }
      const double lx = lsb_[static_cast<size_t>(o.inputs[0])], lp = lsb_[static_cast<size_t>(o.inputs[1])];
      store_result(o.outputs[0], std::move(y), lx > 0 && lp > 0 ? std::min(lx * lp, lp) : 0.0);
      return;
    }
    case OpKind::BnFold: {
      const auto& gb = values(o.inputs[0]);
      const auto& run = values(o.inputs[1]);
      const auto& sigma = values(o.inputs[2]);
      std::vector<double> ab(static_cast<size_t>(2 * C));
      for (size_t c = 0; c < static_cast<size_t>(C); ++c) {
        ab[c] = arith(gb[c] / sigma[c]);
        ab[static_cast<size_t>(C) + c] = arith(gb[static_cast<size_t>(C) + c] - run[c] * ab[c]);
      }
      store_stat(o.outputs[0], std::move(ab));
      return;
    }
    case OpKind::BnBwdStats:
    case OpKind::BnBwdStatsXhat: {
      const bool xh = o.kind == OpKind::BnBwdStatsXhat;
      const auto& dy = values(o.inputs[0]);
      const auto& x = values(o.inputs[1]);
      const int64_t S = S_of(o.inputs[0]);
      std::vector<double> r(static_cast<size_t>(2 * C), 0.0);  // d(gamma) | d(beta)
      for (size_t i = 0; i < dy.size(); ++i) {
        const size_t c = ch(i, S);
        const double xhat = xh ? x[i] : arith((x[i] - values(o.inputs[2])[c]) * values(o.inputs[3])[c]);
        r[c] = arith(r[c] + arith(dy[i] * xhat));
        r[static_cast<size_t>(C) + c] = arith(r[static_cast<size_t>(C) + c] + dy[i]);
      }
      store_result(o.outputs[0], std::move(r), 0);
      return;
    }
    case OpKind::BnBwdDx:
    case OpKind::BnBwdDxXhat: {
      const bool xh = o.kind == OpKind::BnBwdDxXhat;
      const auto& dy = values(o.inputs[0]);
      const auto& x = values(o.inputs[1]);
      const auto& inv = values(o.inputs[xh ? 2 : 3]);
      const auto& gb = values(o.inputs[xh ? 3 : 4]);
      const auto& dgb = values(o.inputs[xh ? 4 : 5]);
      const int64_t S = S_of(o.inputs[0]);
      const double M = static_cast<double>(dy.size()) / static_cast<double>(C);
      std::vector<double> dx(dy.size());
      for (size_t i = 0; i < dy.size(); ++i) {
        const size_t c = ch(i, S);
        const double xhat = xh ? x[i] : arith((x[i] - values(o.inputs[2])[c]) * inv[c]);
        const double k = gb[c] * inv[c];
        dx[i] = arith(k * (dy[i] - dgb[static_cast<size_t>(C) + c] / M - xhat * dgb[c] / M));
      }
      store_result(o.outputs[0], std::move(dx), 0);
      return;
    }
    default:
      throw UnsupportedError("", "functional mode", where(t_, o) + " is not modelled with values");
  }
}

// ---- vector unit ----------------------------------------------------------------------------

void Executor::vector_op(const Op& o) {
  const Precision& P = o.precision;
  auto arith = [&](double v) { return P.is_float() ? stat_value(v, P) : v; };
  auto L = [&](int32_t id) { return lsb_[static_cast<size_t>(id)]; };
  auto lmin = [](double a, double b) { return a > 0 && b > 0 ? std::min(a, b) : 0.0; };
  // A per-channel (or scalar) parameter p applied to tensor x: element i takes p[(i / S) % P].
  auto param_index = [&](const std::vector<double>& x, const std::vector<double>& p) {
    const int64_t np = static_cast<int64_t>(p.size());
    const int64_t S = np <= 1 ? 1 : static_cast<int64_t>(x.size()) / (t_.batch * np);
    if (np > 1 && (S < 1 || S * t_.batch * np != static_cast<int64_t>(x.size())))
      throw std::logic_error("functional: " + where(t_, o) + ": parameter does not broadcast");
    return [np, S](size_t i) { return np <= 1 ? size_t{0} : static_cast<size_t>((static_cast<int64_t>(i) / S) % np); };
  };
  switch (o.kind) {
    case OpKind::Relu:
    case OpKind::Relu6: {
      std::vector<double> y = values(o.inputs[0]);
      for (double& v : y) v = o.kind == OpKind::Relu ? std::max(0.0, v) : std::min(6.0, std::max(0.0, v));
      store_result(o.outputs[0], std::move(y), L(o.inputs[0]));
      return;
    }
    case OpKind::ReluBwd:
    case OpKind::Relu6Bwd: {
      std::vector<double> dx = values(o.inputs[0]);
      const auto& y = values(o.inputs[1]);
      for (size_t i = 0; i < dx.size(); ++i) {
        const bool pass = o.kind == OpKind::ReluBwd ? y[i] > 0 : (y[i] > 0 && y[i] < 6);
        if (!pass) dx[i] = 0;
      }
      store_result(o.outputs[0], std::move(dx), L(o.inputs[0]));
      return;
    }
    case OpKind::Add: {
      const auto& a = values(o.inputs[0]);
      const auto& b = values(o.inputs[1]);
      std::vector<double> y(a.size());
      for (size_t i = 0; i < a.size(); ++i) y[i] = arith(a[i] + b[i]);
      store_result(o.outputs[0], std::move(y), lmin(L(o.inputs[0]), L(o.inputs[1])));
      return;
    }
    case OpKind::AddParam:
    case OpKind::MulParam: {
      const auto& x = values(o.inputs[0]);
      const auto& p = values(o.inputs[1]);
      const auto idx = param_index(x, p);
      std::vector<double> y(x.size());
      for (size_t i = 0; i < x.size(); ++i) y[i] = arith(o.kind == OpKind::AddParam ? x[i] + p[idx(i)] : x[i] * p[idx(i)]);
      const double lx = L(o.inputs[0]), lp = L(o.inputs[1]);
      store_result(o.outputs[0], std::move(y), o.kind == OpKind::AddParam ? lmin(lx, lp) : (lx > 0 && lp > 0 ? lx * lp : 0.0));
      return;
    }
    case OpKind::ReduceSum:
    case OpKind::ReduceDot: {
      // Per output channel (the bias gradient) or over the whole tensor (a Fixup scalar).
      const auto& e = values(o.inputs[0]);
      const int64_t G = o.groups;
      const int64_t S = G <= 1 ? 1 : static_cast<int64_t>(e.size()) / (t_.batch * G);
      std::vector<double> s(static_cast<size_t>(std::max<int64_t>(1, G)), 0.0);
      for (size_t i = 0; i < e.size(); ++i) {
        const size_t c = G <= 1 ? 0 : static_cast<size_t>((static_cast<int64_t>(i) / S) % G);
        s[c] += o.kind == OpKind::ReduceSum ? e[i] : e[i] * values(o.inputs[1])[i];
      }
      const double l = o.kind == OpKind::ReduceSum ? L(o.inputs[0])
                                                   : (L(o.inputs[0]) > 0 && L(o.inputs[1]) > 0 ? L(o.inputs[0]) * L(o.inputs[1]) : 0.0);
      store_result(o.outputs[0], std::move(s), l);
      return;
    }
    case OpKind::AvgPool: {
      const auto& x = values(o.inputs[0]);
      const int64_t G = o.groups;  // batch x channels
      const int64_t W = static_cast<int64_t>(x.size()) / G;
      std::vector<double> y(static_cast<size_t>(G), 0.0);
      for (size_t i = 0; i < x.size(); ++i) y[static_cast<size_t>(static_cast<int64_t>(i) / W)] += x[i];
      for (double& v : y) v = arith(v / static_cast<double>(W));
      store_result(o.outputs[0], std::move(y), L(o.inputs[0]) > 0 ? L(o.inputs[0]) / static_cast<double>(W) : 0.0);
      return;
    }
    case OpKind::AvgPoolBwd: {
      const auto& e = values(o.inputs[0]);
      const int64_t G = o.groups;
      const size_t n = static_cast<size_t>(t_.tensors[static_cast<size_t>(o.outputs[0])].elements);
      const int64_t W = static_cast<int64_t>(n) / G;
      std::vector<double> dx(n);
      for (size_t i = 0; i < n; ++i) dx[i] = arith(e[static_cast<size_t>(static_cast<int64_t>(i) / W)] / static_cast<double>(W));
      store_result(o.outputs[0], std::move(dx), L(o.inputs[0]) > 0 ? L(o.inputs[0]) / static_cast<double>(W) : 0.0);
      return;
    }
    case OpKind::SoftmaxCe: {
      const auto& z = values(o.inputs[0]);
      const int64_t B = o.groups, K = static_cast<int64_t>(z.size()) / B;
      if (static_cast<int64_t>(labels_.size()) != B)
        throw std::logic_error("functional: " + std::to_string(labels_.size()) + " labels for a batch of " + std::to_string(B));
      std::vector<double> p(z.size());
      double loss = 0;
      for (int64_t b = 0; b < B; ++b) {
        const double* zb = &z[static_cast<size_t>(b * K)];
        double mx = zb[0];
        for (int64_t k = 1; k < K; ++k) mx = std::max(mx, zb[k]);
        double sum = 0;
        for (int64_t k = 0; k < K; ++k) sum += std::exp(zb[k] - mx);
        for (int64_t k = 0; k < K; ++k) p[static_cast<size_t>(b * K + k)] = arith(std::exp(zb[k] - mx) / sum);
        loss += -(zb[labels_[static_cast<size_t>(b)]] - mx - std::log(sum));
      }
      loss_ = loss / static_cast<double>(B);
      store(o.outputs[0], {loss_}, 0);
      store(o.outputs[1], std::move(p), 0);
      return;
    }
    case OpKind::SoftmaxCeBwd: {
      std::vector<double> e = values(o.inputs[0]);
      const int64_t B = static_cast<int64_t>(labels_.size()), K = static_cast<int64_t>(e.size()) / B;
      for (int64_t b = 0; b < B; ++b) e[static_cast<size_t>(b * K + labels_[static_cast<size_t>(b)])] -= 1.0;
      for (double& v : e) v = arith(v / static_cast<double>(B));
      store_result(o.outputs[0], std::move(e), 0);
      return;
    }
    default:
      throw UnsupportedError("", "functional mode",
                             where(t_, o) + " is not modelled with values (functional mode covers GEMMs, quantizers, "
                                            "ReLU, additions, Fixup parameters, average pooling, BatchNorm, softmax and the optimizers)");
  }
}

// ---- update unit ----------------------------------------------------------------------------

namespace {
// A stored optimizer value: integer widths take Q(v, bits) (round to nearest even, as WAGEUBN's
// Q(m,13) and Q(W,24)) and saturate at the width; floats round to their format.
double grid_of(const Precision& p) { return p.format == Precision::Format::Int ? pow2(1 - p.bits) : 0.0; }
}  // namespace

void Executor::update(const Op& o) {
  if (o.kind != OpKind::SgdUpdate && o.kind != OpKind::AdamUpdate)
    throw UnsupportedError("", "functional mode", where(t_, o) + " is not modelled with values");
  const bool adam = o.kind == OpKind::AdamUpdate;
  const auto& g = values(o.inputs[0]);
  const int32_t m_id = o.inputs[1], w_id = o.inputs[adam ? 3 : 2];
  const int32_t v_id = adam ? o.inputs[2] : -1;
  std::vector<double> m = values(m_id), w = values(w_id), v;
  if (adam) v = values(v_id);
  const Precision& wp = t_.tensors[static_cast<size_t>(w_id)].precision;
  const Precision& mp = t_.tensors[static_cast<size_t>(m_id)].precision;
  const bool wd = o.weight_decay != 0;
  std::vector<double> step(w.size());
  if (!adam) {
    // m = mu * m + g (+ wd * w); w - lr * m.
    for (size_t i = 0; i < w.size(); ++i) {
      const double gi = g[i] + (wd ? h_.weight_decay * w[i] : 0.0);
      double mi = h_.momentum * m[i] + gi;
      m[i] = mp.format == Precision::Format::Int ? direct(mi, mp.bits) : mi;
    }
    store(m_id, std::move(m), grid_of(mp));
    const auto& ms = values(m_id);
    for (size_t i = 0; i < w.size(); ++i) step[i] = w[i] - h_.lr * ms[i];
  } else {
    const double t = static_cast<double>(step_);
    const double lr_t = h_.lr * std::sqrt(1 - std::pow(h_.adam_beta2, t)) / (1 - std::pow(h_.adam_beta1, t));
    const Precision& vp = t_.tensors[static_cast<size_t>(v_id)].precision;
    // The trace does not tell Adam's L2 decay from AdamW's decoupled one (they cost the same), so
    // both add wd * w to the gradient here.
    for (size_t i = 0; i < w.size(); ++i) {
      const double gi = g[i] + (wd ? h_.weight_decay * w[i] : 0.0);
      const double mi = h_.adam_beta1 * m[i] + (1 - h_.adam_beta1) * gi;
      const double vi = h_.adam_beta2 * v[i] + (1 - h_.adam_beta2) * gi * gi;
      m[i] = mp.format == Precision::Format::Int ? direct(mi, mp.bits) : mi;
      v[i] = vp.format == Precision::Format::Int ? direct(vi, vp.bits) : vi;
    }
    store(m_id, std::move(m), grid_of(mp));
    store(v_id, std::move(v), grid_of(vp));
    const auto& ms = values(m_id);
    const auto& vs = values(v_id);
    for (size_t i = 0; i < w.size(); ++i) step[i] = w[i] - lr_t * ms[i] / (std::sqrt(vs[i]) + h_.adam_eps);
  }
  // The updated weights go onto the master grid: nearest (Q(w, bits)) or stochastic rounding;
  // floating-point masters round to their format in store().
  if (wp.format == Precision::Format::Int) {
    const int k = wp.bits;
    if (o.rounding == "stochastic") step = quantize_sr(step, k, rng_).values;
    else step = quantize_direct(step, k).values;
  }
  store(w_id, std::move(step), grid_of(wp));
}

}  // namespace eoqsim::functional
