#include "workloads/zoo.h"

#include <functional>
#include <map>

#include "sim/common/error.h"
#include "workloads/fixup.h"

namespace eoqsim::zoo {
namespace {

// Appends layers while tracking names; each add() returns the new layer's index.
class Builder {
 public:
  Builder(std::string name, const std::string& form, Shape input) {
    g_.name = std::move(name);
    g_.form = form;
    g_.input = input;
  }
  int add(Layer l) {
    g_.layers.push_back(std::move(l));
    return static_cast<int>(g_.layers.size()) - 1;
  }
  int conv(const std::string& name, int in, int64_t cout, int64_t k, int64_t stride, int64_t pad, int64_t groups = 1,
           bool bias = false) {
    Layer l;
    l.name = name;
    l.type = LayerType::Conv;
    l.inputs = {in};
    l.out_channels = cout;
    l.kh = l.kw = k;
    l.sh = l.sw = stride;
    l.ph = l.pw = pad;
    l.groups = groups;
    l.bias = bias;
    return add(l);
  }
  int simple(const std::string& name, LayerType t, int in) {
    Layer l;
    l.name = name;
    l.type = t;
    l.inputs = {in};
    return add(l);
  }
  int add2(const std::string& name, int a, int b) {
    Layer l;
    l.name = name;
    l.type = LayerType::Add;
    l.inputs = {a, b};
    return add(l);
  }
  int maxpool(const std::string& name, int in, int64_t k, int64_t s, int64_t p) {
    Layer l;
    l.name = name;
    l.type = LayerType::MaxPool;
    l.inputs = {in};
    l.kh = l.kw = k;
    l.sh = l.sw = s;
    l.ph = l.pw = p;
    return add(l);
  }
  int fc(const std::string& name, int in, int64_t out) {
    Layer l;
    l.name = name;
    l.type = LayerType::Fc;
    l.inputs = {in};
    l.out_channels = out;
    l.bias = true;
    return add(l);
  }
  int shortcut_a(const std::string& name, int in, int64_t cout, int64_t stride) {
    Layer l;
    l.name = name;
    l.type = LayerType::ShortcutA;
    l.inputs = {in};
    l.out_channels = cout;
    l.sh = l.sw = stride;
    return add(l);
  }
  void note(const std::string& n) { g_.notes.push_back(n); }
  Graph finish() {
    g_.infer_shapes("built-in network " + g_.name);
    return std::move(g_);
  }

