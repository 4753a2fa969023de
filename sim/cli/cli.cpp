#include "sim/cli/cli.h"

#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <set>
#include <sstream>

#include <unistd.h>

#include "models/spec/unit_spec.h"
#include "sim/common/error.h"
#include "sim/common/io.h"
#include "sim/config/chip_config.h"
#include "sim/config/tech_loader.h"
#include "sim/engine/simulator.h"
#include "sim/report/report.h"
#include "models/functional/quantizers.h"
#include "sim/sweep/runner.h"
#include "sim/train/trainer.h"
#include "workloads/lower.h"
#include "workloads/network.h"
#include "workloads/serialize.h"
#include "workloads/zoo.h"

namespace po = boost::program_options;

namespace eoqsim {

namespace {

const char* kUsage =
    "usage: eoqsim COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  run        simulate one training (or inference) step of a network on a chip\n"
    "  compare    run scheme:chip pairs on networks and batch sizes and print ratios to the first pair\n"
    "  trace      lower a network under a scheme into a trace file\n"
    "  network    write a network (built-in, ONNX, CSV) as network JSON\n"
    "  train      train a small network on the 8x8 digits with the chip's units computing values\n"
    "  quantize   apply one of the scheme quantizers to a JSON array of numbers\n"
    "  sweep      run a design-space sweep from a JSON spec (parallel, resumable, shardable)\n"
    "  sweep-merge  combine the shard directories of a sweep\n"
    "  list       built-in networks, schemes, chips and unit implementations with parameters\n"
    "  validate   check a chip, scheme, network, trace, technology or sweep file\n"
    "\n"
    "eoqsim COMMAND --help shows the command's options.\n";

std::vector<Phase> parse_phases(const std::string& s) {
  std::vector<Phase> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    try {
      Phase p = parse_phase(item);
      if (std::find(out.begin(), out.end(), p) != out.end())
        throw InputError("", "--phases", "phase \"" + item + "\" given twice");
      out.push_back(p);
    } catch (const std::invalid_argument& e) {
      throw InputError("", "--phases", e.what());
    }
  }
  if (out.empty()) throw InputError("", "--phases", "expected a comma-separated list of fwd, bwd_e, bwd_w, upd");
  return out;
}

Mode parse_mode(const std::string& s) {
  if (s == "train") return Mode::Train;
  if (s == "infer") return Mode::Infer;
  throw InputError("", "--mode", "expected train or infer, found \"" + s + "\"");
}

po::variables_map parse(const po::options_description& desc, const std::vector<std::string>& args,
                        const po::positional_options_description* positional = nullptr) {
  po::variables_map vm;
  try {
    po::command_line_parser p(args);
    p.options(desc);
    if (positional) p.positional(*positional);
    po::store(p.run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw InputError("", "command line", e.what());
  }
  return vm;
}

struct Workload {
  Trace trace;
  ordered_json scheme_resolved;
};

Workload make_workload(const po::variables_map& vm, bool allow_trace) {
  Workload w;
  if (allow_trace && vm.count("trace")) {
    for (const char* k : {"scheme", "network", "batch", "mode"})
      if (vm.count(k) && !vm[k].defaulted())
        throw InputError("", std::string("--") + k, "--trace already fixes network, scheme, batch and mode");
    const std::string f = vm["trace"].as<std::string>();
    w.trace = trace_from_json(load_json_file(f), f);
    w.scheme_resolved = ordered_json{{"name", w.trace.scheme}, {"from_trace", f}};
  } else {
    if (!vm.count("scheme")) throw InputError("", "--scheme", "missing (give --scheme NAME|FILE and --network NAME|FILE" +
                                                                  std::string(allow_trace ? ", or --trace FILE)" : ")"));
    if (!vm.count("network")) throw InputError("", "--network", "missing (a built-in name or a network JSON file)");
    const Scheme scheme = load_scheme(vm["scheme"].as<std::string>());
    w.trace = lower_workload(vm["network"].as<std::string>(), scheme, vm["batch"].as<int64_t>(),
                             parse_mode(vm["mode"].as<std::string>()));
    w.scheme_resolved = scheme.resolved;
  }
  if (vm.count("phases")) w.trace = w.trace.filtered(parse_phases(vm["phases"].as<std::string>()));
  return w;
}

int cmd_run(const std::vector<std::string>& args, std::ostream& out) {
  po::options_description d(
      "eoqsim run --chip CHIP (--scheme S --network N | --trace FILE) [options]\n"
      "Simulates one step and writes DIR/report.json, DIR/layers.csv and DIR/config.resolved.json");
  d.add_options()("help,h", "show this help")("chip", po::value<std::string>(), "chip: a built-in name or a JSON file")(
      "scheme", po::value<std::string>(), "training scheme: a built-in name or a JSON file")(
      "network", po::value<std::string>(), "network: a built-in name (name:bn / name:fixup forces a form) or a JSON file")(
      "trace", po::value<std::string>(), "run a trace file instead of --scheme/--network")(
      "batch", po::value<int64_t>()->default_value(1), "batch size")(
      "mode", po::value<std::string>()->default_value("train"), "train (one training step) or infer (forward only)")(
      "phases", po::value<std::string>(), "comma-separated subset of fwd,bwd_e,bwd_w,upd (default: all)")(
      "set", po::value<std::vector<std::string>>()->composing(),
      "override a chip parameter by dotted path, e.g. --set pe_array.rows=16 (repeatable)")(
      "out", po::value<std::string>()->default_value("eoqsim-out"), "output directory")(
      "vcd", po::value<std::string>(),
      "write a VCD waveform of the cycle-stepped PE array (pe_array.impl=systolic_detailed; small runs)")(
      "timeline", po::value<std::string>(),
      "write unit activity per op as Chrome trace-event JSON (open in Perfetto: ui.perfetto.dev)");
  po::variables_map vm = parse(d, args);
  if (vm.count("help")) {
    out << d << "\n";
    return 0;
  }
  if (!vm.count("chip")) throw InputError("", "--chip", "missing (a built-in chip name or a chip JSON file)");
  const std::vector<std::string> sets = vm.count("set") ? vm["set"].as<std::vector<std::string>>() : std::vector<std::string>{};
  const ChipConfig chip = load_chip(vm["chip"].as<std::string>(), sets);
  Workload w = make_workload(vm, true);
  SimOptions opts;
  if (vm.count("vcd")) opts.vcd_path = vm["vcd"].as<std::string>();
  if (vm.count("timeline")) opts.timeline_path = vm["timeline"].as<std::string>();
  RunResult r = simulate(chip, w.trace, opts);
  r.scheme_resolved = w.scheme_resolved;
  const Summary s = summarize(r);
  write_run_outputs(vm["out"].as<std::string>(), r, s);
  if (!opts.vcd_path.empty()) out << "  wrote " << opts.vcd_path << "\n";
  if (!opts.timeline_path.empty()) out << "  wrote " << opts.timeline_path << "\n";
  out << run_summary_text(r, s) << "  wrote " << vm["out"].as<std::string>() << "/{report.json,layers.csv,config.resolved.json}\n";
  return 0;
}

// One (network, batch) group of a comparison: every pair on the same step.
struct PairRun {
  std::string pair, scheme, chip, dir;
  RunResult result;
  Summary summary;
};

// A comma-separated list option ("resnet18,resnet50"); empty items are errors.
std::vector<std::string> split_list(const std::string& s, const std::string& option) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.empty()) throw InputError("", option, "empty item in the list \"" + s + "\"");
    out.push_back(item);
  }
  if (out.empty() || s.back() == ',') throw InputError("", option, "empty item in the list \"" + s + "\"");
  return out;
}

