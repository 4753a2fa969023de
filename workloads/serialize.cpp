#include "workloads/serialize.h"

#include <map>

#include "sim/common/error.h"
#include "workloads/scheme.h"

namespace eoqsim {

namespace {

ordered_json pair_json(int64_t a, int64_t b) { return ordered_json::array({a, b}); }

}  // namespace

ordered_json network_to_json(const Graph& g) {
  ordered_json j;
  j["schema"] = "eoqsim.network/1";
  j["name"] = g.name;
  j["form"] = g.form;
  j["input"] = ordered_json::array({g.input.c, g.input.h, g.input.w});
  if (g.independent) j["independent"] = true;
  if (!g.notes.empty()) j["notes"] = g.notes;
  ordered_json layers = ordered_json::array();
  for (const Layer& L : g.layers) {
    ordered_json l;
    l["name"] = L.name;
    l["type"] = layer_type_name(L.type);
    ordered_json ins = ordered_json::array();
    for (int in : L.inputs) ins.push_back(in == kNetworkInput ? std::string("input") : g.layers[in].name);
    l["inputs"] = ins;
    if (L.has_input_shape) l["input_shape"] = ordered_json::array({L.input_shape.c, L.input_shape.h, L.input_shape.w});
    switch (L.type) {
      case LayerType::Conv:
        l["out_channels"] = L.out_channels;
        l["kernel"] = pair_json(L.kh, L.kw);
        l["stride"] = pair_json(L.sh, L.sw);
        l["padding"] = pair_json(L.ph, L.pw);
        l["groups"] = L.groups;
        l["bias"] = L.bias;
        if (L.ceil_mode) l["ceil_mode"] = true;
        break;
      case LayerType::Fc:
        l["out_features"] = L.out_channels;
        l["bias"] = L.bias;
        if (L.tokens != 1) l["tokens"] = L.tokens;
        break;
      case LayerType::MaxPool:
        l["kernel"] = pair_json(L.kh, L.kw);
        l["stride"] = pair_json(L.sh, L.sw);
        l["padding"] = pair_json(L.ph, L.pw);
        if (L.ceil_mode) l["ceil_mode"] = true;
        break;
      case LayerType::ShortcutA:
        l["out_channels"] = L.out_channels;
        l["stride"] = pair_json(L.sh, L.sw);
        break;
      default:
        break;
    }
    layers.push_back(l);
  }
  j["layers"] = layers;
  return j;
}

namespace {

std::pair<int64_t, int64_t> pair_param(const json& obj, const std::string& file, const std::string& where,
                                       const std::string& name, int64_t def, int64_t min) {
  auto it = obj.find(name);
  if (it == obj.end()) return {def, def};
  auto as_int = [&](const json& v, const std::string& p) -> int64_t {
    if (!v.is_number_integer() && !v.is_number_unsigned())
      throw InputError(file, p, "expected an integer >= " + std::to_string(min) + ", found " + json_type_name(v));
    int64_t x = v.is_number_unsigned() ? static_cast<int64_t>(std::min<uint64_t>(v.get<uint64_t>(), INT64_MAX))
                                       : v.get<int64_t>();
    if (x < min || x > (1 << 20))
      throw InputError(file, p, "expected an integer between " + std::to_string(min) + " and 1048576, found " + v.dump());
    return x;
  };
  const std::string p = join_path(where, name);
  if (it->is_array()) {
    if (it->size() != 2) throw InputError(file, p, "expected [height, width], found an array of " + std::to_string(it->size()));
    return {as_int((*it)[0], index_path(p, 0)), as_int((*it)[1], index_path(p, 1))};
  }
  int64_t v = as_int(*it, p);
  return {v, v};
}

}  // namespace

Graph network_from_json(const json& j, const std::string& file) {
  ParamReader r(j, file, "");
  Graph g;
  std::string schema = r.string("schema", "schema version", std::nullopt);
  if (schema != "eoqsim.network/1")
    throw InputError(file, "schema", "expected \"eoqsim.network/1\", found \"" + schema + "\"");
  g.name = r.string("name", "network name", std::nullopt);
  g.form = r.choice("form", "normalization form", {"bn", "fixup", "plain"}, "plain");
  g.independent = r.boolean("independent", "layers are independent workloads listed in order", false);
  r.allow("input");
  r.allow("layers");
  r.allow("notes");
  r.finish();
  if (j.contains("notes")) {
    const json& nj = j["notes"];
    if (!nj.is_array()) throw InputError(file, "notes", "expected a list of strings, found " + json_type_name(nj));
    for (size_t k = 0; k < nj.size(); ++k) {
      if (!nj[k].is_string()) throw InputError(file, index_path("notes", k), "expected a string");
      g.notes.push_back(nj[k].get<std::string>());
    }
  }
  const json& in = j.contains("input") ? j["input"] : json();
  if (!in.is_array() || in.size() != 3)
    throw InputError(file, "input", "expected [channels, height, width], found " + json_type_name(in));
  int64_t dims[3];
  for (int k = 0; k < 3; ++k) {
    if (!in[k].is_number_integer() || in[k].get<int64_t>() < 1 || in[k].get<int64_t>() > (1 << 20))
      throw InputError(file, index_path("input", k), "expected an integer between 1 and 1048576, found " +
                                                         json_type_name(in[k]));
    dims[k] = in[k].get<int64_t>();
  }
  g.input = {dims[0], dims[1], dims[2]};
  if (!j.contains("layers") || !j["layers"].is_array())
    throw InputError(file, "layers", "expected a list of layer objects");
  const json& layers = j["layers"];
  if (layers.size() > 100000) throw InputError(file, "layers", "more than 100000 layers");
  std::map<std::string, int> index;
  for (size_t i = 0; i < layers.size(); ++i) {
    const std::string where = index_path("layers", i);
    ParamReader lr(layers[i], file, where);
    Layer L;
    L.name = lr.string("name", "layer name", std::nullopt);
    try {
      L.type = parse_layer_type(lr.string("type", "layer type", std::nullopt));
    } catch (const std::invalid_argument& e) {
      throw InputError(file, join_path(where, "type"), e.what());
    }
    lr.allow("inputs");
    const json& ins = layers[i].contains("inputs") ? layers[i]["inputs"] : json();
    if (!ins.is_array()) throw InputError(file, join_path(where, "inputs"), "expected a list of layer names");
    for (size_t k = 0; k < ins.size(); ++k) {
      if (!ins[k].is_string()) throw InputError(file, index_path(join_path(where, "inputs"), k), "expected a layer name");
      const std::string src = ins[k].get<std::string>();
      if (src == "input") {
        L.inputs.push_back(kNetworkInput);
      } else {
        auto it = index.find(src);
        if (it == index.end())
          throw InputError(file, index_path(join_path(where, "inputs"), k),
                           "\"" + src + "\" is not an earlier layer (layers must be in topological order)");
        L.inputs.push_back(it->second);
      }
    }
    lr.allow("input_shape");
    if (layers[i].contains("input_shape")) {
      const json& is = layers[i]["input_shape"];
      if (!is.is_array() || is.size() != 3)
        throw InputError(file, join_path(where, "input_shape"), "expected [channels, height, width]");
      int64_t d[3];
      for (int k = 0; k < 3; ++k) {
        if (!is[k].is_number_integer() || is[k].get<int64_t>() < 1 || is[k].get<int64_t>() > (1 << 20))
          throw InputError(file, index_path(join_path(where, "input_shape"), k), "expected an integer between 1 and 1048576");
        d[k] = is[k].get<int64_t>();
      }
      L.has_input_shape = true;
      L.input_shape = {d[0], d[1], d[2]};
    }
    auto geometry = [&](bool kernel, bool padding) {
      lr.allow("stride");
      std::tie(L.sh, L.sw) = pair_param(layers[i], file, where, "stride", 1, 1);
      if (kernel) {
        lr.allow("kernel");
        std::tie(L.kh, L.kw) = pair_param(layers[i], file, where, "kernel", 1, 1);
      }
      if (padding) {
        lr.allow("padding");
        std::tie(L.ph, L.pw) = pair_param(layers[i], file, where, "padding", 0, 0);
      }
    };
    switch (L.type) {
      case LayerType::Conv:
        L.out_channels = lr.integer("out_channels", "output channels", std::nullopt, 1, 1 << 20);
        geometry(true, true);
        L.groups = lr.integer("groups", "groups", 1, 1, 1 << 20);
        L.bias = lr.boolean("bias", "has a bias", false);
        L.ceil_mode = lr.boolean("ceil_mode", "output size rounds up", false);
        break;
      case LayerType::Fc:
        L.out_channels = lr.integer("out_features", "output features", std::nullopt, 1, 1 << 20);
        L.bias = lr.boolean("bias", "has a bias", true);
        L.tokens = lr.integer("tokens", "rows the layer applies to per sample", 1, 1, 1 << 20);
        break;
      case LayerType::MaxPool:
        geometry(true, true);
        L.ceil_mode = lr.boolean("ceil_mode", "output size rounds up", false);
        break;
      case LayerType::ShortcutA:
        L.out_channels = lr.integer("out_channels", "output channels", std::nullopt, 1, 1 << 20);
        geometry(false, false);
        break;
      default:
        break;
    }
    lr.finish();
    if (index.count(L.name)) throw InputError(file, join_path(where, "name"), "duplicate layer name \"" + L.name + "\"");
    index[L.name] = static_cast<int>(i);
    g.layers.push_back(L);
  }
  g.infer_shapes(file);
  return g;
}

// ---------------------------------------------------------------------------------------------

ordered_json trace_to_json(const Trace& t) {
  ordered_json j;
  j["schema"] = "eoqsim.trace/1";
  j["network"] = t.network;
  j["scheme"] = t.scheme;
  j["mode"] = t.mode;
  j["batch"] = t.batch;
  j["storage"] = t.packed_storage ? "packed" : "bytes";
  j["notes"] = t.notes;
  ordered_json layers = ordered_json::array();
  for (const auto& l : t.layers) layers.push_back(ordered_json{{"name", l.name}, {"type", l.type}});
  j["layers"] = layers;
  ordered_json tensors = ordered_json::array();
  for (const auto& x : t.tensors)
    tensors.push_back(ordered_json{{"name", x.name},
                                   {"elements", x.elements},
                                   {"precision", x.precision.str()},
                                   {"kind", tensor_kind_name(x.kind)},
                                   {"bytes", x.bytes},
                                   {"external", x.external}});
  j["tensors"] = tensors;
  ordered_json ops = ordered_json::array();
  for (const Op& op : t.ops) {
    ordered_json o;
    o["kind"] = op_kind_name(op.kind);
    o["unit"] = unit_kind_name(op.unit);
    o["phase"] = phase_name(op.phase);
    o["layer"] = op.layer;
    o["precision"] = op.precision.str();
    o["accum"] = op.accum.str();
    o["inputs"] = op.inputs;
    o["outputs"] = op.outputs;
    o["elements"] = op.elements;
    o["groups"] = op.groups;
    if (op.kind == OpKind::MaxPool) o["window"] = op.window;
    if (op.kind == OpKind::Quantize) {
      o["quantizer"] = quantizer_name(static_cast<QuantizerKind>(op.quantizer));
      o["stochastic"] = op.stochastic;
    }
    if (op.kind == OpKind::SgdUpdate || op.kind == OpKind::AdamUpdate) {
      o["rounding"] = op.rounding;
      o["weight_decay"] = op.weight_decay != 0;
    }
    if (op.kind == OpKind::Gemm) {
      o["role"] = gemm_role_name(op.role);
      const ConvGeom& c = op.conv;
      o["conv"] = ordered_json{{"batch", c.batch}, {"cin", c.cin},   {"hin", c.hin},       {"win", c.win},
                               {"cout", c.cout},   {"kh", c.kh},     {"kw", c.kw},         {"sh", c.sh},
                               {"sw", c.sw},       {"ph", c.ph},     {"pw", c.pw},         {"groups", c.groups},
                               {"hout", c.hout},   {"wout", c.wout}};
    }
    ops.push_back(o);
  }
  j["ops"] = ops;
  return j;
}

namespace {

Precision read_prec(ParamReader& r, const std::string& name) {
  std::string s = r.string(name, "precision", std::nullopt);
  try {
    return Precision::parse(s);
  } catch (const std::invalid_argument& e) {
    throw InputError(r.file(), r.where(name), e.what());
  }
}

std::vector<int32_t> read_ids(const json& obj, ParamReader& r, const std::string& name) {
  r.allow(name);
  if (!obj.contains(name) || !obj[name].is_array())
    throw InputError(r.file(), r.where(name), "expected a list of tensor ids");
  std::vector<int32_t> out;
  for (size_t k = 0; k < obj[name].size(); ++k) {
    const json& v = obj[name][k];
    if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > INT32_MAX)
      throw InputError(r.file(), index_path(r.where(name), k), "expected a tensor id, found " + json_type_name(v));
    out.push_back(static_cast<int32_t>(v.get<int64_t>()));
  }
  return out;
}

}  // namespace

