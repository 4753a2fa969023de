// SCALE-Sim topology CSV -> Graph (both row formats, depthwise rows), then lowering of one step.
#include "workloads/lower.h"
#include "workloads/scalesim_csv.h"
#include "workloads/scheme.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const eoqsim::Scheme scheme = eoqsim::load_scheme("eoq");
  return fuzz_one(data, size, [](const std::string& text) {
    const eoqsim::Graph g = eoqsim::parse_scalesim_csv(text, "fuzz.csv");
    if (g.layers.size() <= 8) eoqsim::lower(g, scheme, 1, eoqsim::Mode::Train);
  });
}
