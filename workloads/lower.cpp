#include "workloads/lower.h"

#include <map>

#include "sim/common/error.h"

namespace eoqsim {
namespace {

class Lowerer {
 public:
  Lowerer(const Graph& g, const Scheme& s, int64_t batch, Mode mode) : g_(g), s_(s), B_(batch), mode_(mode) {
    t_.network = g.name;
    t_.scheme = s.name;
    t_.mode = mode == Mode::Train ? "train" : "infer";
    t_.batch = batch;
    t_.packed_storage = s.packed_storage;
    for (const Layer& L : g.layers) t_.layers.push_back({L.name, layer_type_name(L.type)});
    const size_t n = g.layers.size();
    act_.assign(n, -1);
    saved_.assign(n, {});
    params_.assign(n, {});
    grads_.assign(n, {});
    contrib_.assign(n, {});
    consumers_ = g.consumers();
    // The first and last GEMM layers may use their own data paths (scheme "layers").
    views_ = {s, s.with(s.first_gemm), s.with(s.last_gemm), s.with(s.first_gemm).with(s.last_gemm)};
    view_of_.assign(n, 0);
    int first_gemm = -1, last_gemm = -1;
    for (size_t i = 0; i < n; ++i)
      if (g.layers[i].is_gemm()) {
        if (first_gemm < 0) first_gemm = static_cast<int>(i);
        last_gemm = static_cast<int>(i);
      }
    if (first_gemm >= 0) view_of_[first_gemm] |= 1;
    if (last_gemm >= 0) view_of_[last_gemm] |= 2;
    inlined_.assign(n, false);
    upstream_params_.assign(n, false);
    for (size_t i = 0; i < n; ++i) {
      const Layer& L = g.layers[i];
      // A Fixup bias feeding only GEMMs is applied on the GEMM's input path each time the GEMM
      // reads its input (forward and weight gradient) instead of being stored: a scalar add is
      // cheaper than a stored copy of the activation.
      if (L.type == LayerType::FixupBias && !consumers_[i].empty()) {
        bool all_gemm = true;
        for (int c : consumers_[i]) all_gemm = all_gemm && g.layers[c].is_gemm();
        inlined_[i] = all_gemm;
      }
      bool up = L.parameter_elements() > 0;
      for (int in : L.inputs)
        if (in != kNetworkInput) up = up || upstream_params_[in];
      upstream_params_[i] = up;
    }
  }

  Trace run() {
    const Layer& first = g_.layers.front();
    const Precision input_precision = s_.first_gemm.input ? s_.first_gemm.input->precision : s_.activation.precision;
    input_ = tensor("input", B_ * first.in.elements(), input_precision, TensorKind::Input);
    // Layers with their own input shape read their own input tensor.
    layer_input_.assign(g_.layers.size(), -1);
    for (size_t i = 0; i < g_.layers.size(); ++i)
      if (g_.layers[i].has_input_shape && i > 0)
        layer_input_[i] = tensor(g_.layers[i].name + ".input", B_ * g_.layers[i].in.elements(), s_.activation.precision,
                                 TensorKind::Input);
    // Parameters and their optimizer state exist before the step starts.
    for (size_t i = 0; i < g_.layers.size(); ++i) make_params(static_cast<int>(i));
    for (size_t i = 0; i < g_.layers.size(); ++i) forward(static_cast<int>(i));
    flush_deferred();
    if (mode_ == Mode::Train) {
      // An output no layer reads and that is not a loss gets its error from outside the network.
      for (size_t i = 0; i < g_.layers.size(); ++i) {
        const Layer& L = g_.layers[i];
        if (!consumers_[i].empty() || L.type == LayerType::Loss || inlined_[i]) continue;
        const int e = tensor(L.name + ".error_in", B_ * L.out.elements(), s_.error.precision, TensorKind::Error);
        t_.tensors[e].external = true;
        contrib_[i].push_back(e);
      }
      for (int i = static_cast<int>(g_.layers.size()) - 1; i >= 0; --i) backward(i);
      flush_deferred();
      for (size_t i = 0; i < g_.layers.size(); ++i) update(static_cast<int>(i));
      flush_deferred();
    }
    return std::move(t_);
  }

