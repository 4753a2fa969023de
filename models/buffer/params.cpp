#include "models/buffer/params.h"

#include "sim/common/error.h"

namespace eoqsim {

SramParams SramParams::read(ParamReader& r) {
  SramParams p;
  r.allow("impl");
  p.capacity = r.size_bytes("capacity", "bytes of storage", std::nullopt, 64, uint64_t(1) << 36);
  p.width_bits = r.integer("width_bits", "access width of one bank in bits", 256, 8, 8192);
  p.banks = r.integer("banks", "independently accessible banks (one access per bank per cycle)", 8, 1, 1024);
  p.ports = r.integer("ports",
                      "read/write ports per bank, each one access per cycle (energy and area beyond one port are "
                      "estimates: see models/README.md)",
                      1, 1, 4);
  p.double_buffered = r.boolean("double_buffered", "holds two tiles so loads overlap compute", true);
  p.holds = r.choice_list("holds", "operand roles kept in this buffer", {"ifmap", "filter", "ofmap"},
                          std::vector<std::string>{"ifmap", "filter", "ofmap"});
  if (!r.describing() && p.holds.empty()) throw InputError(r.file(), r.where("holds"), "a buffer must hold at least one role");
  if (!r.describing() && p.capacity % static_cast<uint64_t>(p.banks) != 0)
    throw InputError(r.file(), r.where("banks"), "capacity must divide evenly into " + std::to_string(p.banks) + " banks");
  r.finish();
  return p;
}

}  // namespace eoqsim
