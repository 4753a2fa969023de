// The cycle-stepped systolic array: one loop over every PE per cycle, operands moving PE to PE,
// partial sums accumulating, weights loading through a port into shadow registers, finished
// outputs leaving through per-column read ports. Its timing is not computed from a formula: it
// is observed (when the last input entered, when the last output left), and every structural
// hazard the micro-architecture must avoid is checked. timing.h states the closed forms the
// tile-level model uses; the property test holds the two equal.
#pragma once
#include <cstdint>
#include <vector>

#include "models/pe_array/timing.h"
#include "models/pe_array/vcd.h"

namespace eoqsim {

struct StepResult {
  uint64_t occupancy = 0;  // cycle after the last fold's last operand entered the array
  uint64_t latency = 0;    // cycle after the last output left the array
  uint64_t macs = 0;       // multiply-accumulates on real (non-padding) operands
  uint64_t folds = 0;
  uint64_t first_start = 0;  // cycle the first fold's operands started entering
  uint64_t stream = 0;       // cycles operands were entering (summed over folds)
  uint64_t cycles_stepped = 0;
};

class ArrayStepper {
 public:
  ArrayStepper(Dataflow df, int64_t rows, int64_t cols);
  // Steps one tile C[mt x nt] += A[mt x kt] * B[kt x nt]. A, B (int8, row-major) and C (int32,
  // row-major) may be null: timing only, operands zero. With a trace, register values are
  // recorded per PE, at cycles offset by `time_offset`.
  StepResult run(int64_t mt, int64_t kt, int64_t nt, const int8_t* a, const int8_t* b, int32_t* c,
                 VcdTrace* trace = nullptr, uint64_t time_offset = 0);
  int64_t rows() const { return R_; }
  int64_t cols() const { return C_; }
  // PE-cycles stepped so far (rows x cols x cycles), for the speed benchmark.
  uint64_t pe_cycles() const { return pe_cycles_; }

 private:
  StepResult run_ws(int64_t mt, int64_t kt, int64_t nt, const int8_t* a, const int8_t* b, int32_t* c, VcdTrace* trace,
                    uint64_t time_offset, bool transposed);
  StepResult run_os(int64_t mt, int64_t kt, int64_t nt, const int8_t* a, const int8_t* b, int32_t* c, VcdTrace* trace,
                    uint64_t time_offset);
  void register_signals(VcdTrace* trace);

  Dataflow df_;
  int64_t R_, C_;
  uint64_t pe_cycles_ = 0;
  VcdTrace* traced_ = nullptr;
  std::vector<int32_t> sig_a_, sig_p_, sig_w_;  // per PE
};

}  // namespace eoqsim
