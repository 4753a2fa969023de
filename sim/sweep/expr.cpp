#include "sim/sweep/expr.h"

#include <cctype>
#include <cmath>
#include <stdexcept>

namespace eoqsim {
namespace {

class Parser {
 public:
  Parser(const std::string& s, const ExprResolver* r, std::vector<std::string>* names)
      : s_(s), r_(r), names_(names) {}
  double parse() {
    const double v = logic_or();
    skip();
    if (p_ != s_.size()) fail("unexpected \"" + s_.substr(p_, 1) + "\"");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    throw std::invalid_argument("in \"" + s_ + "\" at position " + std::to_string(p_ + 1) + ": " + why);
  }
  void skip() {
    while (p_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[p_]))) ++p_;
  }
  bool eat(const char* tok) {
    skip();
    const size_t n = std::char_traits<char>::length(tok);
    if (s_.compare(p_, n, tok) != 0) return false;
    // "<" must not match the start of "<=" (callers try the longer token first).
    p_ += n;
    return true;
  }
  double logic_or() {
    double v = logic_and();
    while (eat("||")) {
      const double w = logic_and();
      v = (v != 0 || w != 0) ? 1 : 0;
    }
    return v;
  }
  double logic_and() {
    double v = compare();
    while (eat("&&")) {
      const double w = compare();
      v = (v != 0 && w != 0) ? 1 : 0;
    }
    return v;
  }
  double compare() {
    const double a = sum();
    if (eat("<=")) return a <= sum() ? 1 : 0;
    if (eat(">=")) return a >= sum() ? 1 : 0;
    if (eat("==")) return a == sum() ? 1 : 0;
    if (eat("!=")) return a != sum() ? 1 : 0;
    if (eat("<")) return a < sum() ? 1 : 0;
    if (eat(">")) return a > sum() ? 1 : 0;
    return a;
  }
  double sum() {
    double v = product();
    for (;;) {
      if (eat("+")) v += product();
      else if (eat("-")) v -= product();
      else return v;
    }
  }
  double product() {
    double v = unary();
    for (;;) {
      if (eat("*")) {
        v *= unary();
      } else if (eat("/")) {
        const double d = unary();
        if (d == 0) fail("division by zero");
        v /= d;
      } else {
        return v;
      }
    }
  }
  double unary() {
    if (eat("-")) return -unary();
    return atom();
  }
  double lookup(const std::string& name) {
    if (names_) names_->push_back(name);
    if (!r_) return 1;
    return (*r_)(name);
  }
  double atom() {
    skip();
    if (p_ >= s_.size()) fail("expected a value");
    if (eat("(")) {
      const double v = logic_or();
      if (!eat(")")) fail("expected \")\"");
      return v;
    }
    if (eat("${")) {
      const size_t end = s_.find('}', p_);
      if (end == std::string::npos) fail("unterminated ${");
      const std::string name = s_.substr(p_, end - p_);
      if (name.empty()) fail("empty ${}");
      p_ = end + 1;
      return lookup(name);
    }
    const char c = s_[p_];
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      size_t used = 0;
      double v = 0;
      try {
        v = std::stod(s_.substr(p_), &used);
      } catch (const std::exception&) {
        fail("bad number");
      }
      p_ += used;
      return v;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      const size_t start = p_;
      while (p_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[p_])) || s_[p_] == '_' || s_[p_] == '.'))
        ++p_;
      return lookup(s_.substr(start, p_ - start));
    }
    fail("unexpected \"" + std::string(1, c) + "\"");
  }

  const std::string& s_;
  const ExprResolver* r_;
  std::vector<std::string>* names_;
  size_t p_ = 0;
};

}  // namespace

double eval_expr(const std::string& text, const ExprResolver& resolve) {
  const double v = Parser(text, &resolve, nullptr).parse();
  if (!std::isfinite(v)) throw std::invalid_argument("in \"" + text + "\": the result is not a finite number");
  return v;
}

std::vector<std::string> expr_names(const std::string& text) {
  std::vector<std::string> names;
  Parser(text, nullptr, &names).parse();
  return names;
}

}  // namespace eoqsim
