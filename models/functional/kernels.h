// Functional mode: the values the modelled units compute. Each trace op runs on the unit the
// lowering gave it (op.unit), in trace order (the order the controller issues them), on real
// tensors at the widths the scheme and chip give them:
//   pe_array    GEMMs (conv/FC in forward, error and weight-gradient roles), K summed in index
//               order; integer products accumulate in the chip's accumulator_bits and saturate
//               per MAC (the grid step of the sum is the product of the operands' steps)
//   quant_unit  max|x|, power-of-two scales, and every quantizer (models/functional/quantizers.h)
//   vector      ReLU, additions, scalar/per-channel parameters, reductions, softmax cross-entropy
//   norm_unit   BatchNorm statistics, sqrt, reciprocals, normalize, affine, BN backward
//   update      momentum SGD and Adam, rounding onto the master weights' grid (AdamW's decoupled
//               decay is applied as L2: the trace does not tell them apart)
// Floating-point tensors are rounded to their format (FP32, BF16, FP16) when written; integer
// tensors hold exact grid points. This file has no SystemC: timing comes from simulating the same
// trace, so a functional run's cycles and events are those of the timing run by construction.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "models/functional/quantizers.h"
#include "workloads/trace.h"

namespace eoqsim::functional {

struct Hyper {
  double lr = 0.05;
  double momentum = 0.9;
  double weight_decay = 1e-4;
  double bn_momentum = 0.1;   // running statistics: r = (1 - m) r + m * batch
  double bn_eps = 1e-5;       // floating-point BN: sqrt(var + eps)
  double g_scale = 128;       // WAGEUBN's constant quantization range (start of training)
  double adam_beta1 = 0.9, adam_beta2 = 0.999, adam_eps = 1e-8;
};

class Executor {
 public:
  Executor(const Trace& t, int accumulator_bits, Hyper h, uint64_t seed);
  const Trace& trace() const { return t_; }
  std::vector<double>& values(int32_t tensor) { return v_[static_cast<size_t>(tensor)]; }
  const std::vector<double>& values(int32_t tensor) const { return v_[static_cast<size_t>(tensor)]; }
  double& lsb(int32_t tensor) { return lsb_[static_cast<size_t>(tensor)]; }
  int32_t find(const std::string& name) const;  // -1 if absent
  // Stores values into a tensor as a unit would write it (float formats rounded).
  void store(int32_t tensor, std::vector<double> values, double lsb = 0);
  void set_labels(std::vector<int> labels) { labels_ = std::move(labels); }
  // Runs every op of the trace once (one step), in order. `step` counts from 1 (Adam).
  void run(int64_t step);
  // Runs op i alone (the trainer derives the first weight copies with the trace's own quantizers).
  void run_op(size_t i);
  double loss() const { return loss_; }
  uint64_t saturations() const { return saturations_; }  // accumulator overflows clamped so far
  uint64_t storage_saturations() const { return storage_saturations_; }  // values clamped to a tensor's width
  Rng& rng() { return rng_; }

 private:
  void gemm(const Op& o);
  void quantize(const Op& o);
  void norm(const Op& o);
  void update(const Op& o);
  void vector_op(const Op& o);
  void store_result(int32_t tensor, std::vector<double> values, double lsb);
  void store_stat(int32_t tensor, std::vector<double> values);

  const Trace& t_;
  int acc_bits_;
  Hyper h_;
  Rng rng_;
  std::vector<std::vector<double>> v_;
  std::vector<double> lsb_;
  std::vector<int64_t> count_;  // reductions: elements summed per group
  std::vector<int> labels_;
  double loss_ = 0;
  int64_t step_ = 1;
  uint64_t saturations_ = 0;
  uint64_t storage_saturations_ = 0;
};

}  // namespace eoqsim::functional