int64_t parse_batch(const std::string& s) {
  size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(s, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != s.size() || v < 1)
    throw InputError("", "--batch", "expected positive integers separated by commas, found \"" + s + "\"");
  return v;
}

int cmd_compare(const std::vector<std::string>& args, std::ostream& out) {
  po::options_description d(
      "eoqsim compare --network N[,N...] [--batch B[,B...]] --pair SCHEME:CHIP --pair SCHEME:CHIP ... [--out DIR]\n"
      "Runs every pair on every network and batch size and prints them side by side with ratios to the first pair");
  d.add_options()("help,h", "show this help")("network", po::value<std::string>(),
                                              "network name(s) or file(s), comma-separated")(
      "batch", po::value<std::string>()->default_value("1"), "batch size(s), comma-separated")(
      "mode", po::value<std::string>()->default_value("train"), "train or infer")(
      "pair", po::value<std::vector<std::string>>()->composing(), "SCHEME:CHIP (repeatable; the first is the baseline)")(
      "set", po::value<std::vector<std::string>>()->composing(), "override a parameter of every pair's chip (repeatable)")(
      "phases", po::value<std::string>(), "comma-separated subset of fwd,bwd_e,bwd_w,upd")(
      "out", po::value<std::string>()->default_value("eoqsim-compare"), "output directory");
  po::variables_map vm = parse(d, args);
  if (vm.count("help")) {
    out << d << "\n";
    return 0;
  }
  if (!vm.count("network")) throw InputError("", "--network", "missing (names or files, comma-separated)");
  if (!vm.count("pair") || vm["pair"].as<std::vector<std::string>>().size() < 2)
    throw InputError("", "--pair", "give at least two --pair SCHEME:CHIP");
  const std::vector<std::string> networks = split_list(vm["network"].as<std::string>(), "--network");
  std::vector<int64_t> batches;
  for (const auto& b : split_list(vm["batch"].as<std::string>(), "--batch")) batches.push_back(parse_batch(b));
  const std::vector<std::string> sets =
      vm.count("set") ? vm["set"].as<std::vector<std::string>>() : std::vector<std::string>{};
  const Mode mode = parse_mode(vm["mode"].as<std::string>());
  // Check every pair, chip and scheme before the first simulation.
  struct Pair {
    std::string text;
    ChipConfig chip;
    Scheme scheme;
  };
  std::vector<Pair> pairs;
  for (const std::string& p : vm["pair"].as<std::vector<std::string>>()) {
    auto colon = p.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == p.size())
      throw InputError("", "--pair " + p, "expected SCHEME:CHIP, e.g. eoq:edge_eoq");
    pairs.push_back({p, load_chip(p.substr(colon + 1), sets), load_scheme(p.substr(0, colon))});
  }
  const std::string dir = vm["out"].as<std::string>();
  const bool grouped = networks.size() > 1 || batches.size() > 1;
  std::vector<std::vector<PairRun>> groups;
  for (const std::string& net : networks)
    for (int64_t batch : batches) {
      std::vector<PairRun> runs;
      for (size_t k = 0; k < pairs.size(); ++k) {
        const Pair& p = pairs[k];
        PairRun pr;
        pr.pair = p.text;
        pr.scheme = p.scheme.name;
        pr.chip = p.chip.name;
        Trace t = lower_workload(net, p.scheme, batch, mode);
        if (vm.count("phases")) t = t.filtered(parse_phases(vm["phases"].as<std::string>()));
        pr.result = simulate(p.chip, t);
        pr.result.scheme_resolved = p.scheme.resolved;
        pr.summary = summarize(pr.result);
        const std::string run_dir = std::to_string(k) + "_" + p.scheme.name + "_" + p.chip.name;
        pr.dir = grouped ? t.network + "_b" + std::to_string(batch) + "/" + run_dir : run_dir;
        write_run_outputs(dir + "/" + pr.dir, pr.result, pr.summary);
        runs.push_back(std::move(pr));
      }
      groups.push_back(std::move(runs));
    }
  // Ratios are baseline / this: how many times faster, or lower in energy, traffic, power, area.
  auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
  auto dram = [](const Summary& s) { return static_cast<double>(s.total.dram_read_bytes + s.total.dram_write_bytes); };
  std::ostringstream csv;
  csv << "network,batch,mode,pair,scheme,chip,cycles,seconds,energy_pj,avg_power_w,peak_power_w,dram_read_bytes,"
         "dram_write_bytes,dram_bytes,area_mm2,speedup_vs_first,energy_ratio_vs_first,dram_ratio_vs_first,"
         "power_ratio_vs_first,area_ratio_vs_first,dir\n";
  ordered_json js;
  js["schema"] = "eoqsim.compare/2";
  js["mode"] = vm["mode"].as<std::string>();
  js["ratios"] = "baseline (first pair of the same network and batch) divided by this pair: > 1 means this pair is "
                 "faster / lower";
  ordered_json all = ordered_json::array(), jgroups = ordered_json::array();
  char line[512];
  for (const auto& runs : groups) {
    const Summary& base = runs.front().summary;
    const Trace& t0 = runs.front().result.trace;
    std::snprintf(line, sizeof line, "%-28s %14s %10s %12s %12s %10s %10s\n", "scheme:chip", "cycles", "speed-up",
                  "DRAM MB", "energy mJ", "power W", "area mm2");
    out << t0.network << ", batch " << t0.batch << ", " << t0.mode << " step; ratios are first pair / this pair\n"
        << line;
    ordered_json grows = ordered_json::array();
    for (const PairRun& pr : runs) {
      const Summary& s = pr.summary;
      const RunResult& r = pr.result;
      const double sp = ratio(static_cast<double>(base.total.cycles), static_cast<double>(s.total.cycles));
      const double er = ratio(base.total.energy_pj, s.total.energy_pj);
      const double dr = ratio(dram(base), dram(s));
      const double pw = ratio(base.avg_power_w, s.avg_power_w);
      const double ar = ratio(base.area_mm2, s.area_mm2);
      csv << csv_field(r.trace.network) << ',' << r.trace.batch << ',' << r.trace.mode << ',' << csv_field(pr.pair) << ','
          << r.trace.scheme << ',' << r.chip_name << ',' << s.total.cycles << ',' << format_number(s.seconds) << ','
          << format_number(s.total.energy_pj) << ',' << format_number(s.avg_power_w) << ','
          << format_number(s.peak_power_w) << ',' << s.total.dram_read_bytes << ',' << s.total.dram_write_bytes << ','
          << format_number(dram(s)) << ',' << format_number(s.area_mm2) << ',' << format_number(sp) << ','
          << format_number(er) << ',' << format_number(dr) << ',' << format_number(pw) << ',' << format_number(ar)
          << ',' << csv_field(pr.dir) << '\n';
      ordered_json row{{"network", r.trace.network},
                       {"batch", r.trace.batch},
                       {"pair", pr.pair},
                       {"scheme", r.trace.scheme},
                       {"chip", r.chip_name},
                       {"dir", pr.dir},
                       {"cycles", s.total.cycles},
                       {"seconds", s.seconds},
                       {"energy_pj", s.total.energy_pj},
                       {"avg_power_w", s.avg_power_w},
                       {"peak_power_w", s.peak_power_w},
                       {"dram_read_bytes", s.total.dram_read_bytes},
                       {"dram_write_bytes", s.total.dram_write_bytes},
                       {"area_mm2", s.area_mm2},
                       {"speedup_vs_first", sp},
                       {"energy_ratio_vs_first", er},
                       {"dram_ratio_vs_first", dr},
                       {"power_ratio_vs_first", pw},
                       {"area_ratio_vs_first", ar}};
      grows.push_back(row);
      all.push_back(row);
      std::snprintf(line, sizeof line, "%-28s %14llu %9.2fx %12.1f %12.3f %10.3f %10.2f\n",
                    (pr.scheme + ":" + r.chip_name).c_str(), static_cast<unsigned long long>(s.total.cycles), sp,
                    dram(s) / 1e6, s.total.energy_pj * 1e-9, s.avg_power_w, s.area_mm2);
      out << line;
    }
    out << "ratios to first (first / this):\n";
    for (size_t i = 1; i < grows.size(); ++i) {
      const auto& row = grows[i];
      std::snprintf(line, sizeof line,
                    "  %-26s speed-up %.2fx, energy %.2fx lower, DRAM traffic %.2fx lower, power %.2fx lower, area "
                    "%.2fx smaller\n",
                    row["pair"].get<std::string>().c_str(), row["speedup_vs_first"].get<double>(),
                    row["energy_ratio_vs_first"].get<double>(), row["dram_ratio_vs_first"].get<double>(),
                    row["power_ratio_vs_first"].get<double>(), row["area_ratio_vs_first"].get<double>());
      out << line;
    }
    jgroups.push_back(ordered_json{{"network", t0.network}, {"batch", t0.batch}, {"runs", grows}});
    if (&runs != &groups.back()) out << "\n";
  }
  js["groups"] = jgroups;
  js["runs"] = all;
  ensure_directory(dir);
  write_file_atomic(dir + "/compare.csv", csv.str());
  write_file_atomic(dir + "/compare.json", js.dump(2) + "\n");
  out << "wrote " << dir << "/compare.{csv,json} and one run directory per " << (grouped ? "network, batch and pair" : "pair")
      << "\n";
  return 0;
}

