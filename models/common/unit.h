// The base of every hardware unit that does timed work: a SystemC module serving jobs in FIFO
// order. A job occupies the unit for `occupancy` cycles (the next job may start after that) and
// completes `latency` cycles after it starts. The unit sleeps when it has no job: its processes
// are SC_METHODs woken only by its own events, never by a clock.
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <systemc>

#include "models/energy/energy.h"
#include "sim/common/stats.h"
#include "sim/common/timeline.h"

namespace eoqsim {

// Simulated time: one clock cycle is one SystemC nanosecond. Conversions stay in integers: the
// kernel's resolution is the default 1 ps, so a cycle is 1000 resolution steps.
constexpr uint64_t kTicksPerCycle = 1000;
inline sc_core::sc_time cycles(uint64_t n) { return sc_core::sc_time::from_value(n * kTicksPerCycle); }
inline uint64_t to_cycles(const sc_core::sc_time& t) { return (t.value() + kTicksPerCycle / 2) / kTicksPerCycle; }
inline uint64_t now_cycles() { return to_cycles(sc_core::sc_time_stamp()); }

// What a unit needs from the chip it belongs to.
struct UnitContext {
  Stats& stats;
  const EnergyModel& energy;
  double clock_hz;
  Timeline* timeline = nullptr;  // receives busy intervals when --timeline is set
};

// A DRAM transfer a DMA job makes: `bytes` of one tensor chunk at DRAM `address`, attributed to
// `op` (and counted for `tensor`).
struct Transfer {
  int32_t op;
  uint64_t bytes;
  bool write;
  int32_t tensor = -1;
  uint64_t address = 0;
};

struct Job {
  uint64_t occupancy = 0;
  uint64_t latency = 0;
  const Contribution* events_begin = nullptr;  // counted when the job starts
  const Contribution* events_end = nullptr;
  const Transfer* transfers_begin = nullptr;   // DMA jobs only
  const Transfer* transfers_end = nullptr;
  uint32_t token = 0;                          // returned to the owner on completion
  int64_t tile_m = 0, tile_k = 0, tile_n = 0;  // PE-array jobs: the tile's GEMM dimensions
  int32_t op = -1;                             // the op the job serves (timelines)
  uint64_t submitted = 0;                      // cycle the job was queued
};

class Server : public sc_core::sc_module {
 public:
  Server(sc_core::sc_module_name name, UnitContext ctx);
  // Queues a job; it starts when the unit is free.
  void submit(const Job& job);
  void set_on_done(std::function<void(uint32_t token)> f) { on_done_ = std::move(f); }

  uint64_t busy_cycles() const { return busy_cycles_; }
  uint64_t jobs() const { return jobs_; }
  // Cycles jobs waited in this unit's queue behind earlier work (back-pressure on the pipeline).
  uint64_t wait_cycles() const { return wait_cycles_; }
  virtual std::vector<AreaItem> area() const = 0;
  Category category() const { return category_; }

 protected:
  // Called when a job starts; may set its occupancy and latency (the DMA asks the DRAM here).
  virtual void begin(Job& job) {}
  UnitContext ctx_;
  Category category_ = Category::None;

 private:
  SC_HAS_PROCESS(Server);
  void start_next();
  void on_free();
  void on_complete();

  std::deque<Job> waiting_;
  std::deque<std::pair<uint64_t, uint32_t>> inflight_;  // (completion cycle, token)
  bool busy_ = false;
  uint64_t last_completion_ = 0;
  sc_core::sc_event free_ev_, done_ev_;
  std::function<void(uint32_t)> on_done_;
  uint64_t busy_cycles_ = 0, jobs_ = 0, wait_cycles_ = 0;
  int32_t track_ = -1;
};

}  // namespace eoqsim
