#include "models/update_unit/params.h"

namespace eoqsim {

UpdateParams UpdateParams::read(ParamReader& r) {
  UpdateParams p;
  r.allow("impl");
  p.lanes = LaneParams::read(r, 16, {"int8", "int16", "int32"});
  p.stochastic_rounding = r.boolean("stochastic_rounding", "has LFSR random sources for stochastic rounding", true);
  // Adam needs one square root and one division per parameter; an SGD chip has neither.
  p.sqrt = FunctionalUnit::read(r, "sqrt", "square-root unit(s) for Adam", 0, 0, 0, 0);
  p.div = FunctionalUnit::read(r, "div", "divider unit(s) for Adam", 0, 0, 0, 0);
  r.finish();
  return p;
}

}  // namespace eoqsim
