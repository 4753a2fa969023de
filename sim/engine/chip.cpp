#include "sim/engine/chip.h"

namespace eoqsim {

Chip::Chip(const ChipConfig& cfg, Stats& stats, const EnergyModel& energy, VcdTrace* vcd, Timeline* timeline)
    : cfg_(cfg) {
  UnitContext ctx{stats, energy, cfg.clock_hz, timeline};
  pe_array_ = make_pe_array(cfg.pe_array, ctx, vcd);
  for (const auto& b : cfg.buffers) buffers_.push_back(make_buffer(b, ctx));
  dram_ = make_dram(cfg.dram, ctx);
  if (cfg.interconnect) bus_ = make_bus(*cfg.interconnect, ctx);
  dma_in_ = std::make_unique<Dma>("dma_in", ctx, bus_.get());
  dma_out_ = std::make_unique<Dma>("dma_out", ctx, bus_.get());
  // Bind: both DMA channels initiate transactions on the DRAM's target socket.
  dma_in_->socket.bind(dram_->socket);
  dma_out_->socket.bind(dram_->socket);
  const std::pair<UnitKind, const std::optional<UnitConfig>*> streams[] = {{UnitKind::Quant, &cfg.quant_unit},
                                                                            {UnitKind::Norm, &cfg.norm_unit},
                                                                            {UnitKind::Vector, &cfg.vector_unit},
                                                                            {UnitKind::Update, &cfg.update_unit}};
  for (const auto& [kind, uc] : streams)
    if (*uc) stream_[static_cast<int>(kind)] = make_stream_unit(**uc, ctx);

  caps_.dram_bytes_per_cycle = dram_->bytes_per_cycle();
  caps_.minimize_traffic = cfg.mapper_objective == "traffic";
  caps_.dataflow = pe_array_->dataflow();
  caps_.scalesim_timing = pe_array_->scalesim_timing();
  caps_.rows = pe_array_->rows();
  caps_.cols = pe_array_->cols();
  caps_.present[static_cast<int>(UnitKind::PeArray)] = true;
  caps_.fused[static_cast<int>(UnitKind::PeArray)] = true;
  for (int k = 0; k < kNumUnitKinds; ++k)
    if (stream_[k]) {
      caps_.present[k] = true;
      caps_.fused[k] = stream_[k]->fused();
    }
  for (const auto& b : buffers_) {
    BufferCaps bc;
    bc.name = b->basename();
    bc.capacity = b->params().capacity;
    bc.double_buffered = b->params().double_buffered;
    for (const auto& h : b->params().holds)
      bc.holds[h == "ifmap" ? 0 : h == "filter" ? 1 : 2] = true;
    bc.bytes_per_cycle = b->params().bytes_per_cycle();
    if (cfg.residency_policy == "keep" && bc.name == cfg.residency_buffer) {
      // The resident region is no longer available to tiles.
      bc.capacity -= cfg.residency_capacity;
      caps_.resident_capacity = cfg.residency_capacity;
    }
    caps_.buffers.push_back(bc);
  }
}

std::vector<Server*> Chip::servers() {
  std::vector<Server*> out = {pe_array_.get(), dma_in_.get(), dma_out_.get()};
  for (auto& s : stream_)
    if (s) out.push_back(s.get());
  return out;
}

}  // namespace eoqsim
