#include "models/update_unit/params.h"

namespace eoqsim {

UpdateParams UpdateParams::read(ParamReader& r) {
  UpdateParams p;
  r.allow("impl");
  p.lanes = LaneParams::read(r, 16, {"int8", "int16", "int32"});
  p.stochastic_rounding = r.boolean("stochastic_rounding", "has LFSR random sources for stochastic rounding", true);
  r.finish();
  return p;
}

}  // namespace eoqsim
