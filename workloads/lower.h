// Lowering of a network under a training scheme into the Trace of one step.
//
// Training: `fwd` for every layer, then per layer in reverse order its `bwd_e` (error into its
// input; none into the first layer) and `bwd_w` (its parameter gradients), then `upd` for every
// parameter. Inference: `fwd` only, BN with running statistics, ending at the logits.
// The rules (where quantization happens, what is saved for backward, how Fixup biases in front
// of a conv are applied) are documented in workloads/README.md.
#pragma once
#include "workloads/graph.h"
#include "workloads/scheme.h"
#include "workloads/trace.h"

namespace eoqsim {

enum class Mode { Train, Infer };

// Throws InputError when the network and scheme do not fit together or the batch is out of range.
Trace lower(const Graph& graph, const Scheme& scheme, int64_t batch, Mode mode);

}  // namespace eoqsim
