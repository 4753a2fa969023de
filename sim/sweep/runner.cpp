#include "sim/sweep/runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <deque>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "sim/common/error.h"
#include "sim/common/io.h"
#include "sim/config/chip_config.h"
#include "sim/engine/simulator.h"
#include "sim/report/report.h"
#include "sim/report/summary.h"
#include "sim/sweep/expr.h"
#include "workloads/network.h"

namespace eoqsim {

namespace {

// The energy categories, in Category order (None excluded).
const char* kCategories[] = {"compute", "sram", "dram", "interconnect", "quant", "norm", "vector", "update", "leakage"};
static_assert(std::size(kCategories) + 1 == static_cast<size_t>(kNumCategories), "one name per energy category");

std::string journal_path(const std::string& dir) { return dir + "/journal.jsonl"; }

// --- One point, evaluated in a child process ---------------------------------------------------

ordered_json evaluate(const SweepSpec& spec, const SweepPoint& p) {
  ordered_json rec;
  rec["point"] = p.id;
  rec["values"] = p.values;
  try {
    const auto& v = p.values;
    auto str = [&](const char* k) { return v[k].is_string() ? v[k].get<std::string>() : v[k].dump(); };
    const ChipConfig chip = load_chip(str("chip"), sweep_sets(spec, p));
    if (!p.deferred.empty()) {
      const double area = chip_area_mm2(chip);
      for (const auto& c : p.deferred) {
        const double ok = eval_expr(c, [&](const std::string& n) {
          if (n == "area_mm2") return area;
          return sweep_number(v[n]);
        });
        if (ok == 0) {
          rec["status"] = "skipped";
          char buf[64];
          std::snprintf(buf, sizeof buf, " (area %.4g mm2)", area);
          rec["error"] = "constraint " + c + buf;
          return rec;
        }
      }
    }
    const Scheme scheme = load_scheme(str("scheme"));
    int64_t batch = 0;
    if (v["batch"].is_number_integer()) batch = v["batch"].get<int64_t>();
    else throw InputError(spec.file, "batch", "expected an integer batch size, found " + v["batch"].dump());
    const std::string mode = str("mode");
    if (mode != "train" && mode != "infer") throw InputError(spec.file, "mode", "expected train or infer");
    const Trace t = lower_workload(str("network"), scheme, batch, mode == "train" ? Mode::Train : Mode::Infer);
    const RunResult r = simulate(chip, t);
    const Summary s = summarize(r);
    ordered_json m;
    m["cycles"] = s.total.cycles;
    m["seconds"] = s.seconds;
    m["energy_pj"] = s.total.energy_pj;
    m["avg_power_w"] = s.avg_power_w;
    m["peak_power_w"] = s.peak_power_w;
    m["dram_read_bytes"] = s.total.dram_read_bytes;
    m["dram_write_bytes"] = s.total.dram_write_bytes;
    m["dram_bytes"] = s.total.dram_read_bytes + s.total.dram_write_bytes;
    m["area_mm2"] = s.area_mm2;
    m["macs"] = s.total.macs;
    m["throughput_samples_per_s"] = s.seconds > 0 ? static_cast<double>(batch) / s.seconds : 0.0;
    for (size_t c = 0; c < std::size(kCategories); ++c)
      m[std::string("energy_") + kCategories[c] + "_pj"] = s.breakdown[c];
    rec["status"] = "ok";
    rec["metrics"] = m;
  } catch (const std::exception& e) {
    rec["status"] = "failed";
    rec["error"] = e.what();
  }
  return rec;
}

// --- The journal -------------------------------------------------------------------------------

struct Journal {
  ordered_json header;
  std::map<int64_t, ordered_json> records;  // by point
};

// Reads a journal; a trailing line without its newline (a write cut by a kill) is dropped and
// truncated away, so appending continues from a clean end.
Journal read_journal(const std::string& path, bool truncate_partial) {
  Journal j;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "", "no sweep journal here (was the directory written by eoqsim sweep?)");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t good = 0, line_no = 0, pos = 0;
  while (pos < text.size()) {
    const size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) break;  // partial last line
    ++line_no;
    ordered_json rec;
    try {
      rec = ordered_json::parse(text.substr(pos, nl - pos));
    } catch (const std::exception&) {
      throw InputError(path, "line " + std::to_string(line_no), "corrupt journal line");
    }
    if (line_no == 1) {
      if (!rec.contains("eoqsim_sweep")) throw InputError(path, "line 1", "not a sweep journal header");
      j.header = rec;
    } else {
      if (!rec.contains("point") || !rec["point"].is_number_integer())
        throw InputError(path, "line " + std::to_string(line_no), "journal record without a point id");
      j.records[rec["point"].get<int64_t>()] = rec;
    }
    pos = nl + 1;
    good = pos;
  }
  if (line_no == 0) throw InputError(path, "", "empty journal");
  if (good < text.size() && truncate_partial) {
    if (::truncate(path.c_str(), static_cast<off_t>(good)) != 0)
      throw InputError(path, "", std::string("cannot truncate a partial last line: ") + std::strerror(errno));
  }
  return j;
}

