#include "sim/common/io.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <system_error>
#include <unistd.h>

#include "sim/common/error.h"

namespace eoqsim {

void ensure_directory(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) throw InputError(path, "", "cannot create output directory: " + ec.message());
  if (!std::filesystem::is_directory(path)) throw InputError(path, "", "output path exists and is not a directory");
}

void write_file_atomic(const std::string& path, const std::string& content) {
  // A file named inside a directory that does not exist yet (--timeline out/t.json before
  // out/ is made) gets that directory.
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) ensure_directory(parent.string());
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw InputError(path, "", "cannot open for writing");
    out << content;
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      throw InputError(path, "", "write failed (disk full?)");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw InputError(path, "", "cannot rename temporary file into place");
  }
}

std::string read_binary_file(const std::string& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw InputError(path, "", "cannot open file for reading");
  const std::streamoff size = in.tellg();
  if (size < 0) throw InputError(path, "", "cannot determine the file's size");
  if (static_cast<uint64_t>(size) > max_bytes)
    throw InputError(path, "", "file is " + std::to_string(size) + " bytes; at most " + std::to_string(max_bytes) +
                                   " are read");
  std::string data(static_cast<size_t>(size), '\0');
  in.seekg(0);
  if (!in.read(data.data(), size)) throw InputError(path, "", "read failed");
  return data;
}

}  // namespace eoqsim
