#include <sstream>

#include "models/quant_unit/params.h"
#include "models/stream/stream_unit.h"

namespace eoqsim {
namespace {

// Quantization unit: per-tensor max|x| reductions, power-of-two scales (a priority encoder),
// rounding and clipping, and LFSRs for stochastic rounding.
class QuantUnit final : public StreamUnit {
 public:
  QuantUnit(const QuantParams& p, UnitContext ctx) : StreamUnit("quant_unit", ctx, p.lanes, Category::Quant), p_(p) {
    fused_ = p.fused;
  }

 protected:
  bool has_rng() const override { return p_.stochastic_rounding; }
  uint64_t pow2_cycles() const override { return static_cast<uint64_t>(p_.scale_latency); }
  std::vector<AreaItem> extra_area() const override {
    // Per lane: the rounding/clipping datapath (quantize.int8) and, with stochastic rounding, an LFSR.
    const TechEntry& q = ctx_.energy.op("quantize.int8");
    std::vector<AreaItem> v = {{"round/clip", static_cast<double>(p_.lanes.lanes) * q.area_um2 * 1e-6,
                                std::to_string(p_.lanes.lanes) + " x quantize.int8 area " + std::to_string(q.area_um2) +
                                    " um^2",
                                q.estimate}};
    if (p_.stochastic_rounding) v.push_back(lfsr_area());
    return v;
  }

 private:
  QuantParams p_;
};

}  // namespace

std::unique_ptr<StreamUnit> make_quant_unit(const QuantParams& p, UnitContext ctx) {
  return std::make_unique<QuantUnit>(p, ctx);
}

}  // namespace eoqsim
