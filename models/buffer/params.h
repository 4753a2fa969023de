#pragma once
#include <string>
#include <vector>

#include "sim/common/json.h"

namespace eoqsim {

// GEMM operand roles a buffer can hold: ifmap = operand A (activations, or errors for error
// backprop), filter = operand B (weights, or errors for weight gradients), ofmap = the output
// and partial sums. Element-wise passes stream their inputs through `ifmap` and outputs through
// `ofmap`; per-channel parameters and statistics go to `filter`.
struct SramParams {
  uint64_t capacity = 0;
  int64_t width_bits = 256;  // bits per access per bank
  int64_t banks = 8;
  int64_t ports = 1;  // read/write ports per bank, each one access per cycle
  bool double_buffered = true;
  std::vector<std::string> holds;
  static SramParams read(ParamReader& r);
  double bytes_per_cycle() const { return static_cast<double>(banks * ports * width_bits) / 8.0; }
};

}  // namespace eoqsim
