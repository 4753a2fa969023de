// Simulator speed: wall time and peak memory of whole training steps in the default mode.
// Prints figures; it is not a test. Usage: build/eoqsim_bench [repeats]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <systemc>

#include "models/pe_array/stepper.h"
#include "sim/config/chip_config.h"
#include "sim/engine/simulator.h"
#include "sim/report/summary.h"
#include "workloads/lower.h"
#include "workloads/network.h"

using namespace eoqsim;

static double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

int sc_main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  struct Case {
    const char* network;
    int64_t batch;
    const char* scheme;
    const char* chip;
    std::vector<std::string> sets;
  };
  // The banked rows show what the row-buffer model costs over the simple one (issue 4's budget:
  // at most a fifth more time).
  const std::vector<Case> cases = {{"resnet50", 32, "eoq", "edge_eoq", {}},
                                   {"resnet50", 32, "eoq", "edge_eoq", {"dram.impl=banked"}},
                                   {"resnet50", 32, "fp32_bn", "edge_bn_fp32", {}},
                                   {"resnet50", 32, "fp32_bn", "edge_bn_fp32", {"dram.impl=banked"}},
                                   {"resnet18", 32, "eoq", "edge_eoq", {}},
                                   {"resnet18", 32, "fp32_bn", "edge_bn_fp32", {}}};
  std::printf("%-9s %5s %-8s %-13s %-7s %12s %12s %10s %14s %10s\n", "network", "batch", "scheme", "chip", "dram",
              "lower_s", "simulate_s", "tiles", "sim_cycles", "cycles/s");
  for (const Case& c : cases) {
    double best_lower = 1e9, best_sim = 1e9;
    uint64_t cycles = 0, tiles = 0;
    for (int i = 0; i < repeats; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      const Scheme s = load_scheme(c.scheme);
      const Trace t = lower(load_network(c.network, s, nullptr), s, c.batch, Mode::Train);
      const auto t1 = std::chrono::steady_clock::now();
      const RunResult r = simulate(load_chip(c.chip, c.sets), t);
      const Summary sum = summarize(r);
      const auto t2 = std::chrono::steady_clock::now();
      best_lower = std::min(best_lower, std::chrono::duration<double>(t1 - t0).count());
      best_sim = std::min(best_sim, std::chrono::duration<double>(t2 - t1).count());
      cycles = sum.total.cycles;
      tiles = r.tiles;
    }
    std::printf("%-9s %5lld %-8s %-13s %-7s %12.4f %12.4f %10llu %14llu %10.3g\n", c.network,
                static_cast<long long>(c.batch), c.scheme, c.chip, c.sets.empty() ? "simple" : "banked", best_lower, best_sim, static_cast<unsigned long long>(tiles),
                static_cast<unsigned long long>(cycles), static_cast<double>(cycles) / best_sim);
  }
  // The cycle-stepped array: PE-cycles stepped per second on one core.
  std::printf("\ncycle-stepped PE array (systolic_detailed), 32x32, tiles 256x288x64:\n");
  for (Dataflow df : {Dataflow::WS, Dataflow::OS, Dataflow::IS}) {
    ArrayStepper stepper(df, 32, 32);
    double best = 0;
    for (int i = 0; i < repeats; ++i) {
      const uint64_t before = stepper.pe_cycles();
      const auto t0 = std::chrono::steady_clock::now();
      for (int rep = 0; rep < 4; ++rep) stepper.run(256, 288, 64, nullptr, nullptr, nullptr);
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      best = std::max(best, static_cast<double>(stepper.pe_cycles() - before) / secs);
    }
    std::printf("  %s: %.3g PE-cycles/s\n", dataflow_name(df), best);
  }
  // The tile model: layers (layer-phase rows) simulated per second.
  {
    double best = 1e9;
    size_t rows = 0;
    for (int i = 0; i < repeats; ++i) {
      const Scheme s = load_scheme("eoq");
      const Trace t = lower(load_network("resnet50", s, nullptr), s, 32, Mode::Train);
      const auto t0 = std::chrono::steady_clock::now();
      const RunResult r = simulate(load_chip("edge_eoq"), t);
      const Summary sum = summarize(r);
      best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      rows = sum.rows.size();
    }
    std::printf("\ntile model (systolic): %zu layer-phase rows of a ResNet-50 training step in %.4f s = %.0f layers/s\n",
                rows, best, static_cast<double>(rows) / best);
  }
  std::printf("peak memory (max RSS of this process): %.1f MB\n", peak_rss_mb());
  return 0;
}

int main(int argc, char** argv) {
  setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 1);
  return sc_core::sc_elab_and_sim(argc, argv);
}