 private:
  struct Params {
    int weight = -1, master = -1, momentum = -1;       // conv/fc weights, BN gamma|beta, Fixup scalar
    int second = -1;                                   // Adam's second moment of `master`
    int bias = -1, bias_momentum = -1, bias_second = -1;  // fc bias
    int running = -1;                                  // BN running mean|var
  };
  struct Saved {
    int x = -1, mean = -1, inv = -1, y = -1, idx = -1, probs = -1;
  };

  // A delayed scale's power-of-two step, emitted after the phase's other ops.
  struct Deferred {
    Phase phase;
    int layer;
    Precision from;
    int max, scale;
  };
  std::vector<Deferred> deferred_;
  void flush_deferred() {
    for (const Deferred& d : deferred_)
      emit(OpKind::Pow2Scale, UnitKind::Quant, d.phase, d.layer, d.from, {d.max}, {d.scale}, 0, 1);
    deferred_.clear();
  }

  int tensor(const std::string& name, int64_t elements, Precision p, TensorKind kind) {
    Tensor t;
    t.name = name;
    t.elements = elements;
    t.precision = p;
    t.kind = kind;
    t.bytes = t_.tensor_bytes(elements, p);
    t_.tensors.push_back(t);
    return static_cast<int>(t_.tensors.size()) - 1;
  }
  const Tensor& T(int id) const { return t_.tensors[id]; }

  Op& emit(OpKind kind, UnitKind unit, Phase phase, int layer, Precision prec, std::vector<int32_t> in,
           std::vector<int32_t> out, int64_t elements, int64_t groups = 0) {
    Op op;
    op.kind = kind;
    op.unit = unit;
    op.phase = phase;
    op.layer = layer;
    op.precision = prec;
    op.accum = prec;
    op.inputs = std::move(in);
    op.outputs = std::move(out);
    op.elements = elements;
    op.groups = groups;
    t_.ops.push_back(op);
    return t_.ops.back();
  }

  // Converts `src` to `path`'s precision with its quantizer. Max-based quantizers first reduce
  // max|x| over the whole tensor and turn it into a power-of-two scale (WAGEUBN's Shift), which
  // with the `current` scale source must finish before any element can be quantized.
  // `into` names an existing tensor to write (the weight copy refreshed from the master weights).
  int quantize(int src, const DataPath& path, TensorKind kind, const std::string& name, Phase ph, int layer,
               int into = -1) {
    if (T(src).precision == path.precision && into < 0) return src;
    const int64_t n = T(src).elements;
    const Precision from = T(src).precision;
    int out = into >= 0 ? into : tensor(name, n, path.precision, kind);
    Op* q = nullptr;
    if (quantizer_needs_max(path.quantizer)) {
      int mx = tensor(name + ".max", 1, Precision{Precision::Format::Int, 32}, TensorKind::Stat);
      int scale = tensor(name + ".scale", 1, Precision{Precision::Format::Int, 8}, TensorKind::Stat);
      if (path.scale == ScaleSource::Current) {
        emit(OpKind::ReduceMaxAbs, UnitKind::Quant, ph, layer, from, {src}, {mx}, n, 1);
        emit(OpKind::Pow2Scale, UnitKind::Quant, ph, layer, from, {mx}, {scale}, 0, 1);
        q = &emit(OpKind::Quantize, UnitKind::Quant, ph, layer, from, {src, scale}, {out}, n);
      } else {
        // The scale measured on the previous step is applied while this step's max is taken.
        int prev = tensor(name + ".scale_prev", 1, Precision{Precision::Format::Int, 8}, TensorKind::Stat);
        q = &emit(OpKind::Quantize, UnitKind::Quant, ph, layer, from, {src, prev}, {out}, n);
        q->quantizer = static_cast<int32_t>(path.quantizer);
        q->stochastic = quantizer_stochastic(path.quantizer);
        emit(OpKind::ReduceMaxAbs, UnitKind::Quant, ph, layer, from, {src}, {mx}, n, 1);
        // Nothing in this step reads the new scale, so its priority encoder runs at the end of
        // the phase: the pass that streams this tensor does not have to close for it.
        deferred_.push_back({ph, layer, from, mx, scale});
        return out;
      }
    } else {
      q = &emit(OpKind::Quantize, UnitKind::Quant, ph, layer, from, {src}, {out}, n);
    }
    q->quantizer = static_cast<int32_t>(path.quantizer);
    q->stochastic = quantizer_stochastic(path.quantizer);
    return out;
  }

