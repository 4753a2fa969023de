#include "workloads/zoo.h"

#include <functional>
#include <map>

#include "sim/common/error.h"

namespace eoqsim::zoo {
namespace {

// Appends layers while tracking names; each add() returns the new layer's index.
class Builder {
 public:
  Builder(std::string name, Form form, Shape input) {
    g_.name = std::move(name);
    g_.form = form == Form::Fixup ? "fixup" : "bn";
    g_.input = input;
  }
  int add(Layer l) {
    g_.layers.push_back(std::move(l));
    return static_cast<int>(g_.layers.size()) - 1;
  }
  int conv(const std::string& name, int in, int64_t cout, int64_t k, int64_t stride, int64_t pad) {
    Layer l;
    l.name = name;
    l.type = LayerType::Conv;
    l.inputs = {in};
    l.out_channels = cout;
    l.kh = l.kw = k;
    l.sh = l.sw = stride;
    l.ph = l.pw = pad;
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
  Builder b(name, form, {3, 224, 224});
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
  Builder b(name, form, {3, 32, 32});
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

using BuildFn = std::function<Graph(Form)>;
const std::map<std::string, BuildFn>& table() {
  static const std::map<std::string, BuildFn> t = {
      {"resnet18", [](Form f) { return imagenet_resnet("resnet18", {2, 2, 2, 2}, false, f); }},
      {"resnet34", [](Form f) { return imagenet_resnet("resnet34", {3, 4, 6, 3}, false, f); }},
      {"resnet50", [](Form f) { return imagenet_resnet("resnet50", {3, 4, 6, 3}, true, f); }},
      {"resnet20", [](Form f) { return cifar_resnet("resnet20", 3, f); }},
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