class JournalWriter {
 public:
  explicit JournalWriter(const std::string& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0) throw InputError(path, "", std::string("cannot open the journal: ") + std::strerror(errno));
  }
  ~JournalWriter() {
    if (fd_ >= 0) ::close(fd_);
  }
  // One write per record, then fdatasync: a record is on disk before the next point is counted.
  void append(const ordered_json& rec) {
    const std::string line = rec.dump() + "\n";
    size_t off = 0;
    while (off < line.size()) {
      const ssize_t n = ::write(fd_, line.data() + off, line.size() - off);
      if (n < 0) {
        if (errno == EINTR) continue;
        throw InputError(path_, "", std::string("journal write failed: ") + std::strerror(errno));
      }
      off += static_cast<size_t>(n);
    }
    ::fdatasync(fd_);
  }

 private:
  std::string path_;
  int fd_ = -1;
};

// --- results.csv -------------------------------------------------------------------------------

std::string cell(const ordered_json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return csv_field(v.get<std::string>());
  if (v.is_number_float()) return format_number(v.get<double>());
  return v.dump();
}

void write_results(const std::string& dir, const std::vector<std::string>& columns,
                   const std::map<int64_t, ordered_json>& records) {
  std::ostringstream csv;
  csv << "point";
  for (const auto& c : columns) csv << ',' << csv_field(c);
  csv << ",status,error";
  for (const auto& m : sweep_metric_columns()) csv << ',' << m;
  csv << ",wall_seconds\n";
  for (const auto& [id, rec] : records) {
    csv << id;
    for (const auto& c : columns) csv << ',' << (rec["values"].contains(c) ? cell(rec["values"][c]) : "");
    csv << ',' << rec.value("status", "") << ',' << csv_field(rec.value("error", ""));
    for (const auto& m : sweep_metric_columns())
      csv << ',' << (rec.contains("metrics") && rec["metrics"].contains(m) ? cell(rec["metrics"][m]) : "");
    csv << ',' << (rec.contains("wall_seconds") ? format_number(rec["wall_seconds"].get<double>()) : "") << '\n';
  }
  write_file_atomic(dir + "/results.csv", csv.str());
}

// --- Progress ----------------------------------------------------------------------------------

std::string hms(double s) {
  char buf[32];
  const long t = static_cast<long>(s + 0.5);
  if (t >= 3600) std::snprintf(buf, sizeof buf, "%ldh%02ldm", t / 3600, (t / 60) % 60);
  else std::snprintf(buf, sizeof buf, "%ldm%02lds", t / 60, t % 60);
  return buf;
}

}  // namespace

const std::vector<std::string>& sweep_metric_columns() {
  static const std::vector<std::string> cols = [] {
    std::vector<std::string> c = {"cycles",           "seconds",         "energy_pj",  "avg_power_w",
                                  "peak_power_w",     "dram_read_bytes", "dram_write_bytes", "dram_bytes",
                                  "area_mm2",         "macs",            "throughput_samples_per_s"};
    for (const char* k : kCategories) c.push_back(std::string("energy_") + k + "_pj");
    return c;
  }();
  return cols;
}

