#include "models/dram/params.h"

namespace eoqsim {

SimpleDramParams SimpleDramParams::read(ParamReader& r) {
  SimpleDramParams p;
  r.allow("impl");
  p.bandwidth_bytes_per_s = r.bandwidth_bytes_per_s("bandwidth", "sustained bandwidth", std::nullopt, 1e6, 1e14);
  p.latency_s = r.time_s("latency", "access latency added to every transfer", "100 ns", 0, 1e-3);
  p.burst_bytes = r.integer("burst_bytes", "transfer granularity; every transfer rounds up to whole bursts", 64, 1, 4096);
  p.capacity = r.size_bytes("capacity", "bytes of DRAM", std::nullopt, 1 << 20, uint64_t(1) << 50);
  p.energy_pj_per_bit = r.number("energy_pj_per_bit", "access energy per bit read or written", 8.0, 0, 1000);
  r.finish();
  return p;
}

}  // namespace eoqsim
