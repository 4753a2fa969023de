// The quantizers of WAGEUBN (reference/papers.md §1.2–1.5), bit-exact, as one library: the
// quantization unit's functional kernel and the optimizer's rounding call these, and
// analysis/functional_reference.py implements the same functions in PyTorch (tests compare them
// bit for bit). Values are doubles holding exact grid points (every grid here is a power of two
// apart, far inside a double's 53-bit mantissa); rounding is half-to-even, as tf.round and
// torch.round. Stochastic rounding draws one number per element, in element order, from the
// generator below, whether or not the element needs it (as a hardware lane would).
#pragma once
#include <cstdint>
#include <vector>

namespace eoqsim::functional {

// xorshift32 (Marsaglia, J. Stat. Softw. 8(14), 2003): x ^= x << 13; x ^= x >> 17; x ^= x << 5.
// A shift register with XOR feedback, as hardware builds it; uniform() is the top 24 bits / 2^24.
// Seeded with state = seed ^ 0x2545F491 (1 when that is 0).
class Rng {
 public:
  explicit Rng(uint64_t seed = 1);
  uint32_t next();
  double uniform();  // [0, 1)
  uint32_t state() const { return s_; }

 private:
  uint32_t s_;
};

double round_half_even(double x);
// Shift(x) = 2^round(log2(x)) for x > 0 (the nearest power of two, ties to even exponent);
// 0 for x == 0.
double pow2_round(double x);

// Q(x, k) = round(x * 2^(k-1)) / 2^(k-1): a grid of step 2^(1-k), no clipping.
double direct(double x, int k);
// clip(x, k): clamp to [-1 + 2^(1-k), 1 - 2^(1-k)] (no clamp for k >= 32).
double clip_to(double x, int k);

struct Quantized {
  std::vector<double> values;
  double lsb = 0;    // the grid step of the result (0: not on one grid)
  double scale = 0;  // R, the per-tensor power of two (shift, flag, constant_sr)
};

// W: clip(Q(w, k), k).
Quantized quantize_clip(const std::vector<double>& x, int k);
Quantized quantize_direct(const std::vector<double>& x, int k);
// Stochastic rounding onto Q's grid: sign(y) * (floor|y| + Bernoulli(frac|y|)), y = x * 2^(k-1).
Quantized quantize_sr(const std::vector<double>& x, int k, Rng& rng);
// E1: R = Shift(max|x|) (or `scale` when > 0: a scale computed before); R * clip(Q(x/R, k), -1, 1).
Quantized quantize_shift(const std::vector<double>& x, int k, double scale = 0);
// E2, the two-range flag format: s = R / 2^(k-1), z = |x|/s; z < 1: s * sign * clip(Q(z, k), -1, 1);
// z >= 1: s * sign * clip(round(z), 2^(k-1) - 1).
Quantized quantize_flag(const std::vector<double>& x, int k, double scale = 0);
// G: R = Shift(max|g|), n = Q(g_scale * g / R, 32) stochastically rounded to an integer, clipped
// to +-(g_scale - 1), then G = Q(n / (128 * 2^(k-1)), 15). The magnitude R is discarded.
Quantized quantize_constant_sr(const std::vector<double>& x, int k, Rng& rng, double g_scale = 128,
                               double scale = 0);

// Storage rounding of floating-point formats: FP32 (round to float), BF16 and FP16 (round to
// nearest even, FP16 saturating to its largest finite value).
double round_fp32(double x);
double round_bf16(double x);
double round_fp16(double x);

// Per-tensor max|x| (0 for an empty tensor).
double max_abs(const std::vector<double>& x);

}  // namespace eoqsim::functional
