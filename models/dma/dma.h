// DMA engine: moves a tile's tensor chunks between DRAM and the buffers. Each chunk is one TLM
// transaction to the DRAM; the job is done when its last transaction completes, and the engine
// takes the next job as soon as the DRAM channel (and the bus) are free for it.
#pragma once
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "models/common/unit.h"
#include "models/dram/dram.h"
#include "models/interconnect/bus.h"

namespace eoqsim {

class Dma final : public Server {
 public:
  tlm_utils::simple_initiator_socket<Dma> socket;
  Dma(sc_core::sc_module_name name, UnitContext ctx, Bus* bus);
  std::vector<AreaItem> area() const override { return {}; }

 protected:
  void begin(Job& job) override;

 private:
  Bus* bus_;
  tlm::tlm_generic_payload payload_;
  TransferTiming* timing_;  // owned by payload_, which frees its extensions
  unsigned char dummy_ = 0;
};

}  // namespace eoqsim