  void make_params(int i) {
    const Layer& L = g_.layers[i];
    const Scheme& s = S(i);
    Params& P = params_[i];
    const std::string& n = L.name;
    const bool train = mode_ == Mode::Train, adam = s.optimizer.adaptive();
    if (L.is_gemm()) {
      const int64_t w = L.weight_elements();
      P.weight = tensor(n + ".weight", w, s.weight.precision, TensorKind::Weight);
      P.master = s.master.precision == s.weight.precision
                     ? P.weight
                     : tensor(n + ".weight.master", w, s.master.precision, TensorKind::Master);
      if (train) P.momentum = tensor(n + ".weight.momentum", w, s.momentum.precision, TensorKind::State);
      if (train && adam) P.second = tensor(n + ".weight.second_moment", w, s.second_moment.precision, TensorKind::State);
      if (L.bias) {
        P.bias = tensor(n + ".bias", L.out_channels, s.master.precision, TensorKind::Weight);
        if (train) P.bias_momentum = tensor(n + ".bias.momentum", L.out_channels, s.momentum.precision, TensorKind::State);
        if (train && adam)
          P.bias_second = tensor(n + ".bias.second_moment", L.out_channels, s.second_moment.precision, TensorKind::State);
      }
    } else if (L.type == LayerType::BatchNorm) {
      if (!s_.uses_bn())
        throw InputError("", "--network",
                         "network \"" + g_.name + "\" has BatchNorm layer \"" + L.name + "\" but scheme \"" + s_.name +
                             "\" uses Fixup and has no BN datapath; use a network in Fixup form");
      P.weight = P.master = tensor(n + ".gamma_beta", 2 * L.in.c, s_.bn.params, TensorKind::Weight);
      if (train) P.momentum = tensor(n + ".gamma_beta.momentum", 2 * L.in.c, s_.momentum.precision, TensorKind::State);
      if (train && adam)
        P.second = tensor(n + ".gamma_beta.second_moment", 2 * L.in.c, s_.second_moment.precision, TensorKind::State);
      P.running = tensor(n + ".running_mean_var", 2 * L.in.c, s_.bn.stats, TensorKind::Weight);
    } else if (L.type == LayerType::FixupBias || L.type == LayerType::FixupScale) {
      P.weight = P.master = tensor(n + ".param", 1, s_.fixup.precision, TensorKind::Weight);
      if (train) P.momentum = tensor(n + ".param.momentum", 1, s_.momentum.precision, TensorKind::State);
      if (train && adam) P.second = tensor(n + ".param.second_moment", 1, s_.second_moment.precision, TensorKind::State);
    }
  }

  int input_of(const Layer& L, size_t k = 0) const {
    int in = L.inputs[k];
    if (in != kNetworkInput) return act_[in];
    const int own = layer_input_[&L - g_.layers.data()];
    return own >= 0 ? own : input_;
  }

  // The tensor a GEMM layer reads as its activation operand in `phase`. For an inlined Fixup
  // bias this emits the scalar add (attributed to the bias layer) right before the GEMM, on a
  // transient tensor that only this GEMM reads.
  int gemm_input(int i, Phase ph) {
    const Layer& L = g_.layers[i];
    int in = L.inputs[0];
    if (in == kNetworkInput || !inlined_[in]) return input_of(L);
    const Layer& B = g_.layers[in];
    int src = input_of(B);
    int out = tensor(B.name + ".out@" + L.name + "." + phase_name(ph), T(src).elements, s_.vector, TensorKind::Activation);
    emit(OpKind::AddParam, UnitKind::Vector, ph, in, s_.vector, {src, params_[in].weight}, {out}, T(src).elements);
    return out;
  }

  ConvGeom geometry(const Layer& L) const {
    ConvGeom c;
    c.batch = B_;
    if (L.type == LayerType::Fc) {
      // A 1x1 conv over `tokens` positions: M = batch x tokens.
      c.cin = L.in.elements() / L.tokens;
      c.cout = L.out_channels;
      c.hin = c.hout = L.tokens;
      return c;
    }
    c.cin = L.in.c;
    c.hin = L.in.h;
    c.win = L.in.w;
    c.cout = L.out_channels;
    c.kh = L.kh;
    c.kw = L.kw;
    c.sh = L.sh;
    c.sw = L.sw;
    c.ph = L.ph;
    c.pw = L.pw;
    c.groups = L.groups;
    c.hout = L.out.h;
    c.wout = L.out.w;
    return c;
  }

