#include "workloads/network.h"

#include "sim/common/error.h"
#include "sim/common/json.h"
#include "workloads/scalesim_csv.h"
#include "workloads/serialize.h"
#include "workloads/zoo.h"

namespace eoqsim {

Graph load_network(const std::string& name_or_path, const Scheme& scheme, std::vector<std::string>* notes) {
  if (name_or_path.size() > 4 && name_or_path.substr(name_or_path.size() - 4) == ".csv") {
    Graph g = load_scalesim_csv(name_or_path);
    if (notes)
      notes->push_back("SCALE-Sim topology " + name_or_path + " imported as " + std::to_string(g.layers.size()) +
                       " independent layers (unpadded convs, ceil output size, depthwise rows split per channel)");
    return g;
  }
  const bool is_path = name_or_path.find('/') != std::string::npos ||
                       (name_or_path.size() > 5 && name_or_path.substr(name_or_path.size() - 5) == ".json");
  if (is_path) {
    Graph g = network_from_json(load_json_file(name_or_path), name_or_path);
    if (notes) notes->push_back("network loaded from " + name_or_path);
    return g;
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
  if (notes)
    notes->push_back("built-in network " + name + " in its " + (form == zoo::Form::Fixup ? "Fixup" : "BatchNorm") +
                     " form" + (colon == std::string::npos ? " (the form scheme " + scheme.name + " uses)" : ""));
  return g;
}

}  // namespace eoqsim
