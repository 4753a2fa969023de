// Whole simulations checked against closed-form models of the same situation.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "models/pe_array/timing.h"
#include "workloads/serialize.h"
#include "tests/helpers.h"

namespace eoqsim {
namespace {

std::string write_network(const std::string& name, const std::string& body) {
  const std::string dir = test::temp_dir("net_" + name);
  const std::string path = dir + "/" + name + ".json";
  std::ofstream(path) << body;
  return path;
}

test::Sim run_file(const std::string& net, const std::string& scheme, const std::string& chip, int64_t batch,
                   const std::vector<std::string>& sets, Mode mode) {
  const Scheme s = load_scheme(scheme);
  test::Sim out;
  out.result = simulate(load_chip(chip, sets), lower(load_network(net, s, nullptr), s, batch, mode));
  out.summary = summarize(out.result);
  return out;
}

TEST(ClosedForm, MemoryBoundPassTakesBytesOverBandwidth) {
  const std::string net = write_network("relu", R"({"schema": "eoqsim.network/1", "name": "relu_only",
    "input": [64, 56, 56], "layers": [{"name": "relu", "type": "relu", "inputs": ["input"]}]})");
  // 100 MB/s at 1 GHz = 0.1 byte per cycle: the ReLU's 32 lanes are never the bottleneck.
  const test::Sim s = run_file(net, "fp32_bn", "edge_bn_fp32", 8, {"dram.bandwidth=100 MB/s"}, Mode::Infer);
  const double bytes = static_cast<double>(s.summary.total.dram_read_bytes + s.summary.total.dram_write_bytes);
  EXPECT_DOUBLE_EQ(bytes, 2.0 * 8 * 64 * 56 * 56 * 4);
  const double expected = bytes / 0.1;
  EXPECT_NEAR(static_cast<double>(s.summary.total.cycles), expected, 0.01 * expected);
}

TEST(ClosedForm, GemmThatFitsReadsEachOperandOnce) {
  const std::string net = write_network("fc", R"({"schema": "eoqsim.network/1", "name": "fc_only",
    "input": [256, 1, 1], "layers": [{"name": "fc", "type": "fc", "inputs": ["input"], "out_features": 128}]})");
  const test::Sim s = run_file(net, "eoq", "edge_eoq", 16, {"buffers.glb.capacity=4 MiB"}, Mode::Infer);
  // int8 input and weights, int8 bias, int8 output (quantized from the int32 accumulator on chip).
  EXPECT_EQ(s.summary.total.dram_read_bytes, static_cast<uint64_t>(16 * 256 + 256 * 128 + 128));
  EXPECT_EQ(s.summary.total.dram_write_bytes, static_cast<uint64_t>(16 * 128));
}

TEST(ClosedForm, SplitScratchpadsServeTheirRoles) {
  // A weight scratchpad beside the global buffer: it receives exactly the parameters (weights
  // and bias, loaded once) and the array reads them from it once each.
  const std::string net = write_network("fc_split", R"({"schema": "eoqsim.network/1", "name": "fc_only",
    "input": [256, 1, 1], "layers": [{"name": "fc", "type": "fc", "inputs": ["input"], "out_features": 128}]})");
  const test::Sim s = run_file(net, "eoq", "edge_eoq", 16,
                               {"buffers.wbuf.impl=sram", "buffers.wbuf.capacity=64 KiB", R"(buffers.wbuf.holds=["filter"])",
                                R"(buffers.glb.holds=["ifmap","ofmap"])"},
                               Mode::Infer);
  const auto count = [&](const char* unit, const char* name) {
    int64_t n = 0;
    const auto& defs = s.result.stats.defs();
    for (size_t e = 0; e < defs.size(); ++e)
      if (defs[e].unit == unit && defs[e].name == name) n += static_cast<int64_t>(s.summary.event_count[e]);
    return n;
  };
  const int64_t params = 256 * 128 + 128;
  EXPECT_EQ(count("wbuf", "write_bytes"), params);
  EXPECT_EQ(count("wbuf", "read_bytes"), params);
  EXPECT_EQ(count("wbuf", "write_access"), (params + 31) / 32);  // 256-bit accesses
  EXPECT_GT(count("glb", "read_bytes"), 16 * 256);
}