Trace trace_from_json(const json& j, const std::string& file) {
  ParamReader r(j, file, "");
  Trace t;
  std::string schema = r.string("schema", "schema version", std::nullopt);
  if (schema != "eoqsim.trace/1")
    throw InputError(file, "schema", "expected \"eoqsim.trace/1\", found \"" + schema + "\"");
  t.network = r.string("network", "network name", std::nullopt);
  t.scheme = r.string("scheme", "scheme name", std::nullopt);
  t.mode = r.choice("mode", "step kind", {"train", "infer"}, std::nullopt);
  t.batch = r.integer("batch", "batch size", std::nullopt, 1, 65536);
  t.packed_storage = r.choice("storage", "storage mode", {"bytes", "packed"}, "bytes") == "packed";
  for (const char* k : {"notes", "layers", "tensors", "ops"}) r.allow(k);
  r.finish();
  if (j.contains("notes")) {
    if (!j["notes"].is_array()) throw InputError(file, "notes", "expected a list of strings");
    for (size_t i = 0; i < j["notes"].size(); ++i) {
      if (!j["notes"][i].is_string()) throw InputError(file, index_path("notes", i), "expected a string");
      t.notes.push_back(j["notes"][i].get<std::string>());
    }
  }
  for (const char* k : {"layers", "tensors", "ops"})
    if (!j.contains(k) || !j[k].is_array()) throw InputError(file, k, "expected a list");
  constexpr size_t kMaxItems = 10'000'000;
  for (const char* k : {"layers", "tensors", "ops"})
    if (j[k].size() > kMaxItems) throw InputError(file, k, "more than 10 million entries");
  for (size_t i = 0; i < j["layers"].size(); ++i) {
    ParamReader lr(j["layers"][i], file, index_path("layers", i));
    TraceLayer l;
    l.name = lr.string("name", "layer name", std::nullopt);
    l.type = lr.string("type", "layer type", std::nullopt);
    lr.finish();
    t.layers.push_back(l);
  }
  for (size_t i = 0; i < j["tensors"].size(); ++i) {
    ParamReader tr(j["tensors"][i], file, index_path("tensors", i));
    Tensor x;
    x.name = tr.string("name", "tensor name", std::nullopt);
    x.elements = tr.integer("elements", "element count", std::nullopt, 1, int64_t(1) << 44);
    x.precision = read_prec(tr, "precision");
    try {
      x.kind = parse_tensor_kind(tr.string("kind", "tensor kind", std::nullopt));
    } catch (const std::invalid_argument& e) {
      throw InputError(file, join_path(index_path("tensors", i), "kind"), e.what());
    }
    x.bytes = static_cast<uint64_t>(tr.integer("bytes", "storage bytes", std::nullopt, 0));
    x.external = tr.boolean("external", "produced by a phase left out of the trace", false);
    tr.finish();
    t.tensors.push_back(x);
  }
  for (size_t i = 0; i < j["ops"].size(); ++i) {
    const json& o = j["ops"][i];
    const std::string where = index_path("ops", i);
    ParamReader orr(o, file, where);
    Op op;
    auto named = [&](const char* key, auto parse) {
      try {
        return parse(orr.string(key, key, std::nullopt));
      } catch (const std::invalid_argument& e) {
        throw InputError(file, join_path(where, key), e.what());
      }
    };
    op.kind = named("kind", parse_op_kind);
    op.unit = named("unit", parse_unit_kind);
    op.phase = named("phase", parse_phase);
    op.layer = static_cast<int32_t>(orr.integer("layer", "layer index", std::nullopt, 0, INT32_MAX));
    op.precision = read_prec(orr, "precision");
    op.accum = read_prec(orr, "accum");
    op.inputs = read_ids(o, orr, "inputs");
    op.outputs = read_ids(o, orr, "outputs");
    op.elements = orr.integer("elements", "streamed elements", std::nullopt, 0, int64_t(1) << 44);
    op.groups = orr.integer("groups", "groups", std::nullopt, 0, int64_t(1) << 44);
    if (op.kind == OpKind::MaxPool) op.window = orr.integer("window", "pooling window", std::nullopt, 1, 1 << 20);
    if (op.kind == OpKind::Quantize) {
      try {
        op.quantizer = static_cast<int32_t>(parse_quantizer(orr.string("quantizer", "quantizer", std::nullopt)));
      } catch (const std::invalid_argument& e) {
        throw InputError(file, join_path(where, "quantizer"), e.what());
      }
      op.stochastic = orr.boolean("stochastic", "stochastic rounding", std::nullopt);
    }
    if (op.kind == OpKind::SgdUpdate || op.kind == OpKind::AdamUpdate) {
      op.rounding = orr.choice("rounding", "rounding", {"none", "nearest", "stochastic"}, std::nullopt);
      op.weight_decay = orr.boolean("weight_decay", "weight decay", std::nullopt) ? 1 : 0;
      op.stochastic = op.rounding == "stochastic";
    }
    if (op.kind == OpKind::Gemm) {
      std::string role = orr.choice("role", "GEMM role", {"forward", "error", "weight_grad"}, std::nullopt);
      op.role = role == "forward" ? GemmRole::Forward : role == "error" ? GemmRole::Error : GemmRole::WeightGrad;
      ParamReader cr = orr.child("conv", "conv geometry");
      ConvGeom& c = op.conv;
      int64_t* fields[] = {&c.batch, &c.cin, &c.hin, &c.win, &c.cout, &c.kh, &c.kw,
                           &c.sh,    &c.sw,  &c.ph,  &c.pw,  &c.groups, &c.hout, &c.wout};
      const char* names[] = {"batch", "cin", "hin", "win", "cout", "kh", "kw",
                             "sh",    "sw",  "ph",  "pw",  "groups", "hout", "wout"};
      for (size_t k = 0; k < 14; ++k) {
        const bool pad = std::string(names[k]) == "ph" || std::string(names[k]) == "pw";
        *fields[k] = cr.integer(names[k], "conv dimension", std::nullopt, pad ? 0 : 1, 1 << 20);
      }
      cr.finish();
    }
    orr.finish();
    t.ops.push_back(op);
  }
  t.validate(file);
  return t;
}

}  // namespace eoqsim
