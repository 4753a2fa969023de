#pragma once
#include "sim/common/json.h"

namespace eoqsim {

struct SimpleDramParams {
  double bandwidth_bytes_per_s = 0;
  double latency_s = 100e-9;
  int64_t burst_bytes = 64;
  uint64_t capacity = 0;
  double energy_pj_per_bit = 8.0;
  static SimpleDramParams read(ParamReader& r);
};

}  // namespace eoqsim
