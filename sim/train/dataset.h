// Labelled 8x8 images for functional training: the handwritten digits scikit-learn ships
// (data/digits/digits.txt, embedded in the binary; made by data/digits/export_digits.py), or a
// file in the same format: one image per line, "LABEL:" then 64 letters 'a'..'q' (pixel 0..16).
#pragma once
#include <string>
#include <vector>

namespace eoqsim {

struct Dataset {
  std::string name;
  std::vector<std::vector<double>> images;  // pixel / 16, in [0, 1], row by row
  std::vector<int> labels;                  // 0..9
  // The held-out test split is every fifth image (index % 5 == 4), a fixed split that samples all
  // writers; parse_dataset() reorders the images so the test split is the last test_size.
  size_t test_size = 0;
  size_t train_size() const { return images.size() - test_size; }
};

// "digits" is the embedded copy; anything else is a file path. Errors name the file and line.
Dataset load_dataset(const std::string& name_or_path);
Dataset parse_dataset(const std::string& text, const std::string& file);

}  // namespace eoqsim
