#include "models/norm_unit/params.h"

#include "sim/common/error.h"

namespace eoqsim {

NormParams NormParams::read(ParamReader& r) {
  NormParams p;
  r.allow("impl");
  p.lanes = LaneParams::read(r, 16, {"fp32"});
  p.fused = r.boolean("fused",
                      "computes BN statistics on the PE array's output stream (JUNG-style fusion) instead of a "
                      "separate pass over the stored activations",
                      false);
  // Latency and interval default to the technology table's (an iterative radix-2 unit, one
  // result bit per cycle at FP32: 25 / 24, energy.md §2.1-2.2).
  p.sqrt = FunctionalUnit::read(r, "sqrt", "square-root unit(s)", 0, 0, 1, 1);
  p.div = FunctionalUnit::read(r, "div", "divider unit(s)", 0, 0, 1, 1);
  r.finish();
  return p;
}

}  // namespace eoqsim
