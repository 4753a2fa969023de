// Built-in networks, layer for layer as torchvision (ImageNet ResNets) and He et al. 2016
// (CIFAR ResNets with option-A shortcuts) define them, in a BN form and a Fixup form
// (Zhang et al. 2019, structure as in the official Fixup code; see papers.md §2.3).
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
