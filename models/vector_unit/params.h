#pragma once
#include "models/spec/lanes.h"

namespace eoqsim {

struct VectorParams {
  LaneParams lanes;
  bool fused = true;  // can process the PE array's output (and input) stream
  static VectorParams read(ParamReader& r);
};

}  // namespace eoqsim
