// placement.devices and compute.*: rules from files and flags, the entry format, and the
// checks (a bad device, compute.tf32 with bf16, fused attention without devices).
#include "runtime/config/device_settings.hpp"
#include "test/config/train_config_util.hpp"

#include <boost/test/unit_test.hpp>

using namespace axon;
using namespace axon::config;
using test::contains;
using test::first_error;

namespace {

const std::string job = "[data]\npath = \"fin.csv\"\n";

} // namespace

BOOST_AUTO_TEST_SUITE(device_keys)

BOOST_AUTO_TEST_CASE(rules_from_file_and_flags_in_order) {
  auto result = test::load_train(job
                                 + "[placement]\ndevices = [\"shard0.*=cuda:1\", \"*=cuda\"]\n"
                                   "[compute]\nprecision = \"bf16\"\n");
  BOOST_TEST_REQUIRE(result.errors.empty(), result.error_text());
  auto rules = device_rules_of(*result.resolved);
  BOOST_TEST_REQUIRE(rules.size() == 2u);
  BOOST_TEST(rules[0].pattern == "shard0.*");
  BOOST_TEST((rules[0].where == device::cuda(1)));
  BOOST_TEST((rules[1].where == device::cuda(0)));
  BOOST_TEST(result.resolved->get_string("compute.precision") == "bf16");
  auto flags =
    test::load_train(job, {"--placement.devices=optimizer*=cpu", "--compute.tf32=true"});
  BOOST_TEST_REQUIRE(flags.errors.empty(), flags.error_text());
  BOOST_TEST((device_rules_of(*flags.resolved).at(0).where == device::cpu()));
  auto defaults = test::load_train(job);
  BOOST_TEST_REQUIRE(defaults.errors.empty(), defaults.error_text());
  BOOST_TEST(device_rules_of(*defaults.resolved).empty());
  BOOST_TEST(defaults.resolved->get_string("compute.precision") == "f32");
  BOOST_TEST(!defaults.resolved->get_bool("compute.tf32"));
}

BOOST_AUTO_TEST_CASE(bad_entries_and_combinations_name_the_key) {
  BOOST_TEST(contains(first_error(job, {"--placement.devices=shard0"}), "PATTERN=DEVICE"));
  BOOST_TEST(contains(first_error(job, {"--placement.devices==cuda:0"}), "PATTERN=DEVICE"));
  BOOST_TEST(contains(first_error(job, {"--placement.devices=shard0=gpu0"}),
                      "expected cpu, cuda or cuda:N"));
  BOOST_TEST(contains(first_error(job, {"--placement.devices=*=cuda:-1"}), "cuda:N"));
  BOOST_TEST(contains(first_error(job, {"--compute.precision=fp16"}), "compute.precision"));
  BOOST_TEST(contains(first_error(job, {"--compute.tf32=true", "--compute.precision=bf16"}),
                      "set one of them"));
  BOOST_TEST(contains(first_error(job, {"--compute.attention=fused"}), "places none"));
  BOOST_TEST(contains(first_error(job, {"--compute.attention=flash"}), "compute.attention"));
  BOOST_TEST(test::load_train(job, {"--compute.attention=fused", "--placement.devices=*=cuda"})
               .errors.empty());
}

BOOST_AUTO_TEST_SUITE_END()