double option_in_range(const po::variables_map& vm, const char* name, double lo, double hi) {
  const double v = vm[name].as<double>();
  if (!(v >= lo && v <= hi))
    throw InputError("", std::string("--") + name,
                     "expected a value in [" + format_number(lo) + ", " + format_number(hi) + "], found " + format_number(v));
  return v;
}

int cmd_train(const std::vector<std::string>& args, std::ostream& out) {
  po::options_description d(
      "eoqsim train --chip CHIP --scheme S [--network mlp|cnn-small] [--dataset digits] [--steps N] [--batch B]\n"
      "             [--seed S] [--out DIR]\n"
      "Trains on the 8x8 handwritten digits with every unit computing real values at the scheme's and chip's\n"
      "widths; writes DIR/training.csv (step,loss,test_accuracy), DIR/report.json (the step's cycles and\n"
      "energy, and the run's totals under \"training\"), DIR/layers.csv and DIR/config.resolved.json");
  d.add_options()("help,h", "show this help")("chip", po::value<std::string>(), "chip: a built-in name or a JSON file")(
      "scheme", po::value<std::string>(), "training scheme: a built-in name or a JSON file")(
      "network", po::value<std::string>()->default_value("mlp"),
      "mlp or cnn-small (or a network JSON file taking 1x8x8 images to 10 classes)")(
      "dataset", po::value<std::string>()->default_value("digits"), "digits (embedded) or a file in its format")(
      "steps", po::value<int64_t>()->default_value(1000), "training steps (minibatches)")(
      "batch", po::value<int64_t>()->default_value(32), "minibatch size")(
      "seed", po::value<uint64_t>()->default_value(1), "seed of initialization, minibatch order and stochastic rounding")(
      "lr", po::value<double>()->default_value(0.1), "learning rate")(
      "momentum", po::value<double>()->default_value(0.9), "SGD momentum (Adam: beta1 stays 0.9)")(
      "weight-decay", po::value<double>()->default_value(1e-4), "L2 weight decay (where the scheme applies it)")(
      "g-scale", po::value<double>()->default_value(128), "WAGEUBN's constant gradient quantization range")(
      "eval-every", po::value<int64_t>()->default_value(100), "measure test accuracy every this many steps")(
      "dump-parameters", po::bool_switch(), "also write DIR/parameters.json: every parameter and optimizer state after the last step")(
      "set", po::value<std::vector<std::string>>()->composing(), "override a chip parameter (repeatable)")(
      "out", po::value<std::string>()->default_value("eoqsim-train"), "output directory");
  po::variables_map vm = parse(d, args);
  if (vm.count("help")) {
    out << d << "\n";
    return 0;
  }
  if (!vm.count("chip")) throw InputError("", "--chip", "missing (a built-in chip name or a chip JSON file)");
  if (!vm.count("scheme")) throw InputError("", "--scheme", "missing (a built-in scheme name or a scheme JSON file)");
  TrainOptions opt;
  opt.steps = vm["steps"].as<int64_t>();
  if (opt.steps < 1 || opt.steps > 10000000)
    throw InputError("", "--steps", "expected 1..10000000 steps, found " + std::to_string(opt.steps));
  opt.eval_every = vm["eval-every"].as<int64_t>();
  if (opt.eval_every < 1) throw InputError("", "--eval-every", "expected a positive step count, found " + std::to_string(opt.eval_every));
  const int64_t batch = vm["batch"].as<int64_t>();
  if (batch < 1 || batch > 1024) throw InputError("", "--batch", "expected a batch of 1..1024, found " + std::to_string(batch));
  opt.seed = vm["seed"].as<uint64_t>();
  opt.hyper.lr = option_in_range(vm, "lr", 0, 100);
  opt.hyper.momentum = option_in_range(vm, "momentum", 0, 0.999999);
  opt.hyper.weight_decay = option_in_range(vm, "weight-decay", 0, 1);
  opt.hyper.g_scale = option_in_range(vm, "g-scale", 2, 1 << 20);

  const std::vector<std::string> sets = vm.count("set") ? vm["set"].as<std::vector<std::string>>() : std::vector<std::string>{};
  const ChipConfig chip = load_chip(vm["chip"].as<std::string>(), sets);
  opt.accumulator_bits = static_cast<int>(chip.pe_array.params.at("accumulator_bits").get<int64_t>());
  const Dataset data = load_dataset(vm["dataset"].as<std::string>());
  const Scheme scheme = load_scheme(vm["scheme"].as<std::string>());
  const std::string network = vm["network"].as<std::string>();
  const Trace step = lower_workload(network, scheme, batch, Mode::Train);
  const Trace eval = lower_workload(network, scheme, static_cast<int64_t>(data.test_size), Mode::Infer);

  // Timing first: the chip must be able to run the step (and it is the same for every step).
  RunResult r = simulate(chip, step);
  r.scheme_resolved = scheme.resolved;
  const Summary s = summarize(r);
  const RunResult re = simulate(chip, eval);
  const Summary se = summarize(re);

  const auto t0 = std::chrono::steady_clock::now();
  const TrainResult tr = train(step, eval, data, opt);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::string csv = "step,loss,test_accuracy\n";
  for (const TrainPoint& p : tr.curve)
    csv += std::to_string(p.step) + "," + format_number(p.loss) + "," +
           (p.test_accuracy >= 0 ? format_number(p.test_accuracy) : std::string()) + "\n";
  const std::string dir = vm["out"].as<std::string>();
  ensure_directory(dir);
  write_file_atomic(dir + "/training.csv", csv);
  if (vm["dump-parameters"].as<bool>()) {
    ordered_json params = ordered_json::object();
    for (const auto& [name, values] : tr.parameters) params[name] = values;
    write_file_atomic(dir + "/parameters.json", params.dump() + "\n");
  }

  ordered_json j = report_json(r, s);
  // Every step runs the same trace, so the run is steps x the step plus evaluations x the pass.
  const uint64_t run_cycles = static_cast<uint64_t>(opt.steps) * s.total.cycles +
                              static_cast<uint64_t>(tr.evaluations) * se.total.cycles;
  const double run_energy = static_cast<double>(opt.steps) * s.total.energy_pj +
                            static_cast<double>(tr.evaluations) * se.total.energy_pj;
  j["sim"]["train_wall_seconds"] = wall;
  j["training"] = ordered_json{
      {"dataset", data.name},
      {"train_images", data.train_size()},
      {"test_images", data.test_size},
      {"network", step.network},
      {"scheme", scheme.name},
      {"chip", chip.name},
      {"steps", opt.steps},
      {"batch", batch},
      {"seed", opt.seed},
      {"lr", opt.hyper.lr},
      {"momentum", opt.hyper.momentum},
      {"weight_decay", opt.hyper.weight_decay},
      {"g_scale", opt.hyper.g_scale},
      {"bn_momentum", opt.hyper.bn_momentum},
      {"eval_every", opt.eval_every},
      {"evaluations", tr.evaluations},
      {"final_loss", tr.curve.back().loss},
      {"final_test_accuracy", tr.final_accuracy},
      {"accumulator_bits", opt.accumulator_bits},
      {"accumulator_saturations", tr.accumulator_saturations},
      {"storage_saturations", tr.storage_saturations},
      {"per_step", ordered_json{{"cycles", s.total.cycles}, {"energy_j", s.total.energy_pj * 1e-12}}},
      {"per_evaluation", ordered_json{{"batch", data.test_size}, {"cycles", se.total.cycles},
                                      {"energy_j", se.total.energy_pj * 1e-12}}},
      {"run", ordered_json{{"cycles", run_cycles},
                           {"seconds", static_cast<double>(run_cycles) / r.clock_hz},
                           {"energy_j", run_energy * 1e-12}}},
      {"note", "Every step executes the same trace, so its cycles and events do not depend on the values: the run is "
               "steps x the simulated step plus evaluations x the simulated inference pass over the test split. The "
               "totals above this block are one training step's."}};
  write_file_atomic(dir + "/report.json", j.dump(2) + "\n");
  write_file_atomic(dir + "/layers.csv", layers_csv(r, s));
  write_file_atomic(dir + "/config.resolved.json", resolved_config_json(r).dump(2) + "\n");

  char buf[256];
  for (const TrainPoint& p : tr.curve)
    if (p.test_accuracy >= 0) {
      std::snprintf(buf, sizeof buf, "  step %6lld  loss %.4f  test accuracy %.4f\n", static_cast<long long>(p.step), p.loss,
                    p.test_accuracy);
      out << buf;
    }
  std::snprintf(buf, sizeof buf,
                "%s under %s on %s: %lld steps of batch %lld, final test accuracy %.4f; run %.4g s and %.4g mJ on the "
                "chip (%.1f s to simulate)\n",
                step.network.c_str(), scheme.name.c_str(), chip.name.c_str(), static_cast<long long>(opt.steps),
                static_cast<long long>(batch), tr.final_accuracy, static_cast<double>(run_cycles) / r.clock_hz,
                run_energy * 1e-9, wall);
  out << buf << "  wrote " << dir << "/{training.csv,report.json,layers.csv,config.resolved.json}\n";
  return 0;
}

