#include "sim/common/units.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>
#include <sstream>
#include <stdexcept>

namespace eoqsim::units {
namespace {

struct Quantity {
  double value;
  std::string unit;
};

// Splits "25.6 GB/s" into 25.6 and "GB/s". Whitespace between number and unit is optional.
Quantity split(const std::string& text) {
  size_t i = 0;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  const char* begin = text.c_str() + i;
  char* end = nullptr;
  double v = std::strtod(begin, &end);
  if (end == begin) throw std::invalid_argument("expected a number with a unit, found \"" + text + "\"");
  if (!std::isfinite(v)) throw std::invalid_argument("expected a finite number, found \"" + text + "\"");
  std::string unit(end);
  size_t a = 0, b = unit.size();
  while (a < b && std::isspace(static_cast<unsigned char>(unit[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(unit[b - 1]))) --b;
  return {v, unit.substr(a, b - a)};
}

double scaled(const std::string& text, const std::map<std::string, double>& table, const char* what) {
  Quantity q = split(text);
  auto it = table.find(q.unit);
  if (it == table.end()) {
    std::string known;
    for (const auto& [k, v] : table) known += (known.empty() ? "" : ", ") + (k.empty() ? std::string("(none)") : k);
    throw std::invalid_argument(std::string("unknown ") + what + " unit \"" + q.unit + "\" in \"" + text +
                                "\"; expected one of: " + known);
  }
  if (q.value < 0) throw std::invalid_argument(std::string("expected a non-negative ") + what + ", found \"" + text + "\"");
  return q.value * it->second;
}

}  // namespace

double parse_frequency_hz(const std::string& text) {
  static const std::map<std::string, double> t = {
      {"", 1}, {"Hz", 1}, {"kHz", 1e3}, {"MHz", 1e6}, {"GHz", 1e9}};
  return scaled(text, t, "frequency");
}

uint64_t parse_size_bytes(const std::string& text) {
  static const std::map<std::string, double> t = {
      {"", 1},          {"B", 1},           {"KiB", 1024.0},   {"MiB", 1048576.0}, {"GiB", 1073741824.0},
      {"TiB", 1099511627776.0}, {"kB", 1e3}, {"KB", 1e3},      {"MB", 1e6},        {"GB", 1e9}, {"TB", 1e12}};
  double v = scaled(text, t, "size");
  if (v > 9.0e18) throw std::invalid_argument("size \"" + text + "\" is too large");
  double r = std::round(v);
  if (std::fabs(v - r) > 1e-6 * std::max(1.0, v))
    throw std::invalid_argument("size \"" + text + "\" is not a whole number of bytes");
  return static_cast<uint64_t>(r);
}

double parse_bandwidth_bytes_per_s(const std::string& text) {
  static const std::map<std::string, double> t = {
      {"", 1},      {"B/s", 1},     {"kB/s", 1e3},  {"KB/s", 1e3},          {"MB/s", 1e6},
      {"GB/s", 1e9}, {"TB/s", 1e12}, {"KiB/s", 1024.0}, {"MiB/s", 1048576.0}, {"GiB/s", 1073741824.0}};
  return scaled(text, t, "bandwidth");
}

double parse_time_s(const std::string& text) {
  static const std::map<std::string, double> t = {
      {"", 1}, {"s", 1}, {"ms", 1e-3}, {"us", 1e-6}, {"ns", 1e-9}, {"ps", 1e-12}};
  return scaled(text, t, "time");
}

std::string format_size(uint64_t bytes) {
  const char* names[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int i = 0;
  uint64_t v = bytes;
  while (i < 4 && v >= 1024 && v % 1024 == 0) {
    v /= 1024;
    ++i;
  }
  return std::to_string(v) + " " + names[i];
}

std::string format_frequency(double hz) {
  std::ostringstream s;
  if (hz >= 1e9) s << hz / 1e9 << " GHz";
  else if (hz >= 1e6) s << hz / 1e6 << " MHz";
  else s << hz << " Hz";
  return s.str();
}

}  // namespace eoqsim::units