  Op& gemm(int i, GemmRole role, Phase ph, Precision mac, int a, int b, int out) {
    const Layer& L = g_.layers[i];
    Op& op = emit(OpKind::Gemm, UnitKind::PeArray, ph, i, mac, {a, b}, {out}, 0);
    op.accum = S(i).accumulator.precision;
    op.role = role;
    op.conv = geometry(L);
    return op;
  }

  void forward(int i) {
    const Layer& L = g_.layers[i];
    const Phase F = Phase::Fwd;
    const bool train = mode_ == Mode::Train;
    const int64_t n_out = B_ * L.out.elements();
    const std::string& n = L.name;
    const Precision A = s_.activation.precision;
    switch (L.type) {
      case LayerType::Conv:
      case LayerType::Fc: {
        const Scheme& s = S(i);
        int x = gemm_input(i, F);
        if (train) saved_[i].x = x;
        // A GEMM output that only BN reads is stored as the BN datapath takes it.
        const DataPath& out = feeds_only_bn(i) ? s.bn.input : s.activation;
        const bool wide = s.accumulator.precision != out.precision;
        int acc = tensor(n + (wide ? ".acc" : ".out"), n_out, s.accumulator.precision, TensorKind::Activation);
        gemm(i, GemmRole::Forward, F, s.mac_fwd, x, params_[i].weight, acc);
        if (L.bias) {
          int biased = tensor(n + ".biased", n_out, s.accumulator.precision, TensorKind::Activation);
          emit(OpKind::AddParam, UnitKind::Vector, F, i, s.accumulator.precision, {acc, params_[i].bias}, {biased},
               n_out);
          acc = biased;
        }
        act_[i] = quantize(acc, out, TensorKind::Activation, n + ".out", F, i);
        break;
      }
      case LayerType::BatchNorm:
        forward_bn(i);
        break;
      case LayerType::Relu:
      case LayerType::Relu6: {
        int y = tensor(n + ".out", n_out, A, TensorKind::Activation);
        emit(L.type == LayerType::Relu ? OpKind::Relu : OpKind::Relu6, UnitKind::Vector, F, i, s_.vector,
             {input_of(L)}, {y}, n_out);
        act_[i] = saved_[i].y = y;
        break;
      }
      case LayerType::MaxPool: {
        int y = tensor(n + ".out", n_out, A, TensorKind::Activation);
        std::vector<int32_t> outs = {y};
        if (train) {
          // The argmax within each window, for routing errors back: ceil(log2(window)) bits.
          int64_t win = L.kh * L.kw, bits = 1;
          while ((int64_t(1) << bits) < win) ++bits;
          saved_[i].idx = tensor(n + ".argmax", n_out, Precision{Precision::Format::Int, static_cast<int>(bits)},
                                 TensorKind::Activation);
          outs.push_back(saved_[i].idx);
        }
        Op& op = emit(OpKind::MaxPool, UnitKind::Vector, F, i, s_.vector, {input_of(L)}, outs, n_out);
        op.window = L.kh * L.kw;
        act_[i] = y;
        break;
      }
      case LayerType::AvgPool: {
        int y = tensor(n + ".out", n_out, A, TensorKind::Activation);
        Op& op = emit(OpKind::AvgPool, UnitKind::Vector, F, i, s_.vector, {input_of(L)}, {y}, B_ * L.in.elements(),
                      B_ * L.in.c);
        op.accum = s_.accumulator.precision;
        act_[i] = y;
        break;
      }
      case LayerType::Add: {
        int y = tensor(n + ".out", n_out, A, TensorKind::Activation);
        emit(OpKind::Add, UnitKind::Vector, F, i, s_.vector, {input_of(L, 0), input_of(L, 1)}, {y}, n_out);
        act_[i] = y;
        break;
      }
      case LayerType::FixupBias: {
        if (inlined_[i]) break;  // applied at each consuming GEMM (gemm_input)
        int y = tensor(n + ".out", n_out, A, TensorKind::Activation);
        emit(OpKind::AddParam, UnitKind::Vector, F, i, s_.vector, {input_of(L), params_[i].weight}, {y}, n_out);
        act_[i] = y;
        break;
      }
      case LayerType::FixupScale: {
        int x = input_of(L);
        if (train) saved_[i].x = x;  // d(scale) = sum(dy * x)
        int y = tensor(n + ".out", n_out, A, TensorKind::Activation);
        emit(OpKind::MulParam, UnitKind::Vector, F, i, s_.vector, {x, params_[i].weight}, {y}, n_out);
        act_[i] = y;
        break;
      }
      case LayerType::ShortcutA: {
        int y = tensor(n + ".out", n_out, A, TensorKind::Activation);
        emit(OpKind::Copy, UnitKind::Vector, F, i, s_.vector, {input_of(L)}, {y}, n_out);
        act_[i] = y;
        break;
      }
      case LayerType::Loss: {
        if (!train) break;  // inference ends at the logits
        int loss = tensor("loss.value", 1, s_.loss, TensorKind::Stat);
        int probs = tensor("loss.probs", n_out, s_.loss, TensorKind::Activation);
        emit(OpKind::SoftmaxCe, UnitKind::Vector, F, i, s_.loss, {input_of(L)}, {loss, probs}, n_out, B_);
        saved_[i].probs = probs;
        act_[i] = loss;
        break;
      }
    }
  }

