// SCALE-Sim topology CSVs, read as SCALE-Sim v2 reads them (scalesim/topology_utils.py):
// - the first line is the header; its second field tells the format: "IFMAP Height" (conv rows
//   `name, ifmap h, ifmap w, filter h, filter w, channels, num filter, stride[, stride w],`) or
//   "M" (GEMM rows `name, M, N, K,`);
// - blank lines are skipped; on every row the text after the last comma is dropped (so rows end
//   with a comma, and anything after it, such as "#dw", is a comment);
// - one stride means the same stride in both directions;
// - a conv has no padding and ofmap = ceil((ifmap - filter + stride) / stride);
// - a row whose name contains "DP" is depthwise: it becomes one layer per channel, named
//   "<name>Channel_<i>", each with one channel and the row's filter count;
// - a GEMM row is C[M x N] = A[M x K] B[K x N].
// Rows are independent layers in order. Where SCALE-Sim would crash (a missing field, a filter
// larger than its ifmap, a non-integer), eoqsim stops with the line and field instead. Columns after
// the second stride are ignored.
#pragma once
#include <string>

#include "workloads/graph.h"

namespace eoqsim {

Graph parse_scalesim_csv(const std::string& text, const std::string& file);
Graph load_scalesim_csv(const std::string& path);

}  // namespace eoqsim
