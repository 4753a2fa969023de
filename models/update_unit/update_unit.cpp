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
    return {lfsr_area()};
  }

 private:
  UpdateParams p_;
};

}  // namespace

std::unique_ptr<StreamUnit> make_update_unit(const UpdateParams& p, UnitContext ctx) {
  return std::make_unique<UpdateUnit>(p, ctx);
}

}  // namespace eoqsim
