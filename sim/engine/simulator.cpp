#include "sim/engine/simulator.h"

#include <chrono>

#include <systemc>

#include "sim/common/error.h"
#include "sim/common/io.h"
#include "sim/common/units.h"
#include "sim/engine/chip.h"
#include "sim/engine/controller.h"
#include "sim/engine/kernel.h"

namespace eoqsim {

namespace {

// Everything the chip must support, checked before the kernel starts so a bad request is a
// clear error (exit 2), never a half-run simulation.
void preflight(Chip& chip, const Trace& t) {
  auto label_of = [&](size_t i) {
    const Op& op = t.ops[i];
    return "op " + std::to_string(i) + " (" + op_kind_name(op.kind) + " of layer \"" + t.layers[op.layer].name +
           "\", " + phase_name(op.phase) + ")";
  };
  // A missing unit first: it is the bigger mismatch between scheme and chip.
  for (size_t i = 0; i < t.ops.size(); ++i) {
    const Op& op = t.ops[i];
    if (op.kind != OpKind::Gemm && !chip.stream_unit(op.unit))
      throw UnsupportedError(chip.config().file, unit_kind_name(op.unit),
                             label_of(i) + " needs a " + unit_kind_name(op.unit) + ", which chip \"" +
                                 chip.config().name + "\" does not have");
  }
  for (size_t i = 0; i < t.ops.size(); ++i) {
    const Op& op = t.ops[i];
    const std::string label = label_of(i);
    if (op.kind == OpKind::Gemm) {
      PeArray& pe = chip.pe_array();
      if (!pe.supports(op.precision))
        throw UnsupportedError(chip.config().file, "pe_array.precisions",
                               label + " needs " + op.precision.unit_class().str() +
                                   " MACs, which the PE array does not implement");
      if (op.accum.format == Precision::Format::Int && op.accum.bits > pe.accumulator_bits())
        throw UnsupportedError(chip.config().file, "pe_array.accumulator_bits",
                               label + " accumulates in " + std::to_string(op.accum.bits) + " bits, the PE array in " +
                                   std::to_string(pe.accumulator_bits()));
      pe.mac_event(op.precision);  // its energy must be in the technology table
      continue;
    }
    chip.stream_unit(op.unit)->check(t, static_cast<int32_t>(i));
  }
}

}  // namespace

RunResult simulate(const ChipConfig& cfg, const Trace& trace, const SimOptions& options) {
  const auto wall0 = std::chrono::steady_clock::now();
  RunResult r;
  r.trace = trace;
  r.memory = analyze_memory(trace);
  r.dram_capacity = 0;
  fresh_kernel();
  r.stats.resize_ops(trace.ops.size());
  r.stats.resize_tensors(trace.tensors.size());
  EnergyModel energy(cfg.tech);
  std::unique_ptr<VcdTrace> vcd;
  if (!options.vcd_path.empty()) vcd = std::make_unique<VcdTrace>();
  std::unique_ptr<Timeline> timeline;
  if (!options.timeline_path.empty()) timeline = std::make_unique<Timeline>();
  {
    Chip chip(cfg, r.stats, energy, vcd.get(), timeline.get());
    r.dram_capacity = chip.dram().capacity();
    if (r.memory.peak_bytes > r.dram_capacity)
      throw UnsupportedError(cfg.file, "dram.capacity",
                             "the step needs " + units::format_size(r.memory.peak_bytes) + " (" +
                                 std::to_string(r.memory.peak_bytes) + " bytes) of DRAM at its peak; the chip has " +
                                 units::format_size(r.dram_capacity));
    preflight(chip, trace);
    if (vcd) {
      // A waveform records every PE register change: keep it to runs GTKWave can open.
      uint64_t macs = 0;
      for (const Op& op : trace.ops)
        if (op.kind == OpKind::Gemm) macs += static_cast<uint64_t>(gemm_executed_macs(op));
      const int64_t pes = chip.pe_array().rows() * chip.pe_array().cols();
      if (pes > 64 * 64 || macs > 20'000'000)
        throw InputError("", "--vcd", "waveforms are for small runs (at most 64x64 PEs and 2e7 MACs); this run has " +
                                          std::to_string(pes) + " PEs and " + std::to_string(macs) + " MACs");
    }
    const Plan plan = make_plan(trace, chip.caps());
    Controller controller("controller", chip, trace, plan, r.stats);
    sc_core::sc_start();
    r.total_cycles = controller.end_cycle();
    r.pass_span = controller.pass_spans();
    r.timing = controller.timing();
    r.groups = plan.groups.size();
    r.resident = plan.resident;
    r.onchip = plan.onchip;
    r.pass.assign(trace.ops.size(), -1);
    for (size_t gi = 0; gi < plan.groups.size(); ++gi)
      for (int32_t i : plan.groups[gi].ops) r.pass[i] = static_cast<int32_t>(gi);
    r.mapping.assign(trace.ops.size(), "");
    for (const auto& g : plan.groups) {
      const int32_t anchor = g.kind == GroupPlan::Kind::Gemm ? g.gemm : g.ops.front();
      r.attribution_order.push_back(anchor);
      for (int32_t i : g.ops)
        if (i != anchor) r.attribution_order.push_back(i);
    }
    for (const auto& g : plan.groups) {
      if (g.kind != GroupPlan::Kind::Gemm) continue;
      std::string s;
      for (const auto& pp : g.parts) s += (s.empty() ? "" : " | ") + pp.mapping.str();
      r.mapping[g.gemm] = s;
    }
    for (const auto& t : r.timing) r.tiles += t.tiles;
    // Units: busy time and area.
    for (Server* s : chip.servers()) {
      UnitResult u;
      u.name = s->basename();
      u.kind = u.name == "dma_in" || u.name == "dma_out" ? "dma" : u.name;
      const UnitConfig* uc = cfg.unit(u.kind);
      u.impl = uc ? uc->impl : "";
      u.category = s->category();
      u.busy_cycles = s->busy_cycles();
      u.jobs = s->jobs();
      u.wait_cycles = s->wait_cycles();
      u.area = s->area();
      r.units.push_back(u);
    }
    for (size_t b = 0; b < chip.buffer_count(); ++b) {
      UnitResult u;
      u.name = chip.buffer(b).basename();
      u.kind = "buffer";
      u.impl = cfg.buffers[b].impl;
      u.category = Category::Sram;
      u.timed = false;
      u.area = chip.buffer(b).area();
      r.units.push_back(u);
    }
    UnitResult d;
    d.name = "dram";
    d.kind = "dram";
    d.impl = cfg.dram.impl;
    d.category = Category::Dram;
    d.busy_cycles = chip.dram().busy_cycles();
    d.jobs = 0;
    r.units.push_back(d);
    if (chip.bus()) {
      UnitResult b;
      b.name = "interconnect";
      b.kind = "interconnect";
      b.impl = cfg.interconnect->impl;
      b.category = Category::Interconnect;
      b.busy_cycles = chip.bus()->busy_cycles();
      r.units.push_back(b);
    }
  }
  r.clock_hz = cfg.clock_hz;
  r.chip_name = cfg.name;
  r.chip_file = cfg.file;
  r.tech_node = cfg.tech.node;
  r.tech_file = cfg.tech.file;
  r.chip_resolved = cfg.resolved;
  r.leakage_mw_per_mm2 = energy.leakage_mw_per_mm2();
  r.leakage_source = cfg.tech.leakage.source;
  if (!cfg.interconnect)
    r.assumptions.push_back("no interconnect unit: DMA transfers are limited by the DRAM alone and on-chip moves cost no bus energy");
  if (vcd) write_file_atomic(options.vcd_path, vcd->str());
  if (timeline) {
    auto label = [&](int32_t op) -> std::pair<std::string, std::string> {
      if (op < 0 || op >= static_cast<int32_t>(trace.ops.size())) return {"(none)", ""};
      const Op& o = trace.ops[static_cast<size_t>(op)];
      return {trace.layers[static_cast<size_t>(o.layer)].name + " " + op_kind_name(o.kind), phase_name(o.phase)};
    };
    write_file_atomic(options.timeline_path, timeline->json(label, cfg.clock_hz));
  }
  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  return r;
}

double chip_area_mm2(const ChipConfig& cfg) {
  fresh_kernel();
  Stats stats(1);
  EnergyModel energy(cfg.tech);
  Chip chip(cfg, stats, energy, nullptr, nullptr);
  double mm2 = 0;
  for (Server* s : chip.servers())
    for (const auto& a : s->area()) mm2 += a.mm2;
  for (size_t b = 0; b < chip.buffer_count(); ++b)
    for (const auto& a : chip.buffer(b).area()) mm2 += a.mm2;
  return mm2;
}

}  // namespace eoqsim
