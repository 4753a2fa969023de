#include "models/common/unit.h"

#include <algorithm>

namespace eoqsim {

Server::Server(sc_core::sc_module_name name, UnitContext ctx) : sc_core::sc_module(name), ctx_(ctx) {
  SC_METHOD(on_free);
  sensitive << free_ev_;
  dont_initialize();
  SC_METHOD(on_complete);
  sensitive << done_ev_;
  dont_initialize();
}

void Server::submit(const Job& job) {
  waiting_.push_back(job);
  waiting_.back().submitted = now_cycles();
  if (!busy_) start_next();
}

void Server::start_next() {
  if (waiting_.empty()) {
    busy_ = false;
    return;
  }
  Job job = waiting_.front();
  waiting_.pop_front();
  begin(job);
  ctx_.stats.add(job.events_begin, job.events_end);
  busy_ = true;
  busy_cycles_ += job.occupancy;
  ++jobs_;
  const uint64_t now = now_cycles();
  wait_cycles_ += now - job.submitted;
  if (ctx_.timeline) {
    if (track_ < 0) track_ = ctx_.timeline->track(basename());
    ctx_.timeline->add(track_, job.op, now, now + job.occupancy);
  }
  // Completions stay in order: a short job behind a long one finishes after it.
  const uint64_t done = std::max(now + std::max(job.latency, job.occupancy), last_completion_);
  last_completion_ = done;
  inflight_.push_back({done, job.token});
  if (inflight_.size() == 1) done_ev_.notify(cycles(done - now));
  free_ev_.notify(cycles(job.occupancy));
}

void Server::on_free() { start_next(); }

void Server::on_complete() {
  const uint64_t now = now_cycles();
  while (!inflight_.empty() && inflight_.front().first <= now) {
    const uint32_t token = inflight_.front().second;
    inflight_.pop_front();
    if (on_done_) on_done_(token);
  }
  if (!inflight_.empty()) done_ev_.notify(cycles(inflight_.front().first - now));
}

}  // namespace eoqsim
