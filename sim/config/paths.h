// Finding data files: built-in names, embedded copies of configs/, and paths on disk.
#pragma once
#include <string>

namespace eoqsim {

// Resolves `ref`: a bare name (no '/', no ".json") means the built-in `builtin_dir`/ref.json;
// otherwise a path, relative to `base_dir` (or the working directory when empty). A relative
// path inside the embedded configs/ tree that is not on disk uses the embedded copy, so built-in
// chips find their technology tables from any working directory. On success fills `text` and
// `where` (the name used in messages); on failure fills `where` with the path tried.
bool resolve_data_file(const std::string& ref, const std::string& builtin_dir, const std::string& base_dir,
                       std::string* text, std::string* where);

bool is_path_like(const std::string& ref);

}  // namespace eoqsim