// Applies one quantizer of models/functional/quantizers.h to a JSON array of numbers: the same
// functions the quantization unit runs in `eoqsim train`, exposed so that a reference
// implementation (analysis/functional_reference.py) can be checked against them bit for bit.
int cmd_quantize(const std::vector<std::string>& args, std::ostream& out) {
  po::options_description d(
      "eoqsim quantize --quantizer Q --bits K --in FILE [--seed S] [--scale R] [--g-scale G] [--out FILE]\n"
      "Applies a quantizer to a JSON array of numbers and writes {\"values\", \"lsb\", \"scale\"} (stdout by default).\n"
      "Quantizers: direct, clip, sr, shift, flag, constant_sr (papers.md 1.2-1.5).");
  d.add_options()("help,h", "show this help")("quantizer", po::value<std::string>(), "direct|clip|sr|shift|flag|constant_sr")(
      "bits", po::value<int>(), "k (2..32)")("in", po::value<std::string>(), "JSON array of numbers")(
      "seed", po::value<uint64_t>()->default_value(1), "seed of the stochastic-rounding generator")(
      "scale", po::value<double>()->default_value(0), "power-of-two scale R (0: from the tensor's max)")(
      "g-scale", po::value<double>()->default_value(128), "constant_sr's range")(
      "out", po::value<std::string>(), "output file (default: stdout)");
  po::variables_map vm = parse(d, args);
  if (vm.count("help")) {
    out << d << "\n";
    return 0;
  }
  for (const char* k : {"quantizer", "bits", "in"})
    if (!vm.count(k)) throw InputError("", std::string("--") + k, "missing");
  const int k = vm["bits"].as<int>();
  if (k < 2 || k > 32) throw InputError("", "--bits", "expected 2..32, found " + std::to_string(k));
  const std::string file = vm["in"].as<std::string>();
  const json j = load_json_file(file);
  if (!j.is_array()) throw InputError(file, "", "expected a JSON array of numbers");
  std::vector<double> x;
  for (size_t i = 0; i < j.size(); ++i) {
    if (!j[i].is_number()) throw InputError(file, "[" + std::to_string(i) + "]", "expected a number");
    x.push_back(j[i].get<double>());
  }
  const double scale = vm["scale"].as<double>(), g_scale = vm["g-scale"].as<double>();
  functional::Rng rng(vm["seed"].as<uint64_t>());
  const std::string q = vm["quantizer"].as<std::string>();
  functional::Quantized r;
  if (q == "direct") r = functional::quantize_direct(x, k);
  else if (q == "clip") r = functional::quantize_clip(x, k);
  else if (q == "sr") r = functional::quantize_sr(x, k, rng);
  else if (q == "shift") r = functional::quantize_shift(x, k, scale);
  else if (q == "flag") r = functional::quantize_flag(x, k, scale);
  else if (q == "constant_sr") r = functional::quantize_constant_sr(x, k, rng, g_scale, scale);
  else throw InputError("", "--quantizer", "expected direct, clip, sr, shift, flag or constant_sr, found \"" + q + "\"");
  const std::string text = ordered_json{{"values", r.values}, {"lsb", r.lsb}, {"scale", r.scale}}.dump() + "\n";
  if (vm.count("out")) write_file_atomic(vm["out"].as<std::string>(), text);
  else out << text;
  return 0;
}

