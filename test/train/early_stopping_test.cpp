// Early stopping: stops exactly after `patience` non-improving evaluations, min_delta in
// both modes, and a state saved (through JSON, as a checkpoint manifest would) and
// restored behaves identically.
#include "runtime/train/early_stopping.hpp"

#include <boost/test/unit_test.hpp>

using namespace axon::train;

BOOST_AUTO_TEST_SUITE(early_stopping_suite)

BOOST_AUTO_TEST_CASE(stops_exactly_after_patience_non_improving_evals) {
  early_stopping stopper({metric_mode::min, 3, 0.0});
  BOOST_TEST(!stopper.best_value().has_value());
  auto first = stopper.update(1.0, 100);
  BOOST_TEST(first.improved);
  BOOST_TEST(!first.should_stop);
  auto better = stopper.update(0.8, 200);
  BOOST_TEST(better.improved);
  for (std::int64_t step : {300, 400}) {
    auto decision = stopper.update(0.9, step);
    BOOST_TEST(!decision.improved);
    BOOST_TEST(!decision.should_stop);
  }
  auto third = stopper.update(0.8, 500);  // equal is not better
  BOOST_TEST(!third.improved);
  BOOST_TEST(third.should_stop);
  BOOST_TEST(*stopper.best_value() == 0.8);
  BOOST_TEST(stopper.best_step() == 200);
}

BOOST_AUTO_TEST_CASE(improvement_resets_the_count) {
  early_stopping stopper({metric_mode::max, 2, 0.0});
  stopper.update(0.5, 1);
  BOOST_TEST(!stopper.update(0.4, 2).should_stop);
  BOOST_TEST(stopper.update(0.6, 3).improved);
  BOOST_TEST(!stopper.update(0.6, 4).should_stop);
  BOOST_TEST(stopper.update(0.1, 5).should_stop);
  BOOST_TEST(stopper.best_step() == 3);
}

BOOST_AUTO_TEST_CASE(patience_zero_stops_on_first_non_improving_eval) {
  early_stopping stopper({metric_mode::min, 0, 0.0});
  BOOST_TEST(!stopper.update(1.0, 1).should_stop);
  BOOST_TEST(!stopper.update(0.5, 2).should_stop);
  BOOST_TEST(stopper.update(0.7, 3).should_stop);
}

BOOST_AUTO_TEST_CASE(min_delta_in_min_mode) {
  early_stopping stopper({metric_mode::min, 5, 0.01});
  stopper.update(1.0, 1);
  BOOST_TEST(!stopper.update(0.995, 2).improved);  // 0.005 better: not more than min_delta
  BOOST_TEST(stopper.update(0.98, 3).improved);    // 0.02 better
  BOOST_TEST(*stopper.best_value() == 0.98);
  BOOST_TEST(stopper.state().evals_without_improvement == 0);
}

BOOST_AUTO_TEST_CASE(min_delta_in_max_mode) {
  early_stopping stopper({metric_mode::max, 5, 0.01});
  stopper.update(0.80, 1);
  BOOST_TEST(!stopper.update(0.805, 2).improved);
  BOOST_TEST(!stopper.update(0.70, 3).improved);
  BOOST_TEST(stopper.state().evals_without_improvement == 2);
  BOOST_TEST(stopper.update(0.82, 4).improved);
  BOOST_TEST(stopper.best_step() == 4);
}

BOOST_AUTO_TEST_CASE(restored_state_behaves_identically) {
  early_stopping_config config{metric_mode::max, 3, 0.001};
  std::vector<double> values = {0.5, 0.6, 0.59, 0.6005, 0.7, 0.69, 0.68, 0.7, 0.65};
  early_stopping reference(config);
  for (std::size_t cut = 0; cut <= values.size(); ++cut) {
    early_stopping before(config);
    for (std::size_t i = 0; i < cut; ++i)
      before.update(values[i], static_cast<std::int64_t>(i));
    nlohmann::json manifest_entry = before.state();
    early_stopping restored(config, manifest_entry.get<early_stopping_state>());
    early_stopping continued = before;
    for (std::size_t i = cut; i < values.size(); ++i) {
      auto expected = continued.update(values[i], static_cast<std::int64_t>(i));
      auto actual = restored.update(values[i], static_cast<std::int64_t>(i));
      BOOST_TEST(actual.improved == expected.improved);
      BOOST_TEST(actual.should_stop == expected.should_stop);
    }
    BOOST_TEST(restored.best_step() == continued.best_step());
    BOOST_TEST(*restored.best_value() == *continued.best_value());
    BOOST_TEST(restored.state().evals_without_improvement
               == continued.state().evals_without_improvement);
  }
}

BOOST_AUTO_TEST_CASE(mode_names_and_bad_config) {
  BOOST_TEST((metric_mode_from_name("max") == metric_mode::max));
  BOOST_TEST((metric_mode_from_name("min") == metric_mode::min));
  BOOST_TEST(!metric_mode_from_name("maximum").has_value());
  BOOST_TEST(metric_mode_name(metric_mode::max) == "max");
  BOOST_CHECK_THROW(early_stopping({metric_mode::min, -1, 0.0}), std::invalid_argument);
  BOOST_CHECK_THROW(early_stopping({metric_mode::min, 1, -0.1}), std::invalid_argument);
  BOOST_CHECK_THROW(nlohmann::json({{"has_best", true}}).get<early_stopping_state>(),
                    nlohmann::json::exception);
}

BOOST_AUTO_TEST_SUITE_END()
