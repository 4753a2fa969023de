// Trace: the ops of one training (or inference) step in execution order, over a table of
// tensors. Every quantization, reduction, square root and tensor width is explicit here, so
// memory traffic and event counts follow from the trace and the chip, not from the scheme name.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "sim/common/precision.h"

namespace eoqsim {

enum class Phase : uint8_t { Fwd, BwdE, BwdW, Upd };
constexpr int kNumPhases = 4;
const char* phase_name(Phase p);
Phase parse_phase(const std::string& s);  // throws std::invalid_argument

// The unit kinds an op can need; chips name them in their config.
enum class UnitKind : uint8_t { PeArray, Quant, Norm, Vector, Update };
constexpr int kNumUnitKinds = 5;
const char* unit_kind_name(UnitKind u);  // "pe_array", "quant_unit", ...
UnitKind parse_unit_kind(const std::string& s);

enum class TensorKind : uint8_t {
  Input,       // network input (read from DRAM)
  Activation,  // produced in the forward pass
  Error,       // produced in error backprop
  Gradient,    // parameter gradients
  Weight,      // parameters as the PE array / units read them
  Master,      // parameters as the optimizer stores them (same as Weight when equal)
  State,       // optimizer state (momentum)
  Stat,        // per-channel or per-tensor statistics and scales
};
const char* tensor_kind_name(TensorKind k);
TensorKind parse_tensor_kind(const std::string& s);
// Parameters and optimizer state live across steps (always in DRAM, never freed).
inline bool is_persistent(TensorKind k) {
  return k == TensorKind::Weight || k == TensorKind::Master || k == TensorKind::State;
}

struct Tensor {
  std::string name;
  int64_t elements = 0;
  Precision precision;
  TensorKind kind = TensorKind::Activation;
  uint64_t bytes = 0;  // storage bytes under the scheme's storage mode
  bool external = false;  // produced by a phase left out of this trace: it comes from DRAM
};

enum class OpKind : uint8_t {
  Gemm,          // conv / fc on the PE array, any role
  Quantize,      // convert to the output tensor's precision with op.quantizer
  ReduceMaxAbs,  // per-tensor max|x| for power-of-two scaling
  Pow2Scale,     // max -> nearest power of two (a priority encoder), per tensor
  ReduceSum,     // per-group sum
  ReduceSumSq,   // per-group sum of squares
  ReduceDot,     // per-group sum of products of two streams
  BnMoments,     // per channel: mean, variance from the two sums
  Sqrt,          // per channel square root
  Recip,         // per channel reciprocal (a division)
  Normalize,     // (x - mean) * (1/sigma)
  NormalizeDiv,  // (x - mean) / sigma, dividing every element
  Affine,        // gamma * x + beta
  BnFold,        // per channel: a = gamma/sigma, b = beta - mean*a
  ScaleShift,    // a * x + b per channel
  RunningStats,  // update of BN running mean and variance
  BnBwdStats,    // sum(dy), sum(dy * xhat), recomputing xhat from x
  BnBwdStatsXhat,  // the same reading a stored xhat
  BnBwdDx,       // dx from dy, x (xhat recomputed) and the two sums
  BnBwdDxXhat,   // the same reading a stored xhat
  AddParam,      // x + p (p a scalar or per-channel parameter)
  MulParam,      // x * p
  Add,           // a + b
  Relu,
  ReluBwd,       // dy masked by the saved activation's sign
  Relu6,         // clamp to [0, 6]: two compares
  Relu6Bwd,      // dy masked where 0 < y < 6: two compares
  MaxPool,
  MaxPoolBwd,
  AvgPool,
  AvgPoolBwd,
  Copy,          // data movement (option-A shortcut)
  SoftmaxCe,     // softmax + cross-entropy loss
  SoftmaxCeBwd,  // softmax - one-hot
  SgdUpdate,     // momentum SGD: m = mu*m + g (+ wd*w); w -= lr*m
  AdamUpdate,    // Adam/AdamW: m, v moments; w -= lr_t * m / (sqrt(v) + eps) (+ decay)
};
const char* op_kind_name(OpKind k);
OpKind parse_op_kind(const std::string& s);

enum class GemmRole : uint8_t { Forward, Error, WeightGrad };
const char* gemm_role_name(GemmRole r);

// Conv geometry with the batch; an FC layer is a 1x1 conv on a 1x1 map with cin = in features.
struct ConvGeom {
  int64_t batch = 1, cin = 0, hin = 1, win = 1, cout = 0, kh = 1, kw = 1, sh = 1, sw = 1, ph = 0, pw = 0,
          groups = 1, hout = 1, wout = 1;
  // Useful MACs: the forward count B*Ho*Wo*Cout*(Cin/g)*kh*kw, also for the backward roles.
  int64_t macs() const { return batch * hout * wout * cout * (cin / groups) * kh * kw; }
};

struct Op {
  OpKind kind = OpKind::Copy;
  UnitKind unit = UnitKind::Vector;
  Phase phase = Phase::Fwd;
  int32_t layer = 0;          // index into Trace::layers
  Precision precision;        // operand arithmetic
  Precision accum;            // accumulation (reductions); equals precision otherwise
  std::vector<int32_t> inputs, outputs;  // tensor ids; inputs[0] is the streamed operand
  int64_t elements = 0;       // elements streamed (per-element work)
  int64_t groups = 0;         // reduction groups / channels (per-group work)
  int64_t window = 1;         // pooling window elements
  bool stochastic = false;    // Quantize / updates: stochastic rounding (one RNG draw per element)
  int32_t quantizer = 0;      // QuantizerKind, for Quantize
  std::string rounding;       // SgdUpdate / AdamUpdate: none | nearest | stochastic
  int64_t weight_decay = 0;   // SgdUpdate / AdamUpdate: 1 when the update includes weight decay
  // Gemm only.
  GemmRole role = GemmRole::Forward;
  ConvGeom conv;
};

struct TraceLayer {
  std::string name;
  std::string type;
};

struct Trace {
  std::string network, scheme, mode;  // mode: "train" | "infer"
  int64_t batch = 1;
  bool packed_storage = false;
  std::vector<std::string> notes;  // conversions and assumptions made while lowering
  std::vector<TraceLayer> layers;
  std::vector<Tensor> tensors;
  std::vector<Op> ops;

  uint64_t tensor_bytes(int64_t elements, const Precision& p) const;
  // Keeps the ops of the given phases, in order; tensors and layers are kept as they are.
  Trace filtered(const std::vector<Phase>& phases) const;
  // Checks ids, element counts and per-kind arity; throws InputError naming `file` and op index.
  void validate(const std::string& file) const;
};

// GEMM view of a GEMM op: C[M x N] += A[M x K] * B[K x N], `count` independent instances
// (groups, or the stride phases of a strided error conv). Documented in workloads/README.md.
struct GemmPart {
  int64_t m = 0, k = 0, n = 0, count = 1;
};
std::vector<GemmPart> gemm_parts(const Op& op);
int64_t gemm_executed_macs(const Op& op);  // sum of m*k*n*count over parts

}  // namespace eoqsim
