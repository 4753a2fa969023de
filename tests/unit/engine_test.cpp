// End-to-end runs of the simulator: counters, attribution and energy identities.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "sim/common/error.h"
#include "sim/report/report.h"
#include "tests/helpers.h"

namespace eoqsim {
namespace {

TEST(Engine, Fp32BnCountsOneSquareRootPerChannelEoqNone) {
  const test::Sim fp = test::simulate_builtin("edge_bn_fp32", "fp32_bn", "resnet18", 2);
  EXPECT_EQ(test::count_event(fp, "sqrt.fp32"), 4800);
  const test::Sim eoq = test::simulate_builtin("edge_eoq", "eoq", "resnet18", 2);
  for (const auto& d : eoq.result.stats.defs()) EXPECT_EQ(d.name.rfind("sqrt", 0), std::string::npos) << d.name;
}

TEST(Engine, LayerCyclesAddUpToPhasesAndTotal) {
  for (const char* scheme : {"fp32_bn", "eoq"}) {
    const test::Sim s = test::simulate_builtin(scheme == std::string("eoq") ? "edge_eoq" : "edge_bn_fp32", scheme,
                                               "resnet20", 4);
    uint64_t rows = 0;
    std::array<uint64_t, kNumPhases> by_phase{};
    for (const auto& r : s.summary.rows) {
      rows += r.f.cycles;
      by_phase[static_cast<int>(r.phase)] += r.f.cycles;
    }
    uint64_t phases = 0;
    for (int p = 0; p < kNumPhases; ++p) {
      EXPECT_EQ(by_phase[p], s.summary.phases[p].cycles);
      phases += s.summary.phases[p].cycles;
    }
    EXPECT_EQ(rows, s.summary.total.cycles);
    EXPECT_EQ(phases, s.summary.total.cycles);
    EXPECT_EQ(s.summary.total.cycles, s.result.total_cycles);  // the controller's own end time
    EXPECT_GT(s.summary.total.cycles, 0u);
  }
}

TEST(Engine, MacsInReportAreUsefulMacs) {
  const test::Sim s = test::simulate_builtin("edge_eoq", "eoq", "resnet18", 1);
  EXPECT_EQ(s.summary.phases[static_cast<int>(Phase::BwdW)].macs, s.summary.phases[static_cast<int>(Phase::Fwd)].macs);
  EXPECT_EQ(test::count_event(s, "mac.int8"), static_cast<int64_t>(s.summary.total.macs));
}

TEST(Engine, DramBytesFollowTheSchemeWidth) {
  // A ReLU output that leaves the chip is written once at the activation width: 1 byte in EOQ,
  // 4 in FP32. layer1.0.relu (after conv1) is a block-internal activation saved for backward.
  const int64_t n = 2 * 16 * 32 * 32;
  const test::Sim eoq = test::simulate_builtin("edge_eoq", "eoq", "resnet20", 2);
  const test::Sim fp = test::simulate_builtin("edge_bn_fp32", "fp32_bn", "resnet20", 2);
  const LayerRow* a = test::row(eoq, "layer1.0.relu", Phase::Fwd);
  const LayerRow* b = test::row(fp, "layer1.0.relu", Phase::Fwd);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->f.dram_write_bytes, static_cast<uint64_t>(n));
  EXPECT_EQ(b->f.dram_write_bytes, static_cast<uint64_t>(4 * n));
}

TEST(Engine, EnergyIsEventsTimesTableValuesPlusLeakage) {
  const test::Sim s = test::simulate_builtin("edge_bn_fp32", "fp32_bn", "resnet20", 2);
  const auto& defs = s.result.stats.defs();
  double events = 0;
  for (size_t e = 0; e < defs.size(); ++e) events += static_cast<double>(s.summary.event_count[e]) * defs[e].energy_pj;
  const double leak = s.result.leakage_mw_per_mm2 * s.summary.area_mm2 * 1e9 / s.result.clock_hz *
                      static_cast<double>(s.summary.total.cycles);
  EXPECT_NEAR(s.summary.total.energy_pj, events + leak, 1e-6 * s.summary.total.energy_pj);
  double parts = 0;
  for (double v : s.summary.breakdown) parts += v;
  EXPECT_NEAR(parts, s.summary.total.energy_pj, 1e-6 * s.summary.total.energy_pj);
  // MAC energy is the table's mac.fp32 value per MAC.
  for (size_t e = 0; e < defs.size(); ++e)
    if (defs[e].name == "mac.fp32") {
      EXPECT_DOUBLE_EQ(defs[e].energy_pj, 4.6);
    }
}

TEST(Engine, ReportsAreDeterministicApartFromWallClock) {
  auto once = [] {
    const test::Sim s = test::simulate_builtin("edge_eoq", "eoq", "resnet20", 3);
    ordered_json j = report_json(s.result, s.summary);
    j.erase("sim");
    return j.dump() + layers_csv(s.result, s.summary);
  };
  EXPECT_EQ(once(), once());
}

TEST(Engine, SchemeNeedingAMissingUnitIsRejected) {
  try {
    test::simulate_builtin("edge_eoq", "fp32_bn", "resnet20", 1);
    FAIL();
  } catch (const UnsupportedError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("norm_unit"), std::string::npos) << m;
    EXPECT_NE(m.find("bn1"), std::string::npos) << m;
  }
}

