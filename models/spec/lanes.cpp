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

FunctionalUnit FunctionalUnit::read(ParamReader& parent, const std::string& name, const std::string& desc,
                                    int64_t latency, int64_t interval, int64_t default_count, int64_t min_count) {
  ParamReader r = parent.child(name, desc);
  FunctionalUnit f;
  f.latency = r.integer("latency",
                        "cycles from operands to result (0: the technology table's latency_cycles for the unit's "
                        "first precision)",
                        latency, 0, 100000);
  f.interval = r.integer("interval",
                         "cycles between successive operations (initiation interval; 1 = pipelined; 0: the technology "
                         "table's interval_cycles)",
                         interval, 0, 100000);
  f.count = r.integer("count", min_count == 0 ? "number of such units (0: none)" : "number of such units", default_count,
                      min_count, 4096);
  if (!r.describing() && f.latency > 0 && f.interval > f.latency)
    throw InputError(r.file(), r.where("interval"), "interval must not exceed latency");
  r.finish();
  parent.put_resolved(name, r.resolved());
  return f;
}

uint64_t FunctionalUnit::cycles(uint64_t n) const {
  if (n == 0) return 0;
  const uint64_t waves = (n + static_cast<uint64_t>(count) - 1) / static_cast<uint64_t>(count);
  return (waves - 1) * static_cast<uint64_t>(interval) + static_cast<uint64_t>(latency);
}

}  // namespace eoqsim
