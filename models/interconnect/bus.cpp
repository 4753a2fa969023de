#include "models/interconnect/bus.h"

#include "sim/common/error.h"
#include "sim/config/chip_config.h"

namespace eoqsim {

Bus::Bus(sc_core::sc_module_name name, const BusParams& p, UnitContext ctx)
    : sc_core::sc_module(name), p_(p), ctx_(ctx) {
  const TechEntry& e = ctx.energy.table().interconnect_byte;
  bytes_ = ctx.stats.define({"interconnect", "bytes", "byte", Category::Interconnect, e.energy_pj,
                             "tech interconnect_byte: " + e.source, e.estimate});
}

uint64_t Bus::reserve(uint64_t bytes) {
  const uint64_t now = now_cycles();
  const uint64_t start = std::max(now, busy_until_);
  const uint64_t n = (bytes + static_cast<uint64_t>(p_.bytes_per_cycle) - 1) / static_cast<uint64_t>(p_.bytes_per_cycle);
  busy_until_ = start + n;
  busy_ += n;
  return busy_until_ - now;
}

std::unique_ptr<Bus> make_bus(const UnitConfig& cfg, UnitContext ctx) {
  ParamReader r(json::parse(cfg.params.dump()), "", cfg.path);
  if (cfg.impl == "bus") return std::make_unique<Bus>("interconnect", BusParams::read(r), ctx);
  throw InputError("", cfg.path + ".impl", "no SystemC model registered for interconnect impl \"" + cfg.impl + "\"");
}

}  // namespace eoqsim
