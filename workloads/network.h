// Resolves --network: a built-in name (optionally "name:bn" / "name:fixup" to force a form) or a
// network JSON file. Built-ins are built in the form the scheme asks for.
#pragma once
#include <string>
#include <vector>

#include "workloads/graph.h"
#include "workloads/scheme.h"

namespace eoqsim {

Graph load_network(const std::string& name_or_path, const Scheme& scheme, std::vector<std::string>* notes);

}  // namespace eoqsim
