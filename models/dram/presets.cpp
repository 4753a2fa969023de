#include "models/dram/presets.h"

#include <stdexcept>

namespace eoqsim {

const std::vector<DramPreset>& dram_presets() {
  static const std::vector<DramPreset> p = {
      // LPDDR4-3200, a x32 package as two 16-bit channels: 12.8 GB/s. Timings in clocks of
      // tCK = 0.625 ns from JESD209-4's core timing table (as encoded in Ramulator,
      // CMU-SAFARI/ramulator src/LPDDR4.h, LPDDR4_3200): CL 32, RCD 29, RPpb 27, CWL 18, WTR 16;
      // read-to-write CL + BL/2 + 2 - CWL = 24 clocks; 8 banks; 1 Ki columns x 16 bits = 2 KiB rows;
      // BL16. tREFI 3.904 us and tRFCab 280 ns for 8 Gb dies (JESD209-4).
      {"LPDDR4", 2, 16, 3200, 8, 2048, 16, 20.0, 11.25, 18.125, 16.875, 10.0, 15.0, 3904, 280, uint64_t(4) << 30,
       8.0, "JESD209-4 via Ramulator src/LPDDR4.h (LPDDR4_3200)",
       "reference/energy.md 3.3: 8 pJ/bit (Accelergy CACTI plug-in DRAM table)"},
      // LPDDR5-6400, two 16-bit channels: 25.6 GB/s. tCK 1.25 ns (Ramulator 2 src/dram/impl/LPDDR5.cpp,
      // LPDDR5_6400, from JESD209-5): CL 20, RCD 15, RPpb 15, CWL 11, WTRL 10; read-to-write
      // CL + BL16 + 2 - CWL = 15 clocks; 16 banks; 2 KiB rows; BL16. tREFI 3.906 us, tRFCab 210 ns (8 Gb).
      {"LPDDR5", 2, 16, 6400, 16, 2048, 16, 25.0, 13.75, 18.75, 18.75, 12.5, 18.75, 3906, 210, uint64_t(8) << 30, 6.4,
       "JESD209-5 via Ramulator 2 src/dram/impl/LPDDR5.cpp (LPDDR5_6400)",
       "reference/energy.md 3.3: ~6.4 pJ/bit, derived from LPDDR4's 8 pJ/bit and a >20% efficiency claim (low confidence)"},
      // DDR4-3200AA (22-22-22), one 64-bit channel of x8 devices: 25.6 GB/s. tCK 0.625 ns
      // (Ramulator 2 src/dram/impl/DDR4.cpp, DDR4_3200AA, JESD79-4C): CL 22, RCD 22, RP 22, CWL 16,
      // WTR_L 12; read-to-write CL + BL/2 + 2 - CWL = 12 clocks; 16 banks (4 groups x 4); 8 x 1 KiB
      // = 8 KiB rows; BL8. tREFI 7.8 us, tRFC 360 ns (8 Gb, Ramulator 2's JESD79-4C table).
      {"DDR4", 1, 64, 3200, 16, 8192, 8, 13.75, 10.0, 13.75, 13.75, 7.5, 7.5, 7800, 360, uint64_t(8) << 30, 15.0,
       "JESD79-4C via Ramulator 2 src/dram/impl/DDR4.cpp (DDR4_3200AA)",
       "reference/energy.md 3.3: 15-20 pJ/bit derived between HBM2/LPDDR4 and DDR3-era values; lower end"},
      // HBM2 at 2 Gb/s/pin, one stack of eight 128-bit channels: 256 GB/s. DRAMsim3
      // configs/HBM2_8Gb_x128.ini (tCK 1 ns): CL 14, CWL 4, RCD 14, RP 14, WTR_L 8; read-to-write
      // CL + BL/2 + 2 - CWL = 14 clocks; 16 banks (4 groups x 4); 64 columns x 128 bits = 1 KiB rows;
      // BL4. tREFI 3.9 us, tRFC 260 ns.
      {"HBM2", 8, 128, 2000, 16, 1024, 4, 14.0, 4.0, 14.0, 14.0, 8.0, 14.0, 3900, 260, uint64_t(4) << 30, 3.9,
       "DRAMsim3 configs/HBM2_8Gb_x128.ini (JESD235)",
       "reference/energy.md 3.3: 3.9 pJ/bit (Accelergy CACTI plug-in, citing Chatterjee/O'Connor MICRO'17)"},
  };
  return p;
}

std::vector<std::string> dram_preset_names() {
  std::vector<std::string> out;
  for (const auto& p : dram_presets()) out.push_back(p.name);
  return out;
}

const DramPreset& dram_preset(const std::string& name) {
  for (const auto& p : dram_presets())
    if (p.name == name) return p;
  throw std::invalid_argument("unknown DRAM preset \"" + name + "\"");
}

}  // namespace eoqsim
