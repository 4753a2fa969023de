#include "models/quant_unit/params.h"

namespace eoqsim {

QuantParams QuantParams::read(ParamReader& r) {
  QuantParams p;
  r.allow("impl");
  p.lanes = LaneParams::read(r, 32, {"int32", "fp32"});
  p.fused = r.boolean("fused", "sits on the PE array's output path, so GEMM outputs are quantized before leaving it",
                      true);
  p.stochastic_rounding = r.boolean("stochastic_rounding", "has LFSR random sources for stochastic rounding", true);
  p.scale_latency = r.integer("scale_latency", "cycles from a tensor's max to its power-of-two scale", 4, 1, 1000);
  r.finish();
  return p;
}

}  // namespace eoqsim
