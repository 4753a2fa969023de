#include <sstream>

#include "models/buffer/buffer.h"
#include "sim/common/error.h"
#include "sim/config/chip_config.h"

namespace eoqsim {

Buffer::Buffer(sc_core::sc_module_name name, const SramParams& p, UnitContext ctx)
    : sc_core::sc_module(name), p_(p), ctx_(ctx) {
  const std::string n = this->basename();
  cost_ = ctx.energy.sram(p.capacity / static_cast<uint64_t>(p.banks), p.width_bits);
  std::ostringstream src;
  src << "bank of " << p.capacity / p.banks << " B x " << p.width_bits << " bit: " << cost_.source;
  if (p.ports > 1) {
    // The table's points are single-ported (CACTI, 1 RW port). Each extra port adds a wordline,
    // a bitline pair per cell and its own periphery: area is taken to grow with the port count and
    // the per-access energy is kept at the one-port value (a lower bound). Both are estimates.
    src << "; " << p.ports << " ports: single-port energy per access (lower bound), estimate";
    cost_.estimate = true;
  }
  read_access_ = ctx.stats.define({n, "read_access", "access", Category::Sram, cost_.read_pj, src.str(), cost_.estimate});
  write_access_ =
      ctx.stats.define({n, "write_access", "access", Category::Sram, cost_.write_pj, src.str(), cost_.estimate});
  read_bytes_ = ctx.stats.define({n, "read_bytes", "byte", Category::None, 0, "counter", false});
  write_bytes_ = ctx.stats.define({n, "write_bytes", "byte", Category::None, 0, "counter", false});
}

void Buffer::count(int32_t op, uint64_t read_bytes, uint64_t write_bytes, std::vector<Contribution>& out) const {
  const uint64_t w = static_cast<uint64_t>(p_.width_bits / 8 > 0 ? p_.width_bits / 8 : 1);
  if (read_bytes) {
    out.push_back({op, read_bytes_, read_bytes});
    out.push_back({op, read_access_, (read_bytes + w - 1) / w});
  }
  if (write_bytes) {
    out.push_back({op, write_bytes_, write_bytes});
    out.push_back({op, write_access_, (write_bytes + w - 1) / w});
  }
}

uint64_t Buffer::port_cycles(uint64_t bytes) const {
  const double bpc = p_.bytes_per_cycle();
  return static_cast<uint64_t>(static_cast<double>(bytes) / bpc + 0.999999);
}

std::vector<AreaItem> Buffer::area() const {
  std::ostringstream s;
  s << p_.banks << " banks x " << cost_.area_mm2 << " mm^2 (" << p_.capacity / p_.banks << " B each)";
  if (p_.ports > 1) s << " x " << p_.ports << " ports (area per port, estimate)";
  s << ": " << cost_.source;
  return {{std::string(basename()), cost_.area_mm2 * static_cast<double>(p_.banks * p_.ports), s.str(), cost_.estimate}};
}

std::unique_ptr<Buffer> make_buffer(const UnitConfig& cfg, UnitContext ctx) {
  ParamReader r(json::parse(cfg.params.dump()), "", cfg.path);
  if (cfg.impl == "sram") return std::make_unique<Buffer>(cfg.name.c_str(), SramParams::read(r), ctx);
  throw InputError("", cfg.path + ".impl", "no SystemC model registered for buffer impl \"" + cfg.impl + "\"");
}

}  // namespace eoqsim
