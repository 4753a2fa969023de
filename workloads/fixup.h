// Converts a network with BatchNorm into its Fixup form (Zhang et al. 2019; papers.md §2.3), as a
// user taking a torchvision network to a no-BN scheme expects: every BN layer removed; a scalar
// bias on the input of every conv/FC that does not read the network input (shared by the GEMMs
// and parameter-free shortcuts reading the same tensor); after each conv whose BN was removed, a
// scalar bias, or, for the last conv of a residual branch, a scalar multiplier and a bias; nothing
// after a conv on a shortcut path. On torchvision's ResNets this gives exactly the structure of
// the official Fixup code (the built-in Fixup forms; a test holds them equal).
#pragma once
#include <string>

#include "workloads/graph.h"

namespace eoqsim {

struct FixupConversion {
  Graph graph;
  int removed_bn = 0, biases = 0, scales = 0;
  std::string summary() const;  // one line for the report's notes
};

FixupConversion to_fixup(const Graph& bn_form);

}  // namespace eoqsim
