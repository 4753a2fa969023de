// Everything a run produced, as plain data: the executed trace, the event counters, per-op
// timing, the units and the configuration. Writers (report.cpp) turn it into files; nothing here
// computes cycles or energy.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "sim/common/json.h"
#include "sim/common/stats.h"
#include "workloads/footprint.h"
#include "workloads/trace.h"

namespace eoqsim {

struct OpTiming {
  uint64_t end = 0;             // cycle its last work finished
  uint64_t compute_cycles = 0;  // PE-array occupancy summed over tiles (GEMMs)
  uint64_t fill_drain = 0;      // of which array fill and drain
  uint64_t weight_stall = 0;    // of which folds waiting on weight loads
  uint64_t tiles = 0;
  uint64_t executed_macs = 0;   // MAC slots the array performed (GEMM parts)
  uint64_t mapped_pes = 0;      // PEs holding a stationary operand, summed over folds
  uint64_t fold_pes = 0;        // folds x rows x cols
  uint64_t busy = 0;            // cycles its own unit worked on it (array or element-wise unit)
};

struct UnitResult {
  std::string name;        // instance: "pe_array", "glb", "dram", ...
  std::string kind;        // "pe_array", "buffer", "dram", "dma", ...
  std::string impl;
  Category category = Category::None;
  bool timed = true;  // has busy time (buffers are passive)
  uint64_t busy_cycles = 0;
  uint64_t jobs = 0;
  uint64_t wait_cycles = 0;  // jobs queued behind earlier work on this unit
  std::vector<AreaItem> area;
};

struct RunResult {
  Trace trace;  // the ops executed, in order
  Stats stats;
  std::vector<OpTiming> timing;
  std::vector<std::string> mapping;  // per op: the GEMM mapping, "" otherwise
  // The order in which ops are charged cycles (see summary.h): trace order, except that inside a
  // fused pass the anchor op (its GEMM, or its first op) comes first. Empty = trace order.
  std::vector<int32_t> attribution_order;
  std::vector<bool> resident;  // per tensor: held in the buffer's resident region (residency keep)
  std::vector<bool> onchip;    // per tensor: lives in unit registers (never in a buffer or DRAM)
  std::vector<int32_t> pass;   // per op: the index of the pass (fused group) that executed it
  std::vector<std::pair<uint64_t, uint64_t>> pass_span;  // per pass: start and end cycle
  uint64_t total_cycles = 0;
  double clock_hz = 1e9;
  std::string chip_name, chip_file, tech_node, tech_file;
  ordered_json chip_resolved, scheme_resolved;
  std::vector<UnitResult> units;
  double leakage_mw_per_mm2 = 0;
  std::string leakage_source;
  MemoryFootprint memory;
  uint64_t dram_capacity = 0;
  std::vector<std::string> assumptions;
  uint64_t groups = 0, tiles = 0;
  double wall_seconds = 0;
};

}  // namespace eoqsim
