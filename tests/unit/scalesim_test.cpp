// SCALE-Sim compatibility: topology CSVs read as SCALE-Sim reads them, and its compute cycles.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "models/pe_array/timing.h"
#include "sim/common/error.h"
#include "tests/helpers.h"
#include "workloads/scalesim_csv.h"

namespace eoqsim {
namespace {

TEST(ScaleSimCsv, ConvRowsLikeScaleSim) {
  const Graph g = parse_scalesim_csv(
      "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
      "Conv1, 224, 224, 7, 7, 3, 64, 2,\n"
      "\n"
      "  Conv2, 56, 56, 3, 3, 64, 64, 1,#a comment after the last comma\n"
      "Rect, 30, 40, 3, 5, 8, 16, 2, 3,\n",
      "t.csv");
  ASSERT_EQ(g.layers.size(), 3u);
  EXPECT_EQ(g.layers[0].name, "Conv1");
  // ceil((224 - 7 + 2) / 2) = 110, no padding.
  EXPECT_EQ(g.layers[0].out.h, 110);
  EXPECT_EQ(g.layers[0].out.w, 110);
  EXPECT_EQ(g.layers[1].out.h, 54);
  EXPECT_EQ(g.layers[1].in.c, 64);
  // Two strides: height 2, width 3. ceil((30-3+2)/2) = 15, ceil((40-5+3)/3) = 13.
  EXPECT_EQ(g.layers[2].out.h, 15);
  EXPECT_EQ(g.layers[2].out.w, 13);
  EXPECT_TRUE(g.independent);
}

TEST(ScaleSimCsv, DepthwiseRowsSplitPerChannel) {
  const Graph g = parse_scalesim_csv(
      "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
      "Conv_DP1, 16, 16, 3, 3, 4, 1, 1,\n",
      "dw.csv");
  ASSERT_EQ(g.layers.size(), 4u);
  EXPECT_EQ(g.layers[3].name, "Conv_DP1Channel_3");
  EXPECT_EQ(g.layers[3].in.c, 1);
  EXPECT_EQ(g.layers[3].out_channels, 1);
}

TEST(ScaleSimCsv, GemmRows) {
  const Graph g = parse_scalesim_csv("Layer Name, M, N, K,\nTest 1, 256, 128, 64,\n", "g.csv");
  ASSERT_EQ(g.layers.size(), 1u);
  EXPECT_EQ(g.layers[0].type, LayerType::Fc);
  EXPECT_EQ(g.layers[0].forward_macs_per_sample(), 256 * 128 * 64);
}

TEST(ScaleSimCsv, RowsScaleSimCannotReadAreErrors) {
  const std::string h = "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n";
  auto fails = [&](const std::string& body, const std::string& expect) {
    try {
      parse_scalesim_csv(h + body, "bad.csv");
      ADD_FAILURE() << "accepted " << body;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(expect), std::string::npos) << e.what();
    }
  };
  fails("C, 8, 8, 3, 3, 4, 4, 1\n", "does the row end with a comma");  // stride dropped
  fails("C, 8, 8, 9, 3, 4, 4, 1,\n", "larger than the ifmap height");
  fails("C, 8, x, 3, 3, 4, 4, 1,\n", "IFMAP Width");
  fails(", 8, 8, 3, 3, 4, 4, 1,\n", "empty layer name");
  try {
    parse_scalesim_csv("name, height, width,\n", "h.csv");
    ADD_FAILURE();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("line 1"), std::string::npos);
  }
}

// The stable interface of issue 3: one layers.csv row per topology row, in order, whose
// compute_cycles are SCALE-Sim's for every dataflow.
TEST(ScaleSimCompat, LayersCsvMatchesScaleSimComputeCycles) {
  const std::string dir = test::temp_dir("scalesim_iface");
  const std::string topo = dir + "/topo.csv";
  std::ofstream(topo) << "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
                         "Conv1, 224, 224, 7, 7, 3, 64, 2,\n"
                         "CB2a_2, 56, 56, 3, 3, 64, 64, 1,\n"
                         "Small, 9, 9, 3, 3, 5, 7, 2,\n"
                         "FC, 1, 1, 1, 1, 512, 1000, 1,\n";
  struct Row {
    int64_t M, K, N;
  };
  const std::vector<Row> rows = {{110 * 110, 147, 64}, {54 * 54, 576, 64}, {4 * 4, 45, 7}, {1, 512, 1000}};
  const std::vector<std::string> names = {"Conv1", "CB2a_2", "Small", "FC"};
  for (const char* df : {"os", "ws", "is"})
    for (auto [R, C] : {std::pair<int, int>{32, 32}, {8, 16}}) {
      const std::string out = dir + "/" + df + std::to_string(R);
      auto r = test::run_cli({"run", "--chip", "edge_eoq", "--scheme", "eoq", "--batch", "1", "--network", topo, "--phases",
                              "fwd", "--set", "pe_array.timing=scalesim", "--set", std::string("pe_array.dataflow=") + df,
                              "--set", "pe_array.rows=" + std::to_string(R), "--set", "pe_array.cols=" + std::to_string(C),
                              "--out", out});
      ASSERT_EQ(r.code, 0) << r.err;
      std::ifstream csv(out + "/layers.csv");
      std::string line;
      std::getline(csv, line);
      std::vector<std::string> header;
      std::stringstream hs(line);
      for (std::string f; std::getline(hs, f, ',');) header.push_back(f);
      const size_t ci = std::find(header.begin(), header.end(), "compute_cycles") - header.begin();
      const size_t cy = std::find(header.begin(), header.end(), "cycles") - header.begin();
      ASSERT_LT(ci, header.size());
      for (size_t i = 0; i < rows.size(); ++i) {
        ASSERT_TRUE(std::getline(csv, line)) << "missing row " << i;
        std::vector<std::string> f;
        std::stringstream ls(line);
        for (std::string x; std::getline(ls, x, ',');) f.push_back(x);
        EXPECT_EQ(f[0], names[i]);
        EXPECT_EQ(f[2], "fwd");
        EXPECT_EQ(std::stoull(f[ci]),
                  scalesim_cycles(parse_dataflow(df), R, C, rows[i].M, rows[i].K, rows[i].N))
            << df << " " << R << "x" << C << " " << names[i];
        EXPECT_GE(std::stoull(f[cy]), 1u);
      }
      EXPECT_FALSE(std::getline(csv, line) && !line.empty()) << "extra rows";
    }
}

TEST(ScaleSimCompat, ComputeCyclesDoNotDependOnBuffers) {
  const std::string dir = test::temp_dir("scalesim_buf");
  std::ofstream(dir + "/t.csv") << "Layer name, M, N, K,\nG, 300, 200, 500,\n";
  uint64_t first = 0;
  for (const char* cap : {"16 KiB", "64 KiB", "1 MiB"}) {
    const test::Sim s = [&] {
      const Scheme sch = load_scheme("eoq");
      test::Sim out;
      out.result = simulate(load_chip("edge_eoq", {"pe_array.timing=scalesim", std::string("buffers.glb.capacity=") + cap}),
                            lower(load_network(dir + "/t.csv", sch, nullptr), sch, 1, Mode::Infer));
      out.summary = summarize(out.result);
      return out;
    }();
    if (!first) first = s.summary.total.compute_cycles;
    EXPECT_EQ(s.summary.total.compute_cycles, first) << cap;
    EXPECT_EQ(first, scalesim_cycles(Dataflow::WS, 32, 32, 300, 500, 200));
  }
}

}  // namespace
}  // namespace eoqsim