  void forward_bn(int i) {
    const Layer& L = g_.layers[i];
    const Phase F = Phase::Fwd;
    const std::string& n = L.name;
    const int64_t C = L.in.c, N = B_ * L.in.elements();
    const BnSpec& bn = s_.bn;
    const Precision P = bn.forward;
    int x = input_of(L);
    int y = tensor(n + ".out", N, P, TensorKind::Activation);
    if (mode_ == Mode::Infer) {
      // Running statistics: per channel one square root (and in the folded form one division),
      // then per element either sub, div, mul, add or one multiply-add.
      int sigma = tensor(n + ".sigma", C, P, TensorKind::Stat);
      emit(OpKind::Sqrt, UnitKind::Norm, F, i, P, {params_[i].running}, {sigma}, 0, C);
      if (bn.inference_folded) {
        int ab = tensor(n + ".scale_shift", 2 * C, P, TensorKind::Stat);
        emit(OpKind::BnFold, UnitKind::Norm, F, i, P, {params_[i].weight, params_[i].running, sigma}, {ab}, 0, C);
        emit(OpKind::ScaleShift, UnitKind::Norm, F, i, P, {x, ab}, {y}, N, C);
      } else {
        int xh = tensor(n + ".xhat", N, P, TensorKind::Activation);
        emit(OpKind::NormalizeDiv, UnitKind::Norm, F, i, P, {x, params_[i].running, sigma}, {xh}, N, C);
        emit(OpKind::Affine, UnitKind::Norm, F, i, P, {xh, params_[i].weight}, {y}, N, C);
      }
      act_[i] = quantize(y, s_.activation, TensorKind::Activation, n + ".out_q", F, i);
      return;
    }
    int sum = tensor(n + ".sum", C, bn.stats, TensorKind::Stat);
    int sumsq = tensor(n + ".sumsq", C, bn.stats, TensorKind::Stat);
    Op& r1 = emit(OpKind::ReduceSum, UnitKind::Norm, F, i, P, {x}, {sum}, N, C);
    r1.accum = bn.stats;
    Op& r2 = emit(OpKind::ReduceSumSq, UnitKind::Norm, F, i, P, {x}, {sumsq}, N, C);
    r2.accum = bn.stats;
    int mean = tensor(n + ".mean", C, bn.stats, TensorKind::Stat);
    int var = tensor(n + ".var", C, bn.stats, TensorKind::Stat);
    emit(OpKind::BnMoments, UnitKind::Norm, F, i, P, {sum, sumsq}, {mean, var}, 0, C);
    emit(OpKind::RunningStats, UnitKind::Norm, F, i, bn.stats, {mean, var, params_[i].running}, {params_[i].running},
         2 * C, C);
    int sigma = tensor(n + ".sigma", C, bn.stats, TensorKind::Stat);
    emit(OpKind::Sqrt, UnitKind::Norm, F, i, P, {var}, {sigma}, 0, C);
    int xh = tensor(n + ".xhat", N, bn.save_xhat ? bn.xhat : P, TensorKind::Activation);
    int inv = -1;
    if (bn.divide_per_element) {
      emit(OpKind::NormalizeDiv, UnitKind::Norm, F, i, P, {x, mean, sigma}, {xh}, N, C);
      // Backward multiplies by 1/sigma; one reciprocal per channel is taken for it.
      inv = tensor(n + ".invstd", C, bn.stats, TensorKind::Stat);
      emit(OpKind::Recip, UnitKind::Norm, F, i, P, {sigma}, {inv}, 0, C);
    } else {
      inv = tensor(n + ".invstd", C, bn.stats, TensorKind::Stat);
      emit(OpKind::Recip, UnitKind::Norm, F, i, P, {sigma}, {inv}, 0, C);
      emit(OpKind::Normalize, UnitKind::Norm, F, i, P, {x, mean, inv}, {xh}, N, C);
    }
    emit(OpKind::Affine, UnitKind::Norm, F, i, P, {xh, params_[i].weight}, {y}, N, C);
    saved_[i].x = bn.save_xhat ? xh : x;
    saved_[i].mean = mean;
    saved_[i].inv = inv;
    act_[i] = quantize(y, s_.activation, TensorKind::Activation, n + ".out_q", F, i);
  }

