// Network zoo figures against published ones, the BN-to-Fixup conversion against the built-in
// Fixup forms, and the ONNX reader on hand-encoded protobuf.
#include <gtest/gtest.h>

#include <cstring>

#include "sim/common/error.h"
#include "sim/common/io.h"
#include "workloads/serialize.h"
#include "workloads/fixup.h"
#include "workloads/onnx_import.h"
#include "workloads/zoo.h"
#include "tests/helpers.h"

namespace eoqsim {
namespace {

int64_t params(const Graph& g) {
  int64_t n = 0;
  for (const Layer& L : g.layers) n += L.parameter_elements();
  return n;
}
int64_t macs(const Graph& g) {
  int64_t n = 0;
  for (const Layer& L : g.layers) n += L.forward_macs_per_sample();
  return n;
}

TEST(Zoo, ParameterCountsEqualTorchvision) {
  // sum(p.numel() for p in torchvision.models.<name>().parameters()), torchvision 0.14.
  EXPECT_EQ(params(zoo::build("resnet18", zoo::Form::BatchNorm)), 11689512);
  EXPECT_EQ(params(zoo::build("resnet34", zoo::Form::BatchNorm)), 21797672);
  EXPECT_EQ(params(zoo::build("resnet50", zoo::Form::BatchNorm)), 25557032);
  EXPECT_EQ(params(zoo::build("resnet101", zoo::Form::BatchNorm)), 44549160);
  EXPECT_EQ(params(zoo::build("mobilenet_v2", zoo::Form::BatchNorm)), 3504872);
  EXPECT_EQ(params(zoo::build("vgg16", zoo::Form::Fixup)), 138357544);    // vgg16: no BN
  EXPECT_EQ(params(zoo::build("vgg16", zoo::Form::BatchNorm)), 138365992);  // vgg16_bn
}

TEST(Zoo, MacsEqualPublishedFigures) {
  // torchvision's model docs: GFLOPS (multiply-adds) 7.8 (resnet101), 0.3 (mobilenet_v2), 15.47 (vgg16).
  EXPECT_NEAR(static_cast<double>(macs(zoo::build("resnet101", zoo::Form::BatchNorm))), 7.80e9, 0.01e9);
  EXPECT_NEAR(static_cast<double>(macs(zoo::build("mobilenet_v2", zoo::Form::BatchNorm))), 0.30e9, 0.005e9);
  EXPECT_NEAR(static_cast<double>(macs(zoo::build("vgg16", zoo::Form::Fixup))), 15.47e9, 0.01e9);
  // He et al. 2016, Table 6: ResNet-32 0.46M and ResNet-56 0.85M parameters (BN affine included).
  EXPECT_NEAR(static_cast<double>(params(zoo::build("resnet32", zoo::Form::BatchNorm))), 0.46e6, 0.005e6);
  EXPECT_NEAR(static_cast<double>(params(zoo::build("resnet56", zoo::Form::BatchNorm))), 0.85e6, 0.005e6);
}

TEST(Zoo, DepthwiseConvsAndRelu6InMobilenet) {
  const Graph g = zoo::build("mobilenet_v2", zoo::Form::BatchNorm);
  int depthwise = 0, relu6 = 0, adds = 0;
  for (const Layer& L : g.layers) {
    depthwise += L.type == LayerType::Conv && L.groups == L.in.c && L.groups > 1;
    relu6 += L.type == LayerType::Relu6;
    adds += L.type == LayerType::Add;
  }
  EXPECT_EQ(depthwise, 17);  // one per inverted-residual block
  EXPECT_EQ(relu6, 1 + 16 * 2 + 1 + 1);  // stem; two per expanding block, one in the first; head
  EXPECT_EQ(adds, 10);       // blocks with stride 1 and equal channels
}

void expect_same_structure(const Graph& a, const Graph& b) {
  ASSERT_EQ(a.layers.size(), b.layers.size());
  for (size_t i = 0; i < a.layers.size(); ++i) {
    const Layer &x = a.layers[i], &y = b.layers[i];
    EXPECT_EQ(x.type, y.type) << i << " " << x.name << " vs " << y.name;
    EXPECT_EQ(x.inputs, y.inputs) << i << " " << x.name << " vs " << y.name;
    EXPECT_TRUE(x.in == y.in && x.out == y.out) << i << " " << x.name;
  }
}

TEST(Fixup, ConversionOfTheBnFormIsTheBuiltinFixupForm) {
  // Two independent constructions: the built-in Fixup ResNets follow the official Fixup code
  // block by block; the conversion knows nothing of ResNets.
  for (const char* name : {"resnet18", "resnet34", "resnet50", "resnet20", "resnet56"}) {
    SCOPED_TRACE(name);
    const FixupConversion c = to_fixup(zoo::build(name, zoo::Form::BatchNorm));
    expect_same_structure(c.graph, zoo::build(name, zoo::Form::Fixup));
    EXPECT_EQ(c.graph.form, "fixup");
    EXPECT_FALSE(c.graph.has_batchnorm());
  }
  const FixupConversion r18 = to_fixup(zoo::build("resnet18", zoo::Form::BatchNorm));
  // 20 BN removed; biases: stem 1, head 1, per block 4 (1a, 1b, 2a, 2b) = 34; one scale per block.
  EXPECT_EQ(r18.removed_bn, 20);
  EXPECT_EQ(r18.biases, 34);
  EXPECT_EQ(r18.scales, 8);
}

TEST(Fixup, NoBnSchemeConvertsAFileNetworkAndSaysSo) {
  const std::string dir = test::temp_dir("fixup_file");
  const std::string path = dir + "/r20.json";
  write_file_atomic(path, network_to_json(zoo::build("resnet20", zoo::Form::BatchNorm)).dump(1));
  std::vector<std::string> notes;
  const Graph g = load_network(path, load_scheme("eoq"), &notes);
  EXPECT_FALSE(g.has_batchnorm());
  bool said = false;
  for (const auto& n : notes) said = said || n.find("converted to Fixup form") != std::string::npos;
  EXPECT_TRUE(said);
  // A BN scheme keeps the network as it is.
  EXPECT_TRUE(load_network(path, load_scheme("fp32_bn"), nullptr).has_batchnorm());
}

// --- A minimal protobuf encoder for hand-made ONNX models. ---
std::string varint(uint64_t v) {
  std::string s;
  while (v >= 0x80) {
    s.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  s.push_back(static_cast<char>(v));
  return s;
}
std::string key(int field, int wire) { return varint(static_cast<uint64_t>(field) << 3 | static_cast<uint64_t>(wire)); }
std::string bytes(int field, const std::string& b) { return key(field, 2) + varint(b.size()) + b; }
std::string integer(int field, int64_t v) { return key(field, 0) + varint(static_cast<uint64_t>(v)); }
std::string packed(int field, const std::vector<int64_t>& v) {
  std::string b;
  for (int64_t x : v) b += varint(static_cast<uint64_t>(x));
  return bytes(field, b);
}
std::string unpacked(int field, const std::vector<int64_t>& v) {
  std::string s;
  for (int64_t x : v) s += integer(field, x);
  return s;
}
std::string float_field(int field, float f) {
  std::string s = key(field, 5);
  char b[4];
  std::memcpy(b, &f, 4);
  return s + std::string(b, 4);
}
std::string tensor(const std::string& name, const std::vector<int64_t>& dims, const std::string& raw = "") {
  return packed(1, dims) + integer(2, 1) + bytes(8, name) + (raw.empty() ? "" : bytes(9, raw));
}
std::string attr_ints(const std::string& name, const std::vector<int64_t>& v, bool pack = true) {
  return bytes(1, name) + (pack ? packed(8, v) : unpacked(8, v)) + integer(20, 7);
}
std::string attr_int(const std::string& name, int64_t v) { return bytes(1, name) + integer(3, v) + integer(20, 2); }
std::string node(const std::vector<std::string>& in, const std::vector<std::string>& out, const std::string& name,
                 const std::string& op, const std::vector<std::string>& attrs = {}) {
  std::string s;
  for (const auto& i : in) s += bytes(1, i);
  for (const auto& o : out) s += bytes(2, o);
  s += bytes(3, name) + bytes(4, op);
  for (const auto& a : attrs) s += bytes(5, a);
  return s;
}
std::string value_info(const std::string& name, const std::vector<int64_t>& dims) {
  std::string shape;
  for (int64_t d : dims) shape += bytes(1, d < 0 ? bytes(2, "N") : integer(1, d));
  return bytes(1, name) + bytes(2, bytes(1, integer(1, 1) + bytes(2, shape)));
}
std::string scalar_constant(const std::string& out, float v) {
  const std::string t = integer(2, 1) + float_field(4, v);
  return node({}, {out}, "/Constant", "Constant", {bytes(1, "value") + bytes(5, t) + integer(20, 4)});
}

std::string tiny_model(const std::vector<int64_t>& input_dims, const std::string& extra_node = "") {
  std::string g;
  g += bytes(1, node({"x", "w1"}, {"c1"}, "/features/features.0/Conv", "Conv",
                     {attr_ints("kernel_shape", {3, 3}), attr_ints("pads", {1, 1, 1, 1}, false),
                      attr_ints("strides", {2, 2}), attr_int("group", 1)}));
  g += bytes(1, scalar_constant("lo", 0.0f));
  g += bytes(1, scalar_constant("hi", 6.0f));
  g += bytes(1, node({"c1", "lo", "hi"}, {"r1"}, "/features/features.1/Clip", "Clip"));
  g += extra_node;
  g += bytes(1, node({"r1"}, {"p"}, "/GlobalAveragePool", "GlobalAveragePool"));
  g += bytes(1, node({"p"}, {"f"}, "/Flatten", "Flatten", {attr_int("axis", 1)}));
  g += bytes(1, node({"f", "w2"}, {"m"}, "/head/MatMul", "MatMul"));
  g += bytes(1, node({"m", "b2"}, {"y"}, "/head/Add", "Add"));
  g += bytes(1, node({"y"}, {"prob"}, "/Softmax", "Softmax"));
  g += bytes(2, "tiny");
  g += bytes(5, tensor("w1", {4, 3, 3, 3}));
  g += bytes(5, tensor("w2", {4, 5}));
  g += bytes(5, tensor("b2", {5}));
  g += bytes(11, value_info("x", input_dims));
  g += bytes(12, value_info("prob", {1, 5}));
  return integer(1, 7) + bytes(7, g);
}

TEST(Onnx, ReadsAHandEncodedModel) {
  const Graph g = parse_onnx(tiny_model({1, 3, 8, 8}), "tiny.onnx");
  ASSERT_EQ(g.layers.size(), 5u);
  EXPECT_TRUE(g.input == (Shape{3, 8, 8}));
  EXPECT_EQ(g.layers[0].name, "features.0");
  EXPECT_EQ(g.layers[0].type, LayerType::Conv);
  EXPECT_EQ(g.layers[0].out_channels, 4);
  EXPECT_EQ(g.layers[0].ph, 1);  // unpacked pads read like packed ones
  EXPECT_TRUE(g.layers[0].out == (Shape{4, 4, 4}));
  EXPECT_EQ(g.layers[1].type, LayerType::Relu6);  // Clip(0, 6) with constant bounds
  EXPECT_EQ(g.layers[2].type, LayerType::AvgPool);
  EXPECT_EQ(g.layers[3].type, LayerType::Fc);     // MatMul + bias Add
  EXPECT_EQ(g.layers[3].name, "head");
  EXPECT_TRUE(g.layers[3].bias);
  EXPECT_EQ(g.layers[3].out_channels, 5);
  EXPECT_EQ(g.layers[4].type, LayerType::Loss);
}

TEST(Onnx, BadModelsAreInputErrors) {
  const std::string good = tiny_model({1, 3, 8, 8});
  auto message = [](const std::string& bytes) -> std::string {
    try {
      parse_onnx(bytes, "m.onnx");
    } catch (const InputError& e) {
      return e.what();
    }
    return "(no error)";
  };
  for (size_t cut : {size_t(3), good.size() / 2, good.size() - 1})
    EXPECT_NE(message(good.substr(0, cut)).find("not a valid ONNX model"), std::string::npos) << cut;
  EXPECT_NE(message(tiny_model({-1, 3, -1, 8})).find("symbolic"), std::string::npos);
  const std::string lstm = bytes(1, node({"r1"}, {"q"}, "/rnn/LSTM", "LSTM"));
  const std::string m = message(tiny_model({1, 3, 8, 8}, lstm));
  EXPECT_NE(m.find("unsupported ONNX operator LSTM"), std::string::npos) << m;
  EXPECT_NE(m.find("/rnn/LSTM"), std::string::npos) << m;
  EXPECT_NE(message("garbage that is not protobuf").find("m.onnx"), std::string::npos);
}

}  // namespace
}  // namespace eoqsim
