#pragma once
#include "models/spec/lanes.h"

namespace eoqsim {

struct NormParams {
  LaneParams lanes;
  bool fused = false;  // statistics computed on the PE array's output stream (no separate pass)
  FunctionalUnit sqrt, div;
  static NormParams read(ParamReader& r);
};

}  // namespace eoqsim
