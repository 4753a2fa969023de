// Workload side: networks, lowering, MAC counts, widths. Checked against formulas written here,
// independently of the zoo and the lowering code.
#include <gtest/gtest.h>

#include <map>

#include "tests/helpers.h"
#include "workloads/footprint.h"
#include "workloads/serialize.h"
#include "workloads/zoo.h"

namespace eoqsim {
namespace {

// Forward MACs of a torchvision ImageNet ResNet at batch 1, from its stage structure alone.
int64_t resnet_macs(const std::vector<int>& depths, bool bottleneck) {
  int64_t macs = 112 * 112 * 64 * 3 * 7 * 7;  // stem conv 7x7/2
  int64_t inplanes = 64;
  const int64_t exp = bottleneck ? 4 : 1;
  for (int s = 0; s < 4; ++s) {
    const int64_t w = 64 << s, h = 56 >> s;
    for (int b = 0; b < depths[s]; ++b) {
      const int64_t hin = (s > 0 && b == 0) ? 2 * h : h;  // resolution the block's first conv sees
      if (!bottleneck) {
        macs += h * h * w * inplanes * 9 + h * h * w * w * 9;  // conv1 (stride on it), conv2
      } else {
        macs += hin * hin * w * inplanes;  // conv1 1x1 at the input resolution
        macs += h * h * w * w * 9;         // conv2 3x3, carries the stride
        macs += h * h * 4 * w * w;         // conv3 1x1
      }
      if (b == 0 && (s > 0 || inplanes != w * exp)) macs += h * h * w * exp * inplanes;  // downsample
      inplanes = w * exp;
    }
  }
  return macs + 512 * exp * 1000;  // fc
}

int64_t phase_macs(const Trace& t, Phase p) {
  int64_t n = 0;
  for (const Op& op : t.ops)
    if (op.kind == OpKind::Gemm && op.phase == p) n += op.conv.macs();
  return n;
}

TEST(Workloads, ForwardMacsMatchClosedForm) {
  const Trace r18 = test::lowered("resnet18", "fp32_bn", 1);
  const Trace r50 = test::lowered("resnet50", "fp32_bn", 1);
  EXPECT_EQ(phase_macs(r18, Phase::Fwd), resnet_macs({2, 2, 2, 2}, false));
  EXPECT_EQ(phase_macs(r50, Phase::Fwd), resnet_macs({3, 4, 6, 3}, true));
  // Published: torchvision lists 1.81 and 4.09 G multiply-adds.
  EXPECT_NEAR(phase_macs(r18, Phase::Fwd) / 1e9, 1.81, 0.01);
  EXPECT_NEAR(phase_macs(r50, Phase::Fwd) / 1e9, 4.09, 0.01);
  // The Fixup form has the same convolutions.
  EXPECT_EQ(phase_macs(test::lowered("resnet50", "eoq", 1), Phase::Fwd), resnet_macs({3, 4, 6, 3}, true));
}

TEST(Workloads, ForwardMacsScaleWithBatch) {
  EXPECT_EQ(phase_macs(test::lowered("resnet18", "eoq", 8), Phase::Fwd), 8 * resnet_macs({2, 2, 2, 2}, false));
}

TEST(Workloads, WeightGradientMacsEqualForward) {
  for (const char* net : {"resnet18", "resnet34", "resnet50", "resnet20"}) {
    for (const char* scheme : {"fp32_bn", "eoq"}) {
      const Trace t = test::lowered(net, scheme, 2);
      EXPECT_EQ(phase_macs(t, Phase::BwdW), phase_macs(t, Phase::Fwd)) << net << " " << scheme;
    }
  }
}

TEST(Workloads, ErrorBackpropSkipsFirstLayer) {
  for (const char* scheme : {"fp32_bn", "eoq"}) {
    const Trace t = test::lowered("resnet50", scheme, 1);
    std::map<std::string, int> error_gemms;
    for (const Op& op : t.ops)
      if (op.kind == OpKind::Gemm && op.role == GemmRole::Error) ++error_gemms[t.layers[op.layer].name];
    EXPECT_EQ(error_gemms.count("conv1"), 0u) << scheme;
    EXPECT_EQ(error_gemms["layer1.0.conv1"], 1) << scheme;
    EXPECT_EQ(error_gemms["fc"], 1) << scheme;
    // Every other conv/fc has exactly one error GEMM, so bwd_e MACs = fwd MACs - first layer.
    const int64_t first = 112 * 112 * 64 * 3 * 49;
    EXPECT_EQ(phase_macs(t, Phase::BwdE), phase_macs(t, Phase::Fwd) - first) << scheme;
  }
}

TEST(Workloads, StridedErrorConvExecutesOnlyUsefulMacs) {
  // Sub-pixel phases: a stride-2 3x3 conv's error GEMMs do the forward's MAC count, not the
  // 4x of a zero-dilated formulation.
  const Trace t = test::lowered("resnet18", "eoq", 2);
  for (const Op& op : t.ops) {
    if (op.kind != OpKind::Gemm || op.role != GemmRole::Error) continue;
    if (op.conv.hin == op.conv.sh * op.conv.hout && op.conv.win == op.conv.sw * op.conv.wout) {
      EXPECT_EQ(gemm_executed_macs(op), op.conv.macs()) << t.layers[op.layer].name;
    }
  }
}

TEST(Workloads, GemmViewOfForwardConv) {
  Op op;
  op.kind = OpKind::Gemm;
  op.role = GemmRole::Forward;
  op.conv = {2, 64, 56, 56, 128, 3, 3, 2, 2, 1, 1, 1, 28, 28};
  auto parts = gemm_parts(op);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].m, 2 * 28 * 28);
  EXPECT_EQ(parts[0].k, 9 * 64);
  EXPECT_EQ(parts[0].n, 128);
  op.role = GemmRole::WeightGrad;
  parts = gemm_parts(op);
  EXPECT_EQ(parts[0].m, 9 * 64);
  EXPECT_EQ(parts[0].k, 2 * 28 * 28);
  op.role = GemmRole::Error;
  parts = gemm_parts(op);
  EXPECT_EQ(parts.size(), 3u);  // phases (even,even), (even,odd)=(odd,even) merged, (odd,odd)
  EXPECT_EQ(gemm_executed_macs(op), op.conv.macs());
}

