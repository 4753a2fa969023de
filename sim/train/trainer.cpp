#include "sim/train/trainer.h"

#include <cmath>
#include <stdexcept>

#include "sim/common/error.h"

namespace eoqsim {
namespace {

using functional::Executor;
using functional::Rng;

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Writes initial values onto a tensor's grid: integer tensors take Q(v, bits) (and saturate at
// their width in store()); floats round to their format.
void put(Executor& ex, int32_t id, std::vector<double> v) {
  const Precision& p = ex.trace().tensors[static_cast<size_t>(id)].precision;
  if (p.format == Precision::Format::Int) {
    ex.store(id, functional::quantize_direct(v, p.bits).values, std::ldexp(1.0, 1 - p.bits));
  } else {
    ex.store(id, std::move(v), 0);
  }
}

// Parameters as PyTorch initializes them: conv and FC weights and biases U(-b, b) with
// b = 1/sqrt(fan_in); BN gamma 1, beta 0, running mean 0 and variance 1; Fixup scales 1 and
// biases 0; optimizer state 0. Masters are drawn, then the PE array's weight copies are derived by
// the trace's own update-phase quantizers.
void initialize(Executor& ex, Rng& rng) {
  const Trace& t = ex.trace();
  for (const Op& o : t.ops) {
    if (o.kind != OpKind::Gemm || o.role != GemmRole::Forward) continue;
    const int32_t w = o.inputs[1];
    const std::string& wname = t.tensors[static_cast<size_t>(w)].name;
    const int32_t master = ex.find(wname + ".master") >= 0 ? ex.find(wname + ".master") : w;
    const double fan_in = static_cast<double>((o.conv.cin / o.conv.groups) * o.conv.kh * o.conv.kw);
    const double b = 1.0 / std::sqrt(fan_in);
    auto draw = [&](int64_t n) {
      std::vector<double> v(static_cast<size_t>(n));
      for (double& x : v) x = (2 * rng.uniform() - 1) * b;
      return v;
    };
    put(ex, master, draw(t.tensors[static_cast<size_t>(master)].elements));
    const int32_t bias = ex.find(t.layers[static_cast<size_t>(o.layer)].name + ".bias");
    if (bias >= 0) put(ex, bias, draw(t.tensors[static_cast<size_t>(bias)].elements));
  }
  for (size_t id = 0; id < t.tensors.size(); ++id) {
    const Tensor& T = t.tensors[id];
    const auto i = static_cast<int32_t>(id);
    const size_t n = static_cast<size_t>(T.elements);
    if (T.kind == TensorKind::State) {
      put(ex, i, std::vector<double>(n, 0.0));
    } else if (ends_with(T.name, ".gamma_beta")) {
      std::vector<double> v(n, 0.0);
      std::fill(v.begin(), v.begin() + static_cast<long>(n / 2), 1.0);
      put(ex, i, v);
    } else if (ends_with(T.name, ".running_mean_var")) {
      std::vector<double> v(n, 0.0);
      std::fill(v.begin() + static_cast<long>(n / 2), v.end(), 1.0);
      ex.store(i, v, 0);  // statistics: not clipped (see kernels.cpp)
    } else if (ends_with(T.name, ".param")) {
      bool scale = false;
      for (const Op& o : t.ops)
        if (o.kind == OpKind::MulParam && o.inputs.size() > 1 && o.inputs[1] == i) scale = true;
      put(ex, i, std::vector<double>(n, scale ? 1.0 : 0.0));
    }
  }
  for (size_t k = 0; k < t.ops.size(); ++k)
    if (t.ops[k].phase == Phase::Upd && t.ops[k].unit == UnitKind::Quant) ex.run_op(k);
}

int32_t logits_of(const Trace& step) {
  for (const Op& o : step.ops)
    if (o.kind == OpKind::SoftmaxCe) return o.inputs[0];
  throw InputError("", "--network", "network \"" + step.network + "\" has no loss layer to train with");
}

// Delayed scales: the scale measured in a step ("X.scale") is the one applied in the next
// ("X.scale_prev"). Returns the (next, measured) tensor pairs.
std::vector<std::pair<int32_t, int32_t>> delayed_scales(const Executor& ex) {
  const Trace& t = ex.trace();
  std::vector<std::pair<int32_t, int32_t>> pairs;
  for (size_t id = 0; id < t.tensors.size(); ++id)
    if (ends_with(t.tensors[id].name, ".scale_prev")) {
      const int32_t src = ex.find(t.tensors[id].name.substr(0, t.tensors[id].name.size() - 5));
      if (src >= 0) pairs.emplace_back(static_cast<int32_t>(id), src);
    }
  return pairs;
}

}  // namespace

TrainResult train(const Trace& step, const Trace& eval, const Dataset& data, const TrainOptions& opt) {
  if (step.mode != "train" || eval.mode != "infer") throw std::logic_error("train(): expects a train and an infer trace");
  const int64_t B = step.batch;
  const int32_t in_id = [&] {
    for (size_t i = 0; i < step.tensors.size(); ++i)
      if (step.tensors[i].kind == TensorKind::Input && !step.tensors[i].external) return static_cast<int32_t>(i);
    return int32_t{-1};
  }();
  const int64_t pixels = static_cast<int64_t>(data.images.front().size());
  if (in_id < 0 || step.tensors[static_cast<size_t>(in_id)].elements != B * pixels)
    throw InputError("", "--network", "network \"" + step.network + "\" does not take " + std::to_string(pixels) +
                                          "-pixel images (1x8x8) as its input");
  const int32_t logits = logits_of(step);
  const int64_t classes = step.tensors[static_cast<size_t>(logits)].elements / B;
  if (classes != 10)
    throw InputError("", "--network", "network \"" + step.network + "\" has " + std::to_string(classes) +
                                          " outputs per sample; the digits have 10 classes");
  if (static_cast<size_t>(B) > data.train_size())
    throw InputError("", "--batch", "batch " + std::to_string(B) + " is larger than the training split (" +
                                        std::to_string(data.train_size()) + " images)");
  if (eval.batch != static_cast<int64_t>(data.test_size)) throw std::logic_error("train(): eval batch != test split");

  // Three independent streams from the seed: the units' stochastic rounding, initialization and
  // minibatch order.
  Executor ex(step, opt.accumulator_bits, opt.hyper, opt.seed);
  Executor ev(eval, opt.accumulator_bits, opt.hyper, opt.seed ^ 0x9E3779B97F4A7C15ull);
  Rng init_rng(opt.seed + 0x1000193u), order_rng(opt.seed + 0x2000193u);
  initialize(ex, init_rng);

  const int32_t ev_in = ev.find(step.tensors[static_cast<size_t>(in_id)].name);
  const int32_t ev_logits = ev.find(step.tensors[static_cast<size_t>(logits)].name);
  if (ev_in < 0 || ev_logits < 0) throw std::logic_error("train(): inference trace lacks the input or logits");

  // What evaluation copies from the training executor: the parameters, and the activation scales
  // measured in training (delayed scales), as (inference tensor, training tensor) pairs.
  std::vector<std::pair<int32_t, int32_t>> eval_copies;
  for (size_t id = 0; id < eval.tensors.size(); ++id) {
    const Tensor& T = eval.tensors[id];
    if (T.kind != TensorKind::Weight && T.kind != TensorKind::Master && !ends_with(T.name, ".scale_prev")) continue;
    const int32_t src = ex.find(T.name);
    if (src < 0) throw std::logic_error("train(): parameter " + T.name + " missing in the training trace");
    eval_copies.emplace_back(static_cast<int32_t>(id), src);
  }
  const size_t first = data.train_size();
  std::vector<double> test_images;
  test_images.reserve(data.test_size * static_cast<size_t>(pixels));
  for (size_t k = 0; k < data.test_size; ++k)
    test_images.insert(test_images.end(), data.images[first + k].begin(), data.images[first + k].end());
  const auto scale_rolls = delayed_scales(ex);

  auto evaluate = [&](int64_t s) {
    for (const auto& [dst, src] : eval_copies) {
      ev.values(dst) = ex.values(src);
      ev.lsb(dst) = ex.lsb(src);
    }
    put(ev, ev_in, test_images);
    ev.run(s);
    const auto& z = ev.values(ev_logits);
    size_t right = 0;
    for (size_t k = 0; k < data.test_size; ++k) {
      size_t best = 0;
      for (size_t c = 1; c < static_cast<size_t>(classes); ++c)
        if (z[k * static_cast<size_t>(classes) + c] > z[k * static_cast<size_t>(classes) + best]) best = c;
      right += static_cast<int>(best) == data.labels[first + k] ? 1 : 0;
    }
    return static_cast<double>(right) / static_cast<double>(data.test_size);
  };

  TrainResult r;
  std::vector<size_t> order(data.train_size());
  size_t pos = order.size();  // forces a shuffle before the first batch
  for (int64_t s = 1; s <= opt.steps; ++s) {
    if (pos + static_cast<size_t>(B) > order.size()) {
      // A new epoch: Fisher-Yates shuffle of the training split.
      for (size_t i = 0; i < order.size(); ++i) order[i] = i;
      for (size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[order_rng.next() % (i + 1)]);
      pos = 0;
    }
    std::vector<double> x;
    std::vector<int> labels;
    x.reserve(static_cast<size_t>(B * pixels));
    for (int64_t b = 0; b < B; ++b) {
      const size_t k = order[pos++];
      x.insert(x.end(), data.images[k].begin(), data.images[k].end());
      labels.push_back(data.labels[k]);
    }
    put(ex, in_id, std::move(x));
    ex.set_labels(std::move(labels));
    ex.run(s);
    for (const auto& [next, measured] : scale_rolls) ex.values(next) = ex.values(measured);
    TrainPoint p;
    p.step = s;
    p.loss = ex.loss();
    if (s % opt.eval_every == 0 || s == opt.steps) {
      p.test_accuracy = evaluate(s);
      ++r.evaluations;
      r.final_accuracy = p.test_accuracy;
    }
    r.curve.push_back(p);
  }
  for (size_t id = 0; id < step.tensors.size(); ++id)
    if (is_persistent(step.tensors[id].kind))
      r.parameters.emplace_back(step.tensors[id].name, ex.values(static_cast<int32_t>(id)));
  r.accumulator_saturations = ex.saturations() + ev.saturations();
  r.storage_saturations = ex.storage_saturations() + ev.storage_saturations();
  return r;
}

}  // namespace eoqsim
