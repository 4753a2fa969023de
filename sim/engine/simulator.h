// Runs one trace on one chip in a fresh SystemC kernel context and returns the counters.
#pragma once
#include <string>

#include "sim/config/chip_config.h"
#include "sim/report/result.h"
#include "workloads/trace.h"

namespace eoqsim {

struct SimOptions {
  std::string vcd_path;       // write the cycle-stepped PE array's waveforms here (systolic_detailed)
  std::string timeline_path;  // write unit activity per op as Chrome trace-event JSON here
};

// Throws UnsupportedError (exit 2) when the chip cannot execute the trace, before simulating.
RunResult simulate(const ChipConfig& chip, const Trace& trace, const SimOptions& options = {});

// The chip's area in mm^2 without simulating anything (sweep constraints check it first).
double chip_area_mm2(const ChipConfig& chip);

}  // namespace eoqsim
