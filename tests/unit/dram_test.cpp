// DRAM models driven directly through their TLM socket: datasheet latencies for row hits, misses
// and conflicts, and the banked model's closed form against a burst-by-burst reference.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>

#include "models/dram/dram.h"
#include "models/energy/energy.h"
#include "sim/config/chip_config.h"
#include "sim/engine/kernel.h"

namespace eoqsim {
namespace {

struct Request {
  uint64_t address, bytes;
  bool write;
  uint64_t issue_cycle;  // not before this cycle, and not before the previous transfer's channel is free
};

struct Outcome {
  uint64_t issued, done;  // cycles
};

// Issues the requests in order, each when its cycle has come and the DRAM has freed the
// channel the previous one used (as a DMA engine does). A method re-triggered by time, like the
// simulator's own processes (no coroutine threads).
SC_MODULE(Driver) {
  tlm_utils::simple_initiator_socket<Driver> socket;
  std::vector<Request> requests;
  std::vector<Outcome> outcomes;
  size_t next = 0;
  SC_CTOR(Driver) : socket("socket") { SC_METHOD(step); }
  void step() {
    if (next == requests.size()) return;
    const Request& q = requests[next];
    if (q.issue_cycle > now_cycles()) {
      next_trigger(cycles(q.issue_cycle - now_cycles()));
      return;
    }
    tlm::tlm_generic_payload p;
    TransferTiming ext;
    ext.op = 0;
    p.set_extension(&ext);
    p.set_command(q.write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    p.set_address(q.address);
    p.set_data_length(static_cast<unsigned>(q.bytes));
    p.set_data_ptr(nullptr);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    socket->b_transport(p, delay);
    p.clear_extension(&ext);
    outcomes.push_back({now_cycles(), now_cycles() + to_cycles(delay)});
    ++next;
    next_trigger(ext.channel_free);
  }
};

struct DramRun {
  std::vector<Outcome> outcomes;
  uint64_t read_bytes = 0, write_bytes = 0, hits = 0, misses = 0;
};

DramRun drive(const std::vector<std::string>& sets, const std::vector<Request>& requests) {
  const ChipConfig chip = load_chip("edge_eoq", sets);
  fresh_kernel();
  Stats stats(1);
  EnergyModel energy(chip.tech);
  DramRun out;
  {
    UnitContext ctx{stats, energy, chip.clock_hz};
    std::unique_ptr<Dram> dram = make_dram(chip.dram, ctx);
    Driver driver("driver");
    driver.requests = requests;
    driver.socket.bind(dram->socket);
    sc_core::sc_start();
    out.outcomes = driver.outcomes;
  }
  auto count = [&](const char* name) {
    const int32_t e = stats.find("dram", name);
    return e < 0 ? uint64_t(0) : stats.count(0, e);
  };
  out.read_bytes = count("read_bytes");
  out.write_bytes = count("write_bytes");
  out.hits = count("row_hits");
  out.misses = count("row_misses");
  return out;
}

const std::vector<std::string> kLpddr4 = {"dram.impl=banked", "dram.preset=LPDDR4", "dram.refresh=false"};

TEST(BankedDram, DatasheetLatencyForRowMissHitAndConflict) {
  // LPDDR4-3200 at 1 GHz: 32-byte bursts (16 bits x BL16) of 5 ns; address bits from low to high:
  // burst offset, channel (2), column (64 bursts per 2 KiB row), bank (8), row. tRCD 18.125 ns,
  // tCL 20 ns, tRP 16.875 ns, tCWL 11.25 ns.
  const DramRun r = drive(kLpddr4, {
                                   {0, 32, false, 0},         // bank closed: tRCD + tCL + burst
                                   {64, 32, false, 100},      // same channel, bank and row: tCL + burst
                                   {32768, 32, false, 200},   // same bank, next row: tRP + tRCD + tCL + burst
                                   {32768, 32, true, 300},    // write to the open row: tCWL + burst (+ tRTW)
                                   {32, 32, false, 400},      // channel 1, closed bank
                               });
  ASSERT_EQ(r.outcomes.size(), 5u);
  auto latency = [&](size_t i) { return r.outcomes[i].done - r.outcomes[i].issued; };
  EXPECT_EQ(latency(0), 44u);  // ceil(18.125 + 20 + 5)
  EXPECT_EQ(latency(1), 25u);  // 20 + 5
  EXPECT_EQ(latency(2), 60u);  // 16.875 + 18.125 + 20 + 5
  EXPECT_EQ(latency(3), 32u);  // ceil(15 read-to-write + 11.25 + 5)
  EXPECT_EQ(latency(4), 44u);
  EXPECT_EQ(r.hits, 2u);
  EXPECT_EQ(r.misses, 3u);
  EXPECT_EQ(r.read_bytes, 4u * 32);
  EXPECT_EQ(r.write_bytes, 32u);
}

TEST(BankedDram, PresetLatencyIsTheSimpleModelsDefault) {
  // The simple model with a preset takes a closed-row access (tRCD + tCL) as its latency.
  const DramRun banked = drive(kLpddr4, {{0, 32, false, 0}});
  const DramRun simple = drive({"dram.impl=simple", "dram.preset=LPDDR4"}, {{0, 32, false, 0}});
  const uint64_t b = banked.outcomes[0].done, s = simple.outcomes[0].done;
  // Banked: ceil(38.125 + 5 ns burst); simple: ceil(38.125) + 32 B / 12.8 B per cycle.
  EXPECT_EQ(b, 44u);
  EXPECT_EQ(s, 39u + 3u);
}

TEST(BankedDram, LongSequentialReadApproachesPeakBandwidth) {
  const uint64_t bytes = 4 << 20;
  for (bool refresh : {false, true}) {
    std::vector<std::string> sets = {"dram.impl=banked", "dram.preset=LPDDR4",
                                     std::string("dram.refresh=") + (refresh ? "true" : "false")};
    const DramRun r = drive(sets, {{0, bytes, false, 0}});
    // 12.8 GB/s at 1 GHz; refresh takes tRFC of every tREFI.
    const double ideal = static_cast<double>(bytes) / 12.8 * (refresh ? 3904.0 / (3904.0 - 280.0) : 1.0);
    const double t = static_cast<double>(r.outcomes[0].done);
    EXPECT_GE(t, ideal);
    EXPECT_LE(t, ideal * 1.01) << "row switches are hidden behind the other banks' data";
    EXPECT_EQ(r.read_bytes, bytes);
  }
}

// A burst-by-burst model of the same rules the closed form documents (models/dram/banked.cpp):
// per channel, segments of consecutive bursts in one bank's row; a segment that misses pays
// tRP (when another row is open) + tRCD, minus what the previous segment's data hides.
struct ReferenceDram {
  static constexpr int kCh = 2, kBanks = 8, kRowBursts = 64;
  static constexpr double kBurst = 5, kRcd = 18.125, kRp = 16.875, kCl = 20, kCwl = 11.25, kWtr = 10, kRtw = 15;
  double free[kCh] = {0, 0};
  int last_write[kCh] = {-1, -1};
  int64_t open[kCh][kBanks];
  uint64_t hits = 0, misses = 0;
  ReferenceDram() { std::fill(&open[0][0], &open[0][0] + kCh * kBanks, -1); }
  // Returns {channel free, done} in ns.
  std::pair<double, double> transfer(double now, uint64_t addr, uint64_t len, bool write) {
    double chan_free = now, done = now;
    const uint64_t first = addr / 32, last = (addr + len - 1) / 32;
    for (int c = 0; c < kCh; ++c) {
      std::vector<uint64_t> local;
      for (uint64_t b = first; b <= last; ++b)
        if (static_cast<int>(b % kCh) == c) local.push_back(b / kCh);
      if (local.empty()) continue;
      double time = std::max(now, free[c]);
      if (last_write[c] >= 0 && last_write[c] != int(write)) time += write ? kRtw : kWtr;
      last_write[c] = int(write);
      int64_t seg = -1, prev_seg_bursts = 0, seg_bursts = 0, segs = 0;
      for (uint64_t l : local) {
        const int64_t s = static_cast<int64_t>(l / kRowBursts);
        if (s != seg) {
          prev_seg_bursts = seg_bursts;
          seg_bursts = 0;
          seg = s;
          int64_t& o = open[c][s % kBanks];
          const int64_t row = s / kBanks;
          if (o == row) {
            ++hits;
          } else {
            ++misses;
            const double overhead = (o >= 0 ? kRp : 0) + kRcd;
            time += segs == 0 ? overhead : std::max(0.0, overhead - static_cast<double>(prev_seg_bursts) * kBurst);
            o = row;
          }
          ++segs;
        }
        ++seg_bursts;
        time += kBurst;
      }
      free[c] = time;
      chan_free = std::max(chan_free, time);
      done = std::max(done, time + (write ? kCwl : kCl));
    }
    return {chan_free, done};
  }
};

TEST(BankedDram, ClosedFormEqualsBurstByBurstReference) {
  std::mt19937_64 rng(7);
  std::vector<Request> requests;
  uint64_t cycle = 0;
  for (int i = 0; i < 400; ++i) {
    Request q;
    // Short and long runs (up to several rows in every bank), aligned or not, near each other
    // so that rows stay open between transfers.
    const uint64_t region = (rng() % 4) << 18;
    q.address = region + (rng() % 3 == 0 ? rng() % 65536 : (rng() % 64) * 512);
    q.bytes = rng() % 2 ? 1 + rng() % 256 : 1 + rng() % (256 * 1024);
    q.write = rng() % 3 == 0;
    cycle += rng() % 2 ? 0 : rng() % 2000;
    q.issue_cycle = cycle;
    requests.push_back(q);
  }
  const DramRun r = drive(kLpddr4, requests);
  ASSERT_EQ(r.outcomes.size(), requests.size());
  ReferenceDram ref;
  for (size_t i = 0; i < requests.size(); ++i) {
    const Request& q = requests[i];
    const auto [free_ns, done_ns] = ref.transfer(static_cast<double>(r.outcomes[i].issued), q.address, q.bytes, q.write);
    EXPECT_EQ(r.outcomes[i].done, static_cast<uint64_t>(std::ceil(done_ns - 1e-9))) << "transfer " << i;
    if (i + 1 < requests.size()) {  // the driver issues the next transfer once the channel is free
      EXPECT_EQ(r.outcomes[i + 1].issued,
                std::max(requests[i + 1].issue_cycle, static_cast<uint64_t>(std::ceil(free_ns - 1e-9))))
          << "transfer " << i;
    }
  }
  EXPECT_EQ(r.hits, ref.hits);
  EXPECT_EQ(r.misses, ref.misses);
  EXPECT_GT(ref.hits, 100u);  // the mix exercises open rows as well as misses
  EXPECT_GT(ref.misses, 1000u);
}

TEST(SimpleDram, TransferTakesLatencyPlusBytesOverBandwidth) {
  // edge chips: 12.8 GB/s at 1 GHz, 100 ns latency; 64-byte bursts.
  const DramRun r = drive({}, {{0, 6400, false, 0}, {0, 100, true, 0}});
  EXPECT_EQ(r.outcomes[0].done, 100u + 500u);
  // The second waits for the channel (500 cycles), then moves two bursts (128 B: 10 cycles).
  EXPECT_EQ(r.outcomes[1].issued, 500u);
  EXPECT_EQ(r.outcomes[1].done, 500u + 100u + 10u);
  EXPECT_EQ(r.write_bytes, 128u);
}

}  // namespace
}  // namespace eoqsim
