// ONNX model import: reads the graph of a .onnx file (protobuf, decoded here without the ONNX or
// protobuf libraries, skipping weight data) into a Graph. Supported operators are the ones CNN
// exports use: Conv, BatchNormalization, Relu, Clip (as ReLU6), MaxPool, GlobalAveragePool, Gemm,
// MatMul (+ Add of a bias), Add, and layout no-ops (Flatten, Reshape, Squeeze, Unsqueeze,
// Identity, Dropout); a final Softmax/LogSoftmax is replaced by the training loss. Layer names
// come from the node names PyTorch writes (/layer1/layer1.0/conv1/Conv -> layer1.0.conv1), so an
// exported torchvision model keeps torchvision's module names. Anything else is an InputError
// naming the node.
#pragma once
#include <string>

#include "workloads/graph.h"

namespace eoqsim {

Graph load_onnx(const std::string& path);
// The same from bytes already in memory (`file` names them in errors; used by fuzzers).
Graph parse_onnx(const std::string& bytes, const std::string& file);

}  // namespace eoqsim
