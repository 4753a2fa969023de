#include "sim/config/paths.h"

#include <filesystem>

#include "sim/common/data.h"
#include "sim/common/json.h"

namespace eoqsim {

namespace fs = std::filesystem;

bool is_path_like(const std::string& ref) {
  return ref.find('/') != std::string::npos || (ref.size() > 5 && ref.substr(ref.size() - 5) == ".json");
}

bool resolve_data_file(const std::string& ref, const std::string& builtin_dir, const std::string& base_dir,
                       std::string* text, std::string* where) {
  if (!is_path_like(ref)) {
    const std::string key = builtin_dir + "/" + ref + ".json";
    *where = key;
    if (auto t = data::find(key)) {
      *text = *t;
      return true;
    }
    return false;
  }
  fs::path p = fs::path(ref);
  if (p.is_relative() && !base_dir.empty()) p = fs::path(base_dir) / p;
  const std::string on_disk = p.lexically_normal().string();
  *where = on_disk;
  std::error_code ec;
  if (fs::is_regular_file(on_disk, ec)) {
    *text = read_text_file(on_disk);
    return true;
  }
  // Embedded configs: "configs/chips/../tech/45nm.json" -> "configs/tech/45nm.json".
  if (auto t = data::find(on_disk)) {
    *text = *t;
    return true;
  }
  return false;
}

}  // namespace eoqsim
