// Every built-in scheme on its chip, checked against hand counts on ResNet-20 (CIFAR-10, 19 convs
// + FC, 19 BN layers with 16 + 6x16 + 6x32 + 6x64 = 688 channels in the BN form; Fixup form: 47
// scalars): stored widths and traffic, max reductions, random draws and square roots per step.
#include <gtest/gtest.h>

#include <fstream>

#include "sim/common/error.h"
#include "workloads/serialize.h"
#include "tests/helpers.h"

namespace eoqsim {
namespace {

// ResNet-20 weights: conv1 3x16x9; stage 1: 6 x 16x16x9; stage 2: 16x32x9 + 5 x 32x32x9;
// stage 3: 32x64x9 + 5 x 64x64x9; FC 64x10 (+ 10 biases).
constexpr int64_t kConv1 = 3 * 16 * 9, kFc = 64 * 10;
constexpr int64_t kWeights = kConv1 + 6 * 16 * 16 * 9 + 16 * 32 * 9 + 5 * 32 * 32 * 9 + 32 * 64 * 9 + 5 * 64 * 64 * 9 + kFc;
constexpr int64_t kBnChannels = 16 + 6 * 16 + 6 * 32 + 6 * 64;
constexpr int64_t kGemms = 20, kBnLayers = 19, kFixupScalars = 1 + 9 * 5 + 1;
constexpr int64_t kBatch = 4;

struct Counts {
  test::Sim sim;
  int64_t max_reductions = 0, rng = 0, sqrt = 0;
};

Counts run(const std::string& scheme, const std::string& chip, const std::vector<std::string>& sets = {}) {
  Counts c;
  c.sim = test::simulate_builtin(chip, scheme, "resnet20", kBatch, sets);
  for (const Op& op : c.sim.result.trace.ops) c.max_reductions += op.kind == OpKind::ReduceMaxAbs;
  const auto& defs = c.sim.result.stats.defs();
  for (size_t e = 0; e < defs.size(); ++e) {
    const int64_t n = static_cast<int64_t>(c.sim.summary.event_count[e]);
    if (defs[e].name == "rng") c.rng += n;
    if (defs[e].name.rfind("sqrt.", 0) == 0) c.sqrt += n;
  }
  return c;
}

const Tensor& tensor(const test::Sim& s, const std::string& name) {
  for (const Tensor& t : s.result.trace.tensors)
    if (t.name == name) return t;
  throw std::runtime_error("no tensor " + name);
}

std::array<uint64_t, 2> traffic(const test::Sim& s, const std::string& name) {
  for (size_t id = 0; id < s.result.trace.tensors.size(); ++id)
    if (s.result.trace.tensors[id].name == name) return s.result.stats.tensor_bytes()[id];
  throw std::runtime_error("no tensor " + name);
}

TEST(Schemes, Fp32Bn) {
  const Counts c = run("fp32_bn", "edge_bn_fp32");
  EXPECT_EQ(c.max_reductions, 0);
  EXPECT_EQ(c.rng, 0);
  EXPECT_EQ(c.sqrt, kBnChannels);  // one per BN channel, forward only
  EXPECT_EQ(tensor(c.sim, "layer1.0.conv1.weight").bytes, 2304u * 4);
}

TEST(Schemes, Bf16Bn) {
  const Counts c = run("bf16_bn", "edge_bf16");
  EXPECT_EQ(c.max_reductions, 0);
  EXPECT_EQ(c.rng, 0);
  EXPECT_EQ(c.sqrt, kBnChannels);
  // BF16 copy for the array, FP32 master and momentum; conv outputs and activations in BF16.
  EXPECT_EQ(tensor(c.sim, "layer1.0.conv1.weight").bytes, 2304u * 2);
  EXPECT_EQ(tensor(c.sim, "layer1.0.conv1.weight.master").bytes, 2304u * 4);
  EXPECT_EQ(tensor(c.sim, "layer1.0.conv1.weight.momentum").bytes, 2304u * 4);
  const uint64_t act = kBatch * 16 * 32 * 32;
  EXPECT_EQ(tensor(c.sim, "layer1.0.conv1.out").bytes, act * 2);
  EXPECT_EQ(tensor(c.sim, "layer1.0.relu.out").bytes, act * 2);
  // The update reads the FP32 master and momentum once and writes them once; the BF16 copy is
  // written once and read by the forward and weight-gradient GEMMs... of the next step.
  EXPECT_EQ(traffic(c.sim, "layer1.0.conv1.weight.master"), (std::array<uint64_t, 2>{2304 * 4, 2304 * 4}));
  EXPECT_EQ(traffic(c.sim, "layer1.0.conv1.weight.momentum"), (std::array<uint64_t, 2>{2304 * 4, 2304 * 4}));
  EXPECT_EQ(traffic(c.sim, "layer1.0.conv1.weight")[1], 2304u * 2);
}

TEST(Schemes, Int8Fp32Bn) {
  const Counts c = run("int8_fp32bn", "edge_int8_fp32bn");
  // Per-tensor power-of-two scales: W refreshed from the master (20 GEMMs); A after each BN (19)
  // and the FC's logits (1); E at each GEMM's input error (18 convs + FC) and the loss gradient
  // (1); E after each BN backward (19). Gradients stay FP32.
  EXPECT_EQ(c.max_reductions, kGemms + kBnLayers + 1 + 19 + 1 + kBnLayers);
  EXPECT_EQ(c.rng, 0);
  EXPECT_EQ(c.sqrt, kBnChannels);
  const uint64_t act = kBatch * 16 * 32 * 32;
  EXPECT_EQ(tensor(c.sim, "layer1.0.conv1.out").bytes, act * 4);  // FP32 into BN
  EXPECT_EQ(tensor(c.sim, "layer1.0.bn1.out_q").bytes, act);       // int8 out of BN
  EXPECT_EQ(tensor(c.sim, "layer1.0.conv1.weight").bytes, 2304u);
  EXPECT_EQ(tensor(c.sim, "layer1.0.conv1.dW").bytes, 2304u * 4);
  // The FP32 update reads and writes master and momentum once (taking max|W| as it writes); the
  // int8 copy needs that max first, so a second pass reads the master again and writes the copy.
  EXPECT_EQ(traffic(c.sim, "layer1.0.conv1.weight.master"), (std::array<uint64_t, 2>{2 * 2304 * 4, 2304 * 4}));
  EXPECT_EQ(traffic(c.sim, "layer1.0.conv1.weight.momentum"), (std::array<uint64_t, 2>{2304 * 4, 2304 * 4}));
  EXPECT_EQ(traffic(c.sim, "layer1.0.conv1.weight")[1], 2304u);
}

TEST(Schemes, Wageubn) {
  const Counts c = run("wageubn", "edge_wageubn");
  // E1 at each GEMM's input error (18 convs + the FC), E2 after each BN backward (19), G on 18
  // weight gradients (the FP32 first conv and last FC are left out); W (clip) and A (direct)
  // need no max.
  EXPECT_EQ(c.max_reductions, 19 + kBnLayers + (kGemms - 2));
  // Stochastic rounding: one draw per quantized weight-gradient element; the update rounds to
  // nearest.
  EXPECT_EQ(c.rng, kWeights - kConv1 - kFc);
  EXPECT_EQ(c.sqrt, kBnChannels);
  // Packed widths: 24-bit master, 13-bit momentum, 8-bit weights and x-hat, 9-bit E2, int32 conv
  // outputs into BN, 16-bit statistics.
  const uint64_t act = kBatch * 16 * 32 * 32;
  EXPECT_EQ(tensor(c.sim, "layer1.0.conv1.weight.master").bytes, 2304u * 3);
  EXPECT_EQ(tensor(c.sim, "layer1.0.conv1.weight.momentum").bytes, (2304u * 13 + 7) / 8);
  EXPECT_EQ(tensor(c.sim, "layer1.0.conv1.weight").bytes, 2304u);
  EXPECT_EQ(tensor(c.sim, "layer1.0.bn1.xhat").bytes, act);
  EXPECT_EQ(tensor(c.sim, "layer1.0.bn1.dx_q").bytes, (act * 9 + 7) / 8);
  EXPECT_EQ(tensor(c.sim, "layer1.0.conv1.out").bytes, act * 4);
  EXPECT_EQ(tensor(c.sim, "layer1.0.bn1.mean").bytes, 16u * 2);
  // FP32 first conv and last FC, and the FP32 image they read.
  EXPECT_EQ(tensor(c.sim, "conv1.weight").bytes, static_cast<uint64_t>(kConv1) * 4);
  EXPECT_EQ(tensor(c.sim, "fc.weight").bytes, static_cast<uint64_t>(kFc) * 4);
  EXPECT_EQ(tensor(c.sim, "input").bytes, kBatch * 3 * 32 * 32 * 4u);
  // The update moves the 24-bit master and 13-bit momentum once each way.
  const uint64_t m = 2304 * 3, mo = (2304 * 13 + 7) / 8;
  EXPECT_EQ(traffic(c.sim, "layer1.0.conv1.weight.master"), (std::array<uint64_t, 2>{m, m}));
  EXPECT_EQ(traffic(c.sim, "layer1.0.conv1.weight.momentum"), (std::array<uint64_t, 2>{mo, mo}));
}

TEST(Schemes, WageubnE2At16Bits) {
  const Counts c8 = run("wageubn", "edge_wageubn");
  const Counts c16 = run("wageubn_e2_16", "edge_wageubn");
  EXPECT_EQ(c16.max_reductions, c8.max_reductions);
  EXPECT_EQ(c16.rng, c8.rng);
  const uint64_t act = kBatch * 16 * 32 * 32;
  EXPECT_EQ(tensor(c16.sim, "layer1.0.bn1.dx_q").bytes, act * 2);
  // 16-bit errors: more DRAM traffic in backward, int16 MACs in the error GEMMs.
  const auto bwd = [](const Counts& c) {
    const Figures& f = c.sim.summary.phases[static_cast<int>(Phase::BwdE)];
    return f.dram_read_bytes + f.dram_write_bytes;
  };
  EXPECT_GT(bwd(c16), bwd(c8));
  EXPECT_GT(test::count_event(c16.sim, "mac.int16"), 0);
  EXPECT_EQ(test::count_event(c8.sim, "mac.int16"), 0);
}

TEST(Schemes, Eoq) {
  const Counts c = run("eoq", "edge_eoq");
  // E at each GEMM's input error (18 convs + FC) and the loss gradient; G on the 20 weight
  // gradients, the FC bias's and the Fixup scalars'; A (shift, delayed scale) on the 20 GEMM outputs.
  EXPECT_EQ(c.max_reductions, 19 + 1 + (kGemms + 1 + kFixupScalars) + kGemms);
  // Draws: each gradient element (G), then each updated parameter (8-bit U, stochastic).
  EXPECT_EQ(c.rng, (kWeights + 10 + kFixupScalars) + (kWeights + 10 + kFixupScalars));
  EXPECT_EQ(c.sqrt, 0);
  EXPECT_EQ(tensor(c.sim, "layer1.0.conv1.weight").bytes, 2304u);
  EXPECT_EQ(tensor(c.sim, "layer1.0.conv1.weight.momentum").bytes, 2304u);
  // One 8-bit copy of the weights: the update reads and writes it once.
  EXPECT_EQ(traffic(c.sim, "layer1.0.conv1.weight")[1], 2304u);
}

TEST(Schemes, UserWrittenSchemeWithAdam) {
  // A user's scheme file, not a built-in: FP32 BN with Adam. Adam takes one square root and one
  // division per parameter, plus one each per parameter tensor for the bias-corrected step.
  const std::string dir = test::temp_dir("adam_scheme");
  std::ifstream in(test::source_path("configs/schemes/fp32_bn.json"));
  json j = json::parse(in);
  j["name"] = "fp32_bn_adam";
  j["optimizer"]["kind"] = "adamw";
  std::ofstream(dir + "/adam.json") << j.dump(2);
  const int64_t params = kWeights + 10 + 2 * kBnChannels;
  const int64_t tensors = kGemms + 1 + kBnLayers;  // weights, the FC bias, gamma|beta
  // The edge chip's optimizer unit has no square-root unit: a clear error, not a silent zero.
  EXPECT_THROW(run(dir + "/adam.json", "edge_bn_fp32"), UnsupportedError);
  const Counts c = run(dir + "/adam.json", "edge_bn_fp32",
                       {"update_unit.sqrt.count=16", "update_unit.sqrt.interval=1", "update_unit.div.count=16",
                        "update_unit.div.interval=1"});
  EXPECT_EQ(c.sqrt, kBnChannels + params + tensors);
  const Counts sgd = run("fp32_bn", "edge_bn_fp32");
  EXPECT_EQ(test::count_event(c.sim, "div.fp32") - test::count_event(sgd.sim, "div.fp32"), params + tensors);
  // Adam keeps a second moment per parameter: one more FP32 state tensor read and written.
  EXPECT_EQ(traffic(c.sim, "layer1.0.conv1.weight.second_moment"), (std::array<uint64_t, 2>{2304 * 4, 2304 * 4}));
  // The trace round-trips through a file with the Adam update in it.
  const test::CliResult r = test::run_cli({"trace", "--network", "resnet20", "--scheme", dir + "/adam.json", "--batch",
                                           "2", "-o", dir + "/step.trace.json"});
  ASSERT_EQ(r.code, 0) << r.err;
}

TEST(Schemes, EveryBuiltinRunsOnItsChip) {
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"fp32_bn", "edge_bn_fp32"}, {"bf16_bn", "edge_bf16"},       {"int8_fp32bn", "edge_int8_fp32bn"},
      {"wageubn", "edge_wageubn"}, {"wageubn_e2_16", "edge_wageubn"}, {"eoq", "edge_eoq"}};
  EXPECT_EQ(builtin_scheme_names().size(), pairs.size() + 1);  // + eoq_fp32_ends, checked below
  for (const auto& [scheme, chip] : pairs)
    for (const char* net : {"resnet18", "resnet50"})
      EXPECT_NO_THROW(test::simulate_builtin(chip, scheme, net, 1)) << scheme << " on " << chip << ", " << net;
}

