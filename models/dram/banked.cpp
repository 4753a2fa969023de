#include <algorithm>
#include <cmath>
#include <sstream>

#include "models/dram/dram.h"
#include "models/dram/params.h"

namespace eoqsim {
namespace {

// Division by a fixed divisor: a shift and a mask when it is a power of two (every preset's
// channels, banks, row and burst sizes are), plain division otherwise.
struct Divisor {
  uint64_t d = 1;
  int shift = 0;
  bool pow2 = true;
  explicit Divisor(uint64_t v = 1) : d(v) {
    pow2 = v != 0 && (v & (v - 1)) == 0;
    while (pow2 && (uint64_t(1) << shift) < v) ++shift;
  }
  uint64_t div(uint64_t x) const { return pow2 ? x >> shift : x / d; }
  uint64_t mod(uint64_t x) const { return pow2 ? x & (d - 1) : x % d; }
};

// Channels x banks with row buffers (open-page policy). Address mapping, low bits to high:
// burst offset, channel, column (bursts within a row), bank, row. So a sequential run interleaves
// bursts across channels, fills a row in each, then moves to the next bank.
//
// Each transfer advances the row-buffer state in closed form, per channel, over its row
// segments (runs of bursts in one bank and row), not per burst:
//   start   = max(now, the channel's free time)
//   + tWTR or tRTW when the channel last moved data the other way
//   + for the first segment, on a row miss: tRP (if another row is open) + tRCD
//   + for each later segment, on a row miss: the part of tRP + tRCD that the previous segment's
//     data transfer cannot hide (its activate is issued while that data streams; with one bank,
//     nothing hides it)
//   + bursts x burst time, derated by refresh: x tREFI / (tREFI - tRFC)
// The channel is busy until then; the data has arrived tCL (reads) or tCWL (writes) later.
class BankedDram final : public Dram {
 public:
  BankedDram(const BankedDramParams& p, UnitContext ctx) : Dram("dram", ctx), p_(p) {
    const DramPreset& t = p_.t;
    ns_per_cycle_ = 1e9 / ctx.clock_hz;
    burst_bytes_ = static_cast<uint64_t>(t.burst_bytes());
    row_bursts_ = static_cast<uint64_t>(t.row_bytes) / burst_bytes_;
    refresh_ = p_.refresh ? t.tREFI_ns / (t.tREFI_ns - t.tRFC_ns) : 1.0;
    burst_ns_ = t.burst_ns() * refresh_;
    ch_ = Divisor(static_cast<uint64_t>(t.channels));
    banks_ = Divisor(static_cast<uint64_t>(t.banks));
    burst_div_ = Divisor(burst_bytes_);
    row_div_ = Divisor(row_bursts_);
    cap_div_ = Divisor(t.capacity_bytes);
    const double full_row = static_cast<double>(row_bursts_) * burst_ns_;
    miss_open_ns_ = std::max(0.0, t.tRP_ns + t.tRCD_ns - full_row);
    miss_closed_ns_ = std::max(0.0, t.tRCD_ns - full_row);
    const size_t ch = static_cast<size_t>(t.channels);
    free_ns_.assign(ch, 0.0);
    last_write_.assign(ch, -1);
    open_row_.assign(ch * static_cast<size_t>(t.banks), -1);
    const double pj_per_byte = t.energy_pj_per_bit * 8.0;
    std::ostringstream s;
    s << t.name << " " << t.energy_pj_per_bit << " pJ/bit x 8: " << t.energy_source;
    read_ = ctx.stats.define({"dram", "read_bytes", "byte", Category::Dram, pj_per_byte, s.str(), false});
    write_ = ctx.stats.define({"dram", "write_bytes", "byte", Category::Dram, pj_per_byte, s.str(), false});
    hits_ = ctx.stats.define({"dram", "row_hits", "row segment", Category::None, 0, "counter", false});
    misses_ = ctx.stats.define({"dram", "row_misses", "row segment", Category::None, 0, "counter", false});
  }
  uint64_t capacity() const override { return p_.t.capacity_bytes; }
  double bytes_per_cycle() const override { return p_.t.bandwidth_bytes_per_s() / ctx_.clock_hz; }
  uint64_t latency_cycles() const override {
    return static_cast<uint64_t>(std::ceil((p_.t.tRCD_ns + p_.t.tCL_ns) / ns_per_cycle_ - 1e-9));
  }
  uint64_t busy_cycles() const override { return static_cast<uint64_t>(busy_ns_ / ns_per_cycle_ + 0.5); }

