#include "sim/engine/controller.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "workloads/prim.h"

namespace eoqsim {

namespace {

// total * num / den without overflow.
uint64_t share(uint64_t total, uint64_t num, uint64_t den) {
  return static_cast<uint64_t>(static_cast<unsigned __int128>(total) * num / den);
}
// The piece of `total` between cumulative fractions before/den and after/den: pieces add up to
// `total` exactly.
uint64_t piece(uint64_t total, uint64_t before, uint64_t after, uint64_t den) {
  return share(total, after, den) - share(total, before, den);
}

Role role_of(const Tensor& x) {
  return (x.kind == TensorKind::Weight || x.kind == TensorKind::Master || x.kind == TensorKind::State ||
          x.kind == TensorKind::Stat)
             ? Role::Filter
             : Role::Ifmap;
}

uint64_t bytes_per_elem(const Precision& p) { return static_cast<uint64_t>((p.bits + 7) / 8); }

}  // namespace

// One stage of one tile: the job for the stage's unit and the ops whose work it carries.
struct StageBuild {
  bool used = false;
  uint64_t occupancy = 0, latency = 0;
  size_t ev_b = 0, ev_e = 0, tr_b = 0, tr_e = 0;
  std::vector<int32_t> ops;
  std::array<uint64_t, kMaxBuffers> buffer_bytes{};  // per buffer, for port bandwidth
};

struct Controller::Tile {
  std::vector<Contribution> ev;
  std::vector<Transfer> tr;
  std::vector<StageBuild> stages;
  std::vector<Job> jobs;
  uint32_t next = 0;
  bool busy = false;
};

struct Controller::Impl {
  const GroupPlan* g = nullptr;
  std::vector<Server*> stage_units;
  std::vector<int> op_stage;  // by position in g->ops
  std::vector<Tile> slots;
  uint32_t in_flight = 0;
  bool exhausted = false;
  bool first_tile = true;
  // Stream groups.
  int64_t chunk = 0;
  // GEMM groups.
  struct Cursor {
    size_t part = 0;
    int64_t inst = 0;
    std::array<int64_t, 3> idx{0, 0, 0};
    bool valid = true;
  };
  Cursor cur;
  bool have_prev = false;
  Cursor prev;
  uint64_t inst_macs_done = 0;  // MACs of the current GEMM instance already tiled (scalesim timing)
  std::vector<uint64_t> cursor;  // per tensor, bytes moved so far (DRAM addresses of chunks)
  uint64_t out_units_done = 0, out_units_total = 1;
  std::vector<int32_t> stage_of;  // per op index in the trace (only for the current group)
};

Controller::Controller(sc_core::sc_module_name name, Chip& chip, const Trace& trace, const Plan& plan, Stats& stats)
    : sc_core::sc_module(name), chip_(chip), t_(trace), plan_(plan), stats_(stats), impl_(std::make_shared<Impl>()) {
  timing_.assign(trace.ops.size(), {});
  impl_->cursor.assign(trace.tensors.size(), 0);
  for (Server* s : chip_.servers()) s->set_on_done([this](uint32_t token) { on_done(token); });
  // A method, not a thread: it runs once at time 0 and again whenever a pass finishes. No
  // coroutine stacks, which also keeps the sanitizers' view of the stack exact.
  SC_METHOD(run);
  sensitive << group_done_;
}

void Controller::run() {
  const uint64_t now = now_cycles();
  if (next_group_ > 0) spans_.push_back({group_start_, now});  // woken by group_done_
  if (next_group_ == plan_.groups.size()) {
    end_ = now;
    return;
  }
  group_start_ = now;
  start_group(plan_.groups[next_group_++]);
}

namespace {

int64_t trips(int64_t dim, int64_t tile) { return (dim + tile - 1) / tile; }

}  // namespace

void Controller::start_group(const GroupPlan& g) {
  Impl& m = *impl_;
  m.g = &g;
  m.stage_units.clear();
  m.op_stage.assign(g.ops.size(), -1);
  m.exhausted = false;
  m.first_tile = true;
  m.chunk = 0;
  m.cur = Impl::Cursor{};
  m.have_prev = false;
  m.out_units_done = 0;
  m.out_units_total = 0;

  auto unit_of = [&](int32_t op) -> Server* {
    const Op& o = t_.ops[op];
    if (o.kind == OpKind::Gemm) return &chip_.pe_array();
    return chip_.stream_unit(o.unit);
  };
  m.stage_units.push_back(&chip_.dma_in());
  auto stage_for = [&](const std::vector<int32_t>& ops, bool unique) {
    size_t first = m.stage_units.size();
    for (int32_t op : ops) {
      Server* u = unit_of(op);
      int found = -1;
      if (unique)
        for (size_t s = first; s < m.stage_units.size(); ++s)
          if (m.stage_units[s] == u) found = static_cast<int>(s);
      if (found < 0) {
        m.stage_units.push_back(u);
        found = static_cast<int>(m.stage_units.size()) - 1;
      }
      m.op_stage[std::find(g.ops.begin(), g.ops.end(), op) - g.ops.begin()] = found;
    }
  };
  if (g.kind == GroupPlan::Kind::Gemm) {
    stage_for(g.prologue, true);
    stage_for({g.gemm}, true);
    stage_for(g.epilogue, true);
    for (const auto& pp : g.parts)
      m.out_units_total += static_cast<uint64_t>(pp.part.count) * static_cast<uint64_t>(pp.part.m) *
                           static_cast<uint64_t>(pp.part.n);
  } else {
    stage_for(g.ops, g.kind == GroupPlan::Kind::Stream);
  }
  m.stage_units.push_back(&chip_.dma_out());
  bool dbl = true;
  for (size_t b = 0; b < chip_.buffer_count(); ++b) dbl = dbl && chip_.buffer(b).params().double_buffered;
  m.slots.resize(dbl ? 2 : 1);
  for (auto& s : m.slots) s.busy = false;
  m.in_flight = 0;
  while (admit()) {
  }
  if (m.in_flight == 0) group_done_.notify(sc_core::SC_ZERO_TIME);
}

// ---- tile construction ---------------------------------------------------------------------

namespace {

struct TileBuilder {
  Controller::Tile* tile;
  Chip& chip;
  const Trace& t;
  std::vector<StageBuild>& st;
  size_t nbuf;
  const std::vector<uint64_t>& address;
  std::vector<uint64_t>& cursor;  // per tensor: bytes already moved, so chunks walk the region
  const std::vector<bool>* resident;

