#include "sim/report/report.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <cstdio>
#include <sstream>

#include "sim/common/io.h"
#include "sim/common/units.h"

namespace eoqsim {

std::string format_number(double v) {
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

namespace {

ordered_json figures_json(const Figures& f, double clock_hz) {
  ordered_json j;
  j["cycles"] = f.cycles;
  j["seconds"] = static_cast<double>(f.cycles) / clock_hz;
  j["macs"] = f.macs;
  j["energy_pj"] = f.energy_pj;
  j["dram_read_bytes"] = f.dram_read_bytes;
  j["dram_write_bytes"] = f.dram_write_bytes;
  j["sram_read_bytes"] = f.sram_read_bytes;
  j["sram_write_bytes"] = f.sram_write_bytes;
  j["compute_cycles"] = f.compute_cycles;
  j["fill_drain_cycles"] = f.fill_drain;
  j["weight_stall_cycles"] = f.weight_stall;
  j["stall_cycles"] = f.stall_cycles;
  j["mapping_efficiency"] = f.mapping_efficiency();
  return j;
}

double utilization(const Figures& f, int64_t pes) {
  return f.cycles > 0 && pes > 0 ? static_cast<double>(f.macs) / (static_cast<double>(pes) * f.cycles) : 0.0;
}

}  // namespace

ordered_json report_json(const RunResult& r, const Summary& s) {
  const Trace& t = r.trace;
  const auto& defs = r.stats.defs();
  ordered_json j;
  j["schema"] = "eoqsim.report/1";
  j["network"] = t.network;
  j["scheme"] = t.scheme;
  j["batch"] = t.batch;
  j["mode"] = t.mode;
  j["chip"] = r.chip_name;
  j["chip_file"] = r.chip_file;
  j["tech"] = ordered_json{{"node", r.tech_node}, {"file", r.tech_file}};
  j["clock_hz"] = r.clock_hz;

  ordered_json totals = figures_json(s.total, r.clock_hz);
  totals["area_mm2"] = s.area_mm2;
  totals["avg_power_w"] = s.avg_power_w;
  totals["peak_power_w"] = s.peak_power_w;
  totals["peak_power_pass"] = s.peak_pass;
  totals["pe_utilization"] = utilization(s.total, s.pes);
  j["totals"] = totals;
  ordered_json phases = ordered_json::object();
  for (int p = 0; p < kNumPhases; ++p)
    if (s.phase_present[p]) phases[phase_name(static_cast<Phase>(p))] = figures_json(s.phases[p], r.clock_hz);
  j["phases"] = phases;

  // Events by class (summed over units), and by unit.
  std::map<std::string, uint64_t> by_class;
  ordered_json by_unit = ordered_json::object();
  ordered_json detail = ordered_json::object();
  ordered_json prices = ordered_json::object();
  for (size_t e = 0; e < defs.size(); ++e) {
    if (s.event_count[e] == 0) continue;
    const EventDef& d = defs[e];
    const std::string key = d.unit + "." + d.name;
    by_class[d.arithmetic ? d.name : key] += s.event_count[e];
    by_unit[d.unit][d.name] = s.event_count[e];
    if (d.category != Category::None) {
      detail[key] = s.event_energy[e];
      prices[key] = ordered_json{{"pj_per_event", d.energy_pj}, {"counts", d.counts}, {"category", category_name(d.category)},
                                 {"source", d.source}, {"estimate", d.estimate}};
    }
  }
  ordered_json events = ordered_json::object();
  for (const auto& [k, v] : by_class) events[k] = v;
  j["events"] = events;
  j["events_by_unit"] = by_unit;
  ordered_json breakdown = ordered_json::object();
  for (int c = 0; c < kNumCategories; ++c)
    if (static_cast<Category>(c) != Category::None) breakdown[category_name(static_cast<Category>(c))] = s.breakdown[c];
  j["energy_breakdown_pj"] = breakdown;
  detail["leakage"] = s.leakage_pj;
  j["energy_detail_pj"] = detail;
  j["energy_per_event"] = prices;
  j["leakage"] = ordered_json{{"mw_per_mm2", r.leakage_mw_per_mm2}, {"area_mm2", s.area_mm2},
                              {"source", r.leakage_source}};

  ordered_json units = ordered_json::object();
  ordered_json area_units = ordered_json::object();
  for (const auto& u : r.units) {
    ordered_json uj;
    uj["kind"] = u.kind;
    uj["impl"] = u.impl;
    if (u.timed) {
      uj["busy_cycles"] = u.busy_cycles;
      uj["busy_fraction"] = s.total.cycles ? static_cast<double>(u.busy_cycles) / s.total.cycles : 0.0;
      uj["jobs"] = u.jobs;
      uj["wait_cycles"] = u.wait_cycles;
    }
    units[u.name] = uj;
    if (!u.area.empty()) {
      ordered_json items = ordered_json::array();
      for (const auto& a : u.area)
        items.push_back(ordered_json{{"what", a.what}, {"mm2", a.mm2}, {"source", a.source}, {"estimate", a.estimate}});
      area_units[u.name] = items;
    }
  }
  j["units"] = units;
  j["area_mm2"] = ordered_json{{"total", s.area_mm2}, {"units", area_units}};

  j["memory"] = ordered_json{{"weight_bytes", r.memory.weight_bytes},
                             {"saved_activation_bytes", r.memory.saved_activation_bytes},
                             {"optimizer_state_bytes", r.memory.optimizer_state_bytes},
                             {"peak_bytes", r.memory.peak_bytes},
                             {"dram_capacity_bytes", r.dram_capacity}};

  // Per tensor: DRAM bytes requested (before burst rounding), for tensors that touched DRAM or
  // stayed resident in a buffer.
  ordered_json tensors = ordered_json::array();
  const auto& tb = r.stats.tensor_bytes();
  for (size_t id = 0; id < t.tensors.size(); ++id) {
    const bool res = id < r.resident.size() && r.resident[id];
    const uint64_t rd = id < tb.size() ? tb[id][0] : 0, wr = id < tb.size() ? tb[id][1] : 0;
    if (rd == 0 && wr == 0 && !res) continue;
    const Tensor& x = t.tensors[id];
    tensors.push_back(ordered_json{{"name", x.name},
                                   {"kind", tensor_kind_name(x.kind)},
                                   {"precision", x.precision.str()},
                                   {"bytes", x.bytes},
                                   {"resident", res},
                                   {"dram_read_bytes", rd},
                                   {"dram_write_bytes", wr}});
  }
  j["tensors"] = tensors;

  ordered_json layers = ordered_json::array();
  for (const auto& row : s.rows) {
    ordered_json l = figures_json(row.f, r.clock_hz);
    l["layer"] = t.layers[row.layer].name;
    l["type"] = t.layers[row.layer].type;
    l["phase"] = phase_name(row.phase);
    l["pe_utilization"] = row.f.compute_cycles && s.pes ? static_cast<double>(row.f.macs) /
                                                              (static_cast<double>(s.pes) * row.f.compute_cycles)
                                                        : 0.0;
    if (!row.mapping.empty()) l["mapping"] = row.mapping;
    layers.push_back(l);
  }
  j["layers"] = layers;
  j["notes"] = t.notes;
  j["assumptions"] = r.assumptions;
  // Wall-clock fields: the only ones that differ between identical runs.
  j["sim"] = ordered_json{{"wall_seconds", r.wall_seconds},
                          {"simulated_cycles_per_wall_second",
                           r.wall_seconds > 0 ? static_cast<double>(s.total.cycles) / r.wall_seconds : 0.0},
                          {"ops", t.ops.size()},
                          {"groups", r.groups},
                          {"tiles", r.tiles}};
  return j;
}

std::string layers_csv(const RunResult& r, const Summary& s) {
  std::ostringstream o;
  o << "layer,type,phase,cycles,macs,energy_pj,dram_read_bytes,dram_write_bytes,sram_read_bytes,sram_write_bytes,"
       "compute_cycles,fill_drain_cycles,weight_stall_cycles,stall_cycles,pe_utilization,mapping_efficiency,"
       "mapping\n";
  for (const auto& row : s.rows) {
    const Figures& f = row.f;
    o << csv_field(r.trace.layers[row.layer].name) << ',' << r.trace.layers[row.layer].type << ','
      << phase_name(row.phase) << ',' << f.cycles << ',' << f.macs << ',' << format_number(f.energy_pj) << ','
      << f.dram_read_bytes << ',' << f.dram_write_bytes << ',' << f.sram_read_bytes << ',' << f.sram_write_bytes << ','
      << f.compute_cycles << ',' << f.fill_drain << ',' << f.weight_stall << ',' << f.stall_cycles << ','
      << format_number(f.compute_cycles && s.pes ? static_cast<double>(f.macs) / (static_cast<double>(s.pes) * f.compute_cycles)
                                                 : 0.0)
      << ',' << format_number(f.mapping_efficiency()) << ',' << csv_field(row.mapping) << '\n';
  }
  return o.str();
}

ordered_json resolved_config_json(const RunResult& r) {
  ordered_json j;
  j["schema"] = "eoqsim.resolved/1";
  j["chip"] = r.chip_resolved;
  j["scheme"] = r.scheme_resolved;
  j["network"] = r.trace.network;
  j["batch"] = r.trace.batch;
  j["mode"] = r.trace.mode;
  std::vector<std::string> phases;
  for (const Op& op : r.trace.ops)
    if (std::find(phases.begin(), phases.end(), phase_name(op.phase)) == phases.end())
      phases.push_back(phase_name(op.phase));
  j["phases"] = phases;
  return j;
}

void write_run_outputs(const std::string& dir, const RunResult& r, const Summary& s) {
  ensure_directory(dir);
  write_file_atomic(dir + "/report.json", report_json(r, s).dump(2) + "\n");
  write_file_atomic(dir + "/layers.csv", layers_csv(r, s));
  write_file_atomic(dir + "/config.resolved.json", resolved_config_json(r).dump(2) + "\n");
}

std::string run_summary_text(const RunResult& r, const Summary& s) {
  std::ostringstream o;
  const Trace& t = r.trace;
  o << t.network << " (" << t.mode << ", batch " << t.batch << ") under " << t.scheme << " on " << r.chip_name << " ("
    << r.tech_node << ", " << units::format_frequency(r.clock_hz) << ")\n";
  char buf[256];
  std::snprintf(buf, sizeof buf, "  cycles %llu (%.4g s), MACs %llu, PE utilization %.1f%%\n",
                static_cast<unsigned long long>(s.total.cycles), s.seconds, static_cast<unsigned long long>(s.total.macs),
                100.0 * (s.total.cycles && s.pes ? static_cast<double>(s.total.macs) / (s.pes * s.total.cycles) : 0.0));
  o << buf;
  std::snprintf(buf, sizeof buf, "  DRAM read %.4g MB, write %.4g MB; energy %.4g mJ, avg power %.4g W, area %.4g mm^2\n",
                s.total.dram_read_bytes / 1e6, s.total.dram_write_bytes / 1e6, s.total.energy_pj * 1e-9,
                s.avg_power_w, s.area_mm2);
  o << buf;
  for (int p = 0; p < kNumPhases; ++p) {
    if (!s.phase_present[p]) continue;
    const Figures& f = s.phases[p];
    std::snprintf(buf, sizeof buf, "  %-6s cycles %12llu  energy %10.4g mJ  DRAM %10.4g MB\n",
                  phase_name(static_cast<Phase>(p)), static_cast<unsigned long long>(f.cycles), f.energy_pj * 1e-9,
                  (f.dram_read_bytes + f.dram_write_bytes) / 1e6);
    o << buf;
  }
  return o.str();
}

}  // namespace eoqsim
