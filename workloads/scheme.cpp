#include "workloads/scheme.h"

#include <stdexcept>

#include "sim/common/data.h"
#include "sim/common/error.h"

namespace eoqsim {

namespace {
struct QuantizerInfo {
  QuantizerKind kind;
  const char* name;
  bool needs_max;
  bool stochastic;
};
constexpr QuantizerInfo kQuantizers[] = {
    {QuantizerKind::None, "none", false, false},      {QuantizerKind::Direct, "direct", false, false},
    {QuantizerKind::Clip, "clip", false, false},      {QuantizerKind::Shift, "shift", true, false},
    {QuantizerKind::Flag, "flag", true, false},       {QuantizerKind::ConstantSr, "constant_sr", true, true},
    {QuantizerKind::Sr, "sr", false, true},
};
const QuantizerInfo& info(QuantizerKind q) {
  for (const auto& i : kQuantizers)
    if (i.kind == q) return i;
  throw std::logic_error("quantizer without table entry");
}
}  // namespace

QuantizerKind parse_quantizer(const std::string& s) {
  for (const auto& i : kQuantizers)
    if (s == i.name) return i.kind;
  throw std::invalid_argument("unknown quantizer \"" + s + "\"");
}
const char* quantizer_name(QuantizerKind q) { return info(q).name; }
std::vector<std::string> quantizer_names() {
  std::vector<std::string> out;
  for (const auto& i : kQuantizers) out.push_back(i.name);
  return out;
}
bool quantizer_needs_max(QuantizerKind q) { return info(q).needs_max; }
bool quantizer_stochastic(QuantizerKind q) { return info(q).stochastic; }

uint64_t Scheme::bytes(uint64_t elements, const Precision& p) const {
  if (packed_storage) return (elements * static_cast<uint64_t>(p.bits) + 7) / 8;
  return elements * static_cast<uint64_t>((p.bits + 7) / 8);
}

namespace {

Precision read_precision(ParamReader& r, const std::string& name, const std::string& desc,
                         std::optional<std::string> def) {
  std::string s = r.string(name, desc + " (int<N>, fp16, bf16 or fp32)", def);
  if (r.describing()) return Precision{};
  try {
    return Precision::parse(s);
  } catch (const std::invalid_argument& e) {
    throw InputError(r.file(), r.where(name), e.what());
  }
}

DataPath read_path(ParamReader& parent, const std::string& name, const std::string& desc,
                   std::optional<std::string> default_precision, const std::string& default_quantizer) {
  ParamReader r = parent.child(name, desc);
  DataPath p;
  p.precision = read_precision(r, "precision", "stored precision", default_precision);
  p.quantizer = parse_quantizer(r.choice("quantizer", "quantizer applied when the tensor is produced",
                                         quantizer_names(), default_quantizer));
  p.scale = r.choice("scale", "per-tensor scale source for max-based quantizers", {"current", "delayed"},
                     "current") == "current"
                ? ScaleSource::Current
                : ScaleSource::Delayed;
  p.note = r.string("note", "source of the value, or the assumption it rests on", "");
  r.finish();
  parent.put_resolved(name, r.resolved());
  return p;
}

LayerOverride read_override(ParamReader& parent, const std::string& name, const std::string& desc) {
  ParamReader r = parent.child(name, desc);
  LayerOverride o;
  auto path = [&](const char* key, const char* what) -> std::optional<DataPath> {
    if (!r.has(key) && !r.describing()) return std::nullopt;
    return read_path(r, key, what, std::nullopt, "none");
  };
  auto prec = [&](const char* key, const char* what) -> std::optional<Precision> {
    if (!r.has(key) && !r.describing()) return std::nullopt;
    return read_precision(r, key, what, std::nullopt);
  };
  o.input = path("input", "the network input as stored (first_gemm only)");
  o.weight = path("weight", "W as the PE array reads it");
  o.master = path("master", "weights as stored and updated");
  o.momentum = path("momentum", "optimizer momentum");
  o.second_moment = path("second_moment", "Adam's second moment");
  o.gradient = path("gradient", "weight gradient");
  o.accumulator = path("accumulator", "GEMM accumulator");
  o.activation = path("activation", "the layer's output as stored");
  o.output_error = path("output_error", "the loss gradient the layer receives (last_gemm only)");
  o.mac_fwd = prec("mac_fwd", "forward MAC precision");
  o.mac_bwd_e = prec("mac_bwd_e", "error-backprop MAC precision");
  o.mac_bwd_w = prec("mac_bwd_w", "weight-gradient MAC precision");
  o.update = prec("update", "optimizer arithmetic");
  r.finish();
  parent.put_resolved(name, r.resolved());
  return o;
}

}  // namespace

Scheme Scheme::with(const LayerOverride& o) const {
  Scheme s = *this;
  auto set = [](DataPath& d, const std::optional<DataPath>& v) {
    if (v) d = *v;
  };
  auto setp = [](Precision& d, const std::optional<Precision>& v) {
    if (v) d = *v;
  };
  set(s.weight, o.weight);
  set(s.master, o.master);
  set(s.momentum, o.momentum);
  set(s.second_moment, o.second_moment);
  set(s.gradient, o.gradient);
  set(s.accumulator, o.accumulator);
  set(s.activation, o.activation);
  setp(s.mac_fwd, o.mac_fwd);
  setp(s.mac_bwd_e, o.mac_bwd_e);
  setp(s.mac_bwd_w, o.mac_bwd_w);
  setp(s.update, o.update);
  return s;
}

Scheme parse_scheme(const json& j, const std::string& file) {
  ParamReader r(j, file, "");
  Scheme s;
  s.file = file;
  std::string schema = r.string("schema", "schema version", std::nullopt);
  if (schema != "eoqsim.scheme/1")
    throw InputError(file, "schema", "expected \"eoqsim.scheme/1\", found \"" + schema + "\"");
  s.name = r.string("name", "scheme name", std::nullopt);
  s.description = r.string("description", "one-line description", "");
  s.normalization = r.choice("normalization", "how layers normalize: BatchNorm or Fixup scalars", {"bn", "fixup"},
                             std::nullopt);
  s.packed_storage =
      r.choice("storage", "bytes: each element rounds up to whole bytes; packed: bits packed exactly",
               {"bytes", "packed"}, "bytes") == "packed";

  ParamReader t = r.child("tensors", "stored precision and quantizer per data path");
  s.weight = read_path(t, "weight", "W: weights as the PE array reads them", std::nullopt, "none");
  s.master = read_path(t, "master", "weights as stored and updated by the optimizer", std::nullopt, "none");
  s.activation = read_path(t, "activation", "A: activations stored between layers", std::nullopt, "none");
  s.error = read_path(t, "error", "E: errors produced by error backpropagation", std::nullopt, "none");
  s.gradient = read_path(t, "gradient", "G: weight gradients", std::nullopt, "none");
  s.momentum = read_path(t, "momentum", "optimizer momentum state", std::nullopt, "none");
  s.accumulator = read_path(t, "accumulator", "PE-array accumulator (GEMM outputs before quantization)",
                            std::nullopt, "none");
  s.fixup = read_path(t, "fixup", "Fixup scalar multipliers and biases", "fp32", "none");
  s.second_moment = read_path(t, "second_moment", "Adam's second moment v (optimizer adam / adamw)", "fp32", "none");
  t.finish();
  r.put_resolved("tensors", t.resolved());

  ParamReader c = r.child("compute", "arithmetic precision per kind of work");
  s.mac_fwd = read_precision(c, "mac_fwd", "MAC precision of forward GEMMs", std::nullopt);
  s.mac_bwd_e = read_precision(c, "mac_bwd_e", "MAC precision of error-backprop GEMMs", std::nullopt);
  s.mac_bwd_w = read_precision(c, "mac_bwd_w", "MAC precision of weight-gradient GEMMs", std::nullopt);
  s.vector = read_precision(c, "vector", "element-wise arithmetic", std::nullopt);
  s.loss = read_precision(c, "loss", "softmax and cross-entropy", "fp32");
  s.update = read_precision(c, "update", "optimizer arithmetic", std::nullopt);
  c.finish();
  r.put_resolved("compute", c.resolved());

  ParamReader b = r.child("bn", "BatchNorm datapath (schemes with normalization \"bn\")");
  if (s.normalization == "bn" && !b.has("forward"))
    throw InputError(file, "bn", "a scheme with normalization \"bn\" needs a \"bn\" object with at least \"forward\"");
  if (s.normalization == "fixup" && !r.describing() && j.contains("bn"))
    throw InputError(file, "bn", "a scheme with normalization \"fixup\" has no BatchNorm; remove \"bn\"");
  if (s.normalization == "bn" || r.describing()) {
    s.bn.forward = read_precision(b, "forward", "statistics, normalize and affine arithmetic", std::nullopt);
    std::string fwd = s.bn.forward.str();
    s.bn.backward = read_precision(b, "backward", "BN backward arithmetic", fwd);
    s.bn.stats = read_precision(b, "stats", "stored mean and 1/sigma", fwd);
    s.bn.params = read_precision(b, "params", "gamma and beta", fwd);
    s.bn.divide_per_element =
        b.choice("divide", "reciprocal: one division per channel; per_element: divide every element",
                 {"reciprocal", "per_element"}, "reciprocal") == "per_element";
    s.bn.save_xhat = b.choice("save", "what backward reads: the BN input x (x-hat recomputed) or a stored x-hat",
                              {"input", "xhat"}, "input") == "xhat";
    s.bn.xhat = read_precision(b, "xhat", "x-hat storage when save is xhat", fwd);
    s.bn.inference_folded =
        b.choice("inference", "unfolded: sub, div, mul, add per element; folded: per-channel scale and shift",
                 {"unfolded", "folded"}, "unfolded") == "folded";
    s.bn.input = read_path(b, "input",
                           "a GEMM output that feeds BN, as stored (default: same as tensors.activation; WAGEUBN keeps "
                           "the accumulator width)",
                           s.activation.precision.str(), quantizer_name(s.activation.quantizer));
    s.bn.error = read_path(b, "error", "errors leaving BN backward (default: same as tensors.error)",
                           s.error.precision.str(), quantizer_name(s.error.quantizer));
  }
  b.finish();
  if (s.normalization == "bn") r.put_resolved("bn", b.resolved());

  ParamReader o = r.child("optimizer", "optimizer");
  s.optimizer.kind = o.choice("kind",
                              "sgd_momentum; adam (L2 decay in the gradient) or adamw (decoupled decay): one square "
                              "root and one division per parameter",
                              {"sgd_momentum", "adam", "adamw"}, "sgd_momentum");
  s.optimizer.weight_decay = o.boolean("weight_decay", "weight decay term in the update", true);
  s.optimizer.rounding = o.choice("rounding", "rounding of updated weights onto the master grid",
                                  {"none", "nearest", "stochastic"}, "none");
  o.finish();
  r.put_resolved("optimizer", o.resolved());

  ParamReader lo = r.child("layers", "data paths that differ for the first and last GEMM layers");
  s.first_gemm = read_override(lo, "first_gemm", "the network's first conv/FC (e.g. FP32 as in WAGEUBN's code)");
  s.last_gemm = read_override(lo, "last_gemm", "the network's last conv/FC");
  lo.finish();
  if (!s.first_gemm.empty() || !s.last_gemm.empty() || r.describing()) r.put_resolved("layers", lo.resolved());
  if (!r.describing() && s.last_gemm.input)
    throw InputError(file, "layers.last_gemm.input", "only the first GEMM reads the network input; remove \"input\"");
  if (!r.describing() && s.first_gemm.output_error)
    throw InputError(file, "layers.first_gemm.output_error",
                     "only the last GEMM receives the loss gradient; remove \"output_error\"");

  if (!r.describing() && j.contains("assumptions")) {
    const json& a = j["assumptions"];
    if (!a.is_array()) throw InputError(file, "assumptions", "expected a list of strings, found " + json_type_name(a));
    for (size_t i = 0; i < a.size(); ++i) {
      if (!a[i].is_string()) throw InputError(file, index_path("assumptions", i), "expected a string");
      s.assumptions.push_back(a[i].get<std::string>());
    }
  }
  r.allow("assumptions");
  r.finish();
  s.resolved = r.resolved();
  return s;
}

std::vector<std::string> builtin_scheme_names() { return data::names_in("configs/schemes"); }

Scheme load_scheme(const std::string& name_or_path) {
  const bool is_path = name_or_path.find('/') != std::string::npos ||
                       (name_or_path.size() > 5 && name_or_path.substr(name_or_path.size() - 5) == ".json");
  if (is_path) return parse_scheme(load_json_file(name_or_path), name_or_path);
  const std::string builtin = "configs/schemes/" + name_or_path + ".json";
  auto text = data::find(builtin);
  if (!text) {
    std::string known;
    for (const auto& n : builtin_scheme_names()) known += (known.empty() ? "" : ", ") + n;
    throw InputError("", "--scheme", "unknown built-in scheme \"" + name_or_path + "\"; built-ins: " + known +
                                         " (or give a scheme JSON file)");
  }
  return parse_scheme(parse_json_text(*text, builtin), builtin);
}

}  // namespace eoqsim
