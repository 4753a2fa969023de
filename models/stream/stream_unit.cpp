#include "models/stream/stream_unit.h"

#include <sstream>

#include "sim/common/error.h"

namespace eoqsim {

StreamUnit::StreamUnit(sc_core::sc_module_name name, UnitContext ctx, LaneParams lanes, Category cat)
    : Server(name, ctx), lanes_(std::move(lanes)) {
  category_ = cat;
}

std::string StreamUnit::precision_of(const Trace& t, const Op& op, const ArithCount& a) const {
  if (a.arith == Arith::Rng || a.arith == Arith::Pow2) return "";
  if (a.arith == Arith::Quantize) {
    // The target format: the tensor written (for an update, the master weights).
    const bool update = op.kind == OpKind::SgdUpdate || op.kind == OpKind::AdamUpdate;
    const int32_t out = update ? op.outputs.back() : op.outputs.front();
    return t.tensors[out].precision.unit_class().str();
  }
  return (a.on_accumulator ? op.accum : op.precision).unit_class().str();
}

int32_t StreamUnit::event(const std::string& name) {
  auto it = events_.find(name);
  if (it != events_.end()) return it->second;
  const TechEntry& e = ctx_.energy.op(name);
  const int32_t id =
      ctx_.stats.define({basename(), name, "op", category_, e.energy_pj, "tech " + name + ": " + e.source, e.estimate, true});
  events_[name] = id;
  return id;
}

void StreamUnit::check(const Trace& t, int32_t i) const {
  const Op& op = t.ops[i];
  auto fail = [&](const std::string& why) {
    throw UnsupportedError("", "", "op " + std::to_string(i) + " (" + op_kind_name(op.kind) + " of layer \"" +
                                       t.layers[op.layer].name + "\", " + phase_name(op.phase) + ") " + why);
  };
  if (lanes_.lanes_for(op.precision) == 0)
    fail("needs " + op.precision.unit_class().str() + " arithmetic, which " + std::string(basename()) +
         " does not implement (precisions: add it to \"precisions\" or \"scalar_precisions\")");
  for (const ArithCount& a : op_arith(op)) {
    const FunctionalUnit* fu = a.arith == Arith::Sqrt ? sqrt_fu_ : a.arith == Arith::Div ? div_fu_ : nullptr;
    if (fu && fu->count == 0) {
      const char* what = a.arith == Arith::Sqrt ? "sqrt" : "div";
      fail(std::string("needs ") + (a.arith == Arith::Sqrt ? "square roots" : "divisions") + ", but " + basename() +
           " has no " + what + " unit (set " + basename() + "." + what + ".count, and interval 1 for a pipelined one)");
    }
    if (a.arith == Arith::Rng && !has_rng())
      fail("needs stochastic rounding, but " + std::string(basename()) + " has no random source (stochastic_rounding)");
    if (a.on_accumulator && lanes_.lanes_for(op.accum) == 0)
      fail("accumulates in " + op.accum.unit_class().str() + ", which " + std::string(basename()) + " does not implement");
    const std::string p = precision_of(t, op, a);
    const std::string name = p.empty() ? arith_name(a.arith) : std::string(arith_name(a.arith)) + "." + p;
    if (!ctx_.energy.has(name))
      throw UnsupportedError(ctx_.energy.table().file, "ops",
                             "technology table has no entry for \"" + name + "\", needed by op " + std::to_string(i));
  }
}

uint64_t StreamUnit::special_cycles(Arith a, uint64_t n, int64_t lanes) const {
  const FunctionalUnit* fu = a == Arith::Sqrt ? sqrt_fu_ : a == Arith::Div ? div_fu_ : nullptr;
  if (fu && fu->count > 0) return fu->cycles(n);
  return (n + static_cast<uint64_t>(lanes) - 1) / static_cast<uint64_t>(lanes);
}

std::vector<AreaItem> StreamUnit::functional_unit_area() const {
  std::vector<AreaItem> v;
  const std::string prec = lanes_.precisions.empty() ? "fp32" : lanes_.precisions.front().str();
  for (const auto& [name, f] : {std::pair<std::string, const FunctionalUnit*>{"sqrt", sqrt_fu_}, {"div", div_fu_}}) {
    if (!f || f->count == 0) continue;
    const TechEntry& e = ctx_.energy.op(name + "." + prec);
    v.push_back({name + " units", static_cast<double>(f->count) * e.area_um2 * 1e-6,
                 std::to_string(f->count) + " x " + name + "." + prec + " area " + std::to_string(e.area_um2) +
                     " um^2: " + e.source,
                 e.estimate});
  }
  return v;
}

const StreamUnit::OpEvents& StreamUnit::op_events(const Trace& t, int32_t i) {
  if (cached_trace_ != &t) {
    cached_trace_ = &t;
    per_op_.assign(t.ops.size(), {});
    per_op_ready_.assign(t.ops.size(), false);
  }
  if (!per_op_ready_[i]) {
    const Op& op = t.ops[i];
    OpEvents& e = per_op_[i];
    e.lanes = lanes_.lanes_for(op.precision);
    for (const ArithCount& a : op_arith(op)) {
      const std::string p = precision_of(t, op, a);
      e.items.push_back({a, event(p.empty() ? arith_name(a.arith) : std::string(arith_name(a.arith)) + "." + p)});
    }
    per_op_ready_[i] = true;
  }
  return per_op_[i];
}

StreamUnit::Cost StreamUnit::cost(const Trace& t, int32_t i, int64_t elements, int64_t groups,
                                  std::vector<Contribution>& out) {
  const Op& op = t.ops[i];
  const OpEvents& ev = op_events(t, i);
  const int64_t lanes = ev.lanes;
  const uint64_t e = static_cast<uint64_t>(elements), g = static_cast<uint64_t>(groups);
  // One element per lane per cycle, except a max-pool window, which takes window-1 compares.
  const uint64_t lane_cycles = op.kind == OpKind::MaxPool ? static_cast<uint64_t>(std::max<int64_t>(1, op.window - 1)) : 1;
  uint64_t stream = (e * lane_cycles + static_cast<uint64_t>(lanes) - 1) / static_cast<uint64_t>(lanes);
  uint64_t special_elem = 0, special_group = 0, group_ops = 0, pow2 = 0;
  for (const auto& [a, id] : ev.items) {
    const uint64_t pe = static_cast<uint64_t>(a.per_element) * e, pg = static_cast<uint64_t>(a.per_group) * g;
    const uint64_t n = pe + pg;
    if (n == 0) continue;
    out.push_back({i, id, n});
    if (a.arith == Arith::Div || a.arith == Arith::Sqrt) {
      special_elem += pe ? special_cycles(a.arith, pe, lanes) : 0;
      special_group += pg ? special_cycles(a.arith, pg, lanes) : 0;
    } else if (a.arith == Arith::Pow2) {
      pow2 += pow2_cycles() * pg;
    } else {
      group_ops += pg;
    }
  }
  Cost c;
  c.occupancy = std::max(stream, special_elem) + special_group + pow2 +
                (group_ops + static_cast<uint64_t>(lanes) - 1) / static_cast<uint64_t>(lanes);
  c.latency = c.occupancy + static_cast<uint64_t>(lanes_.pipeline_depth);
  return c;
}

AreaItem StreamUnit::lfsr_area() const {
  const TechEntry& r = ctx_.energy.op("rng");
  return {"LFSR", static_cast<double>(lanes_.lanes) * r.area_um2 * 1e-6,
          std::to_string(lanes_.lanes) + " x rng area " + std::to_string(r.area_um2) + " um^2: " + r.source, r.estimate};
}

std::vector<AreaItem> StreamUnit::area() const {
  // A lane has one adder and one multiplier per implemented precision.
  std::vector<AreaItem> items;
  auto lane_area = [&](const Precision& p, int64_t n, const char* what) {
    const TechEntry& add = ctx_.energy.op("add." + p.str());
    const TechEntry& mul = ctx_.energy.op("mul." + p.str());
    std::ostringstream s;
    s << n << " " << what << " x (add." << p.str() << " " << add.area_um2 << " + mul." << p.str() << " " << mul.area_um2
      << " um^2)";
    items.push_back({std::string(what) + " " + p.str(), static_cast<double>(n) * (add.area_um2 + mul.area_um2) * 1e-6,
                     s.str(), add.estimate || mul.estimate});
  };
  for (const auto& p : lanes_.precisions) lane_area(p, lanes_.lanes, "lanes");
  for (const auto& p : lanes_.scalar_precisions) lane_area(p, 1, "scalar lane");
  for (auto& x : extra_area()) items.push_back(x);
  return items;
}

}  // namespace eoqsim
