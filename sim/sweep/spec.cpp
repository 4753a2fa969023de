#include "sim/sweep/spec.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <stdexcept>

#include "sim/common/error.h"
#include "sim/common/units.h"
#include "sim/sweep/expr.h"

namespace eoqsim {

namespace {

constexpr int64_t kMaxPoints = 10'000'000;

bool is_workload_key(const std::string& k) {
  const auto& keys = sweep_workload_keys();
  return std::find(keys.begin(), keys.end(), k) != keys.end();
}

std::string type_of(const ordered_json& v) {
  if (v.is_object()) return "an object";
  if (v.is_array()) return "a list";
  if (v.is_string()) return "a string";
  if (v.is_boolean()) return "a boolean";
  if (v.is_number()) return "a number";
  return "null";
}

// A value an axis may take: a number, a string or a boolean.
void check_scalar(const ordered_json& v, const std::string& file, const std::string& where) {
  if (!(v.is_number() || v.is_string() || v.is_boolean()))
    throw InputError(file, where, "expected a number, string or boolean, found " + type_of(v));
}

void check_name(const std::string& name, const std::string& file, const std::string& where) {
  if (name.empty()) throw InputError(file, where, "an axis needs a name (a chip path such as pe_array.rows)");
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_'))
      throw InputError(file, where, "axis name \"" + name + "\" may hold only letters, digits, '.' and '_'");
}

std::vector<SweepAxis> read_axes(const ordered_json& obj, const std::string& file, const std::string& path) {
  if (!obj.is_object())
    throw InputError(file, path, "expected an object mapping axis names to lists of values, found " + type_of(obj));
  std::vector<SweepAxis> axes;
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    const std::string where = join_path(path, it.key());
    check_name(it.key(), file, where);
    if (!it.value().is_array() || it.value().empty())
      throw InputError(file, where, "expected a non-empty list of values, found " + type_of(it.value()));
    SweepAxis a;
    a.name = it.key();
    for (size_t i = 0; i < it.value().size(); ++i) {
      check_scalar(it.value()[i], file, index_path(where, i));
      a.values.push_back(it.value()[i]);
    }
    axes.push_back(std::move(a));
  }
  return axes;
}

// splitmix64 (Steele, Lea and Flood 2014): the documented generator of random sweeps, so a seed
// gives the same points on every platform.
struct SplitMix64 {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
};

ordered_json draw(const RandomAxis& a, SplitMix64& g) {
  if (a.kind == "choice") return a.arg[static_cast<size_t>(g.next() % a.arg.size())];
  const double lo = a.arg[0].get<double>(), hi = a.arg[1].get<double>();
  if (a.kind == "uniform") return lo + (hi - lo) * g.unit();
  if (a.kind == "log_uniform") return std::exp(std::log(lo) + (std::log(hi) - std::log(lo)) * g.unit());
  const int64_t l = a.arg[0].get<int64_t>(), h = a.arg[1].get<int64_t>();  // int, inclusive
  return l + static_cast<int64_t>(g.next() % static_cast<uint64_t>(h - l + 1));
}

}  // namespace

bool sweep_is_metric(const std::string& name) { return name == "area_mm2"; }

double sweep_number(const ordered_json& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_boolean()) return v.get<bool>() ? 1 : 0;
  if (!v.is_string()) throw std::invalid_argument("not a number");
  const std::string s = v.get<std::string>();
  size_t used = 0;
  try {
    const double d = std::stod(s, &used);
    if (used == s.size()) return d;
  } catch (const std::exception&) {
  }
  try {
    return static_cast<double>(units::parse_size_bytes(s));
  } catch (const std::invalid_argument&) {
  }
  try {
    return units::parse_frequency_hz(s);
  } catch (const std::invalid_argument&) {
  }
  try {
    return units::parse_bandwidth_bytes_per_s(s);
  } catch (const std::invalid_argument&) {
  }
  try {
    return units::parse_time_s(s);
  } catch (const std::invalid_argument&) {
  }
  throw std::invalid_argument("\"" + s + "\" is not a number or a quantity with a unit");
}

