#pragma once
#include "models/spec/lanes.h"

namespace eoqsim {

struct UpdateParams {
  LaneParams lanes;
  bool stochastic_rounding = true;
  FunctionalUnit sqrt, div;  // for Adam; none by default
  static UpdateParams read(ParamReader& r);
};

}  // namespace eoqsim
