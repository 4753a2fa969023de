// Config loading: units, declared parameters, --set, and errors that name the JSON path.
#include <gtest/gtest.h>

#include <fstream>

#include "models/spec/unit_spec.h"
#include "sim/common/error.h"
#include "sim/common/data.h"
#include "sim/common/units.h"
#include "sim/config/chip_config.h"
#include "tests/helpers.h"

namespace eoqsim {
namespace {

TEST(Units, ParseQuantities) {
  EXPECT_DOUBLE_EQ(units::parse_frequency_hz("1 GHz"), 1e9);
  EXPECT_DOUBLE_EQ(units::parse_frequency_hz("700MHz"), 7e8);
  EXPECT_EQ(units::parse_size_bytes("256 KiB"), 262144u);
  EXPECT_EQ(units::parse_size_bytes("4 GiB"), 4294967296u);
  EXPECT_EQ(units::parse_size_bytes("1 MB"), 1000000u);
  EXPECT_DOUBLE_EQ(units::parse_bandwidth_bytes_per_s("25.6 GB/s"), 25.6e9);
  EXPECT_DOUBLE_EQ(units::parse_time_s("100 ns"), 1e-7);
  EXPECT_THROW(units::parse_size_bytes("12 parsecs"), std::invalid_argument);
  EXPECT_THROW(units::parse_size_bytes("-5 KiB"), std::invalid_argument);
  EXPECT_THROW(units::parse_size_bytes("1.5 B"), std::invalid_argument);
  EXPECT_THROW(units::parse_frequency_hz("fast"), std::invalid_argument);
}

TEST(ChipConfig, BuiltinsLoadWithDefaultsFilledIn) {
  for (const auto& name : builtin_chip_names()) {
    const ChipConfig c = load_chip(name);
    EXPECT_EQ(c.name, name);
    EXPECT_GT(c.clock_hz, 0);
    EXPECT_TRUE(c.resolved["pe_array"].contains("accumulator_bits"));
  }
  EXPECT_FALSE(load_chip("edge_eoq").norm_unit.has_value());
  EXPECT_TRUE(load_chip("edge_bn_fp32").norm_unit.has_value());
}

TEST(ChipConfig, SetOverridesByPath) {
  const ChipConfig c = load_chip("edge_eoq", {"pe_array.rows=16", "buffers.glb.capacity=64 KiB", "clock=500 MHz"});
  EXPECT_EQ(c.resolved["pe_array"]["rows"], 16);
  EXPECT_EQ(c.resolved["buffers"]["glb"]["capacity"], "64 KiB");
  EXPECT_DOUBLE_EQ(c.clock_hz, 5e8);
}

TEST(ChipConfig, SetImplStartsFromThatImplsDefaults) {
  // The EOQ chip has no norm unit; adding one by impl gives it every default, then later sets apply.
  const ChipConfig c = load_chip("edge_eoq", {"norm_unit.impl=bn", "norm_unit.lanes=4"});
  ASSERT_TRUE(c.norm_unit.has_value());
  EXPECT_EQ(c.norm_unit->params["lanes"], 4);
  EXPECT_EQ(c.norm_unit->params["sqrt"]["latency"], 25);
}

TEST(ChipConfig, DramPresetStartsTheUnitOverFromTheStandard) {
  // The edge chip's simple DRAM has its own bandwidth and latency; a preset replaces them with
  // the standard's, and later sets still apply.
  const ChipConfig hbm = load_chip("edge_eoq", {"dram.preset=HBM2"});
  EXPECT_EQ(hbm.dram.impl, "simple");
  EXPECT_EQ(hbm.dram.params["bandwidth"], "256 GB/s");
  EXPECT_EQ(hbm.dram.params["latency"], "28 ns");  // tRCD + tCL = 14 + 14 ns
  EXPECT_DOUBLE_EQ(hbm.dram.params["energy_pj_per_bit"].get<double>(), 3.9);
  const ChipConfig slow = load_chip("edge_eoq", {"dram.preset=HBM2", "dram.bandwidth=100 GB/s"});
  EXPECT_EQ(slow.dram.params["bandwidth"], "100 GB/s");
  // banked: the impl change starts from LPDDR4, then a preset switches the organization.
  const ChipConfig banked = load_chip("edge_eoq", {"dram.impl=banked", "dram.preset=DDR4", "dram.banks=4"});
  EXPECT_EQ(banked.dram.params["channels"], 1);
  EXPECT_EQ(banked.dram.params["banks"], 4);
  EXPECT_EQ(banked.dram.params["row_bytes"], "8 KiB");
  EXPECT_FALSE(banked.dram.params.contains("bandwidth"));
}

TEST(ChipConfig, SetOnAMissingUnitSaysHowToAddIt) {
  try {
    load_chip("edge_eoq", {"norm_unit.lanes=4"});
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("norm_unit.impl"), std::string::npos) << e.what();
  }
}

struct BadChip {
  std::string name, edit, expect;
};

void PrintTo(const BadChip& b, std::ostream* os) { *os << b.edit; }

class BadChipConfig : public ::testing::TestWithParam<BadChip> {};

TEST_P(BadChipConfig, ErrorNamesThePath) {
  try {
    load_chip("edge_eoq", {GetParam().edit});
    FAIL() << "accepted " << GetParam().edit;
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(GetParam().expect), std::string::npos) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadChipConfig,
    ::testing::Values(BadChip{"NegativeSize", "buffers.glb.capacity=-5 KiB", "buffers.glb.capacity"},
                      BadChip{"NegativeRows", "pe_array.rows=-4", "pe_array.rows"},
                      BadChip{"UnknownKey", "pe_array.colz=4", "pe_array.colz"},
                      BadChip{"UnknownImpl", "dram.impl=magic", "dram.impl"},
                      BadChip{"WrongType", "pe_array.rows=\"many\"", "pe_array.rows"},
                      BadChip{"BadUnit", "clock=3 parsecs", "clock"},
                      BadChip{"BadDataflow", "pe_array.dataflow=zz", "pe_array.dataflow"},
                      BadChip{"BadPrecision", "pe_array.precisions=[\"int7\"]", "pe_array.precisions[0]"}),
    [](const auto& info) { return info.param.name; });

TEST(ChipConfig, MissingRequiredParameterNamesIt) {
  json j = json::parse(*data::find("configs/chips/edge_eoq.json"));
  j["dram"].erase("bandwidth");
  try {
    parse_chip(j, "x.json", test::source_path("configs/chips"), {});
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("dram.bandwidth"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("missing required"), std::string::npos) << e.what();
  }
}

TEST(ChipConfig, MalformedJsonGivesLineAndColumn) {
  const std::string dir = test::temp_dir("malformed");
  std::ofstream(dir + "/bad.json") << "{\n  \"schema\": \"eoqsim.chip/1\",\n  \"name\": oops\n}\n";
  try {
    load_chip(dir + "/bad.json");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("line 3"), std::string::npos) << e.what();
  }
}

TEST(UnitSpecs, EveryImplementationDescribesItself) {
  for (const auto& spec : impl_specs()) {
    const auto params = impl_params(spec);
    EXPECT_FALSE(params.empty()) << spec.kind << "/" << spec.name;
    for (const auto& p : params) EXPECT_FALSE(p.description.empty()) << spec.name << "." << p.name;
    EXPECT_EQ(impl_defaults(spec)["impl"], spec.name);
  }
}

}  // namespace
}  // namespace eoqsim