int64_t run_sweep(const SweepSpec& spec, const SweepOptions& opt, std::ostream& out, std::ostream& err) {
  if (opt.jobs < 1 || opt.jobs > 1024) throw InputError("", "--jobs", "expected 1 to 1024");
  if (opt.shards < 1 || opt.shard < 0 || opt.shard >= opt.shards)
    throw InputError("", "--shard", "expected i/N with 0 <= i < N");
  const std::vector<SweepPoint> points = expand_sweep(spec);
  ensure_directory(opt.out);
  const std::string jpath = journal_path(opt.out);
  ordered_json header{{"eoqsim_sweep", 1},
                      {"name", spec.name},
                      {"digest", sweep_digest(spec)},
                      {"points", points.size()},
                      {"shard", std::to_string(opt.shard) + "/" + std::to_string(opt.shards)},
                      {"columns", spec.columns}};
  Journal done;
  bool exists = ::access(jpath.c_str(), F_OK) == 0;
  if (exists) {
    // A journal cut before its header line was complete holds nothing: start it again.
    std::ifstream in(jpath, std::ios::binary);
    std::string first;
    if (!std::getline(in, first) || in.eof()) {
      if (::truncate(jpath.c_str(), 0) != 0)
        throw InputError(jpath, "", std::string("cannot truncate: ") + std::strerror(errno));
      exists = false;
    }
  }
  if (exists && !opt.resume && ::access(jpath.c_str(), F_OK) == 0)
    throw InputError(jpath, "", "a sweep journal is already here; use --resume to continue it or choose another --out");
  if (exists) {
    done = read_journal(jpath, true);
    for (const char* k : {"digest", "shard"})
      if (done.header.value(k, "") != header[k].get<std::string>())
        throw InputError(jpath, k, "the journal was written by a different " + std::string(k) + " (" +
                                       done.header.value(k, "") + ", now " + header[k].get<std::string>() +
                                       "); resume with the same spec and --shard, or choose another --out");
  }
  JournalWriter journal(jpath);
  if (!exists) journal.append(header);

  std::deque<const SweepPoint*> todo;
  int64_t mine = 0;
  for (const auto& p : points) {
    if (p.id % opt.shards != opt.shard) continue;
    ++mine;
    if (!done.records.count(p.id)) todo.push_back(&p);
  }
  const int64_t already = mine - static_cast<int64_t>(todo.size());
  out << "sweep " << spec.name << ": " << points.size() << " points, " << mine << " in shard " << opt.shard << "/"
      << opt.shards << (already ? ", " + std::to_string(already) + " already done" : "") << ", " << opt.jobs
      << " job(s)\n";
  out.flush();

  std::map<int64_t, ordered_json>& records = done.records;
  int64_t finished = already, failed = 0;
  for (const auto& [id, rec] : records)
    if (rec.value("status", "") == "failed") ++failed;
  const auto t0 = std::chrono::steady_clock::now();
  auto last_csv = t0;
  int64_t finished_here = 0;
  auto progress = [&] {
    if (!opt.progress) return;
    const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double rate = el > 0 ? static_cast<double>(finished_here) / el : 0;
    const int64_t left = mine - finished;
    const int width = 30;
    const int fill = mine ? static_cast<int>(width * finished / mine) : width;
    err << "\r[" << std::string(static_cast<size_t>(fill), '#') << std::string(static_cast<size_t>(width - fill), '.')
        << "] " << finished << "/" << mine;
    char buf[96];
    std::snprintf(buf, sizeof buf, "  %.1f points/s  ETA %s  failed %lld   ", rate,
                  rate > 0 ? hms(static_cast<double>(left) / rate).c_str() : "?", static_cast<long long>(failed));
    err << buf << std::flush;
  };
  auto record = [&](ordered_json rec, double wall) {
    rec["wall_seconds"] = wall;
    if (rec.value("status", "") == "failed") ++failed;
    journal.append(rec);
    records[rec["point"].get<int64_t>()] = rec;
    ++finished;
    ++finished_here;
    const auto now = std::chrono::steady_clock::now();
    if (std::chrono::duration<double>(now - last_csv).count() > 2.0) {
      write_results(opt.out, spec.columns, records);
      last_csv = now;
    }
    progress();
  };

  struct Child {
    pid_t pid;
    int fd;
    const SweepPoint* p;
    std::string buf;
    std::chrono::steady_clock::time_point start;
  };
  std::vector<Child> running;
  // Children must not inherit buffered output that would be flushed twice.
  out.flush();
  err.flush();
  std::fflush(nullptr);
  while (!todo.empty() || !running.empty()) {
    while (!todo.empty() && static_cast<int>(running.size()) < opt.jobs) {
      const SweepPoint* p = todo.front();
      todo.pop_front();
      if (p->skipped) {  // a parameter constraint: recorded without simulating
        ordered_json rec{{"point", p->id}, {"values", p->values}, {"status", "skipped"}, {"error", p->skip_reason}};
        record(rec, 0.0);
        continue;
      }
      int fds[2];
      if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
      const pid_t pid = ::fork();
      if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
      if (pid == 0) {
        ::close(fds[0]);
        std::string line;
        try {
          line = evaluate(spec, *p).dump() + "\n";
        } catch (...) {
          ::_exit(3);
        }
        size_t off = 0;
        while (off < line.size()) {
          const ssize_t n = ::write(fds[1], line.data() + off, line.size() - off);
          if (n < 0 && errno == EINTR) continue;
          if (n <= 0) ::_exit(4);
          off += static_cast<size_t>(n);
        }
        ::_exit(0);
      }
      ::close(fds[1]);
      running.push_back({pid, fds[0], p, "", std::chrono::steady_clock::now()});
    }
    if (running.empty()) continue;
    std::vector<pollfd> pf;
    for (const auto& c : running) pf.push_back({c.fd, POLLIN, 0});
    if (::poll(pf.data(), pf.size(), 1000) < 0 && errno != EINTR)
      throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
    for (size_t k = running.size(); k-- > 0;) {
      if (!(pf[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      Child& c = running[k];
      char chunk[65536];
      const ssize_t n = ::read(c.fd, chunk, sizeof chunk);
      if (n > 0) {
        c.buf.append(chunk, static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      // EOF: the child is done (or died).
      ::close(c.fd);
      int status = 0;
      while (::waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
      }
      const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - c.start).count();
      ordered_json rec;
      bool parsed = false;
      if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && !c.buf.empty()) {
        try {
          rec = ordered_json::parse(c.buf);
          parsed = true;
        } catch (const std::exception&) {
        }
      }
      if (!parsed) {
        rec = ordered_json{{"point", c.p->id}, {"values", c.p->values}, {"status", "failed"}};
        rec["error"] = WIFSIGNALED(status) ? "the point's process died of signal " + std::to_string(WTERMSIG(status))
                                           : "the point's process exited with status " +
                                                 std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1);
      }
      record(rec, wall);
      running.erase(running.begin() + static_cast<std::ptrdiff_t>(k));
    }
  }
  write_results(opt.out, spec.columns, records);
  if (opt.progress) err << "\n";
  const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  char buf[160];
  std::snprintf(buf, sizeof buf, "%lld of %lld points done (%lld failed) in %.1f s; wrote %s/results.csv\n",
                static_cast<long long>(finished), static_cast<long long>(mine), static_cast<long long>(failed), el,
                opt.out.c_str());
  out << buf;
  return failed;
}

int64_t merge_sweeps(const std::vector<std::string>& dirs, const std::string& out_dir, std::ostream& out) {
  if (dirs.empty()) throw InputError("", "sweep-merge", "give the shard directories to merge");
  std::string digest, name;
  ordered_json columns;
  int64_t total = -1;
  std::map<int64_t, ordered_json> records;
  for (const auto& d : dirs) {
    const Journal j = read_journal(journal_path(d), false);
    if (digest.empty()) {
      digest = j.header.value("digest", "");
      name = j.header.value("name", "");
      columns = j.header["columns"];
      total = j.header.value("points", int64_t(0));
    } else if (j.header.value("digest", "") != digest) {
      throw InputError(journal_path(d), "digest", "written by a different sweep spec than " + dirs.front());
    }
    for (const auto& [id, rec] : j.records) {
      auto it = records.find(id);
      if (it != records.end()) {
        ordered_json a = it->second, b = rec;
        a.erase("wall_seconds");
        b.erase("wall_seconds");
        if (a != b) throw InputError(journal_path(d), "point " + std::to_string(id), "disagrees with another shard");
        continue;
      }
      records[id] = rec;
    }
  }
  ensure_directory(out_dir);
  std::vector<std::string> cols;
  for (const auto& c : columns) cols.push_back(c.get<std::string>());
  write_results(out_dir, cols, records);
  // A merged journal, so a merged directory can be merged again or inspected like any sweep.
  std::ostringstream jl;
  jl << ordered_json{{"eoqsim_sweep", 1}, {"name", name}, {"digest", digest}, {"points", total},
                     {"shard", "merged"}, {"columns", columns}}
            .dump()
     << "\n";
  for (const auto& [id, rec] : records) jl << rec.dump() << "\n";
  write_file_atomic(journal_path(out_dir), jl.str());
  const int64_t missing = total - static_cast<int64_t>(records.size());
  out << "merged " << dirs.size() << " director" << (dirs.size() == 1 ? "y" : "ies") << ": " << records.size()
      << " of " << total << " points";
  if (missing > 0) out << " (" << missing << " missing: run their shards, then merge again)";
  out << "; wrote " << out_dir << "/results.csv\n";
  return std::max<int64_t>(missing, 0);
}

}  // namespace eoqsim
