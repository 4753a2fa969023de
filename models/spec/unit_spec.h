// The registry of hardware unit implementations and their declared parameters. Each unit kind
// ("pe_array", "buffer", "dram", ...) has named implementations ("systolic", "sram", ...); a
// chip config picks one with "impl" and sets its parameters. This part has no SystemC: the
// config loader, `eoqsim list` and the fuzzers use it; models/*/factory.cpp builds the modules.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "sim/common/json.h"

namespace eoqsim {

struct ImplSpec {
  std::string kind;         // unit kind, the chip config key ("pe_array", "buffer", ...)
  std::string name;         // implementation name, the value of "impl"
  std::string description;
  std::function<void(ParamReader&)> read;  // declares and reads the parameters
};

// Unit kinds a chip may have; `buffer` entries live under "buffers".
const std::vector<std::string>& unit_kinds();
const std::vector<ImplSpec>& impl_specs();
// Throws InputError naming file/path if `kind` has no implementation `name`.
const ImplSpec& find_impl(const std::string& kind, const std::string& name, const std::string& file,
                          const std::string& path);
// The parameters of an implementation with every default filled in (for --set unit.impl=NAME).
ordered_json impl_defaults(const ImplSpec& spec);
std::vector<ParamInfo> impl_params(const ImplSpec& spec);

}  // namespace eoqsim