SweepSpec parse_sweep(const ordered_json& j, const std::string& file) {
  if (!j.is_object()) throw InputError(file, "", "expected a sweep object, found " + type_of(j));
  static const std::set<std::string> known = {"schema", "name", "description", "base", "grid", "zip",
                                              "random", "derived", "constraints"};
  for (auto it = j.begin(); it != j.end(); ++it)
    if (!known.count(it.key()))
      throw InputError(file, it.key(), "unknown key (expected schema, name, description, base, grid, zip, random, "
                                       "derived, constraints)");
  SweepSpec s;
  s.file = file;
  s.resolved = j;
  if (!j.contains("schema") || j["schema"] != "eoqsim.sweep/1")
    throw InputError(file, "schema", "expected \"eoqsim.sweep/1\"");
  if (!j.contains("name") || !j["name"].is_string() || j["name"].get<std::string>().empty())
    throw InputError(file, "name", "expected a non-empty string");
  s.name = j["name"].get<std::string>();
  if (j.contains("description")) {
    if (!j["description"].is_string()) throw InputError(file, "description", "expected a string");
    s.description = j["description"].get<std::string>();
  }
  // Base workload: every key but "set" is a workload key.
  if (!j.contains("base") || !j["base"].is_object())
    throw InputError(file, "base", "expected an object with chip, scheme, network and batch");
  for (auto it = j["base"].begin(); it != j["base"].end(); ++it) {
    const std::string where = join_path("base", it.key());
    if (it.key() == "set") {
      if (!it.value().is_array()) throw InputError(file, where, "expected a list of \"path=value\" strings");
      for (size_t i = 0; i < it.value().size(); ++i) {
        const auto& v = it.value()[i];
        if (!v.is_string() || v.get<std::string>().find('=') == std::string::npos)
          throw InputError(file, index_path(where, i), "expected \"path=value\"");
        s.base_sets.push_back(v.get<std::string>());
      }
      continue;
    }
    if (!is_workload_key(it.key()))
      throw InputError(file, where, "unknown base key (expected chip, scheme, network, batch, mode, set)");
    check_scalar(it.value(), file, where);
    s.base[it.key()] = it.value();
  }
  if (!s.base.contains("mode")) s.base["mode"] = "train";
  if (!s.base.contains("batch")) s.base["batch"] = 1;

  if (j.contains("grid")) s.grid = read_axes(j["grid"], file, "grid");
  if (j.contains("zip")) {
    s.zip = read_axes(j["zip"], file, "zip");
    for (const auto& a : s.zip)
      if (a.values.size() != s.zip.front().values.size())
        throw InputError(file, join_path("zip", a.name),
                         "zipped lists must have equal lengths: " + std::to_string(a.values.size()) + " vs " +
                             std::to_string(s.zip.front().values.size()) + " (\"" + s.zip.front().name + "\")");
  }
  if (j.contains("random")) {
    const ordered_json& r = j["random"];
    if (!r.is_object()) throw InputError(file, "random", "expected {samples, seed, axes}");
    for (auto it = r.begin(); it != r.end(); ++it)
      if (it.key() != "samples" && it.key() != "seed" && it.key() != "axes")
        throw InputError(file, join_path("random", it.key()), "unknown key (expected samples, seed, axes)");
    if (!r.contains("samples") || !r["samples"].is_number_integer() || r["samples"].get<int64_t>() < 1 ||
        r["samples"].get<int64_t>() > kMaxPoints)
      throw InputError(file, "random.samples", "expected an integer between 1 and " + std::to_string(kMaxPoints));
    if (!r.contains("seed") || !r["seed"].is_number_integer() || r["seed"].get<int64_t>() < 0)
      throw InputError(file, "random.seed", "expected a non-negative integer (random sweeps are seeded)");
    s.samples = r["samples"].get<int64_t>();
    s.seed = r["seed"].get<uint64_t>();
    if (!r.contains("axes") || !r["axes"].is_object() || r["axes"].empty())
      throw InputError(file, "random.axes", "expected an object of axes, each {choice: [...]}, {uniform: [lo, hi]}, "
                                            "{log_uniform: [lo, hi]} or {int: [lo, hi]}");
    for (auto it = r["axes"].begin(); it != r["axes"].end(); ++it) {
      const std::string where = join_path("random.axes", it.key());
      check_name(it.key(), file, where);
      const ordered_json& d = it.value();
      if (!d.is_object() || d.size() != 1)
        throw InputError(file, where, "expected one of {choice: [...]}, {uniform: [lo, hi]}, {log_uniform: [lo, hi]}, "
                                      "{int: [lo, hi]}");
      RandomAxis a;
      a.name = it.key();
      a.kind = d.begin().key();
      a.arg = d.begin().value();
      const std::string w = join_path(where, a.kind);
      if (a.kind == "choice") {
        if (!a.arg.is_array() || a.arg.empty()) throw InputError(file, w, "expected a non-empty list");
        for (size_t i = 0; i < a.arg.size(); ++i) check_scalar(a.arg[i], file, index_path(w, i));
      } else if (a.kind == "uniform" || a.kind == "log_uniform" || a.kind == "int") {
        const bool ints = a.kind == "int";
        if (!a.arg.is_array() || a.arg.size() != 2 || !(ints ? a.arg[0].is_number_integer() : a.arg[0].is_number()) ||
            !(ints ? a.arg[1].is_number_integer() : a.arg[1].is_number()))
          throw InputError(file, w, std::string("expected [low, high] as ") + (ints ? "integers" : "numbers"));
        if (a.arg[0].get<double>() > a.arg[1].get<double>()) throw InputError(file, w, "low must not exceed high");
        if (a.kind == "log_uniform" && a.arg[0].get<double>() <= 0)
          throw InputError(file, w, "log_uniform needs positive bounds");
      } else {
        throw InputError(file, where, "unknown distribution \"" + a.kind + "\" (choice, uniform, log_uniform, int)");
      }
      s.random.push_back(std::move(a));
    }
  }
  // Columns: workload keys, then axes in declaration order, then derived parameters.
  std::vector<std::string> names;
  auto add_name = [&](const std::string& n, const std::string& where) {
    if (std::find(names.begin(), names.end(), n) != names.end())
      throw InputError(file, where, "\"" + n + "\" is swept twice");
    names.push_back(n);
  };
  for (const auto& a : s.grid) add_name(a.name, join_path("grid", a.name));
  for (const auto& a : s.zip) add_name(a.name, join_path("zip", a.name));
  for (const auto& a : s.random) add_name(a.name, join_path("random.axes", a.name));
  if (j.contains("derived")) {
    if (!j["derived"].is_object()) throw InputError(file, "derived", "expected an object of name -> expression");
    for (auto it = j["derived"].begin(); it != j["derived"].end(); ++it) {
      const std::string where = join_path("derived", it.key());
      check_name(it.key(), file, where);
      if (!it.value().is_string()) throw InputError(file, where, "expected an expression string, e.g. \"${pe_array.rows}\"");
      const std::string e = it.value().get<std::string>();
      try {
        for (const auto& n : expr_names(e))
          if (std::find(names.begin(), names.end(), n) == names.end() && !s.base.contains(n))
            throw InputError(file, where, "\"" + n + "\" is neither an axis, an earlier derived name nor a base key");
      } catch (const std::invalid_argument& ex) {
        throw InputError(file, where, ex.what());
      }
      add_name(it.key(), where);
      s.derived.push_back({it.key(), e});
    }
  }
  if (j.contains("constraints")) {
    if (!j["constraints"].is_array()) throw InputError(file, "constraints", "expected a list of expressions");
    for (size_t i = 0; i < j["constraints"].size(); ++i) {
      const std::string where = index_path("constraints", i);
      const auto& c = j["constraints"][i];
      if (!c.is_string()) throw InputError(file, where, "expected an expression string");
      try {
        for (const auto& n : expr_names(c.get<std::string>()))
          if (!sweep_is_metric(n) && std::find(names.begin(), names.end(), n) == names.end() && !s.base.contains(n))
            throw InputError(file, where, "\"" + n + "\" is neither a swept name, a base key nor area_mm2");
      } catch (const std::invalid_argument& ex) {
        throw InputError(file, where, ex.what());
      }
      s.constraints.push_back(c.get<std::string>());
    }
  }
  for (const auto& k : sweep_workload_keys())
    if (!s.base.contains(k) && std::find(names.begin(), names.end(), k) == names.end())
      throw InputError(file, "base", "missing \"" + k + "\" (give it in base or sweep it)");
  for (const auto& k : sweep_workload_keys()) s.columns.push_back(k);
  for (const auto& n : names)
    if (!is_workload_key(n)) s.columns.push_back(n);
  // Size check before anyone expands it.
  double total = 1;
  for (const auto& a : s.grid) total *= static_cast<double>(a.values.size());
  if (!s.zip.empty()) total *= static_cast<double>(s.zip.front().values.size());
  if (s.samples > 0) total *= static_cast<double>(s.samples);
  if (total > static_cast<double>(kMaxPoints))
    throw InputError(file, "", "the sweep has " + std::to_string(static_cast<int64_t>(total)) + " points; at most " +
                                   std::to_string(kMaxPoints));
  return s;
}

