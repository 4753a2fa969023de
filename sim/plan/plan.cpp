#include "sim/plan/plan.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "sim/common/error.h"
#include "workloads/prim.h"

namespace eoqsim {

namespace {

std::string op_label(const Trace& t, int32_t i) {
  const Op& op = t.ops[i];
  return "op " + std::to_string(i) + " (" + op_kind_name(op.kind) + " of layer \"" + t.layers[op.layer].name + "\", " +
         phase_name(op.phase) + ")";
}

class Planner {
 public:
  Planner(const Trace& t, const ChipCaps& c) : t_(t), c_(c) {}

  Plan run() {
    check_units();
    index_uses();
    residency();
    form_groups();
    for (auto& g : plan_.groups) classify(g);
    place_resident();
    for (auto& g : plan_.groups) size(g);
    // DRAM layout: every tensor its own 4 KiB-aligned region, in id order. Addresses only decide
    // channels, banks and rows, so regions are not reused across lifetimes.
    plan_.address.resize(t_.tensors.size());
    uint64_t next = 0;
    for (size_t id = 0; id < t_.tensors.size(); ++id) {
      plan_.address[id] = next;
      next += (t_.tensors[id].bytes + 4095) / 4096 * 4096;
    }
    return std::move(plan_);
  }

 private:
  void check_units() {
    for (size_t i = 0; i < t_.ops.size(); ++i) {
      const Op& op = t_.ops[i];
      if (!c_.present[static_cast<int>(op.unit)])
        throw UnsupportedError("", "", op_label(t_, static_cast<int32_t>(i)) + " needs a " + unit_kind_name(op.unit) +
                                           ", which this chip does not have");
    }
  }

  void index_uses() {
    const size_t n = t_.tensors.size();
    producers_.assign(n, {});
    consumers_.assign(n, {});
    for (size_t i = 0; i < t_.ops.size(); ++i) {
      for (int32_t id : t_.ops[i].inputs) consumers_[id].push_back(static_cast<int32_t>(i));
      for (int32_t id : t_.ops[i].outputs) producers_[id].push_back(static_cast<int32_t>(i));
    }
  }

  // Statistics and scales consumed only by the layer and phase that produced them stay in the
  // units' registers; those that cross phases (BN's mean and 1/sigma for backward) go to DRAM,
  // as do those produced by phases left out of the trace. A scale nothing produces (a delayed
  // scale from the previous step) lives in the quantization unit's registers.
  void residency() {
    plan_.onchip.assign(t_.tensors.size(), false);
    for (size_t id = 0; id < t_.tensors.size(); ++id) {
      if (t_.tensors[id].kind != TensorKind::Stat || t_.tensors[id].external) continue;
      bool local = true;
      if (!producers_[id].empty()) {
        const Op& p = t_.ops[producers_[id].front()];
        for (int32_t c : consumers_[id])
          local = local && t_.ops[c].layer == p.layer && t_.ops[c].phase == p.phase;
      }
      plan_.onchip[id] = local;
    }
  }

  bool per_group_only(const Op& op) const { return prim_info(op.kind).per_group_only; }
  // Passes never mix the forward pass, the backward pass and the update; error backprop and
  // weight-gradient work interleave layer by layer, so they may share a pass.
  static bool same_stage(Phase a, Phase b) {
    auto backward = [](Phase p) { return p == Phase::BwdE || p == Phase::BwdW; };
    return a == b || (backward(a) && backward(b));
  }
  bool reduction(const Op& op) const { return prim_info(op.kind).reduction; }

  // Whether `op` (trace index i) can join group g as a streaming op.
  bool joins(const GroupPlan& g, int32_t i) const {
    const Op& op = t_.ops[i];
    const Op& first = t_.ops[g.ops.front()];
    if (!same_stage(op.phase, first.phase)) return false;
    if (op.kind == OpKind::Gemm) return false;
    if (g.kind == GroupPlan::Kind::Scalar) return per_group_only(op) && op.layer == first.layer;
    if (per_group_only(op)) return false;
    if (g.kind == GroupPlan::Kind::Gemm && !c_.fused[static_cast<int>(op.unit)]) return false;
    // The op must stream a tensor the group already streams (reads or produces element-wise).
    std::set<int32_t> streamed, reduced;
    for (int32_t j : g.ops) {
      const Op& o = t_.ops[j];
      if (o.kind == OpKind::Gemm) {
        streamed.insert(o.outputs[0]);
        continue;
      }
      if (!o.inputs.empty()) streamed.insert(o.inputs[0]);
      for (int32_t out : o.outputs) (reduction(o) ? reduced : streamed).insert(out);
    }
    if (g.kind == GroupPlan::Kind::Gemm) {
      // Epilogue ops work on the GEMM's output stream, never on its operands.
      const Op& gemm = t_.ops[g.gemm];
      streamed.erase(gemm.inputs[0]);
      streamed.erase(gemm.inputs[1]);
    }
    if (!streamed.count(op.inputs[0])) return false;
    // Barrier: any other input computed in this pass by a reduction (a whole-tensor result).
    for (size_t k = 1; k < op.inputs.size(); ++k)
      if (reduced.count(op.inputs[k])) return false;
    return true;
  }

