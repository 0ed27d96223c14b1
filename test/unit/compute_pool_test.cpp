// compute_pool: every index is visited once, chunks are contiguous, sums are deterministic.
#include "runtime/compute_pool.hpp"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cmath>
#include <thread>
#include <vector>

using namespace axon;

BOOST_AUTO_TEST_SUITE(compute_pool_suite)

BOOST_AUTO_TEST_CASE(parallel_for_visits_every_index_once) {
  for (int threads : {1, 2, 3}) {
    compute_pool pool{threads};
    compute_pool::scope use{&pool};
    for (std::int64_t n : {0, 1, 5, 1000}) {
      std::vector<std::atomic<int>> hits(n);
      parallel_for(n, 1, [&](std::int64_t begin, std::int64_t end) {
        for (auto i = begin; i < end; ++i)
          hits[i]++;
      });
      for (auto& h : hits)
        BOOST_TEST(h.load() == 1);
    }
  }
}

BOOST_AUTO_TEST_CASE(nested_calls_run_inline_and_pool_is_reusable) {
  compute_pool pool{2};
  compute_pool::scope use{&pool};
  std::atomic<int> total{0};
  for (int round = 0; round < 200; ++round)
    parallel_for(4, 1, [&](std::int64_t begin, std::int64_t end) {
      for (auto i = begin; i < end; ++i)
        parallel_for(10, 1, [&](std::int64_t b, std::int64_t e) { total += int(e - b); });
    });
  BOOST_TEST(total.load() == 200 * 4 * 10);
}

BOOST_AUTO_TEST_CASE(concurrent_callers_share_the_pool) {
  // Two threads (like two stage actors) run jobs on one pool at the same time.
  compute_pool pool{2};
  std::atomic<std::int64_t> sums[2] = {0, 0};
  auto caller = [&](int who) {
    compute_pool::scope use{&pool};
    compute_pool::busy_section busy{&pool};
    for (int round = 0; round < 300; ++round)
      parallel_for(1000, 10, [&](std::int64_t b, std::int64_t e) {
        std::int64_t s = 0;
        for (auto i = b; i < e; ++i)
          s += i;
        sums[who] += s;
      });
  };
  std::thread first{caller, 0}, second{caller, 1};
  first.join();
  second.join();
  BOOST_TEST(sums[0].load() == 300 * 999 * 1000 / 2);
  BOOST_TEST(sums[1].load() == 300 * 999 * 1000 / 2);
}

BOOST_AUTO_TEST_CASE(accumulate_is_independent_of_thread_timing) {
  std::vector<float> values(100000);
  for (std::size_t i = 0; i < values.size(); ++i)
    values[i] = std::sin(float(i)) * 1e3f;
  compute_pool pool{2};
  compute_pool::scope use{&pool};
  auto sum_once = [&] {
    return parallel_accumulate(std::int64_t(values.size()), 100, 1,
                               [&](std::int64_t b, std::int64_t e, double* partial) {
                                 for (auto i = b; i < e; ++i)
                                   partial[0] += values[i];
                               })[0];
  };
  auto first = sum_once();
  for (int round = 0; round < 20; ++round)
    BOOST_TEST(sum_once() == first); // bitwise
}

BOOST_AUTO_TEST_CASE(caller_exceptions_propagate) {
  compute_pool pool{2};
  compute_pool::scope use{&pool};
  BOOST_CHECK_THROW(parallel_for(10, 1,
                                 [](std::int64_t begin, std::int64_t) {
                                   if (begin == 0)
                                     throw std::runtime_error("first chunk fails");
                                 }),
                    std::runtime_error);
  BOOST_CHECK_THROW(compute_pool{0}, std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
