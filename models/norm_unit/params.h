#pragma once
#include "models/spec/lanes.h"

namespace eoqsim {

// An iterative or pipelined functional unit: a new operation every `interval` cycles, each
// finishing `latency` cycles after it starts.
struct FunctionalUnit {
  int64_t latency = 25;
  int64_t interval = 24;
  int64_t count = 1;
  static FunctionalUnit read(ParamReader& parent, const std::string& name, const std::string& desc, int64_t latency,
                             int64_t interval);
};

struct NormParams {
  LaneParams lanes;
  bool fused = false;  // statistics computed on the PE array's output stream (no separate pass)
  FunctionalUnit sqrt, div;
  static NormParams read(ParamReader& r);
};

}  // namespace eoqsim
