// Energy, area and power against hand calculations and against the technology tables.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "models/energy/energy.h"
#include "sim/common/units.h"
#include "sim/config/tech_loader.h"
#include "workloads/serialize.h"
#include "tests/helpers.h"

namespace eoqsim {
namespace {

test::Sim run_net(const std::string& body, const std::string& scheme, const std::string& chip, int64_t batch,
                  Mode mode, const std::vector<std::string>& sets = {}) {
  const std::string dir = test::temp_dir("energy_net");
  const std::string path = dir + "/net.json";
  std::ofstream(path) << body;
  const Scheme s = load_scheme(scheme);
  test::Sim out;
  out.result = simulate(load_chip(chip, sets), lower(load_network(path, s, nullptr), s, batch, mode));
  out.summary = summarize(out.result);
  return out;
}

double area_of(const test::Sim& s, const std::string& unit) {
  double a = 0;
  for (const auto& u : s.result.units)
    if (u.name == unit)
      for (const auto& item : u.area) a += item.mm2;
  return a;
}

const char* kFc = R"({"schema": "eoqsim.network/1", "name": "fc_only", "input": [256, 1, 1],
  "layers": [{"name": "fc", "type": "fc", "inputs": ["input"], "out_features": 128}]})";

TEST(Energy, AreaByHand) {
  const test::Sim s = run_net(kFc, "eoq", "edge_eoq", 16, Mode::Infer);
  // PE array: 32 x 32 PEs x (mac.int8 419 um^2 + (2 x 8 operand + 32 accumulator) register bits x
  // 5.98 um^2) (45nm.json).
  EXPECT_NEAR(area_of(s, "pe_array"), 1024 * (419 + 48 * 5.98) * 1e-6, 1e-9);
  // Global buffer: 8 banks of 64 KiB; CACTI areas 0.095 mm^2 (32 KiB) and 0.43 mm^2 (128 KiB)
  // interpolated log-log: 0.095 x (0.43 / 0.095)^(1/2) per bank.
  EXPECT_NEAR(area_of(s, "glb"), 8 * 0.095 * std::sqrt(0.43 / 0.095), 1e-9);
  // The total is the sum of the units.
  double sum = 0;
  for (const auto& u : s.result.units)
    for (const auto& item : u.area) sum += item.mm2;
  EXPECT_NEAR(s.summary.area_mm2, sum, 1e-12);
}

TEST(Energy, SingleFcStepByHand) {
  // eoq with direct activations: the step is one pass (no activation max, no scale step).
  const test::Sim s = run_net(kFc, EOQSIM_SOURCE_DIR "/tests/data/eoq_direct_activations.json", "edge_eoq", 16,
                              Mode::Infer, {"buffers.glb.capacity=4 MiB"});
  const Summary& f = s.summary;
  // 16 x 256 x 128 MACs at mac.int8 = 0.3 pJ.
  EXPECT_EQ(f.total.macs, 16u * 256 * 128);
  EXPECT_DOUBLE_EQ(f.event_energy[static_cast<size_t>(s.result.stats.find("pe_array", "mac.int8"))],
                   16.0 * 256 * 128 * 0.3);
  // DRAM: the input (4096 B), weights (32768 B) and bias (128 B) read once, the int8 output
  // (2048 B) written once, all whole 64-byte bursts, at 8 pJ/bit = 64 pJ per byte.
  EXPECT_DOUBLE_EQ(f.breakdown[static_cast<int>(Category::Dram)], (4096.0 + 32768 + 128 + 2048) * 64);
  // Leakage: 0.5 mW/mm^2 x area x time.
  EXPECT_NEAR(f.leakage_pj, 0.5e-3 * f.area_mm2 * f.seconds * 1e12, 1e-9 * f.leakage_pj);
  // Power: a one-pass run's peak is its average.
  EXPECT_NEAR(f.peak_power_w, f.avg_power_w, 1e-9 * f.avg_power_w);
  EXPECT_NEAR(f.avg_power_w, f.total.energy_pj * 1e-12 / f.seconds, 1e-12);
}

// Recomputes an event's price from the technology table on its own.
double expected_price(const EventDef& d, const TechTable& t, const ChipConfig& chip) {
  if (d.unit == "dram") return chip.dram.params.value("energy_pj_per_bit", 8.0) * 8.0;
  if (d.unit == "interconnect") return t.interconnect_byte.energy_pj;
  if (d.name == "register_bits") return t.register_bit.energy_pj;
  for (const auto& b : chip.buffers)
    if (d.unit == b.name) {
      const json p = json::parse(b.params.dump());
      const EnergyModel m(t);
      const uint64_t cap = units::parse_size_bytes(p["capacity"].get<std::string>());
      const SramCost c = m.sram(cap / p["banks"].get<uint64_t>(), p["width_bits"].get<int64_t>());
      return d.name == "read_access" ? c.read_pj : d.name == "write_access" ? c.write_pj : 0.0;
    }
  auto it = t.ops.find(d.name);
  if (it != t.ops.end()) return it->second.energy_pj;
  return -1;  // unknown: the test fails
}

