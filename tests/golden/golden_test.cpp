// Golden runs: small end-to-end configurations whose report figures are checked in. A change in
// any of them is a change in the model; if it is intended, regenerate with tests/golden/update.sh
// and explain the difference in the commit message.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "sim/common/json.h"
#include "tests/helpers.h"

namespace eoqsim {
namespace {

void expect_same(const json& expected, const json& actual, const std::string& path) {
  if (expected.is_object()) {
    ASSERT_TRUE(actual.is_object()) << path;
    for (auto it = expected.begin(); it != expected.end(); ++it) {
      ASSERT_TRUE(actual.contains(it.key())) << path << "." << it.key();
      expect_same(it.value(), actual[it.key()], path + "." + it.key());
    }
    EXPECT_EQ(expected.size(), actual.size()) << path << " has different keys";
  } else if (expected.is_number_float() || actual.is_number_float()) {
    const double e = expected.get<double>(), a = actual.get<double>();
    EXPECT_NEAR(a, e, 1e-9 * std::max(1.0, std::fabs(e))) << path;
  } else {
    EXPECT_EQ(expected, actual) << path;
  }
}

struct Golden {
  std::string name;
  std::vector<std::string> args;
};
void PrintTo(const Golden& g, std::ostream* os) { *os << g.name; }

class GoldenRun : public ::testing::TestWithParam<Golden> {};

TEST_P(GoldenRun, MatchesCheckedInFigures) {
  const std::string dir = test::temp_dir("golden_" + GetParam().name);
  std::vector<std::string> args = GetParam().args;
  args.push_back("--out");
  args.push_back(dir);
  auto r = test::run_cli(args);
  ASSERT_EQ(r.code, 0) << r.err;
  const json actual = load_json_file(dir + "/report.json");
  const json expected = load_json_file(test::source_path("tests/golden/expected/" + GetParam().name + ".json"));
  for (auto it = expected.begin(); it != expected.end(); ++it) expect_same(it.value(), actual[it.key()], it.key());
}

// Keep in sync with tests/golden/update.sh.
INSTANTIATE_TEST_SUITE_P(
    Runs, GoldenRun,
    ::testing::Values(
        Golden{"resnet20_b4_eoq", {"run", "--chip", "edge_eoq", "--scheme", "eoq", "--network", "resnet20", "--batch", "4"}},
        Golden{"resnet20_b4_fp32_bn",
               {"run", "--chip", "edge_bn_fp32", "--scheme", "fp32_bn", "--network", "resnet20", "--batch", "4"}},
        Golden{"resnet18_b2_fp32_bn_infer",
               {"run", "--chip", "edge_bn_fp32", "--scheme", "fp32_bn", "--network", "resnet18", "--batch", "2", "--mode",
                "infer"}}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace eoqsim
