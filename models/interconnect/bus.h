// On-chip bus between DRAM-side DMA and the buffers (and between buffers and the element-wise
// units, which it only counts). DMA transfers reserve it first-come first-served.
#pragma once
#include <memory>

#include "models/common/unit.h"
#include "models/interconnect/params.h"

namespace eoqsim {

struct UnitConfig;

class Bus : public sc_core::sc_module {
 public:
  Bus(sc_core::sc_module_name name, const BusParams& p, UnitContext ctx);
  // Reserves the bus for `bytes` starting no earlier than now; returns cycles from now until the
  // bus is free again.
  uint64_t reserve(uint64_t bytes);
  int32_t bytes_event() const { return bytes_; }
  uint64_t busy_cycles() const { return busy_; }
  const BusParams& params() const { return p_; }

 private:
  BusParams p_;
  UnitContext ctx_;
  uint64_t busy_until_ = 0, busy_ = 0;
  int32_t bytes_;
};

std::unique_ptr<Bus> make_bus(const UnitConfig& cfg, UnitContext ctx);

}  // namespace eoqsim
