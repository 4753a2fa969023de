#include "models/pe_array/vcd.h"

#include <algorithm>
#include <map>
#include <sstream>
#include <stdexcept>

namespace eoqsim {

int32_t VcdTrace::add_signal(const std::string& scope, const std::string& name, int width) {
  // Identifiers: printable ASCII 33..126, base-94 digits.
  int32_t n = static_cast<int32_t>(signals_.size());
  std::string id;
  int32_t v = n;
  do {
    id += static_cast<char>(33 + v % 94);
    v /= 94;
  } while (v > 0);
  signals_.push_back({scope, name, id, width});
  return n;
}

void VcdTrace::change(uint64_t cycle, int32_t signal, int64_t value, bool known) {
  if (changes_.size() >= max_changes_) throw std::length_error("VCD trace exceeds its change limit");
  changes_.push_back({cycle, signal, value, known});
}

std::string VcdTrace::str() const {
  std::ostringstream o;
  o << "$version eoqsim systolic_detailed $end\n$timescale 1ns $end\n";
  std::map<std::string, std::vector<const Signal*>> scopes;
  for (const auto& s : signals_) scopes[s.scope].push_back(&s);
  o << "$scope module array $end\n";
  for (const auto& [scope, sigs] : scopes) {
    o << "$scope module " << scope << " $end\n";
    for (const Signal* s : sigs) o << "$var wire " << s->width << " " << s->id << " " << s->name << " $end\n";
    o << "$upscope $end\n";
  }
  o << "$upscope $end\n$enddefinitions $end\n";
  std::vector<Change> sorted = changes_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Change& a, const Change& b) { return a.cycle < b.cycle; });
  uint64_t now = UINT64_MAX;
  for (const Change& c : sorted) {
    if (c.cycle != now) {
      o << "#" << c.cycle << "\n";
      now = c.cycle;
    }
    const Signal& s = signals_[c.signal];
    o << 'b';
    if (!c.known) {
      o << 'x';
    } else {
      for (int bit = s.width - 1; bit >= 0; --bit) o << (((static_cast<uint64_t>(c.value) >> bit) & 1u) ? '1' : '0');
    }
    o << ' ' << s.id << '\n';
  }
  return o.str();
}

}  // namespace eoqsim
