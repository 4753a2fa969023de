#include "models/stream/stream_unit.h"
#include "models/vector_unit/params.h"

namespace eoqsim {
namespace {

// SIMD element-wise unit: ReLU, residual adds, pooling, Fixup scalar multiply and bias, the
// loss, and the scalar-parameter gradient reductions.
class VectorUnit final : public StreamUnit {
 public:
  VectorUnit(const VectorParams& p, UnitContext ctx) : StreamUnit("vector_unit", ctx, p.lanes, Category::Vector) {
    fused_ = p.fused;
  }
};

}  // namespace

std::unique_ptr<StreamUnit> make_vector_unit(const VectorParams& p, UnitContext ctx) {
  return std::make_unique<VectorUnit>(p, ctx);
}

}  // namespace eoqsim