TEST(Energy, EveryEventIsPricedFromTheTableAndEnergyIsTheirSum) {
  for (const char* node : {"45nm", "16nm", "7nm"})
    for (const auto& [scheme, chip] : std::vector<std::pair<std::string, std::string>>{
             {"fp32_bn", "edge_bn_fp32"}, {"wageubn", "edge_wageubn"}, {"eoq", "edge_eoq"}}) {
      SCOPED_TRACE(std::string(node) + " " + scheme);
      const std::vector<std::string> sets = {std::string("tech=") + node};
      const ChipConfig cfg = load_chip(chip, sets);
      const test::Sim s = test::simulate_builtin(chip, scheme, "resnet20", 2, sets);
      const auto& defs = s.result.stats.defs();
      double events = 0;
      for (size_t e = 0; e < defs.size(); ++e) {
        const double want = defs[e].energy_pj == 0 ? 0 : expected_price(defs[e], cfg.tech, cfg);
        if (defs[e].energy_pj != 0) {
          EXPECT_DOUBLE_EQ(defs[e].energy_pj, want) << defs[e].unit << "." << defs[e].name;
        }
        events += static_cast<double>(s.summary.event_count[e]) * defs[e].energy_pj;
      }
      EXPECT_NEAR(s.summary.total.energy_pj, events + s.summary.leakage_pj, 1e-9 * s.summary.total.energy_pj);
      double parts = 0;
      for (double v : s.summary.breakdown) parts += v;
      EXPECT_NEAR(parts, s.summary.total.energy_pj, 1e-9 * s.summary.total.energy_pj);
      EXPECT_GE(s.summary.peak_power_w, s.summary.avg_power_w);
    }
}

TEST(Energy, ScaledNodesFollowStillmakerBaas) {
  const TechTable t45 = load_tech("45nm", "");
  for (const auto& [node, fe, fa] : std::vector<std::tuple<std::string, double, double>>{{"16nm", 0.174, 0.19},
                                                                                        {"7nm", 0.094, 0.059}}) {
    SCOPED_TRACE(node);
    const TechTable t = load_tech(node, "");
    ASSERT_EQ(t.ops.size(), t45.ops.size());
    for (const auto& [k, e] : t45.ops) {
      EXPECT_NEAR(t.ops.at(k).energy_pj, e.energy_pj * fe, 1e-6) << k;
      EXPECT_NEAR(t.ops.at(k).area_um2, e.area_um2 * fa, 1e-6) << k;
      EXPECT_EQ(t.ops.at(k).latency_cycles, e.latency_cycles) << k;
    }
    for (size_t i = 0; i < t45.sram.size(); ++i) EXPECT_NEAR(t.sram[i].read_pj, t45.sram[i].read_pj * fe, 1e-6);
    EXPECT_NEAR(t.leakage.energy_pj, t45.leakage.energy_pj * fe / fa, 1e-6);
  }
}

TEST(Energy, SramBeyondTheTableFollowsTheDocumentedFit) {
  const EnergyModel m(load_tech("45nm", ""));
  // 45 nm x64 energy points span 512 B .. 1 MiB, area points up to 2 MiB. At 4 MiB: the largest
  // energy point times 4^slope, with the least-squares slope over the x64 points, and the area
  // linear in capacity from the largest area point; both estimates.
  const SramCost in = m.sram(1 << 20, 64), out = m.sram(4 << 20, 64);
  EXPECT_FALSE(in.estimate);
  EXPECT_TRUE(out.estimate);
  EXPECT_NEAR(out.area_mm2, m.sram(2 << 20, 64).area_mm2 * 2, 1e-9);
  const double slope = std::log(out.read_pj / in.read_pj) / std::log(4.0);
  EXPECT_GT(slope, 0.3);  // energy.md 3.1: roughly sqrt(capacity)
  EXPECT_LT(slope, 0.7);
}

TEST(Energy, FunctionalUnitsTakeTheTablesLatency) {
  // The FP32 norm unit gives only counts: latency and interval come from sqrt.fp32 / div.fp32.
  const ChipConfig c = load_chip("edge_bn_fp32");
  EXPECT_EQ(c.norm_unit->params["sqrt"]["latency"], 25);
  EXPECT_EQ(c.norm_unit->params["sqrt"]["interval"], 24);
  // edge_wageubn's int32 dividers are pipelined: interval given, latency from div.int32.
  const ChipConfig w = load_chip("edge_wageubn");
  EXPECT_EQ(w.norm_unit->params["div"]["latency"], 34);
  EXPECT_EQ(w.norm_unit->params["div"]["interval"], 1);
  EXPECT_EQ(w.resolved["norm_unit"]["div"]["latency"], 34);
}

}  // namespace
}  // namespace eoqsim
