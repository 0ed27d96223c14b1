// Threads the system will not start: probe_threads names the setting instead of failing,
// and a compute_pool that cannot start all its workers throws (stopping the started ones)
// instead of ending the process in std::terminate.
#include "runtime/compute_pool.hpp"
#include "runtime/thread_probe.hpp"
#include "test/support/address_space.hpp"

#include <boost/test/unit_test.hpp>

#include <system_error>

using namespace axon;

namespace {
constexpr rlim_t small = rlim_t{1} << 30; // 1 GiB: about 120 thread stacks of 8 MiB
}

BOOST_AUTO_TEST_SUITE(thread_limits)

BOOST_AUTO_TEST_CASE(probing_threads_that_can_start_finds_no_problem) {
  BOOST_TEST(probe_threads(8, "train.threads", 4) == "");
}

BOOST_AUTO_TEST_CASE(probing_more_threads_than_fit_names_the_setting) {
  if (!test::address_space_limits_work)
    return;
  const int status = test::in_small_address_space(small, [] {
    const auto problem = probe_threads(2000, "train.threads", 1000);
    return problem.find("train.threads = 1000") != std::string::npos
               && problem.find("cannot start 2000 threads") != std::string::npos
             ? 0 : 3;
  });
  BOOST_TEST(WIFEXITED(status));
  BOOST_TEST(WEXITSTATUS(status) == 0);
}

BOOST_AUTO_TEST_CASE(a_pool_whose_threads_cannot_start_throws_instead_of_aborting) {
  if (!test::address_space_limits_work)
    return;
  const int status = test::in_small_address_space(small, [] {
    try {
      compute_pool pool{2000};
      return 4; // every thread started: the limit did not bite
    } catch (const std::system_error&) {
      return 0;
    }
  });
  BOOST_TEST_INFO("a signal here is std::terminate: the started workers were not joined");
  BOOST_TEST(WIFEXITED(status));
  BOOST_TEST(WEXITSTATUS(status) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
