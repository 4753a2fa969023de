// The command line: outputs, exit codes, and messages for bad input.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "sim/common/data.h"
#include "sim/common/json.h"
#include "tests/helpers.h"

namespace eoqsim {
namespace {

using test::run_cli;

TEST(Cli, RunWritesReportLayersAndResolvedConfig) {
  const std::string dir = test::temp_dir("cli_run");
  auto r = run_cli({"run", "--chip", "edge_eoq", "--scheme", "eoq", "--network", "resnet20", "--batch", "2", "--out", dir});
  ASSERT_EQ(r.code, 0) << r.err;
  const json rep = load_json_file(dir + "/report.json");
  EXPECT_EQ(rep["schema"], "eoqsim.report/1");
  EXPECT_EQ(rep["batch"], 2);
  for (const char* p : {"fwd", "bwd_e", "bwd_w", "upd"})
    for (const char* k : {"cycles", "seconds", "macs", "energy_pj", "dram_read_bytes", "dram_write_bytes",
                          "sram_read_bytes", "sram_write_bytes"})
      EXPECT_TRUE(rep["phases"][p].contains(k)) << p << "." << k;
  EXPECT_TRUE(rep["events"].contains("mac.int8"));
  EXPECT_TRUE(rep["events"].contains("quantize.int8"));
  for (const char* k : {"weight_bytes", "saved_activation_bytes", "optimizer_state_bytes", "peak_bytes"})
    EXPECT_TRUE(rep["memory"].contains(k)) << k;
  std::ifstream csv(dir + "/layers.csv");
  std::string header;
  std::getline(csv, header);
  EXPECT_EQ(header.rfind("layer,type,phase,cycles,macs,energy_pj,dram_read_bytes,dram_write_bytes", 0), 0u);
  const json cfg = load_json_file(dir + "/config.resolved.json");
  EXPECT_EQ(cfg["chip"]["pe_array"]["rows"], 32);
  EXPECT_EQ(cfg["scheme"]["name"], "eoq");
}

TEST(Cli, PhasesSelectWhatRuns) {
  const std::string dir = test::temp_dir("cli_phases");
  auto r = run_cli({"run", "--chip", "edge_eoq", "--scheme", "eoq", "--network", "resnet20", "--phases", "fwd", "--out", dir});
  ASSERT_EQ(r.code, 0) << r.err;
  const json rep = load_json_file(dir + "/report.json");
  EXPECT_TRUE(rep["phases"].contains("fwd"));
  EXPECT_FALSE(rep["phases"].contains("bwd_e"));
}

TEST(Cli, TraceFileRunsLikeTheNetwork) {
  const std::string dir = test::temp_dir("cli_trace");
  ASSERT_EQ(run_cli({"trace", "--network", "resnet20", "--scheme", "eoq", "--batch", "2", "-o", dir + "/t.json"}).code, 0);
  ASSERT_EQ(run_cli({"run", "--chip", "edge_eoq", "--trace", dir + "/t.json", "--out", dir + "/a"}).code, 0);
  ASSERT_EQ(run_cli({"run", "--chip", "edge_eoq", "--scheme", "eoq", "--network", "resnet20", "--batch", "2", "--out",
                     dir + "/b"})
                .code,
            0);
  EXPECT_EQ(load_json_file(dir + "/a/report.json")["totals"], load_json_file(dir + "/b/report.json")["totals"]);
}

TEST(Cli, CompareWritesRatios) {
  const std::string dir = test::temp_dir("cli_compare");
  auto r = run_cli({"compare", "--network", "resnet20", "--batch", "2", "--pair", "fp32_bn:edge_bn_fp32", "--pair",
                    "eoq:edge_eoq", "--out", dir});
  ASSERT_EQ(r.code, 0) << r.err;
  const json j = load_json_file(dir + "/compare.json");
  ASSERT_EQ(j["runs"].size(), 2u);
  EXPECT_DOUBLE_EQ(j["runs"][0]["speedup_vs_first"].get<double>(), 1.0);
  const double sp = j["runs"][1]["speedup_vs_first"].get<double>();
  EXPECT_NEAR(sp, j["runs"][0]["cycles"].get<double>() / j["runs"][1]["cycles"].get<double>(), 1e-9);
  EXPECT_TRUE(std::filesystem::exists(dir + "/compare.csv"));
  EXPECT_NE(r.out.find("speed-up"), std::string::npos);
}

TEST(Cli, CompareListsRunEveryNetworkAndBatch) {
  const std::string dir = test::temp_dir("cli_compare_lists");
  auto r = run_cli({"compare", "--network", "resnet20,mlp", "--batch", "1,4", "--pair", "fp32_bn:edge_bn_fp32", "--pair",
                    "eoq:edge_eoq", "--set", "clock=500 MHz", "--out", dir});
  ASSERT_EQ(r.code, 0) << r.err;
  const json j = load_json_file(dir + "/compare.json");
  ASSERT_EQ(j["groups"].size(), 4u);  // networks x batches, in that order
  ASSERT_EQ(j["runs"].size(), 8u);
  EXPECT_EQ(j["groups"][1]["network"], "resnet20");
  EXPECT_EQ(j["groups"][1]["batch"], 4);
  EXPECT_EQ(j["groups"][2]["network"], "mlp");
  for (const auto& g : j["groups"]) {
    // Ratios are to the first pair of the same network and batch.
    EXPECT_DOUBLE_EQ(g["runs"][0]["speedup_vs_first"].get<double>(), 1.0);
    EXPECT_NEAR(g["runs"][1]["energy_ratio_vs_first"].get<double>(),
                g["runs"][0]["energy_pj"].get<double>() / g["runs"][1]["energy_pj"].get<double>(), 1e-9);
  }
  for (const auto& run : j["runs"]) {
    const json rep = load_json_file(dir + "/" + run["dir"].get<std::string>() + "/report.json");
    EXPECT_EQ(rep["batch"], run["batch"]);
    EXPECT_DOUBLE_EQ(rep["clock_hz"].get<double>(), 5e8);  // --set applies to every pair's chip
  }
  std::ifstream csv(dir + "/compare.csv");
  int lines = 0;
  for (std::string l; std::getline(csv, l);) ++lines;
  EXPECT_EQ(lines, 9);
  EXPECT_NE(r.out.find("mlp, batch 4"), std::string::npos);
}

// The files of a run with the wall-clock fields (report.json's "sim" block) left out.
std::string run_files_without_wall_clock(const std::string& dir) {
  json rep = load_json_file(dir + "/report.json");
  EXPECT_TRUE(rep.contains("sim"));
  rep.erase("sim");
  std::string out = rep.dump(1);
  for (const char* f : {"/layers.csv", "/config.resolved.json"}) {
    std::ifstream in(dir + f, std::ios::binary);
    out += std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  return out;
}

TEST(Cli, ResNet50TrainingStepTwiceGivesByteIdenticalFiles) {
  const std::string dir = test::temp_dir("cli_determinism");
  for (const char* d : {"/a", "/b"}) {
    auto r = run_cli({"run", "--chip", "edge_bn_fp32", "--scheme", "fp32_bn", "--network", "resnet50", "--batch", "4",
                      "--set", "dram.impl=banked", "--out", dir + d});
    ASSERT_EQ(r.code, 0) << r.err;
  }
  const std::string a = run_files_without_wall_clock(dir + "/a"), b = run_files_without_wall_clock(dir + "/b");
  EXPECT_GT(a.size(), 100000u);
  EXPECT_TRUE(a == b) << "reports differ";
}

TEST(Cli, ListShowsImplementationsAndParameters) {
  auto r = run_cli({"list"});
  ASSERT_EQ(r.code, 0);
  for (const char* s : {"resnet50", "eoq", "fp32_bn", "edge_eoq", "systolic", "accumulator_bits", "sqrt"})
    EXPECT_NE(r.out.find(s), std::string::npos) << s;
}

TEST(Cli, ValidateAcceptsEveryBuiltinFile) {
  // Every chip, scheme, technology table and sweep spec in configs/ validates.
  std::vector<std::string> args = {"validate"};
  for (const char* sub : {"configs/chips", "configs/schemes", "configs/tech", "configs/sweeps"})
    for (const auto& e : std::filesystem::directory_iterator(test::source_path(sub)))
      if (e.path().extension() == ".json") args.push_back(e.path().string());
  ASSERT_GE(args.size(), 1u + 5 + 7 + 3 + 4);
  auto r = run_cli(args);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("sweep quick (12 points"), std::string::npos) << r.out;
}

// Bad input: exit code 2 and a message that names where and what.
struct BadRun {
  std::string name;
  std::vector<std::string> args;
  std::string expect;
};
void PrintTo(const BadRun& b, std::ostream* os) { *os << b.name; }

class CliBadInput : public ::testing::TestWithParam<BadRun> {};

TEST_P(CliBadInput, ExitsTwoWithAClearMessage) {
  auto r = run_cli(GetParam().args);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find(GetParam().expect), std::string::npos) << r.err;
  EXPECT_EQ(r.err.rfind("eoqsim: ", 0), 0u) << r.err;
}

const std::vector<std::string> kBase = {"run", "--chip", "edge_eoq", "--scheme", "eoq", "--network", "resnet20"};
std::vector<std::string> with(std::vector<std::string> extra) {
  std::vector<std::string> v = kBase;
  v.insert(v.end(), extra.begin(), extra.end());
  return v;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CliBadInput,
    ::testing::Values(
        BadRun{"UnknownCommand", {"frobnicate"}, "unknown command"},
        BadRun{"UnknownFlag", with({"--frob"}), "frob"},
        BadRun{"UnknownChip", {"run", "--chip", "nochip", "--scheme", "eoq", "--network", "resnet20"}, "nochip"},
        BadRun{"MissingChipFile", {"run", "--chip", "/nonexistent/c.json", "--scheme", "eoq", "--network", "resnet20"},
               "not found"},
        BadRun{"UnknownScheme", {"run", "--chip", "edge_eoq", "--scheme", "int3", "--network", "resnet20"}, "int3"},
        BadRun{"UnknownNetwork", {"run", "--chip", "edge_eoq", "--scheme", "eoq", "--network", "vgg99"}, "vgg99"},
        BadRun{"BadBatch", with({"--batch", "0"}), "--batch"},
        BadRun{"BatchNotANumber", with({"--batch", "lots"}), "batch"},
        BadRun{"BadMode", with({"--mode", "dream"}), "--mode"},
        BadRun{"BadPhase", with({"--phases", "fwd,sideways"}), "sideways"},
        BadRun{"SetWithoutValue", with({"--set", "pe_array.rows"}), "PATH=VALUE"},
        BadRun{"SetNegativeSize", with({"--set", "buffers.glb.capacity=-1 KiB"}), "buffers.glb.capacity"},
        BadRun{"SetUnknownKey", with({"--set", "pe_array.speed=11"}), "pe_array.speed"},
        BadRun{"SetUnknownImpl", with({"--set", "pe_array.impl=quantum"}), "pe_array.impl"},
        BadRun{"MissingUnit", {"run", "--chip", "edge_eoq", "--scheme", "fp32_bn", "--network", "resnet20"}, "norm_unit"},
        BadRun{"MissingQuantUnit", {"run", "--chip", "edge_bn_fp32", "--scheme", "eoq", "--network", "resnet20"},
               "quant_unit"},
        BadRun{"MissingPrecision",
               {"run", "--chip", "edge_bn_fp32", "--scheme", "eoq", "--network", "resnet20", "--set", "quant_unit.impl=lanes"},
               "int8 MACs"},
        BadRun{"TraceAndScheme", with({"--trace", "x.json"}), "--trace"},
        BadRun{"DramTooSmall", with({"--batch", "512", "--set", "dram.capacity=16 MiB"}), "dram.capacity"},
        BadRun{"ComparePairSyntax", {"compare", "--network", "resnet20", "--pair", "eoq", "--pair", "x"}, "SCHEME:CHIP"},
        BadRun{"CompareBadBatchList",
               {"compare", "--network", "resnet20", "--batch", "1,,2", "--pair", "eoq:edge_eoq", "--pair",
                "eoq:edge_eoq"},
               "--batch"},
        BadRun{"CompareBatchNotANumber",
               {"compare", "--network", "resnet20", "--batch", "1,x", "--pair", "eoq:edge_eoq", "--pair", "eoq:edge_eoq"},
               "positive integers"},
        BadRun{"CompareEmptyNetworkItem",
               {"compare", "--network", "resnet20,", "--pair", "eoq:edge_eoq", "--pair", "eoq:edge_eoq"}, "--network"},
        BadRun{"CompareUnknownChipBeforeRunning",
               {"compare", "--network", "resnet20", "--pair", "eoq:edge_eoq", "--pair", "eoq:nochip"}, "nochip"}),
    [](const auto& info) { return info.param.name; });

TEST(CliBadFiles, MalformedAndUnknownKeysNameTheJsonPath) {
  const std::string dir = test::temp_dir("cli_badfiles");
  json chip = json::parse(*data::find("configs/chips/edge_eoq.json"));
  chip["tech"] = test::source_path("configs/tech/45nm.json");
  auto write = [&](const std::string& name, const json& j) {
    std::ofstream(dir + "/" + name) << j.dump(2);
    return dir + "/" + name;
  };
  auto run_chip = [&](const std::string& file) {
    return run_cli({"run", "--chip", file, "--scheme", "eoq", "--network", "resnet20", "--out", dir + "/o"});
  };
  json unknown = chip;
  unknown["vector_unit"]["lanez"] = 4;
  auto r = run_chip(write("unknown.json", unknown));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("vector_unit.lanez"), std::string::npos) << r.err;