TEST(ClosedForm, ComputeBoundConvTakesItsArrayCycles) {
  const std::string net = write_network("conv", R"({"schema": "eoqsim.network/1", "name": "conv_only",
    "input": [128, 28, 28], "layers": [{"name": "conv", "type": "conv", "inputs": ["input"], "out_channels": 128,
    "kernel": 3, "padding": 1}]})");
  // Unlimited DRAM and bus, and enough buffer banks for the array's partial-sum traffic
  // (2 x 32 columns x 4 B per cycle) so that nothing but the array bounds the run.
  const test::Sim s = run_file(net, "eoq", "edge_eoq", 4,
                               {"dram.bandwidth=10 TB/s", "interconnect.bytes_per_cycle=100000", "buffers.glb.banks=64"},
                               Mode::Infer);
  const Figures& f = s.summary.total;
  const double ideal = static_cast<double>(f.macs) / 1024.0;
  // The array's own occupancy bounds the run from below; DMA and the epilogue add little.
  EXPECT_GE(static_cast<double>(f.cycles), static_cast<double>(f.compute_cycles));
  EXPECT_LE(static_cast<double>(f.cycles), 1.10 * static_cast<double>(f.compute_cycles));
  EXPECT_GE(static_cast<double>(f.compute_cycles), ideal);
  EXPECT_LE(static_cast<double>(f.compute_cycles), 1.25 * ideal);
}

TEST(ClosedForm, BufferPortsThrottleTheArray) {
  const std::string net = write_network("conv2", R"({"schema": "eoqsim.network/1", "name": "conv_only",
    "input": [128, 28, 28], "layers": [{"name": "conv", "type": "conv", "inputs": ["input"], "out_channels": 128,
    "kernel": 3, "padding": 1}]})");
  const std::vector<std::string> fast = {"dram.bandwidth=10 TB/s", "interconnect.bytes_per_cycle=100000"};
  std::vector<std::string> wide = fast, narrow = fast;
  wide.push_back("buffers.glb.banks=64");
  narrow.push_back("buffers.glb.banks=2");
  const test::Sim a = run_file(net, "eoq", "edge_eoq", 4, wide, Mode::Infer);
  const test::Sim b = run_file(net, "eoq", "edge_eoq", 4, narrow, Mode::Infer);
  // 2 banks x 32 B = 64 B/cycle against ~288 B/cycle of array traffic: about 4.5x slower.
  EXPECT_GT(static_cast<double>(b.summary.total.cycles), 4.0 * static_cast<double>(a.summary.total.cycles));
  EXPECT_EQ(a.summary.total.compute_cycles, b.summary.total.compute_cycles);
  // A second port per bank doubles the narrow buffer's bandwidth: the port-bound run halves.
  std::vector<std::string> dual = narrow;
  dual.push_back("buffers.glb.ports=2");
  const test::Sim c = run_file(net, "eoq", "edge_eoq", 4, dual, Mode::Infer);
  EXPECT_NEAR(static_cast<double>(c.summary.total.cycles), static_cast<double>(b.summary.total.cycles) / 2.0,
              0.03 * static_cast<double>(b.summary.total.cycles));
  EXPECT_GT(c.summary.area_mm2, b.summary.area_mm2);
}

TEST(ClosedForm, SingleTileLatencyIsDmaPlusArrayPlusEpilogue) {
  // One tile: read A and B, run the array, quantize, write C. Each stage's closed form adds up.
  const std::string net = write_network("tiny", R"({"schema": "eoqsim.network/1", "name": "tiny",
    "input": [32, 1, 1], "layers": [{"name": "fc", "type": "fc", "inputs": ["input"], "out_features": 32, "bias": false}]})");
  // eoq with direct activations: no activation max reduction or scale step in the epilogue.
  const test::Sim s = run_file(net, EOQSIM_SOURCE_DIR "/tests/data/eoq_direct_activations.json", "edge_eoq", 32,
                               {"dram.latency=0 ns"}, Mode::Infer);
  // 12.8 B/cycle, 64-byte bursts: A 1024 B -> 80 cycles, B 1024 B -> 80 cycles.
  const uint64_t dma_in = 160;
  const TileTiming tt = ws_tile_timing(32, 32, 32, 32, 32);
  // Quantize 1024 int32 outputs on 32 lanes: 32 cycles + 4 pipeline.
  const uint64_t quant = 32 + 4;
  const uint64_t dma_out = 80;  // 1024 int8 bytes
  EXPECT_EQ(s.summary.total.cycles, dma_in + tt.latency + quant + dma_out);
}

}  // namespace
}  // namespace eoqsim
