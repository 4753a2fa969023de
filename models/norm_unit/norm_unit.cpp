#include <sstream>

#include "models/norm_unit/params.h"
#include "models/stream/stream_unit.h"

namespace eoqsim {
namespace {

// BatchNorm unit: lanes for reductions and normalization, plus square-root and divider units
// that are iterative (a new operation every `interval` cycles per unit).
class NormUnit final : public StreamUnit {
 public:
  NormUnit(const NormParams& p, UnitContext ctx) : StreamUnit("norm_unit", ctx, p.lanes, Category::Norm), p_(p) {
    fused_ = p.fused;
  }

 protected:
  uint64_t special_cycles(Arith a, uint64_t n, int64_t) const override {
    const FunctionalUnit& f = a == Arith::Sqrt ? p_.sqrt : p_.div;
    const uint64_t waves = (n + static_cast<uint64_t>(f.count) - 1) / static_cast<uint64_t>(f.count);
    return (waves - 1) * static_cast<uint64_t>(f.interval) + static_cast<uint64_t>(f.latency);
  }
  std::vector<AreaItem> extra_area() const override {
    std::vector<AreaItem> v;
    std::string prec = lanes_.precisions.empty() ? "fp32" : lanes_.precisions.front().str();
    for (const auto& [name, f] : {std::pair<std::string, FunctionalUnit>{"sqrt", p_.sqrt}, {"div", p_.div}}) {
      const TechEntry& e = ctx_.energy.op(name + "." + prec);
      v.push_back({name + " units", static_cast<double>(f.count) * e.area_um2 * 1e-6,
                   std::to_string(f.count) + " x " + name + "." + prec + " area " + std::to_string(e.area_um2) + " um^2: " +
                       e.source,
                   e.estimate});
    }
    return v;
  }

 private:
  NormParams p_;
};

}  // namespace

std::unique_ptr<StreamUnit> make_norm_unit(const NormParams& p, UnitContext ctx) {
  return std::make_unique<NormUnit>(p, ctx);
}

}  // namespace eoqsim
