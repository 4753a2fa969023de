// Graph IR: a network as a topologically ordered list of layers with per-sample tensor shapes.
// Built-in networks come from zoo.cpp; files from network_json.cpp. Shapes exclude the batch.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace eoqsim {

struct Shape {
  int64_t c = 0, h = 1, w = 1;
  int64_t elements() const { return c * h * w; }
  bool operator==(const Shape& o) const { return c == o.c && h == o.h && w == o.w; }
  std::string str() const;
};

enum class LayerType {
  Conv,        // 2-D convolution (groups allowed)
  Fc,          // fully connected; flattens its input
  BatchNorm,   // per-channel batch normalization with affine γ, β
  Relu,
  Relu6,       // min(max(x, 0), 6) (MobileNet)
  MaxPool,
  AvgPool,     // global average pooling to C×1×1
  Add,         // residual addition of two inputs
  FixupBias,   // Fixup: adds one scalar parameter
  FixupScale,  // Fixup: multiplies by one scalar parameter
  ShortcutA,   // parameter-free "option A" shortcut: spatial subsampling + zero channel padding
  Loss,        // softmax cross-entropy over the logits
};

const char* layer_type_name(LayerType t);
LayerType parse_layer_type(const std::string& s);  // throws std::invalid_argument

constexpr int kNetworkInput = -1;

struct Layer {
  std::string name;
  LayerType type = LayerType::Relu;
  std::vector<int> inputs;  // indices of earlier layers, or kNetworkInput
  // Conv / Fc / ShortcutA: output channels (features for Fc).
  int64_t out_channels = 0;
  // Conv / MaxPool / ShortcutA geometry.
  int64_t kh = 1, kw = 1, sh = 1, sw = 1, ph = 0, pw = 0, groups = 1;
  bool bias = false;  // Conv / Fc
  bool ceil_mode = false;  // Conv / MaxPool: output size rounds up (SCALE-Sim's convention)
  int64_t tokens = 1;      // Fc: rows the layer is applied to per sample (a GEMM with M = batch x tokens)
  // A layer reading the network input may have its own input shape (topology imports, where every
  // row is an independent layer).
  bool has_input_shape = false;
  Shape input_shape;
  // Filled by shape inference.
  Shape in, out;

  bool is_gemm() const { return type == LayerType::Conv || type == LayerType::Fc; }
  int64_t weight_elements() const;     // trainable weights (excluding bias)
  int64_t parameter_elements() const;  // all trainable parameters
  // Multiply-accumulates of the forward pass per sample (the standard count, padded taps included).
  int64_t forward_macs_per_sample() const;
};

struct Graph {
  std::string name;
  std::string form;  // "bn", "fixup" or "plain": how the network normalizes
  Shape input;
  // Layers are independent GEMM workloads listed in order (a SCALE-Sim topology): in training each
  // receives its output error from outside and all but the first propagate an error to its input.
  bool independent = false;
  std::vector<Layer> layers;
  std::vector<std::string> notes;  // what the network leaves out or how it was derived (into the report)

  int find(const std::string& layer_name) const;  // -1 if absent
  // Infers every layer's in/out shape and validates the structure. Throws InputError naming
  // `file` and "layers[i]" on a malformed graph.
  void infer_shapes(const std::string& file = "");
  std::vector<std::vector<int>> consumers() const;  // per layer, indices of layers reading it
  bool has_batchnorm() const;
};

}  // namespace eoqsim
