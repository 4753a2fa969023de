#include "sim/common/data.h"

#include <algorithm>

namespace eoqsim::data {

std::optional<std::string> find(const std::string& path) {
  for (const auto& e : entries())
    if (path == e.path) return std::string(e.content);
  return std::nullopt;
}

std::vector<std::string> names_in(const std::string& dir) {
  std::vector<std::string> out;
  const std::string prefix = dir + "/";
  for (const auto& e : entries()) {
    std::string p = e.path;
    if (p.rfind(prefix, 0) != 0) continue;
    std::string rest = p.substr(prefix.size());
    if (rest.find('/') != std::string::npos || rest.size() < 6 || rest.substr(rest.size() - 5) != ".json") continue;
    out.push_back(rest.substr(0, rest.size() - 5));
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace eoqsim::data
