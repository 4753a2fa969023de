#include "sim/plan/mapper.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <sstream>
#include <tuple>

#include "models/pe_array/timing.h"
#include "sim/common/error.h"

namespace eoqsim {

const char* role_name(Role r) {
  switch (r) {
    case Role::Ifmap: return "ifmap";
    case Role::Filter: return "filter";
    case Role::Ofmap: return "ofmap";
  }
  return "?";
}

int buffer_for(const std::vector<BufferCaps>& buffers, Role role) {
  for (size_t i = 0; i < buffers.size(); ++i)
    if (buffers[i].holds[static_cast<int>(role)]) return static_cast<int>(i);
  return -1;
}

std::string Mapping::str() const {
  std::ostringstream s;
  s << order[0] << order[1] << order[2] << " M" << mt << " N" << nt << " K" << kt;
  return s.str();
}

double halo_factor(const GemmProblem& p, int64_t span) {
  if (p.a_spatial == 0 || p.kernel <= p.stride) return 1.0;
  const int64_t image = p.row_len * p.rows_per_image;
  if (span >= image) return 1.0;  // whole images: no halo
  const double rows = std::max<double>(1.0, static_cast<double>(span) / static_cast<double>(p.row_len));
  const double needed = (rows - 1) * p.stride + p.kernel;
  const double share = rows * p.stride;
  // Never more than the whole image's input rows.
  const double cap = static_cast<double>(p.rows_per_image) * p.stride + (p.kernel - p.stride);
  return std::min(needed, cap) / share;
}

namespace {

int64_t trips(int64_t dim, int64_t tile) { return ceil_div(dim, tile); }

// Times operand X's tile changes along the loop nest: the product of trip counts of all loops
// from the outermost down to X's innermost relevant loop that iterates more than once.
double loads(const std::array<char, 3>& order, const std::map<char, int64_t>& t, const char* relevant) {
  int deepest = -1;
  for (int pos = 0; pos < 3; ++pos)
    if ((order[pos] == relevant[0] || order[pos] == relevant[1]) && t.at(order[pos]) > 1) deepest = pos;
  double n = 1;
  for (int pos = 0; pos <= deepest; ++pos) n *= static_cast<double>(t.at(order[pos]));
  return n;
}

std::vector<int64_t> candidates(int64_t dim, int64_t unit) {
  std::vector<int64_t> c = {dim};
  for (int64_t v = std::max<int64_t>(1, unit / 8); v < dim; v *= 2) c.push_back(v);
  for (int64_t v = unit; v < dim; v *= 2) c.push_back(v);
  std::sort(c.begin(), c.end());
  c.erase(std::unique(c.begin(), c.end()), c.end());
  // Keep the search small: at most 12 sizes, spread geometrically, always keeping `dim`.
  while (c.size() > 12) {
    std::vector<int64_t> thin;
    for (size_t i = 0; i < c.size(); i += 2) thin.push_back(c[i]);
    if (thin.back() != dim) thin.push_back(dim);
    c = thin;
  }
  return c;
}

// Ordering of candidate mappings under the problem's objective; ties within a relative 1e-9.
bool ranks_before(const GemmProblem& p, const Mapping& a, const Mapping& b) {
  auto less = [](double x, double y) { return x < y * (1 - 1e-9); };
  auto equal = [&](double x, double y) { return !less(x, y) && !less(y, x); };
  const double ta = std::max(static_cast<double>(a.array_cycles), a.dram_bytes / p.dram_bytes_per_cycle);
  const double tb = std::max(static_cast<double>(b.array_cycles), b.dram_bytes / p.dram_bytes_per_cycle);
  const double first_a = p.minimize_traffic ? a.dram_bytes : ta, first_b = p.minimize_traffic ? b.dram_bytes : tb;
  const double second_a = p.minimize_traffic ? static_cast<double>(a.array_cycles) : a.dram_bytes;
  const double second_b = p.minimize_traffic ? static_cast<double>(b.array_cycles) : b.dram_bytes;
  if (!equal(first_a, first_b)) return first_a < first_b;
  if (!equal(second_a, second_b)) return second_a < second_b;
  return a.tiles < b.tiles;
}

}  // namespace

void evaluate(const GemmProblem& p, Mapping& m) {
  const std::map<char, int64_t> t = {{'m', trips(p.m, m.mt)}, {'k', trips(p.k, m.kt)}, {'n', trips(p.n, m.nt)}};
  const double tm = t.at('m'), tk = t.at('k'), tn = t.at('n');
  const int64_t a_span = p.a_spatial == 'm' ? m.mt : p.a_spatial == 'k' ? m.kt : 0;
  const double halo = halo_factor(p, a_span);
  m.a_traffic = p.a_bytes * halo * loads(m.order, t, "mk") / (tm * tk);
  m.b_traffic = p.b_bytes * loads(m.order, t, "kn") / (tk * tn);
  const double c_runs = loads(m.order, t, "mn");
  const double distinct = tm * tn;
  // A revisited output tile was spilled as partial sums: written and read back at accumulator width.
  const double psum_total = static_cast<double>(p.m) * static_cast<double>(p.n) * p.psum_bytes_per_elem;
  m.psum_traffic = (c_runs - distinct) / distinct * psum_total * 2.0;
  m.c_traffic = p.c_bytes;
  m.dram_bytes = m.a_traffic + m.b_traffic + m.c_traffic + m.psum_traffic;
  m.tiles = static_cast<uint64_t>(tm * tk * tn);
}

Mapping map_gemm(const GemmProblem& p, const std::vector<BufferCaps>& buffers, const std::string& op_name) {
  // Identical problems recur (ResNet blocks repeat); the search is deterministic, so memoize.
  using Key = std::tuple<int64_t, int64_t, int64_t, double, double, double, double, double, char, int64_t, int64_t,
                         int64_t, int64_t, int64_t, int64_t, double, bool, int, bool>;
  static std::mutex mu;
  std::string buf_key;
  for (const auto& b : buffers)
    buf_key += b.name + ":" + std::to_string(b.capacity) + (b.double_buffered ? "d" : "s") + std::to_string(b.holds[0]) +
               std::to_string(b.holds[1]) + std::to_string(b.holds[2]) + ";";
  Key key{p.m, p.k, p.n, p.a_bytes, p.b_bytes, p.c_bytes, p.psum_bytes_per_elem, p.epilogue_bytes_per_out,
          p.a_spatial, p.row_len, p.rows_per_image, p.kernel, p.stride, p.array_rows, p.array_cols,
          p.dram_bytes_per_cycle, p.minimize_traffic, static_cast<int>(p.dataflow), p.scalesim_timing};
  static std::map<std::string, std::map<Key, Mapping>> caches;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto& c = caches[buf_key];
    auto it = c.find(key);
    if (it != c.end()) return it->second;
  }

