// Parameter helpers shared by the unit parameter readers.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "sim/common/json.h"
#include "sim/common/precision.h"

namespace eoqsim {

// A list of precisions; each must be one of `options`.
std::vector<Precision> read_precision_list(ParamReader& r, const std::string& name, const std::string& desc,
                                           std::optional<std::vector<std::string>> def,
                                           const std::vector<std::string>& options);

// Precisions element-wise units may implement.
inline const std::vector<std::string>& stream_precision_options() {
  static const std::vector<std::string> o = {"int8", "int16", "int32", "fp16", "bf16", "fp32"};
  return o;
}

// Lanes, pipeline depth and precisions, common to the element-wise units.
struct LaneParams {
  int64_t lanes = 16;
  int64_t pipeline_depth = 4;
  std::vector<Precision> precisions;         // implemented on every lane
  std::vector<Precision> scalar_precisions;  // implemented on one lane only
  static LaneParams read(ParamReader& r, int64_t default_lanes, std::vector<std::string> default_precisions);
  // Lanes available at precision p (0 when unsupported).
  int64_t lanes_for(const Precision& p) const;
};

// An iterative or pipelined functional unit (square root, divider): a new operation every
// `interval` cycles per unit, each finishing `latency` cycles after it starts.
struct FunctionalUnit {
  int64_t latency = 25;
  int64_t interval = 24;
  int64_t count = 1;  // 0: the unit has none
  static FunctionalUnit read(ParamReader& parent, const std::string& name, const std::string& desc, int64_t latency,
                             int64_t interval, int64_t default_count, int64_t min_count);
  // Cycles for n operations spread over the units.
  uint64_t cycles(uint64_t n) const;
};

}  // namespace eoqsim
