// Runs a sweep: each point in its own process (the SystemC kernel is one per process), up to
// `jobs` at a time, every finished point appended at once to DIR/journal.jsonl and synced to
// disk, results.csv rewritten atomically from the journal. A kill at any moment loses at most the
// points in flight; --resume skips the points the journal already holds.
#pragma once
#include <ostream>
#include <string>
#include <vector>

#include "sim/sweep/spec.h"

namespace eoqsim {

struct SweepOptions {
  int jobs = 1;
  std::string out = "eoqsim-sweep";
  int64_t shard = 0, shards = 1;  // run the points whose id % shards == shard
  bool resume = false;
  bool progress = false;          // a progress bar on stderr (when it is a terminal)
};

// Returns the number of points that failed.
int64_t run_sweep(const SweepSpec& spec, const SweepOptions& opt, std::ostream& out, std::ostream& err);

// Combines the journals of shard directories into DIR/results.csv (and a merged journal).
// Every shard must come from the same spec; overlapping points must agree. Returns how many of
// the sweep's points no shard holds.
int64_t merge_sweeps(const std::vector<std::string>& dirs, const std::string& out_dir, std::ostream& out);

// The metrics a sweep records for one simulated point, in results.csv column order.
const std::vector<std::string>& sweep_metric_columns();

}  // namespace eoqsim