  void contribute(int layer_input, int error) {
    if (layer_input == kNetworkInput || !upstream_params_[layer_input]) return;
    contrib_[layer_input].push_back(error);
  }

  void backward(int i) {
    const Layer& L = g_.layers[i];
    const Phase E = Phase::BwdE, W = Phase::BwdW;
    const std::string& n = L.name;
    const Precision EP = s_.error.precision;
    if (L.type == LayerType::Loss) {
      int e = tensor("loss.error", B_ * L.in.elements(), s_.loss, TensorKind::Error);
      emit(OpKind::SoftmaxCeBwd, UnitKind::Vector, E, i, s_.loss, {saved_[i].probs}, {e}, B_ * L.in.elements());
      // The loss gradient is stored as the error path says, unless the last GEMM takes it its own way.
      const int src = L.inputs[0];
      const bool last = src != kNetworkInput && (view_of_[src] & 2) != 0 && s_.last_gemm.output_error;
      const DataPath& path = last ? *s_.last_gemm.output_error : s_.error;
      contribute(src, quantize(e, path, TensorKind::Error, "loss.error_q", E, i));
      return;
    }
    if (contrib_[i].empty()) return;  // no error reaches this layer's output
    // Errors arriving from several consumers (a residual fork) are summed first.
    int e = contrib_[i][0];
    for (size_t k = 1; k < contrib_[i].size(); ++k) {
      int sum = tensor(n + ".error_sum" + std::to_string(k), T(e).elements, EP, TensorKind::Error);
      emit(OpKind::Add, UnitKind::Vector, E, i, s_.vector, {e, contrib_[i][k]}, {sum}, T(e).elements);
      e = sum;
    }
    const int64_t n_in = B_ * L.in.elements();
    // In a list of independent layers every layer but the first passes an error back, as it would
    // in the network the list came from.
    const bool into_input = (L.inputs[0] != kNetworkInput && upstream_params_[L.inputs[0]]) || (g_.independent && i > 0);
    switch (L.type) {
      case LayerType::Conv:
      case LayerType::Fc: {
        const Scheme& s = S(i);
        if (into_input) {
          int acc = tensor(n + ".dx_acc", n_in, s.accumulator.precision, TensorKind::Error);
          gemm(i, GemmRole::Error, E, s.mac_bwd_e, e, params_[i].weight, acc);
          contribute(L.inputs[0], quantize(acc, s.error, TensorKind::Error, n + ".dx", E, i));
        }
        int x = gemm_input(i, W);
        int gacc = tensor(n + ".dW_acc", L.weight_elements(), s.accumulator.precision, TensorKind::Gradient);
        gemm(i, GemmRole::WeightGrad, W, s.mac_bwd_w, x, e, gacc);
        grads_[i].push_back(quantize(gacc, s.gradient, TensorKind::Gradient, n + ".dW", W, i));
        if (L.bias) {
          // The bias gradient is summed at accumulator precision and quantized like dW.
          int dacc = tensor(n + ".dbias_acc", L.out_channels, s.accumulator.precision, TensorKind::Gradient);
          Op& op = emit(OpKind::ReduceSum, UnitKind::Vector, W, i, s_.vector, {e}, {dacc}, T(e).elements, L.out_channels);
          op.accum = s.accumulator.precision;
          grads_[i].push_back(quantize(dacc, s.gradient, TensorKind::Gradient, n + ".dbias", W, i));
        }
        break;
      }
      case LayerType::BatchNorm: {
        const BnSpec& bn = s_.bn;
        const int64_t C = L.in.c;
        const Saved& S = saved_[i];
        // d(beta) = sum(dy), d(gamma) = sum(dy * xhat): needed for dx as well, so computed here.
        int dgb = tensor(n + ".dgamma_beta", 2 * C, bn.backward, TensorKind::Gradient);
        int dx = tensor(n + ".dx", n_in, bn.backward, TensorKind::Error);
        if (bn.save_xhat) {
          emit(OpKind::BnBwdStatsXhat, UnitKind::Norm, E, i, bn.backward, {e, S.x}, {dgb}, n_in, C);
          emit(OpKind::BnBwdDxXhat, UnitKind::Norm, E, i, bn.backward, {e, S.x, S.inv, params_[i].weight, dgb}, {dx},
               n_in, C);
        } else {
          emit(OpKind::BnBwdStats, UnitKind::Norm, E, i, bn.backward, {e, S.x, S.mean, S.inv}, {dgb}, n_in, C);
          emit(OpKind::BnBwdDx, UnitKind::Norm, E, i, bn.backward, {e, S.x, S.mean, S.inv, params_[i].weight, dgb},
               {dx}, n_in, C);
        }
        grads_[i].push_back(dgb);
        if (into_input) contribute(L.inputs[0], quantize(dx, bn.error, TensorKind::Error, n + ".dx_q", E, i));
        break;
      }
      case LayerType::Relu:
      case LayerType::Relu6: {
        if (!into_input) break;
        int dx = tensor(n + ".dx", n_in, EP, TensorKind::Error);
        emit(L.type == LayerType::Relu ? OpKind::ReluBwd : OpKind::Relu6Bwd, UnitKind::Vector, E, i, s_.vector,
             {e, saved_[i].y}, {dx}, n_in);
        contribute(L.inputs[0], dx);
        break;
      }
      case LayerType::MaxPool: {
        if (!into_input) break;
        int dx = tensor(n + ".dx", n_in, EP, TensorKind::Error);
        emit(OpKind::MaxPoolBwd, UnitKind::Vector, E, i, s_.vector, {e, saved_[i].idx}, {dx}, n_in);
        contribute(L.inputs[0], dx);
        break;
      }
      case LayerType::AvgPool: {
        if (!into_input) break;
        int dx = tensor(n + ".dx", n_in, EP, TensorKind::Error);
        emit(OpKind::AvgPoolBwd, UnitKind::Vector, E, i, s_.vector, {e}, {dx}, n_in, B_ * L.in.c);
        contribute(L.inputs[0], dx);
        break;
      }
      case LayerType::Add:
        contribute(L.inputs[0], e);
        contribute(L.inputs[1], e);
        break;
      case LayerType::FixupBias: {
        int g = tensor(n + ".dparam_acc", 1, s_.accumulator.precision, TensorKind::Gradient);
        Op& op = emit(OpKind::ReduceSum, UnitKind::Vector, W, i, s_.vector, {e}, {g}, T(e).elements, 1);
        op.accum = s_.accumulator.precision;
        grads_[i].push_back(quantize(g, s_.gradient, TensorKind::Gradient, n + ".dparam", W, i));
        contribute(L.inputs[0], e);
        break;
      }
      case LayerType::FixupScale: {
        if (into_input) {
          int dx = tensor(n + ".dx", n_in, EP, TensorKind::Error);
          emit(OpKind::MulParam, UnitKind::Vector, E, i, s_.vector, {e, params_[i].weight}, {dx}, n_in);
          contribute(L.inputs[0], dx);
        }
        int g = tensor(n + ".dparam_acc", 1, s_.accumulator.precision, TensorKind::Gradient);
        Op& op = emit(OpKind::ReduceDot, UnitKind::Vector, W, i, s_.vector, {e, saved_[i].x}, {g}, T(e).elements, 1);
        op.accum = s_.accumulator.precision;
        grads_[i].push_back(quantize(g, s_.gradient, TensorKind::Gradient, n + ".dparam", W, i));
        break;
      }
      case LayerType::ShortcutA: {
        if (!into_input) break;
        int dx = tensor(n + ".dx", n_in, EP, TensorKind::Error);
        emit(OpKind::Copy, UnitKind::Vector, E, i, s_.vector, {e}, {dx}, n_in);
        contribute(L.inputs[0], dx);
        break;
      }
      case LayerType::Loss:
        break;
    }
  }

