#include <string>

#include "models/stream/stream_unit.h"
#include "models/update_unit/params.h"

namespace eoqsim {
namespace {

// Optimizer unit: momentum SGD at the scheme's widths, rounding the result onto the master
// weights' grid (stochastically when the scheme asks and the unit has LFSRs).
class UpdateUnit final : public StreamUnit {
 public:
  UpdateUnit(const UpdateParams& p, UnitContext ctx) : StreamUnit("update_unit", ctx, p.lanes, Category::Update), p_(p) {}

 protected:
  bool has_rng() const override { return p_.stochastic_rounding; }
  std::vector<AreaItem> extra_area() const override {
    if (!p_.stochastic_rounding) return {};
    const TechEntry& r = ctx_.energy.op("rng");
    return {{"LFSR", static_cast<double>(p_.lanes.lanes) * r.area_um2 * 1e-6,
             std::to_string(p_.lanes.lanes) + " x rng area " + std::to_string(r.area_um2) + " um^2", r.estimate}};
  }

 private:
  UpdateParams p_;
};

}  // namespace

std::unique_ptr<StreamUnit> make_update_unit(const UpdateParams& p, UnitContext ctx) {
  return std::make_unique<UpdateUnit>(p, ctx);
}

}  // namespace eoqsim
