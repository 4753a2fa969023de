#include "models/pe_array/timing.h"

#include <algorithm>
#include <stdexcept>

namespace eoqsim {

Dataflow parse_dataflow(const std::string& s) {
  if (s == "ws") return Dataflow::WS;
  if (s == "os") return Dataflow::OS;
  if (s == "is") return Dataflow::IS;
  throw std::invalid_argument("unknown dataflow \"" + s + "\"; expected ws, os or is");
}

const char* dataflow_name(Dataflow d) {
  switch (d) {
    case Dataflow::WS: return "ws";
    case Dataflow::OS: return "os";
    case Dataflow::IS: return "is";
  }
  return "?";
}

TileTiming tile_timing(Dataflow df, int64_t R, int64_t C, int64_t mt, int64_t kt, int64_t nt) {
  TileTiming t;
  if (df == Dataflow::IS) std::swap(mt, nt);  // is = ws on the transposed product
  if (df == Dataflow::OS) {
    const int64_t folds = ceil_div(mt, R) * ceil_div(nt, C);
    const int64_t period = std::max(kt, R);
    t.folds = static_cast<uint64_t>(folds);
    t.occupancy = static_cast<uint64_t>(folds * period);
    t.latency = static_cast<uint64_t>((folds - 1) * period + kt + R + C - 1);
    t.first_start = 0;
    t.stream = static_cast<uint64_t>(folds * kt);
    t.mapped_pes = static_cast<uint64_t>(mt) * static_cast<uint64_t>(nt);
    return t;
  }
  const int64_t folds = ceil_div(kt, R) * ceil_div(nt, C);
  const int64_t period = std::max(mt, R);
  t.folds = static_cast<uint64_t>(folds);
  t.occupancy = static_cast<uint64_t>(1 + (folds - 1) * period + mt);
  t.latency = t.occupancy + static_cast<uint64_t>(R + C - 2);
  t.first_start = 1;
  t.stream = static_cast<uint64_t>(folds * mt);
  t.mapped_pes = static_cast<uint64_t>(kt) * static_cast<uint64_t>(nt);
  return t;
}

ArrayAccesses tile_accesses(Dataflow df, int64_t R, int64_t C, int64_t mt, int64_t kt, int64_t nt) {
  const uint64_t m = static_cast<uint64_t>(mt), k = static_cast<uint64_t>(kt), n = static_cast<uint64_t>(nt);
  ArrayAccesses a;
  switch (df) {
    case Dataflow::WS: {
      // Each weight loads once; the A slice of a K fold streams once per column fold; every K
      // fold writes partial sums and all but the first read them back.
      const uint64_t fk = static_cast<uint64_t>(ceil_div(kt, R)), fn = static_cast<uint64_t>(ceil_div(nt, C));
      a.b_reads = k * n;
      a.a_reads = m * k * fn;
      a.psum_writes = m * n * fk;
      a.psum_reads = m * n * (fk - 1);
      break;
    }
    case Dataflow::IS: {
      const uint64_t fk = static_cast<uint64_t>(ceil_div(kt, R)), fm = static_cast<uint64_t>(ceil_div(mt, C));
      a.a_reads = m * k;
      a.b_reads = k * n * fm;
      a.psum_writes = m * n * fk;
      a.psum_reads = m * n * (fk - 1);
      break;
    }
    case Dataflow::OS: {
      // Outputs accumulate in place over the whole K of the tile and leave once.
      const uint64_t fm = static_cast<uint64_t>(ceil_div(mt, R)), fn = static_cast<uint64_t>(ceil_div(nt, C));
      a.a_reads = m * k * fn;
      a.b_reads = k * n * fm;
      a.psum_writes = m * n;
      a.psum_reads = 0;
      break;
    }
  }
  return a;
}

uint64_t scalesim_cycles(Dataflow df, int64_t R, int64_t C, int64_t M, int64_t K, int64_t N) {
  int64_t folds = 0, per_fold = 0;
  switch (df) {
    case Dataflow::OS:
      folds = ceil_div(M, R) * ceil_div(N, C);
      per_fold = R + C + K - 2;
      break;
    case Dataflow::WS:
      folds = ceil_div(K, R) * ceil_div(N, C);
      per_fold = 2 * R + C + M - 2;
      break;
    case Dataflow::IS:
      folds = ceil_div(K, R) * ceil_div(M, C);
      per_fold = 2 * R + C + N - 2;
      break;
  }
  return static_cast<uint64_t>(folds * per_fold - 1);
}

uint64_t scalesim_stream_cycles(Dataflow df, int64_t R, int64_t C, int64_t M, int64_t K, int64_t N) {
  switch (df) {
    case Dataflow::OS: return static_cast<uint64_t>(ceil_div(M, R) * ceil_div(N, C) * K);
    case Dataflow::WS: return static_cast<uint64_t>(ceil_div(K, R) * ceil_div(N, C) * M);
    case Dataflow::IS: return static_cast<uint64_t>(ceil_div(K, R) * ceil_div(M, C) * N);
  }
  return 0;
}

}  // namespace eoqsim
