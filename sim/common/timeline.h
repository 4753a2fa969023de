// Unit activity over time, written as Chrome trace-event JSON (open in Perfetto or
// chrome://tracing). Units report each job's busy interval with the op it served; consecutive
// intervals of the same op on the same unit merge, so a layer's stream of tiles is one bar and
// stalls show as gaps.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace eoqsim {

class Timeline {
 public:
  int32_t track(const std::string& name);  // a row in the viewer, created on first use
  void add(int32_t track, int32_t op, uint64_t start, uint64_t end);
  // `label(op)` names an op; `clock_hz` converts cycles to microseconds.
  template <typename Label>
  std::string json(const Label& label, double clock_hz) const;
  size_t intervals() const;

 private:
  struct Interval {
    int32_t op;
    uint64_t start, end;
  };
  std::vector<std::string> names_;
  std::vector<std::vector<Interval>> tracks_;
};

}  // namespace eoqsim

#include "sim/common/timeline_impl.h"
