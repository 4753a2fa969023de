// Sweep specs: JSON text -> parse_sweep and expansion (expressions, constraints, random draws).
#include "sim/sweep/spec.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fuzz_one(data, size, [](const std::string& text) {
    const eoqsim::SweepSpec s = eoqsim::parse_sweep(eoqsim::parse_ordered_json_text(text, "fuzz.json"), "fuzz.json");
    // Expanding is linear in the points: keep each input's work bounded.
    double n = 1;
    for (const auto& a : s.grid) n *= static_cast<double>(a.values.size());
    if (!s.zip.empty()) n *= static_cast<double>(s.zip.front().values.size());
    if (s.samples > 0) n *= static_cast<double>(s.samples);
    if (n <= 4096) eoqsim::expand_sweep(s);
  });
}
