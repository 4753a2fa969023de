#include "sim/config/chip_config.h"

#include <filesystem>

#include "models/spec/unit_spec.h"
#include "sim/common/data.h"
#include "sim/common/error.h"
#include "sim/common/units.h"
#include "sim/config/paths.h"
#include "sim/config/tech_loader.h"
#include "sim/plan/mapper.h"

namespace eoqsim {

namespace fs = std::filesystem;

const UnitConfig* ChipConfig::unit(const std::string& kind) const {
  if (kind == "pe_array") return &pe_array;
  if (kind == "dram") return &dram;
  const std::optional<UnitConfig>* opt = kind == "quant_unit"    ? &quant_unit
                                         : kind == "norm_unit"   ? &norm_unit
                                         : kind == "vector_unit" ? &vector_unit
                                         : kind == "update_unit" ? &update_unit
                                         : kind == "interconnect" ? &interconnect
                                                                  : nullptr;
  return opt && *opt ? &**opt : nullptr;
}

std::vector<std::string> builtin_chip_names() { return data::names_in("configs/chips"); }

namespace {

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    out.push_back(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return out;
}

}  // namespace

void apply_set(json& chip, const std::string& assignment) {
  const std::string where = "--set " + assignment;
  auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw InputError("", where, "expected PATH=VALUE, e.g. pe_array.rows=16 or \"buffers.glb.capacity=64 KiB\"");
  const std::string path = assignment.substr(0, eq);
  const std::string text = assignment.substr(eq + 1);
  json value;
  try {
    value = json::parse(text);
  } catch (const json::exception&) {
    value = text;  // not JSON: take it as a string ("64 KiB", "ws")
  }
  std::vector<std::string> keys = split_path(path);
  for (const auto& k : keys)
    if (k.empty()) throw InputError("", where, "empty key in path \"" + path + "\"");
  if (!chip.is_object()) throw InputError("", where, "the chip config is not an object");
  // "unit.impl=NAME" (or "buffers.NAME.impl=sram"): start the unit over from NAME's defaults.
  if (keys.back() == "impl" && keys.size() >= 2) {
    std::string kind;
    if (keys.size() == 2 && keys[0] != "buffers") kind = keys[0];
    else if (keys.size() == 3 && keys[0] == "buffers") kind = "buffer";
    else throw InputError("", where, "impl can be set on a unit (e.g. dram.impl) or a buffer (buffers.NAME.impl)");
    bool known_kind = false;
    for (const auto& k : unit_kinds()) known_kind = known_kind || k == kind;
    if (!known_kind) throw InputError("", where, "\"" + keys[0] + "\" is not a unit kind");
    if (!value.is_string()) throw InputError("", where, "expected an implementation name, found " + json_type_name(value));
    const ImplSpec& spec = find_impl(kind, value.get<std::string>(), "", path);
    json defaults = json::parse(impl_defaults(spec).dump());
    if (keys.size() == 2) {
      chip[keys[0]] = defaults;
    } else {
      if (!chip.contains("buffers") || !chip["buffers"].is_object()) chip["buffers"] = json::object();
      chip["buffers"][keys[1]] = defaults;
    }
    return;
  }
  // "dram.preset=NAME" starts the unit over from that preset (keeping its implementation), so a
  // preset switch changes every value the preset sets.
  if (keys.size() == 2 && keys[1] == "preset" && chip.contains(keys[0]) && chip[keys[0]].is_object() &&
      chip[keys[0]].contains("impl")) {
    chip[keys[0]] = json{{"impl", chip[keys[0]]["impl"]}, {"preset", value}};
    return;
  }
  json* node = &chip;
  std::string walked;
  for (size_t i = 0; i + 1 < keys.size(); ++i) {
    walked = join_path(walked, keys[i]);
    if (!node->contains(keys[i])) {
      bool is_unit = keys[i] == "buffers";
      for (const auto& k : unit_kinds()) is_unit = is_unit || k == keys[i];
      // Settings sections (mapper, residency) and objects inside a unit (update_unit.sqrt) may be
      // created by --set (the unit's reader rejects keys it does not declare); units and buffers
      // need an impl first.
      const bool inside_unit = i >= 1 && !(i == 1 && keys[0] == "buffers");
      if ((i == 0 && !is_unit) || inside_unit) {
        (*node)[keys[i]] = json::object();
      } else {
        throw InputError("", where, "the chip has no \"" + walked + "\"" +
                                        (is_unit && i == 0 ? "; add the unit first with --set " + keys[i] + ".impl=NAME"
                                                           : ""));
      }
    }
    node = &(*node)[keys[i]];
    if (!node->is_object()) throw InputError("", where, "\"" + walked + "\" is not an object");
  }
  (*node)[keys.back()] = value;
}

ChipConfig parse_chip(json j, const std::string& file, const std::string& base_dir,
                      const std::vector<std::string>& sets) {
  std::string tech_base = base_dir;
  for (const auto& s : sets) {
    apply_set(j, s);
    // A technology table given on the command line is relative to the working directory.
    if (s.rfind("tech=", 0) == 0) tech_base = "";
  }
  ChipConfig c;
  c.file = file;
  ParamReader r(j, file, "");
  std::string schema = r.string("schema", "schema version", std::nullopt);
  if (schema != "eoqsim.chip/1") throw InputError(file, "schema", "expected \"eoqsim.chip/1\", found \"" + schema + "\"");
  c.name = r.string("name", "chip name", std::nullopt);
  c.description = r.string("description", "what the chip is and where its defaults come from", "");
  c.tech_ref = r.string("tech", "technology table: a built-in node name or a path relative to the chip file",
                        std::nullopt);
  c.clock_hz = r.frequency_hz("clock", "clock frequency", std::nullopt, 1e6, 1e11);
  {
    ParamReader mr = r.child("mapper", "how the controller tiles GEMMs onto the buffers");
    c.mapper_objective = mr.choice("objective",
                                   "latency: least estimated time, then DRAM traffic; traffic: least DRAM traffic, "
                                   "then array cycles",
                                   {"latency", "traffic"}, "latency");
    mr.finish();
    r.put_resolved("mapper", mr.resolved());
  }
  ParamReader rr = r.child("residency", "where tensors that leave a pass live until they are read again");
  c.residency_policy = rr.choice("policy",
                                 "spill: written to DRAM and read back; keep: held in a buffer region while they fit",
                                 {"spill", "keep"}, "spill");
  c.residency_buffer = rr.string("buffer", "the buffer holding resident tensors (keep)", "");
  c.residency_capacity = rr.size_bytes("capacity", "bytes of that buffer reserved for resident tensors (keep)", "0");
  rr.finish();
  r.put_resolved("residency", rr.resolved());
  ordered_json resolved = r.resolved();

  auto read_unit = [&](const std::string& kind, const std::string& path, const std::string& name,
                       const json& obj) -> UnitConfig {
    if (!obj.is_object()) throw InputError(file, path, "expected a unit object with \"impl\", found " + json_type_name(obj));
    if (!obj.contains("impl") || !obj["impl"].is_string())
      throw InputError(file, join_path(path, "impl"), "missing required \"impl\" (the " + kind + " implementation)");
    const ImplSpec& spec = find_impl(kind, obj["impl"].get<std::string>(), file, join_path(path, "impl"));
    ParamReader ur(obj, file, path);
    spec.read(ur);
    UnitConfig u;
    u.kind = kind;
    u.impl = spec.name;
    u.path = path;
    u.name = name;
    u.params = ordered_json::object();
    u.params["impl"] = spec.name;
    for (const auto& [k, v] : ur.resolved().items())
      if (k != "impl") u.params[k] = v;
    return u;
  };

  for (const auto& kind : unit_kinds()) {
    if (kind == "buffer") continue;
    r.allow(kind);
  }
  r.allow("buffers");
  r.finish();

  if (!j.contains("pe_array")) throw InputError(file, "pe_array", "missing required unit (every chip has a PE array)");
  if (!j.contains("dram")) throw InputError(file, "dram", "missing required unit (every chip has a DRAM)");
  c.pe_array = read_unit("pe_array", "pe_array", "pe_array", j["pe_array"]);
  resolved["pe_array"] = c.pe_array.params;
  if (!j.contains("buffers") || !j["buffers"].is_object() || j["buffers"].empty())
    throw InputError(file, "buffers", "expected an object with at least one named buffer, e.g. {\"glb\": {...}}");
  if (j["buffers"].size() > kMaxBuffers)
    throw InputError(file, "buffers", "at most " + std::to_string(kMaxBuffers) + " buffers, found " +
                                          std::to_string(j["buffers"].size()));
  resolved["buffers"] = ordered_json::object();
  for (auto it = j["buffers"].begin(); it != j["buffers"].end(); ++it) {
    UnitConfig b = read_unit("buffer", join_path("buffers", it.key()), it.key(), it.value());
    resolved["buffers"][it.key()] = b.params;
    c.buffers.push_back(std::move(b));
  }
  c.dram = read_unit("dram", "dram", "dram", j["dram"]);
  resolved["dram"] = c.dram.params;
  for (const char* kind : {"quant_unit", "norm_unit", "vector_unit", "update_unit", "interconnect"}) {
    if (!j.contains(kind)) continue;
    UnitConfig u = read_unit(kind, kind, kind, j[kind]);
    resolved[kind] = u.params;
    std::optional<UnitConfig>& slot = std::string(kind) == "quant_unit"    ? c.quant_unit
                                      : std::string(kind) == "norm_unit"   ? c.norm_unit
                                      : std::string(kind) == "vector_unit" ? c.vector_unit
                                      : std::string(kind) == "update_unit" ? c.update_unit
                                                                           : c.interconnect;
    slot = std::move(u);
  }
  if (c.residency_policy == "keep") {
    const UnitConfig* holder = nullptr;
    for (const auto& b : c.buffers)
      if (b.name == c.residency_buffer) holder = &b;
    if (!holder)
      throw InputError(file, "residency.buffer", "residency keep needs the name of one of the chip's buffers, found \"" +
                                                     c.residency_buffer + "\"");
    const uint64_t cap = units::parse_size_bytes(holder->params["capacity"].is_string()
                                                     ? holder->params["capacity"].get<std::string>()
                                                     : holder->params["capacity"].dump());
    if (c.residency_capacity == 0 || c.residency_capacity >= cap)
      throw InputError(file, "residency.capacity", "expected more than 0 and less than the buffer's " +
                                                       units::format_size(cap) + ", leaving room for tiles");
  }
  // Every operand role must have a home.
  for (const char* role : {"ifmap", "filter", "ofmap"}) {
    bool held = false;
    for (const auto& b : c.buffers)
      for (const auto& h : b.params["holds"]) held = held || h.get<std::string>() == role;
    if (!held) throw InputError(file, "buffers", std::string("no buffer holds the \"") + role + "\" role");
  }
  try {
    c.tech = load_tech(c.tech_ref, tech_base);
  } catch (const InputError& e) {
    throw InputError(file, "tech", e.what());
  }
  // Square-root and divider units take the technology table's latency and interval for the
  // unit's first precision unless the chip gives them.
  for (auto* unit : {&c.norm_unit, &c.update_unit}) {
    if (!unit->has_value()) continue;
    UnitConfig& u = **unit;
    const ordered_json& precs = u.params["precisions"];
    const std::string prec = precs.is_array() && !precs.empty() ? precs[0].get<std::string>() : "fp32";
    for (const char* fu : {"sqrt", "div"}) {
      if (!u.params.contains(fu)) continue;
      ordered_json& f = u.params[fu];
      if (f.value("count", int64_t(1)) == 0) continue;  // the unit has none
      if (f.value("latency", int64_t(0)) != 0 && f.value("interval", int64_t(0)) != 0) continue;
      const std::string key = std::string(fu) + "." + prec;
      auto it = c.tech.ops.find(key);
      if (it == c.tech.ops.end() || it->second.latency_cycles == 0 || it->second.interval_cycles == 0)
        throw InputError(file, u.path + "." + fu,
                         "latency and interval not given, and the technology table " + c.tech.file + " has no " +
                             "latency_cycles/interval_cycles for \"" + key + "\"; give them here");
      if (f.value("latency", int64_t(0)) == 0) f["latency"] = it->second.latency_cycles;
      if (f.value("interval", int64_t(0)) == 0) f["interval"] = it->second.interval_cycles;
      if (f["interval"].get<int64_t>() > f["latency"].get<int64_t>())
        throw InputError(file, u.path + "." + fu, "interval must not exceed latency");
    }
    resolved[u.path] = u.params;
  }
  resolved["tech_node"] = c.tech.node;
  resolved["tech_file"] = c.tech.file;
  c.resolved = resolved;
  return c;
}

ChipConfig load_chip(const std::string& name_or_path, const std::vector<std::string>& sets) {
  std::string text, where;
  if (!resolve_data_file(name_or_path, "configs/chips", "", &text, &where)) {
    std::string known;
    for (const auto& n : builtin_chip_names()) known += (known.empty() ? "" : ", ") + n;
    throw InputError(where, "", is_path_like(name_or_path)
                                    ? "chip config file not found"
                                    : "unknown built-in chip \"" + name_or_path + "\"; built-ins: " + known);
  }
  const std::string base = fs::path(where).parent_path().string();
  return parse_chip(parse_json_text(text, where), where, base, sets);
}

}  // namespace eoqsim