TEST(Schemes, TraceFilesRoundTripForEveryScheme) {
  // Lossless: the file read back serializes identically and simulates to the same figures.
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"fp32_bn", "edge_bn_fp32"}, {"bf16_bn", "edge_bf16"}, {"int8_fp32bn", "edge_int8_fp32bn"},
      {"wageubn", "edge_wageubn"}, {"eoq", "edge_eoq"}};
  for (const auto& [scheme, chip] : pairs) {
    SCOPED_TRACE(scheme);
    const Trace t = test::lowered("resnet20", scheme, 2);
    const ordered_json j = trace_to_json(t);
    const Trace back = trace_from_json(json::parse(j.dump()), "roundtrip");
    EXPECT_EQ(trace_to_json(back).dump(), j.dump());
    const Summary a = summarize(simulate(load_chip(chip), t));
    const Summary b = summarize(simulate(load_chip(chip), back));
    EXPECT_EQ(a.total.cycles, b.total.cycles);
    EXPECT_EQ(a.total.energy_pj, b.total.energy_pj);
    EXPECT_EQ(a.event_count, b.event_count);
  }
}

TEST(Schemes, EoqWithFp32EndsKeepsFirstAndLastLayersFp32) {
  // The EOQ chip with FP32 MACs and FP32 optimizer lanes added for the two layers.
  const Counts c = run("eoq_fp32_ends", "edge_eoq",
                       {R"(pe_array.precisions=["int8","fp32"])", R"(update_unit.precisions=["int8","int16","fp32"])"});
  EXPECT_EQ(tensor(c.sim, "conv1.weight").bytes, static_cast<uint64_t>(kConv1) * 4);
  EXPECT_EQ(tensor(c.sim, "fc.weight").bytes, static_cast<uint64_t>(kFc) * 4);
  EXPECT_EQ(tensor(c.sim, "layer1.0.conv1.weight").bytes, 2304u);
  // G is quantized on the 18 middle weight gradients and the Fixup scalars' (the FC's bias stays
  // FP32); A on the 19 conv outputs (the FC's logits are FP32).
  EXPECT_EQ(c.max_reductions, 19 + (kGemms - 2) + kFixupScalars + 19);
}

}  // namespace
}  // namespace eoqsim