  // The trailing element-wise ops of group g that feed only this GEMM's A operand can ride on
  // the array's input path instead: returns how many (0 if none).
  size_t prologue_for(const GroupPlan& g, int32_t gemm_index) const {
    if (g.kind == GroupPlan::Kind::Scalar) return 0;
    const Op& gemm = t_.ops[gemm_index];
    size_t n = 0;
    int32_t want = gemm.inputs[0];  // the tensor the next (later) suffix op must produce
    std::vector<int32_t> suffix;
    for (size_t k = g.ops.size(); k-- > 0;) {
      const Op& o = t_.ops[g.ops[k]];
      if (g.ops[k] == g.gemm || o.outputs.size() != 1 || o.outputs[0] != want) break;
      if (!same_stage(o.phase, gemm.phase)) break;
      if (!prim_info(o.kind).elementwise || !c_.fused[static_cast<int>(o.unit)]) break;
      // Its output must be read by nothing but the GEMM or the suffix ops after it.
      bool private_out = true;
      for (int32_t c : consumers_[want])
        private_out = private_out && (c == gemm_index || std::find(suffix.begin(), suffix.end(), c) != suffix.end());
      if (!private_out) break;
      suffix.push_back(g.ops[k]);
      ++n;
      want = o.inputs[0];
    }
    return n;
  }

  // A per-channel op that needs nothing the open streaming pass computes (inference BN's square
  // root and folding from running statistics) runs in a small pass just before it, so that the
  // op that applies its result can still join the open pass (BN folded into a conv's output
  // path). Returns true when placed.
  bool hoist(int32_t i) {
    auto& groups = plan_.groups;
    const Op& op = t_.ops[i];
    if (!per_group_only(op) || groups.empty()) return false;
    GroupPlan& open = groups.back();
    if (open.kind == GroupPlan::Kind::Scalar || !same_stage(op.phase, t_.ops[open.ops.front()].phase)) return false;
    for (int32_t j : open.ops)
      for (int32_t out : t_.ops[j].outputs)
        if (std::find(op.inputs.begin(), op.inputs.end(), out) != op.inputs.end()) return false;
    if (groups.size() >= 2 && joins(groups[groups.size() - 2], i)) {
      groups[groups.size() - 2].ops.push_back(i);
      return true;
    }
    GroupPlan g;
    g.kind = GroupPlan::Kind::Scalar;
    g.ops = {i};
    groups.insert(groups.end() - 1, std::move(g));
    return true;
  }

  void form_groups() {
    auto& groups = plan_.groups;
    for (size_t idx = 0; idx < t_.ops.size(); ++idx) {
      const int32_t i = static_cast<int32_t>(idx);
      const Op& op = t_.ops[i];
      if (hoist(i)) continue;
      if (!groups.empty() && joins(groups.back(), i)) {
        groups.back().ops.push_back(i);
        if (groups.back().kind == GroupPlan::Kind::Gemm) groups.back().epilogue.push_back(i);
        continue;
      }
      GroupPlan g;
      if (op.kind == OpKind::Gemm && !groups.empty()) {
        // Move the previous pass's trailing element-wise ops that only feed this GEMM onto its
        // input path (e.g. a Fixup bias in front of a conv).
        const size_t n = prologue_for(groups.back(), i);
        if (n > 0) {
          GroupPlan& prev = groups.back();
          g.prologue.assign(prev.ops.end() - static_cast<std::ptrdiff_t>(n), prev.ops.end());
          prev.ops.resize(prev.ops.size() - n);
          if (prev.kind == GroupPlan::Kind::Gemm) prev.epilogue.resize(prev.epilogue.size() - n);
          if (prev.ops.empty()) groups.pop_back();
        }
      }
      g.ops = g.prologue;
      g.ops.push_back(i);
      if (op.kind == OpKind::Gemm) {
        g.kind = GroupPlan::Kind::Gemm;
        g.gemm = i;
      } else {
        g.kind = per_group_only(op) ? GroupPlan::Kind::Scalar : GroupPlan::Kind::Stream;
      }
      groups.push_back(std::move(g));
    }
  }

  Role role_of_read(const Tensor& x) const {
    return (x.kind == TensorKind::Weight || x.kind == TensorKind::Master || x.kind == TensorKind::State ||
            x.kind == TensorKind::Stat)
               ? Role::Filter
               : Role::Ifmap;
  }

