// End-to-end runs of the simulator: counters, attribution and energy identities.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

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
    if (defs[e].name == "mac.fp32") EXPECT_DOUBLE_EQ(defs[e].energy_pj, 4.6);
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
