#pragma once
#include <string>
#include <vector>

#include "sim/common/json.h"
#include "sim/common/precision.h"

namespace eoqsim {

struct SystolicParams {
  int64_t rows = 32, cols = 32;
  std::string dataflow = "ws";
  std::string timing = "native";  // native | scalesim
  std::vector<Precision> precisions;  // MAC precisions the PEs implement
  int64_t accumulator_bits = 32;      // integer accumulator width (float MACs accumulate in fp32)
  static SystolicParams read(ParamReader& r);
  bool supports(const Precision& p) const;
};

}  // namespace eoqsim
