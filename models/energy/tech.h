// A technology table: per-event energies and per-instance areas, each with its source
// (configs/tech/*.json, schema "eoqsim.tech/1"). Loaded by sim/config/tech_loader.cpp.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace eoqsim {

struct TechEntry {
  double energy_pj = 0;   // per event
  double area_um2 = 0;    // per hardware instance
  std::string source;
  bool estimate = false;  // no published number; `source` gives the reasoning
  // Square root and division: cycles from operands to result and between successive
  // operations of one unit (0 when the entry does not say).
  int64_t latency_cycles = 0, interval_cycles = 0;
};

struct SramPoint {
  uint64_t capacity = 0;  // bytes
  int64_t width_bits = 0;
  double read_pj = 0, write_pj = 0;  // per access of width_bits
};

struct TechTable {
  std::string file, node, description;
  std::map<std::string, TechEntry> ops;  // "add.int8", "mac.fp32", "sqrt.fp32", "rng", ...
  std::vector<SramPoint> sram;           // CACTI points, dynamic energy per access
  std::string sram_source;
  std::vector<std::pair<uint64_t, double>> sram_area_mm2;  // capacity -> area
  std::string sram_area_source;
  TechEntry register_bit;        // per bit of a pipeline/PE register
  TechEntry interconnect_byte;   // per byte moved on the on-chip bus
  TechEntry leakage;             // energy_pj field holds mW per mm^2
};

}  // namespace eoqsim
