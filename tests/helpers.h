// Shared test helpers: run the CLI in-process, simulate a built-in setup, find layer rows.
#pragma once
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "sim/cli/cli.h"
#include "sim/config/chip_config.h"
#include "sim/engine/simulator.h"
#include "sim/report/summary.h"
#include "workloads/lower.h"
#include "workloads/network.h"

namespace eoqsim::test {

struct CliResult {
  int code;
  std::string out, err;
};

inline CliResult run_cli(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  int code = cli_main(args, out, err);
  return {code, out.str(), err.str()};
}

inline std::string temp_dir(const std::string& name) {
  auto d = std::filesystem::temp_directory_path() / ("eoqsim_test_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d.string();
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline std::string source_path(const std::string& rel) { return std::string(EOQSIM_SOURCE_DIR) + "/" + rel; }

inline Trace lowered(const std::string& network, const std::string& scheme, int64_t batch, Mode mode = Mode::Train) {
  const Scheme s = load_scheme(scheme);
  return lower(load_network(network, s, nullptr), s, batch, mode);
}

struct Sim {
  RunResult result;
  Summary summary;
};

inline Sim simulate_builtin(const std::string& chip, const std::string& scheme, const std::string& network,
                            int64_t batch, const std::vector<std::string>& sets = {}, Mode mode = Mode::Train) {
  Sim s;
  s.result = simulate(load_chip(chip, sets), lowered(network, scheme, batch, mode));
  s.summary = summarize(s.result);
  return s;
}

inline const LayerRow* row(const Sim& s, const std::string& layer, Phase phase) {
  for (const auto& r : s.summary.rows)
    if (s.result.trace.layers[r.layer].name == layer && r.phase == phase) return &r;
  return nullptr;
}

inline int64_t count_event(const Sim& s, const std::string& name) {
  int64_t n = 0;
  const auto& defs = s.result.stats.defs();
  for (size_t e = 0; e < defs.size(); ++e)
    if (defs[e].name == name) n += static_cast<int64_t>(s.summary.event_count[e]);
  return n;
}

}  // namespace eoqsim::test
