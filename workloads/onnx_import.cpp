#include "workloads/onnx_import.h"

#include <cstring>
#include <map>
#include <set>
#include <sstream>

#include "sim/common/error.h"
#include "sim/common/io.h"

namespace eoqsim {
namespace {

// --- Protobuf wire format: just enough to walk ONNX's messages. -------------------------------

struct Field {
  uint32_t number = 0;
  uint32_t wire = 0;
  uint64_t varint = 0;       // wire 0, and the raw bits of wires 1 and 5
  const char* data = nullptr;  // wire 2
  size_t size = 0;
};

class Reader {
 public:
  Reader(const char* begin, const char* end, const std::string& file, size_t base)
      : p_(begin), begin_(begin), end_(end), file_(file), base_(base) {}
  bool next(Field& f) {
    if (p_ >= end_) return false;
    const uint64_t key = varint();
    f.number = static_cast<uint32_t>(key >> 3);
    f.wire = static_cast<uint32_t>(key & 7);
    f.data = nullptr;
    f.size = 0;
    switch (f.wire) {
      case 0:
        f.varint = varint();
        break;
      case 1:
        need(8);
        std::memcpy(&f.varint, p_, 8);
        p_ += 8;
        break;
      case 5: {
        need(4);
        uint32_t v;
        std::memcpy(&v, p_, 4);
        f.varint = v;
        p_ += 4;
        break;
      }
      case 2: {
        const uint64_t n = varint();
        need(n);
        f.data = p_;
        f.size = static_cast<size_t>(n);
        p_ += n;
        break;
      }
      default:
        fail("unsupported protobuf wire type " + std::to_string(f.wire));
    }
    return true;
  }
  Reader sub(const Field& f) const {
    return Reader(f.data, f.data + f.size, file_, base_ + static_cast<size_t>(f.data - begin_));
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw InputError(file_, "byte " + std::to_string(base_ + static_cast<size_t>(p_ - begin_)),
                     "not a valid ONNX model: " + what);
  }

 private:
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      need(1);
      const uint8_t b = static_cast<uint8_t>(*p_++);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    fail("varint longer than 10 bytes");
  }
  void need(uint64_t n) const {
    if (n > static_cast<uint64_t>(end_ - p_)) fail("truncated message");
  }
  const char* p_;
  const char* begin_;
  const char* end_;
  const std::string& file_;
  size_t base_;
};

std::string str(const Field& f) { return std::string(f.data, f.size); }

// Repeated int64: packed (wire 2) or one varint per field (wire 0).
void ints(const Reader& parent, const Field& f, std::vector<int64_t>& out) {
  if (f.wire == 0) {
    out.push_back(static_cast<int64_t>(f.varint));
    return;
  }
  const Reader r = parent.sub(f);  // for error positions
  // A packed run is a sequence of bare varints.
  const char* p = f.data;
  const char* end = f.data + f.size;
  while (p < end) {
    uint64_t x = 0;
    int shift = 0;
    for (;; shift += 7) {
      if (p >= end || shift >= 64) r.fail("truncated packed integers");
      const uint8_t b = static_cast<uint8_t>(*p++);
      x |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) break;
    }
    out.push_back(static_cast<int64_t>(x));
  }
}

// --- ONNX messages (only the fields the import needs). ------------------------------------------

struct TensorInfo {
  std::vector<int64_t> dims;
  int32_t data_type = 0;
  std::string name;
  std::vector<double> values;  // small tensors only (Clip bounds): float or double data
};

TensorInfo read_tensor(Reader r) {
  TensorInfo t;
  Field f;
  std::string raw;
  while (r.next(f)) {
    if (f.number == 1) ints(r, f, t.dims);
    else if (f.number == 2 && f.wire == 0) t.data_type = static_cast<int32_t>(f.varint);
    else if (f.number == 8 && f.wire == 2) t.name = str(f);
    else if (f.number == 9 && f.wire == 2 && f.size <= 64) raw = str(f);
    else if (f.number == 4 && f.wire == 2) {  // packed float_data
      for (size_t k = 0; k + 4 <= f.size; k += 4) {
        float v;
        std::memcpy(&v, f.data + k, 4);
        t.values.push_back(v);
      }
    } else if (f.number == 4 && f.wire == 5) {
      float v;
      const uint32_t bits = static_cast<uint32_t>(f.varint);
      std::memcpy(&v, &bits, 4);
      t.values.push_back(v);
    }
  }
  if (!raw.empty() && t.data_type == 1)
    for (size_t k = 0; k + 4 <= raw.size(); k += 4) {
      float v;
      std::memcpy(&v, raw.data() + k, 4);
      t.values.push_back(v);
    }
  if (!raw.empty() && t.data_type == 11)
    for (size_t k = 0; k + 8 <= raw.size(); k += 8) {
      double v;
      std::memcpy(&v, raw.data() + k, 8);
      t.values.push_back(v);
    }
  return t;
}