TEST(Engine, PrecisionTheArrayLacksIsRejected) {
  try {
    // Give the FP32 chip a quantization unit: what is still missing are int8 MACs.
    test::simulate_builtin("edge_bn_fp32", "eoq", "resnet20", 1, {"quant_unit.impl=lanes"});
    FAIL();
  } catch (const UnsupportedError& e) {
    EXPECT_NE(std::string(e.what()).find("int8"), std::string::npos) << e.what();
  }
}

TEST(Engine, StepLargerThanDramIsRejected) {
  EXPECT_THROW(test::simulate_builtin("edge_bn_fp32", "fp32_bn", "resnet50", 64, {"dram.capacity=64 MiB"}),
               UnsupportedError);
}

TEST(Engine, EoqMovesLessDataThanFp32Bn) {
  const test::Sim eoq = test::simulate_builtin("edge_eoq", "eoq", "resnet18", 4);
  const test::Sim fp = test::simulate_builtin("edge_bn_fp32", "fp32_bn", "resnet18", 4);
  const auto dram = [](const test::Sim& s) { return s.summary.total.dram_read_bytes + s.summary.total.dram_write_bytes; };
  EXPECT_LT(dram(eoq) * 2, dram(fp));
  EXPECT_LT(eoq.summary.total.energy_pj * 2, fp.summary.total.energy_pj);
  // BN's statistics pass re-reads every conv output: the FP32 run reads more per BN layer than
  // the conv wrote.
  const LayerRow* bn = test::row(fp, "layer1.0.bn1", Phase::Fwd);
  const LayerRow* conv = test::row(fp, "layer1.0.conv1", Phase::Fwd);
  ASSERT_TRUE(bn && conv);
  EXPECT_GE(bn->f.dram_read_bytes, 2 * conv->f.dram_write_bytes);
}

TEST(Engine, SeveralSimulationsInOneProcess) {
  // Each simulation runs in a fresh kernel context.
  const test::Sim a = test::simulate_builtin("edge_eoq", "eoq", "resnet20", 1);
  const test::Sim b = test::simulate_builtin("edge_eoq", "eoq", "resnet20", 1);
  const test::Sim c = test::simulate_builtin("edge_bn_fp32", "fp32_bn", "resnet20", 1);
  EXPECT_EQ(a.summary.total.cycles, b.summary.total.cycles);
  EXPECT_GT(c.summary.total.cycles, 0u);
}

}  // namespace
}  // namespace eoqsim

namespace eoqsim {
namespace {

TEST(Engine, PhaseSubsetReadsSavedStatisticsFromDram) {
  // BN backward alone still has to fetch the mean and 1/sigma saved by the forward pass.
  const Trace full = test::lowered("resnet20", "fp32_bn", 2);
  const Trace bwd = full.filtered({Phase::BwdE});
  ChipConfig chip = load_chip("edge_bn_fp32");
  const RunResult r = simulate(chip, bwd);
  const Summary s = summarize(r);
  int32_t bn = -1;
  for (size_t l = 0; l < bwd.layers.size(); ++l)
    if (bwd.layers[l].name == "layer1.0.bn1") bn = static_cast<int32_t>(l);
  uint64_t read = 0;
  for (size_t i = 0; i < bwd.ops.size(); ++i)
    if (bwd.ops[i].layer == bn) read += s.ops[i].dram_read_bytes;
  const uint64_t n = 2 * 16 * 32 * 32 * 4;
  // dy and x twice (statistics, then dx), plus gamma|beta, mean, 1/sigma and the two sums.
  EXPECT_GE(read, 4 * n + 2 * 16 * 4);
}

TEST(Engine, TechnologyTableDrivesEnergy) {
  const std::string dir = test::temp_dir("tech");
  json tech = load_json_file(test::source_path("configs/tech/45nm.json"));
  tech["ops"]["mac.int8"]["energy_pj"] = 0.6;  // twice the default
  std::ofstream(dir + "/t.json") << tech.dump();
  const test::Sim a = test::simulate_builtin("edge_eoq", "eoq", "resnet20", 1);
  const test::Sim b = test::simulate_builtin("edge_eoq", "eoq", "resnet20", 1, {"tech=" + dir + "/t.json"});
  const double macs = static_cast<double>(a.summary.total.macs);
  EXPECT_NEAR(b.summary.total.energy_pj - a.summary.total.energy_pj, 0.3 * macs, 1e-6 * b.summary.total.energy_pj);
  EXPECT_EQ(a.summary.total.cycles, b.summary.total.cycles);
}

}  // namespace
}  // namespace eoqsim

