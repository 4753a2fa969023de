#include "models/pe_array/params.h"

#include "models/spec/lanes.h"
#include "sim/common/error.h"

namespace eoqsim {

SystolicParams SystolicParams::read(ParamReader& r) {
  SystolicParams p;
  r.allow("impl");
  p.rows = r.integer("rows", "PE rows (R)", 32, 1, 4096);
  p.cols = r.integer("cols", "PE columns (C)", 32, 1, 4096);
  p.dataflow = r.choice("dataflow", "ws: weight stationary, os: output stationary, is: input stationary",
                        {"ws", "os", "is"}, "ws");
  p.timing = r.choice("timing",
                      "native: eoqsim's fold-pipelined closed forms (models/README.md); scalesim: SCALE-Sim v2's "
                      "per-layer compute cycles, folds not overlapped, independent of buffer sizes",
                      {"native", "scalesim"}, "native");
  p.precisions = read_precision_list(r, "precisions", "MAC precisions the PEs implement", std::vector<std::string>{"int8"},
                                     {"int8", "int16", "fp16", "bf16", "fp32"});
  if (p.precisions.empty() && !r.describing()) throw InputError(r.file(), r.where("precisions"), "expected at least one precision");
  p.accumulator_bits = r.integer("accumulator_bits", "integer accumulator width in bits", 32, 8, 64);
  r.finish();
  return p;
}

bool SystolicParams::supports(const Precision& q) const {
  for (const auto& x : precisions)
    if (x == q.unit_class()) return true;
  return false;
}

}  // namespace eoqsim
