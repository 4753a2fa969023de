// Resolves --network: a built-in name (optionally "name:bn" / "name:fixup" to force a form), a
// network JSON file (e.g. from workloads/export_torch.py), an ONNX model (.onnx) or a SCALE-Sim
// topology (.csv). Built-ins are built in the form the scheme asks for; a file network with BN
// layers meets a scheme without BN converted to its Fixup form (workloads/fixup.h), which the
// notes say.
#pragma once
#include <string>
#include <vector>

#include "workloads/graph.h"
#include "workloads/lower.h"
#include "workloads/scheme.h"

namespace eoqsim {

Graph load_network(const std::string& name_or_path, const Scheme& scheme, std::vector<std::string>* notes);

// The network as `scheme` runs it: converted to its Fixup form when the scheme has no BN and the
// network has BN layers. Appends the network's own notes and the conversion to `notes`.
Graph for_scheme(Graph g, const Scheme& scheme, std::vector<std::string>* notes);

// The network lowered under the scheme, with the notes of both (what the network leaves out,
// conversions, the scheme's assumptions).
Trace lower_workload(const std::string& network, const Scheme& scheme, int64_t batch, Mode mode);

}  // namespace eoqsim
