#pragma once
#include <string>

#include "models/dram/presets.h"
#include "sim/common/json.h"

namespace eoqsim {

// "simple": one channel with bandwidth and a fixed latency. A preset fills its defaults from a
// standard: its bandwidth, burst size, capacity and energy, and as latency a closed-row access
// (tRCD + tCL).
struct SimpleDramParams {
  std::string preset = "none";
  double bandwidth_bytes_per_s = 0;
  double latency_s = 100e-9;
  int64_t burst_bytes = 64;
  uint64_t capacity = 0;
  double energy_pj_per_bit = 8.0;
  static SimpleDramParams read(ParamReader& r);
};

// "banked": channels x banks with row buffers, datasheet timing (models/README.md).
struct BankedDramParams {
  DramPreset t;  // organization and timing (starting from the preset, with overrides)
  bool refresh = true;
  static BankedDramParams read(ParamReader& r);
};

}  // namespace eoqsim
