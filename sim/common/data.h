// Built-in data files (configs/**.json) embedded at build time, looked up by their path
// relative to the project root, e.g. "configs/schemes/eoq.json".
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace eoqsim::data {

struct Entry {
  const char* path;
  const char* content;
};

const std::vector<Entry>& entries();  // generated
std::optional<std::string> find(const std::string& path);
// Names of the entries directly under `dir` with extension .json, without the extension.
std::vector<std::string> names_in(const std::string& dir);

}  // namespace eoqsim::data
