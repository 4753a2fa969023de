#include "sim/config/tech_loader.h"

#include <filesystem>

#include "sim/common/data.h"
#include "sim/common/error.h"
#include "sim/common/units.h"
#include "sim/config/paths.h"

namespace eoqsim {

namespace {
TechEntry read_entry(ParamReader& r, const char* value_key, const std::string& value_desc) {
  TechEntry e;
  e.energy_pj = r.number(value_key, value_desc, std::nullopt, 0, 1e9);
  e.area_um2 = r.number("area_um2", "area of one instance in um^2", 0.0, 0, 1e12);
  e.source = r.string("source", "where the number comes from", std::nullopt);
  e.estimate = r.boolean("estimate", "true when no published number exists", false);
  e.latency_cycles = r.integer("latency_cycles", "sqrt/div: cycles from operands to result", 0, 0, 100000);
  e.interval_cycles = r.integer("interval_cycles", "sqrt/div: cycles between operations of one unit", 0, 0, 100000);
  if (e.interval_cycles > e.latency_cycles)
    throw InputError(r.file(), r.where("interval_cycles"), "must not exceed latency_cycles");
  if (e.source.empty()) throw InputError(r.file(), r.where("source"), "every entry needs a non-empty source");
  r.finish();
  return e;
}
}  // namespace

TechTable parse_tech(const json& j, const std::string& file) {
  ParamReader r(j, file, "");
  TechTable t;
  t.file = file;
  std::string schema = r.string("schema", "schema version", std::nullopt);
  if (schema != "eoqsim.tech/1") throw InputError(file, "schema", "expected \"eoqsim.tech/1\", found \"" + schema + "\"");
  t.node = r.string("node", "technology node", std::nullopt);
  t.description = r.string("description", "what the table rests on", "");
  r.allow("ops");
  r.allow("sram");
  r.allow("register_bit");
  r.allow("interconnect_byte");
  r.allow("leakage");
  r.finish();
  if (!j.contains("ops") || !j["ops"].is_object()) throw InputError(file, "ops", "expected an object of event entries");
  for (auto it = j["ops"].begin(); it != j["ops"].end(); ++it) {
    ParamReader er(it.value(), file, join_path("ops", it.key()));
    t.ops[it.key()] = read_entry(er, "energy_pj", "energy per event in pJ");
  }
  if (!j.contains("sram") || !j["sram"].is_object()) throw InputError(file, "sram", "expected an object");
  const json& s = j["sram"];
  ParamReader sr(s, file, "sram");
  t.sram_source = sr.string("source", "source of the SRAM points", std::nullopt);
  t.sram_area_source = sr.string("area_source", "source of the area points", std::nullopt);
  sr.allow("points");
  sr.allow("area_mm2");
  sr.finish();
  if (!s.contains("points") || !s["points"].is_array() || s["points"].empty())
    throw InputError(file, "sram.points", "expected a non-empty list of {capacity, width_bits, read_pj, write_pj}");
  for (size_t i = 0; i < s["points"].size(); ++i) {
    ParamReader pr(s["points"][i], file, index_path("sram.points", i));
    SramPoint p;
    p.capacity = pr.size_bytes("capacity", "SRAM capacity", std::nullopt, 1);
    p.width_bits = pr.integer("width_bits", "access width", std::nullopt, 1, 1 << 16);
    p.read_pj = pr.number("read_pj", "energy per read access", std::nullopt, 1e-6, 1e9);
    p.write_pj = pr.number("write_pj", "energy per write access", std::nullopt, 1e-6, 1e9);
    pr.finish();
    t.sram.push_back(p);
  }
  if (!s.contains("area_mm2") || !s["area_mm2"].is_array() || s["area_mm2"].empty())
    throw InputError(file, "sram.area_mm2", "expected a non-empty list of {capacity, mm2}");
  for (size_t i = 0; i < s["area_mm2"].size(); ++i) {
    ParamReader pr(s["area_mm2"][i], file, index_path("sram.area_mm2", i));
    uint64_t cap = pr.size_bytes("capacity", "SRAM capacity", std::nullopt, 1);
    double mm2 = pr.number("mm2", "area in mm^2", std::nullopt, 1e-9, 1e6);
    pr.finish();
    t.sram_area_mm2.push_back({cap, mm2});
  }
  auto entry = [&](const char* key, const char* value_key, const std::string& desc) {
    if (!j.contains(key)) throw InputError(file, key, "missing required entry");
    ParamReader er(j[key], file, key);
    return read_entry(er, value_key, desc);
  };
  t.register_bit = entry("register_bit", "energy_pj", "energy per register bit access in pJ");
  t.interconnect_byte = entry("interconnect_byte", "energy_pj", "energy per byte moved on the on-chip bus in pJ");
  t.leakage = entry("leakage", "mw_per_mm2", "leakage power per mm^2 of logic and SRAM, in mW");
  return t;
}

TechTable load_tech(const std::string& ref, const std::string& base_dir) {
  std::string text, where;
  if (!resolve_data_file(ref, "configs/tech", base_dir, &text, &where))
    throw InputError("", "tech", "technology table \"" + ref + "\" not found (looked for the built-in configs/tech/" +
                                     ref + ".json and the file " + where + ")");
  return parse_tech(parse_json_text(text, where), where);
}

}  // namespace eoqsim