int cmd_network(const std::vector<std::string>& args, std::ostream& out) {
  po::options_description d(
      "eoqsim network --network N [--scheme S] -o FILE\n"
      "Writes a network as network JSON: a built-in (name:bn / name:fixup picks the form; otherwise the form --scheme\n"
      "uses), an ONNX model or a SCALE-Sim topology, as eoqsim reads it (a starting point for your own networks)");
  d.add_options()("help,h", "show this help")("network", po::value<std::string>(), "network name or file")(
      "scheme", po::value<std::string>()->default_value("fp32_bn"),
      "scheme whose form a built-in takes (and which converts BN to Fixup when it has no BN)")(
      "output,o", po::value<std::string>(), "network JSON file to write");
  po::variables_map vm = parse(d, args);
  if (vm.count("help")) {
    out << d << "\n";
    return 0;
  }
  if (!vm.count("network")) throw InputError("", "--network", "missing (a built-in name or a file)");
  if (!vm.count("output")) throw InputError("", "-o", "missing output file");
  const Scheme scheme = load_scheme(vm["scheme"].as<std::string>());
  const Graph g = load_network(vm["network"].as<std::string>(), scheme, nullptr);
  write_file_atomic(vm["output"].as<std::string>(), network_to_json(g).dump(1) + "\n");
  out << "wrote " << g.layers.size() << " layers of " << g.name << " (" << g.form << " form) to "
      << vm["output"].as<std::string>() << "\n";
  return 0;
}

