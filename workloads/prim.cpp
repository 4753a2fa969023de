#include "workloads/prim.h"

#include <map>
#include <stdexcept>

namespace eoqsim {

const char* arith_name(Arith a) {
  switch (a) {
    case Arith::Add: return "add";
    case Arith::Mul: return "mul";
    case Arith::Cmp: return "cmp";
    case Arith::Div: return "div";
    case Arith::Sqrt: return "sqrt";
    case Arith::Exp: return "exp";
    case Arith::Quantize: return "quantize";
    case Arith::Rng: return "rng";
    case Arith::Pow2: return "pow2";
  }
  return "?";
}

const PrimInfo& prim_info(OpKind k) {
  // {min inputs, max inputs, min outputs, max outputs, elementwise, reduction, per_group_only}
  static const std::map<OpKind, PrimInfo> t = {
      {OpKind::Gemm, {2, 2, 1, 1, false, false, false}},
      {OpKind::Quantize, {1, 2, 1, 1, true, false, false}},
      {OpKind::ReduceMaxAbs, {1, 1, 1, 1, false, true, false}},
      {OpKind::Pow2Scale, {1, 1, 1, 1, false, false, true}},
      {OpKind::ReduceSum, {1, 1, 1, 1, false, true, false}},
      {OpKind::ReduceSumSq, {1, 1, 1, 1, false, true, false}},
      {OpKind::ReduceDot, {2, 2, 1, 1, false, true, false}},
      {OpKind::BnMoments, {2, 2, 2, 2, false, false, true}},
      {OpKind::Sqrt, {1, 1, 1, 1, false, false, true}},
      {OpKind::Recip, {1, 1, 1, 1, false, false, true}},
      {OpKind::Normalize, {3, 3, 1, 1, true, false, false}},
      {OpKind::NormalizeDiv, {3, 3, 1, 1, true, false, false}},
      {OpKind::Affine, {2, 2, 1, 1, true, false, false}},
      {OpKind::BnFold, {3, 3, 1, 1, false, false, true}},
      {OpKind::ScaleShift, {2, 2, 1, 1, true, false, false}},
      {OpKind::RunningStats, {3, 3, 1, 1, false, false, true}},
      {OpKind::BnBwdStats, {4, 4, 1, 1, false, true, false}},
      {OpKind::BnBwdStatsXhat, {2, 2, 1, 1, false, true, false}},
      {OpKind::BnBwdDx, {6, 6, 1, 1, true, false, false}},
      {OpKind::BnBwdDxXhat, {5, 5, 1, 1, true, false, false}},
      {OpKind::AddParam, {2, 2, 1, 1, true, false, false}},
      {OpKind::MulParam, {2, 2, 1, 1, true, false, false}},
      {OpKind::Add, {2, 2, 1, 1, true, false, false}},
      {OpKind::Relu, {1, 1, 1, 1, true, false, false}},
      {OpKind::ReluBwd, {2, 2, 1, 1, true, false, false}},
      {OpKind::Relu6, {1, 1, 1, 1, true, false, false}},
      {OpKind::Relu6Bwd, {2, 2, 1, 1, true, false, false}},
      {OpKind::MaxPool, {1, 1, 1, 2, false, false, false}},
      {OpKind::MaxPoolBwd, {2, 2, 1, 1, false, false, false}},
      {OpKind::AvgPool, {1, 1, 1, 1, false, true, false}},
      {OpKind::AvgPoolBwd, {1, 1, 1, 1, false, false, false}},
      {OpKind::Copy, {1, 1, 1, 1, false, false, false}},
      {OpKind::SoftmaxCe, {1, 1, 2, 2, false, false, false}},
      {OpKind::SoftmaxCeBwd, {1, 1, 1, 1, true, false, false}},
      {OpKind::SgdUpdate, {3, 3, 2, 2, true, false, false}},
      {OpKind::AdamUpdate, {4, 4, 3, 3, true, false, false}},
  };
  auto it = t.find(k);
  if (it == t.end()) throw std::logic_error("op kind without prim table entry");
  return it->second;
}

std::vector<ArithCount> op_arith(const Op& op) {
  using A = Arith;
  switch (op.kind) {
    case OpKind::Gemm: return {};  // MACs are the PE array's events
    case OpKind::Quantize: {
      std::vector<ArithCount> v = {{A::Quantize, 1, 0}};
      if (op.stochastic) v.push_back({A::Rng, 1, 0});
      return v;
    }
    case OpKind::ReduceMaxAbs: return {{A::Cmp, 1, 0}};
    case OpKind::Pow2Scale: return {{A::Pow2, 0, 1}};
    case OpKind::ReduceSum: return {{A::Add, 1, 0, true}};
    case OpKind::ReduceSumSq:
    case OpKind::ReduceDot: return {{A::Mul, 1, 0}, {A::Add, 1, 0, true}};
    // mean = sum/M, E[x^2] = sumsq/M (multiplies by 1/M), var = E[x^2] - mean^2, + eps.
    case OpKind::BnMoments: return {{A::Mul, 0, 3}, {A::Add, 0, 2}};
    case OpKind::Sqrt: return {{A::Sqrt, 0, 1}};
    case OpKind::Recip: return {{A::Div, 0, 1}};
    case OpKind::Normalize: return {{A::Add, 1, 0}, {A::Mul, 1, 0}};
    case OpKind::NormalizeDiv: return {{A::Add, 1, 0}, {A::Div, 1, 0}};
    case OpKind::Affine:
    case OpKind::ScaleShift: return {{A::Mul, 1, 0}, {A::Add, 1, 0}};
    case OpKind::BnFold: return {{A::Div, 0, 1}, {A::Mul, 0, 1}, {A::Add, 0, 1}};
    // running = (1-m)*running + m*batch for mean and variance: per element 2 mul, 1 add.
    case OpKind::RunningStats: return {{A::Mul, 2, 0}, {A::Add, 1, 0}};
    // sum(dy): 1 add; xhat = (x-mean)*invstd: 1 sub, 1 mul; sum(dy*xhat): 1 mul, 1 add.
    case OpKind::BnBwdStats: return {{A::Add, 1, 0}, {A::Mul, 2, 0}, {A::Add, 2, 0, true}};
    case OpKind::BnBwdStatsXhat: return {{A::Mul, 1, 0}, {A::Add, 2, 0, true}};
    // dx = k*(dy - a - xhat*b) with per-channel k = gamma*invstd, a = sum(dy)/M, b = sum(dy*xhat)/M.
    case OpKind::BnBwdDx: return {{A::Add, 3, 0}, {A::Mul, 3, 0}, {A::Mul, 0, 3}};
    case OpKind::BnBwdDxXhat: return {{A::Add, 2, 0}, {A::Mul, 2, 0}, {A::Mul, 0, 3}};
    case OpKind::AddParam:
    case OpKind::Add: return {{A::Add, 1, 0}};
    case OpKind::MulParam: return {{A::Mul, 1, 0}};
    case OpKind::Relu:
    case OpKind::ReluBwd: return {{A::Cmp, 1, 0}};
    case OpKind::Relu6:
    case OpKind::Relu6Bwd: return {{A::Cmp, 2, 0}};
    // Per output element, window-1 comparisons; backward routes each input element by comparing
    // its position with the stored argmax.
    case OpKind::MaxPool: return {{A::Cmp, op.window - 1, 0}};
    case OpKind::MaxPoolBwd: return {{A::Cmp, 1, 0}};
    case OpKind::AvgPool: return {{A::Add, 1, 0, true}, {A::Mul, 0, 1}};
    case OpKind::AvgPoolBwd: return {{A::Mul, 0, 1}};
    case OpKind::Copy: return {};
    // Per logit: exp, running sum, multiply by 1/sum; per sample: the reciprocal and log.
    case OpKind::SoftmaxCe: return {{A::Exp, 1, 1}, {A::Add, 1, 0}, {A::Mul, 1, 0}, {A::Div, 0, 1}};
    case OpKind::SoftmaxCeBwd: return {{A::Add, 1, 0}};
    case OpKind::SgdUpdate: {
      // m = mu*m + g (+ wd*w); w = w - lr*m.
      std::vector<ArithCount> v = {{A::Mul, 2 + op.weight_decay, 0}, {A::Add, 2 + op.weight_decay, 0}};
      if (op.rounding == "nearest" || op.rounding == "stochastic") v.push_back({A::Quantize, 1, 0});
      if (op.rounding == "stochastic") v.push_back({A::Rng, 1, 0});
      return v;
    }
    case OpKind::AdamUpdate: {
      // m = b1*m + (1-b1)*g: 2 mul, 1 add; v = b2*v + (1-b2)*g*g: 3 mul, 1 add; d = sqrt(v) + eps:
      // 1 sqrt, 1 add; w -= lr_t * m / d: 1 div, 1 mul, 1 add; weight decay (L2 into g, or
      // decoupled w -= lr*wd*w): 1 mul, 1 add. Per tensor, the bias-corrected step
      // lr_t = lr * sqrt(1 - b2^t) / (1 - b1^t): 2 mul (the powers), 2 add, 1 sqrt, 1 div.
      std::vector<ArithCount> v = {{A::Mul, 6 + op.weight_decay, 2}, {A::Add, 4 + op.weight_decay, 2},
                                   {A::Sqrt, 1, 1}, {A::Div, 1, 1}};
      if (op.rounding == "nearest" || op.rounding == "stochastic") v.push_back({A::Quantize, 1, 0});
      if (op.rounding == "stochastic") v.push_back({A::Rng, 1, 0});
      return v;
    }
  }
  return {};
}

}  // namespace eoqsim
