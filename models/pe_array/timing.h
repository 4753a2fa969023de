// Closed-form timing of GEMM tiles on an R x C systolic array, for the three dataflows, in
// eoqsim's "native" convention, and SCALE-Sim v2's per-layer compute cycles. The cycle-stepped
// model (systolic_detailed.cpp) implements the micro-architecture these formulas describe, and a
// property test holds the two equal on random shapes. Conventions are documented in
// models/README.md.
//
// A tile multiplies A[mt x kt] by B[kt x nt] into C[mt x nt].
//
// ws (weight stationary): B's R x C fold sits in the PEs (rows = k, columns = n) and mt input rows
//   stream through, skewed by one cycle per row. F = ceil(kt/R) * ceil(nt/C) folds. Each PE has an
//   active and a shadow weight register; one weight port writes a row of C shadow weights per
//   cycle, top to bottom, and each row swaps shadow into active when the fold's first input
//   reaches it. So the next fold's weights load while the current fold streams, and fold f starts
//   at 1 + f*max(mt, R) (its row 0 was written the cycle before):
//     occupancy = 1 + (F-1)*max(mt,R) + mt        latency = occupancy + R + C - 2
// is (input stationary): A's fold sits in the PEs (rows = k, columns = m) and nt weight columns
//   stream: ws with mt and nt exchanged.
// os (output stationary): C's R x C fold accumulates in the PEs (rows = m, columns = n); A rows
//   enter from the left and B columns from the top, skewed, for kt steps. A finished sum moves to
//   the PE's shadow register and each column's read port takes one shadow per cycle, so a fold's R
//   rows leave a column over R cycles while the next fold accumulates; fold f starts at
//   f*max(kt, R):
//     occupancy = F*max(kt,R)                      latency = (F-1)*max(kt,R) + kt + R + C - 1
//
// Tiles are timed in isolation: the next tile starts its own first weight load (or fold) at the
// previous tile's occupancy, which the micro-architecture allows without a hazard.
#pragma once
#include <cstdint>
#include <string>

namespace eoqsim {

enum class Dataflow : uint8_t { WS, OS, IS };
Dataflow parse_dataflow(const std::string& s);  // "ws", "os", "is"
const char* dataflow_name(Dataflow d);

struct TileTiming {
  uint64_t occupancy = 0;     // until the array can take the next tile
  uint64_t latency = 0;       // until the tile's last output leaves the array
  uint64_t folds = 0;
  uint64_t first_start = 0;   // cycle the first fold's operands start entering
  uint64_t stream = 0;        // cycles the operand ports stream: folds x streamed length
  uint64_t mapped_pes = 0;    // sum over folds of PEs holding a stationary operand
  // Derived the same way for the closed forms and the cycle-stepped array:
  // ports idle between folds (waiting on weight loads or output reads)
  uint64_t weight_stall() const { return occupancy - first_start - stream; }
  // the first load before streaming, and the skew and drain after it
  uint64_t fill_drain() const { return first_start + latency - occupancy; }
};

// Operand traffic between the array and the buffers for one tile, in elements.
struct ArrayAccesses {
  uint64_t a_reads = 0, b_reads = 0, psum_reads = 0, psum_writes = 0;
};

inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

TileTiming tile_timing(Dataflow df, int64_t R, int64_t C, int64_t mt, int64_t kt, int64_t nt);
ArrayAccesses tile_accesses(Dataflow df, int64_t R, int64_t C, int64_t mt, int64_t kt, int64_t nt);

// SCALE-Sim v2's compute cycles for a whole GEMM (M, K, N) with no overlap between folds:
//   os: ceil(M/R)*ceil(N/C)*(R+C+K-2) - 1
//   ws: ceil(K/R)*ceil(N/C)*(2R+C+M-2) - 1
//   is: ceil(K/R)*ceil(M/C)*(2R+C+N-2) - 1
uint64_t scalesim_cycles(Dataflow df, int64_t R, int64_t C, int64_t M, int64_t K, int64_t N);
// The part of those cycles that streams operands (folds x streamed length); the rest is fill,
// skew and drain.
uint64_t scalesim_stream_cycles(Dataflow df, int64_t R, int64_t C, int64_t M, int64_t K, int64_t N);

// Backwards-compatible name for the weight-stationary closed form.
inline TileTiming ws_tile_timing(int64_t R, int64_t C, int64_t mt, int64_t kt, int64_t nt) {
  return tile_timing(Dataflow::WS, R, C, mt, kt, nt);
}

}  // namespace eoqsim
