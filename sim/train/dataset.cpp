#include "sim/train/dataset.h"

#include <sstream>

#include "sim/common/data.h"
#include "sim/common/error.h"
#include "sim/common/io.h"

namespace eoqsim {

Dataset parse_dataset(const std::string& text, const std::string& file) {
  Dataset d;
  d.name = file;
  std::istringstream in(text);
  std::string line;
  size_t no = 0;
  while (std::getline(in, line)) {
    ++no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const std::string at = "line " + std::to_string(no);
    if (line.size() != 66 || line[1] != ':' || line[0] < '0' || line[0] > '9')
      throw InputError(file, at, "expected a digit label, ':' and 64 pixel letters a..q (66 characters), found \"" +
                                     line.substr(0, 80) + "\"");
    std::vector<double> img(64);
    for (size_t i = 0; i < 64; ++i) {
      const char c = line[2 + i];
      if (c < 'a' || c > 'q')
        throw InputError(file, at, "pixel " + std::to_string(i) + " is '" + std::string(1, c) +
                                       "'; expected a letter a..q (values 0..16)");
      img[i] = (c - 'a') / 16.0;
    }
    d.images.push_back(std::move(img));
    d.labels.push_back(line[0] - '0');
  }
  if (d.images.size() < 20)
    throw InputError(file, "", "expected at least 20 images, found " + std::to_string(d.images.size()));
  // The fixed held-out split: every fifth image (359 of the 1797 digits), moved to the end.
  Dataset out;
  out.name = d.name;
  for (int pass = 0; pass < 2; ++pass)
    for (size_t i = 0; i < d.images.size(); ++i)
      if ((i % 5 == 4) == (pass == 1)) {
        out.images.push_back(d.images[i]);
        out.labels.push_back(d.labels[i]);
      }
  out.test_size = d.images.size() / 5;
  return out;
}

Dataset load_dataset(const std::string& name_or_path) {
  if (name_or_path == "digits") {
    auto text = data::find("data/digits/digits.txt");
    if (!text) throw std::logic_error("embedded data/digits/digits.txt missing");
    Dataset d = parse_dataset(*text, "digits");
    return d;
  }
  return parse_dataset(read_binary_file(name_or_path, size_t{64} << 20), name_or_path);
}

}  // namespace eoqsim
