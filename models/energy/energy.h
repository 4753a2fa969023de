// Prices events and hardware with a technology table. Pure functions: no files, no printing.
#pragma once
#include <string>

#include "models/energy/tech.h"

namespace eoqsim {

struct SramCost {
  double read_pj = 0, write_pj = 0;  // per access
  double area_mm2 = 0;
  bool estimate = false;             // outside the table's points: extrapolated
  std::string source;
};

class EnergyModel {
 public:
  explicit EnergyModel(TechTable table) : t_(std::move(table)) {}
  const TechTable& table() const { return t_; }
  // Throws UnsupportedError naming the table file when `event` has no entry.
  const TechEntry& op(const std::string& event) const;
  bool has(const std::string& event) const { return t_.ops.count(event) != 0; }
  // Energy per access and area of one SRAM bank of `capacity` bytes and `width_bits` per access:
  // log-log interpolation between the table's points over capacity, then over width.
  SramCost sram(uint64_t capacity, int64_t width_bits) const;
  double leakage_mw_per_mm2() const { return t_.leakage.energy_pj; }

 private:
  TechTable t_;
};

}  // namespace eoqsim
