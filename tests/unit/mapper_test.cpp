// GEMM mapping: fits the buffers, and its traffic model agrees with hand counts.
#include <gtest/gtest.h>

#include "sim/plan/mapper.h"

namespace eoqsim {
namespace {

std::vector<BufferCaps> one_buffer(uint64_t capacity) {
  BufferCaps b;
  b.name = "glb";
  b.capacity = capacity;
  b.holds = {true, true, true};
  return {b};
}

GemmProblem problem(int64_t m, int64_t k, int64_t n) {
  GemmProblem p;
  p.m = m;
  p.k = k;
  p.n = n;
  p.a_bytes = static_cast<double>(m * k);
  p.b_bytes = static_cast<double>(k * n);
  p.c_bytes = static_cast<double>(m * n);
  p.psum_bytes_per_elem = 4;
  return p;
}

TEST(Mapper, EverythingFitsMeansCompulsoryTraffic) {
  GemmProblem p = problem(64, 64, 64);
  Mapping m = map_gemm(p, one_buffer(1 << 20), "t");
  EXPECT_EQ(m.tiles, 1u);
  EXPECT_DOUBLE_EQ(m.dram_bytes, p.a_bytes + p.b_bytes + p.c_bytes);
}

TEST(Mapper, TilesFitHalfTheBufferWhenDoubleBuffered) {
  for (uint64_t cap : {4096u, 16384u, 65536u}) {
    GemmProblem p = problem(1000, 300, 200);
    Mapping m = map_gemm(p, one_buffer(cap), "t");
    const double use = m.mt * m.kt + m.kt * m.nt + m.mt * m.nt * 4.0;
    EXPECT_LE(use, cap / 2.0) << cap;
    EXPECT_GE(m.dram_bytes, p.a_bytes + p.b_bytes + p.c_bytes);
  }
}

TEST(Mapper, LoopOrderTrafficHandCount) {
  // M=N=K=100 tiled 50: order m,n,k. A (m,k) changes every tile: 8 loads of a quarter of A = 2A.
  // B (k,n) changes every tile: 2B. C (m,n) runs = 4, distinct = 4: no spill.
  GemmProblem p = problem(100, 100, 100);
  Mapping m;
  m.mt = m.nt = m.kt = 50;
  m.order = {'m', 'n', 'k'};
  evaluate(p, m);
  EXPECT_DOUBLE_EQ(m.a_traffic, 2 * p.a_bytes);
  EXPECT_DOUBLE_EQ(m.b_traffic, 2 * p.b_bytes);
  EXPECT_DOUBLE_EQ(m.psum_traffic, 0);
  // Order k,m,n: C revisited per k -> 8 runs over 4 tiles: 4 spills of a quarter of the psums.
  m.order = {'k', 'm', 'n'};
  evaluate(p, m);
  EXPECT_DOUBLE_EQ(m.psum_traffic, 100.0 * 100 * 4 * 2);  // written and read back once
  EXPECT_DOUBLE_EQ(m.a_traffic, p.a_bytes);                // A read once
}

TEST(Mapper, HaloGrowsWithThinTiles) {
  GemmProblem p = problem(56 * 56, 9 * 64, 64);
  p.a_spatial = 'm';
  p.row_len = 56;
  p.rows_per_image = 56;
  p.kernel = 3;
  p.stride = 1;
  EXPECT_DOUBLE_EQ(halo_factor(p, 56 * 56), 1.0);            // whole image
  EXPECT_DOUBLE_EQ(halo_factor(p, 56), 3.0);                 // one output row needs three input rows
  EXPECT_DOUBLE_EQ(halo_factor(p, 56 * 8), (7.0 + 3) / 8);   // eight rows need ten
}

TEST(Mapper, NoTilingFitsIsAnError) {
  GemmProblem p = problem(10, 10, 10);
  p.epilogue_bytes_per_out = 1e6;  // cannot fit even one output element
  EXPECT_THROW(map_gemm(p, one_buffer(4096), "tiny"), std::exception);
}

}  // namespace
}  // namespace eoqsim
