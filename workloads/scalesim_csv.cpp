#include "workloads/scalesim_csv.h"

#include <cctype>
#include <filesystem>
#include <sstream>

#include "sim/common/error.h"
#include "sim/common/json.h"

namespace eoqsim {

namespace {

std::string trim(const std::string& s) {
  size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return s.substr(a, b - a);
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char ch : s) {
    if (ch == ',') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += ch;
    }
  }
  out.push_back(cur);
  return out;
}

std::string lower(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

}  // namespace

Graph parse_scalesim_csv(const std::string& text, const std::string& file) {
  std::vector<std::string> lines;
  {
    std::string line;
    std::istringstream in(text);
    while (std::getline(in, line)) lines.push_back(line);
  }
  if (lines.empty()) throw InputError(file, "line 1", "empty topology file");
  const std::vector<std::string> header = split(trim(lines[0]));
  const std::string kind = header.size() > 1 ? lower(trim(header[1])) : "";
  const bool gemm = kind == "m";
  if (!gemm && kind != "ifmap height")
    throw InputError(file, "line 1", "expected a SCALE-Sim header, \"Layer name, IFMAP Height, IFMAP Width, Filter "
                                     "Height, Filter Width, Channels, Num Filter, Strides,\" or \"Layer name, M, N, K,\"");
  static const char* kConvFields[] = {"Layer name",   "IFMAP Height", "IFMAP Width", "Filter Height", "Filter Width",
                                      "Channels",     "Num Filter",   "Strides",     "Stride width"};
  static const char* kGemmFields[] = {"Layer name", "M", "N", "K"};

  Graph g;
  g.name = std::filesystem::path(file).stem().string();
  g.form = "plain";
  g.independent = true;
  for (size_t ln = 1; ln < lines.size(); ++ln) {
    const std::string row = trim(lines[ln]);
    if (row.empty()) continue;
    const std::string where = "line " + std::to_string(ln + 1);
    std::vector<std::string> f = split(row);
    f.pop_back();  // SCALE-Sim drops the text after the last comma
    const size_t need = gemm ? 4 : 8;
    if (f.size() < need)
      throw InputError(file, where, "expected " + std::to_string(need) + " fields (" + (gemm ? "name, M, N, K" :
                                    "name, ifmap h, ifmap w, filter h, filter w, channels, filters, stride") +
                                        ") before the final comma, found " + std::to_string(f.size()) +
                                        (f.size() + 1 == need ? " (does the row end with a comma? SCALE-Sim drops "
                                                                "the text after the last one)"
                                                              : ""));
    const std::string name = trim(f[0]);
    if (name.empty()) throw InputError(file, where, "empty layer name");
    auto num = [&](size_t i) -> int64_t {
      const std::string v = trim(f[i]);
      const char* field = gemm ? kGemmFields[i] : kConvFields[i];
      bool ok = !v.empty() && v.size() < 10;
      for (char ch : v) ok = ok && std::isdigit(static_cast<unsigned char>(ch));
      if (!ok || std::stoll(v) < 1)
        throw InputError(file, where + ", field \"" + field + "\"", "expected a positive integer, found \"" + v + "\"");
      return std::stoll(v);
    };
    if (gemm) {
      Layer L;
      L.name = name;
      L.type = LayerType::Fc;
      L.inputs = {kNetworkInput};
      const int64_t M = num(1), N = num(2), K = num(3);
      L.out_channels = N;
      L.tokens = M;
      L.has_input_shape = true;
      L.input_shape = {K, M, 1};
      g.layers.push_back(L);
      continue;
    }
    const int64_t ih = num(1), iw = num(2), fh = num(3), fw = num(4), ch = num(5), nf = num(6), sh = num(7);
    const int64_t sw = f.size() > 8 && !trim(f[8]).empty() ? num(8) : sh;
    if (fh > ih) throw InputError(file, where, "filter height " + std::to_string(fh) + " is larger than the ifmap height " + std::to_string(ih));
    if (fw > iw) throw InputError(file, where, "filter width " + std::to_string(fw) + " is larger than the ifmap width " + std::to_string(iw));
    auto conv = [&](const std::string& layer_name, int64_t channels) {
      Layer L;
      L.name = layer_name;
      L.type = LayerType::Conv;
      L.inputs = {kNetworkInput};
      L.out_channels = nf;
      L.kh = fh;
      L.kw = fw;
      L.sh = sh;
      L.sw = sw;
      L.ceil_mode = true;
      L.has_input_shape = true;
      L.input_shape = {channels, ih, iw};
      g.layers.push_back(L);
    };
    if (name.find("DP") != std::string::npos) {
      if (ch > 65536) throw InputError(file, where, "a depthwise row splits into one layer per channel; " + std::to_string(ch) + " is too many");
      for (int64_t c = 0; c < ch; ++c) conv(name + "Channel_" + std::to_string(c), 1);
    } else {
      conv(name, ch);
    }
    if (g.layers.size() > 200000) throw InputError(file, where, "more than 200000 layers");
  }
  if (g.layers.empty()) throw InputError(file, "line 2", "the topology has no rows");
  // Duplicate names would collide in reports; SCALE-Sim does not care, so number repeats.
  for (size_t i = 0; i < g.layers.size(); ++i) {
    int repeat = 0;
    for (size_t j = 0; j < i; ++j) repeat += g.layers[j].name == g.layers[i].name;
    if (repeat) g.layers[i].name += "#" + std::to_string(repeat + 1);
  }
  g.input = g.layers.front().input_shape;
  g.infer_shapes(file);
  return g;
}

Graph load_scalesim_csv(const std::string& path) { return parse_scalesim_csv(read_text_file(path), path); }

}  // namespace eoqsim
