// Built-in networks, layer for layer as torchvision (ImageNet ResNet-18/34/50/101, VGG-16,
// MobileNetV2, with torchvision's module names) and He et al. 2016 (CIFAR ResNet-20/32/56 with
// option-A shortcuts) define them, plus an MLP for 8x8 digits. Each has a BN form and a Fixup form
// (Zhang et al. 2019, structure as in the official Fixup code; see papers.md §2.3); networks
// without residual blocks (VGG-16, the MLP) have no Fixup scalars, so their "Fixup" form is the
// plain network without BN.
#pragma once
#include <string>
#include <vector>

#include "workloads/graph.h"

namespace eoqsim::zoo {

enum class Form { BatchNorm, Fixup };

std::vector<std::string> names();
bool has(const std::string& name);
// Throws InputError for an unknown name.
Graph build(const std::string& name, Form form);

}  // namespace eoqsim::zoo
