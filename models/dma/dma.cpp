#include "models/dma/dma.h"

#include <algorithm>

namespace eoqsim {

Dma::Dma(sc_core::sc_module_name name, UnitContext ctx, Bus* bus) : Server(name, ctx), socket("socket"), bus_(bus) {
  category_ = Category::Dram;
  timing_ = new TransferTiming;
  payload_.set_extension(timing_);
}

void Dma::begin(Job& job) {
  uint64_t occupancy = 0, latency = 0;
  for (const Transfer* t = job.transfers_begin; t != job.transfers_end; ++t) {
    // One transaction per chunk; chunks beyond the 32-bit TLM length are split.
    uint64_t address = t->address;
    for (uint64_t left = t->bytes; left > 0;) {
      const uint64_t n = std::min<uint64_t>(left, uint64_t(1) << 30);
      left -= n;
      // Timing only: the DRAM never touches the data, so the payload points at one dummy byte.
      payload_.set_command(t->write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
      payload_.set_address(address);
      address += n;
      payload_.set_data_ptr(&dummy_);
      payload_.set_data_length(static_cast<unsigned int>(n));
      payload_.set_streaming_width(static_cast<unsigned int>(n));
      payload_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
      timing_->op = t->op;
      timing_->tensor = t->tensor;
      sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
      socket->b_transport(payload_, delay);
      const uint64_t done = to_cycles(delay);
      const uint64_t free = to_cycles(timing_->channel_free);
      occupancy = std::max(occupancy, free);
      latency = std::max(latency, done);
      if (bus_) {
        const uint64_t bus_free = bus_->reserve(n);
        ctx_.stats.add(t->op, bus_->bytes_event(), n);
        occupancy = std::max(occupancy, bus_free);
        latency = std::max(latency, bus_free);
      }
    }
  }
  job.occupancy = std::max(job.occupancy, occupancy);
  job.latency = std::max(job.latency, latency);
}

}  // namespace eoqsim
