// A training scheme: per data path, the stored precision and the quantizer applied when a
// tensor is produced; BN or Fixup; optimizer. Schemes are JSON data (configs/schemes/*.json,
// schema "eoqsim.scheme/1", documented in configs/schemes/README.md); no code branches on a
// scheme's name.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "sim/common/json.h"
#include "sim/common/precision.h"

namespace eoqsim {

enum class QuantizerKind {
  None,        // no scaling; a precision change is a plain round-to-nearest conversion
  Direct,      // Q(x,k): round onto a fixed grid (WAGEUBN §1.2), no per-tensor statistic
  Clip,        // direct + clip to the grid's range
  Shift,       // per-tensor max|x| -> power-of-two scale -> round and clip (WAGEUBN E1)
  Flag,        // shift-scaled two-range "flag" format (WAGEUBN E2)
  ConstantSr,  // per-tensor max|x| -> constant quantization with stochastic rounding (WAGEUBN G)
  Sr,          // stochastic rounding onto a fixed grid, no per-tensor statistic
};

QuantizerKind parse_quantizer(const std::string& s);  // throws std::invalid_argument
const char* quantizer_name(QuantizerKind q);
std::vector<std::string> quantizer_names();
bool quantizer_needs_max(QuantizerKind q);  // needs a per-tensor max|x| reduction first
bool quantizer_stochastic(QuantizerKind q);  // draws one random number per element

// Where a per-tensor scale comes from. `current` is what WAGEUBN's code does: the tensor's own
// max, which makes quantization wait until the whole tensor exists. `delayed` uses the max
// measured on the previous step, so quantization can stream.
enum class ScaleSource { Current, Delayed };

struct DataPath {
  Precision precision;
  QuantizerKind quantizer = QuantizerKind::None;
  ScaleSource scale = ScaleSource::Current;
  std::string note;  // why this value: a source or a marked assumption
};

struct BnSpec {
  Precision forward;           // statistics, normalize and affine arithmetic
  Precision backward;          // BN backward arithmetic
  Precision stats;             // stored mean and 1/sigma (or sigma)
  Precision params;            // gamma and beta
  bool divide_per_element = false;  // false: one reciprocal per channel, then multiply
  bool save_xhat = false;           // false: backward reads x and recomputes x-hat
  Precision xhat;                   // x-hat storage when save_xhat
  bool inference_folded = false;    // folded: scale/shift per channel; unfolded: sub, div, mul, add
  DataPath input;                   // a GEMM output that feeds BN is stored this way (WAGEUBN: accumulator width)
  DataPath error;                   // errors leaving BN backward (WAGEUBN's E2)
};

struct OptimizerSpec {
  std::string kind = "sgd_momentum";  // sgd_momentum | adam | adamw
  bool weight_decay = true;           // adam: L2 added to the gradient; adamw: decoupled decay
  std::string rounding = "none";      // rounding of updated weights: none | nearest | stochastic
  bool adaptive() const { return kind == "adam" || kind == "adamw"; }
};

// Data paths and arithmetic that differ for the network's first or last GEMM layer (WAGEUBN keeps
// its first conv and last FC in FP32). Unset fields take the scheme's values.
struct LayerOverride {
  std::optional<DataPath> input;  // first GEMM only: the network input as stored
  std::optional<DataPath> weight, master, momentum, second_moment, gradient, accumulator, activation;
  std::optional<DataPath> output_error;  // last GEMM only: the loss gradient it receives
  std::optional<Precision> mac_fwd, mac_bwd_e, mac_bwd_w, update;
  bool empty() const {
    return !input && !weight && !master && !momentum && !second_moment && !gradient && !accumulator && !activation &&
           !output_error && !mac_fwd && !mac_bwd_e && !mac_bwd_w && !update;
  }
};

struct Scheme {
  std::string name, description, file;
  std::string normalization;      // "bn" or "fixup"
  bool packed_storage = false;    // false: each element takes whole bytes
  DataPath weight, master, activation, error, gradient, momentum, accumulator, fixup;
  DataPath second_moment;        // Adam's v (adam / adamw only)
  Precision mac_fwd, mac_bwd_e, mac_bwd_w;  // PE-array MAC precision per phase
  Precision vector;              // element-wise arithmetic (ReLU, residual add, pooling, Fixup)
  Precision loss;                // softmax / cross-entropy
  Precision update;              // optimizer arithmetic
  BnSpec bn;                     // meaningful when normalization == "bn"
  OptimizerSpec optimizer;
  LayerOverride first_gemm, last_gemm;
  std::vector<std::string> assumptions;
  ordered_json resolved;         // the scheme with defaults filled, for config.resolved.json

  bool uses_bn() const { return normalization == "bn"; }
  // This scheme as it applies to a layer with override `o`.
  Scheme with(const LayerOverride& o) const;
  // Bytes a tensor of `elements` elements occupies at precision `p` under this scheme's storage.
  uint64_t bytes(uint64_t elements, const Precision& p) const;
};

// Reads and validates a scheme object; errors name `file` and the JSON path.
Scheme parse_scheme(const json& j, const std::string& file);
// NAME resolves to the built-in configs/schemes/NAME.json; anything with a '/' or ending in
// .json is a file path.
Scheme load_scheme(const std::string& name_or_path);
std::vector<std::string> builtin_scheme_names();

}  // namespace eoqsim
