#pragma once
#include "sim/common/json.h"

namespace eoqsim {

struct BusParams {
  int64_t bytes_per_cycle = 64;  // shared by DMA and unit traffic to and from the buffers
  static BusParams read(ParamReader& r);
};

}  // namespace eoqsim
