// Sweep specs: expansion (grid, zip, seeded random, derived, constraints), the expression
// language, and runs with failing points, shards and resumption.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "sim/common/error.h"
#include "sim/sweep/expr.h"
#include "sim/sweep/spec.h"
#include "tests/helpers.h"

namespace eoqsim {
namespace {

SweepSpec spec(const std::string& body) { return parse_sweep(ordered_json::parse(body), "test.json"); }

const char* kBase = R"("schema": "eoqsim.sweep/1", "name": "t",
  "base": {"chip": "edge_eoq", "scheme": "eoq", "network": "resnet20", "batch": 2})";

TEST(SweepExpr, ArithmeticComparisonAndLogic) {
  auto r = [](const std::string& n) -> double {
    if (n == "a") return 3;
    if (n == "pe_array.rows") return 16;
    throw std::invalid_argument("unknown " + n);
  };
  EXPECT_DOUBLE_EQ(eval_expr("1 + 2 * 3", r), 7);
  EXPECT_DOUBLE_EQ(eval_expr("(1 + 2) * 3", r), 9);
  EXPECT_DOUBLE_EQ(eval_expr("-a / 2", r), -1.5);
  EXPECT_DOUBLE_EQ(eval_expr("${pe_array.rows} * ${pe_array.rows} <= 256", r), 1);
  EXPECT_DOUBLE_EQ(eval_expr("a > 3 || a == 3 && 1 < 2", r), 1);
  EXPECT_DOUBLE_EQ(eval_expr("a != 3", r), 0);
  EXPECT_THROW(eval_expr("1 +", r), std::invalid_argument);
  EXPECT_THROW(eval_expr("1 / 0", r), std::invalid_argument);
  EXPECT_THROW(eval_expr("${unclosed", r), std::invalid_argument);
  EXPECT_THROW(eval_expr("b + 1", r), std::invalid_argument);
  EXPECT_EQ(expr_names("${x} + y * 2"), (std::vector<std::string>{"x", "y"}));
}

TEST(SweepSpec, GridAndZipCountAndOrder) {
  const SweepSpec s = spec(std::string("{") + kBase + R"(,
    "grid": {"pe_array.rows": [8, 16, 32], "buffers.glb.capacity": ["128 KiB", "512 KiB"]},
    "zip": {"scheme": ["eoq", "fp32_bn"], "chip": ["edge_eoq", "edge_bn_fp32"]}})");
  const auto pts = expand_sweep(s);
  ASSERT_EQ(pts.size(), 3u * 2 * 2);
  // The first grid axis varies slowest, the zipped pair fastest, and point ids count from 0.
  EXPECT_EQ(pts[0].values["pe_array.rows"], 8);
  EXPECT_EQ(pts[1].values["scheme"], "fp32_bn");
  EXPECT_EQ(pts[1].values["chip"], "edge_bn_fp32");
  EXPECT_EQ(pts[2].values["buffers.glb.capacity"], "512 KiB");
  EXPECT_EQ(pts[4].values["pe_array.rows"], 16);
  for (size_t i = 0; i < pts.size(); ++i) EXPECT_EQ(pts[i].id, static_cast<int64_t>(i));
  EXPECT_EQ(s.columns, (std::vector<std::string>{"chip", "scheme", "network", "batch", "mode", "pe_array.rows",
                                                  "buffers.glb.capacity"}));
  const auto sets = sweep_sets(s, pts[2]);
  EXPECT_EQ(sets, (std::vector<std::string>{"pe_array.rows=8", "buffers.glb.capacity=512 KiB"}));
}

TEST(SweepSpec, RandomSamplesAreSeeded) {
  auto make = [](int seed) {
    return spec(std::string("{") + kBase + R"(, "random": {"samples": 50, "seed": )" + std::to_string(seed) + R"(,
      "axes": {"clock": {"uniform": [5e8, 1e9]}, "pe_array.rows": {"choice": [8, 16, 32]},
               "pe_array.cols": {"int": [4, 6]}, "dram.bandwidth": {"log_uniform": [1e9, 1e11]}}}})");
  };
  const auto a = expand_sweep(make(7)), b = expand_sweep(make(7)), c = expand_sweep(make(8));
  ASSERT_EQ(a.size(), 50u);
  bool differs = false;
  std::set<int64_t> cols;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].values, b[i].values);
    differs = differs || a[i].values != c[i].values;
    const double clk = a[i].values["clock"].get<double>();
    EXPECT_GE(clk, 5e8);
    EXPECT_LT(clk, 1e9);
    const int64_t rows = a[i].values["pe_array.rows"].get<int64_t>();
    EXPECT_TRUE(rows == 8 || rows == 16 || rows == 32);
    cols.insert(a[i].values["pe_array.cols"].get<int64_t>());
    const double bw = a[i].values["dram.bandwidth"].get<double>();
    EXPECT_GE(bw, 1e9);
    EXPECT_LE(bw, 1e11);
  }
  EXPECT_TRUE(differs);
  EXPECT_EQ(cols, (std::set<int64_t>{4, 5, 6}));  // inclusive bounds, every value drawn
  // The generator is splitmix64 seeded with the seed: the first draw is fixed by its definition.
  const SweepSpec one = spec(std::string("{") + kBase +
                             R"(, "random": {"samples": 1, "seed": 0, "axes": {"x": {"int": [0, 999]}}}})");
  EXPECT_EQ(expand_sweep(one)[0].values["x"], static_cast<int64_t>(0xe220a8397b1dcdafULL % 1000));
}

