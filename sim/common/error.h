// Error types that cross module boundaries. Library code throws; only the CLI prints and exits.
#pragma once
#include <stdexcept>
#include <string>

namespace eoqsim {

// Bad user input (config, scheme, network, trace, CLI). The CLI reports it and exits with 2.
// The message always says where (file and JSON path or line) and what was expected.
class InputError : public std::runtime_error {
 public:
  explicit InputError(const std::string& message) : std::runtime_error(message) {}
  // `file` may be empty (e.g. a CLI flag); `path` is a dotted JSON path such as "pe_array.rows".
  InputError(const std::string& file, const std::string& path, const std::string& message)
      : std::runtime_error(format(file, path, message)) {}

  static std::string format(const std::string& file, const std::string& path,
                            const std::string& message) {
    std::string out;
    if (!file.empty()) out += file + ": ";
    if (!path.empty()) out += "at " + path + ": ";
    return out + message;
  }
};

// A request the chip cannot serve (missing unit or precision). Also bad input: exit code 2.
class UnsupportedError : public InputError {
 public:
  using InputError::InputError;
};

}  // namespace eoqsim