int cmd_sweep(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  po::options_description d(
      "eoqsim sweep SPEC [--jobs N] [--out DIR] [--shard i/N] [--resume]\n"
      "Runs every point of a sweep spec (configs/sweeps/README.md) in its own process and writes DIR/results.csv");
  d.add_options()("help,h", "show this help")("spec", po::value<std::string>(), "sweep spec (JSON)")(
      "jobs,j", po::value<int>()->default_value(1), "points simulated at once")(
      "out", po::value<std::string>()->default_value("eoqsim-sweep"), "output directory")(
      "shard", po::value<std::string>(), "i/N: run only the points whose id % N == i (0-based)")(
      "resume", po::bool_switch(), "continue the sweep in DIR, skipping the points its journal holds");
  po::positional_options_description pos;
  pos.add("spec", 1);
  po::variables_map vm = parse(d, args, &pos);
  if (vm.count("help")) {
    out << d << "\n";
    return 0;
  }
  if (!vm.count("spec")) throw InputError("", "SPEC", "missing (a sweep JSON file, e.g. configs/sweeps/quick.json)");
  SweepOptions o;
  o.jobs = vm["jobs"].as<int>();
  o.out = vm["out"].as<std::string>();
  o.resume = vm["resume"].as<bool>();
  o.progress = ::isatty(2) != 0;
  if (vm.count("shard")) {
    const std::string s = vm["shard"].as<std::string>();
    const size_t slash = s.find('/');
    try {
      size_t a = 0, b = 0;
      if (slash == std::string::npos) throw std::invalid_argument("no slash");
      o.shard = std::stoll(s.substr(0, slash), &a);
      o.shards = std::stoll(s.substr(slash + 1), &b);
      if (a != slash || b != s.size() - slash - 1) throw std::invalid_argument("trailing characters");
    } catch (const std::exception&) {
      throw InputError("", "--shard", "expected i/N (e.g. 0/4), found \"" + s + "\"");
    }
  }
  const SweepSpec spec = load_sweep(vm["spec"].as<std::string>());
  // Failed points are results too (status and error in results.csv): the sweep itself succeeded.
  run_sweep(spec, o, out, err);
  return 0;
}

