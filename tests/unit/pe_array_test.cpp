// PE-array timing: hand-worked closed forms, SCALE-Sim's formulas, and the cycle-stepped array
// held equal to the closed forms on random shapes.
#include <gtest/gtest.h>

#include <random>

#include "models/pe_array/pe_array.h"
#include "models/pe_array/stepper.h"
#include "models/pe_array/timing.h"
#include "sim/engine/chip.h"
#include "sim/engine/kernel.h"
#include "tests/helpers.h"

namespace eoqsim {
namespace {

TEST(PeArrayTiming, WeightStationaryHandWorked) {
  // 4x4 array, one fold: row 0's weights are written in cycle 0, inputs stream from cycle 1 for
  // 10 cycles, the last sum leaves R + C - 2 = 6 cycles later.
  TileTiming t = tile_timing(Dataflow::WS, 4, 4, 10, 4, 4);
  EXPECT_EQ(t.folds, 1u);
  EXPECT_EQ(t.occupancy, 11u);
  EXPECT_EQ(t.latency, 17u);
  EXPECT_EQ(t.weight_stall(), 0u);
  EXPECT_EQ(t.fill_drain(), 7u);
  // K=10 on 4 rows -> 3 row folds; N=6 on 4 cols -> 2: 6 folds of 20 rows, weights hidden.
  t = tile_timing(Dataflow::WS, 4, 4, 20, 10, 6);
  EXPECT_EQ(t.folds, 6u);
  EXPECT_EQ(t.occupancy, 1u + 5u * 20u + 20u);
  EXPECT_EQ(t.latency, t.occupancy + 6u);
  // mt=2 < R=8: a fold's 8 weight rows take 8 cycles through the one port, 6 of them idle.
  t = tile_timing(Dataflow::WS, 8, 8, 2, 16, 16);
  EXPECT_EQ(t.folds, 4u);
  EXPECT_EQ(t.occupancy, 1u + 3u * 8u + 2u);
  EXPECT_EQ(t.weight_stall(), 3u * 6u);
}

TEST(PeArrayTiming, OutputStationaryHandWorked) {
  // 8x4 array, one fold, K=3: PE(i,c) finishes at cycle 2+i+c; column c's port reads rows 0..7 at
  // cycles 3+c .. 10+c; the last read (column 3) is cycle 13.
  TileTiming t = tile_timing(Dataflow::OS, 8, 4, 8, 3, 4);
  EXPECT_EQ(t.occupancy, 8u);  // the next fold must wait for column 0's eight reads
  EXPECT_EQ(t.latency, 14u);
  EXPECT_EQ(t.weight_stall(), 5u);
  // 4x4, M=6, N=5 -> 2x2 folds of K=10 (reads hidden behind the 10-cycle streams).
  t = tile_timing(Dataflow::OS, 4, 4, 6, 10, 5);
  EXPECT_EQ(t.folds, 4u);
  EXPECT_EQ(t.occupancy, 40u);
  EXPECT_EQ(t.latency, 3u * 10u + 10u + 4u + 4u - 1u);
}

TEST(PeArrayTiming, InputStationaryIsTransposedWeightStationary) {
  // A's K x M fold in the PEs, N=10 weight columns streaming: 2 folds over M=6 on 4 columns.
  TileTiming t = tile_timing(Dataflow::IS, 4, 4, 6, 4, 10);
  EXPECT_EQ(t.folds, 2u);
  EXPECT_EQ(t.occupancy, 1u + 10u + 10u);
  EXPECT_EQ(t.latency, 27u);
  for (auto [m, k, n] : {std::tuple<int64_t, int64_t, int64_t>{3, 7, 9}, {33, 5, 2}, {1, 1, 1}}) {
    TileTiming is = tile_timing(Dataflow::IS, 5, 3, m, k, n), ws = tile_timing(Dataflow::WS, 5, 3, n, k, m);
    EXPECT_EQ(is.occupancy, ws.occupancy);
    EXPECT_EQ(is.latency, ws.latency);
  }
}

TEST(PeArrayTiming, ScaleSimFormulas) {
  // Worked from SCALE-Sim v2's per-fold demand (systolic_compute_*.py): no overlap between folds.
  EXPECT_EQ(scalesim_cycles(Dataflow::WS, 4, 4, 10, 4, 4), 1u * 1u * (8 + 4 + 10 - 2) - 1);    // 19
  EXPECT_EQ(scalesim_cycles(Dataflow::OS, 4, 4, 6, 10, 5), 2u * 2u * (4 + 4 + 10 - 2) - 1);    // 63
  EXPECT_EQ(scalesim_cycles(Dataflow::IS, 4, 4, 6, 4, 10), 1u * 2u * (8 + 4 + 10 - 2) - 1);    // 39
  // SCALE-Sim's conv row "Conv1, 224, 224, 7, 7, 3, 64, 2," on 32x32 OS: ofmap
  // ceil((224-7+2)/2) = 110, so M = 12100, K = 147, N = 64: 379 x 2 folds of 209 cycles, minus 1.
  EXPECT_EQ(scalesim_cycles(Dataflow::OS, 32, 32, 12100, 147, 64), 379u * 2u * 209u - 1u);
}

TEST(PeArrayAccesses, PerDataflow) {
  ArrayAccesses ws = tile_accesses(Dataflow::WS, 4, 4, 10, 8, 8);  // 2 K folds, 2 N folds
  EXPECT_EQ(ws.b_reads, 64u);
  EXPECT_EQ(ws.a_reads, 10u * 8u * 2u);
  EXPECT_EQ(ws.psum_writes, 10u * 8u * 2u);
  EXPECT_EQ(ws.psum_reads, 10u * 8u);
  ArrayAccesses os = tile_accesses(Dataflow::OS, 4, 4, 8, 10, 8);
  EXPECT_EQ(os.psum_writes, 64u);
  EXPECT_EQ(os.psum_reads, 0u);
  EXPECT_EQ(os.a_reads, 8u * 10u * 2u);
}

// ---- the cycle-stepped array ----------------------------------------------------------------

TEST(ArrayStepper, EqualsTheClosedFormOnThousandsOfRandomShapes) {
  std::mt19937_64 rng(20261122);
  auto pick = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  int checked = 0;
  for (int trial = 0; trial < 1000; ++trial) {
    // Arrays include 1xN and Nx1; tiles smaller than, equal to, and not multiples of the array.
    int64_t R = pick(1, 12), C = pick(1, 12);
    if (trial % 10 == 0) R = 1;
    if (trial % 10 == 1) C = 1;
    auto dim = [&](int64_t unit) {
      switch (pick(0, 3)) {
        case 0: return pick(1, unit);          // smaller than or equal to the array
        case 1: return unit * pick(1, 3);      // a multiple
        default: return pick(1, 40);           // anything
      }
    };
    const int64_t m = dim(R), k = dim(R), n = dim(C);
    for (Dataflow df : {Dataflow::WS, Dataflow::OS, Dataflow::IS}) {
      ArrayStepper s(df, R, C);
      const StepResult got = s.run(m, k, n, nullptr, nullptr, nullptr);
      const TileTiming want = tile_timing(df, R, C, m, k, n);
      ASSERT_EQ(got.occupancy, want.occupancy) << dataflow_name(df) << " " << R << "x" << C << " " << m << "," << k << "," << n;
      ASSERT_EQ(got.latency, want.latency) << dataflow_name(df) << " " << R << "x" << C << " " << m << "," << k << "," << n;
      ASSERT_EQ(got.first_start, want.first_start) << dataflow_name(df);
      ASSERT_EQ(got.stream, want.stream) << dataflow_name(df);
      ASSERT_EQ(got.folds, want.folds) << dataflow_name(df);
      ASSERT_EQ(got.macs, static_cast<uint64_t>(m * k * n)) << dataflow_name(df);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 3000);
}

TEST(ArrayStepper, ComputesRealInt8Products) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int> v(-128, 127);
  for (Dataflow df : {Dataflow::WS, Dataflow::OS, Dataflow::IS}) {
    for (auto [R, C, m, k, n] : {std::tuple<int64_t, int64_t, int64_t, int64_t, int64_t>{4, 4, 9, 11, 6},
                                 {3, 5, 7, 2, 13}, {1, 8, 5, 9, 3}, {8, 1, 4, 17, 5}, {6, 6, 6, 6, 6}}) {
      std::vector<int8_t> a(static_cast<size_t>(m * k)), b(static_cast<size_t>(k * n));
      for (auto& x : a) x = static_cast<int8_t>(v(rng));
      for (auto& x : b) x = static_cast<int8_t>(v(rng));
      std::vector<int32_t> c(static_cast<size_t>(m * n), 0), ref(static_cast<size_t>(m * n), 0);
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j)
          for (int64_t p = 0; p < k; ++p) ref[i * n + j] += int32_t(a[i * k + p]) * int32_t(b[p * n + j]);
      ArrayStepper s(df, R, C);
      s.run(m, k, n, a.data(), b.data(), c.data());
      EXPECT_EQ(c, ref) << dataflow_name(df) << " " << R << "x" << C;
    }
  }
}

TEST(ArrayStepper, WritesAWaveform) {
  VcdTrace vcd;
  ArrayStepper s(Dataflow::WS, 2, 2);
  s.run(3, 2, 2, nullptr, nullptr, nullptr, &vcd, 100);
  const std::string text = vcd.str();
  EXPECT_NE(text.find("$enddefinitions"), std::string::npos);
  EXPECT_NE(text.find("pe_1_1"), std::string::npos);
  EXPECT_NE(text.find("#101"), std::string::npos);  // offset by the tile's start time
  EXPECT_GT(vcd.changes(), 10u);
}

TEST(PeArrayUnit, BothImplementationsAgree) {
  for (const char* df : {"ws", "os", "is"}) {
    fresh_kernel();
    ChipConfig a = load_chip("edge_eoq", {"pe_array.rows=8", "pe_array.cols=4", std::string("pe_array.dataflow=") + df});
    ChipConfig b = load_chip("edge_eoq", {"pe_array.impl=systolic_detailed", "pe_array.precisions=[\"int8\"]",
                                          "pe_array.rows=8", "pe_array.cols=4", std::string("pe_array.dataflow=") + df});
    Stats sa(1), sb(1);
    EnergyModel ea(a.tech), eb(b.tech);
    Chip ca(a, sa, ea), cb(b, sb, eb);
    for (auto [m, k, n] : {std::tuple<int64_t, int64_t, int64_t>{1, 1, 1}, {100, 64, 64}, {3, 9, 5}, {8, 8, 4}}) {
      const TileTiming x = ca.pe_array().timing(m, k, n), y = cb.pe_array().timing(m, k, n);
      EXPECT_EQ(x.occupancy, y.occupancy) << df;
      EXPECT_EQ(x.latency, y.latency) << df;
      EXPECT_EQ(x.weight_stall(), y.weight_stall()) << df;
      EXPECT_EQ(x.fill_drain(), y.fill_drain()) << df;
    }
  }
}

}  // namespace
}  // namespace eoqsim
