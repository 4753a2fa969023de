#include "models/pe_array/stepper.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace eoqsim {

namespace {

// A value travelling through the array, tagged with the fold and stream index it belongs to.
struct Reg {
  int32_t value = 0;
  int32_t fold = -1;
  int32_t index = 0;  // ws: input row j; os: reduction step k
  bool valid = false;
};

[[noreturn]] void hazard(const std::string& what) {
  throw std::logic_error("systolic array hazard: " + what);
}

// The fold whose operand `index` enters edge lane `lane` (a row, or a column for os weights) at
// cycle t: the skewed feeder gives lane l a fold's operand i at start + i + l. Folds start in
// order, so the search stops at the first fold already past this lane.
int64_t feeding_fold(const std::vector<int64_t>& start, int64_t started, int64_t lane, int64_t t, int64_t len,
                     int64_t* index) {
  for (int64_t f = started - 1; f >= 0; --f) {
    const int64_t d = t - lane - start[static_cast<size_t>(f)];
    if (d < 0) continue;
    if (d >= len) return -1;
    *index = d;
    return f;
  }
  return -1;
}

}  // namespace

ArrayStepper::ArrayStepper(Dataflow df, int64_t rows, int64_t cols) : df_(df), R_(rows), C_(cols) {
  if (rows < 1 || cols < 1) throw std::invalid_argument("array dimensions must be positive");
}

void ArrayStepper::register_signals(VcdTrace* trace) {
  // Timing-only runs (no trace) leave an existing registration alone.
  if (!trace || trace == traced_) return;
  traced_ = trace;
  sig_a_.assign(static_cast<size_t>(R_ * C_), -1);
  sig_p_.assign(static_cast<size_t>(R_ * C_), -1);
  sig_w_.assign(static_cast<size_t>(R_ * C_), -1);
  for (int64_t i = 0; i < R_; ++i)
    for (int64_t c = 0; c < C_; ++c) {
      const std::string scope = "pe_" + std::to_string(i) + "_" + std::to_string(c);
      const size_t x = static_cast<size_t>(i * C_ + c);
      sig_a_[x] = trace->add_signal(scope, df_ == Dataflow::OS ? "a" : "in", 8);
      sig_p_[x] = trace->add_signal(scope, df_ == Dataflow::OS ? "acc" : "psum", 32);
      sig_w_[x] = trace->add_signal(scope, df_ == Dataflow::OS ? "b" : "weight", 8);
    }
}

StepResult ArrayStepper::run(int64_t mt, int64_t kt, int64_t nt, const int8_t* a, const int8_t* b, int32_t* c,
                             VcdTrace* trace, uint64_t time_offset) {
  if (mt < 1 || kt < 1 || nt < 1) throw std::invalid_argument("tile dimensions must be positive");
  register_signals(trace);
  if (df_ == Dataflow::OS) return run_os(mt, kt, nt, a, b, c, trace, time_offset);
  if (df_ == Dataflow::WS) return run_ws(mt, kt, nt, a, b, c, trace, time_offset, false);
  // Input stationary computes C^T = B^T A^T with A^T held in the PEs: weight stationary on the
  // transposed product, so mt and nt exchange roles.
  std::vector<int8_t> at, bt;
  std::vector<int32_t> ct;
  if (a) {
    at.resize(static_cast<size_t>(kt * mt));
    for (int64_t m = 0; m < mt; ++m)
      for (int64_t k = 0; k < kt; ++k) at[static_cast<size_t>(k * mt + m)] = a[m * kt + k];
  }
  if (b) {
    bt.resize(static_cast<size_t>(nt * kt));
    for (int64_t k = 0; k < kt; ++k)
      for (int64_t n = 0; n < nt; ++n) bt[static_cast<size_t>(n * kt + k)] = b[k * nt + n];
  }
  if (c) ct.assign(static_cast<size_t>(nt * mt), 0);
  StepResult r = run_ws(nt, kt, mt, b ? bt.data() : nullptr, a ? at.data() : nullptr, c ? ct.data() : nullptr, trace,
                        time_offset, true);
  if (c)
    for (int64_t n = 0; n < nt; ++n)
      for (int64_t m = 0; m < mt; ++m) c[m * nt + n] += ct[static_cast<size_t>(n * mt + m)];
  return r;
}

