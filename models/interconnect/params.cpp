#include "models/interconnect/params.h"

namespace eoqsim {

BusParams BusParams::read(ParamReader& r) {
  BusParams p;
  r.allow("impl");
  p.bytes_per_cycle = r.integer("bytes_per_cycle", "bytes the bus moves per cycle", 64, 1, 1 << 20);
  r.finish();
  return p;
}

}  // namespace eoqsim
