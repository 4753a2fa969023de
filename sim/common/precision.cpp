#include "sim/common/precision.h"

#include <cctype>
#include <stdexcept>

namespace eoqsim {

Precision Precision::parse(const std::string& text) {
  auto digits_at = [&](size_t pos) -> int {
    if (pos >= text.size() || text.size() - pos > 2) return -1;
    for (size_t i = pos; i < text.size(); ++i)
      if (!std::isdigit(static_cast<unsigned char>(text[i]))) return -1;
    return std::stoi(text.substr(pos));
  };
  if (text.rfind("int", 0) == 0) {
    int b = digits_at(3);
    if (b >= 1 && b <= 64) return {Format::Int, b};
  } else if (text == "fp32") {
    return {Format::Fp, 32};
  } else if (text == "fp16") {
    return {Format::Fp, 16};
  } else if (text == "bf16") {
    return {Format::Bf, 16};
  }
  throw std::invalid_argument("expected a precision such as int8, int16, int32, fp16, bf16 or fp32, found \"" + text +
                              "\"");
}

bool Precision::valid(const std::string& text) {
  try {
    parse(text);
    return true;
  } catch (const std::invalid_argument&) {
    return false;
  }
}

std::string Precision::str() const {
  switch (format) {
    case Format::Int: return "int" + std::to_string(bits);
    case Format::Fp: return "fp" + std::to_string(bits);
    case Format::Bf: return "bf" + std::to_string(bits);
  }
  return "?";
}

Precision Precision::unit_class() const {
  if (format != Format::Int) return *this;
  int b = bits <= 8 ? 8 : bits <= 16 ? 16 : bits <= 32 ? 32 : 64;
  return {Format::Int, b};
}

}  // namespace eoqsim
