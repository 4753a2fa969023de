#include "models/spec/unit_spec.h"

#include "models/buffer/params.h"
#include "models/dram/params.h"
#include "models/interconnect/params.h"
#include "models/norm_unit/params.h"
#include "models/pe_array/params.h"
#include "models/quant_unit/params.h"
#include "models/update_unit/params.h"
#include "models/vector_unit/params.h"
#include "sim/common/error.h"

namespace eoqsim {

const std::vector<std::string>& unit_kinds() {
  static const std::vector<std::string> k = {"pe_array", "buffer", "dram", "quant_unit",
                                             "norm_unit", "vector_unit", "update_unit", "interconnect"};
  return k;
}

template <typename P>
static std::function<void(ParamReader&)> reader() {
  return [](ParamReader& r) { (void)P::read(r); };
}

const std::vector<ImplSpec>& impl_specs() {
  // Adding an implementation: declare its parameters in models/<kind>/params.*, list it here,
  // and give models/<kind>/factory.cpp a constructor for it.
  static const std::vector<ImplSpec> specs = {
      {"pe_array", "systolic", "R x C systolic array; one event per tile with closed-form fill, steady state, drain",
       reader<SystolicParams>()},
      {"pe_array", "systolic_detailed",
       "the same array stepped cycle by cycle (operands moving PE to PE); proves the tile model, writes VCD",
       reader<SystolicParams>()},
      {"buffer", "sram", "on-chip SRAM scratchpad with banks, access width and double buffering",
       reader<SramParams>()},
      {"dram", "simple", "off-chip DRAM behind a TLM-2.0 target: bandwidth, latency, burst, capacity",
       reader<SimpleDramParams>()},
      {"dram", "banked",
       "off-chip DRAM behind a TLM-2.0 target: channels, banks, row buffers, datasheet timing (LPDDR4, LPDDR5, DDR4, HBM2)",
       reader<BankedDramParams>()},
      {"quant_unit", "lanes", "vector quantization unit: max|x| reductions, power-of-two scales, round/clip, LFSR",
       reader<QuantParams>()},
      {"norm_unit", "bn", "BatchNorm unit: reductions, normalize, affine, square-root and divider units",
       reader<NormParams>()},
      {"vector_unit", "simd", "SIMD element-wise unit: ReLU, residual add, pooling, Fixup scalars, loss",
       reader<VectorParams>()},
      {"update_unit", "simd", "optimizer unit: momentum SGD with rounding onto the master grid",
       reader<UpdateParams>()},
      {"interconnect", "bus", "on-chip bus between buffers, DMA and units", reader<BusParams>()},
  };
  return specs;
}

const ImplSpec& find_impl(const std::string& kind, const std::string& name, const std::string& file,
                          const std::string& path) {
  std::string known;
  for (const auto& s : impl_specs()) {
    if (s.kind != kind) continue;
    if (s.name == name) return s;
    known += (known.empty() ? "" : ", ") + s.name;
  }
  throw InputError(file, path, "unknown " + kind + " implementation \"" + name + "\"; known: " + known);
}

ordered_json impl_defaults(const ImplSpec& spec) {
  ParamReader r = ParamReader::describe();
  spec.read(r);
  ordered_json out = ordered_json::object();
  out["impl"] = spec.name;
  for (const auto& [k, v] : r.resolved().items()) out[k] = v;
  return out;
}

std::vector<ParamInfo> impl_params(const ImplSpec& spec) {
  ParamReader r = ParamReader::describe();
  spec.read(r);
  return r.declared();
}

}  // namespace eoqsim
