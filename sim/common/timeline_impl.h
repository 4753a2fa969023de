#pragma once
#include <cstdio>
#include <sstream>

namespace eoqsim {

inline int32_t Timeline::track(const std::string& name) {
  for (size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == name) return static_cast<int32_t>(i);
  names_.push_back(name);
  tracks_.emplace_back();
  return static_cast<int32_t>(names_.size()) - 1;
}

inline void Timeline::add(int32_t track, int32_t op, uint64_t start, uint64_t end) {
  if (end <= start) return;
  auto& t = tracks_[static_cast<size_t>(track)];
  if (!t.empty() && t.back().op == op && start <= t.back().end) {
    if (end > t.back().end) t.back().end = end;
    return;
  }
  t.push_back({op, start, end});
}

inline size_t Timeline::intervals() const {
  size_t n = 0;
  for (const auto& t : tracks_) n += t.size();
  return n;
}

template <typename Label>
std::string Timeline::json(const Label& label, double clock_hz) const {
  const double us_per_cycle = 1e6 / clock_hz;
  std::ostringstream o;
  o << "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n";
  bool first = true;
  auto sep = [&]() {
    if (!first) o << ",\n";
    first = false;
  };
  for (size_t i = 0; i < names_.size(); ++i) {
    sep();
    o << "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":" << i << ",\"args\":{\"name\":\"" << names_[i] << "\"}}";
  }
  char buf[64];
  for (size_t i = 0; i < tracks_.size(); ++i)
    for (const Interval& v : tracks_[i]) {
      sep();
      const auto [name, phase] = label(v.op);
      o << "{\"name\":\"" << name << "\",\"cat\":\"" << phase << "\",\"ph\":\"X\",\"pid\":1,\"tid\":" << i;
      std::snprintf(buf, sizeof buf, "%.6f", static_cast<double>(v.start) * us_per_cycle);
      o << ",\"ts\":" << buf;
      std::snprintf(buf, sizeof buf, "%.6f", static_cast<double>(v.end - v.start) * us_per_cycle);
      o << ",\"dur\":" << buf << ",\"args\":{\"op\":" << v.op << ",\"start_cycle\":" << v.start
        << ",\"cycles\":" << (v.end - v.start) << "}}";
    }
  o << "\n]}\n";
  return o.str();
}

}  // namespace eoqsim
