// PE array interface: what one GEMM tile costs. Implementations are chosen by "impl".
#pragma once
#include <memory>

#include "models/common/unit.h"
#include "models/pe_array/timing.h"
#include "sim/common/precision.h"

namespace eoqsim {

struct UnitConfig;

// Operand traffic between the array and the buffers for one tile, in elements.
struct ArrayAccesses {
  uint64_t a_reads = 0, b_reads = 0, psum_reads = 0, psum_writes = 0;
};

class PeArray : public Server {
 public:
  using Server::Server;
  virtual int64_t rows() const = 0;
  virtual int64_t cols() const = 0;
  virtual bool supports(const Precision& p) const = 0;
  virtual int64_t accumulator_bits() const = 0;
  // Timing of an isolated tile A[mt x kt] * B[kt x nt].
  virtual TileTiming timing(int64_t mt, int64_t kt, int64_t nt) const = 0;
  virtual ArrayAccesses accesses(int64_t mt, int64_t kt, int64_t nt) const = 0;
  // Event ids for a tile's MACs and operand-register traffic at precision `p`.
  virtual int32_t mac_event(const Precision& p) = 0;
  virtual int32_t register_event() const = 0;
};

std::unique_ptr<PeArray> make_pe_array(const UnitConfig& cfg, UnitContext ctx);

}  // namespace eoqsim
