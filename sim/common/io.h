// Output files are written to a temporary name and renamed, so an interrupted run never
// leaves a truncated report behind.
#pragma once
#include <string>

namespace eoqsim {

void write_file_atomic(const std::string& path, const std::string& content);
void ensure_directory(const std::string& path);

}  // namespace eoqsim