  // One optimizer step on `master` (momentum SGD, or Adam with its second moment `second`).
  void step(int layer, int grad, int momentum, int second, int master) {
    const Scheme& s = S(layer);
    Op* op;
    if (s.optimizer.adaptive()) {
      op = &emit(OpKind::AdamUpdate, UnitKind::Update, Phase::Upd, layer, s.update, {grad, momentum, second, master},
                 {momentum, second, master}, T(master).elements, 1);
    } else {
      op = &emit(OpKind::SgdUpdate, UnitKind::Update, Phase::Upd, layer, s.update, {grad, momentum, master},
                 {momentum, master}, T(master).elements);
    }
    op->weight_decay = s.optimizer.weight_decay ? 1 : 0;
    op->rounding = s.optimizer.rounding;
    op->stochastic = op->rounding == "stochastic";
  }

  void update(int i) {
    const Layer& L = g_.layers[i];
    const Scheme& s = S(i);
    const Params& P = params_[i];
    if (P.weight < 0 || grads_[i].empty()) return;
    step(i, grads_[i][0], P.momentum, P.second, P.master);
    if (P.master != P.weight) {
      // The PE array reads a low-precision copy derived from the updated master weights (with
      // the weight path's max reduction when its quantizer scales by the tensor's max).
      quantize(P.master, s.weight, TensorKind::Weight, L.name + ".weight", Phase::Upd, i, P.weight);
    }
    if (L.bias && grads_[i].size() > 1) step(i, grads_[i][1], P.bias_momentum, P.bias_second, P.bias);
  }

