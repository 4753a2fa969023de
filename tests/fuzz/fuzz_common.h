// libFuzzer harness helper: bad input must surface as InputError (exit 2 in the CLI); anything
// else escaping — another exception, a crash, a sanitizer report — is a bug the fuzzer reports.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/common/error.h"

template <typename Fn>
int fuzz_one(const uint8_t* data, size_t size, Fn fn) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    fn(text);
  } catch (const eoqsim::InputError&) {
  }
  return 0;
}
