#include <map>
#include <sstream>
#include <tuple>

#include "models/pe_array/params.h"
#include "models/pe_array/pe_array.h"
#include "models/pe_array/stepper.h"
#include "sim/common/error.h"
#include "sim/config/chip_config.h"

namespace eoqsim {
namespace {

// What both implementations share: parameters, precisions, events, area.
class SystolicBase : public PeArray {
 public:
  SystolicBase(const char* name, const SystolicParams& p, UnitContext ctx)
      : PeArray(name, ctx), p_(p), df_(parse_dataflow(p.dataflow)) {
    category_ = Category::Compute;
    const TechEntry& reg = ctx.energy.table().register_bit;
    reg_event_ = ctx.stats.define({"pe_array", "register_bits", "bit", Category::Compute, reg.energy_pj,
                                   "tech register_bit: " + reg.source, reg.estimate});
  }
  int64_t rows() const override { return p_.rows; }
  int64_t cols() const override { return p_.cols; }
  Dataflow dataflow() const override { return df_; }
  bool scalesim_timing() const override { return p_.timing == "scalesim"; }
  bool supports(const Precision& q) const override { return p_.supports(q); }
  int64_t accumulator_bits() const override { return p_.accumulator_bits; }
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

 protected:
  SystolicParams p_;
  Dataflow df_;
  int32_t reg_event_;
};

// One event per tile, timed by the closed forms.
class Systolic final : public SystolicBase {
 public:
  Systolic(const SystolicParams& p, UnitContext ctx) : SystolicBase("pe_array", p, ctx) {}
  TileTiming timing(int64_t mt, int64_t kt, int64_t nt) override {
    return tile_timing(df_, p_.rows, p_.cols, mt, kt, nt);
  }
};

// Steps the array cycle by cycle (stepper.h). Timing only depends on the tile's shape, so each
// distinct shape is stepped once and its observed timing reused; with a VCD trace every tile is
// stepped again at its start time so the waveform shows the whole run.
class SystolicDetailed final : public SystolicBase {
 public:
  SystolicDetailed(const SystolicParams& p, UnitContext ctx, VcdTrace* vcd)
      : SystolicBase("pe_array", p, ctx), stepper_(df_, p.rows, p.cols), vcd_(vcd) {}
  TileTiming timing(int64_t mt, int64_t kt, int64_t nt) override {
    auto key = std::make_tuple(mt, kt, nt);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    const StepResult s = stepper_.run(mt, kt, nt, nullptr, nullptr, nullptr);
    if (s.macs != static_cast<uint64_t>(mt * kt * nt))
      throw std::logic_error("cycle-stepped array lost MACs on tile " + std::to_string(mt) + "x" + std::to_string(kt) +
                             "x" + std::to_string(nt));
    TileTiming t;
    t.occupancy = s.occupancy;
    t.latency = s.latency;
    t.folds = s.folds;
    t.first_start = s.first_start;
    t.stream = s.stream;
    t.mapped_pes = df_ == Dataflow::WS ? static_cast<uint64_t>(kt * nt)
                   : df_ == Dataflow::IS ? static_cast<uint64_t>(kt * mt)
                                         : static_cast<uint64_t>(mt * nt);
    cache_[key] = t;
    return t;
  }

 protected:
  void begin(Job& job) override {
    if (!vcd_ || job.tile_m == 0) return;
    if (vcd_->full()) throw InputError("", "--vcd", "the waveform exceeds its size limit; trace a smaller run");
    stepper_.run(job.tile_m, job.tile_k, job.tile_n, nullptr, nullptr, nullptr, vcd_, now_cycles());
  }

 private:
  ArrayStepper stepper_;
  VcdTrace* vcd_;
  std::map<std::tuple<int64_t, int64_t, int64_t>, TileTiming> cache_;
};

}  // namespace

std::unique_ptr<PeArray> make_pe_array(const UnitConfig& cfg, UnitContext ctx, VcdTrace* vcd) {
  ParamReader r(json::parse(cfg.params.dump()), "", cfg.path);
  const SystolicParams p = SystolicParams::read(r);
  if (cfg.impl == "systolic") {
    if (vcd) throw InputError("", "--vcd", "waveforms come from the cycle-stepped array: set pe_array.impl=systolic_detailed");
    return std::make_unique<Systolic>(p, ctx);
  }
  if (cfg.impl == "systolic_detailed") {
    if (p.timing != "native")
      throw InputError("", cfg.path + ".timing",
                       "systolic_detailed steps eoqsim's native micro-architecture; the scalesim convention is a "
                       "per-layer formula of the tile model (impl systolic)");
    return std::make_unique<SystolicDetailed>(p, ctx, vcd);
  }
  throw InputError("", cfg.path + ".impl", "no SystemC model registered for pe_array impl \"" + cfg.impl + "\"");
}

}  // namespace eoqsim
