#include "models/dram/params.h"

#include <cstdio>

#include "sim/common/error.h"
#include "sim/common/units.h"

namespace eoqsim {

namespace {

std::string ns(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g ns", v);
  return buf;
}

std::string read_preset(ParamReader& r, bool allow_none, const std::string& def) {
  std::vector<std::string> options = dram_preset_names();
  if (allow_none) options.insert(options.begin(), "none");
  return r.choice("preset",
                  "a standard whose datasheet values fill the defaults (--set dram.preset=NAME starts the unit over "
                  "from that preset)",
                  options, def);
}

}  // namespace

SimpleDramParams SimpleDramParams::read(ParamReader& r) {
  SimpleDramParams p;
  r.allow("impl");
  p.preset = read_preset(r, true, "none");
  const DramPreset* d = p.preset == "none" ? nullptr : &dram_preset(p.preset);
  char bw[64];
  if (d) std::snprintf(bw, sizeof bw, "%g GB/s", d->bandwidth_bytes_per_s() / 1e9);
  p.bandwidth_bytes_per_s = r.bandwidth_bytes_per_s("bandwidth", "sustained bandwidth",
                                                    d ? std::optional<std::string>(bw) : std::nullopt, 1e6, 1e14);
  p.latency_s = r.time_s("latency", "access latency added to every transfer",
                         d ? ns(d->tRCD_ns + d->tCL_ns) : std::string("100 ns"), 0, 1e-3);
  p.burst_bytes = r.integer("burst_bytes", "transfer granularity; every transfer rounds up to whole bursts",
                            d ? d->burst_bytes() : 64, 1, 4096);
  p.capacity = r.size_bytes("capacity", "bytes of DRAM",
                            d ? std::optional<std::string>(units::format_size(d->capacity_bytes)) : std::nullopt, 1 << 20,
                            uint64_t(1) << 50);
  p.energy_pj_per_bit =
      r.number("energy_pj_per_bit", "access energy per bit read or written", d ? d->energy_pj_per_bit : 8.0, 0, 1000);
  r.finish();
  return p;
}

BankedDramParams BankedDramParams::read(ParamReader& r) {
  BankedDramParams p;
  r.allow("impl");
  const std::string preset = read_preset(r, false, "LPDDR4");
  const DramPreset& d = dram_preset(r.describing() ? "LPDDR4" : preset);
  DramPreset& t = p.t;
  t = d;
  t.channels = r.integer("channels", "independent channels", d.channels, 1, 64);
  t.channel_width_bits = r.integer("channel_width_bits", "data bus width of one channel", d.channel_width_bits, 8, 1024);
  t.data_rate_mtps = r.number("data_rate_mtps", "transfers per second per pin, in MT/s", d.data_rate_mtps, 100, 20000);
  t.banks = r.integer("banks", "banks per channel", d.banks, 1, 256);
  t.row_bytes = static_cast<int64_t>(r.size_bytes("row_bytes", "row (page) size per bank across the channel",
                                                  units::format_size(static_cast<uint64_t>(d.row_bytes)), 32, 1 << 20));
  t.burst_length = r.integer("burst_length", "beats per burst", d.burst_length, 1, 64);
  auto time_ns = [&](const char* name, const char* desc, double def) {
    return r.time_s(name, desc, ns(def), 0, 1e-3) * 1e9;
  };
  t.tCL_ns = time_ns("tCL", "read latency: column command to first data", d.tCL_ns);
  t.tCWL_ns = time_ns("tCWL", "write latency: column command to first data", d.tCWL_ns);
  t.tRCD_ns = time_ns("tRCD", "activate to column command", d.tRCD_ns);
  t.tRP_ns = time_ns("tRP", "precharge (closing a row)", d.tRP_ns);
  t.tWTR_ns = time_ns("tWTR", "write-to-read turnaround", d.tWTR_ns);
  t.tRTW_ns = time_ns("tRTW", "read-to-write turnaround", d.tRTW_ns);
  t.tREFI_ns = time_ns("tREFI", "refresh interval", d.tREFI_ns);
  t.tRFC_ns = time_ns("tRFC", "refresh cycle time (the channel is unavailable)", d.tRFC_ns);
  t.capacity_bytes = r.size_bytes("capacity", "bytes of DRAM", units::format_size(d.capacity_bytes), 1 << 20,
                                  uint64_t(1) << 50);
  t.energy_pj_per_bit = r.number("energy_pj_per_bit", "access energy per bit read or written", d.energy_pj_per_bit, 0, 1000);
  p.refresh = r.boolean("refresh", "derate bandwidth by refresh (tRFC every tREFI)", true);
  if (!r.describing()) {
    if (t.row_bytes % t.burst_bytes() != 0)
      throw InputError(r.file(), r.where("row_bytes"), "a row must hold a whole number of bursts (" +
                                                           std::to_string(t.burst_bytes()) + " bytes each)");
    if (t.tRFC_ns >= t.tREFI_ns) throw InputError(r.file(), r.where("tRFC"), "tRFC must be shorter than tREFI");
  }
  r.finish();
  return p;
}

}  // namespace eoqsim
