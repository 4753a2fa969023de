// Functional mode: the quantizers against hand-worked values (reference/papers.md 1.2-1.5), the
// generator against a hand-stepped xorshift, the PE array's GEMM roles against the adjoint
// identities they must satisfy, accumulator saturation, and the trainer on the digits.
#include <gtest/gtest.h>

#include <cmath>

#include "models/functional/kernels.h"
#include "models/functional/quantizers.h"
#include "models/pe_array/stepper.h"
#include "sim/common/error.h"
#include "sim/train/dataset.h"
#include "sim/train/trainer.h"
#include "workloads/lower.h"
#include "workloads/network.h"
#include "workloads/scheme.h"

namespace eoqsim {
namespace {

using namespace functional;
constexpr double kQ8 = 1.0 / 128;  // the 8-bit grid step 2^-7

TEST(Quantizers, RngIsXorshift32FromTheDocumentedSeed) {
  // seed ^ 0x2545F491 == 0 falls back to state 1; by hand: 1 ^ 1<<13 = 8193; 8193 >> 17 = 0;
  // 8193 ^ 8193<<5 = 8193 ^ 262176 = 270369.
  Rng r(0x2545F491u);
  EXPECT_EQ(r.state(), 1u);
  EXPECT_EQ(r.next(), 270369u);
  // uniform() is the top 24 bits over 2^24.
  Rng a(5), b(5);
  const uint32_t n = a.next();
  EXPECT_EQ(b.uniform(), static_cast<double>(n >> 8) / 16777216.0);
}

TEST(Quantizers, DirectRoundsHalfToEvenOnTheGrid) {
  EXPECT_EQ(direct(0.3, 8), 38 * kQ8);           // 38.4 -> 38
  EXPECT_EQ(direct(2.5 * kQ8, 8), 2 * kQ8);      // tie -> even
  EXPECT_EQ(direct(3.5 * kQ8, 8), 4 * kQ8);      // tie -> even
  EXPECT_EQ(direct(-2.5 * kQ8, 8), -2 * kQ8);
  EXPECT_EQ(direct(5.0, 8), 5.0);                // no clipping in Q
  EXPECT_EQ(direct(0.3, 16), std::nearbyint(0.3 * 32768) / 32768);
  const Quantized q = quantize_direct({0, 0, 0}, 8);
  EXPECT_EQ(q.values, (std::vector<double>{0, 0, 0}));
  EXPECT_EQ(q.lsb, kQ8);
}

TEST(Quantizers, ClipSaturatesAtOneStepInsideOne) {
  const Quantized q = quantize_clip({1.0, -1.0, 0.5, 3.0, -0.003}, 8);  // -0.384 steps -> -0
  EXPECT_EQ(q.values, (std::vector<double>{127 * kQ8, -127 * kQ8, 0.5, 127 * kQ8, -0.0}));
  EXPECT_EQ(clip_to(7.0, 32), 7.0);  // k >= 32: no clamp
}

TEST(Quantizers, ShiftScalesByTheNearestPowerOfTwoOfTheMax) {
  EXPECT_EQ(pow2_round(0.7), 0.5);    // log2 0.7 = -0.51 -> -1
  EXPECT_EQ(pow2_round(0.75), 1.0);   // -0.42 -> 0
  EXPECT_EQ(pow2_round(3.0), 4.0);    // 1.58 -> 2
  EXPECT_EQ(pow2_round(0.0), 0.0);
  // max 0.7 -> R = 0.5: 0.3/R = 0.6 -> 76.8 -> 77 steps; -0.7/R = -1.4 clips to -1; 0.001 -> 0.
  const Quantized q = quantize_shift({0.3, -0.7, 0.001, 0.0}, 8);
  EXPECT_EQ(q.scale, 0.5);
  EXPECT_EQ(q.lsb, 0.5 * kQ8);
  EXPECT_EQ(q.values, (std::vector<double>{77 * 0.5 * kQ8, -0.5, 0.0, 0.0}));
  // A zero tensor stays zero (no scale); an all-equal tensor saturates at R: 0.3 -> R = 0.25.
  const Quantized z = quantize_shift({0.0, 0.0}, 8);
  EXPECT_EQ(z.values, (std::vector<double>{0.0, 0.0}));
  EXPECT_EQ(z.scale, 0.0);
  const Quantized e = quantize_shift({0.3, 0.3, 0.3}, 8);
  EXPECT_EQ(e.values, (std::vector<double>{0.25, 0.25, 0.25}));
  // A given scale (the delayed one) is used as is.
  EXPECT_EQ(quantize_shift({0.3}, 8, 1.0).values[0], 38 * kQ8);
}

TEST(Quantizers, FlagHasAFineAndACoarseRange) {
  // R = 0.5, s = R/128. 0.7: z = 179.2 -> coarse, round 179, clip 127. 0.001: z = 0.256 -> fine,
  // Q(0.256, 8) = 33/128. -0.05: z = 12.8 -> coarse 13.
  const double s = 0.5 * kQ8;
  const Quantized q = quantize_flag({0.7, 0.001, -0.05, 0.0}, 8);
  EXPECT_EQ(q.values, (std::vector<double>{127 * s, 33 * kQ8 * s, -13 * s, 0.0}));
  EXPECT_EQ(q.lsb, s * kQ8);
  EXPECT_EQ(q.scale, 0.5);
  // Exactly on the range boundary z = 1: the coarse range (z >= 1) gives 1 * s.
  EXPECT_EQ(quantize_flag({0.5, s}, 8).values[1], s);
}

TEST(Quantizers, ConstantQuantizationDiscardsTheMagnitude) {
  // R = 1: n = 128 x = 128, 64, -32, 0 (integers: stochastic rounding leaves them), clip to
  // +-127, then n / 2^14.
  Rng rng(1);
  const Quantized q = quantize_constant_sr({1.0, 0.5, -0.25, 0.0}, 8, rng);
  EXPECT_EQ(q.values, (std::vector<double>{127.0 / 16384, 64.0 / 16384, -32.0 / 16384, 0.0}));
  EXPECT_EQ(q.lsb, 1.0 / 16384);
  // The same tensor scaled by 1024 gives the same codes: only the direction survives. (Scaled by
  // 1000, R = 1024 and the codes shrink to 125, 62, -31 with these draws.)
  Rng rng2(1);
  EXPECT_EQ(quantize_constant_sr({1024.0, 512.0, -256.0, 0.0}, 8, rng2).values, q.values);
  // Every element draws, needed or not: four draws advanced the generator.
  Rng ref(1);
  for (int i = 0; i < 4; ++i) ref.next();
  EXPECT_EQ(rng.state(), ref.state());
  // A zero tensor gives zeros.
  Rng rng3(1);
  EXPECT_EQ(quantize_constant_sr({0.0, 0.0}, 8, rng3).values, (std::vector<double>{0.0, 0.0}));
}

TEST(Quantizers, StochasticRoundingIsUnbiasedAndSeeded) {
  // 0.3 at k = 8 is 38.4 steps: every result is 38 or 39 steps, with mean 38.4 steps.
  Rng rng(42);
  const std::vector<double> x(200000, 0.3);
  const Quantized q = quantize_sr(x, 8, rng);
  double sum = 0;
  for (double v : q.values) {
    ASSERT_TRUE(v == 38 * kQ8 || v == 39 * kQ8) << v;
    sum += v;
  }
  const double mean = sum / static_cast<double>(x.size());
  // Standard error of the mean: sqrt(0.4 * 0.6 / n) steps = 0.0011 steps; allow 5 of them.
  EXPECT_NEAR(mean / kQ8, 38.4, 5 * std::sqrt(0.24 / 200000.0));
  // Grid points stay put; the same seed repeats, another seed differs.
  Rng a(7), b(7), c(8);
  EXPECT_EQ(quantize_sr({3 * kQ8, -5 * kQ8}, 8, a).values, (std::vector<double>{3 * kQ8, -5 * kQ8}));
  const std::vector<double> y(64, 0.123);
  Rng d(7);
  EXPECT_EQ(quantize_sr(y, 8, b).values, quantize_sr(y, 8, d).values);
  Rng e(7);
  EXPECT_NE(quantize_sr(y, 8, e).values, quantize_sr(y, 8, c).values);
}

TEST(Quantizers, FloatFormatsRoundToNearestEven) {
  EXPECT_EQ(round_bf16(1 + std::ldexp(1.0, -8)), 1.0);                           // tie -> even
  EXPECT_EQ(round_bf16(1 + 3 * std::ldexp(1.0, -8)), 1 + std::ldexp(1.0, -6));  // tie -> even
  EXPECT_EQ(round_fp16(1 + std::ldexp(1.0, -11)), 1.0);
  EXPECT_EQ(round_fp16(70000.0), 65504.0);  // saturates at the largest finite half
  EXPECT_EQ(round_fp32(0.1), static_cast<double>(0.1f));
}

// ---- the PE array's three GEMM roles ------------------------------------------------------------

Trace conv_trace(const ConvGeom& g) {
  Trace t;
  t.network = "conv";
  t.mode = "train";
  t.batch = g.batch;
  t.layers.push_back({"conv", "conv"});
  auto add = [&](const std::string& n, int64_t e) {
    Tensor x;
    x.name = n;
    x.elements = e;
    x.precision = Precision::parse("fp32");
    t.tensors.push_back(x);
    return static_cast<int32_t>(t.tensors.size() - 1);
  };
  const int32_t x = add("x", g.batch * g.cin * g.hin * g.win), w = add("w", g.cout * (g.cin / g.groups) * g.kh * g.kw),
                y = add("y", g.batch * g.cout * g.hout * g.wout), dy = add("dy", g.batch * g.cout * g.hout * g.wout),
                dx = add("dx", g.batch * g.cin * g.hin * g.win), dw = add("dw", g.cout * (g.cin / g.groups) * g.kh * g.kw);
  auto gemm = [&](GemmRole r, int32_t a, int32_t b, int32_t out) {
    Op o;
    o.kind = OpKind::Gemm;
    o.unit = UnitKind::PeArray;
    o.precision = o.accum = Precision::parse("fp32");
    o.inputs = {a, b};
    o.outputs = {out};
    o.role = r;
    o.conv = g;
    t.ops.push_back(o);
  };
  gemm(GemmRole::Forward, x, w, y);
  gemm(GemmRole::Error, dy, w, dx);
  gemm(GemmRole::WeightGrad, x, dy, dw);
  return t;
}

TEST(FunctionalGemm, ErrorAndWeightGradientAreTheForwardsAdjoints) {
  // <conv(x, w), dy> = <x, conv_error(dy, w)> = <w, conv_wgrad(x, dy)> for every geometry; small
  // integers keep FP32 accumulation exact, so the identities hold exactly.
  const std::vector<ConvGeom> geoms = [] {
    std::vector<ConvGeom> v;
    ConvGeom a;  // 3x3, stride 2, padding 1
    a.batch = 2, a.cin = 3, a.hin = 7, a.win = 6, a.cout = 4, a.kh = 3, a.kw = 3, a.sh = 2, a.sw = 2, a.ph = 1, a.pw = 1;
    a.hout = (7 + 2 - 3) / 2 + 1, a.wout = (6 + 2 - 3) / 2 + 1;
    v.push_back(a);
    ConvGeom b = a;  // grouped
    b.cin = 4, b.groups = 2, b.sh = b.sw = 1, b.hout = 7, b.wout = 6;
    v.push_back(b);
    ConvGeom c;  // FC
    c.batch = 3, c.cin = 5, c.cout = 2;
    v.push_back(c);
    return v;
  }();
  for (const ConvGeom& g : geoms) {
    const Trace t = conv_trace(g);
    Executor ex(t, 32, Hyper{}, 1);
    Rng r(3);
    auto fill = [&](int32_t id) {
      std::vector<double> v(static_cast<size_t>(t.tensors[static_cast<size_t>(id)].elements));
      for (double& e : v) e = static_cast<double>(static_cast<int>(r.next() % 9) - 4);
      ex.store(id, v);
    };
    fill(0), fill(1), fill(3);
    ex.run(1);
    auto dot = [&](int32_t a, int32_t b) {
      double s = 0;
      for (size_t i = 0; i < ex.values(a).size(); ++i) s += ex.values(a)[i] * ex.values(b)[i];
      return s;
    };
    const double fwd = dot(2, 3);
    EXPECT_EQ(fwd, dot(0, 4)) << "error role, groups " << g.groups;
    EXPECT_EQ(fwd, dot(1, 5)) << "weight-gradient role, groups " << g.groups;
    EXPECT_NE(fwd, 0.0);
  }
}

TEST(FunctionalGemm, MatchesTheCycleSteppedArrayOnInt8Codes) {
  // The same FC layer's three GEMMs on the value-carrying kernel and on the cycle-stepped
  // systolic array (real int8 x int8 -> int32 registers, 4 x 3 PEs, so every GEMM folds), in all
  // three dataflows: forward Y = X W^T, error dX = dY W, weight gradient dW = dY^T X.
  ConvGeom g;
  g.batch = 5, g.cin = 7, g.cout = 6;
  Trace t = conv_trace(g);
  for (auto& x : t.tensors) x.precision = Precision::parse("int8");
  for (int id : {2, 4, 5}) t.tensors[static_cast<size_t>(id)].precision = Precision::parse("int32");
  for (auto& o : t.ops) {
    o.precision = Precision::parse("int8");
    o.accum = Precision::parse("int32");
  }
  Executor ex(t, 32, Hyper{}, 1);
  Rng r(11);
  std::vector<std::vector<int8_t>> codes(4);
  for (int id : {0, 1, 3}) {
    std::vector<double> v(static_cast<size_t>(t.tensors[static_cast<size_t>(id)].elements));
    codes[static_cast<size_t>(id)].resize(v.size());
    for (size_t i = 0; i < v.size(); ++i) {
      codes[static_cast<size_t>(id)][i] = static_cast<int8_t>(static_cast<int>(r.next() % 256) - 128);
      v[i] = codes[static_cast<size_t>(id)][i] * kQ8;
    }
    ex.store(id, v, kQ8);
  }
  ex.run(1);
  const auto& X = codes[0];   // [batch][in]
  const auto& W = codes[1];   // [out][in]
  const auto& dY = codes[3];  // [batch][out]
  auto transpose = [](const std::vector<int8_t>& m, int64_t rows, int64_t cols) {
    std::vector<int8_t> o(m.size());
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j) o[static_cast<size_t>(j * rows + i)] = m[static_cast<size_t>(i * cols + j)];
    return o;
  };
  const auto Wt = transpose(W, 6, 7), dYt = transpose(dY, 5, 6);
  struct Case {
    int32_t out;
    int64_t m, k, n;
    const int8_t *a, *b;
  };
  const std::vector<Case> cases = {{2, 5, 7, 6, X.data(), Wt.data()},
                                   {4, 5, 6, 7, dY.data(), W.data()},
                                   {5, 6, 5, 7, dYt.data(), X.data()}};
  for (Dataflow df : {Dataflow::WS, Dataflow::OS, Dataflow::IS}) {
    ArrayStepper array(df, 4, 3);
    for (const Case& c : cases) {
      std::vector<int32_t> C(static_cast<size_t>(c.m * c.n), 0);
      array.run(c.m, c.k, c.n, c.a, c.b, C.data());
      const auto& got = ex.values(c.out);
      ASSERT_EQ(got.size(), C.size());
      for (size_t i = 0; i < C.size(); ++i)
        ASSERT_EQ(got[i], C[i] * kQ8 * kQ8) << "tensor " << c.out << " element " << i << " dataflow " << static_cast<int>(df);
    }
  }
}

TEST(FunctionalGemm, IntegerAccumulatorSaturatesOnEveryAdd) {
  // One output of K = 4 products 127 x 127 = 16129 in a 16-bit accumulator: 16129, 32258, then
  // 48387 clamps to 32767 and stays there: two clamped adds.
  ConvGeom g;
  g.batch = 1, g.cin = 4, g.cout = 1;
  Trace t = conv_trace(g);
  t.ops.resize(1);
  for (auto& x : t.tensors) x.precision = Precision::parse("int8");
  t.tensors[2].precision = Precision::parse("int32");
  t.ops[0].precision = Precision::parse("int8");
  t.ops[0].accum = Precision::parse("int32");
  Executor ex(t, 16, Hyper{}, 1);
  ex.store(0, std::vector<double>(4, 127 * kQ8), kQ8);
  ex.store(1, std::vector<double>(4, 127 * kQ8), kQ8);
  ex.run(1);
  EXPECT_EQ(ex.values(2)[0], 32767 * kQ8 * kQ8);
  EXPECT_EQ(ex.lsb(2), kQ8 * kQ8);
  EXPECT_EQ(ex.saturations(), 2u);
  // With 32 bits nothing clamps.
  Executor wide(t, 32, Hyper{}, 1);
  wide.store(0, std::vector<double>(4, 127 * kQ8), kQ8);
  wide.store(1, std::vector<double>(4, 127 * kQ8), kQ8);
  wide.run(1);
  EXPECT_EQ(wide.values(2)[0], 4 * 16129 * kQ8 * kQ8);
  EXPECT_EQ(wide.saturations(), 0u);
}

TEST(FunctionalGemm, IntegerTensorsSaturateAtTheirWidth) {
  ConvGeom g;
  g.batch = 1, g.cin = 2, g.cout = 1;
  Trace t = conv_trace(g);
  t.tensors[0].precision = Precision::parse("int8");
  Executor ex(t, 32, Hyper{}, 1);
  ex.store(0, {1.0, -1.5}, kQ8);  // codes 128 and -192 -> 127 and -128
  EXPECT_EQ(ex.values(0), (std::vector<double>{127 * kQ8, -1.0}));
  EXPECT_EQ(ex.storage_saturations(), 2u);
}

// ---- the update unit ------------------------------------------------------------------------------

// g, m[, v], w and one update op over n elements.
Trace update_trace(OpKind kind, const std::string& w_precision, const std::string& rounding, int64_t n) {
  Trace t;
  t.network = "upd";
  t.mode = "train";
  t.layers.push_back({"p", "fc"});
  const bool adam = kind == OpKind::AdamUpdate;
  for (const char* name : {"g", "m", "v", "w"}) {
    if (!adam && std::string(name) == "v") continue;
    Tensor x;
    x.name = name;
    x.elements = n;
    x.precision = Precision::parse(std::string(name) == "w" ? w_precision : "fp32");
    t.tensors.push_back(x);
  }
  Op o;
  o.kind = kind;
  o.unit = UnitKind::Update;
  o.phase = Phase::Upd;
  o.precision = o.accum = Precision::parse("fp32");
  o.inputs = adam ? std::vector<int32_t>{0, 1, 2, 3} : std::vector<int32_t>{0, 1, 2};
  o.outputs = adam ? std::vector<int32_t>{1, 2, 3} : std::vector<int32_t>{1, 2};
  o.elements = n;
  o.rounding = rounding;
  o.stochastic = rounding == "stochastic";
  t.ops.push_back(o);
  return t;
}

TEST(FunctionalUpdate, NearestRoundingLosesUpdatesBelowHalfAStep) {
  // w = 0.5 on the 8-bit grid, lr * g = 0.001 (an eighth of a step, 2^-7): rounded to nearest
  // the weight never moves; rounded stochastically it moves one step down with probability
  // 0.128, so the mean over 100 000 weights is 0.499 within a few standard errors.
  Hyper h;
  h.lr = 1.0;
  h.momentum = 0.0;
  h.weight_decay = 0.0;
  const int64_t n = 100000;
  for (const char* rounding : {"nearest", "stochastic"}) {
    const Trace t = update_trace(OpKind::SgdUpdate, "int8", rounding, n);
    Executor ex(t, 32, h, 9);
    ex.store(0, std::vector<double>(n, 0.001));
    ex.store(2, std::vector<double>(n, 0.5), kQ8);
    ex.run(1);
    double sum = 0;
    for (double v : ex.values(2)) {
      ASSERT_TRUE(v == 0.5 || v == 0.5 - kQ8) << v;
      sum += v;
    }
    const double mean = sum / static_cast<double>(n);
    if (std::string(rounding) == "nearest") {
      EXPECT_EQ(mean, 0.5);
    } else {
      const double p = 0.001 / kQ8;  // 0.128
      EXPECT_NEAR(mean, 0.499, 5 * kQ8 * std::sqrt(p * (1 - p) / static_cast<double>(n)));
    }
  }
}

TEST(FunctionalUpdate, MomentumSgdAndAdamByHand) {
  Hyper h;
  h.lr = 0.1;
  h.momentum = 0.5;
  h.weight_decay = 0.0;
  // SGD, FP32: m = 0.5 * 0.2 + 0.3 = 0.4; w = 1 - 0.1 * 0.4 = 0.96.
  const Trace s = update_trace(OpKind::SgdUpdate, "fp32", "none", 1);
  Executor sgd(s, 32, h, 1);
  sgd.store(0, {0.3});
  sgd.store(1, {0.2});
  sgd.store(2, {1.0});
  sgd.run(1);
  EXPECT_EQ(sgd.values(1)[0], static_cast<double>(0.4f));
  EXPECT_EQ(sgd.values(2)[0], static_cast<double>(static_cast<float>(1.0 - 0.1 * static_cast<double>(0.4f))));
  // Adam, step 1 from zero moments: m = (1 - b1) g, v = (1 - b2) g^2, and the bias-corrected step
  // is lr * sqrt(1 - b2) / (1 - b1) * m / (sqrt(v) + eps) = lr * g / (|g| + eps / sqrt(1 - b2)).
  const Trace a = update_trace(OpKind::AdamUpdate, "fp32", "none", 1);
  Executor adam(a, 32, h, 1);
  adam.store(0, {0.5});
  adam.store(3, {1.0});
  adam.run(1);
  EXPECT_NEAR(adam.values(1)[0], 0.1 * 0.5, 1e-8);
  EXPECT_NEAR(adam.values(2)[0], 0.001 * 0.25, 1e-10);
  EXPECT_NEAR(adam.values(3)[0], 1.0 - 0.1 * 0.5 / (0.5 + 1e-8 / std::sqrt(0.001)), 1e-6);
}

// ---- the trainer ---------------------------------------------------------------------------------

TEST(Trainer, RejectsNetworksFunctionalModeCannotRun) {
  const Scheme s = load_scheme("eoq");
  const Dataset d = load_dataset("digits");
  // resnet20 takes 3x32x32 images.
  const Trace step = lower_workload("resnet20", s, 4, Mode::Train);
  const Trace eval = lower_workload("resnet20", s, static_cast<int64_t>(d.test_size), Mode::Infer);
  EXPECT_THROW(train(step, eval, d, TrainOptions{}), InputError);
}

TEST(Trainer, DatasetHoldsOutEveryFifthImage) {
  const Dataset d = load_dataset("digits");
  EXPECT_EQ(d.images.size(), 1797u);
  EXPECT_EQ(d.test_size, 359u);
  EXPECT_EQ(d.train_size(), 1438u);
  for (const auto& img : d.images) ASSERT_EQ(img.size(), 64u);
  EXPECT_THROW(parse_dataset("0:abc\n", "x.txt"), InputError);
  EXPECT_THROW(parse_dataset(std::string("0:") + std::string(63, 'a') + "z\n", "x.txt"), InputError);
}

TEST(Trainer, SameSeedSameCurveOtherSeedAnother) {
  const Scheme s = load_scheme("eoq");
  const Dataset d = load_dataset("digits");
  const Trace step = lower_workload("mlp", s, 16, Mode::Train);
  const Trace eval = lower_workload("mlp", s, static_cast<int64_t>(d.test_size), Mode::Infer);
  TrainOptions o;
  o.steps = 20;
  o.eval_every = 10;
  const TrainResult a = train(step, eval, d, o), b = train(step, eval, d, o);
  o.seed = 2;
  const TrainResult c = train(step, eval, d, o);
  ASSERT_EQ(a.curve.size(), 20u);
  for (size_t i = 0; i < a.curve.size(); ++i) EXPECT_EQ(a.curve[i].loss, b.curve[i].loss);
  EXPECT_EQ(a.parameters, b.parameters);
  EXPECT_NE(a.parameters, c.parameters);
  EXPECT_GE(a.curve[9].test_accuracy, 0.0);
  EXPECT_LT(a.curve[8].test_accuracy, 0.0);  // not measured at step 9
}

}  // namespace
}  // namespace eoqsim
