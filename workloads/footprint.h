// DRAM footprint of a step: what must be stored, and the peak of live bytes when every
// non-persistent tensor is freed after its last use.
#pragma once
#include <cstdint>

#include "workloads/trace.h"

namespace eoqsim {

struct MemoryFootprint {
  uint64_t weight_bytes = 0;            // parameters (working copies and master copies)
  uint64_t optimizer_state_bytes = 0;   // momentum
  uint64_t saved_activation_bytes = 0;  // produced in fwd, read by a later phase
  uint64_t peak_bytes = 0;              // peak of live bytes over the step
};

MemoryFootprint analyze_memory(const Trace& t);

}  // namespace eoqsim