// Weight stationary. Per PE: active and shadow weight, the input register (passes right) and the
// partial-sum register (passes down). One weight port feeds one row of a fold's weights per cycle
// into the row's left edge; the weights travel right one PE per cycle into the shadow registers,
// skewed exactly like the data. The port feeds a row only when that row's first shadow is free
// (its PE has swapped). A PE swaps shadow into active when the fold's first input reaches it. A
// fold starts when the previous fold's inputs have all entered row 0 and PE (0,0)'s shadow holds
// the fold's weights. Per cycle: fold start, compute (with swaps), weight port, weight arrivals.
StepResult ArrayStepper::run_ws(int64_t mt, int64_t kt, int64_t nt, const int8_t* a, const int8_t* b, int32_t* c,
                                VcdTrace* trace, uint64_t t0, bool transposed) {
  const int64_t R = R_, C = C_;
  const int64_t fk_n = ceil_div(kt, R), fn_n = ceil_div(nt, C), F = fk_n * fn_n;
  auto fold_k0 = [&](int64_t f) { return (f % fk_n) * R; };
  auto fold_n0 = [&](int64_t f) { return (f / fk_n) * C; };
  const size_t n_pe = static_cast<size_t>(R * C);
  std::vector<int32_t> w_act(n_pe, 0), w_sh(n_pe, 0), act_fold(n_pe, -1), sh_fold(n_pe, -1);
  std::vector<uint8_t> real_act(n_pe, 0), real_sh(n_pe, 0), sh_full(n_pe, 0);
  std::vector<Reg> in_cur(n_pe), in_next(n_pe), ps_cur(n_pe), ps_next(n_pe);
  std::vector<int64_t> start(static_cast<size_t>(F), -1);
  struct RowLoad {
    int64_t row, fold, issued;
  };
  std::vector<RowLoad> loads;  // weight rows travelling right
  int64_t next_fold = 0;       // next fold to start streaming
  int64_t load_fold = 0, load_row = 0;  // the weight port's position
  StepResult res;
  res.folds = static_cast<uint64_t>(F);
  uint64_t last_out = 0;
  int64_t last_in = -1;

  // The fold whose input index j enters row i at cycle t, if any.
  auto feeding = [&](int64_t i, int64_t t, int64_t* j) { return feeding_fold(start, next_fold, i, t, mt, j); };

  for (int64_t t = 0;; ++t) {
    // 0. A fold starts when row 0's input port is free and PE (0,0) holds its weights in shadow.
    if (next_fold < F) {
      const bool port_free = next_fold == 0 || t >= start[static_cast<size_t>(next_fold - 1)] + mt;
      if (port_free && sh_full[0] && sh_fold[0] == next_fold) start[static_cast<size_t>(next_fold++)] = t;
    }
    // 1. Compute: every PE takes its left neighbour's input and upper neighbour's partial sum; the
    //    first input of a fold makes the PE swap in that fold's weights.
    bool any = false;
    for (int64_t i = 0; i < R; ++i) {
      int64_t j = 0;
      const int64_t f_edge = feeding(i, t, &j);
      for (int64_t col = 0; col < C; ++col) {
        const size_t x = static_cast<size_t>(i * C + col);
        Reg in;
        if (col == 0) {
          if (f_edge >= 0) {
            const int64_t k = fold_k0(f_edge) + i;
            in.valid = true;
            in.fold = static_cast<int32_t>(f_edge);
            in.index = static_cast<int32_t>(j);
            in.value = (a && k < kt) ? a[j * kt + k] : 0;
            if (i == 0) {
              last_in = std::max(last_in, t);
              ++res.stream;
            }
          }
        } else {
          in = in_cur[x - 1];
        }
        Reg ps;
        if (in.valid) {
          if (act_fold[x] != in.fold) {
            if (!sh_full[x] || sh_fold[x] != in.fold)
              hazard("PE " + std::to_string(i) + "," + std::to_string(col) + " needs fold " + std::to_string(in.fold) +
                     "'s weights before they arrived");
            w_act[x] = w_sh[x];
            real_act[x] = real_sh[x];
            act_fold[x] = sh_fold[x];
            sh_full[x] = 0;
            if (trace) trace->change(t0 + static_cast<uint64_t>(t), sig_w_[x], w_act[x]);
          }
          Reg above;
          if (i > 0) {
            above = ps_cur[x - static_cast<size_t>(C)];
            if (!above.valid || above.fold != in.fold || above.index != in.index)
              hazard("partial sum and input out of step at PE " + std::to_string(i) + "," + std::to_string(col));
          }
          ps.valid = true;
          ps.fold = in.fold;
          ps.index = in.index;
          ps.value = (i > 0 ? above.value : 0) + in.value * w_act[x];
          if (real_act[x]) ++res.macs;
          any = true;
        }
        in_next[x] = in;
        ps_next[x] = ps;
        if (trace) {
          if (in.valid != in_cur[x].valid || in.value != in_cur[x].value)
            trace->change(t0 + static_cast<uint64_t>(t), sig_a_[x], in.value, in.valid);
          if (ps.valid != ps_cur[x].valid || ps.value != ps_cur[x].value)
            trace->change(t0 + static_cast<uint64_t>(t), sig_p_[x], ps.value, ps.valid);
        }
        if (i == R - 1 && ps.valid) {
          const int64_t n = fold_n0(ps.fold) + col;
          if (c && n < nt) c[static_cast<int64_t>(ps.index) * nt + n] += ps.value;
          last_out = static_cast<uint64_t>(t + 1);
        }
      }
    }
    // 2. The weight port feeds the next row of the next fold, if that row's first shadow is free.
    if (load_fold < F && !sh_full[static_cast<size_t>(load_row * C)]) {
      loads.push_back({load_row, load_fold, t});
      if (++load_row == R) {
        load_row = 0;
        ++load_fold;
      }
    }
    // 3. Weights in flight reach the next column's shadow register.
    for (size_t q = 0; q < loads.size();) {
      const RowLoad& l = loads[q];
      const int64_t col = t - l.issued;
      const size_t x = static_cast<size_t>(l.row * C + col);
      if (sh_full[x]) hazard("weights for PE " + std::to_string(l.row) + "," + std::to_string(col) + " overwrite unused ones");
      const int64_t k = fold_k0(l.fold) + l.row, n = fold_n0(l.fold) + col;
      const bool real = k < kt && n < nt;
      w_sh[x] = (real && b) ? b[k * nt + n] : 0;
      real_sh[x] = real ? 1 : 0;
      sh_fold[x] = static_cast<int32_t>(l.fold);
      sh_full[x] = 1;
      if (col == C - 1) {
        loads.erase(loads.begin() + static_cast<std::ptrdiff_t>(q));
      } else {
        ++q;
      }
    }
    std::swap(in_cur, in_next);
    std::swap(ps_cur, ps_next);
    res.cycles_stepped = static_cast<uint64_t>(t + 1);
    if (next_fold == F && !any && t > last_in) break;
  }
  (void)transposed;
  res.first_start = static_cast<uint64_t>(start[0]);
  res.occupancy = static_cast<uint64_t>(last_in + 1);
  res.latency = last_out;
  pe_cycles_ += res.cycles_stepped * static_cast<uint64_t>(R * C);
  return res;
}

