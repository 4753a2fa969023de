// Chip configs: a tree that mirrors the unit tree (schema "eoqsim.chip/1"). Each unit object
// has "impl" and that implementation's declared parameters; unknown keys, missing required
// parameters and wrong types are errors naming the file and JSON path.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "models/energy/tech.h"
#include "sim/common/json.h"

namespace eoqsim {

struct UnitConfig {
  std::string kind;    // "pe_array", "buffer", ...
  std::string impl;
  std::string path;    // JSON path, e.g. "buffers.glb"
  std::string name;    // the buffer's name for buffers, else the kind
  ordered_json params; // resolved: every default filled in, "impl" included
};

struct ChipConfig {
  std::string file;          // where the config came from
  std::string name, description;
  double clock_hz = 1e9;
  std::string tech_ref;      // as written (or as --set)
  std::string mapper_objective = "latency";  // or "traffic"
  // Tensors that leave a pass: "spill" writes them to DRAM; "keep" holds them in a region of
  // `residency_capacity` bytes of buffer `residency_buffer` while they fit.
  std::string residency_policy = "spill";
  std::string residency_buffer;
  uint64_t residency_capacity = 0;
  TechTable tech;
  UnitConfig pe_array, dram;
  std::vector<UnitConfig> buffers;
  std::optional<UnitConfig> quant_unit, norm_unit, vector_unit, update_unit, interconnect;
  ordered_json resolved;     // the whole chip with defaults, for config.resolved.json

  const UnitConfig* unit(const std::string& kind) const;
};

// NAME is a built-in chip (configs/chips/NAME.json); anything path-like is a file. `sets` are
// --set overrides "path=value", applied in order before validation.
ChipConfig load_chip(const std::string& name_or_path, const std::vector<std::string>& sets = {});
ChipConfig parse_chip(json j, const std::string& file, const std::string& base_dir,
                      const std::vector<std::string>& sets);
std::vector<std::string> builtin_chip_names();

// Applies one "--set path=value" to a raw chip tree. The value is JSON when it parses as JSON,
// else a string. "unit.impl=NAME" replaces the unit with NAME's defaults. Throws InputError.
void apply_set(json& chip, const std::string& assignment);

}  // namespace eoqsim
