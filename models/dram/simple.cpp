#include <cmath>
#include <sstream>

#include "models/dram/dram.h"
#include "models/dram/params.h"
#include "sim/common/error.h"
#include "sim/config/chip_config.h"

namespace eoqsim {
namespace {

// Bandwidth and latency: transfers queue first-come first-served on one channel; each occupies
// it for its burst-rounded bytes / bandwidth and completes `latency` later.
class SimpleDram final : public Dram {
 public:
  SimpleDram(const SimpleDramParams& p, UnitContext ctx) : Dram("dram", ctx), p_(p) {
    bpc_ = p.bandwidth_bytes_per_s / ctx.clock_hz;
    latency_ = static_cast<uint64_t>(std::ceil(p.latency_s * ctx.clock_hz - 1e-9));
    const double pj_per_byte = p.energy_pj_per_bit * 8.0;
    std::ostringstream s;
    s << "dram.energy_pj_per_bit " << p.energy_pj_per_bit << " x 8";
    read_ = ctx.stats.define({"dram", "read_bytes", "byte", Category::Dram, pj_per_byte, s.str(), false});
    write_ = ctx.stats.define({"dram", "write_bytes", "byte", Category::Dram, pj_per_byte, s.str(), false});
  }
  uint64_t capacity() const override { return p_.capacity; }
  double bytes_per_cycle() const override { return bpc_; }
  uint64_t latency_cycles() const override { return latency_; }
  uint64_t busy_cycles() const override { return busy_; }

 protected:
  void b_transport(int, tlm::tlm_generic_payload& p, sc_core::sc_time& delay) override {
    TransferTiming* t = nullptr;
    p.get_extension(t);
    const uint64_t burst = static_cast<uint64_t>(p_.burst_bytes);
    const uint64_t bytes = (p.get_data_length() + burst - 1) / burst * burst;
    const uint64_t now = now_cycles() + to_cycles(delay);
    const uint64_t start = std::max(now, busy_until_);
    const uint64_t xfer = static_cast<uint64_t>(std::ceil(static_cast<double>(bytes) / bpc_ - 1e-9));
    busy_until_ = start + xfer;
    busy_ += xfer;
    if (t) {
      t->channel_free = cycles(busy_until_ - now);
      if (t->op >= 0) ctx_.stats.add(t->op, p.is_write() ? write_ : read_, bytes);
      ctx_.stats.add_tensor(t->tensor, p.is_write(), p.get_data_length());
    }
    record(t ? t->op : -1, start, busy_until_);
    delay += cycles(busy_until_ + latency_ - now);
    p.set_response_status(tlm::TLM_OK_RESPONSE);
  }

 private:
  SimpleDramParams p_;
  double bpc_;
  uint64_t latency_;
  uint64_t busy_until_ = 0, busy_ = 0;
  int32_t read_, write_;
};

}  // namespace

std::unique_ptr<Dram> make_banked_dram(const BankedDramParams& p, UnitContext ctx);

std::unique_ptr<Dram> make_dram(const UnitConfig& cfg, UnitContext ctx) {
  ParamReader r(json::parse(cfg.params.dump()), "", cfg.path);
  if (cfg.impl == "simple") return std::make_unique<SimpleDram>(SimpleDramParams::read(r), ctx);
  if (cfg.impl == "banked") return make_banked_dram(BankedDramParams::read(r), ctx);
  throw InputError("", cfg.path + ".impl", "no SystemC model registered for dram impl \"" + cfg.impl + "\"");
}

}  // namespace eoqsim