  const int ia = buffer_for(buffers, Role::Ifmap), ib = buffer_for(buffers, Role::Filter),
            ic = buffer_for(buffers, Role::Ofmap);
  const double a_density = p.a_bytes / (static_cast<double>(p.m) * static_cast<double>(p.k));
  const double b_density = p.b_bytes / (static_cast<double>(p.k) * static_cast<double>(p.n));
  const double c_per_elem = p.psum_bytes_per_elem + p.epilogue_bytes_per_out;
  std::vector<double> cap(buffers.size());
  for (size_t i = 0; i < buffers.size(); ++i)
    cap[i] = static_cast<double>(buffers[i].capacity) / (buffers[i].double_buffered ? 2.0 : 1.0);

  bool found = false;
  Mapping best;
  const std::array<std::array<char, 3>, 6> orders = {{{'m', 'n', 'k'}, {'n', 'm', 'k'}, {'m', 'k', 'n'},
                                                       {'k', 'm', 'n'}, {'n', 'k', 'm'}, {'k', 'n', 'm'}}};
  // Tile sizes step in units of the array dimension each GEMM dimension is spread over.
  const int64_t unit_m = p.dataflow == Dataflow::OS ? p.array_rows : p.dataflow == Dataflow::IS ? p.array_cols : 16;
  const int64_t unit_n = p.dataflow == Dataflow::IS ? 16 : p.array_cols;
  const uint64_t layer_cycles =
      scalesim_cycles(p.dataflow, p.array_rows, p.array_cols, p.m, p.k, p.n);
  for (int64_t mt : candidates(p.m, unit_m)) {
    for (int64_t kt : candidates(p.k, p.dataflow == Dataflow::OS ? 16 : p.array_rows)) {
      const int64_t a_span = p.a_spatial == 'm' ? mt : p.a_spatial == 'k' ? kt : 0;
      const double a_tile = static_cast<double>(mt) * kt * a_density * halo_factor(p, a_span);
      for (int64_t nt : candidates(p.n, unit_n)) {
        std::vector<double> use(buffers.size(), 0.0);
        use[ia] += a_tile;
        use[ib] += static_cast<double>(kt) * nt * b_density;
        use[ic] += static_cast<double>(mt) * nt * c_per_elem;
        bool fits = true;
        for (size_t i = 0; i < buffers.size(); ++i) fits = fits && use[i] <= cap[i];
        if (!fits) continue;
        const TileTiming tt = tile_timing(p.dataflow, p.array_rows, p.array_cols, mt, kt, nt);
        for (const auto& order : orders) {
          Mapping m;
          m.mt = mt;
          m.kt = kt;
          m.nt = nt;
          m.order = order;
          evaluate(p, m);
          // Edge tiles are smaller: an upper bound, fine for ranking. SCALE-Sim's convention does
          // not depend on the tiling.
          m.array_cycles = p.scalesim_timing ? layer_cycles : tt.occupancy * m.tiles;
          const bool better = !found || ranks_before(p, m, best);
          if (better) {
            best = m;
            found = true;
          }
        }
      }
    }
  }
  if (!found)
    throw UnsupportedError("", op_name,
                           "no tiling of this GEMM (M=" + std::to_string(p.m) + ", K=" + std::to_string(p.k) +
                               ", N=" + std::to_string(p.n) + ") fits the buffers; enlarge them");
  std::lock_guard<std::mutex> lock(mu);
  caches[buf_key][key] = best;
  return best;
}

}  // namespace eoqsim
