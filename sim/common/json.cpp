#include "sim/common/json.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "sim/common/error.h"
#include "sim/common/units.h"

namespace eoqsim {

namespace {
// Bounds what a config can make us allocate or recurse into before validation says more.
constexpr size_t kMaxInputBytes = 64u << 20;
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "", "cannot open file for reading");
  std::ostringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  if (text.size() > kMaxInputBytes)
    throw InputError(path, "", "file is " + std::to_string(text.size()) + " bytes; inputs are limited to " +
                                   units::format_size(kMaxInputBytes));
  return text;
}

namespace {

// Deeper nesting than any eoqsim file needs is refused before parsing, so a hostile file cannot
// exhaust the stack of the recursive code that walks or prints JSON.
constexpr int kMaxJsonDepth = 128;

void check_depth(const std::string& text, const std::string& file) {
  int depth = 0;
  bool in_string = false, escaped = false;
  size_t line = 1;
  for (char c : text) {
    if (c == '\n') ++line;
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth)
        throw InputError(file, "line " + std::to_string(line),
                         "JSON nested more than " + std::to_string(kMaxJsonDepth) + " levels deep");
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
}

template <typename J>
J parse_text(const std::string& text, const std::string& file) {
  check_depth(text, file);
  try {
    return J::parse(text);
  } catch (const typename J::parse_error& e) {
    // Convert nlohmann's byte offset into line:column, which is what an editor shows.
    size_t offset = std::min<size_t>(e.byte == 0 ? 0 : e.byte - 1, text.size());
    size_t line = 1, col = 1;
    for (size_t i = 0; i < offset; ++i) {
      if (text[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    std::string what = e.what();
    auto pos = what.find("syntax error");
    throw InputError(file, "", "malformed JSON at line " + std::to_string(line) + ", column " + std::to_string(col) +
                                   ": " + (pos == std::string::npos ? what : what.substr(pos)));
  } catch (const typename J::exception& e) {
    // E.g. a number beyond double range ("1e999999").
    std::string what = e.what();
    auto pos = what.find(']');
    throw InputError(file, "", "malformed JSON: " + (pos == std::string::npos ? what : what.substr(pos + 2)));
  }
}

}  // namespace

json parse_json_text(const std::string& text, const std::string& file) { return parse_text<json>(text, file); }

ordered_json parse_ordered_json_text(const std::string& text, const std::string& file) {
  return parse_text<ordered_json>(text, file);
}

json load_json_file(const std::string& path) { return parse_json_text(read_text_file(path), path); }

std::string join_path(const std::string& parent, const std::string& child) {
  return parent.empty() ? child : parent + "." + child;
}
std::string index_path(const std::string& parent, size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

std::string json_type_name(const json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "boolean " + v.dump();
  if (v.is_number_integer() || v.is_number_unsigned()) return "integer " + v.dump();
  if (v.is_number()) return "number " + v.dump();
  if (v.is_string()) return "string " + v.dump();
  if (v.is_array()) return "array";
  return "object";
}

ParamReader::ParamReader(const json& object, std::string file, std::string path)
    : file_(std::move(file)), path_(std::move(path)) {
  if (!object.is_object())
    throw InputError(file_, path_.empty() ? "(top level)" : path_,
                     "expected an object, found " + json_type_name(object));
  object_ = object;
}

ParamReader ParamReader::describe() {
  ParamReader r;
  r.describing_ = true;
  return r;
}

bool ParamReader::has(const std::string& name) const { return !describing_ && object_.contains(name); }

const json* ParamReader::lookup(const std::string& name) {
  seen_.push_back(name);
  if (describing_) return nullptr;
  auto it = object_.find(name);
  return it == object_.end() ? nullptr : &*it;
}

void ParamReader::declare(ParamInfo info) { declared_.push_back(std::move(info)); }

void ParamReader::fail(const std::string& name, const std::string& message) const {
  throw InputError(file_, where(name), message);
}

void ParamReader::allow(const std::string& name) {
  seen_.push_back(name);
  if (!describing_ && object_.contains(name)) resolved_[name] = object_[name];
}

int64_t ParamReader::integer(const std::string& name, const std::string& desc, std::optional<int64_t> def,
                             int64_t min, int64_t max) {
  std::string range = (min == INT64_MIN ? "" : ">= " + std::to_string(min)) +
                      (max == INT64_MAX ? "" : std::string(min == INT64_MIN ? "" : ", ") + "<= " + std::to_string(max));
  declare({name, "integer", desc, !def, def ? json(*def) : json(), range});
  const json* v = lookup(name);
  int64_t out;
  if (!v) {
    if (!def) {
      if (describing_) return min == INT64_MIN ? 0 : min;
      fail(name, "missing required parameter (integer" + (range.empty() ? "" : " " + range) + ": " + desc + ")");
    }
    out = *def;
  } else {
    if (v->is_number_unsigned()) {
      if (v->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) fail(name, "integer " + v->dump() + " is too large");
      out = static_cast<int64_t>(v->get<uint64_t>());
    } else if (v->is_number_integer()) {
      out = v->get<int64_t>();
    } else if (v->is_number_float() && std::isfinite(v->get<double>()) && v->get<double>() == std::floor(v->get<double>()) &&
               std::fabs(v->get<double>()) < 9e18) {
      out = static_cast<int64_t>(v->get<double>());
    } else {
      fail(name, "expected an integer" + (range.empty() ? "" : " " + range) + ", found " + json_type_name(*v));
    }
  }
  if (out < min || out > max) fail(name, "expected an integer " + range + ", found " + std::to_string(out));
  resolved_[name] = out;
  return out;
}

double ParamReader::number(const std::string& name, const std::string& desc, std::optional<double> def, double min,
                           double max) {
  std::ostringstream rs;
  if (min > -1e300) rs << ">= " << min;
  if (max < 1e300) rs << (min > -1e300 ? ", " : "") << "<= " << max;
  declare({name, "number", desc, !def, def ? json(*def) : json(), rs.str()});
  const json* v = lookup(name);
  double out;
  if (!v) {
    if (!def) {
      if (describing_) return std::max(0.0, min);
      fail(name, "missing required parameter (number: " + desc + ")");
    }
    out = *def;
  } else {
    if (!v->is_number()) fail(name, "expected a number, found " + json_type_name(*v));
    out = v->get<double>();
  }
  if (!std::isfinite(out) || out < min || out > max) {
    std::ostringstream s;
    s << "expected a number " << rs.str() << ", found " << out;
    fail(name, s.str());
  }
  resolved_[name] = out;
  return out;
}

bool ParamReader::boolean(const std::string& name, const std::string& desc, std::optional<bool> def) {
  declare({name, "boolean", desc, !def, def ? json(*def) : json(), ""});
  const json* v = lookup(name);
  bool out;
  if (!v) {
    if (!def) {
      if (describing_) return false;
      fail(name, "missing required parameter (boolean: " + desc + ")");
    }
    out = *def;
  } else {
    if (!v->is_boolean()) fail(name, "expected true or false, found " + json_type_name(*v));
    out = v->get<bool>();
  }
  resolved_[name] = out;
  return out;
}

std::string ParamReader::string(const std::string& name, const std::string& desc, std::optional<std::string> def) {
  declare({name, "string", desc, !def, def ? json(*def) : json(), ""});
  const json* v = lookup(name);
  std::string out;
  if (!v) {
    if (!def) {
      if (describing_) return "";
      fail(name, "missing required parameter (string: " + desc + ")");
    }
    out = *def;
  } else {
    if (!v->is_string()) fail(name, "expected a string, found " + json_type_name(*v));
    out = v->get<std::string>();
  }
  resolved_[name] = out;
  return out;
}

static std::string join_options(const std::vector<std::string>& options) {
  std::string s;
  for (const auto& o : options) s += (s.empty() ? "" : ", ") + o;
  return s;
}

std::string ParamReader::choice(const std::string& name, const std::string& desc,
                                const std::vector<std::string>& options, std::optional<std::string> def) {
  declare({name, "choice", desc, !def, def ? json(*def) : json(), "one of " + join_options(options)});
  const json* v = lookup(name);
  std::string out;
  if (!v) {
    if (!def) {
      if (describing_) return options.front();
      fail(name, "missing required parameter (one of " + join_options(options) + ")");
    }
    out = *def;
  } else {
    if (!v->is_string()) fail(name, "expected one of " + join_options(options) + ", found " + json_type_name(*v));
    out = v->get<std::string>();
    if (std::find(options.begin(), options.end(), out) == options.end())
      fail(name, "expected one of " + join_options(options) + ", found \"" + out + "\"");
  }
  resolved_[name] = out;
  return out;
}

std::vector<std::string> ParamReader::choice_list(const std::string& name, const std::string& desc,
                                                  const std::vector<std::string>& options,
                                                  std::optional<std::vector<std::string>> def) {
  declare({name, "list", desc, !def, def ? json(*def) : json(), "each one of " + join_options(options)});
  const json* v = lookup(name);
  std::vector<std::string> out;
  if (!v) {
    if (!def) {
      if (describing_) return {};
      fail(name, "missing required parameter (a list of " + join_options(options) + ")");
    }
    out = *def;
  } else {
    if (!v->is_array()) fail(name, "expected a list of strings (each one of " + join_options(options) + "), found " +
                                      json_type_name(*v));
    for (size_t i = 0; i < v->size(); ++i) {
      const json& e = (*v)[i];
      if (!e.is_string() || std::find(options.begin(), options.end(), e.get<std::string>()) == options.end())
        throw InputError(file_, index_path(where(name), i),
                         "expected one of " + join_options(options) + ", found " + json_type_name(e));
      if (std::find(out.begin(), out.end(), e.get<std::string>()) != out.end())
        throw InputError(file_, index_path(where(name), i), "duplicate entry \"" + e.get<std::string>() + "\"");
      out.push_back(e.get<std::string>());
    }
  }
  resolved_[name] = out;
  return out;
}

template <typename T>
T ParamReader::quantity(const std::string& name, const std::string& type, const std::string& desc,
                        std::optional<std::string> def, const std::function<T(const std::string&)>& parse, T min,
                        T max) {
  declare({name, type, desc, !def, def ? json(*def) : json(), ""});
  const json* v = lookup(name);
  T out;
  json as_written;
  if (!v) {
    if (!def) {
      if (describing_) return min;
      fail(name, "missing required parameter (" + type + ": " + desc + ")");
    }
    out = parse(*def);
    as_written = *def;
  } else {
    try {
      if (v->is_string()) {
        out = parse(v->get<std::string>());
      } else if (v->is_number()) {
        if (v->get<double>() < 0) throw std::invalid_argument("expected a non-negative " + type + ", found " + v->dump());
        out = parse(v->dump());
      } else {
        throw std::invalid_argument("expected a " + type + " such as " + (def ? "\"" + *def + "\"" : "a number") +
                                    ", found " + json_type_name(*v));
      }
    } catch (const std::invalid_argument& e) {
      fail(name, e.what());
    }
    as_written = *v;
  }
  if (out < min || out > max) {
    std::ostringstream s;
    s << "expected a " << type << " between " << min << " and " << max << " (base units), found " << as_written.dump();
    fail(name, s.str());
  }
  resolved_[name] = as_written;
  return out;
}

uint64_t ParamReader::size_bytes(const std::string& name, const std::string& desc, std::optional<std::string> def,
                                 uint64_t min, uint64_t max) {
  return quantity<uint64_t>(name, "size", desc, std::move(def), units::parse_size_bytes, min, max);
}
double ParamReader::frequency_hz(const std::string& name, const std::string& desc, std::optional<std::string> def,
                                 double min, double max) {
  return quantity<double>(name, "frequency", desc, std::move(def), units::parse_frequency_hz, min, max);
}
double ParamReader::bandwidth_bytes_per_s(const std::string& name, const std::string& desc,
                                          std::optional<std::string> def, double min, double max) {
  return quantity<double>(name, "bandwidth", desc, std::move(def), units::parse_bandwidth_bytes_per_s, min, max);
}
double ParamReader::time_s(const std::string& name, const std::string& desc, std::optional<std::string> def,
                           double min, double max) {
  return quantity<double>(name, "time", desc, std::move(def), units::parse_time_s, min, max);
}

ParamReader ParamReader::child(const std::string& name, const std::string& desc) {
  declare({name, "object", desc, false, json::object(), ""});
  const json* v = lookup(name);
  if (describing_) return describe();
  static const json kEmpty = json::object();
  return ParamReader(v ? *v : kEmpty, file_, where(name));
}

void ParamReader::finish() {
  if (describing_) return;
  for (auto it = object_.begin(); it != object_.end(); ++it) {
    if (std::find(seen_.begin(), seen_.end(), it.key()) == seen_.end()) {
      std::string known;
      for (const auto& s : seen_) known += (known.empty() ? "" : ", ") + s;
      fail(it.key(), "unknown key \"" + it.key() + "\"; known keys here: " + known);
    }
  }
}

}  // namespace eoqsim
