// On-chip buffer: a passive SRAM that counts accesses and bytes per op and bounds bandwidth.
#pragma once
#include <memory>
#include <string>

#include "models/buffer/params.h"
#include "models/common/unit.h"

namespace eoqsim {

struct UnitConfig;

class Buffer : public sc_core::sc_module {
 public:
  Buffer(sc_core::sc_module_name name, const SramParams& p, UnitContext ctx);
  const SramParams& params() const { return p_; }
  // Appends the events of reading and writing `read_bytes` / `write_bytes` on behalf of `op`.
  void count(int32_t op, uint64_t read_bytes, uint64_t write_bytes, std::vector<Contribution>& out) const;
  // Cycles the transfer occupies the buffer's ports.
  uint64_t port_cycles(uint64_t bytes) const;
  std::vector<AreaItem> area() const;
  double read_pj() const { return cost_.read_pj; }
  double write_pj() const { return cost_.write_pj; }

 private:
  SramParams p_;
  UnitContext ctx_;
  SramCost cost_;  // per access of one bank
  int32_t read_access_, write_access_, read_bytes_, write_bytes_;
};

std::unique_ptr<Buffer> make_buffer(const UnitConfig& cfg, UnitContext ctx);

}  // namespace eoqsim
