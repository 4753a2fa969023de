#include "workloads/trace.h"

#include <algorithm>
#include <map>
#include <stdexcept>

#include "sim/common/error.h"
#include "sim/common/json.h"
#include "workloads/prim.h"

namespace eoqsim {

namespace {
template <typename E, size_t N>
const char* name_of(const std::pair<E, const char*> (&table)[N], E v) {
  for (const auto& [k, n] : table)
    if (k == v) return n;
  return "?";
}
template <typename E, size_t N>
E parse_of(const std::pair<E, const char*> (&table)[N], const std::string& s, const char* what) {
  for (const auto& [k, n] : table)
    if (s == n) return k;
  std::string known;
  for (const auto& [k, n] : table) known += (known.empty() ? "" : ", ") + std::string(n);
  throw std::invalid_argument(std::string("unknown ") + what + " \"" + s + "\"; expected one of " + known);
}

const std::pair<Phase, const char*> kPhases[] = {
    {Phase::Fwd, "fwd"}, {Phase::BwdE, "bwd_e"}, {Phase::BwdW, "bwd_w"}, {Phase::Upd, "upd"}};
const std::pair<UnitKind, const char*> kUnits[] = {{UnitKind::PeArray, "pe_array"},
                                                   {UnitKind::Quant, "quant_unit"},
                                                   {UnitKind::Norm, "norm_unit"},
                                                   {UnitKind::Vector, "vector_unit"},
                                                   {UnitKind::Update, "update_unit"}};
const std::pair<TensorKind, const char*> kTensorKinds[] = {
    {TensorKind::Input, "input"},       {TensorKind::Activation, "activation"}, {TensorKind::Error, "error"},
    {TensorKind::Gradient, "gradient"}, {TensorKind::Weight, "weight"},         {TensorKind::Master, "master"},
    {TensorKind::State, "state"},       {TensorKind::Stat, "stat"}};
const std::pair<OpKind, const char*> kOpKinds[] = {
    {OpKind::Gemm, "gemm"},
    {OpKind::Quantize, "quantize"},
    {OpKind::ReduceMaxAbs, "reduce_max_abs"},
    {OpKind::Pow2Scale, "pow2_scale"},
    {OpKind::ReduceSum, "reduce_sum"},
    {OpKind::ReduceSumSq, "reduce_sumsq"},
    {OpKind::ReduceDot, "reduce_dot"},
    {OpKind::BnMoments, "bn_moments"},
    {OpKind::Sqrt, "sqrt"},
    {OpKind::Recip, "recip"},
    {OpKind::Normalize, "normalize"},
    {OpKind::NormalizeDiv, "normalize_div"},
    {OpKind::Affine, "affine"},
    {OpKind::BnFold, "bn_fold"},
    {OpKind::ScaleShift, "scale_shift"},
    {OpKind::RunningStats, "running_stats"},
    {OpKind::BnBwdStats, "bn_bwd_stats"},
    {OpKind::BnBwdStatsXhat, "bn_bwd_stats_xhat"},
    {OpKind::BnBwdDx, "bn_bwd_dx"},
    {OpKind::BnBwdDxXhat, "bn_bwd_dx_xhat"},
    {OpKind::AddParam, "add_param"},
    {OpKind::MulParam, "mul_param"},
    {OpKind::Add, "add"},
    {OpKind::Relu, "relu"},
    {OpKind::ReluBwd, "relu_bwd"},
    {OpKind::Relu6, "relu6"},
    {OpKind::Relu6Bwd, "relu6_bwd"},
    {OpKind::MaxPool, "maxpool"},
    {OpKind::MaxPoolBwd, "maxpool_bwd"},
    {OpKind::AvgPool, "avgpool"},
    {OpKind::AvgPoolBwd, "avgpool_bwd"},
    {OpKind::Copy, "copy"},
    {OpKind::SoftmaxCe, "softmax_ce"},
    {OpKind::SoftmaxCeBwd, "softmax_ce_bwd"},
    {OpKind::SgdUpdate, "sgd_update"},
    {OpKind::AdamUpdate, "adam_update"},
};
const std::pair<GemmRole, const char*> kRoles[] = {
    {GemmRole::Forward, "forward"}, {GemmRole::Error, "error"}, {GemmRole::WeightGrad, "weight_grad"}};
}  // namespace

const char* phase_name(Phase p) { return name_of(kPhases, p); }
Phase parse_phase(const std::string& s) { return parse_of(kPhases, s, "phase"); }
const char* unit_kind_name(UnitKind u) { return name_of(kUnits, u); }
UnitKind parse_unit_kind(const std::string& s) { return parse_of(kUnits, s, "unit"); }
const char* tensor_kind_name(TensorKind k) { return name_of(kTensorKinds, k); }
TensorKind parse_tensor_kind(const std::string& s) { return parse_of(kTensorKinds, s, "tensor kind"); }
const char* op_kind_name(OpKind k) { return name_of(kOpKinds, k); }
OpKind parse_op_kind(const std::string& s) { return parse_of(kOpKinds, s, "op kind"); }
const char* gemm_role_name(GemmRole r) { return name_of(kRoles, r); }

uint64_t Trace::tensor_bytes(int64_t elements, const Precision& p) const {
  const uint64_t e = static_cast<uint64_t>(elements);
  if (packed_storage) return (e * static_cast<uint64_t>(p.bits) + 7) / 8;
  return e * static_cast<uint64_t>((p.bits + 7) / 8);
}

Trace Trace::filtered(const std::vector<Phase>& phases) const {
  Trace t = *this;
  t.ops.clear();
  std::vector<bool> kept_producer(tensors.size(), false), dropped_producer(tensors.size(), false);
  for (const Op& op : ops) {
    const bool keep = std::find(phases.begin(), phases.end(), op.phase) != phases.end();
    for (int32_t id : op.outputs) (keep ? kept_producer : dropped_producer)[id] = true;
    if (keep) t.ops.push_back(op);
  }
  for (size_t id = 0; id < tensors.size(); ++id)
    if (dropped_producer[id] && !kept_producer[id]) t.tensors[id].external = true;
  return t;
}

void Trace::validate(const std::string& file) const {
  constexpr int64_t kMaxElements = int64_t(1) << 44;  // 16 T elements: beyond any step we can simulate
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    const std::string where = index_path("tensors", i);
    if (t.elements < 1 || t.elements > kMaxElements)
      throw InputError(file, where, "elements must be between 1 and 2^44, found " + std::to_string(t.elements));
    if (t.bytes != tensor_bytes(t.elements, t.precision))
      throw InputError(file, where, "bytes " + std::to_string(t.bytes) + " disagree with elements and precision (" +
                                        std::to_string(tensor_bytes(t.elements, t.precision)) + ")");
  }
  for (size_t i = 0; i < ops.size(); ++i) {
    const Op& op = ops[i];
    const std::string where = index_path("ops", i);
    if (op.layer < 0 || op.layer >= static_cast<int32_t>(layers.size()))
      throw InputError(file, join_path(where, "layer"), "layer index out of range");
    for (int32_t id : op.inputs)
      if (id < 0 || id >= static_cast<int32_t>(tensors.size()))
        throw InputError(file, join_path(where, "inputs"), "tensor id " + std::to_string(id) + " out of range");
    for (int32_t id : op.outputs)
      if (id < 0 || id >= static_cast<int32_t>(tensors.size()))
        throw InputError(file, join_path(where, "outputs"), "tensor id " + std::to_string(id) + " out of range");
    const PrimInfo& info = prim_info(op.kind);
    if (static_cast<int>(op.inputs.size()) < info.min_inputs || static_cast<int>(op.inputs.size()) > info.max_inputs)
      throw InputError(file, join_path(where, "inputs"),
                       std::string(op_kind_name(op.kind)) + " takes " + std::to_string(info.min_inputs) + ".." +
                           std::to_string(info.max_inputs) + " inputs, found " + std::to_string(op.inputs.size()));
    if (static_cast<int>(op.outputs.size()) < info.min_outputs ||
        static_cast<int>(op.outputs.size()) > info.max_outputs)
      throw InputError(file, join_path(where, "outputs"),
                       std::string(op_kind_name(op.kind)) + " has " + std::to_string(info.min_outputs) + ".." +
                           std::to_string(info.max_outputs) + " outputs, found " + std::to_string(op.outputs.size()));
    if (op.elements < 0 || op.elements > kMaxElements || op.groups < 0 || op.groups > kMaxElements)
      throw InputError(file, where, "elements and groups must be between 0 and 2^44");
    if (op.kind == OpKind::Gemm) {
      const ConvGeom& c = op.conv;
      const int64_t dims[] = {c.batch, c.cin, c.hin, c.win, c.cout, c.kh, c.kw, c.sh, c.sw, c.groups, c.hout, c.wout};
      for (int64_t d : dims)
        if (d < 1 || d > (1 << 20)) throw InputError(file, join_path(where, "conv"), "conv dimensions must be 1..2^20");
      if (c.ph < 0 || c.pw < 0 || c.cin % c.groups || c.cout % c.groups)
        throw InputError(file, join_path(where, "conv"), "negative padding or groups not dividing channels");
      if (static_cast<double>(c.batch) * c.hout * c.wout * c.cout * (c.cin / c.groups) * c.kh * c.kw > 4e18)
        throw InputError(file, join_path(where, "conv"), "MAC count overflows 64 bits");
    } else if (op.elements == 0 && op.groups == 0) {
      throw InputError(file, where, "an op needs elements or groups > 0");
    }
  }
}

