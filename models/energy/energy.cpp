#include "models/energy/energy.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include "sim/common/error.h"

namespace eoqsim {

const TechEntry& EnergyModel::op(const std::string& event) const {
  auto it = t_.ops.find(event);
  if (it == t_.ops.end())
    throw UnsupportedError(t_.file, "ops", "technology table has no entry for \"" + event +
                                               "\", which this chip and scheme need; add it with its source");
  return it->second;
}

namespace {

// Piecewise-linear interpolation of log(y) over log(x) between the points. Beyond the end points
// (`extrapolated` set): a power law through the nearest end point, y ~ x^slope, with `slope` the
// least-squares slope of log(y) over log(x) across all points (SRAM energy per access: about
// capacity^0.5, reference/energy.md 3.1), or slope 1 with `linear_beyond` (area grows with the
// bits stored).
double loglog(std::vector<std::pair<double, double>> pts, double x, bool* extrapolated, bool linear_beyond) {
  std::sort(pts.begin(), pts.end());
  if (pts.size() == 1) {
    *extrapolated = x != pts[0].first;
    return pts[0].second * (x / pts[0].first);  // linear in size
  }
  if (x < pts.front().first || x > pts.back().first) {
    *extrapolated = true;
    double slope = 1.0;
    if (!linear_beyond) {
      double mx = 0, my = 0;
      for (const auto& [px, py] : pts) {
        mx += std::log(px);
        my += std::log(py);
      }
      mx /= static_cast<double>(pts.size());
      my /= static_cast<double>(pts.size());
      double sxy = 0, sxx = 0;
      for (const auto& [px, py] : pts) {
        sxy += (std::log(px) - mx) * (std::log(py) - my);
        sxx += (std::log(px) - mx) * (std::log(px) - mx);
      }
      slope = sxx > 0 ? sxy / sxx : 1.0;
    }
    const auto& [x0, y0] = x < pts.front().first ? pts.front() : pts.back();
    return y0 * std::pow(x / x0, slope);
  }
  size_t i = 1;
  while (i + 1 < pts.size() && x > pts[i].first) ++i;
  const auto& [x0, y0] = pts[i - 1];
  const auto& [x1, y1] = pts[i];
  const double s = std::log(y1 / y0) / std::log(x1 / x0);
  return y0 * std::exp(s * std::log(x / x0));
}

}  // namespace

SramCost EnergyModel::sram(uint64_t capacity, int64_t width_bits) const {
  SramCost c;
  std::set<int64_t> widths;
  for (const auto& p : t_.sram) widths.insert(p.width_bits);
  if (widths.empty()) throw UnsupportedError(t_.file, "sram", "technology table has no SRAM points");
  auto at_width = [&](int64_t w, bool* ex) {
    std::vector<std::pair<double, double>> rd, wr;
    for (const auto& p : t_.sram)
      if (p.width_bits == w) {
        rd.push_back({static_cast<double>(p.capacity), p.read_pj});
        wr.push_back({static_cast<double>(p.capacity), p.write_pj});
      }
    return std::pair<double, double>{loglog(rd, static_cast<double>(capacity), ex, false),
                                     loglog(wr, static_cast<double>(capacity), ex, false)};
  };
  // Width classes with at least two capacity points can be interpolated over capacity.
  std::vector<int64_t> usable;
  for (int64_t w : widths) {
    int n = 0;
    for (const auto& p : t_.sram) n += p.width_bits == w;
    if (n >= 2) usable.push_back(w);
  }
  if (usable.empty()) usable.assign(widths.begin(), widths.end());
  bool ex = false;
  if (usable.size() == 1 || width_bits <= usable.front() || width_bits >= usable.back()) {
    // Outside the table's widths: scale the nearest class's energy per bit (an estimate).
    const int64_t w = width_bits <= usable.front() ? usable.front() : usable.back();
    auto [r, wr] = at_width(w, &ex);
    const double f = static_cast<double>(width_bits) / static_cast<double>(w);
    c.read_pj = r * f;
    c.write_pj = wr * f;
    if (width_bits != w) ex = true;
  } else {
    size_t i = 1;
    while (i + 1 < usable.size() && width_bits > usable[i]) ++i;
    auto [r0, w0] = at_width(usable[i - 1], &ex);
    auto [r1, w1] = at_width(usable[i], &ex);
    const double t = std::log(static_cast<double>(width_bits) / usable[i - 1]) /
                     std::log(static_cast<double>(usable[i]) / usable[i - 1]);
    c.read_pj = r0 * std::pow(r1 / r0, t);
    c.write_pj = w0 * std::pow(w1 / w0, t);
  }
  bool ex_area = false;
  std::vector<std::pair<double, double>> area;
  for (const auto& [cap, mm2] : t_.sram_area_mm2) area.push_back({static_cast<double>(cap), mm2});
  c.area_mm2 = area.empty() ? 0.0 : loglog(area, static_cast<double>(capacity), &ex_area, true);
  c.estimate = ex || ex_area;
  std::ostringstream s;
  s << t_.sram_source
    << (c.estimate ? " (beyond the table's points: energy by the points' least-squares power law in capacity, area "
                     "linear in capacity; an estimate)"
                   : " (interpolated)");
  c.source = s.str();
  return c;
}

}  // namespace eoqsim