  void begin_stage(size_t s) {
    st[s].ev_b = tile->ev.size();
    st[s].tr_b = tile->tr.size();
    st[s].buffer_bytes.fill(0);
  }
  void end_stage(size_t s) {
    st[s].ev_e = tile->ev.size();
    st[s].tr_e = tile->tr.size();
  }
  void mark(size_t s, int32_t op) {
    st[s].used = true;
    if (std::find(st[s].ops.begin(), st[s].ops.end(), op) == st[s].ops.end()) st[s].ops.push_back(op);
  }
  size_t buffer_index(Role r) {
    for (size_t b = 0; b < nbuf; ++b)
      if (&chip.buffer(b) == &chip.buffer_for_role(r)) return b;
    return 0;
  }
  // A DRAM transfer in stage s (DMA in or out) and the buffer write/read it implies.
  void transfer(size_t s, int32_t op, int32_t tensor, uint64_t bytes, bool write, Role role) {
    // A resident tensor already sits in the buffer: no DRAM traffic and no DMA buffer access.
    if (bytes == 0 || (*resident)[tensor]) return;
    const uint64_t size = std::max<uint64_t>(1, t.tensors[tensor].bytes);
    tile->tr.push_back({op, bytes, write, tensor, address[tensor] + cursor[tensor] % size});
    cursor[tensor] += bytes;
    const size_t b = buffer_index(role);
    chip.buffer(b).count(op, write ? bytes : 0, write ? 0 : bytes, tile->ev);
    st[s].buffer_bytes[b] += bytes;
    mark(s, op);
  }
  void sram(size_t s, int32_t op, Role role, uint64_t read, uint64_t write, bool via_bus) {
    if (read == 0 && write == 0) return;
    const size_t b = buffer_index(role);
    chip.buffer(b).count(op, read, write, tile->ev);
    st[s].buffer_bytes[b] += read + write;
    if (via_bus && chip.bus()) tile->ev.push_back({op, chip.bus()->bytes_event(), read + write});
  }
  // Stretches a stage to the buffers' port bandwidth.
  void ports(size_t s) {
    for (size_t b = 0; b < nbuf; ++b) {
      const uint64_t c = chip.buffer(b).port_cycles(st[s].buffer_bytes[b]);
      if (c > st[s].occupancy) {
        st[s].latency += c - st[s].occupancy;
        st[s].occupancy = c;
      }
    }
  }
};

}  // namespace

bool Controller::admit() {
  Impl& m = *impl_;
  if (m.exhausted) return false;
  int slot = -1;
  for (size_t i = 0; i < m.slots.size(); ++i)
    if (!m.slots[i].busy) {
      slot = static_cast<int>(i);
      break;
    }
  if (slot < 0) return false;
  const GroupPlan& g = *m.g;
  Tile& tile = m.slots[slot];
  tile.ev.clear();
  tile.tr.clear();
  std::array<int64_t, 3> tile_dims{0, 0, 0};
  tile.stages.resize(m.stage_units.size());
  for (StageBuild& sb : tile.stages) {
    sb.used = false;
    sb.occupancy = sb.latency = 0;
    sb.ops.clear();
  }
  TileBuilder tb{&tile, chip_, t_, tile.stages, chip_.buffer_count(), plan_.address, m.cursor, &plan_.resident};
  const size_t last = m.stage_units.size() - 1;
  auto stage_of_op = [&](int32_t op) {
    return static_cast<size_t>(m.op_stage[std::find(g.ops.begin(), g.ops.end(), op) - g.ops.begin()]);
  };
  std::vector<bool> stage_open(m.stage_units.size(), false);
  // The ops of `list` that run in stage s, in order.
  auto ops_in_stage = [&](const std::vector<int32_t>& list, size_t s) {
    std::vector<int32_t> out;
    for (int32_t i : list)
      if (stage_of_op(i) == s) out.push_back(i);
    return out;
  };

  // Streams one op's share through its unit: cost, events and its buffer traffic.
  auto unit_work = [&](int32_t i, int64_t elements, int64_t groups, uint64_t before, uint64_t after, uint64_t den,
                       bool first, const std::vector<int32_t>& same_stage_ops) {
    const Op& op = t_.ops[i];
    const size_t s = stage_of_op(i);
    StreamUnit* u = chip_.stream_unit(op.unit);
    StreamUnit::Cost c = u->cost(t_, i, elements, groups, tile.ev);
    timing_[i].busy += c.occupancy;
    tile.stages[s].occupancy += c.occupancy;
    tile.stages[s].latency = std::max(tile.stages[s].latency, tile.stages[s].occupancy + (c.latency - c.occupancy));
    tb.mark(s, i);
    // Buffer traffic: inputs not produced earlier in this stage, outputs not consumed only here.
    auto produced_here = [&](int32_t id) {
      for (int32_t o : same_stage_ops) {
        if (o == i) break;
        for (int32_t x : t_.ops[o].outputs)
          if (x == id) return true;
      }
      return false;
    };
    const bool small = prim_info(op.kind).per_group_only;
    for (size_t k = 0; k < op.inputs.size(); ++k) {
      const int32_t id = op.inputs[k];
      if (plan_.onchip[id] || produced_here(id)) continue;
      const Tensor& x = t_.tensors[id];
      const bool stream = !small && (k == 0 || x.elements == t_.tensors[op.inputs[0]].elements);
      const uint64_t bytes = stream ? piece(x.bytes, before, after, den) : (first ? x.bytes : 0);
      tb.sram(s, i, role_of(x), bytes, 0, true);
    }
    for (int32_t id : op.outputs) {
      if (plan_.onchip[id]) continue;
      const Tensor& x = t_.tensors[id];
      const bool streamed_out = !small && !prim_info(op.kind).reduction;
      const uint64_t bytes = streamed_out ? piece(x.bytes, before, after, den) : (after == den ? x.bytes : 0);
      tb.sram(s, i, Role::Ofmap, 0, bytes, true);
    }
  };

  auto open = [&](size_t s) {
    if (!stage_open[s]) {
      tb.begin_stage(s);
      stage_open[s] = true;
    }
  };

  if (g.kind != GroupPlan::Kind::Gemm) {
    const int64_t T = g.kind == GroupPlan::Kind::Scalar ? 1 : g.chunks;
    const uint64_t before = static_cast<uint64_t>(m.chunk), after = before + 1, den = static_cast<uint64_t>(T);
    const bool first = m.chunk == 0, final = after == den;
    // DMA in.
    open(0);
    for (const auto& io : g.stream_reads) tb.transfer(0, io.op, io.tensor, piece(io.bytes, before, after, den), false, io.role);
    if (first)
      for (const auto& io : g.once_reads) tb.transfer(0, io.op, io.tensor, io.bytes, false, io.role);
    tb.end_stage(0);
    // Units, stage by stage so each stage's events are contiguous.
    for (size_t s = 1; s < last; ++s) {
      open(s);
      const std::vector<int32_t> ops_here = ops_in_stage(g.ops, s);
      for (int32_t i : ops_here) {
        const Op& op = t_.ops[i];
        const int64_t e = static_cast<int64_t>(piece(static_cast<uint64_t>(op.elements), before, after, den));
        unit_work(i, e, final ? op.groups : 0, before, after, den, first, ops_here);
      }
      tb.ports(s);
      tb.end_stage(s);
    }
    // DMA out.
    open(last);
    for (const auto& io : g.stream_writes) tb.transfer(last, io.op, io.tensor, piece(io.bytes, before, after, den), true, io.role);
    if (final)
      for (const auto& io : g.once_writes) tb.transfer(last, io.op, io.tensor, io.bytes, true, io.role);
    tb.end_stage(last);
    ++m.chunk;
    if (m.chunk >= T) m.exhausted = true;
  } else {
    // ---- GEMM tile ----
    const Op& gemm = t_.ops[g.gemm];
    const GemmPartPlan& pp = g.parts[m.cur.part];
    const Mapping& map = pp.mapping;
    const GemmProblem& q = pp.problem;
    std::array<int64_t, 3> tr{};
    auto tile_of = [&](char d) { return d == 'm' ? map.mt : d == 'n' ? map.nt : map.kt; };
    auto dim_of = [&](char d) { return d == 'm' ? q.m : d == 'n' ? q.n : q.k; };
    for (int p = 0; p < 3; ++p) tr[p] = trips(dim_of(map.order[p]), tile_of(map.order[p]));
    auto index = [&](const Impl::Cursor& c, char d) {
      for (int p = 0; p < 3; ++p)
        if (map.order[p] == d) return c.idx[p];
      return int64_t(0);
    };
    const int64_t im = index(m.cur, 'm'), in = index(m.cur, 'n'), ik = index(m.cur, 'k');
    const int64_t mt = std::min(map.mt, q.m - im * map.mt), nt = std::min(map.nt, q.n - in * map.nt),
                  kt = std::min(map.kt, q.k - ik * map.kt);
    const int64_t tk = trips(q.k, map.kt);
    tile_dims = {mt, kt, nt};
    const bool same_inst = m.have_prev && m.prev.part == m.cur.part && m.prev.inst == m.cur.inst;
    const bool a_new = !same_inst || index(m.prev, 'm') != im || index(m.prev, 'k') != ik;
    const bool b_new = !same_inst || index(m.prev, 'k') != ik || index(m.prev, 'n') != in;
    const bool psum_reload = ik > 0 && !(same_inst && index(m.prev, 'm') == im && index(m.prev, 'n') == in);
    const bool final = ik == tk - 1;
    // Look ahead for the next tile.
    Impl::Cursor next = m.cur;
    for (int p = 2; p >= 0; --p) {
      if (++next.idx[p] < tr[p]) break;
      next.idx[p] = 0;
      if (p == 0) {
        if (++next.inst >= pp.part.count) {
          next.inst = 0;
          if (++next.part >= g.parts.size()) next.valid = false;
        }
      }
    }
    const bool next_same = next.valid && next.part == m.cur.part && next.inst == m.cur.inst;
    const bool spill = !final && !(next_same && index(next, 'm') == im && index(next, 'n') == in);
    const bool last_tile = !next.valid;
    const uint64_t psum_bpe = bytes_per_elem(gemm.accum);
    const uint64_t out_units = static_cast<uint64_t>(mt) * static_cast<uint64_t>(nt);
    const uint64_t before = m.out_units_done, after = final ? before + out_units : before, den = m.out_units_total;
    const int64_t a_span = q.a_spatial == 'm' ? mt : q.a_spatial == 'k' ? kt : 0;
    const double a_frac = static_cast<double>(mt) * kt / (static_cast<double>(q.m) * q.k) * halo_factor(q, a_span);
    const uint64_t a_bytes = a_new ? static_cast<uint64_t>(std::llround(q.a_bytes * a_frac)) : 0;
    const uint64_t b_bytes =
        b_new ? static_cast<uint64_t>(std::llround(q.b_bytes * static_cast<double>(kt) * nt /
                                                   (static_cast<double>(q.k) * q.n)))
              : 0;
    // DMA in: operands that changed, a spilled partial sum, epilogue operands of a finished tile.
    open(0);
    tb.transfer(0, g.gemm, g.a_tensor, a_bytes, false, Role::Ifmap);
    tb.transfer(0, g.gemm, g.b_tensor, b_bytes, false, Role::Filter);
    if (psum_reload) tb.transfer(0, g.gemm, g.c_tensor, out_units * psum_bpe, false, Role::Ofmap);
    if (final)
      for (const auto& io : g.stream_reads) tb.transfer(0, io.op, io.tensor, piece(io.bytes, before, after, den), false, io.role);
    if (m.first_tile)
      for (const auto& io : g.once_reads) tb.transfer(0, io.op, io.tensor, io.bytes, false, io.role);
    tb.end_stage(0);
    // Prologue: element-wise ops on the A tile as it enters (recomputed whenever A is reloaded).
    const size_t array_stage = stage_of_op(g.gemm);
    for (size_t s = 1; s < array_stage; ++s) {
      open(s);
      if (a_new) {
        for (int32_t i : ops_in_stage(g.prologue, s)) {
          const Op& op = t_.ops[i];
          const int64_t e = std::max<int64_t>(1, std::llround(static_cast<double>(op.elements) * a_frac * pp.share /
                                                              static_cast<double>(pp.part.count)));
          StreamUnit::Cost c = chip_.stream_unit(op.unit)->cost(t_, i, e, 0, tile.ev);
          timing_[i].busy += c.occupancy;
          tile.stages[s].occupancy += c.occupancy;
          tile.stages[s].latency = std::max(tile.stages[s].latency, tile.stages[s].occupancy + (c.latency - c.occupancy));
          tb.mark(s, i);
        }
      }
      tb.end_stage(s);
    }
    // The array.
    open(array_stage);
    {
      PeArray& pe = chip_.pe_array();
      const ArrayAccesses ac = pe.accesses(mt, kt, nt);
      StageBuild& sb = tile.stages[array_stage];
      const uint64_t macs = static_cast<uint64_t>(mt) * static_cast<uint64_t>(kt) * static_cast<uint64_t>(nt);
      OpTiming& ot = timing_[g.gemm];
      if (!same_inst) m.inst_macs_done = 0;
      if (pe.scalesim_timing()) {
        // SCALE-Sim's convention: the GEMM instance's compute cycles are its closed form, with no
        // overlap between folds; each tile takes its MAC share, so the sum over tiles is the
        // layer's figure whatever the buffers.
        const uint64_t inst_macs = static_cast<uint64_t>(q.m) * static_cast<uint64_t>(q.k) * static_cast<uint64_t>(q.n);
        const Dataflow df = pe.dataflow();
        const uint64_t total = scalesim_cycles(df, pe.rows(), pe.cols(), q.m, q.k, q.n);
        sb.occupancy = piece(total, m.inst_macs_done, m.inst_macs_done + macs, inst_macs);
        sb.latency = sb.occupancy;
        if (m.inst_macs_done == 0) {
          ot.fill_drain += total - scalesim_stream_cycles(df, pe.rows(), pe.cols(), q.m, q.k, q.n);
          const TileTiming whole = tile_timing(df, pe.rows(), pe.cols(), q.m, q.k, q.n);
          ot.mapped_pes += whole.mapped_pes;
          ot.fold_pes += whole.folds * static_cast<uint64_t>(pe.rows() * pe.cols());
        }
      } else {
        const TileTiming tt = pe.timing(mt, kt, nt);
        sb.occupancy = tt.occupancy;
        sb.latency = tt.latency;
        ot.fill_drain += tt.fill_drain();
        ot.weight_stall += tt.weight_stall();
        ot.mapped_pes += tt.mapped_pes;
        ot.fold_pes += tt.folds * static_cast<uint64_t>(pe.rows() * pe.cols());
      }
      m.inst_macs_done += macs;
      ot.compute_cycles += sb.occupancy;
      ot.busy += sb.occupancy;
      tile.ev.push_back({g.gemm, pe.mac_event(gemm.precision), macs});
      // Every MAC passes its A operand one register along a row and its partial sum one register
      // down a column.
      const uint64_t reg_bits = static_cast<uint64_t>(t_.tensors[gemm.inputs[0]].precision.bits) +
                                static_cast<uint64_t>(gemm.accum.bits);
      tile.ev.push_back({g.gemm, pe.register_event(), macs * reg_bits});
      const uint64_t a_bpe = bytes_per_elem(t_.tensors[gemm.inputs[0]].precision);
      const uint64_t b_bpe = bytes_per_elem(t_.tensors[gemm.inputs[1]].precision);
      tb.sram(array_stage, g.gemm, Role::Ifmap, ac.a_reads * a_bpe, 0, false);
      tb.sram(array_stage, g.gemm, Role::Filter, ac.b_reads * b_bpe, 0, false);
      tb.sram(array_stage, g.gemm, Role::Ofmap, ac.psum_reads * psum_bpe, ac.psum_writes * psum_bpe, false);
      tb.ports(array_stage);
      tb.mark(array_stage, g.gemm);
      ot.tiles += 1;
      ot.executed_macs += macs;
    }
    tb.end_stage(array_stage);
    // Epilogue on finished output tiles.
    for (size_t s = array_stage + 1; s < last; ++s) {
      open(s);
      if (final) {
        const std::vector<int32_t> ops_here = ops_in_stage(g.epilogue, s);
        for (int32_t i : ops_here) {
          const Op& op = t_.ops[i];
          const int64_t e = static_cast<int64_t>(piece(static_cast<uint64_t>(op.elements), before, after, den));
          unit_work(i, e, last_tile ? op.groups : 0, before, after, den, m.first_tile, ops_here);
        }
        tb.ports(s);
      }
      tb.end_stage(s);
    }
    // DMA out: the finished output (or a spilled partial sum) and epilogue results.
    open(last);
    if (final && g.write_c)
      tb.transfer(last, g.gemm, g.c_tensor, piece(t_.tensors[g.c_tensor].bytes, before, after, den), true, Role::Ofmap);
    if (spill) tb.transfer(last, g.gemm, g.c_tensor, out_units * psum_bpe, true, Role::Ofmap);
    if (final)
      for (const auto& io : g.stream_writes) tb.transfer(last, io.op, io.tensor, piece(io.bytes, before, after, den), true, io.role);
    if (last_tile)
      for (const auto& io : g.once_writes) tb.transfer(last, io.op, io.tensor, io.bytes, true, io.role);
    tb.end_stage(last);
    m.out_units_done = after;
    m.prev = m.cur;
    m.have_prev = true;
    m.cur = next;
    if (!next.valid) m.exhausted = true;
  }
  m.first_tile = false;

  // Jobs: a stage with no work is skipped.
  tile.jobs.assign(tile.stages.size(), Job{});
  for (size_t s = 0; s < tile.stages.size(); ++s) {
    StageBuild& sb = tile.stages[s];
    if (sb.tr_e > sb.tr_b) sb.used = true;
    if (sb.ev_e > sb.ev_b) sb.used = true;
    Job& j = tile.jobs[s];
    j.occupancy = sb.occupancy;
    j.latency = std::max(sb.latency, sb.occupancy);
    j.events_begin = tile.ev.data() + sb.ev_b;
    j.events_end = tile.ev.data() + sb.ev_e;
    j.transfers_begin = tile.tr.data() + sb.tr_b;
    j.transfers_end = tile.tr.data() + sb.tr_e;
    j.token = static_cast<uint32_t>(slot) | static_cast<uint32_t>(s << 8);
    j.op = sb.ops.empty() ? -1 : sb.ops.front();
  }
  if (g.kind == GroupPlan::Kind::Gemm) {
    Job& aj = tile.jobs[stage_of_op(g.gemm)];
    aj.tile_m = tile_dims[0];
    aj.tile_k = tile_dims[1];
    aj.tile_n = tile_dims[2];
  }
  tile.busy = true;
  tile.next = 0;
  ++m.in_flight;
  advance(static_cast<uint32_t>(slot));
  return true;
}

void Controller::advance(uint32_t slot) {
  Impl& m = *impl_;
  Tile& tile = m.slots[slot];
  while (tile.next < tile.stages.size() && !tile.stages[tile.next].used) ++tile.next;
  if (tile.next < tile.stages.size()) {
    m.stage_units[tile.next]->submit(tile.jobs[tile.next]);
    ++tile.next;
    return;
  }
  // Retired: the slot's buffer space is free for the next tile.
  tile.busy = false;
  --m.in_flight;
  while (admit()) {
  }
  if (m.in_flight == 0 && m.exhausted) group_done_.notify(sc_core::SC_ZERO_TIME);
}

void Controller::on_done(uint32_t token) {
  Impl& m = *impl_;
  const uint32_t slot = token & 0xFF, stage = token >> 8;
  Tile& tile = m.slots[slot];
  const uint64_t now = now_cycles();
  for (int32_t op : tile.stages[stage].ops) timing_[op].end = std::max(timing_[op].end, now);
  advance(slot);
}

}  // namespace eoqsim
