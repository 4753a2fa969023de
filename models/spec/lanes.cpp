#include "models/spec/lanes.h"

#include "sim/common/error.h"

namespace eoqsim {

std::vector<Precision> read_precision_list(ParamReader& r, const std::string& name, const std::string& desc,
                                           std::optional<std::vector<std::string>> def,
                                           const std::vector<std::string>& options) {
  std::vector<std::string> v = r.choice_list(name, desc, options, std::move(def));
  std::vector<Precision> out;
  for (const auto& s : v) out.push_back(Precision::parse(s));
  return out;
}

LaneParams LaneParams::read(ParamReader& r, int64_t default_lanes, std::vector<std::string> default_precisions) {
  LaneParams p;
  p.lanes = r.integer("lanes", "elements processed per cycle", default_lanes, 1, 65536);
  p.pipeline_depth = r.integer("pipeline_depth", "cycles from an element's entry to its result", 4, 1, 1024);
  p.precisions = read_precision_list(r, "precisions", "arithmetic precisions on every lane", default_precisions,
                                     stream_precision_options());
  p.scalar_precisions = read_precision_list(r, "scalar_precisions",
                                            "precisions implemented on a single lane (e.g. an FP32 lane for the loss)",
                                            std::vector<std::string>{}, stream_precision_options());
  if (p.precisions.empty() && p.scalar_precisions.empty() && !r.describing())
    throw InputError(r.file(), r.where("precisions"), "expected at least one precision");
  return p;
}

int64_t LaneParams::lanes_for(const Precision& p) const {
  const Precision c = p.unit_class();
  for (const auto& x : precisions)
    if (x == c) return lanes;
  for (const auto& x : scalar_precisions)
    if (x == c) return 1;
  return 0;
}

}  // namespace eoqsim
