// What each op kind computes, as counts of primitive arithmetic per streamed element and per
// group (channel or tensor). Units turn these into events ("mul.fp32", "sqrt.fp32", ...) at the
// op's precision and into cycles at their own rates. This table is the one place that says what
// a BN normalize or an SGD update *is*.
#pragma once
#include <vector>

#include "workloads/trace.h"

namespace eoqsim {

enum class Arith : uint8_t { Add, Mul, Cmp, Div, Sqrt, Exp, Quantize, Rng, Pow2 };
const char* arith_name(Arith a);

struct ArithCount {
  Arith arith;
  int64_t per_element = 0;
  int64_t per_group = 0;
  bool on_accumulator = false;  // counted at the op's accumulation precision (reduction adds)
};

struct PrimInfo {
  int min_inputs, max_inputs, min_outputs, max_outputs;
  bool elementwise;   // output streams are aligned with the input stream (tile by tile)
  bool reduction;     // produces per-group results from the whole stream
  bool per_group_only;  // works on per-channel / per-tensor values only (no stream)
};

const PrimInfo& prim_info(OpKind k);
// Arithmetic of one op (depends on window, weight decay, rounding, stochastic flags).
std::vector<ArithCount> op_arith(const Op& op);

}  // namespace eoqsim