  void classify(GroupPlan& g) {
    std::set<int32_t> in_group(g.ops.begin(), g.ops.end());
    std::set<int32_t> produced_so_far, read_done, written;
    if (g.kind == GroupPlan::Kind::Gemm) {
      const Op& gemm = t_.ops[g.gemm];
      g.a_tensor = gemm.inputs[0];
      if (!g.prologue.empty()) g.a_tensor = t_.ops[g.prologue.front()].inputs[0];
      g.b_tensor = gemm.inputs[1];
      g.c_tensor = gemm.outputs[0];
    }
    for (int32_t i : g.ops) {
      const Op& op = t_.ops[i];
      const bool small_op = per_group_only(op);
      for (size_t k = 0; k < op.inputs.size(); ++k) {
        const int32_t id = op.inputs[k];
        if (produced_so_far.count(id) || read_done.count(id) || plan_.onchip[id]) continue;
        if (i == g.gemm) continue;  // GEMM operands are the mapping's traffic
        if (!g.prologue.empty() && i == g.prologue.front() && k == 0) continue;  // A, read by the mapping
        read_done.insert(id);
        const Tensor& x = t_.tensors[id];
        // Streamed if it is the op's stream operand or another element-aligned operand; per-channel
        // parameters and statistics are read once.
        const bool stream = !small_op && (k == 0 || x.elements == t_.tensors[op.inputs[0]].elements);
        TensorIo io{id, i, x.bytes, role_of_read(x)};
        (stream ? g.stream_reads : g.once_reads).push_back(io);
      }
      for (int32_t id : op.outputs) produced_so_far.insert(id);
    }
    // Writes: whatever leaves the group (used later, kept across steps, or a final result).
    for (int32_t i : g.ops) {
      const Op& op = t_.ops[i];
      for (int32_t id : op.outputs) {
        if (written.count(id) || plan_.onchip[id]) continue;
        const Tensor& x = t_.tensors[id];
        bool leaves = is_persistent(x.kind) || consumers_[id].empty();
        for (int32_t c : consumers_[id]) leaves = leaves || !in_group.count(c) || c < i;
        if (!leaves) continue;
        written.insert(id);
        if (i == g.gemm) {
          g.write_c = true;
          continue;
        }
        const bool small = per_group_only(op) || reduction(op);
        TensorIo io{id, i, x.bytes, Role::Ofmap};
        (small ? g.once_writes : g.stream_writes).push_back(io);
      }
    }
  }

  // Residency keep: walking the passes in order, a tensor a pass writes out stays in the resident
  // region if it fits there now, and leaves it after the last pass that reads it. Parameters and
  // optimizer state live across steps, in DRAM.
  void place_resident() {
    plan_.resident.assign(t_.tensors.size(), false);
    if (c_.resident_capacity == 0) return;
    std::vector<int32_t> group_of(t_.ops.size(), -1);
    for (size_t gi = 0; gi < plan_.groups.size(); ++gi)
      for (int32_t i : plan_.groups[gi].ops) group_of[i] = static_cast<int32_t>(gi);
    std::vector<int32_t> last_reader(t_.tensors.size(), -1);
    for (size_t id = 0; id < t_.tensors.size(); ++id)
      for (int32_t c : consumers_[id]) last_reader[id] = std::max(last_reader[id], group_of[c]);
    uint64_t used = 0;
    std::vector<std::vector<int32_t>> frees(plan_.groups.size() + 1);
    for (size_t gi = 0; gi < plan_.groups.size(); ++gi) {
      for (int32_t id : frees[gi]) used -= t_.tensors[id].bytes;
      const GroupPlan& g = plan_.groups[gi];
      std::vector<int32_t> out;
      for (const auto& io : g.stream_writes) out.push_back(io.tensor);
      for (const auto& io : g.once_writes) out.push_back(io.tensor);
      if (g.write_c) out.push_back(g.c_tensor);
      for (int32_t id : out) {
        const Tensor& x = t_.tensors[id];
        if (is_persistent(x.kind) || last_reader[id] < 0 || plan_.resident[id]) continue;
        if (used + x.bytes > c_.resident_capacity) continue;
        plan_.resident[id] = true;
        used += x.bytes;
        frees[static_cast<size_t>(last_reader[id]) + 1].push_back(id);
      }
    }
  }

  double half(const BufferCaps& b) const {
    return static_cast<double>(b.capacity) / (b.double_buffered ? 2.0 : 1.0);
  }

