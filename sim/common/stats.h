// Event counters. Units define the events they produce (name, what is counted, energy per
// event and its source, energy category) once, at construction; the hot path adds to a plain
// per-op counter array. Writers read these counters; no unit formats output.
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace eoqsim {

// The partition of energy_pj in reports (energy_breakdown_pj).
enum class Category : uint8_t { Compute, Sram, Dram, Interconnect, Quant, Norm, Vector, Update, Leakage, None };
constexpr int kNumCategories = 10;
const char* category_name(Category c);

struct EventDef {
  std::string unit;        // unit instance, e.g. "pe_array", "glb", "dram"
  std::string name;        // event class, e.g. "mac.int8", "read_bytes"
  std::string counts;      // what one event is: "MAC", "byte", "access", "element"
  Category category = Category::None;
  double energy_pj = 0;    // per event (0 for pure counters such as bytes of an SRAM)
  std::string source;      // technology-table entry or formula behind energy_pj
  bool estimate = false;
  // Arithmetic events ("mac.int8", "sqrt.fp32") are also reported summed over units by class;
  // counters of a particular unit (bytes, accesses) only under "unit.name".
  bool arithmetic = false;
};

// One item of chip area, with its source, for the report.
struct AreaItem {
  std::string what;
  double mm2 = 0;
  std::string source;
  bool estimate = false;
};

struct Contribution {
  int32_t op;
  int32_t event;
  uint64_t count;
};

class Stats {
 public:
  explicit Stats(size_t ops = 0) : counts_(ops) {}
  void resize_ops(size_t ops) { counts_.assign(ops, {}); }
  // Idempotent for the same unit and name; the first definition's energy wins.
  int32_t define(const EventDef& def);
  int32_t find(const std::string& unit, const std::string& name) const;
  void add(int32_t op, int32_t event, uint64_t n) {
    auto& v = counts_[op];
    if (static_cast<size_t>(event) >= v.size()) v.resize(defs_.size(), 0);
    v[event] += n;
  }
  void add(const Contribution* begin, const Contribution* end) {
    for (const Contribution* c = begin; c != end; ++c) add(c->op, c->event, c->count);
  }
  uint64_t count(int32_t op, int32_t event) const {
    const auto& v = counts_[op];
    return static_cast<size_t>(event) < v.size() ? v[event] : 0;
  }
  const std::vector<EventDef>& defs() const { return defs_; }
  size_t ops() const { return counts_.size(); }

  // DRAM bytes per tensor, [tensor][0 = read, 1 = write].
  void resize_tensors(size_t n) { tensor_bytes_.assign(n, {0, 0}); }
  void add_tensor(int32_t tensor, bool write, uint64_t bytes) {
    if (tensor >= 0 && static_cast<size_t>(tensor) < tensor_bytes_.size()) tensor_bytes_[tensor][write ? 1 : 0] += bytes;
  }
  const std::vector<std::array<uint64_t, 2>>& tensor_bytes() const { return tensor_bytes_; }

 private:
  std::vector<std::array<uint64_t, 2>> tensor_bytes_;
  std::vector<EventDef> defs_;
  std::map<std::pair<std::string, std::string>, int32_t> index_;
  std::vector<std::vector<uint64_t>> counts_;
};

}  // namespace eoqsim