// Output stationary. Per PE: the accumulator, a shadow for a finished sum, and the input (passes
// right) and weight (passes down) registers. A fold's A rows enter row by row and its B columns
// column by column, each skewed one cycle per step; a PE adds a*b each step and, after the fold's
// last step, moves the sum to its shadow. Each column's read port takes one shadow per cycle, rows
// in order. A fold starts when the previous fold's operands have all entered and its reads in
// column 0 will be done by the time this fold's first sum needs reading (the read ports' schedule
// is reserved when a fold starts). Per cycle: fold start, reads, compute and shadow moves.
StepResult ArrayStepper::run_os(int64_t mt, int64_t kt, int64_t nt, const int8_t* a, const int8_t* b, int32_t* c,
                                VcdTrace* trace, uint64_t t0) {
  const int64_t R = R_, C = C_;
  const int64_t fm_n = ceil_div(mt, R), fn_n = ceil_div(nt, C), F = fm_n * fn_n;
  auto fold_m0 = [&](int64_t f) { return (f / fn_n) * R; };
  auto fold_n0 = [&](int64_t f) { return (f % fn_n) * C; };
  const size_t n_pe = static_cast<size_t>(R * C);
  std::vector<int32_t> acc(n_pe, 0), shadow(n_pe, 0), shadow_fold(n_pe, -1);
  std::vector<uint8_t> shadow_full(n_pe, 0);
  std::vector<Reg> a_cur(n_pe), a_next(n_pe), b_cur(n_pe), b_next(n_pe);
  std::vector<int64_t> start(static_cast<size_t>(F), -1);
  std::vector<int64_t> read_row(static_cast<size_t>(C), 0), read_fold(static_cast<size_t>(C), 0);
  int64_t next_fold = 0;
  int64_t reserved_until = 0;  // column 0's read port is booked before this cycle
  StepResult res;
  res.folds = static_cast<uint64_t>(F);
  uint64_t last_out = 0;
  int64_t last_in = -1;

  auto feeding = [&](int64_t lane, int64_t t, int64_t* k) { return feeding_fold(start, next_fold, lane, t, kt, k); };

  for (int64_t t = 0;; ++t) {
    // 0. Fold start: input ports free, and column 0's read port free when this fold's sums arrive.
    if (next_fold < F) {
      const bool ports_free = next_fold == 0 || t >= start[static_cast<size_t>(next_fold - 1)] + kt;
      if (ports_free && t + kt >= reserved_until) {
        start[static_cast<size_t>(next_fold++)] = t;
        reserved_until = t + kt + R;
      }
    }
    // 1. Reads: each column's port takes the next row's finished sum.
    for (int64_t col = 0; col < C; ++col) {
      const int64_t i = read_row[static_cast<size_t>(col)];
      const size_t x = static_cast<size_t>(i * C + col);
      if (!shadow_full[x]) continue;
      const int64_t f = read_fold[static_cast<size_t>(col)];
      if (shadow_fold[x] != f) hazard("read port of column " + std::to_string(col) + " found another fold's sum");
      const int64_t m = fold_m0(f) + i, n = fold_n0(f) + col;
      if (c && m < mt && n < nt) c[m * nt + n] += shadow[x];
      shadow_full[x] = 0;
      last_out = static_cast<uint64_t>(t + 1);
      if (++read_row[static_cast<size_t>(col)] == R) {
        read_row[static_cast<size_t>(col)] = 0;
        ++read_fold[static_cast<size_t>(col)];
      }
    }
    // 2. Compute: inputs move right, weights move down; a fold's last step moves the sum to the shadow.
    bool any = false;
    for (int64_t i = 0; i < R; ++i) {
      int64_t ka = 0;
      const int64_t fa = feeding(i, t, &ka);
      for (int64_t col = 0; col < C; ++col) {
        const size_t x = static_cast<size_t>(i * C + col);
        Reg in, w;
        if (col == 0) {
          if (fa >= 0) {
            const int64_t m = fold_m0(fa) + i;
            in.valid = true;
            in.fold = static_cast<int32_t>(fa);
            in.index = static_cast<int32_t>(ka);
            in.value = (a && m < mt) ? a[m * kt + ka] : 0;
            last_in = std::max(last_in, t);
            if (i == 0) ++res.stream;
          }
        } else {
          in = a_cur[x - 1];
        }
        if (i == 0) {
          int64_t kb = 0;
          const int64_t fb = feeding(col, t, &kb);
          if (fb >= 0) {
            const int64_t n = fold_n0(fb) + col;
            w.valid = true;
            w.fold = static_cast<int32_t>(fb);
            w.index = static_cast<int32_t>(kb);
            w.value = (b && n < nt) ? b[kb * nt + n] : 0;
            last_in = std::max(last_in, t);
          }
        } else {
          w = b_cur[x - static_cast<size_t>(C)];
        }
        if (in.valid != w.valid || (in.valid && (in.fold != w.fold || in.index != w.index)))
          hazard("operands out of step at PE " + std::to_string(i) + "," + std::to_string(col));
        if (in.valid) {
          acc[x] += in.value * w.value;
          const int64_t m = fold_m0(in.fold) + i, n = fold_n0(in.fold) + col;
          if (m < mt && n < nt) ++res.macs;
          any = true;
          if (in.index == kt - 1) {
            if (shadow_full[x]) hazard("sum of PE " + std::to_string(i) + "," + std::to_string(col) + " overwrites an unread one");
            shadow[x] = acc[x];
            shadow_fold[x] = in.fold;
            shadow_full[x] = 1;
            acc[x] = 0;
          }
        }
        a_next[x] = in;
        b_next[x] = w;
        if (trace) {
          if (in.valid != a_cur[x].valid || in.value != a_cur[x].value)
            trace->change(t0 + static_cast<uint64_t>(t), sig_a_[x], in.value, in.valid);
          if (w.valid != b_cur[x].valid || w.value != b_cur[x].value)
            trace->change(t0 + static_cast<uint64_t>(t), sig_w_[x], w.value, w.valid);
          if (in.valid) trace->change(t0 + static_cast<uint64_t>(t), sig_p_[x], shadow_full[x] && in.index == kt - 1 ? shadow[x] : acc[x]);
        }
      }
    }
    std::swap(a_cur, a_next);
    std::swap(b_cur, b_next);
    res.cycles_stepped = static_cast<uint64_t>(t + 1);
    bool pending = false;
    for (uint8_t s : shadow_full) pending = pending || s;
    if (next_fold == F && !any && !pending) break;
  }
  // The array takes the next tile when a following fold could start: inputs free and column 0's
  // read port free in time.
  const int64_t last_start = start[static_cast<size_t>(F - 1)];
  res.occupancy = static_cast<uint64_t>(std::max(last_start + kt, reserved_until - kt));
  res.first_start = static_cast<uint64_t>(start[0]);
  (void)last_in;
  res.latency = last_out;
  pe_cycles_ += res.cycles_stepped * static_cast<uint64_t>(R * C);
  return res;
}

}  // namespace eoqsim
