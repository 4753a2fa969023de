#include "workloads/fixup.h"

#include <map>

namespace eoqsim {

namespace {

// Index of the layer a value comes from once BN layers are bypassed.
int skip_bn(const Graph& g, int i) {
  while (i != kNetworkInput && g.layers[i].type == LayerType::BatchNorm) i = g.layers[i].inputs[0];
  return i;
}

// GEMMs on the chain that ends at layer `i`, walking back through single-input layers to the
// fork of the residual block (the first layer whose output several layers read) or the input.
int gemms_back_to_fork(const Graph& g, const std::vector<std::vector<int>>& consumers, int i) {
  int n = 0;
  while (i != kNetworkInput && consumers[i].size() <= 1) {
    const Layer& L = g.layers[i];
    if (L.is_gemm()) ++n;
    if (L.inputs.size() != 1) break;
    i = L.inputs[0];
  }
  return n;
}

}  // namespace

std::string FixupConversion::summary() const {
  return "converted to Fixup form for a scheme without BatchNorm: " + std::to_string(removed_bn) +
         " BatchNorm layers removed, " + std::to_string(biases) + " scalar biases and " + std::to_string(scales) +
         " scalar multipliers added (reference/papers.md 2.3)";
}

FixupConversion to_fixup(const Graph& g) {
  const auto consumers = g.consumers();
  const size_t n = g.layers.size();
  // Role of each conv whose BN is removed: what follows it.
  enum class After { Nothing, Bias, ScaleBias };
  std::vector<After> after(n, After::Nothing);
  for (size_t i = 0; i < n; ++i) {
    const Layer& L = g.layers[i];
    if (L.type != LayerType::BatchNorm) continue;
    const int src = skip_bn(g, L.inputs[0]);
    if (src == kNetworkInput) continue;
    // Where the BN's output goes once BNs are bypassed: into an Add as the residual branch
    // (more GEMMs back to the fork than the other input: a multiplier and a bias), as the
    // shortcut (fewer: nothing, as Fixup's downsample), or elsewhere (a bias).
    After role = After::Bias;
    for (int c : consumers[i]) {
      const Layer& C = g.layers[c];
      if (C.type != LayerType::Add) continue;
      const int other = C.inputs[0] == static_cast<int>(i) ? C.inputs[1] : C.inputs[0];
      const int mine = gemms_back_to_fork(g, consumers, static_cast<int>(i));
      const int theirs = gemms_back_to_fork(g, consumers, other);
      role = mine < theirs ? After::Nothing : After::ScaleBias;
    }
    if (g.layers[src].is_gemm()) after[src] = role;
  }

  FixupConversion out;
  Graph& f = out.graph;
  f.name = g.name;
  f.form = "fixup";
  f.input = g.input;
  f.independent = g.independent;
  std::vector<int> map(n, kNetworkInput);       // old layer -> new layer producing its value
  std::map<int, int> input_bias;                // old source value -> its shared input bias
  auto add = [&](Layer l) {
    f.layers.push_back(std::move(l));
    return static_cast<int>(f.layers.size()) - 1;
  };
  auto scalar = [&](const std::string& name, LayerType t, int in) {
    Layer l;
    l.name = name;
    l.type = t;
    l.inputs = {in};
    (t == LayerType::FixupBias ? out.biases : out.scales)++;
    return add(l);
  };
  for (size_t i = 0; i < n; ++i) {
    const Layer& L = g.layers[i];
    if (L.type == LayerType::BatchNorm) {
      ++out.removed_bn;
      map[i] = L.inputs[0] == kNetworkInput ? kNetworkInput : map[L.inputs[0]];
      continue;
    }
    Layer l = L;
    for (size_t k = 0; k < l.inputs.size(); ++k) {
      const int src = L.inputs[k];
      const int mapped = src == kNetworkInput ? kNetworkInput : map[src];
      l.inputs[k] = mapped;
      // GEMMs and parameter-free shortcuts read their input through one shared scalar bias.
      const bool biased_reader = L.is_gemm() || L.type == LayerType::ShortcutA;
      if (biased_reader && src != kNetworkInput) {
        auto it = input_bias.find(mapped);
        if (it == input_bias.end())
          it = input_bias.emplace(mapped, scalar(L.name + ".fixup_bias_in", LayerType::FixupBias, mapped)).first;
        l.inputs[k] = it->second;
      }
    }
    int y = add(l);
    if (L.is_gemm()) {
      if (after[i] == After::Bias) {
        y = scalar(L.name + ".fixup_bias_out", LayerType::FixupBias, y);
      } else if (after[i] == After::ScaleBias) {
        y = scalar(L.name + ".fixup_scale", LayerType::FixupScale, y);
        y = scalar(L.name + ".fixup_bias_out", LayerType::FixupBias, y);
      }
    }
    map[i] = y;
  }
  f.infer_shapes("Fixup form of " + g.name);
  return out;
}

}  // namespace eoqsim