TEST(Workloads, TensorBytesFollowSchemeWidth) {
  const Trace eoq = test::lowered("resnet18", "eoq", 4);
  const Trace fp = test::lowered("resnet18", "fp32_bn", 4);
  auto find = [](const Trace& t, const std::string& name) -> const Tensor& {
    for (const auto& x : t.tensors)
      if (x.name == name) return x;
    throw std::runtime_error("no tensor " + name);
  };
  const int64_t n = 4 * 64 * 56 * 56;
  EXPECT_EQ(find(eoq, "layer1.0.relu.out").bytes, static_cast<uint64_t>(n));
  EXPECT_EQ(find(fp, "layer1.0.relu.out").bytes, static_cast<uint64_t>(4 * n));
  // int32 accumulator before quantization, int8 weights, int8 errors.
  EXPECT_EQ(find(eoq, "layer1.0.conv1.acc").bytes, static_cast<uint64_t>(4 * n));
  EXPECT_EQ(find(eoq, "layer1.0.conv1.weight").bytes, static_cast<uint64_t>(64 * 64 * 9));
  EXPECT_EQ(find(eoq, "layer1.0.conv1.dx").precision.str(), "int8");
}

TEST(Workloads, PackedStorageCountsBitsExactly) {
  Scheme s = load_scheme("eoq");
  s.packed_storage = true;
  s.activation.precision = Precision::parse("int4");
  const Trace t = lower(zoo::build("resnet18", zoo::Form::Fixup), s, 1, Mode::Train);
  for (const auto& x : t.tensors)
    if (x.name == "layer1.0.relu.out") {
      EXPECT_EQ(x.bytes, static_cast<uint64_t>(64 * 56 * 56 / 2));
    }
  s.packed_storage = false;
  const Trace u = lower(zoo::build("resnet18", zoo::Form::Fixup), s, 1, Mode::Train);
  for (const auto& x : u.tensors)
    if (x.name == "layer1.0.relu.out") {
      EXPECT_EQ(x.bytes, static_cast<uint64_t>(64 * 56 * 56));
    }
}

