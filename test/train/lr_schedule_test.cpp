// Learning-rate schedules against the Hugging Face transformers lambdas (optimization.py:
// get_linear_schedule_with_warmup, get_cosine_schedule_with_warmup with num_cycles=0.5,
// get_constant_schedule_with_warmup). Expected values are base_lr * lr_lambda(step) from
// those formulas in Python, base_lr=2e-5, W=10, T=100 unless a case says otherwise.
#include "runtime/train/lr_schedule.hpp"

#include <boost/test/unit_test.hpp>

#include <utility>
#include <vector>

using namespace axon::train;

namespace {

void check(const lr_schedule_config& config,
           const std::vector<std::pair<std::int64_t, double>>& expected_by_step) {
  for (auto [step, expected] : expected_by_step) {
    BOOST_TEST_CONTEXT("step " << step) {
      BOOST_TEST(learning_rate(config, step) == expected, boost::test_tools::tolerance(1e-12));
    }
  }
}

} // namespace

BOOST_AUTO_TEST_SUITE(lr_schedule)

BOOST_AUTO_TEST_CASE(linear_with_warmup) {
  check({lr_schedule_kind::linear, 2e-5, 10, 100},
        {{0, 0.0}, {1, 2.0000000000000003e-06}, {5, 1e-05}, {9, 1.8e-05}, {10, 2e-05},
         {11, 1.977777777777778e-05}, {37, 1.4e-05}, {55, 1e-05}, {99, 2.2222222222222224e-07},
         {100, 0.0}, {120, 0.0}});
}

BOOST_AUTO_TEST_CASE(cosine_with_warmup) {
  // Past T the HF formula rises again (cos beyond pi); step 120 pins that.
  check({lr_schedule_kind::cosine, 2e-5, 10, 100},
        {{0, 0.0}, {1, 2.0000000000000003e-06}, {5, 1e-05}, {9, 1.8e-05}, {10, 2e-05},
         {11, 1.999390827019096e-05}, {37, 1.5877852522924733e-05}, {55, 1e-05},
         {99, 6.091729809042379e-09}, {100, 0.0}, {120, 2.3395555688102202e-06}});
}

BOOST_AUTO_TEST_CASE(constant_with_warmup) {
  check({lr_schedule_kind::constant, 2e-5, 10, 100},
        {{0, 0.0}, {1, 2.0000000000000003e-06}, {5, 1e-05}, {9, 1.8e-05}, {10, 2e-05},
         {11, 2e-05}, {99, 2e-05}, {120, 2e-05}});
}

BOOST_AUTO_TEST_CASE(no_warmup) {
  // W=0, T=50.
  check({lr_schedule_kind::linear, 2e-5, 0, 50},
        {{0, 2e-05}, {1, 1.9600000000000002e-05}, {25, 1e-05}, {50, 0.0}});
  check({lr_schedule_kind::cosine, 2e-5, 0, 50},
        {{0, 2e-05}, {1, 1.9980267284282718e-05}, {25, 1e-05}, {50, 0.0}});
}

BOOST_AUTO_TEST_CASE(kind_names) {
  for (auto kind : {lr_schedule_kind::linear, lr_schedule_kind::cosine, lr_schedule_kind::constant})
    BOOST_TEST((lr_schedule_kind_from_name(lr_schedule_kind_name(kind)) == kind));
  BOOST_TEST(!lr_schedule_kind_from_name("polynomial").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
