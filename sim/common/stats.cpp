#include "sim/common/stats.h"

namespace eoqsim {

const char* category_name(Category c) {
  switch (c) {
    case Category::Compute: return "compute";
    case Category::Sram: return "sram";
    case Category::Dram: return "dram";
    case Category::Interconnect: return "interconnect";
    case Category::Quant: return "quant";
    case Category::Norm: return "norm";
    case Category::Vector: return "vector";
    case Category::Update: return "update";
    case Category::Leakage: return "leakage";
    case Category::None: return "none";
  }
  return "?";
}

int32_t Stats::define(const EventDef& def) {
  auto key = std::make_pair(def.unit, def.name);
  auto it = index_.find(key);
  if (it != index_.end()) return it->second;
  defs_.push_back(def);
  const int32_t id = static_cast<int32_t>(defs_.size()) - 1;
  index_[key] = id;
  return id;
}

int32_t Stats::find(const std::string& unit, const std::string& name) const {
  auto it = index_.find({unit, name});
  return it == index_.end() ? -1 : it->second;
}

}  // namespace eoqsim