struct Attribute {
  std::string name;
  int64_t i = 0;
  double f = 0;
  std::string s;
  std::vector<int64_t> ints;
  bool has_t = false;
  TensorInfo t;
};

struct Node {
  std::vector<std::string> inputs, outputs;
  std::string name, op;
  std::map<std::string, Attribute> attrs;
  size_t index = 0;
};

struct ValueInfo {
  std::string name;
  std::vector<int64_t> dims;  // -1 for a symbolic dimension
};

// Calls fn(sub-reader) for every embedded message with field number `number`.
template <typename Fn>
void each_message(Reader r, uint32_t number, Fn fn) {
  Field f;
  while (r.next(f))
    if (f.number == number && f.wire == 2) fn(r.sub(f));
}

// ValueInfoProto: name (1), type (2) -> TypeProto.tensor_type (1) -> shape (2) -> dim (1) ->
// dim_value (1) or dim_param (2, symbolic: -1 here).
ValueInfo read_value_info(Reader r) {
  ValueInfo v;
  Field f;
  Reader copy = r;
  while (copy.next(f))
    if (f.number == 1 && f.wire == 2) v.name = str(f);
  each_message(r, 2, [&](Reader type) {
    each_message(type, 1, [&](Reader tensor) {
      each_message(tensor, 2, [&](Reader shape) {
        each_message(shape, 1, [&](Reader dim) {
          int64_t value = -1;
          Field vf;
          while (dim.next(vf))
            if (vf.number == 1 && vf.wire == 0) value = static_cast<int64_t>(vf.varint);
          v.dims.push_back(value);
        });
      });
    });
  });
  return v;
}

Node read_node(Reader r) {
  Node n;
  Field f;
  while (r.next(f)) {
    if (f.wire != 2) continue;
    if (f.number == 1) n.inputs.push_back(str(f));
    else if (f.number == 2) n.outputs.push_back(str(f));
    else if (f.number == 3) n.name = str(f);
    else if (f.number == 4) n.op = str(f);
    else if (f.number == 5) {
      Reader a = r.sub(f);
      Attribute at;
      Field af;
      while (a.next(af)) {
        if (af.number == 1 && af.wire == 2) at.name = str(af);
        else if (af.number == 2 && af.wire == 5) {
          float v;
          const uint32_t bits = static_cast<uint32_t>(af.varint);
          std::memcpy(&v, &bits, 4);
          at.f = v;
        } else if (af.number == 3 && af.wire == 0) at.i = static_cast<int64_t>(af.varint);
        else if (af.number == 4 && af.wire == 2) at.s = str(af);
        else if (af.number == 5 && af.wire == 2) {
          at.has_t = true;
          at.t = read_tensor(a.sub(af));
        } else if (af.number == 8) ints(a, af, at.ints);
      }
      n.attrs[at.name] = at;
    }
  }
  return n;
}

// PyTorch names a node by its module scope: "/layer2/layer2.0/downsample/downsample.0/Conv".
// Each scope repeats the tail of its parent's name ("downsample.0" under "downsample"), so the
// module's qualified name joins the scopes, overlapping each with the end of the name so far.
std::string layer_name_from(const std::string& node_name, const std::string& op) {
  std::vector<std::string> scopes;
  std::stringstream ss(node_name);
  std::string part;
  while (std::getline(ss, part, '/'))
    if (!part.empty()) scopes.push_back(part);
  if (!scopes.empty()) scopes.pop_back();  // the op itself ("Conv", "Add_1", ...)
  auto split = [](const std::string& s) {
    std::vector<std::string> v;
    std::stringstream in(s);
    std::string c;
    while (std::getline(in, c, '.')) v.push_back(c);
    return v;
  };
  std::vector<std::string> name;
  for (const auto& scope : scopes) {
    const std::vector<std::string> comps = split(scope);
    size_t overlap = 0;
    for (size_t k = std::min(name.size(), comps.size()); k > 0; --k)
      if (std::equal(name.end() - static_cast<long>(k), name.end(), comps.begin())) {
        overlap = k;
        break;
      }
    name.resize(name.size() - overlap);
    name.insert(name.end(), comps.begin(), comps.end());
  }
  std::string out;
  for (const auto& c : name) out += (out.empty() ? "" : ".") + c;
  return out;
}

}  // namespace