int cmd_sweep_merge(const std::vector<std::string>& args, std::ostream& out) {
  po::options_description d("eoqsim sweep-merge DIR... --out DIR [--complete]\nCombines the shard directories of one sweep");
  d.add_options()("help,h", "show this help")("dirs", po::value<std::vector<std::string>>(), "shard directories")(
      "out", po::value<std::string>(), "merged output directory")(
      "complete", po::bool_switch(), "exit with status 1 when some of the sweep's points are missing");
  po::positional_options_description pos;
  pos.add("dirs", -1);
  po::variables_map vm = parse(d, args, &pos);
  if (vm.count("help")) {
    out << d << "\n";
    return 0;
  }
  if (!vm.count("out")) throw InputError("", "--out", "missing (the merged directory)");
  if (!vm.count("dirs")) throw InputError("", "DIR", "give the shard directories to merge");
  const int64_t missing = merge_sweeps(vm["dirs"].as<std::vector<std::string>>(), vm["out"].as<std::string>(), out);
  return missing > 0 && vm["complete"].as<bool>() ? 1 : 0;
}

int cmd_trace(const std::vector<std::string>& args, std::ostream& out) {
  po::options_description d("eoqsim trace --network N --scheme S [--batch B] [--mode M] -o FILE");
  d.add_options()("help,h", "show this help")("network", po::value<std::string>(), "network name or file")(
      "scheme", po::value<std::string>(), "scheme name or file")("batch", po::value<int64_t>()->default_value(1),
                                                                  "batch size")(
      "mode", po::value<std::string>()->default_value("train"), "train or infer")(
      "phases", po::value<std::string>(), "comma-separated subset of phases")("output,o", po::value<std::string>(),
                                                                              "output trace file");
  po::variables_map vm = parse(d, args);
  if (vm.count("help")) {
    out << d << "\n";
    return 0;
  }
  if (!vm.count("output")) throw InputError("", "-o", "missing output file");
  Workload w = make_workload(vm, false);
  write_file_atomic(vm["output"].as<std::string>(), trace_to_json(w.trace).dump(1) + "\n");
  out << "wrote " << w.trace.ops.size() << " ops over " << w.trace.tensors.size() << " tensors to "
      << vm["output"].as<std::string>() << "\n";
  return 0;
}

