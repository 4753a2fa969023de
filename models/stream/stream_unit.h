// Element-wise units (quantization, norm, vector, update) share this base: `lanes` elements per
// cycle at each implemented precision, a pipeline of `pipeline_depth` cycles, and events named
// "<arith>.<precision>" priced from the technology table. The op table (workloads/prim.h) says
// what each op computes; the unit says how fast and at what energy.
#pragma once
#include <map>
#include <memory>
#include <string>

#include "models/common/unit.h"
#include "models/spec/lanes.h"
#include "workloads/prim.h"
#include "workloads/trace.h"

namespace eoqsim {

struct UnitConfig;

class StreamUnit : public Server {
 public:
  StreamUnit(sc_core::sc_module_name name, UnitContext ctx, LaneParams lanes, Category cat);
  // Throws UnsupportedError naming the op when this unit cannot execute it.
  virtual void check(const Trace& t, int32_t op_index) const;
  // Cycles and events of `elements` streamed elements and `groups` per-group results of op.
  struct Cost {
    uint64_t occupancy = 0, latency = 0;
  };
  Cost cost(const Trace& t, int32_t op_index, int64_t elements, int64_t groups, std::vector<Contribution>& out);
  std::vector<AreaItem> area() const override;
  bool fused() const { return fused_; }

 protected:
  // Cycles of `n` divisions or square roots; units without such hardware run them on lanes.
  virtual uint64_t special_cycles(Arith a, uint64_t n, int64_t lanes) const;
  virtual bool has_rng() const { return false; }
  virtual uint64_t pow2_cycles() const { return 1; }
  virtual std::vector<AreaItem> extra_area() const { return {}; }
  AreaItem lfsr_area() const;  // one LFSR per lane, for stochastic rounding
  // Square-root and divider units, when the unit has them (count > 0), at its first precision.
  std::vector<AreaItem> functional_unit_area() const;
  std::string precision_of(const Trace& t, const Op& op, const ArithCount& a) const;
  int32_t event(const std::string& name);

  // An op's arithmetic with its event ids resolved, computed once per op.
  struct OpEvents {
    std::vector<std::pair<ArithCount, int32_t>> items;
    int64_t lanes = 1;
  };
  const OpEvents& op_events(const Trace& t, int32_t op_index);

  LaneParams lanes_;
  // Units with dedicated square-root / divider hardware point these at it; divisions and square
  // roots then take its latency and initiation interval instead of one lane cycle each.
  const FunctionalUnit* sqrt_fu_ = nullptr;
  const FunctionalUnit* div_fu_ = nullptr;
  bool fused_ = false;
  std::map<std::string, int32_t> events_;
  const Trace* cached_trace_ = nullptr;
  std::vector<OpEvents> per_op_;
  std::vector<bool> per_op_ready_;
};

std::unique_ptr<StreamUnit> make_stream_unit(const UnitConfig& cfg, UnitContext ctx);

}  // namespace eoqsim
