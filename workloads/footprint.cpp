#include "workloads/footprint.h"

#include <vector>

namespace eoqsim {

MemoryFootprint analyze_memory(const Trace& t) {
  MemoryFootprint m;
  const size_t n = t.tensors.size();
  std::vector<int> last_use(n, -1), first_def(n, -1);
  std::vector<bool> saved(n, false);
  std::vector<Phase> def_phase(n, Phase::Fwd);
  for (size_t i = 0; i < t.ops.size(); ++i) {
    const Op& op = t.ops[i];
    for (int32_t id : op.inputs) {
      last_use[id] = static_cast<int>(i);
      if (first_def[id] >= 0 && def_phase[id] == Phase::Fwd && op.phase != Phase::Fwd) saved[id] = true;
    }
    for (int32_t id : op.outputs) {
      if (first_def[id] < 0) {
        first_def[id] = static_cast<int>(i);
        def_phase[id] = op.phase;
      }
      last_use[id] = std::max(last_use[id], static_cast<int>(i));
    }
  }
  uint64_t live = 0;
  std::vector<std::vector<int>> frees(t.ops.size());
  for (size_t id = 0; id < n; ++id) {
    const Tensor& x = t.tensors[id];
    if (x.kind == TensorKind::Weight || x.kind == TensorKind::Master) m.weight_bytes += x.bytes;
    if (x.kind == TensorKind::State) m.optimizer_state_bytes += x.bytes;
    if (saved[id]) m.saved_activation_bytes += x.bytes;
    // Persistent tensors, the input and anything read before this trace produces it (a phase
    // run on its own) exist from the start; the rest from their producer.
    const bool preexisting = is_persistent(x.kind) || first_def[id] < 0;
    if (preexisting && (is_persistent(x.kind) || last_use[id] >= 0)) live += x.bytes;
    if (!is_persistent(x.kind) && last_use[id] >= 0) frees[last_use[id]].push_back(static_cast<int>(id));
  }
  m.peak_bytes = live;
  for (size_t i = 0; i < t.ops.size(); ++i) {
    for (int32_t id : t.ops[i].outputs)
      if (first_def[id] == static_cast<int>(i) && !is_persistent(t.tensors[id].kind)) live += t.tensors[id].bytes;
    m.peak_bytes = std::max(m.peak_bytes, live);
    for (int id : frees[i]) live -= t.tensors[id].bytes;
  }
  return m;
}

}  // namespace eoqsim
