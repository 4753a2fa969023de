// Execution planning: how the Controller walks a trace on a chip. Ops are grouped into passes
// ("groups") that stream tiles through the units while intermediate tensors stay on chip; a
// group ends at a barrier (an op that needs a whole-tensor result computed in the same pass,
// e.g. quantizing with the tensor's own max, or normalizing with batch statistics), at a GEMM,
// or when the next op's unit cannot reach the stream. The rules are in sim/README.md.
#pragma once
#include <array>
#include <vector>

#include "sim/plan/mapper.h"
#include "workloads/trace.h"

namespace eoqsim {

// What the planner needs to know of a chip.
struct ChipCaps {
  std::array<bool, kNumUnitKinds> present{};
  std::array<bool, kNumUnitKinds> fused{};  // may attach to the PE array's input/output stream
  int64_t rows = 32, cols = 32;
  std::vector<BufferCaps> buffers;
  double dram_bytes_per_cycle = 16;
  bool minimize_traffic = false;  // mapper objective "traffic" (default "latency")
  Dataflow dataflow = Dataflow::WS;
  bool scalesim_timing = false;
  uint64_t resident_capacity = 0;  // residency keep: bytes for resident tensors (already taken out of buffers)
};

// One DRAM transfer of (part of) a tensor, attributed to an op.
struct TensorIo {
  int32_t tensor = -1;
  int32_t op = -1;     // trace op index the bytes are attributed to
  uint64_t bytes = 0;  // whole-group total
  Role role = Role::Ifmap;
};

struct GemmPartPlan {
  GemmPart part;
  GemmProblem problem;
  Mapping mapping;
  double share = 1;    // this part's share of the op's A / C traffic (sum over parts = 1)
  double b_share = 1;  // share of B
};

struct GroupPlan {
  enum class Kind : uint8_t { Gemm, Stream, Scalar } kind = Kind::Stream;
  std::vector<int32_t> ops;       // trace order
  int32_t gemm = -1;              // trace index of the GEMM op
  std::vector<int32_t> prologue;  // element-wise ops applied to A as it enters the array
  std::vector<int32_t> epilogue;  // ops applied to C tiles as they complete
  std::vector<TensorIo> stream_reads, stream_writes;  // split over the group's tiles
  std::vector<TensorIo> once_reads, once_writes;      // at the group's first / last tile
  // GEMM operands: A and B read by the mapping, C written when `write_c`.
  int32_t a_tensor = -1, b_tensor = -1, c_tensor = -1;
  bool write_c = false;
  std::vector<GemmPartPlan> parts;
  int64_t chunks = 1;             // Stream groups: tiles
};

struct Plan {
  std::vector<GroupPlan> groups;
  std::vector<bool> onchip;       // per tensor: kept in unit registers, never in DRAM
  std::vector<uint64_t> address;  // per tensor: DRAM base address (row-aligned bump allocation)
  std::vector<bool> resident;     // per tensor: kept in the buffer's resident region instead of DRAM
};

// Throws UnsupportedError when an op needs a unit the chip lacks or no tiling fits.
Plan make_plan(const Trace& t, const ChipCaps& chip);

}  // namespace eoqsim
