// ONNX protobuf bytes -> Graph.
#include "workloads/onnx_import.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fuzz_one(data, size, [](const std::string& bytes) { eoqsim::parse_onnx(bytes, "fuzz.onnx"); });
}
