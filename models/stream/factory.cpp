#include "models/norm_unit/params.h"
#include "models/quant_unit/params.h"
#include "models/stream/stream_unit.h"
#include "models/update_unit/params.h"
#include "models/vector_unit/params.h"
#include "sim/common/error.h"
#include "sim/config/chip_config.h"

namespace eoqsim {

std::unique_ptr<StreamUnit> make_quant_unit(const QuantParams& p, UnitContext ctx);
std::unique_ptr<StreamUnit> make_norm_unit(const NormParams& p, UnitContext ctx);
std::unique_ptr<StreamUnit> make_vector_unit(const VectorParams& p, UnitContext ctx);
std::unique_ptr<StreamUnit> make_update_unit(const UpdateParams& p, UnitContext ctx);

std::unique_ptr<StreamUnit> make_stream_unit(const UnitConfig& cfg, UnitContext ctx) {
  ParamReader r(json::parse(cfg.params.dump()), "", cfg.path);
  if (cfg.kind == "quant_unit" && cfg.impl == "lanes") return make_quant_unit(QuantParams::read(r), ctx);
  if (cfg.kind == "norm_unit" && cfg.impl == "bn") return make_norm_unit(NormParams::read(r), ctx);
  if (cfg.kind == "vector_unit" && cfg.impl == "simd") return make_vector_unit(VectorParams::read(r), ctx);
  if (cfg.kind == "update_unit" && cfg.impl == "simd") return make_update_unit(UpdateParams::read(r), ctx);
  throw InputError("", cfg.path + ".impl",
                   "no SystemC model registered for " + cfg.kind + " impl \"" + cfg.impl + "\"");
}

}  // namespace eoqsim
