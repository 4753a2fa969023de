// Output files are written to a temporary name and renamed, so an interrupted run never
// leaves a truncated report behind.
#pragma once
#include <string>

namespace eoqsim {

void write_file_atomic(const std::string& path, const std::string& content);
void ensure_directory(const std::string& path);
// A whole binary input file (an ONNX model with its weights); more than `max_bytes` is an error.
std::string read_binary_file(const std::string& path, size_t max_bytes);

}  // namespace eoqsim