 protected:
  void b_transport(int, tlm::tlm_generic_payload& p, sc_core::sc_time& delay) override {
    TransferTiming* ext = nullptr;
    p.get_extension(ext);
    const DramPreset& t = p_.t;
    const bool write = p.is_write();
    const uint64_t len = p.get_data_length();
    const uint64_t now_c = now_cycles() + to_cycles(delay);
    const double now = static_cast<double>(now_c) * ns_per_cycle_;
    const uint64_t ch = static_cast<uint64_t>(t.channels), banks = static_cast<uint64_t>(t.banks);
    const uint64_t addr = cap_div_.mod(p.get_address());
    const uint64_t first = burst_div_.div(addr), last = burst_div_.div(addr + std::max<uint64_t>(len, 1) - 1);
    double done = now, chan_free = now;
    uint64_t bursts_total = 0, hits = 0, misses = 0;
    for (uint64_t c = 0; c < ch; ++c) {
      // This channel's bursts: b = c (mod ch) within [first, last], local index b / ch.
      const uint64_t b0 = first + ch_.mod(c + ch - ch_.mod(first));
      if (b0 > last) continue;
      const uint64_t b1 = last - ch_.mod(ch_.mod(last) + ch - c);
      const uint64_t lo = ch_.div(b0), hi = ch_.div(b1);
      double time = std::max(now, free_ns_[c]);
      const double start = time;
      if (last_write_[c] >= 0 && last_write_[c] != (write ? 1 : 0)) time += write ? t.tRTW_ns : t.tWTR_ns;
      last_write_[c] = write ? 1 : 0;
      // The first lap over the banks depends on the rows earlier transfers left open; every later
      // segment of the run is a miss in a bank this run opened one row earlier. From the third
      // segment on, the previous segment is a full row, so a miss costs only what a full row's data
      // cannot hide: one of two constants (bank closed, or another row open).
      const uint64_t s_lo = row_div_.div(lo), s_hi = row_div_.div(hi), n_seg = s_hi - s_lo + 1;
      const uint64_t lap = std::min<uint64_t>(n_seg, banks);
      int64_t* rows = &open_row_[c * banks];
      uint64_t bank = banks_.mod(s_lo);
      int64_t row = static_cast<int64_t>(banks_.div(s_lo));
      const uint64_t first_bursts = std::min(hi, s_lo * row_bursts_ + row_bursts_ - 1) - lo + 1;
      for (uint64_t k = 0; k < lap; ++k) {
        int64_t& open = rows[bank];
        if (open == row) {
          ++hits;
        } else {
          ++misses;
          const bool was_open = open >= 0;
          open = row;
          if (k == 0 || banks == 1) {
            time += (was_open ? t.tRP_ns : 0.0) + t.tRCD_ns;
          } else if (k == 1) {
            const double overhead = (was_open ? t.tRP_ns : 0.0) + t.tRCD_ns;
            time += std::max(0.0, overhead - static_cast<double>(first_bursts) * burst_ns_);
          } else {
            time += was_open ? miss_open_ns_ : miss_closed_ns_;
          }
        }
        if (++bank == banks) {
          bank = 0;
          ++row;
        }
      }
      if (n_seg > lap) {
        const uint64_t rest = n_seg - lap;
        misses += rest;
        time += (banks > 1 ? miss_open_ns_ : t.tRP_ns + t.tRCD_ns) * static_cast<double>(rest);
        // The last lap leaves each bank it touched open at its last row.
        const uint64_t first_last_lap = s_hi + 1 - banks;  // n_seg > lap = banks here
        uint64_t b = banks_.mod(first_last_lap);
        int64_t r = static_cast<int64_t>(banks_.div(first_last_lap));
        for (uint64_t k = 0; k < banks; ++k) {
          rows[b] = r;
          if (++b == banks) {
            b = 0;
            ++r;
          }
        }
      }
      time += static_cast<double>(hi - lo + 1) * burst_ns_;
      bursts_total += hi - lo + 1;
      free_ns_[c] = time;
      busy_ns_ += time - start;
      chan_free = std::max(chan_free, time);
      done = std::max(done, time + (write ? t.tCWL_ns : t.tCL_ns));
    }
    const uint64_t bytes = bursts_total * burst_bytes_;
    const uint64_t free_c = static_cast<uint64_t>(std::ceil(chan_free / ns_per_cycle_ - 1e-9));
    const uint64_t done_c = static_cast<uint64_t>(std::ceil(done / ns_per_cycle_ - 1e-9));
    if (ext) {
      ext->channel_free = cycles(free_c > now_c ? free_c - now_c : 0);
      if (ext->op >= 0) {
        ctx_.stats.add(ext->op, write ? write_ : read_, bytes);
        ctx_.stats.add(ext->op, hits_, hits);
        ctx_.stats.add(ext->op, misses_, misses);
      }
      ctx_.stats.add_tensor(ext->tensor, write, len);
    }
    record(ext ? ext->op : -1, now_c, free_c);
    delay += cycles(done_c > now_c ? done_c - now_c : 0);
    p.set_response_status(tlm::TLM_OK_RESPONSE);
  }

 private:
  BankedDramParams p_;
  double ns_per_cycle_, refresh_, burst_ns_;  // burst time derated by refresh
  Divisor ch_, banks_, burst_div_, row_div_, cap_div_;
  double miss_open_ns_ = 0, miss_closed_ns_ = 0;  // a later segment's exposed activate cost
  uint64_t burst_bytes_, row_bursts_;
  std::vector<double> free_ns_;
  std::vector<int> last_write_;
  std::vector<int64_t> open_row_;
  double busy_ns_ = 0;
  int32_t read_, write_, hits_, misses_;
};

}  // namespace

std::unique_ptr<Dram> make_banked_dram(const BankedDramParams& p, UnitContext ctx) {
  return std::make_unique<BankedDram>(p, ctx);
}

}  // namespace eoqsim
