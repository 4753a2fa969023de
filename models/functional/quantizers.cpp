#include "models/functional/quantizers.h"

#include <algorithm>
#include <cfenv>
#include <cmath>
#include <cstring>

namespace eoqsim::functional {

Rng::Rng(uint64_t seed) {
  s_ = static_cast<uint32_t>(seed ^ (seed >> 32)) ^ 0x2545F491u;
  if (s_ == 0) s_ = 1;
}

uint32_t Rng::next() {
  uint32_t x = s_;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  s_ = x;
  return x;
}

double Rng::uniform() { return static_cast<double>(next() >> 8) * 0x1.0p-24; }

double round_half_even(double x) {
  // std::nearbyint rounds with the current mode; the default (and the only one used here) is
  // to-nearest-even.
  return std::nearbyint(x);
}

double pow2_round(double x) {
  if (!(x > 0)) return 0;
  return std::ldexp(1.0, static_cast<int>(round_half_even(std::log2(x))));
}

double direct(double x, int k) {
  const double s = std::ldexp(1.0, k - 1);
  return round_half_even(x * s) / s;
}

double clip_to(double x, int k) {
  if (k >= 32) return x;
  const double d = std::ldexp(1.0, 1 - k);
  return std::fmin(std::fmax(x, -1 + d), 1 - d);
}

double max_abs(const std::vector<double>& x) {
  double m = 0;
  for (double v : x) m = std::fmax(m, std::fabs(v));
  return m;
}

Quantized quantize_direct(const std::vector<double>& x, int k) {
  Quantized q;
  q.values.resize(x.size());
  for (size_t i = 0; i < x.size(); ++i) q.values[i] = direct(x[i], k);
  q.lsb = std::ldexp(1.0, 1 - k);
  return q;
}

Quantized quantize_clip(const std::vector<double>& x, int k) {
  Quantized q = quantize_direct(x, k);
  for (double& v : q.values) v = clip_to(v, k);
  return q;
}

namespace {
// sign(y) * (floor|y| + Bernoulli(frac|y|)), one draw per call.
double stochastic_round(double y, Rng& rng) {
  const double a = std::fabs(y);
  const double f = std::floor(a);
  const double u = rng.uniform();
  const double r = f + (u < a - f ? 1.0 : 0.0);
  return y < 0 ? -r : r;
}
}  // namespace

Quantized quantize_sr(const std::vector<double>& x, int k, Rng& rng) {
  Quantized q;
  const double s = std::ldexp(1.0, k - 1);
  q.values.resize(x.size());
  for (size_t i = 0; i < x.size(); ++i) q.values[i] = stochastic_round(x[i] * s, rng) / s;
  q.lsb = 1 / s;
  return q;
}

Quantized quantize_shift(const std::vector<double>& x, int k, double scale) {
  Quantized q;
  q.values.assign(x.size(), 0.0);
  const double R = scale > 0 ? scale : pow2_round(max_abs(x));
  q.scale = R;
  q.lsb = R * std::ldexp(1.0, 1 - k);
  if (R == 0) return q;  // an all-zero tensor stays zero
  for (size_t i = 0; i < x.size(); ++i) q.values[i] = R * std::fmin(std::fmax(direct(x[i] / R, k), -1.0), 1.0);
  return q;
}

Quantized quantize_flag(const std::vector<double>& x, int k, double scale) {
  Quantized q;
  q.values.assign(x.size(), 0.0);
  const double R = scale > 0 ? scale : pow2_round(max_abs(x));
  const double s = R * std::ldexp(1.0, 1 - k);
  q.scale = R;
  q.lsb = s * std::ldexp(1.0, 1 - k);  // the fine range's step
  if (R == 0) return q;
  const double top = std::ldexp(1.0, k - 1) - 1;
  for (size_t i = 0; i < x.size(); ++i) {
    const double z = std::fabs(x[i]) / s;
    const double sign = x[i] > 0 ? 1.0 : x[i] < 0 ? -1.0 : 0.0;
    double part;
    if (z < 1) part = sign * std::fmin(std::fmax(direct(z, k), -1.0), 1.0);
    else part = sign * std::fmin(std::fmax(round_half_even(z), -top), top);
    q.values[i] = s * part;
  }
  return q;
}

Quantized quantize_constant_sr(const std::vector<double>& x, int k, Rng& rng, double g_scale, double scale) {
  Quantized q;
  q.values.assign(x.size(), 0.0);
  const double R = scale > 0 ? scale : pow2_round(max_abs(x));
  q.scale = R;
  const double denom = 128.0 * std::ldexp(1.0, k - 1);
  q.lsb = 1 / denom;
  for (size_t i = 0; i < x.size(); ++i) {
    double n = R > 0 ? direct(g_scale * x[i] / R, 32) : 0.0;
    n = stochastic_round(n, rng);  // the draw happens for every element
    n = std::fmin(std::fmax(n, -(g_scale - 1)), g_scale - 1);
    q.values[i] = direct(n / denom, 15);
  }
  return q;
}

double round_fp32(double x) { return static_cast<double>(static_cast<float>(x)); }

double round_bf16(double x) {
  float f = static_cast<float>(x);
  uint32_t b;
  std::memcpy(&b, &f, 4);
  if ((b & 0x7f800000u) == 0x7f800000u) return f;  // inf / nan unchanged
  const uint32_t lsb = (b >> 16) & 1u;
  b += 0x7fffu + lsb;  // round to nearest even on the top 16 bits
  b &= 0xffff0000u;
  std::memcpy(&f, &b, 4);
  return f;
}

double round_fp16(double x) {
  if (!std::isfinite(x)) return x;
  const double a = std::fabs(x);
  if (a >= 65504.0) return std::copysign(65504.0, x);  // saturate to the largest finite half
  int e;
  std::frexp(a, &e);                           // a = m * 2^e, m in [0.5, 1)
  const int step_exp = std::max(e - 11, -24);  // 11 significant bits; subnormals below 2^-14
  const double step = std::ldexp(1.0, step_exp);
  return std::copysign(round_half_even(a / step) * step, x);
}

}  // namespace eoqsim::functional
