// PE-array tile timing against hand-worked closed forms.
#include <gtest/gtest.h>

#include "models/pe_array/pe_array.h"
#include "models/pe_array/timing.h"
#include "sim/engine/chip.h"
#include "sim/engine/kernel.h"
#include "tests/helpers.h"

namespace eoqsim {
namespace {

TEST(PeArrayTiming, SingleFoldHandWorked) {
  // 4x4 array, a tile that fits one fold: load 4 weight rows, stream 10 rows, drain 4+4-2.
  TileTiming t = ws_tile_timing(4, 4, 10, 4, 4);
  EXPECT_EQ(t.folds, 1u);
  EXPECT_EQ(t.occupancy, 4u + 10u);
  EXPECT_EQ(t.latency, 4u + 10u + 6u);
  EXPECT_EQ(t.fill_drain, 4u + 6u);
  EXPECT_EQ(t.weight_stall, 0u);
}

TEST(PeArrayTiming, FoldsPipelineBehindTheStream) {
  // K=10 on 4 rows -> 3 row folds; N=6 on 4 cols -> 2 col folds: 6 folds of 20 streamed rows.
  TileTiming t = ws_tile_timing(4, 4, 20, 10, 6);
  EXPECT_EQ(t.folds, 6u);
  EXPECT_EQ(t.occupancy, 4u + 5u * 20u + 20u);
  EXPECT_EQ(t.latency, t.occupancy + 6u);
  EXPECT_EQ(t.weight_stall, 0u);
}

TEST(PeArrayTiming, ShortStreamsWaitOnWeightLoads) {
  // mt=2 < R=8: each fold lasts max(mt,R)=8 cycles, of which 6 wait on the next weights.
  TileTiming t = ws_tile_timing(8, 8, 2, 16, 16);
  EXPECT_EQ(t.folds, 4u);
  EXPECT_EQ(t.occupancy, 8u + 3u * 8u + 2u);
  EXPECT_EQ(t.weight_stall, 3u * 6u);
}

TEST(PeArrayTiming, NonSquareAndDegenerateArrays) {
  TileTiming row = ws_tile_timing(1, 16, 5, 3, 16);  // 1 x 16
  EXPECT_EQ(row.folds, 3u);
  EXPECT_EQ(row.occupancy, 1u + 2u * 5u + 5u);
  EXPECT_EQ(row.latency, row.occupancy + 15u);
  TileTiming col = ws_tile_timing(16, 1, 7, 16, 3);  // 16 x 1
  EXPECT_EQ(col.folds, 3u);
  EXPECT_EQ(col.occupancy, 16u + 2u * 16u + 7u);
  EXPECT_EQ(col.latency, col.occupancy + 15u);
}

TEST(PeArrayTiming, UnitModelUsesTheClosedForm) {
  fresh_kernel();
  ChipConfig cfg = load_chip("edge_eoq", {"pe_array.rows=8", "pe_array.cols=4"});
  Stats stats(1);
  EnergyModel energy(cfg.tech);
  Chip chip(cfg, stats, energy);
  for (auto [m, k, n] : {std::tuple<int64_t, int64_t, int64_t>{1, 1, 1}, {100, 64, 64}, {3, 9, 5}, {8, 8, 4}}) {
    const TileTiming a = chip.pe_array().timing(m, k, n), b = ws_tile_timing(8, 4, m, k, n);
    EXPECT_EQ(a.occupancy, b.occupancy);
    EXPECT_EQ(a.latency, b.latency);
    const ArrayAccesses acc = chip.pe_array().accesses(m, k, n);
    EXPECT_EQ(acc.b_reads, static_cast<uint64_t>(k * n));  // each weight loaded once
    EXPECT_EQ(acc.psum_writes, static_cast<uint64_t>(m * n * ((k + 7) / 8)));
  }
}

}  // namespace
}  // namespace eoqsim
