#include "models/norm_unit/params.h"

#include "sim/common/error.h"

namespace eoqsim {

FunctionalUnit FunctionalUnit::read(ParamReader& parent, const std::string& name, const std::string& desc,
                                    int64_t latency, int64_t interval) {
  ParamReader r = parent.child(name, desc);
  FunctionalUnit f;
  f.latency = r.integer("latency", "cycles from operands to result", latency, 1, 100000);
  f.interval = r.integer("interval", "cycles between successive operations (initiation interval)", interval, 1, 100000);
  f.count = r.integer("count", "number of such units", 1, 1, 4096);
  if (!r.describing() && f.interval > f.latency)
    throw InputError(r.file(), r.where("interval"), "interval must not exceed latency");
  r.finish();
  parent.put_resolved(name, r.resolved());
  return f;
}

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
  p.sqrt = FunctionalUnit::read(r, "sqrt", "square-root unit(s)", 25, 24);
  p.div = FunctionalUnit::read(r, "div", "divider unit(s)", 25, 24);
  r.finish();
  return p;
}

}  // namespace eoqsim
