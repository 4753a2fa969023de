// PE array interface: what one GEMM tile costs. Implementations are chosen by "impl":
// "systolic" (closed forms, timing.h) and "systolic_detailed" (the cycle-stepped array).
#pragma once
#include <memory>
#include <string>

#include "models/common/unit.h"
#include "models/pe_array/timing.h"
#include "models/pe_array/vcd.h"
#include "sim/common/precision.h"

namespace eoqsim {

struct UnitConfig;

class PeArray : public Server {
 public:
  using Server::Server;
  virtual int64_t rows() const = 0;
  virtual int64_t cols() const = 0;
  virtual Dataflow dataflow() const = 0;
  // SCALE-Sim's convention: per-layer compute cycles spread over the layer's tiles by MACs.
  virtual bool scalesim_timing() const = 0;
  virtual bool supports(const Precision& p) const = 0;
  virtual int64_t accumulator_bits() const = 0;
  // Native timing of an isolated tile A[mt x kt] * B[kt x nt].
  virtual TileTiming timing(int64_t mt, int64_t kt, int64_t nt) = 0;
  ArrayAccesses accesses(int64_t mt, int64_t kt, int64_t nt) const {
    return tile_accesses(dataflow(), rows(), cols(), mt, kt, nt);
  }
  // Event ids for a tile's MACs and operand-register traffic at precision `p`.
  virtual int32_t mac_event(const Precision& p) = 0;
  virtual int32_t register_event() const = 0;
};

// `vcd`, when set, receives the cycle-stepped array's waveforms (systolic_detailed only).
std::unique_ptr<PeArray> make_pe_array(const UnitConfig& cfg, UnitContext ctx, VcdTrace* vcd = nullptr);

}  // namespace eoqsim