int cmd_list(std::ostream& out) {
  out << "networks (built-in; name:bn or name:fixup forces a form):\n";
  for (const auto& n : zoo::names()) out << "  " << n << "\n";
  out << "schemes (configs/schemes):\n";
  for (const auto& n : builtin_scheme_names()) {
    const Scheme s = load_scheme(n);
    out << "  " << n << ": " << s.description << "\n";
  }
  out << "chips (configs/chips):\n";
  for (const auto& n : builtin_chip_names()) out << "  " << n << "\n";
  out << "unit implementations (\"impl\") and their parameters:\n";
  for (const auto& spec : impl_specs()) {
    out << "  " << spec.kind << " \"" << spec.name << "\": " << spec.description << "\n";
    for (const auto& p : impl_params(spec)) {
      out << "      " << p.name << " (" << p.type << (p.constraint.empty() ? "" : ", " + p.constraint) << ")"
          << (p.required ? " required" : " default " + p.default_value.dump()) << ": " << p.description << "\n";
    }
  }
  return 0;
}

int cmd_validate(const std::vector<std::string>& args, std::ostream& out) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    out << "eoqsim validate FILE...\nChecks chip, scheme, network, trace, technology and sweep files (by their \"schema\").\n";
    return args.empty() ? 2 : 0;
  }
  for (const auto& f : args) {
    const json j = load_json_file(f);
    if (!j.is_object() || !j.contains("schema") || !j["schema"].is_string())
      throw InputError(f, "schema", "expected a \"schema\" field naming the file kind (eoqsim.chip/1, eoqsim.scheme/1, "
                                    "eoqsim.network/1, eoqsim.trace/1, eoqsim.tech/1, eoqsim.sweep/1)");
    const std::string schema = j["schema"].get<std::string>();
    std::string what;
    if (schema == "eoqsim.chip/1") {
      what = "chip " + load_chip(f).name;
    } else if (schema == "eoqsim.scheme/1") {
      what = "scheme " + parse_scheme(j, f).name;
    } else if (schema == "eoqsim.network/1") {
      Graph g = network_from_json(j, f);
      what = "network " + g.name + " (" + std::to_string(g.layers.size()) + " layers)";
    } else if (schema == "eoqsim.trace/1") {
      Trace t = trace_from_json(j, f);
      what = "trace of " + t.network + " (" + std::to_string(t.ops.size()) + " ops)";
    } else if (schema == "eoqsim.tech/1") {
      what = "technology table " + parse_tech(j, f).node;
    } else if (schema == "eoqsim.sweep/1") {
      // Expands the sweep and loads every distinct chip, scheme and network it names.
      const SweepSpec sp = load_sweep(f);
      const auto pts = expand_sweep(sp);
      std::set<std::string> chips, schemes, networks;
      int64_t skipped = 0;
      for (const auto& p : pts) {
        if (p.skipped) ++skipped;
        auto str = [&](const char* k) { return p.values[k].is_string() ? p.values[k].get<std::string>() : p.values[k].dump(); };
        std::string key = str("chip");
        for (const auto& st : sweep_sets(sp, p)) key += "\n" + st;
        if (chips.insert(key).second) {
          try {
            load_chip(str("chip"), sweep_sets(sp, p));
          } catch (const InputError& e) {
            throw InputError(f, "point " + std::to_string(p.id), e.what());
          }
        }
        if (schemes.insert(str("scheme")).second) load_scheme(str("scheme"));
        const std::string net = str("network") + "|" + str("scheme");
        if (networks.insert(net).second) load_network(str("network"), load_scheme(str("scheme")), nullptr);
      }
      what = "sweep " + sp.name + " (" + std::to_string(pts.size()) + " points, " + std::to_string(skipped) +
             " skipped by parameter constraints, " + std::to_string(chips.size()) + " distinct chip configs)";
    } else {
      throw InputError(f, "schema", "unknown schema \"" + schema + "\"");
    }
    out << "ok: " << f << ": " << what << "\n";
  }
  return 0;
}

}  // namespace

int cli_main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  try {
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
      (args.empty() ? err : out) << kUsage;
      return args.empty() ? 2 : 0;
    }
    const std::string cmd = args[0];
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (cmd == "run") return cmd_run(rest, out);
    if (cmd == "compare") return cmd_compare(rest, out);
    if (cmd == "trace") return cmd_trace(rest, out);
    if (cmd == "network") return cmd_network(rest, out);
    if (cmd == "train") return cmd_train(rest, out);
    if (cmd == "quantize") return cmd_quantize(rest, out);
    if (cmd == "sweep") return cmd_sweep(rest, out, err);
    if (cmd == "sweep-merge") return cmd_sweep_merge(rest, out);
    if (cmd == "list") return cmd_list(out);
    if (cmd == "validate") return cmd_validate(rest, out);
    err << "eoqsim: error: unknown command \"" << cmd << "\"\n" << kUsage;
    return 2;
  } catch (const InputError& e) {
    err << "eoqsim: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    err << "eoqsim: internal error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace eoqsim