 private:
  Graph g_;
};

// ImageNet ResNet (torchvision). Bottleneck blocks carry the stride in their 3x3 conv ("v1.5").
Graph imagenet_resnet(const std::string& name, const std::vector<int>& depths, bool bottleneck, Form form) {
  const bool fixup = form == Form::Fixup;
  Builder b(name, fixup ? "fixup" : "bn", {3, 224, 224});
  int x = b.conv("conv1", kNetworkInput, 64, 7, 2, 3);
  if (fixup) {
    x = b.simple("bias1", LayerType::FixupBias, x);
  } else {
    x = b.simple("bn1", LayerType::BatchNorm, x);
  }
  x = b.simple("relu", LayerType::Relu, x);
  x = b.maxpool("maxpool", x, 3, 2, 1);
  int64_t inplanes = 64;
  const int64_t expansion = bottleneck ? 4 : 1;
  for (int stage = 0; stage < 4; ++stage) {
    const int64_t planes = int64_t(64) << stage;
    for (int blk = 0; blk < depths[stage]; ++blk) {
      const std::string p = "layer" + std::to_string(stage + 1) + "." + std::to_string(blk) + ".";
      const int64_t stride = (stage > 0 && blk == 0) ? 2 : 1;
      const bool downsample = stride != 1 || inplanes != planes * expansion;
      const int block_in = x;
      int y;
      int bias1a = -1;
      // Each branch conv is followed by BN (bn form) or preceded/followed by Fixup scalars.
      auto norm_after = [&](int t, const std::string& bn, const std::string& fixup_bias) {
        return fixup ? b.simple(p + fixup_bias, LayerType::FixupBias, t) : b.simple(p + bn, LayerType::BatchNorm, t);
      };
      if (!bottleneck) {
        int in = block_in;
        if (fixup) in = bias1a = b.simple(p + "bias1a", LayerType::FixupBias, block_in);
        y = b.conv(p + "conv1", in, planes, 3, stride, 1);
        y = norm_after(y, "bn1", "bias1b");
        y = b.simple(p + "relu", LayerType::Relu, y);
        if (fixup) y = b.simple(p + "bias2a", LayerType::FixupBias, y);
        y = b.conv(p + "conv2", y, planes, 3, 1, 1);
        if (fixup) {
          y = b.simple(p + "scale", LayerType::FixupScale, y);
          y = b.simple(p + "bias2b", LayerType::FixupBias, y);
        } else {
          y = b.simple(p + "bn2", LayerType::BatchNorm, y);
        }
      } else {
        int in = block_in;
        if (fixup) in = bias1a = b.simple(p + "bias1a", LayerType::FixupBias, block_in);
        y = b.conv(p + "conv1", in, planes, 1, 1, 0);
        y = norm_after(y, "bn1", "bias1b");
        y = b.simple(p + "relu", LayerType::Relu, y);
        if (fixup) y = b.simple(p + "bias2a", LayerType::FixupBias, y);
        y = b.conv(p + "conv2", y, planes, 3, stride, 1);
        y = norm_after(y, "bn2", "bias2b");
        y = b.simple(p + "relu_1", LayerType::Relu, y);
        if (fixup) y = b.simple(p + "bias3a", LayerType::FixupBias, y);
        y = b.conv(p + "conv3", y, planes * expansion, 1, 1, 0);
        if (fixup) {
          y = b.simple(p + "scale", LayerType::FixupScale, y);
          y = b.simple(p + "bias3b", LayerType::FixupBias, y);
        } else {
          y = b.simple(p + "bn3", LayerType::BatchNorm, y);
        }
      }
      int identity = block_in;
      if (downsample) {
        if (fixup) {
          // Fixup: identity = downsample(x + bias1a), a bare 1x1 conv.
          identity = b.conv(p + "downsample", bias1a, planes * expansion, 1, stride, 0);
        } else {
          identity = b.conv(p + "downsample.0", block_in, planes * expansion, 1, stride, 0);
          identity = b.simple(p + "downsample.1", LayerType::BatchNorm, identity);
        }
      }
      y = b.add2(p + "add", y, identity);
      x = b.simple(p + (bottleneck ? "relu_2" : "relu_1"), LayerType::Relu, y);
      inplanes = planes * expansion;
    }
  }
  x = b.simple("avgpool", LayerType::AvgPool, x);
  if (fixup) x = b.simple("bias2", LayerType::FixupBias, x);
  x = b.fc("fc", x, 1000);
  b.simple("loss", LayerType::Loss, x);
  return b.finish();
}

// CIFAR-10 ResNet-(6n+2) of He et al. 2016 §4.2 with parameter-free option-A shortcuts.
// The Fixup form follows Fixup's CIFAR code: the shortcut sees x + bias1a.
Graph cifar_resnet(const std::string& name, int n, Form form) {
  const bool fixup = form == Form::Fixup;
  Builder b(name, fixup ? "fixup" : "bn", {3, 32, 32});
  int x = b.conv("conv1", kNetworkInput, 16, 3, 1, 1);
  x = fixup ? b.simple("bias1", LayerType::FixupBias, x) : b.simple("bn1", LayerType::BatchNorm, x);
  x = b.simple("relu", LayerType::Relu, x);
  int64_t inplanes = 16;
  for (int stage = 0; stage < 3; ++stage) {
    const int64_t planes = int64_t(16) << stage;
    for (int blk = 0; blk < n; ++blk) {
      const std::string p = "layer" + std::to_string(stage + 1) + "." + std::to_string(blk) + ".";
      const int64_t stride = (stage > 0 && blk == 0) ? 2 : 1;
      const int block_in = x;
      int in = block_in;
      if (fixup) in = b.simple(p + "bias1a", LayerType::FixupBias, block_in);
      int y = b.conv(p + "conv1", in, planes, 3, stride, 1);
      y = fixup ? b.simple(p + "bias1b", LayerType::FixupBias, y) : b.simple(p + "bn1", LayerType::BatchNorm, y);
      y = b.simple(p + "relu", LayerType::Relu, y);
      if (fixup) y = b.simple(p + "bias2a", LayerType::FixupBias, y);
      y = b.conv(p + "conv2", y, planes, 3, 1, 1);
      if (fixup) {
        y = b.simple(p + "scale", LayerType::FixupScale, y);
        y = b.simple(p + "bias2b", LayerType::FixupBias, y);
      } else {
        y = b.simple(p + "bn2", LayerType::BatchNorm, y);
      }
      int identity = block_in;
      if (stride != 1 || inplanes != planes) identity = b.shortcut_a(p + "shortcut", in, planes, stride);
      y = b.add2(p + "add", y, identity);
      x = b.simple(p + "relu_1", LayerType::Relu, y);
      inplanes = planes;
    }
  }
  x = b.simple("avgpool", LayerType::AvgPool, x);
  if (fixup) x = b.simple("bias2", LayerType::FixupBias, x);
  x = b.fc("fc", x, 10);
  b.simple("loss", LayerType::Loss, x);
  return b.finish();
}

// VGG-16 (torchvision vgg16 / vgg16_bn: configuration D, biased 3x3 convs). At 224x224 the
// adaptive 7x7 average pool is the identity and is left out; so are the classifier's dropouts.
Graph vgg16(Form form) {
  const bool bn = form == Form::BatchNorm;
  Builder b("vgg16", bn ? "bn" : "plain", {3, 224, 224});
  const int64_t cfg[] = {64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0};
  int x = kNetworkInput, idx = 0;
  auto name = [&](int i) { return "features." + std::to_string(i); };
  for (int64_t c : cfg) {
    if (c == 0) {
      x = b.maxpool(name(idx++), x, 2, 2, 0);
      continue;
    }
    x = b.conv(name(idx++), x, c, 3, 1, 1, 1, true);
    if (bn) x = b.simple(name(idx++), LayerType::BatchNorm, x);
    x = b.simple(name(idx++), LayerType::Relu, x);
  }
  x = b.fc("classifier.0", x, 4096);
  x = b.simple("classifier.1", LayerType::Relu, x);
  x = b.fc("classifier.3", x, 4096);
  x = b.simple("classifier.4", LayerType::Relu, x);
  x = b.fc("classifier.6", x, 1000);
  b.simple("loss", LayerType::Loss, x);
  b.note("vgg16: the classifier's two dropout layers are not modelled (their per-element mask is left out)");
  return b.finish();
}

// MobileNetV2 (torchvision, width 1.0): inverted residual blocks with depthwise 3x3 convs and
// ReLU6, named as torchvision's modules. The Fixup form is the general BN-to-Fixup conversion.
Graph mobilenet_v2(Form form) {
  Builder b("mobilenet_v2", "bn", {3, 224, 224});
  auto cbr = [&](const std::string& p, int in, int64_t cout, int64_t k, int64_t stride, int64_t groups) {
    int y = b.conv(p + ".0", in, cout, k, stride, (k - 1) / 2, groups);
    y = b.simple(p + ".1", LayerType::BatchNorm, y);
    return b.simple(p + ".2", LayerType::Relu6, y);
  };
  int x = cbr("features.0", kNetworkInput, 32, 3, 2, 1);
  int64_t in = 32;
  const int64_t settings[][4] = {{1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                                 {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
  int block = 1;
  for (const auto& st : settings) {
    const int64_t t = st[0], c = st[1], reps = st[2], s = st[3];
    for (int64_t r = 0; r < reps; ++r, ++block) {
      const std::string p = "features." + std::to_string(block) + ".conv.";
      const int64_t stride = r == 0 ? s : 1, hidden = in * t;
      int y = x, k = 0;
      if (t != 1) y = cbr(p + std::to_string(k++), y, hidden, 1, 1, 1);
      y = cbr(p + std::to_string(k++), y, hidden, 3, stride, hidden);
      y = b.conv(p + std::to_string(k++), y, c, 1, 1, 0);
      y = b.simple(p + std::to_string(k++), LayerType::BatchNorm, y);
      if (stride == 1 && in == c) y = b.add2("features." + std::to_string(block) + ".add", x, y);
      x = y;
      in = c;
    }
  }
  x = cbr("features.18", x, 1280, 1, 1, 1);
  x = b.simple("adaptive_avg_pool2d", LayerType::AvgPool, x);
  x = b.fc("classifier.1", x, 1000);
  b.simple("loss", LayerType::Loss, x);
  b.note("mobilenet_v2: the classifier's dropout is not modelled (its per-element mask is left out)");
  Graph g = b.finish();
  if (form == Form::BatchNorm) return g;
  FixupConversion f = to_fixup(g);
  f.graph.notes = g.notes;
  f.graph.notes.push_back("mobilenet_v2: " + f.summary());
  return f.graph;
}

// A multilayer perceptron for the 8x8 digits (issue 9's functional training): 64 -> 128 -> 128
// -> 10, with BN after each hidden layer in the BN form.
Graph mlp(Form form) {
  const bool bn = form == Form::BatchNorm;
  Builder b("mlp", bn ? "bn" : "plain", {1, 8, 8});
  int x = kNetworkInput;
  for (int i = 1; i <= 2; ++i) {
    const std::string k = std::to_string(i);
    x = b.fc("fc" + k, x, 128);
    if (bn) x = b.simple("bn" + k, LayerType::BatchNorm, x);
    x = b.simple("relu" + k, LayerType::Relu, x);
  }
  x = b.fc("fc3", x, 10);
  b.simple("loss", LayerType::Loss, x);
  return b.finish();
}

// A small CNN for 8x8 single-channel images (the digits of `eoqsim train`): two 3x3 convs, the
// second strided, global average pooling and a classifier. BN after each conv in the BN form;
// the plain form has no normalization (small enough to train without Fixup's scalars).
Graph cnn_small(Form form) {
  const bool bn = form == Form::BatchNorm;
  Builder b("cnn-small", bn ? "bn" : "plain", {1, 8, 8});
  int x = b.conv("conv1", kNetworkInput, 16, 3, 1, 1);
  if (bn) x = b.simple("bn1", LayerType::BatchNorm, x);
  x = b.simple("relu1", LayerType::Relu, x);
  x = b.conv("conv2", x, 32, 3, 2, 1);
  if (bn) x = b.simple("bn2", LayerType::BatchNorm, x);
  x = b.simple("relu2", LayerType::Relu, x);
  x = b.simple("avgpool", LayerType::AvgPool, x);
  x = b.fc("fc", x, 10);
  b.simple("loss", LayerType::Loss, x);
  return b.finish();
}

using BuildFn = std::function<Graph(Form)>;
const std::map<std::string, BuildFn>& table() {
  static const std::map<std::string, BuildFn> t = {
      {"resnet18", [](Form f) { return imagenet_resnet("resnet18", {2, 2, 2, 2}, false, f); }},
      {"resnet34", [](Form f) { return imagenet_resnet("resnet34", {3, 4, 6, 3}, false, f); }},
      {"resnet50", [](Form f) { return imagenet_resnet("resnet50", {3, 4, 6, 3}, true, f); }},
      {"resnet101", [](Form f) { return imagenet_resnet("resnet101", {3, 4, 23, 3}, true, f); }},
      {"resnet20", [](Form f) { return cifar_resnet("resnet20", 3, f); }},
      {"resnet32", [](Form f) { return cifar_resnet("resnet32", 5, f); }},
      {"resnet56", [](Form f) { return cifar_resnet("resnet56", 9, f); }},
      {"vgg16", vgg16},
      {"mobilenet_v2", mobilenet_v2},
      {"mlp", mlp},
      {"cnn-small", cnn_small},
  };
  return t;
}

}  // namespace

std::vector<std::string> names() {
  std::vector<std::string> out;
  for (const auto& [k, v] : table()) out.push_back(k);
  return out;
}

bool has(const std::string& name) { return table().count(name) != 0; }

Graph build(const std::string& name, Form form) {
  auto it = table().find(name);
  if (it == table().end()) {
    std::string known;
    for (const auto& n : names()) known += (known.empty() ? "" : ", ") + n;
    throw InputError("", "--network", "unknown built-in network \"" + name + "\"; built-ins: " + known +
                                          " (or give a network JSON file)");
  }
  return it->second(form);
}

}  // namespace eoqsim::zoo
