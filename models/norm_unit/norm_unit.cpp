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
    sqrt_fu_ = &p_.sqrt;
    div_fu_ = &p_.div;
  }

 protected:
  std::vector<AreaItem> extra_area() const override { return functional_unit_area(); }

 private:
  NormParams p_;
};

}  // namespace

std::unique_ptr<StreamUnit> make_norm_unit(const NormParams& p, UnitContext ctx) {
  return std::make_unique<NormUnit>(p, ctx);
}

}  // namespace eoqsim
