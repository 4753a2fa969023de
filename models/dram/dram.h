// Off-chip DRAM: a TLM-2.0 target. A DMA transfer is one b_transport of `data_length` bytes; the
// annotated delay returned is the time until the transfer completes, and the TransferTiming
// extension tells the initiator when the channel is free for its next transfer.
#pragma once
#include <memory>
#include <vector>

#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>

#include "models/common/unit.h"

namespace eoqsim {

struct UnitConfig;

struct TransferTiming : tlm::tlm_extension<TransferTiming> {
  int32_t op = -1;                        // in: the op the bytes are attributed to
  int32_t tensor = -1;                    // in: the tensor they belong to
  sc_core::sc_time channel_free;          // out: delay until the channel can take the next transfer
  tlm::tlm_extension_base* clone() const override { return new TransferTiming(*this); }
  void copy_from(const tlm::tlm_extension_base& e) override { *this = static_cast<const TransferTiming&>(e); }
};

class Dram : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<Dram> socket;
  Dram(sc_core::sc_module_name name, UnitContext ctx) : sc_core::sc_module(name), socket("socket"), ctx_(ctx) {
    socket.register_b_transport(this, &Dram::b_transport);
  }
  virtual uint64_t capacity() const = 0;
  virtual double bytes_per_cycle() const = 0;
  virtual uint64_t latency_cycles() const = 0;
  virtual uint64_t busy_cycles() const = 0;
  // Records a transfer's channel use on the timeline.
  void record(int32_t op, uint64_t start, uint64_t end) {
    if (!ctx_.timeline) return;
    if (track_ < 0) track_ = ctx_.timeline->track("dram");
    ctx_.timeline->add(track_, op, start, end);
  }

 protected:
  virtual void b_transport(int id, tlm::tlm_generic_payload& p, sc_core::sc_time& delay) = 0;
  UnitContext ctx_;
  int32_t track_ = -1;
};

std::unique_ptr<Dram> make_dram(const UnitConfig& cfg, UnitContext ctx);

}  // namespace eoqsim
