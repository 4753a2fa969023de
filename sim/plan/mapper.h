// Buffer-aware GEMM tiling: for one GEMM part C[MxN] += A[MxK] B[KxN] choose tile sizes and a
// loop order that fit the buffers. Objective `latency` (default) ranks by estimated time,
// max(array cycles, DRAM bytes / DRAM bytes per cycle), then DRAM bytes, then tiles; objective
// `traffic` ranks by DRAM bytes, then array cycles, then tiles. The traffic model and the search
// are documented in sim/README.md.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "models/pe_array/timing.h"

namespace eoqsim {

enum class Role : uint8_t { Ifmap = 0, Filter = 1, Ofmap = 2 };
constexpr size_t kMaxBuffers = 8;  // buffers a chip may have
const char* role_name(Role r);

struct BufferCaps {
  std::string name;
  uint64_t capacity = 0;
  bool double_buffered = true;
  std::array<bool, 3> holds{};  // by Role
  double bytes_per_cycle = 32;
};

// Index of the buffer that holds `role` (the first listed).
int buffer_for(const std::vector<BufferCaps>& buffers, Role role);

struct GemmProblem {
  int64_t m = 1, k = 1, n = 1;
  // DRAM bytes of the whole operand for this part (real tensor bytes, not im2col).
  double a_bytes = 0, b_bytes = 0, c_bytes = 0;
  double psum_bytes_per_elem = 4;    // accumulator storage
  double epilogue_bytes_per_out = 0; // extra on-chip bytes per output element (epilogue streams)
  // Halo: A's spatial rows. A tile covering r output rows needs (r-1)*stride + kernel input
  // rows. `a_spatial` says which GEMM dim walks A's pixels ('m' or 'k'), 0 if none.
  char a_spatial = 0;
  int64_t row_len = 1;       // output pixels per row along the spatial dim (Wo)
  int64_t rows_per_image = 1;
  int64_t kernel = 1, stride = 1;
  int64_t array_rows = 32, array_cols = 32;
  double dram_bytes_per_cycle = 16;
  bool minimize_traffic = false;  // objective "traffic" instead of "latency"
  Dataflow dataflow = Dataflow::WS;
  bool scalesim_timing = false;   // array cycles are SCALE-Sim's per-layer figure whatever the tiling
};

struct Mapping {
  int64_t mt = 1, kt = 1, nt = 1;
  std::array<char, 3> order{'m', 'n', 'k'};  // outermost first
  double dram_bytes = 0;      // estimated: A + B + C including partial-sum spills
  double a_traffic = 0, b_traffic = 0, c_traffic = 0, psum_traffic = 0;
  uint64_t array_cycles = 0;  // sum of tile occupancies
  uint64_t tiles = 0;
  std::string str() const;    // e.g. "mnk M64 N64 K288"
};

// Throws UnsupportedError when not even the smallest tile fits.
Mapping map_gemm(const GemmProblem& p, const std::vector<BufferCaps>& buffers, const std::string& op_name);

// Bytes of A needed by a tile covering `span` elements of A's spatial dim, as a factor over the
// proportional share (1 when no halo).
double halo_factor(const GemmProblem& p, int64_t span);

// DRAM traffic of a mapping (fills the traffic fields of `m`).
void evaluate(const GemmProblem& p, Mapping& m);

}  // namespace eoqsim
