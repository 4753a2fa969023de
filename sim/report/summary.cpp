#include "sim/report/summary.h"

#include <map>

namespace eoqsim {

void Figures::add(const Figures& o) {
  cycles += o.cycles;
  macs += o.macs;
  energy_pj += o.energy_pj;
  dram_read_bytes += o.dram_read_bytes;
  dram_write_bytes += o.dram_write_bytes;
  sram_read_bytes += o.sram_read_bytes;
  sram_write_bytes += o.sram_write_bytes;
  compute_cycles += o.compute_cycles;
  fill_drain += o.fill_drain;
  weight_stall += o.weight_stall;
  executed_macs += o.executed_macs;
  tiles += o.tiles;
  mapped_pes += o.mapped_pes;
  fold_pes += o.fold_pes;
  stall_cycles += o.stall_cycles;
}

Summary summarize(const RunResult& r) {
  Summary s;
  const Trace& t = r.trace;
  const auto& defs = r.stats.defs();
  for (const auto& u : r.units)
    for (const auto& a : u.area) s.area_mm2 += a.mm2;
  // Leakage in pJ per cycle: mW/mm^2 x mm^2 = mW; x 1e-3 W/mW x 1e12 pJ/J / clock.
  const double leak_pj_per_cycle = r.leakage_mw_per_mm2 * s.area_mm2 * 1e9 / r.clock_hz;
  if (r.chip_resolved.contains("pe_array"))
    s.pes = r.chip_resolved["pe_array"].value("rows", int64_t(0)) * r.chip_resolved["pe_array"].value("cols", int64_t(0));

  s.event_energy.assign(defs.size(), 0.0);
  s.event_count.assign(defs.size(), 0);
  s.ops.assign(t.ops.size(), {});
  uint64_t horizon = 0;
  std::vector<int32_t> order = r.attribution_order;
  if (order.size() != t.ops.size()) {
    order.resize(t.ops.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int32_t>(i);
  }
  for (int32_t i : order) {
    const Op& op = t.ops[i];
    Figures& f = s.ops[i];
    const uint64_t end = std::max(horizon, r.timing[i].end);
    f.cycles = end - horizon;
    horizon = end;
    if (op.kind == OpKind::Gemm) f.macs = static_cast<uint64_t>(op.conv.macs());
    f.compute_cycles = r.timing[i].compute_cycles;
    f.fill_drain = r.timing[i].fill_drain;
    f.weight_stall = r.timing[i].weight_stall;
    f.executed_macs = r.timing[i].executed_macs;
    f.tiles = r.timing[i].tiles;
    f.mapped_pes = r.timing[i].mapped_pes;
    f.fold_pes = r.timing[i].fold_pes;
    f.stall_cycles = f.cycles > r.timing[i].busy ? f.cycles - r.timing[i].busy : 0;
    for (size_t e = 0; e < defs.size(); ++e) {
      const uint64_t n = r.stats.count(static_cast<int32_t>(i), static_cast<int32_t>(e));
      if (n == 0) continue;
      const EventDef& d = defs[e];
      const double pj = static_cast<double>(n) * d.energy_pj;
      f.energy_pj += pj;
      s.event_energy[e] += pj;
      s.event_count[e] += n;
      s.breakdown[static_cast<int>(d.category)] += pj;
      if (d.unit == "dram" && d.name == "read_bytes") f.dram_read_bytes += n;
      if (d.unit == "dram" && d.name == "write_bytes") f.dram_write_bytes += n;
      if (d.unit != "dram" && d.name == "read_bytes") f.sram_read_bytes += n;
      if (d.unit != "dram" && d.name == "write_bytes") f.sram_write_bytes += n;
    }
    const double leak = leak_pj_per_cycle * static_cast<double>(f.cycles);
    f.energy_pj += leak;
    s.leakage_pj += leak;
  }
  s.breakdown[static_cast<int>(Category::Leakage)] = s.leakage_pj;

  std::map<std::pair<int32_t, int>, size_t> row_of;
  for (size_t i = 0; i < t.ops.size(); ++i) {
    const Op& op = t.ops[i];
    const auto key = std::make_pair(op.layer, static_cast<int>(op.phase));
    auto it = row_of.find(key);
    if (it == row_of.end()) {
      row_of[key] = s.rows.size();
      s.rows.push_back({op.layer, op.phase, {}, ""});
      it = row_of.find(key);
    }
    LayerRow& row = s.rows[it->second];
    row.f.add(s.ops[i]);
    if (!r.mapping.empty() && !r.mapping[i].empty())
      row.mapping += (row.mapping.empty() ? "" : " ; ") + std::string(gemm_role_name(op.role)) + ": " + r.mapping[i];
    s.phases[static_cast<int>(op.phase)].add(s.ops[i]);
    s.phase_present[static_cast<int>(op.phase)] = true;
    s.total.add(s.ops[i]);
  }
  s.seconds = static_cast<double>(s.total.cycles) / r.clock_hz;
  s.avg_power_w = s.seconds > 0 ? s.total.energy_pj * 1e-12 / s.seconds : 0.0;

  // Peak power: per pass, its ops' event energy plus leakage over its span, over the span.
  if (!r.pass_span.empty() && r.pass.size() == t.ops.size()) {
    std::vector<double> pass_pj(r.pass_span.size(), 0.0);
    std::vector<int32_t> first_op(r.pass_span.size(), -1);
    for (size_t i = 0; i < t.ops.size(); ++i) {
      const int32_t p = r.pass[i];
      if (p < 0 || static_cast<size_t>(p) >= pass_pj.size()) continue;
      pass_pj[p] += s.ops[i].energy_pj - leak_pj_per_cycle * static_cast<double>(s.ops[i].cycles);
      if (first_op[p] < 0) first_op[p] = static_cast<int32_t>(i);
    }
    for (size_t p = 0; p < pass_pj.size(); ++p) {
      const uint64_t span = r.pass_span[p].second - r.pass_span[p].first;
      if (span == 0 || first_op[p] < 0) continue;
      const double w = (pass_pj[p] + leak_pj_per_cycle * static_cast<double>(span)) * 1e-12 /
                       (static_cast<double>(span) / r.clock_hz);
      if (w > s.peak_power_w) {
        s.peak_power_w = w;
        const Op& op = t.ops[static_cast<size_t>(first_op[p])];
        s.peak_pass = t.layers[static_cast<size_t>(op.layer)].name + " " + phase_name(op.phase) + " (pass " +
                      std::to_string(p) + ", " + std::to_string(span) + " cycles)";
      }
    }
  }
  return s;
}

}  // namespace eoqsim
