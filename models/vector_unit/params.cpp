#include "models/vector_unit/params.h"

namespace eoqsim {

VectorParams VectorParams::read(ParamReader& r) {
  VectorParams p;
  r.allow("impl");
  p.lanes = LaneParams::read(r, 32, {"int8", "int16", "int32"});
  p.fused = r.boolean("fused", "processes the PE array's output and input streams (ReLU, Fixup scalars) in place", true);
  r.finish();
  return p;
}

}  // namespace eoqsim
