// Closed-form timing of one GEMM tile on an R x C weight-stationary systolic array ("native"
// convention, documented in models/README.md). A tile multiplies A[mt x kt] by B[kt x nt]; the
// array folds it into F = ceil(kt/R) * ceil(nt/C) folds. Per fold, R rows of weights shift in
// (R cycles) and mt input vectors stream through. Weight registers are double-buffered, so the
// next fold's weights load while the current fold streams: a fold period is max(mt, R).
//
//   occupancy = R + (F - 1) * max(mt, R) + mt      (until the array can take the next tile)
//   latency   = occupancy + (R + C - 2)            (the last partial sums leave the array)
//
// The drain of one tile overlaps the next tile's weight load and stream. Partial sums of the
// K folds accumulate in the output buffer.
#pragma once
#include <cstdint>

namespace eoqsim {

struct TileTiming {
  uint64_t occupancy = 0;
  uint64_t latency = 0;
  uint64_t folds = 0;
  uint64_t fill_drain = 0;    // R (first weight load) + R + C - 2 (skew fill and drain)
  uint64_t weight_stall = 0;  // cycles folds wait on weight loads: (F-1) * (max(mt,R) - mt)
};

inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

inline TileTiming ws_tile_timing(int64_t R, int64_t C, int64_t mt, int64_t kt, int64_t nt) {
  TileTiming t;
  const int64_t folds = ceil_div(kt, R) * ceil_div(nt, C);
  const int64_t period = mt > R ? mt : R;
  t.folds = static_cast<uint64_t>(folds);
  t.occupancy = static_cast<uint64_t>(R + (folds - 1) * period + mt);
  t.latency = t.occupancy + static_cast<uint64_t>(R + C - 2);
  t.fill_drain = static_cast<uint64_t>(R + R + C - 2);
  t.weight_stall = static_cast<uint64_t>((folds - 1) * (period - mt));
  return t;
}

}  // namespace eoqsim
