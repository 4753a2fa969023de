#include "workloads/network.h"

#include "sim/common/error.h"
#include "sim/common/json.h"
#include "workloads/fixup.h"
#include "workloads/onnx_import.h"
#include "workloads/scalesim_csv.h"
#include "workloads/serialize.h"
#include "workloads/zoo.h"

namespace eoqsim {

Graph for_scheme(Graph g, const Scheme& scheme, std::vector<std::string>* notes) {
  if (notes)
    for (const auto& n : g.notes) notes->push_back(g.name + ": " + n);
  if (scheme.uses_bn() || !g.has_batchnorm()) return g;
  FixupConversion f = to_fixup(g);
  if (notes) notes->push_back(g.name + ": " + f.summary());
  f.graph.notes = g.notes;
  f.graph.notes.push_back(f.summary());
  return std::move(f.graph);
}

Graph load_network(const std::string& name_or_path, const Scheme& scheme, std::vector<std::string>* notes) {
  if (name_or_path.size() > 4 && name_or_path.substr(name_or_path.size() - 4) == ".csv") {
    Graph g = load_scalesim_csv(name_or_path);
    if (notes)
      notes->push_back("SCALE-Sim topology " + name_or_path + " imported as " + std::to_string(g.layers.size()) +
                       " independent layers (unpadded convs, ceil output size, depthwise rows split per channel)");
    return g;
  }
  if (name_or_path.size() > 5 && name_or_path.substr(name_or_path.size() - 5) == ".onnx") {
    Graph g = load_onnx(name_or_path);
    if (notes) notes->push_back("network imported from ONNX " + name_or_path);
    return for_scheme(std::move(g), scheme, notes);
  }
  const bool is_path = name_or_path.find('/') != std::string::npos ||
                       (name_or_path.size() > 5 && name_or_path.substr(name_or_path.size() - 5) == ".json");
  if (is_path) {
    Graph g = network_from_json(load_json_file(name_or_path), name_or_path);
    if (notes) notes->push_back("network loaded from " + name_or_path);
    return for_scheme(std::move(g), scheme, notes);
  }
  std::string name = name_or_path;
  zoo::Form form = scheme.uses_bn() ? zoo::Form::BatchNorm : zoo::Form::Fixup;
  auto colon = name.find(':');
  if (colon != std::string::npos) {
    const std::string f = name.substr(colon + 1);
    name = name.substr(0, colon);
    if (f == "bn") form = zoo::Form::BatchNorm;
    else if (f == "fixup") form = zoo::Form::Fixup;
    else throw InputError("", "--network", "unknown form \"" + f + "\" in \"" + name_or_path + "\"; expected :bn or :fixup");
  }
  Graph g = zoo::build(name, form);
  if (notes) {
    notes->push_back("built-in network " + name + " in its " + (form == zoo::Form::Fixup ? "Fixup" : "BatchNorm") +
                     " form" + (colon == std::string::npos ? " (the form scheme " + scheme.name + " uses)" : ""));
    for (const auto& n : g.notes) notes->push_back(n);
  }
  return g;
}

Trace lower_workload(const std::string& network, const Scheme& scheme, int64_t batch, Mode mode) {
  std::vector<std::string> notes;
  const Graph g = load_network(network, scheme, &notes);
  Trace t = lower(g, scheme, batch, mode);
  t.notes.insert(t.notes.begin(), notes.begin(), notes.end());
  for (const auto& a : scheme.assumptions) t.notes.push_back("scheme " + scheme.name + ": " + a);
  return t;
}

}  // namespace eoqsim
