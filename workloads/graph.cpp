#include "workloads/graph.h"

#include <stdexcept>

#include "sim/common/error.h"
#include "sim/common/json.h"

namespace eoqsim {

std::string Shape::str() const {
  return std::to_string(c) + "x" + std::to_string(h) + "x" + std::to_string(w);
}

namespace {
struct TypeName {
  LayerType type;
  const char* name;
};
constexpr TypeName kTypeNames[] = {
    {LayerType::Conv, "conv"},           {LayerType::Fc, "fc"},
    {LayerType::BatchNorm, "batchnorm"}, {LayerType::Relu, "relu"},
    {LayerType::Relu6, "relu6"},
    {LayerType::MaxPool, "maxpool"},     {LayerType::AvgPool, "avgpool"},
    {LayerType::Add, "add"},             {LayerType::FixupBias, "fixup_bias"},
    {LayerType::FixupScale, "fixup_scale"}, {LayerType::ShortcutA, "shortcut_a"},
    {LayerType::Loss, "loss"},
};
}  // namespace

const char* layer_type_name(LayerType t) {
  for (const auto& tn : kTypeNames)
    if (tn.type == t) return tn.name;
  return "?";
}

LayerType parse_layer_type(const std::string& s) {
  for (const auto& tn : kTypeNames)
    if (s == tn.name) return tn.type;
  std::string known;
  for (const auto& tn : kTypeNames) known += (known.empty() ? "" : ", ") + std::string(tn.name);
  throw std::invalid_argument("unknown layer type \"" + s + "\"; expected one of " + known);
}

int64_t Layer::weight_elements() const {
  if (type == LayerType::Conv) return out_channels * (in.c / groups) * kh * kw;
  if (type == LayerType::Fc) return out_channels * (in.elements() / tokens);
  if (type == LayerType::BatchNorm) return 2 * in.c;
  if (type == LayerType::FixupBias || type == LayerType::FixupScale) return 1;
  return 0;
}

int64_t Layer::parameter_elements() const {
  int64_t n = weight_elements();
  if (bias && is_gemm()) n += out_channels;
  return n;
}

int64_t Layer::forward_macs_per_sample() const {
  if (type == LayerType::Conv) return out.h * out.w * out_channels * (in.c / groups) * kh * kw;
  if (type == LayerType::Fc) return in.elements() * out_channels;  // tokens x features x out
  return 0;
}

int Graph::find(const std::string& layer_name) const {
  for (size_t i = 0; i < layers.size(); ++i)
    if (layers[i].name == layer_name) return static_cast<int>(i);
  return -1;
}

bool Graph::has_batchnorm() const {
  for (const auto& l : layers)
    if (l.type == LayerType::BatchNorm) return true;
  return false;
}

std::vector<std::vector<int>> Graph::consumers() const {
  std::vector<std::vector<int>> out(layers.size());
  for (size_t i = 0; i < layers.size(); ++i)
    for (int in : layers[i].inputs)
      if (in != kNetworkInput) out[in].push_back(static_cast<int>(i));
  return out;
}

void Graph::infer_shapes(const std::string& file) {
  // A simulation multiplies these by the batch; keep every per-sample tensor comfortably
  // inside 64-bit arithmetic so later products cannot overflow.
  constexpr int64_t kMaxDim = 1 << 20;
  constexpr int64_t kMaxElements = int64_t(1) << 34;
  auto check_dim = [&](const std::string& where, const char* what, int64_t v, int64_t min) {
    if (v < min || v > kMaxDim)
      throw InputError(file, where, std::string(what) + " must be between " + std::to_string(min) + " and " +
                                        std::to_string(kMaxDim) + ", found " + std::to_string(v));
  };
  if (input.c < 1 || input.h < 1 || input.w < 1 || input.c > kMaxDim || input.h > kMaxDim || input.w > kMaxDim)
    throw InputError(file, "input.shape", "expected three positive dimensions [C, H, W], found " + input.str());
  if (layers.empty()) throw InputError(file, "layers", "a network needs at least one layer");
  for (size_t i = 0; i < layers.size(); ++i) {
    Layer& L = layers[i];
    const std::string where = index_path("layers", i) + " (\"" + L.name + "\")";
    if (L.name.empty()) throw InputError(file, index_path("layers", i), "layer has an empty name");
    for (size_t j = 0; j < i; ++j)
      if (layers[j].name == L.name) throw InputError(file, where, "duplicate layer name \"" + L.name + "\"");
    size_t want = L.type == LayerType::Add ? 2 : 1;
    if (L.inputs.size() != want)
      throw InputError(file, where, std::string(layer_type_name(L.type)) + " takes " + std::to_string(want) +
                                        " input(s), found " + std::to_string(L.inputs.size()));
    for (int in : L.inputs)
      if (in != kNetworkInput && (in < 0 || in >= static_cast<int>(i)))
        throw InputError(file, where, "inputs must name earlier layers (the graph must be in topological order)");
    auto shape_of = [&](int idx) { return idx == kNetworkInput ? input : layers[idx].out; };
    L.in = shape_of(L.inputs[0]);
    if (L.has_input_shape) {
      if (L.inputs[0] != kNetworkInput) throw InputError(file, where, "only a layer reading the network input can set input_shape");
      if (L.input_shape.c < 1 || L.input_shape.h < 1 || L.input_shape.w < 1 || L.input_shape.c > kMaxDim ||
          L.input_shape.h > kMaxDim || L.input_shape.w > kMaxDim)
        throw InputError(file, where, "input_shape must have three positive dimensions, found " + L.input_shape.str());
      L.in = L.input_shape;
    }
    // A sliding window (conv kernel or pooling window): checks its geometry, returns Ho x Wo.
    auto window = [&](const char* what) -> std::pair<int64_t, int64_t> {
      check_dim(where, "kernel", L.kh, 1);
      check_dim(where, "kernel", L.kw, 1);
      check_dim(where, "stride", L.sh, 1);
      check_dim(where, "stride", L.sw, 1);
      check_dim(where, "padding", L.ph, 0);
      check_dim(where, "padding", L.pw, 0);
      const int64_t hp = L.in.h + 2 * L.ph, wp = L.in.w + 2 * L.pw;
      if (hp < L.kh || wp < L.kw)
        throw InputError(file, where, std::string(what) + " " + std::to_string(L.kh) + "x" + std::to_string(L.kw) +
                                          " is larger than the padded input " + std::to_string(hp) + "x" +
                                          std::to_string(wp));
      if (L.ceil_mode) return {(hp - L.kh + L.sh - 1) / L.sh + 1, (wp - L.kw + L.sw - 1) / L.sw + 1};
      return {(hp - L.kh) / L.sh + 1, (wp - L.kw) / L.sw + 1};
    };
    switch (L.type) {
      case LayerType::Conv: {
        check_dim(where, "out_channels", L.out_channels, 1);
        check_dim(where, "groups", L.groups, 1);
        if (L.in.c % L.groups != 0 || L.out_channels % L.groups != 0)
          throw InputError(file, where, "groups (" + std::to_string(L.groups) + ") must divide input channels (" +
                                            std::to_string(L.in.c) + ") and out_channels (" +
                                            std::to_string(L.out_channels) + ")");
        const auto [ho, wo] = window("kernel");
        L.out = {L.out_channels, ho, wo};
        break;
      }
      case LayerType::Fc:
        check_dim(where, "out_features", L.out_channels, 1);
        check_dim(where, "tokens", L.tokens, 1);
        if (L.in.elements() % L.tokens != 0)
          throw InputError(file, where, "input of " + std::to_string(L.in.elements()) + " elements does not split into " +
                                            std::to_string(L.tokens) + " tokens");
        L.out = {L.out_channels, L.tokens, 1};
        break;
      case LayerType::MaxPool: {
        const auto [ho, wo] = window("pooling window");
        L.out = {L.in.c, ho, wo};
        break;
      }
      case LayerType::AvgPool:
        L.out = {L.in.c, 1, 1};
        break;
      case LayerType::Add:
        if (!(shape_of(L.inputs[0]) == shape_of(L.inputs[1])))
          throw InputError(file, where, "add needs inputs of equal shape, found " + shape_of(L.inputs[0]).str() +
                                            " and " + shape_of(L.inputs[1]).str());
        L.out = L.in;
        break;
      case LayerType::ShortcutA:
        check_dim(where, "out_channels", L.out_channels, 1);
        check_dim(where, "stride", L.sh, 1);
        check_dim(where, "stride", L.sw, 1);
        if (L.out_channels < L.in.c)
          throw InputError(file, where, "option-A shortcut cannot reduce channels (" + std::to_string(L.in.c) +
                                            " -> " + std::to_string(L.out_channels) + ")");
        L.out = {L.out_channels, (L.in.h + L.sh - 1) / L.sh, (L.in.w + L.sw - 1) / L.sw};
        break;
      case LayerType::Loss:
        if (i + 1 != layers.size()) throw InputError(file, where, "the loss must be the last layer");
        L.out = L.in;
        break;
      case LayerType::BatchNorm:
      case LayerType::Relu:
      case LayerType::Relu6:
      case LayerType::FixupBias:
      case LayerType::FixupScale:
        L.out = L.in;
        break;
    }
    if (L.out.elements() > kMaxElements || L.out.c > kMaxDim)
      throw InputError(file, where, "output tensor of " + L.out.str() + " elements per sample is too large to simulate");
  }
}

}  // namespace eoqsim
