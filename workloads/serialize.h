// JSON forms of networks ("eoqsim.network/1") and traces ("eoqsim.trace/1"), documented in
// workloads/README.md. Readers validate everything and throw InputError naming file and path.
#pragma once
#include <string>

#include "sim/common/json.h"
#include "workloads/graph.h"
#include "workloads/trace.h"

namespace eoqsim {

ordered_json network_to_json(const Graph& g);
Graph network_from_json(const json& j, const std::string& file);

ordered_json trace_to_json(const Trace& t);
Trace trace_from_json(const json& j, const std::string& file);

}  // namespace eoqsim
