// Chip assembly: the one place where units are built from the config and bound together
// (DMA initiator sockets to the DRAM target). Everything else reaches units through Chip.
#pragma once
#include <array>
#include <memory>
#include <vector>

#include "models/buffer/buffer.h"
#include "models/dma/dma.h"
#include "models/dram/dram.h"
#include "models/interconnect/bus.h"
#include "models/pe_array/pe_array.h"
#include "models/stream/stream_unit.h"
#include "sim/config/chip_config.h"
#include "sim/plan/plan.h"

namespace eoqsim {

class Chip {
 public:
  // `vcd` receives the cycle-stepped PE array's waveforms (pe_array impl systolic_detailed).
  Chip(const ChipConfig& cfg, Stats& stats, const EnergyModel& energy, VcdTrace* vcd = nullptr,
       Timeline* timeline = nullptr);
  Chip(const Chip&) = delete;
  Chip& operator=(const Chip&) = delete;

  const ChipConfig& config() const { return cfg_; }
  PeArray& pe_array() { return *pe_array_; }
  Dram& dram() { return *dram_; }
  Dma& dma_in() { return *dma_in_; }
  Dma& dma_out() { return *dma_out_; }
  Bus* bus() { return bus_.get(); }
  StreamUnit* stream_unit(UnitKind k) { return stream_[static_cast<int>(k)].get(); }
  Buffer& buffer(size_t i) { return *buffers_[i]; }
  size_t buffer_count() const { return buffers_.size(); }
  Buffer& buffer_for_role(Role r) { return *buffers_[buffer_for(caps_.buffers, r)]; }
  const ChipCaps& caps() const { return caps_; }
  // Units with timed work, for utilization and area.
  std::vector<Server*> servers();

 private:
  ChipConfig cfg_;
  std::unique_ptr<PeArray> pe_array_;
  std::vector<std::unique_ptr<Buffer>> buffers_;
  std::unique_ptr<Dram> dram_;
  std::unique_ptr<Bus> bus_;
  std::unique_ptr<Dma> dma_in_, dma_out_;
  std::array<std::unique_ptr<StreamUnit>, kNumUnitKinds> stream_;
  ChipCaps caps_;
};

}  // namespace eoqsim
