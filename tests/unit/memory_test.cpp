// The memory hierarchy end to end: compulsory DRAM traffic when everything fits, traffic that
// never grows with the buffer, residency, BN's extra passes, and the timeline.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "sim/common/json.h"
#include "tests/helpers.h"

namespace eoqsim {
namespace {

struct TensorTraffic {
  uint64_t reads = 0, writes = 0;
};

// Per tensor, the DRAM traffic the pass structure implies when every tile fits: a pass reads a
// tensor once unless an earlier op of the same pass produced it (parameters updated in place
// are read by the pass that updates them); a tensor that some later pass reads is written once.
std::vector<TensorTraffic> compulsory(const RunResult& r) {
  const Trace& t = r.trace;
  std::vector<int32_t> made_in(t.tensors.size(), -1);
  std::vector<std::set<int32_t>> reading_passes(t.tensors.size());
  std::vector<bool> read_after_made(t.tensors.size(), false);
  for (size_t i = 0; i < t.ops.size(); ++i) {
    for (int32_t id : t.ops[i].inputs) {
      if (made_in[id] == r.pass[i]) continue;
      reading_passes[id].insert(r.pass[i]);
      if (made_in[id] >= 0) read_after_made[id] = true;
    }
    for (int32_t id : t.ops[i].outputs) made_in[id] = r.pass[i];
  }
  std::vector<TensorTraffic> out(t.tensors.size());
  for (size_t id = 0; id < t.tensors.size(); ++id) {
    if (r.onchip[id] || r.resident[id]) continue;
    out[id].reads = t.tensors[id].bytes * reading_passes[id].size();
    if (read_after_made[id]) out[id].writes = t.tensors[id].bytes;
  }
  return out;
}

TEST(Memory, HugeBuffersAndSpillGiveCompulsoryTraffic) {
  for (const char* scheme : {"eoq", "fp32_bn"}) {
    const std::string chip = scheme == std::string("eoq") ? "edge_eoq" : "edge_bn_fp32";
    const test::Sim s = test::simulate_builtin(chip, scheme, "resnet20", 4, {"buffers.glb.capacity=256 MiB"});
    const std::vector<TensorTraffic> want = compulsory(s.result);
    const auto& got = s.result.stats.tensor_bytes();
    uint64_t read_sum = 0, write_sum = 0, spilled = 0;
    for (size_t id = 0; id < want.size(); ++id) {
      const Tensor& x = s.result.trace.tensors[id];
      EXPECT_EQ(got[id][0], want[id].reads) << scheme << " " << x.name;
      // Written once when produced, or never; a tensor nobody reads later is the step's result
      // (updated weights, running statistics) and is written once too.
      EXPECT_TRUE(got[id][1] == 0 || got[id][1] == x.bytes) << scheme << " " << x.name << " " << got[id][1];
      if (want[id].writes) {
        EXPECT_EQ(got[id][1], x.bytes) << scheme << " " << x.name;
      }
      read_sum += got[id][0];
      write_sum += got[id][1];
      if (x.kind == TensorKind::Activation && want[id].writes && want[id].reads) ++spilled;
    }
    EXPECT_GT(spilled, 20u) << "activations saved for backward go through DRAM under spill";
    // The per-tensor figures account for every DRAM byte the report shows (before burst rounding).
    EXPECT_LE(read_sum, s.summary.total.dram_read_bytes);
    EXPECT_GE(read_sum + 64 * s.result.trace.tensors.size() * 8, s.summary.total.dram_read_bytes);
    EXPECT_LE(write_sum, s.summary.total.dram_write_bytes);
  }
}

TEST(Memory, DramTrafficNeverGrowsWithTheBuffer) {
  for (const char* chip : {"edge_eoq", "edge_bn_fp32"}) {
    const char* scheme = chip == std::string("edge_eoq") ? "eoq" : "fp32_bn";
    uint64_t previous = UINT64_MAX;
    for (const char* cap : {"64 KiB", "96 KiB", "128 KiB", "192 KiB", "256 KiB", "512 KiB", "1 MiB", "2 MiB", "4 MiB",
                            "16 MiB"}) {
      const test::Sim s = test::simulate_builtin(chip, scheme, "resnet18", 2,
                                                 {std::string("buffers.glb.capacity=") + cap, "mapper.objective=traffic"});
      const uint64_t bytes = s.summary.total.dram_read_bytes + s.summary.total.dram_write_bytes;
      EXPECT_LE(bytes, previous) << chip << " at " << cap;
      previous = bytes;
    }
  }
}

TEST(Memory, ResidencyKeepSavesTheSpilledBytes) {
  const test::Sim spill = test::simulate_builtin("edge_eoq", "eoq", "resnet20", 4, {"buffers.glb.capacity=8 MiB"});
  const test::Sim keep = test::simulate_builtin(
      "edge_eoq", "eoq", "resnet20", 4,
      {"buffers.glb.capacity=8 MiB", "residency.policy=keep", "residency.buffer=glb", "residency.capacity=6 MiB"});
  uint64_t saved = 0, kept = 0;
  const auto& a = spill.result.stats.tensor_bytes();
  const auto& b = keep.result.stats.tensor_bytes();
  for (size_t id = 0; id < keep.result.resident.size(); ++id) {
    if (!keep.result.resident[id]) {
      continue;
    }
    ++kept;
    EXPECT_EQ(b[id][0] + b[id][1], 0u) << keep.result.trace.tensors[id].name;
    saved += a[id][0] + a[id][1];
  }
  EXPECT_GT(kept, 20u);
  const auto total = [](const test::Sim& s) { return s.summary.total.dram_read_bytes + s.summary.total.dram_write_bytes; };
  // Everything else moves as before (up to burst rounding of the tensors no longer transferred).
  EXPECT_GT(saved, 0u);
  EXPECT_NEAR(static_cast<double>(total(spill) - total(keep)), static_cast<double>(saved), 64.0 * 2 * kept);
  EXPECT_LT(keep.summary.total.cycles, spill.summary.total.cycles);
}

TEST(Memory, BnPassesReReadActivationsEoqDoesNot) {
  // ResNet-18 at batch 32 on the edge chips: every BN layer's forward reads its input at least
  // twice (statistics, then normalize). Its backward reads x twice (for the sum of dy * x-hat,
  // then for dx) and dy at least once more (dy arrives from the ReLU's backward in the pass that
  // takes its sums, and is read again for dx). EOQ's layers have no such passes.
  const test::Sim fp = test::simulate_builtin("edge_bn_fp32", "fp32_bn", "resnet18", 32);
  const test::Sim eoq = test::simulate_builtin("edge_eoq", "eoq", "resnet18", 32);
  const Trace& t = fp.result.trace;
  int bn_layers = 0;
  for (size_t l = 0; l < t.layers.size(); ++l) {
    if (t.layers[l].type != "batchnorm") continue;
    ++bn_layers;
    // The BN input: the conv output this layer normalizes.
    uint64_t in_bytes = 0;
    for (const Op& op : t.ops)
      if (op.layer == static_cast<int32_t>(l) && op.phase == Phase::Fwd && op.kind == OpKind::ReduceSum)
        in_bytes = t.tensors[op.inputs[0]].bytes;
    ASSERT_GT(in_bytes, 0u) << t.layers[l].name;
    const LayerRow* f = test::row(fp, t.layers[l].name, Phase::Fwd);
    const LayerRow* e = test::row(fp, t.layers[l].name, Phase::BwdE);
    ASSERT_TRUE(f && e) << t.layers[l].name;
    EXPECT_GE(f->f.dram_read_bytes, 2 * in_bytes) << t.layers[l].name;
    EXPECT_GE(e->f.dram_read_bytes, 3 * in_bytes) << t.layers[l].name;
  }
  EXPECT_EQ(bn_layers, 20);
  for (const auto& l : eoq.result.trace.layers) EXPECT_NE(l.type, "batchnorm");
  for (const Op& op : eoq.result.trace.ops) {
    EXPECT_NE(op.kind, OpKind::ReduceSumSq);
    EXPECT_NE(op.kind, OpKind::Normalize);
  }
}

TEST(Memory, FixupBiasRidesOnTheArrayWhenTheUnitIsFused) {
  // resnet20 at batch 4: layer1.0.conv1's int8 output is 4 x 16 x 32 x 32 bytes. With the vector
  // unit on the array's paths the biases cost only their scalar; without, the conv writes its
  // output and bias1b reads it back.
  const int64_t out = 4 * 16 * 32 * 32;
  const test::Sim fused = test::simulate_builtin("edge_eoq", "eoq", "resnet20", 4);
  const test::Sim apart = test::simulate_builtin("edge_eoq", "eoq", "resnet20", 4, {"vector_unit.fused=false"});
  const LayerRow* conv_f = test::row(fused, "layer1.0.conv1", Phase::Fwd);
  const LayerRow* bias_f = test::row(fused, "layer1.0.bias1b", Phase::Fwd);
  const LayerRow* conv_a = test::row(apart, "layer1.0.conv1", Phase::Fwd);
  const LayerRow* bias_a = test::row(apart, "layer1.0.bias1b", Phase::Fwd);
  ASSERT_TRUE(conv_f && bias_f && conv_a && bias_a);
  EXPECT_EQ(conv_f->f.dram_write_bytes, 0u);
  EXPECT_EQ(bias_f->f.dram_read_bytes, 64u);  // the bias scalar, one burst
  EXPECT_EQ(conv_a->f.dram_write_bytes, static_cast<uint64_t>(out));
  EXPECT_EQ(bias_a->f.dram_read_bytes, static_cast<uint64_t>(out) + 64);
  EXPECT_GT(apart.summary.phases[static_cast<int>(Phase::Fwd)].cycles,
            fused.summary.phases[static_cast<int>(Phase::Fwd)].cycles);
}

struct TimelineFile {
  std::set<std::string> tracks;
  uint64_t end_us = 0;
  size_t slices = 0;
  double cycles = 0;
};

TimelineFile run_with_timeline(const std::string& chip, const std::string& scheme) {
  const std::string dir = test::temp_dir("timeline_" + scheme);
  // The timeline may name a directory that does not exist yet.
  const test::CliResult r = test::run_cli({"run", "--chip", chip, "--scheme", scheme, "--network", "resnet20", "--batch",
                                           "2", "--out", dir, "--timeline", dir + "/new/t.json"});
  EXPECT_EQ(r.code, 0) << r.err;
  TimelineFile f;
  std::ifstream in(dir + "/new/t.json");
  const json j = json::parse(in);
  for (const json& e : j["traceEvents"]) {
    if (e["ph"] == "M" && e["name"] == "thread_name") f.tracks.insert(e["args"]["name"].get<std::string>());
    if (e["ph"] == "X") {
      ++f.slices;
      EXPECT_GT(e["dur"].get<double>(), 0.0);
      f.end_us = std::max(f.end_us, static_cast<uint64_t>(e["ts"].get<double>() + e["dur"].get<double>() + 0.5));
    }
  }
  std::ifstream rep(dir + "/report.json");
  f.cycles = json::parse(rep)["totals"]["cycles"].get<double>();
  return f;
}

TEST(Memory, TimelineHasATrackPerUnitAndSpansTheRun) {
  const TimelineFile bn = run_with_timeline("edge_bn_fp32", "fp32_bn");
  for (const char* unit : {"pe_array", "dma_in", "dma_out", "dram", "norm_unit", "vector_unit", "update_unit"})
    EXPECT_TRUE(bn.tracks.count(unit)) << unit;
  const TimelineFile eoq = run_with_timeline("edge_eoq", "eoq");
  for (const char* unit : {"pe_array", "dma_in", "dma_out", "dram", "quant_unit", "vector_unit", "update_unit"})
    EXPECT_TRUE(eoq.tracks.count(unit)) << unit;
  EXPECT_FALSE(eoq.tracks.count("norm_unit"));
  for (const TimelineFile* f : {&bn, &eoq}) {
    EXPECT_GT(f->slices, 500u);
    // Timestamps are microseconds of the 1 GHz clock: the last slice ends with the run.
    EXPECT_NEAR(static_cast<double>(f->end_us), f->cycles / 1000.0, f->cycles / 1000.0 * 0.01);
  }
}

}  // namespace
}  // namespace eoqsim