TEST(Workloads, OneSquareRootPerBnChannel) {
  const Trace t = test::lowered("resnet18", "fp32_bn", 2);
  int64_t channels = 0, sqrt_groups = 0;
  for (const Op& op : t.ops) {
    if (op.kind == OpKind::Sqrt) sqrt_groups += op.groups;
    if (op.kind == OpKind::RunningStats) channels += op.groups;
  }
  EXPECT_EQ(channels, 4800);  // ResNet-18's BN channels: 64 + 4*64 + (4*128+128) + (4*256+256) + (4*512+512)
  EXPECT_EQ(sqrt_groups, channels);
  for (const Op& op : test::lowered("resnet18", "eoq", 2).ops) EXPECT_NE(op.kind, OpKind::Sqrt);
}

TEST(Workloads, FixupFormHasScalarsAndNoBatchNorm) {
  const Graph g = zoo::build("resnet18", zoo::Form::Fixup);
  int scales = 0, biases = 0;
  for (const auto& l : g.layers) {
    EXPECT_NE(l.type, LayerType::BatchNorm);
    scales += l.type == LayerType::FixupScale;
    biases += l.type == LayerType::FixupBias;
  }
  EXPECT_EQ(scales, 8);           // one multiplier per basic block
  EXPECT_EQ(biases, 8 * 4 + 2);   // four biases per block, plus stem and head
}

TEST(Workloads, Resnet20HasOptionAShortcuts) {
  const Graph g = zoo::build("resnet20", zoo::Form::BatchNorm);
  int convs = 0, shortcuts = 0;
  for (const auto& l : g.layers) {
    convs += l.type == LayerType::Conv;
    shortcuts += l.type == LayerType::ShortcutA;
  }
  EXPECT_EQ(convs, 19);  // 6n+1 convs with n=3, plus the fc = 20 weighted layers
  EXPECT_EQ(shortcuts, 2);
  EXPECT_EQ(g.layers[g.find("fc")].in.elements(), 64);
}

TEST(Workloads, InferenceIsForwardOnlyWithRunningStats) {
  const Trace t = test::lowered("resnet18", "fp32_bn", 1, Mode::Infer);
  for (const Op& op : t.ops) {
    EXPECT_EQ(op.phase, Phase::Fwd);
    EXPECT_NE(op.kind, OpKind::ReduceSum);  // no batch statistics
  }
  int64_t divs = 0;
  for (const Op& op : t.ops)
    if (op.kind == OpKind::NormalizeDiv) divs += op.elements;
  EXPECT_GT(divs, 0);  // fp32_bn's inference BN is unfolded: one division per element
}

TEST(Workloads, TraceRoundTripIsLossless) {
  const Trace t = test::lowered("resnet20", "eoq", 3);
  const ordered_json j = trace_to_json(t);
  const Trace back = trace_from_json(json::parse(j.dump()), "roundtrip");
  EXPECT_EQ(trace_to_json(back).dump(), j.dump());
}

TEST(Workloads, NetworkJsonRoundTrip) {
  const Graph g = zoo::build("resnet50", zoo::Form::BatchNorm);
  const Graph back = network_from_json(json::parse(network_to_json(g).dump()), "rt");
  ASSERT_EQ(back.layers.size(), g.layers.size());
  for (size_t i = 0; i < g.layers.size(); ++i) {
    EXPECT_EQ(back.layers[i].name, g.layers[i].name);
    EXPECT_EQ(back.layers[i].out, g.layers[i].out);
    EXPECT_EQ(back.layers[i].forward_macs_per_sample(), g.layers[i].forward_macs_per_sample());
  }
}

TEST(Workloads, MemoryFootprintCountsWeightsAndSavedActivations) {
  const Trace t = test::lowered("resnet18", "fp32_bn", 1);
  const MemoryFootprint m = analyze_memory(t);
  // 11.69 M parameters (torchvision resnet18), FP32: weights and momentum.
  EXPECT_NEAR(static_cast<double>(m.weight_bytes) / 4 / 1e6, 11.69, 0.02);
  EXPECT_NEAR(static_cast<double>(m.optimizer_state_bytes) / 4 / 1e6, 11.69, 0.02);
  EXPECT_GT(m.saved_activation_bytes, 0u);
  EXPECT_GE(m.peak_bytes, m.weight_bytes + m.optimizer_state_bytes);
}

}  // namespace
}  // namespace eoqsim
