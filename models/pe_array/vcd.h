// A small VCD (value change dump) writer for the cycle-stepped array: signals are registered up
// front, changes are collected with their cycle and sorted on write, so tiles whose drains
// overlap the next tile's start still produce a time-ordered file (viewable in GTKWave).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace eoqsim {

class VcdTrace {
 public:
  explicit VcdTrace(uint64_t max_changes = 20'000'000) : max_changes_(max_changes) {}
  int32_t add_signal(const std::string& scope, const std::string& name, int width);
  // `known` false writes x (no valid value in the register).
  void change(uint64_t cycle, int32_t signal, int64_t value, bool known = true);
  bool full() const { return changes_.size() >= max_changes_; }
  size_t changes() const { return changes_.size(); }
  std::string str() const;  // the whole file

 private:
  struct Signal {
    std::string scope, name, id;
    int width;
  };
  struct Change {
    uint64_t cycle;
    int32_t signal;
    int64_t value;
    bool known;
  };
  std::vector<Signal> signals_;
  std::vector<Change> changes_;
  uint64_t max_changes_;
};

}  // namespace eoqsim
