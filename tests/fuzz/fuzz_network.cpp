// Network JSON -> Graph (shape inference), the BN-to-Fixup conversion and lowering under a scheme.
#include "workloads/fixup.h"
#include "workloads/lower.h"
#include "workloads/serialize.h"
#include "workloads/scheme.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const eoqsim::Scheme bn = eoqsim::load_scheme("fp32_bn");
  static const eoqsim::Scheme eoq = eoqsim::load_scheme("eoq");
  return fuzz_one(data, size, [](const std::string& text) {
    eoqsim::Graph g = eoqsim::network_from_json(eoqsim::parse_json_text(text, "fuzz.json"), "fuzz.json");
    if (g.layers.size() > 32) return;
    eoqsim::lower(g, bn, 1, eoqsim::Mode::Train);
    if (g.has_batchnorm()) g = eoqsim::to_fixup(g).graph;
    eoqsim::lower(g, eoq, 1, eoqsim::Mode::Train);
  });
}
