// Parsing of quantities with units, as they appear in configs: "1 GHz", "256 KiB", "25.6 GB/s",
// "100 ns". A bare number is taken in the base unit (Hz, bytes, bytes/s, seconds).
#pragma once
#include <cstdint>
#include <string>

namespace eoqsim::units {

// Each parser throws std::invalid_argument with a human-readable reason on bad input;
// callers wrap it into an InputError naming the file and path.
double parse_frequency_hz(const std::string& text);
uint64_t parse_size_bytes(const std::string& text);
double parse_bandwidth_bytes_per_s(const std::string& text);
double parse_time_s(const std::string& text);

std::string format_size(uint64_t bytes);  // "512 KiB"
std::string format_frequency(double hz);  // "1 GHz"

}  // namespace eoqsim::units