  void size(GroupPlan& g) {
    if (g.kind == GroupPlan::Kind::Scalar) return;
    if (g.kind == GroupPlan::Kind::Stream) {
      // Every tensor the pass streams, including intermediates that never leave the chip, has
      // one chunk in the buffer at a time (two with double buffering).
      std::array<double, 3> role_bytes{};
      std::set<int32_t> seen;
      for (const auto& io : g.stream_reads) {
        role_bytes[static_cast<int>(io.role)] += static_cast<double>(io.bytes);
        seen.insert(io.tensor);
      }
      for (int32_t i : g.ops)
        if (!per_group_only(t_.ops[i]) && !reduction(t_.ops[i]))
          for (int32_t id : t_.ops[i].outputs)
            if (!seen.count(id) && !plan_.onchip[id]) {
              role_bytes[static_cast<int>(Role::Ofmap)] += static_cast<double>(t_.tensors[id].bytes);
              seen.insert(id);
            }
      std::vector<double> use(c_.buffers.size(), 0.0);
      for (int r = 0; r < 3; ++r) use[buffer_for(c_.buffers, static_cast<Role>(r))] += role_bytes[r];
      double chunks = 1;
      for (size_t b = 0; b < c_.buffers.size(); ++b) chunks = std::max(chunks, std::ceil(use[b] / half(c_.buffers[b])));
      int64_t max_elems = 1;
      for (int32_t i : g.ops) max_elems = std::max(max_elems, t_.ops[i].elements);
      g.chunks = std::min<int64_t>(static_cast<int64_t>(chunks), max_elems);
      return;
    }
    const Op& gemm = t_.ops[g.gemm];
    const std::vector<GemmPart> parts = gemm_parts(gemm);
    if (parts.empty())
      throw UnsupportedError("", "", op_label(t_, g.gemm) + " has no work (kernel taps never reach an output)");
    double mk = 0, kn = 0;
    for (const auto& p : parts) {
      mk += static_cast<double>(p.m) * p.count;
      kn += static_cast<double>(p.k) * p.count;
    }
    const Tensor& A = t_.tensors[g.a_tensor];
    const Tensor& B = t_.tensors[g.b_tensor];
    const Tensor& C = t_.tensors[g.c_tensor];
    // On-chip bytes per output element beyond the partial sum: epilogue streams and intermediates.
    double epi = 0;
    std::set<int32_t> seen;
    for (const auto& io : g.stream_reads) {
      epi += static_cast<double>(io.bytes);
      seen.insert(io.tensor);
    }
    for (int32_t i : g.epilogue)
      for (int32_t id : t_.ops[i].outputs)
        if (!seen.count(id) && !plan_.onchip[id]) {
          epi += static_cast<double>(t_.tensors[id].bytes);
          seen.insert(id);
        }
    epi /= static_cast<double>(C.elements);
    const double psum = static_cast<double>((gemm.accum.bits + 7) / 8);
    const ConvGeom& cv = gemm.conv;
    for (const auto& p : parts) {
      GemmPartPlan pp;
      pp.part = p;
      pp.share = static_cast<double>(p.m) * p.count / mk;
      pp.b_share = static_cast<double>(p.k) * p.count / kn;
      GemmProblem& q = pp.problem;
      q.m = p.m;
      q.k = p.k;
      q.n = p.n;
      q.a_bytes = static_cast<double>(A.bytes) * pp.share / p.count;
      q.b_bytes = static_cast<double>(B.bytes) * pp.b_share / p.count;
      q.c_bytes = g.write_c ? static_cast<double>(C.bytes) * pp.share / p.count : 0.0;
      q.psum_bytes_per_elem = psum;
      q.epilogue_bytes_per_out = epi;
      q.array_rows = c_.rows;
      q.array_cols = c_.cols;
      q.dram_bytes_per_cycle = c_.dram_bytes_per_cycle;
      q.minimize_traffic = c_.minimize_traffic;
      q.dataflow = c_.dataflow;
      q.scalesim_timing = c_.scalesim_timing;
      if (cv.kh > 1 || cv.kw > 1 || cv.sh > 1 || cv.hout > 1) {
        if (gemm.role == GemmRole::Forward || gemm.role == GemmRole::WeightGrad) {
          q.a_spatial = gemm.role == GemmRole::Forward ? 'm' : 'k';
          q.row_len = cv.wout;
          q.rows_per_image = cv.hout;
          q.kernel = cv.kh;
          q.stride = cv.sh;
        } else {
          q.a_spatial = 'm';
          q.row_len = std::max<int64_t>(1, cv.win / cv.sw);
          q.rows_per_image = std::max<int64_t>(1, cv.hin / cv.sh);
          q.kernel = ceil_div(cv.kh, cv.sh);
          q.stride = 1;
        }
      }
      pp.mapping = map_gemm(q, c_.buffers, op_label(t_, g.gemm));
      g.parts.push_back(pp);
    }
  }

  static int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

  const Trace& t_;
  const ChipCaps& c_;
  Plan plan_;
  std::vector<std::vector<int32_t>> producers_, consumers_;
};

}  // namespace

Plan make_plan(const Trace& t, const ChipCaps& chip) { return Planner(t, chip).run(); }

}  // namespace eoqsim
