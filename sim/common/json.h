// JSON loading and the declared-parameter reader shared by every config kind.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace eoqsim {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

// Parses JSON text; a syntax error becomes an InputError naming `file`, line and column.
json parse_json_text(const std::string& text, const std::string& file);
// The same keeping object keys in file order (sweep axes are ordered).
ordered_json parse_ordered_json_text(const std::string& text, const std::string& file);
// Reads and parses a file; a missing file or bad JSON becomes an InputError.
json load_json_file(const std::string& path);
std::string read_text_file(const std::string& path);

// Joins a dotted JSON path: join_path("buffers", "glb") == "buffers.glb".
std::string join_path(const std::string& parent, const std::string& child);
std::string index_path(const std::string& parent, size_t index);  // "layers[3]"
std::string json_type_name(const json& v);

// One declared parameter, as `eoqsim list` prints it.
struct ParamInfo {
  std::string name;
  std::string type;         // "integer", "size", "frequency", "choice", ...
  std::string description;
  bool required = false;
  json default_value;       // null when required
  std::string constraint;   // e.g. ">= 1", "one of ws"
};

// Reads the parameters of one config object. Every accessor both declares a parameter (name,
// type, default, description) and reads it, so a unit's parameter list is written exactly once.
// In describe mode it reads nothing and returns defaults, which lets `eoqsim list` and
// `--set unit.impl=NAME` know an implementation's parameters without a config.
// finish() rejects keys that no accessor declared.
class ParamReader {
 public:
  ParamReader(const json& object, std::string file, std::string path);
  static ParamReader describe();

  int64_t integer(const std::string& name, const std::string& desc, std::optional<int64_t> def,
                  int64_t min = INT64_MIN, int64_t max = INT64_MAX);
  double number(const std::string& name, const std::string& desc, std::optional<double> def,
                double min = -1e300, double max = 1e300);
  bool boolean(const std::string& name, const std::string& desc, std::optional<bool> def);
  std::string string(const std::string& name, const std::string& desc, std::optional<std::string> def);
  std::string choice(const std::string& name, const std::string& desc, const std::vector<std::string>& options,
                     std::optional<std::string> def);
  std::vector<std::string> choice_list(const std::string& name, const std::string& desc,
                                       const std::vector<std::string>& options,
                                       std::optional<std::vector<std::string>> def);
  // Quantities accept a string with a unit or a bare non-negative number in the base unit.
  uint64_t size_bytes(const std::string& name, const std::string& desc, std::optional<std::string> def,
                      uint64_t min = 0, uint64_t max = UINT64_MAX);
  double frequency_hz(const std::string& name, const std::string& desc, std::optional<std::string> def,
                      double min = 0, double max = 1e300);
  double bandwidth_bytes_per_s(const std::string& name, const std::string& desc,
                               std::optional<std::string> def, double min = 0, double max = 1e300);
  double time_s(const std::string& name, const std::string& desc, std::optional<std::string> def,
                double min = 0, double max = 1e300);
  // A nested object of parameters; its reader must be finished by the caller.
  ParamReader child(const std::string& name, const std::string& desc);
  // Keys this reader must accept without interpreting them (e.g. "impl", read by the factory).
  void allow(const std::string& name);
  // Stores a finished child's resolved object (or any resolved value) under `name`.
  void put_resolved(const std::string& name, ordered_json value) { resolved_[name] = std::move(value); }

  void finish();

  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }
  std::string where(const std::string& name) const { return join_path(path_, name); }
  bool describing() const { return describing_; }
  bool has(const std::string& name) const;
  const std::vector<ParamInfo>& declared() const { return declared_; }
  // The object with every default filled in, in declaration order.
  const ordered_json& resolved() const { return resolved_; }

 private:
  ParamReader() = default;
  const json* lookup(const std::string& name);
  void declare(ParamInfo info);
  [[noreturn]] void fail(const std::string& name, const std::string& message) const;
  template <typename T>
  T quantity(const std::string& name, const std::string& type, const std::string& desc,
             std::optional<std::string> def, const std::function<T(const std::string&)>& parse, T min, T max);

  json object_ = json::object();
  std::string file_, path_;
  bool describing_ = false;
  std::vector<std::string> seen_;
  std::vector<ParamInfo> declared_;
  ordered_json resolved_ = ordered_json::object();
};

}  // namespace eoqsim