TEST(SweepSpec, DerivedValuesAndConstraints) {
  const SweepSpec s = spec(std::string("{") + kBase + R"(,
    "grid": {"pe_array.rows": [8, 64], "buffers.glb.capacity": ["256 KiB"]},
    "derived": {"pe_array.cols": "${pe_array.rows}", "half": "${buffers.glb.capacity} / 2"},
    "constraints": ["${pe_array.rows} * ${pe_array.cols} <= 1024", "area_mm2 <= 3"]})");
  const auto pts = expand_sweep(s);
  ASSERT_EQ(pts.size(), 2u);
  EXPECT_EQ(pts[0].values["pe_array.cols"], 8);
  EXPECT_EQ(pts[0].values["half"], 131072);  // 256 KiB in bytes / 2
  EXPECT_FALSE(pts[0].skipped);
  EXPECT_TRUE(pts[1].skipped);
  EXPECT_NE(pts[1].skip_reason.find("<= 1024"), std::string::npos);
  EXPECT_EQ(pts[0].deferred, (std::vector<std::string>{"area_mm2 <= 3"}));  // checked before simulating
}

TEST(SweepSpec, BadSpecsNameThePlace) {
  auto msg = [](const std::string& body) -> std::string {
    try {
      spec(body);
    } catch (const InputError& e) {
      return e.what();
    }
    return "(no error)";
  };
  const std::string b = std::string("{") + kBase;
  EXPECT_NE(msg(b + R"(, "zip": {"a": [1, 2], "b": [1]}})").find("zip.b"), std::string::npos);
  EXPECT_NE(msg(b + R"(, "grid": {"a": []}})").find("grid.a"), std::string::npos);
  EXPECT_NE(msg(b + R"(, "grid": {"a": [1]}, "zip": {"a": [2]}})").find("swept twice"), std::string::npos);
  EXPECT_NE(msg(b + R"(, "random": {"samples": 3, "axes": {"x": {"int": [0, 1]}}}})").find("random.seed"),
            std::string::npos);
  EXPECT_NE(msg(b + R"(, "random": {"samples": 3, "seed": 1, "axes": {"x": {"normal": [0, 1]}}}})").find("normal"),
            std::string::npos);
  EXPECT_NE(msg(b + R"(, "derived": {"c": "${nope} + 1"}})").find("derived.c"), std::string::npos);
  EXPECT_NE(msg(b + R"(, "constraints": ["power_w < 2"]})").find("constraints[0]"), std::string::npos);
  EXPECT_NE(msg(b + R"(, "frob": 1})").find("frob"), std::string::npos);
  EXPECT_NE(msg(R"({"schema": "eoqsim.sweep/1", "name": "t", "base": {"chip": "edge_eoq"}})").find("scheme"),
            std::string::npos);
  EXPECT_NE(msg(b + R"(, "grid": {"a": [1,2,3,4,5,6,7,8,9,10], "b": [1,2,3,4,5,6,7,8,9,10],
    "c": [1,2,3,4,5,6,7,8,9,10], "d": [1,2,3,4,5,6,7,8,9,10], "e": [1,2,3,4,5,6,7,8,9,10],
    "f": [1,2,3,4,5,6,7,8,9,10], "g": [1,2,3,4,5,6,7,8,9,10], "h": [1,2,3,4,5,6,7,8,9,10]}})")
                .find("points; at most"),
            std::string::npos);
}

std::string results_without_wall(const std::string& dir) {
  std::ifstream in(dir + "/results.csv");
  std::ostringstream out;
  for (std::string line; std::getline(in, line);) out << line.substr(0, line.rfind(',')) << "\n";
  return out.str();
}

std::string write_spec(const std::string& dir, const std::string& body) {
  const std::string path = dir + "/spec.json";
  std::ofstream(path) << body;
  return path;
}

const char* kSmall = R"({"schema": "eoqsim.sweep/1", "name": "small",
  "base": {"chip": "edge_eoq", "scheme": "eoq", "batch": 2},
  "grid": {"network": ["resnet20", "no_such_net", "mlp"], "pe_array.rows": [8, 16]}})";

