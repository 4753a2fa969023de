// Design-space sweeps as data (configs/sweeps/*.json, schema "eoqsim.sweep/1", documented in
// configs/sweeps/README.md): a base workload and chip, axes over any chip path or workload key
// combined as a grid, zipped lists and seeded random samples, derived parameters and
// constraints. Expansion is deterministic; points are numbered from 0 in expansion order.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "sim/common/json.h"

namespace eoqsim {

// Keys of a point that choose the workload rather than a chip parameter.
inline const std::vector<std::string>& sweep_workload_keys() {
  static const std::vector<std::string> k = {"chip", "scheme", "network", "batch", "mode"};
  return k;
}

struct SweepAxis {
  std::string name;
  std::vector<ordered_json> values;
};

struct RandomAxis {
  std::string name;
  std::string kind;        // choice | uniform | log_uniform | int
  ordered_json arg;        // the list of choices, or [low, high]
};

struct SweepSpec {
  std::string file, name, description;
  ordered_json base;                          // workload keys (chip, scheme, ...)
  std::vector<std::string> base_sets;         // --set overrides applied to every point
  std::vector<SweepAxis> grid;                // each a dimension, file order, first slowest
  std::vector<SweepAxis> zip;                 // one dimension, lists advance together
  int64_t samples = 0;                        // random dimension (0: none)
  uint64_t seed = 0;
  std::vector<RandomAxis> random;
  std::vector<std::pair<std::string, std::string>> derived;  // name -> expression, in order
  std::vector<std::string> constraints;
  std::vector<std::string> columns;           // every point's keys: workload keys, axes, derived
  ordered_json resolved;                      // the spec as read, for the digest
};

struct SweepPoint {
  int64_t id = 0;
  ordered_json values;       // column -> value
  bool skipped = false;      // a constraint on parameters failed (no simulation)
  std::string skip_reason;
  std::vector<std::string> deferred;  // constraints on pre-simulation metrics (area_mm2)
};

SweepSpec parse_sweep(const ordered_json& j, const std::string& file);
SweepSpec load_sweep(const std::string& path);
std::vector<SweepPoint> expand_sweep(const SweepSpec& spec);
// A stable fingerprint of the spec (FNV-1a of its canonical JSON): a resumed or merged sweep
// must come from the same spec.
std::string sweep_digest(const SweepSpec& spec);
// A point value as a number for expressions: numbers as they are; strings with units as their
// base unit (sizes in bytes, frequencies in Hz, bandwidths in bytes/s, times in s).
double sweep_number(const ordered_json& v);
// The chip --set overrides of a point (base sets first, then its chip-path values).
std::vector<std::string> sweep_sets(const SweepSpec& spec, const SweepPoint& p);
// Pre-simulation metrics a constraint may name.
bool sweep_is_metric(const std::string& name);

}  // namespace eoqsim
