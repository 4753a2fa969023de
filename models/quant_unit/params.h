#pragma once
#include "models/spec/lanes.h"

namespace eoqsim {

struct QuantParams {
  LaneParams lanes;
  bool fused = true;          // sits on the PE array's output path
  bool stochastic_rounding = true;  // has LFSRs for stochastic rounding
  int64_t scale_latency = 4;  // cycles to turn a max into a power-of-two scale
  static QuantParams read(ParamReader& r);
};

}  // namespace eoqsim