TEST(SweepRun, FailingPointIsRecordedAndTheRestComplete) {
  const std::string dir = test::temp_dir("sweep_fail");
  const std::string path = write_spec(dir, kSmall);
  const auto r = test::run_cli({"sweep", path, "--jobs", "2", "--out", dir + "/out"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::ifstream in(dir + "/out/results.csv");
  std::string header, line;
  std::getline(in, header);
  int ok = 0, failed = 0;
  while (std::getline(in, line)) {
    if (line.find(",ok,") != std::string::npos) ++ok;
    if (line.find(",failed,") != std::string::npos) {
      ++failed;
      EXPECT_NE(line.find("no_such_net"), std::string::npos) << line;
    }
  }
  EXPECT_EQ(ok, 4);
  EXPECT_EQ(failed, 2);
  EXPECT_NE(r.out.find("(2 failed)"), std::string::npos) << r.out;
}

TEST(SweepRun, ResultsDoNotDependOnJobs) {
  const std::string dir = test::temp_dir("sweep_jobs");
  const std::string path = write_spec(dir, kSmall);
  ASSERT_EQ(test::run_cli({"sweep", path, "--jobs", "1", "--out", dir + "/j1"}).code, 0);
  ASSERT_EQ(test::run_cli({"sweep", path, "--jobs", "3", "--out", dir + "/j3"}).code, 0);
  EXPECT_EQ(results_without_wall(dir + "/j1"), results_without_wall(dir + "/j3"));
}

TEST(SweepRun, ShardsMergeToTheWholeSweep) {
  const std::string dir = test::temp_dir("sweep_shards");
  const std::string path = write_spec(dir, kSmall);
  ASSERT_EQ(test::run_cli({"sweep", path, "--out", dir + "/all"}).code, 0);
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(test::run_cli({"sweep", path, "--shard", std::to_string(i) + "/3", "--out",
                             dir + "/s" + std::to_string(i)})
                  .code,
              0);
  // Merging part of the shards says what is missing; all of them give the whole sweep.
  auto part = test::run_cli({"sweep-merge", dir + "/s0", "--out", dir + "/part"});
  ASSERT_EQ(part.code, 0) << part.err;
  EXPECT_NE(part.out.find("missing"), std::string::npos);
  auto m = test::run_cli({"sweep-merge", dir + "/s2", dir + "/s0", dir + "/s1", "--out", dir + "/merged"});
  ASSERT_EQ(m.code, 0) << m.err;
  EXPECT_EQ(results_without_wall(dir + "/merged"), results_without_wall(dir + "/all"));
  // A shard of another spec cannot be merged in.
  const std::string other = write_spec(dir + "/s0", std::string(kSmall).replace(std::string(kSmall).find("small"), 5, "other"));
  ASSERT_EQ(test::run_cli({"sweep", other, "--out", dir + "/x"}).code, 0);
  auto bad = test::run_cli({"sweep-merge", dir + "/all", dir + "/x", "--out", dir + "/bad"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("different sweep spec"), std::string::npos) << bad.err;
}

TEST(SweepRun, ResumeAfterALostTailGivesTheSameRows) {
  const std::string dir = test::temp_dir("sweep_resume");
  const std::string path = write_spec(dir, kSmall);
  ASSERT_EQ(test::run_cli({"sweep", path, "--out", dir + "/a"}).code, 0);
  ASSERT_EQ(test::run_cli({"sweep", path, "--out", dir + "/b"}).code, 0);
  // Cut the journal as a kill would: keep the header and two records, and half of a third line.
  std::ifstream in(dir + "/b/journal.jsonl");
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  in.close();
  ASSERT_GE(lines.size(), 5u);
  {
    std::ofstream out(dir + "/b/journal.jsonl", std::ios::trunc);
    out << lines[0] << "\n" << lines[1] << "\n" << lines[2] << "\n" << lines[3].substr(0, lines[3].size() / 2);
  }
  std::remove((dir + "/b/results.csv").c_str());
  // Without --resume the journal is protected.
  auto again = test::run_cli({"sweep", path, "--out", dir + "/b"});
  EXPECT_EQ(again.code, 2);
  EXPECT_NE(again.err.find("--resume"), std::string::npos);
  auto r = test::run_cli({"sweep", path, "--resume", "--out", dir + "/b"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("2 already done"), std::string::npos) << r.out;
  EXPECT_EQ(results_without_wall(dir + "/b"), results_without_wall(dir + "/a"));
  // Every point exactly once in the journal.
  std::ifstream j(dir + "/b/journal.jsonl");
  std::set<int64_t> seen;
  int records = 0;
  for (std::string l; std::getline(j, l);) {
    const auto rec = json::parse(l);
    if (!rec.contains("point")) continue;
    ++records;
    seen.insert(rec["point"].get<int64_t>());
  }
  EXPECT_EQ(records, 6);
  EXPECT_EQ(seen.size(), 6u);
  // Resuming with another spec is refused.
  const std::string other = write_spec(dir + "/a", std::string(kSmall).replace(std::string(kSmall).find("[8, 16]"), 7, "[8]"));
  auto bad = test::run_cli({"sweep", other, "--resume", "--out", dir + "/b"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("different digest"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace eoqsim