namespace eoqsim {
namespace {

// The tile model and the cycle-stepped array give the same whole-network results.
TEST(Engine, DetailedArrayMatchesTileModelOnAWholeNetwork) {
  for (const char* df : {"ws", "os", "is"}) {
    const std::string flow = std::string("pe_array.dataflow=") + df;
    const test::Sim a = test::simulate_builtin("edge_eoq", "eoq", "resnet20", 1, {flow, "pe_array.rows=16"});
    const test::Sim b = test::simulate_builtin(
        "edge_eoq", "eoq", "resnet20", 1,
        {"pe_array.impl=systolic_detailed", "pe_array.precisions=[\"int8\"]", flow, "pe_array.rows=16"});
    ordered_json ja = report_json(a.result, a.summary), jb = report_json(b.result, b.summary);
    for (auto* j : {&ja, &jb}) {
      j->erase("sim");
      j->erase("units");  // names the impl
    }
    EXPECT_EQ(ja.dump(), jb.dump()) << df;
  }
}

TEST(Engine, VcdNeedsTheDetailedArray) {
  auto r = test::run_cli({"run", "--chip", "edge_eoq", "--scheme", "eoq", "--network", "resnet20", "--vcd", "/tmp/x.vcd",
                          "--out", test::temp_dir("vcd_bad")});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("systolic_detailed"), std::string::npos) << r.err;
}

TEST(Engine, VcdOfASmallRun) {
  const std::string dir = test::temp_dir("vcd");
  std::ofstream(dir + "/g.csv") << "Layer name, M, N, K,\ng1, 6, 5, 7,\ng2, 3, 4, 2,\n";
  auto r = test::run_cli({"run", "--chip", "edge_eoq", "--scheme", "eoq", "--network", dir + "/g.csv", "--phases", "fwd",
                          "--set", "pe_array.impl=systolic_detailed", "--set", "pe_array.rows=4", "--set",
                          "pe_array.cols=4", "--vcd", dir + "/w.vcd", "--out", dir + "/o"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::ifstream in(dir + "/w.vcd");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string vcd = ss.str();
  EXPECT_NE(vcd.find("$enddefinitions"), std::string::npos);
  size_t vars = 0;
  for (size_t p = vcd.find("$var"); p != std::string::npos; p = vcd.find("$var", p + 1)) ++vars;
  EXPECT_EQ(vars, 4u * 4u * 3u);
}

}  // namespace
}  // namespace eoqsim

namespace eoqsim {
namespace {

TEST(Engine, GroupedAndDepthwiseConvsInEveryRoleAndDataflow) {
  const std::string dir = test::temp_dir("groups");
  const std::string net = dir + "/g.json";
  std::ofstream(net) << R"({"schema": "eoqsim.network/1", "name": "grouped", "input": [16, 12, 12], "layers": [
    {"name": "pw", "type": "conv", "inputs": ["input"], "out_channels": 32, "kernel": 1},
    {"name": "grouped", "type": "conv", "inputs": ["pw"], "out_channels": 32, "kernel": 3, "padding": 1, "groups": 4},
    {"name": "dw", "type": "conv", "inputs": ["grouped"], "out_channels": 32, "kernel": 3, "stride": 2, "padding": 1, "groups": 32},
    {"name": "fc", "type": "fc", "inputs": ["dw"], "out_features": 10},
    {"name": "loss", "type": "loss", "inputs": ["fc"]}]})";
  const Scheme s = load_scheme("eoq");
  const Trace t = lower(load_network(net, s, nullptr), s, 2, Mode::Train);
  int64_t macs[3] = {0, 0, 0};
  for (const Op& op : t.ops) {
    if (op.kind != OpKind::Gemm) continue;
    const std::string& name = t.layers[op.layer].name;
    if (name == "dw") {
      EXPECT_EQ(op.conv.macs(), 2 * 6 * 6 * 32 * 1 * 9);  // one input channel per output channel
      EXPECT_EQ(gemm_parts(op).front().count, 32);  // one GEMM per group, in every role
    }
    if (name == "grouped") {
      EXPECT_EQ(op.conv.macs(), 2 * 12 * 12 * 32 * 8 * 9);
    }
    macs[static_cast<int>(op.role)] += op.conv.macs();
  }
  EXPECT_EQ(macs[static_cast<int>(GemmRole::WeightGrad)], macs[static_cast<int>(GemmRole::Forward)]);
  for (const char* df : {"ws", "os", "is"}) {
    const std::string flow = std::string("pe_array.dataflow=") + df;
    const RunResult a = simulate(load_chip("edge_eoq", {flow, "pe_array.rows=8", "pe_array.cols=8"}), t);
    const RunResult b = simulate(load_chip("edge_eoq", {"pe_array.impl=systolic_detailed", flow, "pe_array.rows=8",
                                                        "pe_array.cols=8"}),
                                 t);
    EXPECT_EQ(summarize(a).total.cycles, summarize(b).total.cycles) << df;
    EXPECT_EQ(summarize(a).total.macs, static_cast<uint64_t>(macs[0] + macs[1] + macs[2])) << df;
  }
}

}  // namespace
}  // namespace eoqsim
