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
  // Defaults: an iterative radix-2 FP32 unit, one result bit per cycle (energy.md §2.1-2.2:
  // hardfloat DivSqrtRecFN_small, LICHU iterative sqrt 25 latency / 24 issue).
  p.sqrt = FunctionalUnit::read(r, "sqrt", "square-root unit(s)", 25, 24, 1, 1);
  p.div = FunctionalUnit::read(r, "div", "divider unit(s)", 25, 24, 1, 1);
  r.finish();
  return p;
}

}  // namespace eoqsim