  json negative = chip;
  negative["buffers"]["glb"]["capacity"] = -4096;
  r = run_chip(write("negative.json", negative));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("buffers.glb.capacity"), std::string::npos) << r.err;

  json missing = chip;
  missing["pe_array"].erase("impl");
  r = run_chip(write("missing.json", missing));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("pe_array.impl"), std::string::npos) << r.err;

  json impl = chip;
  impl["quant_unit"]["impl"] = "analog";
  r = run_chip(write("impl.json", impl));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("quant_unit.impl"), std::string::npos) << r.err;

  std::ofstream(dir + "/malformed.json") << "{\"schema\": \"eoqsim.chip/1\",, }";
  r = run_chip(dir + "/malformed.json");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("malformed JSON at line 1"), std::string::npos) << r.err;

  // Nothing was written for the failed runs.
  EXPECT_FALSE(std::filesystem::exists(dir + "/o/report.json"));
}

}  // namespace
}  // namespace eoqsim

namespace eoqsim {
namespace {

TEST(Cli, FunctionalTrainingReportsTheTimingRunsStep) {
  // A functional run's step has the cycles, events, energy and traffic of the same step run
  // without values: the report blocks other than "training" and the wall-clock fields match.
  const std::string dir = test::temp_dir("cli_functional_timing");
  for (const auto& [scheme, chip] : {std::pair<std::string, std::string>{"eoq", "edge_eoq"}, {"wageubn", "edge_wageubn"}}) {
    auto t = run_cli({"train", "--chip", chip, "--scheme", scheme, "--network", "mlp", "--batch", "8", "--steps", "3",
                      "--eval-every", "2", "--out", dir + "/train_" + scheme});
    ASSERT_EQ(t.code, 0) << t.err;
    auto r = run_cli({"run", "--chip", chip, "--scheme", scheme, "--network", "mlp", "--batch", "8", "--out",
                      dir + "/run_" + scheme});
    ASSERT_EQ(r.code, 0) << r.err;
    json a = load_json_file(dir + "/train_" + scheme + "/report.json");
    json b = load_json_file(dir + "/run_" + scheme + "/report.json");
    ASSERT_TRUE(a.contains("training"));
    EXPECT_EQ(a["training"]["evaluations"], 2);  // steps 2 and 3
    EXPECT_EQ(a["training"]["per_step"]["cycles"], b["totals"]["cycles"]);
    for (const char* k : {"totals", "phases", "events", "units", "energy_breakdown_pj", "memory"}) {
      ASSERT_TRUE(b.contains(k)) << k;
      EXPECT_EQ(a[k], b[k]) << scheme << ": " << k;
    }
    EXPECT_EQ(test::read_text(dir + "/train_" + scheme + "/layers.csv"), test::read_text(dir + "/run_" + scheme + "/layers.csv"));
    // training.csv: a header and one row per step; accuracy where measured.
    const std::string csv = test::read_text(dir + "/train_" + scheme + "/training.csv");
    EXPECT_EQ(csv.substr(0, csv.find('\n')), "step,loss,test_accuracy");
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 4);
  }
}

TEST(Cli, TrainRejectsBadArguments) {
  EXPECT_EQ(run_cli({"train", "--chip", "edge_eoq", "--scheme", "eoq", "--steps", "0"}).code, 2);
  EXPECT_EQ(run_cli({"train", "--chip", "edge_eoq", "--scheme", "eoq", "--network", "resnet20", "--steps", "1"}).code, 2);
  EXPECT_EQ(run_cli({"train", "--chip", "edge_eoq", "--scheme", "eoq", "--lr", "-1"}).code, 2);
  auto r = run_cli({"train", "--chip", "edge_eoq", "--scheme", "eoq", "--dataset", "/nonexistent/digits.txt"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("digits.txt"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace eoqsim
