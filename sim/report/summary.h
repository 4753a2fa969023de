// Derived figures of a run, all computed from RunResult's counters and documented parameters.
//
// Cycle attribution: ops run in order and may overlap. Let end_i be op i's last completion and
// E_i = max(end_0..end_i). Op i is attributed E_i - E_{i-1} cycles (E_-1 = 0): time overlapped
// with an earlier op stays with the earlier op, and the attributed cycles of all ops add up to
// the total exactly. The order is the trace's, except inside one fused pass (a contiguous run of
// ops streaming tiles together), where the pass's anchor comes first: its GEMM, or its first op.
// So a Fixup bias riding on a conv's input path is charged only the time it adds, not the
// conv's. Layer and phase cycles are sums over their ops.
//
// Energy of op i = sum over its events of count x energy per event + leakage power x its
// attributed time. Leakage power = chip area x leakage density of the technology table.
#pragma once
#include <array>
#include <string>
#include <vector>

#include "sim/report/result.h"

namespace eoqsim {

struct Figures {
  uint64_t cycles = 0;
  uint64_t macs = 0;  // useful MACs (GEMM ops' forward count)
  double energy_pj = 0;
  uint64_t dram_read_bytes = 0, dram_write_bytes = 0, sram_read_bytes = 0, sram_write_bytes = 0;
  uint64_t compute_cycles = 0, fill_drain = 0, weight_stall = 0, executed_macs = 0, tiles = 0;
  uint64_t mapped_pes = 0, fold_pes = 0;  // for mapping efficiency
  uint64_t stall_cycles = 0;  // attributed cycles its own unit was not working on it
  void add(const Figures& o);
  double mapping_efficiency() const { return fold_pes ? static_cast<double>(mapped_pes) / fold_pes : 0.0; }
};

struct LayerRow {
  int32_t layer = 0;
  Phase phase = Phase::Fwd;
  Figures f;
  std::string mapping;
};

struct Summary {
  Figures total;
  std::array<Figures, kNumPhases> phases;
  std::array<bool, kNumPhases> phase_present{};
  std::vector<LayerRow> rows;          // one per (layer, phase) with ops, in execution order
  std::vector<Figures> ops;            // per op
  std::array<double, kNumCategories> breakdown{};  // energy by category, leakage included
  std::vector<double> event_energy;    // per event id, summed over ops
  std::vector<uint64_t> event_count;   // per event id
  double area_mm2 = 0;
  double leakage_pj = 0;
  double seconds = 0;
  double avg_power_w = 0;
  // The highest average power of any pass (ops streamed together), leakage included, and the
  // layer and phase of that pass's first op.
  double peak_power_w = 0;
  std::string peak_pass;
  int64_t pes = 0;
};

Summary summarize(const RunResult& r);

}  // namespace eoqsim
