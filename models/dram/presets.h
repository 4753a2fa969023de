// DRAM presets: organization, timing and energy of one memory system per standard, each value
// from a public JEDEC-derived source (cited per preset in presets.cpp).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace eoqsim {

struct DramPreset {
  std::string name;
  int64_t channels;            // independent channels
  int64_t channel_width_bits;  // data bus width of one channel
  double data_rate_mtps;       // transfers per second per pin, in MT/s
  int64_t banks;               // per channel
  int64_t row_bytes;           // row (page) size per bank, in bytes, across the channel width
  int64_t burst_length;        // beats per burst
  double tCL_ns, tCWL_ns, tRCD_ns, tRP_ns, tWTR_ns, tRTW_ns, tREFI_ns, tRFC_ns;
  uint64_t capacity_bytes;
  double energy_pj_per_bit;
  std::string timing_source, energy_source;

  int64_t burst_bytes() const { return channel_width_bits * burst_length / 8; }
  double burst_ns() const { return static_cast<double>(burst_length) / data_rate_mtps * 1000.0; }
  double bandwidth_bytes_per_s() const {
    return static_cast<double>(channels * channel_width_bits) / 8.0 * data_rate_mtps * 1e6;
  }
};

const std::vector<DramPreset>& dram_presets();
std::vector<std::string> dram_preset_names();
const DramPreset& dram_preset(const std::string& name);  // throws std::invalid_argument

}  // namespace eoqsim
