// Chip configs: JSON text -> parse_chip (every unit's parameters, presets, tech loading).
#include "sim/config/chip_config.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fuzz_one(data, size, [](const std::string& text) {
    eoqsim::parse_chip(eoqsim::parse_json_text(text, "fuzz.json"), "fuzz.json", "", {});
  });
}