std::vector<GemmPart> gemm_parts(const Op& op) {
  const ConvGeom& c = op.conv;
  const int64_t g = c.groups;
  switch (op.role) {
    case GemmRole::Forward:
      return {{c.batch * c.hout * c.wout, c.kh * c.kw * (c.cin / g), c.cout / g, g}};
    case GemmRole::WeightGrad:
      return {{c.kh * c.kw * (c.cin / g), c.batch * c.hout * c.wout, c.cout / g, g}};
    case GemmRole::Error: {
      // Transposed conv producing dx, split into the sh*sw sub-pixel phases of the stride so
      // that no MAC is spent on the zeros a dilated formulation would insert: phase (a, b)
      // computes the input pixels h = a (mod sh), w = b (mod sw) with the kernel taps that reach
      // them. Stride 1 is a single phase with M = B*Hin*Win, K = kh*kw*Cout/g, N = Cin/g.
      std::map<std::pair<int64_t, int64_t>, int64_t> merged;  // (m, k) -> count
      for (int64_t a = 0; a < c.sh; ++a) {
        int64_t rows = (c.hin - a + c.sh - 1) / c.sh;
        int64_t taps_h = 0;
        for (int64_t i = 0; i < c.kh; ++i)
          if ((i % c.sh) == ((a + c.ph) % c.sh)) ++taps_h;
        for (int64_t b = 0; b < c.sw; ++b) {
          int64_t cols = (c.win - b + c.sw - 1) / c.sw;
          int64_t taps_w = 0;
          for (int64_t j = 0; j < c.kw; ++j)
            if ((j % c.sw) == ((b + c.pw) % c.sw)) ++taps_w;
          if (rows <= 0 || cols <= 0 || taps_h == 0 || taps_w == 0) continue;
          merged[{c.batch * rows * cols, taps_h * taps_w * (c.cout / g)}] += g;
        }
      }
      std::vector<GemmPart> parts;
      for (const auto& [mk, count] : merged) parts.push_back({mk.first, mk.second, c.cin / g, count});
      return parts;
    }
  }
  return {};
}

int64_t gemm_executed_macs(const Op& op) {
  int64_t total = 0;
  for (const GemmPart& p : gemm_parts(op)) total += p.m * p.k * p.n * p.count;
  return total;
}

}  // namespace eoqsim