Graph parse_onnx(const std::string& bytes, const std::string& file) {
  Reader model(bytes.data(), bytes.data() + bytes.size(), file, 0);
  Field f;
  bool have_graph = false;
  std::string graph_name;
  std::vector<Node> nodes;
  std::map<std::string, TensorInfo> init;
  std::vector<ValueInfo> inputs;
  std::vector<std::string> outputs;
  while (model.next(f)) {
    if (f.number != 7 || f.wire != 2) continue;
    have_graph = true;
    Reader g = model.sub(f);
    Field gf;
    while (g.next(gf)) {
      if (gf.wire != 2) continue;
      if (gf.number == 1) {
        nodes.push_back(read_node(g.sub(gf)));
        nodes.back().index = nodes.size() - 1;
      } else if (gf.number == 2) {
        graph_name = str(gf);
      } else if (gf.number == 5) {
        TensorInfo t = read_tensor(g.sub(gf));
        init[t.name] = t;
      } else if (gf.number == 11) {
        inputs.push_back(read_value_info(g.sub(gf)));
      } else if (gf.number == 12) {
        outputs.push_back(read_value_info(g.sub(gf)).name);
      }
    }
  }
  if (!have_graph) throw InputError(file, "", "not an ONNX model: no graph found");
  // The network input: the first graph input that is not an initializer.
  const ValueInfo* in = nullptr;
  for (const auto& v : inputs)
    if (!init.count(v.name)) {
      in = &v;
      break;
    }
  if (!in) throw InputError(file, "graph.input", "the model has no input besides its weights");
  if (in->dims.size() != 4 && in->dims.size() != 2)
    throw InputError(file, "graph.input \"" + in->name + "\"",
                     "expected an image input [N, C, H, W] or a feature input [N, F], found " +
                         std::to_string(in->dims.size()) + " dimensions");
  for (size_t k = 1; k < in->dims.size(); ++k)
    if (in->dims[k] < 1)
      throw InputError(file, "graph.input \"" + in->name + "\"",
                       "dimension " + std::to_string(k) + " is symbolic; export with a fixed input shape");
  if (outputs.empty()) throw InputError(file, "graph.output", "the model has no output");

  Graph g;
  g.name = graph_name.empty() ? "onnx_model" : graph_name;
  const size_t slash = file.find_last_of('/');
  std::string stem = file.substr(slash == std::string::npos ? 0 : slash + 1);
  if (stem.size() > 5 && stem.substr(stem.size() - 5) == ".onnx") stem = stem.substr(0, stem.size() - 5);
  if (!stem.empty()) g.name = stem;
  g.form = "plain";
  g.input = in->dims.size() == 4 ? Shape{in->dims[1], in->dims[2], in->dims[3]} : Shape{in->dims[1], 1, 1};

  std::map<std::string, int> value;  // tensor name -> layer index (kNetworkInput for the input)
  value[in->name] = kNetworkInput;
  std::map<std::string, double> constants;  // scalar constants (Clip bounds)
  std::set<std::string> used_names;
  std::set<std::string> skipped_ops;
  int dropouts = 0;
  auto where = [&](const Node& n) {
    return "graph.node[" + std::to_string(n.index) + "] (\"" + n.name + "\", " + n.op + ")";
  };
  auto source = [&](const Node& n, size_t k) -> int {
    if (k >= n.inputs.size()) throw InputError(file, where(n), "missing input " + std::to_string(k));
    auto it = value.find(n.inputs[k]);
    if (it == value.end())
      throw InputError(file, where(n), "input \"" + n.inputs[k] +
                                           "\" is neither the network input nor an earlier node's output "
                                           "(nodes must be in topological order; weights must be initializers)");
    return it->second;
  };
  auto ints_attr = [&](const Node& n, const char* a, std::vector<int64_t> def) {
    auto it = n.attrs.find(a);
    return it == n.attrs.end() ? def : it->second.ints;
  };
  auto int_attr = [&](const Node& n, const char* a, int64_t def) {
    auto it = n.attrs.find(a);
    return it == n.attrs.end() ? def : it->second.i;
  };
  auto unique = [&](std::string name, const Node& n) {
    if (name.empty()) name = n.name.empty() ? n.op + "_" + std::to_string(n.index) : n.name;
    std::string u = name;
    for (int k = 1; used_names.count(u); ++k) u = name + "_" + std::to_string(k);
    used_names.insert(u);
    return u;
  };
  auto add_layer = [&](Layer l, const Node& n) {
    g.layers.push_back(std::move(l));
    const int idx = static_cast<int>(g.layers.size()) - 1;
    for (const auto& o : n.outputs) value[o] = idx;
    return idx;
  };
  auto window = [&](const Node& n, Layer& l) {
    const auto k = ints_attr(n, "kernel_shape", {});
    if (k.size() != 2) throw InputError(file, where(n), "expected a 2-D kernel_shape");
    const auto s = ints_attr(n, "strides", {1, 1});
    const auto p = ints_attr(n, "pads", {0, 0, 0, 0});
    const auto d = ints_attr(n, "dilations", {1, 1});
    if (s.size() != 2 || p.size() != 4 || d.size() != 2)
      throw InputError(file, where(n), "expected 2-D strides, dilations and 4 pads");
    if (d[0] != 1 || d[1] != 1) throw InputError(file, where(n), "dilated windows are not supported");
    if (p[0] != p[2] || p[1] != p[3])
      throw InputError(file, where(n), "asymmetric padding is not supported (pads " + std::to_string(p[0]) + "," +
                                           std::to_string(p[1]) + "," + std::to_string(p[2]) + "," +
                                           std::to_string(p[3]) + ")");
    auto ap = n.attrs.find("auto_pad");
    if (ap != n.attrs.end() && ap->second.s != "NOTSET" && ap->second.s != "VALID")
      throw InputError(file, where(n), "auto_pad " + ap->second.s + " is not supported; export with explicit pads");
    l.kh = k[0];
    l.kw = k[1];
    l.sh = s[0];
    l.sw = s[1];
    l.ph = p[0];
    l.pw = p[1];
    l.ceil_mode = int_attr(n, "ceil_mode", 0) != 0;
  };
  auto weight_dims = [&](const Node& n, size_t k) -> const std::vector<int64_t>& {
    if (k >= n.inputs.size() || !init.count(n.inputs[k]))
      throw InputError(file, where(n), "expected its weights as an initializer (input " + std::to_string(k) + ")");
    return init.at(n.inputs[k]).dims;
  };

  for (const Node& n : nodes) {
    const std::string scope = layer_name_from(n.name, n.op);
    if (n.op == "Constant") {
      auto it = n.attrs.find("value");
      if (it != n.attrs.end() && it->second.has_t && it->second.t.values.size() == 1 && !n.outputs.empty())
        constants[n.outputs[0]] = it->second.t.values[0];
      continue;
    }
    if (n.outputs.empty()) throw InputError(file, where(n), "node without outputs");
    Layer l;
    if (n.op == "Conv") {
      const auto& w = weight_dims(n, 1);
      if (w.size() != 4) throw InputError(file, where(n), "expected a 4-D conv weight, found " + std::to_string(w.size()));
      l.type = LayerType::Conv;
      l.out_channels = w[0];
      l.groups = int_attr(n, "group", 1);
      l.bias = n.inputs.size() > 2 && !n.inputs[2].empty();
      window(n, l);
      if (l.kh != w[2] || l.kw != w[3]) throw InputError(file, where(n), "kernel_shape disagrees with the weight shape");
    } else if (n.op == "BatchNormalization") {
      l.type = LayerType::BatchNorm;
    } else if (n.op == "Relu") {
      l.type = LayerType::Relu;
    } else if (n.op == "Clip") {
      auto bound = [&](size_t k, const char* attr) -> double {
        if (n.inputs.size() > k && !n.inputs[k].empty()) {
          const std::string& t = n.inputs[k];
          if (constants.count(t)) return constants[t];
          if (init.count(t) && init.at(t).values.size() == 1) return init.at(t).values[0];
          throw InputError(file, where(n), std::string("the ") + attr + " bound is not a constant");
        }
        auto it = n.attrs.find(attr);
        if (it == n.attrs.end()) throw InputError(file, where(n), std::string("missing ") + attr + " bound");
        return it->second.f;
      };
      if (bound(1, "min") != 0.0 || bound(2, "max") != 6.0)
        throw InputError(file, where(n), "only Clip(0, 6) (ReLU6) is supported");
      l.type = LayerType::Relu6;
    } else if (n.op == "MaxPool") {
      l.type = LayerType::MaxPool;
      window(n, l);
    } else if (n.op == "GlobalAveragePool") {
      l.type = LayerType::AvgPool;
    } else if (n.op == "Gemm") {
      const auto& w = weight_dims(n, 1);
      if (w.size() != 2) throw InputError(file, where(n), "expected a 2-D weight");
      if (int_attr(n, "transA", 0) != 0) throw InputError(file, where(n), "transA is not supported");
      l.type = LayerType::Fc;
      l.out_channels = int_attr(n, "transB", 0) ? w[0] : w[1];
      l.bias = n.inputs.size() > 2 && !n.inputs[2].empty();
    } else if (n.op == "MatMul") {
      const auto& w = weight_dims(n, 1);
      if (w.size() != 2) throw InputError(file, where(n), "expected a 2-D weight");
      l.type = LayerType::Fc;
      l.out_channels = w[1];
    } else if (n.op == "Add") {
      const bool a_w = init.count(n.inputs.at(0)) != 0, b_w = n.inputs.size() > 1 && init.count(n.inputs[1]) != 0;
      if (a_w || b_w) {
        // A bias after MatMul: it becomes that FC layer's bias.
        const int src = source(n, a_w ? 1 : 0);
        if (src == kNetworkInput || g.layers[src].type != LayerType::Fc || g.layers[src].bias)
          throw InputError(file, where(n), "adding a constant is supported only as the bias of a MatMul");
        g.layers[src].bias = true;
        for (const auto& o : n.outputs) value[o] = src;
        continue;
      }
      l.type = LayerType::Add;
    } else if (n.op == "Flatten" || n.op == "Reshape" || n.op == "Squeeze" || n.op == "Unsqueeze" ||
               n.op == "Identity" || n.op == "Dropout") {
      // Layout changes and inference-time no-ops: eoqsim's FC flattens its input.
      if (n.op == "Dropout") ++dropouts;
      skipped_ops.insert(n.op);
      for (const auto& o : n.outputs) value[o] = source(n, 0);
      continue;
    } else if (n.op == "Softmax" || n.op == "LogSoftmax") {
      for (const auto& o : n.outputs) value[o] = source(n, 0);
      skipped_ops.insert(n.op);
      continue;
    } else {
      throw InputError(file, where(n),
                       "unsupported ONNX operator " + n.op +
                           " (supported: Conv, BatchNormalization, Relu, Clip(0,6), MaxPool, GlobalAveragePool, Gemm, "
                           "MatMul, Add, Flatten, Reshape, Squeeze, Unsqueeze, Identity, Dropout, Softmax)");
    }
    std::string op_lower = n.op;
    for (auto& ch : op_lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    // Parameterized modules and activations take their module's name; ops written inside a
    // module's forward (Add) take "<module>.add".
    const bool functional = n.op == "Add";
    std::string name = scope;
    if (functional || name.empty()) name = scope.empty() ? op_lower : scope + "." + op_lower;
    l.name = unique(name, n);
    if (l.type == LayerType::Add) {
      l.inputs = {source(n, 0), source(n, 1)};
    } else {
      l.inputs = {source(n, 0)};
    }
    add_layer(l, n);
  }
  auto out = value.find(outputs[0]);
  if (out == value.end() || out->second == kNetworkInput)
    throw InputError(file, "graph.output", "the output \"" + outputs[0] + "\" is not produced by a supported layer");
  Layer loss;
  loss.name = "loss";
  while (used_names.count(loss.name)) loss.name += "_";
  loss.type = LayerType::Loss;
  loss.inputs = {out->second};
  g.layers.push_back(loss);
  g.notes.push_back("imported from ONNX " + file + "; a softmax cross-entropy loss was appended after the output");
  if (dropouts)
    g.notes.push_back(std::to_string(dropouts) + " Dropout node(s) not modelled (their per-element mask is left out)");
  if (g.has_batchnorm()) g.form = "bn";
  g.infer_shapes(file);
  return g;
}

// Protobuf messages are limited to 2 GiB, and so are ONNX files with their weights inline.
Graph load_onnx(const std::string& path) { return parse_onnx(read_binary_file(path, size_t(2) << 30), path); }

}  // namespace eoqsim
