// Number formats of tensors and arithmetic: "int8", "int16", "int32", "fp16", "bf16", "fp32".
// Integer widths may be any 1..64 ("int13" is WAGEUBN's momentum); float formats are fixed.
#pragma once
#include <cstdint>
#include <string>

namespace eoqsim {

struct Precision {
  enum class Format : uint8_t { Int, Fp, Bf };
  Format format = Format::Fp;
  int bits = 32;

  static Precision parse(const std::string& text);  // throws std::invalid_argument
  static bool valid(const std::string& text);
  std::string str() const;
  bool is_float() const { return format != Format::Int; }
  // The width arithmetic units are built for: integer widths round up to 8/16/32/64, so an
  // int13 operand uses a 16-bit adder. Events and supported-precision checks use this class.
  Precision unit_class() const;
  bool operator==(const Precision& o) const { return format == o.format && bits == o.bits; }
  bool operator!=(const Precision& o) const { return !(*this == o); }
};

}  // namespace eoqsim