SweepSpec load_sweep(const std::string& path) {
  return parse_sweep(parse_ordered_json_text(read_text_file(path), path), path);
}

std::vector<SweepPoint> expand_sweep(const SweepSpec& s) {
  std::vector<size_t> dims;
  for (const auto& a : s.grid) dims.push_back(a.values.size());
  const bool has_zip = !s.zip.empty(), has_random = s.samples > 0;
  if (has_zip) dims.push_back(s.zip.front().values.size());
  if (has_random) dims.push_back(static_cast<size_t>(s.samples));
  size_t total = 1;
  for (size_t d : dims) total *= d;
  // Random samples are drawn once, in order, from the seed: sample k is the same in every point.
  std::vector<ordered_json> samples;
  SplitMix64 g{s.seed};
  for (int64_t k = 0; k < s.samples; ++k) {
    ordered_json v = ordered_json::object();
    for (const auto& a : s.random) v[a.name] = draw(a, g);
    samples.push_back(v);
  }
  std::vector<SweepPoint> out;
  out.reserve(total);
  std::vector<size_t> idx(dims.size(), 0);
  for (size_t n = 0; n < total; ++n) {
    SweepPoint p;
    p.id = static_cast<int64_t>(n);
    ordered_json vals = ordered_json::object();
    for (const auto& k : sweep_workload_keys())
      if (s.base.contains(k)) vals[k] = s.base[k];
    size_t d = 0;
    for (const auto& a : s.grid) vals[a.name] = a.values[idx[d++]];
    if (has_zip) {
      for (const auto& a : s.zip) vals[a.name] = a.values[idx[d]];
      ++d;
    }
    if (has_random) {
      for (auto it = samples[idx[d]].begin(); it != samples[idx[d]].end(); ++it) vals[it.key()] = it.value();
      ++d;
    }
    auto resolve = [&](const std::string& name) -> double {
      if (!vals.contains(name)) throw std::invalid_argument("\"" + name + "\" has no value");
      try {
        return sweep_number(vals[name]);
      } catch (const std::invalid_argument& e) {
        throw std::invalid_argument("\"" + name + "\": " + e.what());
      }
    };
    for (const auto& [name, e] : s.derived) {
      try {
        // "${x}" alone copies x's value as it is (a size with its unit stays a string).
        if (e.size() > 3 && e.rfind("${", 0) == 0 && e.back() == '}' && e.find('}') == e.size() - 1) {
          const std::string src = e.substr(2, e.size() - 3);
          if (!vals.contains(src)) throw std::invalid_argument("\"" + src + "\" has no value");
          vals[name] = vals[src];
        } else {
          const double v = eval_expr(e, resolve);
          if (v == std::floor(v) && std::fabs(v) < 9e15) vals[name] = static_cast<int64_t>(v);
          else vals[name] = v;
        }
      } catch (const std::invalid_argument& ex) {
        throw InputError(s.file, join_path("derived", name), std::string("point ") + std::to_string(n) + ": " + ex.what());
      }
    }
    p.values = vals;
    for (const auto& c : s.constraints) {
      bool metric = false;
      for (const auto& nm : expr_names(c)) metric = metric || sweep_is_metric(nm);
      if (metric) {
        p.deferred.push_back(c);
        continue;
      }
      double ok = 0;
      try {
        ok = eval_expr(c, resolve);
      } catch (const std::invalid_argument& ex) {
        throw InputError(s.file, "constraints", "point " + std::to_string(n) + ": " + ex.what());
      }
      if (ok == 0 && !p.skipped) {
        p.skipped = true;
        p.skip_reason = "constraint " + c;
      }
    }
    out.push_back(std::move(p));
    // Advance the index, last dimension fastest.
    for (size_t k = dims.size(); k-- > 0;) {
      if (++idx[k] < dims[k]) break;
      idx[k] = 0;
    }
  }
  return out;
}

std::string sweep_digest(const SweepSpec& s) {
  const std::string text = s.resolved.dump();
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::vector<std::string> sweep_sets(const SweepSpec& s, const SweepPoint& p) {
  std::vector<std::string> sets = s.base_sets;
  for (auto it = p.values.begin(); it != p.values.end(); ++it) {
    if (is_workload_key(it.key())) continue;
    const auto& v = it.value();
    sets.push_back(it.key() + "=" + (v.is_string() ? v.get<std::string>() : v.dump()));
  }
  return sets;
}

}  // namespace eoqsim
