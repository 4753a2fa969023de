#include <sstream>

#include "models/pe_array/params.h"
#include "models/pe_array/pe_array.h"
#include "sim/common/error.h"
#include "sim/config/chip_config.h"

namespace eoqsim {
namespace {

// Weight-stationary R x C systolic array at tile granularity (timing.h gives the closed form).
class Systolic final : public PeArray {
 public:
  Systolic(const SystolicParams& p, UnitContext ctx) : PeArray("pe_array", ctx), p_(p) {
    category_ = Category::Compute;
    const TechEntry& reg = ctx.energy.table().register_bit;
    reg_event_ = ctx.stats.define({"pe_array", "register_bits", "bit", Category::Compute, reg.energy_pj,
                                   "tech register_bit: " + reg.source, reg.estimate});
  }
  int64_t rows() const override { return p_.rows; }
  int64_t cols() const override { return p_.cols; }
  bool supports(const Precision& q) const override { return p_.supports(q); }
  int64_t accumulator_bits() const override { return p_.accumulator_bits; }
  TileTiming timing(int64_t mt, int64_t kt, int64_t nt) const override {
    return ws_tile_timing(p_.rows, p_.cols, mt, kt, nt);
  }
  ArrayAccesses accesses(int64_t mt, int64_t kt, int64_t nt) const override {
    // Weight stationary: each fold loads its R x C weights once; the A rows of a K slice
    // stream once per column fold; each K fold writes partial sums, all but the first read them.
    const uint64_t fk = static_cast<uint64_t>(ceil_div(kt, p_.rows)), fn = static_cast<uint64_t>(ceil_div(nt, p_.cols));
    ArrayAccesses a;
    a.b_reads = static_cast<uint64_t>(kt) * static_cast<uint64_t>(nt);
    a.a_reads = static_cast<uint64_t>(mt) * static_cast<uint64_t>(kt) * fn;
    a.psum_writes = static_cast<uint64_t>(mt) * static_cast<uint64_t>(nt) * fk;
    a.psum_reads = static_cast<uint64_t>(mt) * static_cast<uint64_t>(nt) * (fk - 1);
    return a;
  }
  int32_t mac_event(const Precision& q) override {
    const std::string name = "mac." + q.unit_class().str();
    int32_t id = ctx_.stats.find("pe_array", name);
    if (id >= 0) return id;
    const TechEntry& e = ctx_.energy.op(name);
    return ctx_.stats.define({"pe_array", name, "MAC", Category::Compute, e.energy_pj, "tech " + name + ": " + e.source,
                              e.estimate, true});
  }
  int32_t register_event() const override { return reg_event_; }
  std::vector<AreaItem> area() const override {
    // Per PE: the widest implemented MAC plus its input, weight and partial-sum registers.
    double mac = 0;
    std::string which;
    bool est = false;
    for (const auto& q : p_.precisions) {
      const TechEntry& e = ctx_.energy.op("mac." + q.str());
      if (e.area_um2 > mac) {
        mac = e.area_um2;
        which = "mac." + q.str();
        est = e.estimate;
      }
    }
    int max_bits = 0;
    for (const auto& q : p_.precisions) max_bits = std::max(max_bits, q.bits);
    const double reg_bits = 2.0 * max_bits + std::max<double>(static_cast<double>(p_.accumulator_bits), 32.0);
    const TechEntry& reg = ctx_.energy.table().register_bit;
    const double pes = static_cast<double>(p_.rows * p_.cols);
    std::ostringstream s;
    s << p_.rows << "x" << p_.cols << " PEs x (" << which << " " << mac << " um^2 + " << reg_bits << " register bits x "
      << reg.area_um2 << " um^2)";
    return {{"PEs", pes * (mac + reg_bits * reg.area_um2) * 1e-6, s.str(), est || reg.estimate}};
  }

 private:
  SystolicParams p_;
  int32_t reg_event_;
};

}  // namespace

std::unique_ptr<PeArray> make_pe_array(const UnitConfig& cfg, UnitContext ctx) {
  ParamReader r(json::parse(cfg.params.dump()), "", cfg.path);
  if (cfg.impl == "systolic") return std::make_unique<Systolic>(SystolicParams::read(r), ctx);
  throw InputError("", cfg.path + ".impl", "no SystemC model registered for pe_array impl \"" + cfg.impl + "\"");
}

}  // namespace eoqsim