  const Scheme& S(int layer) const { return views_[static_cast<size_t>(view_of_[layer])]; }

  // True when every reader of layer i's output is a BatchNorm layer.
  bool feeds_only_bn(int i) const {
    if (!s_.uses_bn() || consumers_[i].empty()) return false;
    for (int c : consumers_[i])
      if (g_.layers[c].type != LayerType::BatchNorm) return false;
    return true;
  }

  const Graph& g_;
  const Scheme& s_;
  const int64_t B_;
  const Mode mode_;
  Trace t_;
  int input_ = -1;
  std::vector<int> act_, layer_input_;
  std::vector<Saved> saved_;
  std::vector<Params> params_;
  std::vector<std::vector<int>> grads_, contrib_, consumers_;
  std::vector<bool> inlined_, upstream_params_;
  std::vector<Scheme> views_;  // the scheme; with the first-GEMM, last-GEMM and both overrides
  std::vector<int> view_of_;   // per layer, index into views_
};

}  // namespace

Trace lower(const Graph& graph, const Scheme& scheme, int64_t batch, Mode mode) {
  if (batch < 1 || batch > 65536)
    throw InputError("", "--batch", "expected a batch size between 1 and 65536, found " + std::to_string(batch));
  // Guard derived sizes: the largest tensor times the batch must stay well inside 64 bits.
  for (const Layer& L : graph.layers)
    if (static_cast<double>(L.out.elements()) * batch > 1e13 || static_cast<double>(L.in.elements()) * batch > 1e13)
      throw InputError("", "--batch", "batch " + std::to_string(batch) + " makes layer \"" + L.name +
                                          "\" hold more than 1e13 elements; too large to simulate");
  Lowerer l(graph, scheme, batch, mode);
  Trace t = l.run();
  t.validate("lowered trace");
  return t;
}

}  // namespace eoqsim
