// The Controller executes a planned trace on a chip. Each group is a pipeline of stages (DMA in,
// the units the group's ops need, DMA out); its tiles flow through the stages in order, at most
// `slots` tiles in flight (two with double buffering), so loads, compute and stores of
// neighbouring tiles overlap and stalls emerge from the units' occupancy. Groups run one after
// another. Per op it records when its last piece of work finished.
#pragma once
#include <cstdint>
#include <vector>

#include <systemc>

#include "sim/engine/chip.h"
#include "sim/plan/plan.h"
#include "sim/report/result.h"
#include "workloads/trace.h"

namespace eoqsim {

class Controller : public sc_core::sc_module {
 public:
  Controller(sc_core::sc_module_name name, Chip& chip, const Trace& trace, const Plan& plan, Stats& stats);
  const std::vector<OpTiming>& timing() const { return timing_; }
  uint64_t end_cycle() const { return end_; }
  // Per pass (plan group), the cycles it started and finished; passes run one after another.
  const std::vector<std::pair<uint64_t, uint64_t>>& pass_spans() const { return spans_; }
  struct Tile;

 private:
  SC_HAS_PROCESS(Controller);
  struct GroupRun;
  void run();
  void start_group(const GroupPlan& g);
  bool admit();                        // builds and starts the next tile if a slot is free
  void advance(uint32_t slot);         // submits the tile's next non-empty stage, or retires it
  void on_done(uint32_t token);

  Chip& chip_;
  const Trace& t_;
  const Plan& plan_;
  Stats& stats_;
  std::vector<OpTiming> timing_;
  uint64_t end_ = 0;
  size_t next_group_ = 0;     // the next pass to start
  uint64_t group_start_ = 0;  // the cycle the running pass started
  std::vector<std::pair<uint64_t, uint64_t>> spans_;
  sc_core::sc_event group_done_;
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace eoqsim
