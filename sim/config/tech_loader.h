#pragma once
#include <string>

#include "models/energy/tech.h"
#include "sim/common/json.h"

namespace eoqsim {

TechTable parse_tech(const json& j, const std::string& file);
// A built-in name ("45nm") or a path; `base_dir` resolves relative paths ("" = working dir).
// Paths under configs/ that are not on disk resolve to the embedded copy.
TechTable load_tech(const std::string& ref, const std::string& base_dir);

}  // namespace eoqsim
