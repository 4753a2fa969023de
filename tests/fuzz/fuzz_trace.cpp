// Trace files: JSON text -> trace_from_json (ids, arities, sizes, byte counts).
#include "workloads/serialize.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fuzz_one(data, size, [](const std::string& text) {
    eoqsim::trace_from_json(eoqsim::parse_json_text(text, "fuzz.trace.json"), "fuzz.trace.json");
  });
}
