#include <string>

#include "models/stream/stream_unit.h"
#include "models/update_unit/params.h"

namespace eoqsim {
namespace {

// Optimizer unit: momentum SGD or Adam at the scheme's widths, rounding the result onto the master
// weights' grid (stochastically when the scheme asks and the unit has LFSRs).
class UpdateUnit final : public StreamUnit {
 public:
  UpdateUnit(const UpdateParams& p, UnitContext ctx) : StreamUnit("update_unit", ctx, p.lanes, Category::Update), p_(p) {
    sqrt_fu_ = &p_.sqrt;
    div_fu_ = &p_.div;
  }

 protected:
  bool has_rng() const override { return p_.stochastic_rounding; }
  std::vector<AreaItem> extra_area() const override {
    std::vector<AreaItem> v = functional_unit_area();
    if (p_.stochastic_rounding) v.push_back(lfsr_area());
    return v;
  }

 private:
  UpdateParams p_;
};

}  // namespace

std::unique_ptr<StreamUnit> make_update_unit(const UpdateParams& p, UnitContext ctx) {
  return std::make_unique<UpdateUnit>(p, ctx);
}

}  // namespace eoqsim
