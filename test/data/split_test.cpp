// Stratified split: deterministic for a seed (pinned values, so a platform that
// shuffles differently fails here), label proportions kept, ratios honoured; data.split's
// rule and the refusal of a part left without rows.
#include "runtime/data/split.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>

using namespace axon::data;

namespace {

/// 100 rows: 60 of label 0, 30 of label 1, 10 of label 2, interleaved.
std::vector<std::int32_t> labels() {
  std::vector<std::int32_t> out;
  for (int i = 0; i < 100; ++i)
    out.push_back(i % 10 < 6 ? 0 : i % 10 < 9 ? 1 : 2);
  return out;
}

std::size_t count_label(const std::vector<std::size_t>& rows, const std::vector<std::int32_t>& all,
                        std::int32_t label) {
  return std::count_if(rows.begin(), rows.end(), [&](auto row) { return all[row] == label; });
}

} // namespace

BOOST_AUTO_TEST_SUITE(split)

BOOST_AUTO_TEST_CASE(same_seed_same_split_pinned) {
  auto a = stratified_split(labels(), {}, 7);
  auto b = stratified_split(labels(), {}, 7);
  BOOST_TEST(a.train == b.train);
  BOOST_TEST(a.dev == b.dev);
  BOOST_TEST(a.test == b.test);
  // Pinned: std::mt19937_64(7) with our own Fisher-Yates and rejection sampling.
  BOOST_TEST(a.dev == (std::vector<std::size_t>{14, 15, 66, 67, 74, 79, 83, 91, 94, 98}));
  auto c = stratified_split(labels(), {}, 8);
  BOOST_TEST(a.dev != c.dev);
}

BOOST_AUTO_TEST_CASE(stratified_and_complete) {
  const auto all = labels();
  auto split = stratified_split(all, {}, 1);
  BOOST_TEST(split.train.size() == 80u);
  BOOST_TEST(split.dev.size() == 10u);
  BOOST_TEST(split.test.size() == 10u);
  BOOST_TEST(count_label(split.train, all, 0) == 48u);
  BOOST_TEST(count_label(split.train, all, 1) == 24u);
  BOOST_TEST(count_label(split.train, all, 2) == 8u);
  BOOST_TEST(count_label(split.dev, all, 0) == 6u);
  BOOST_TEST(count_label(split.test, all, 2) == 1u);
  std::vector<std::size_t> every;
  for (const auto* part : {&split.train, &split.dev, &split.test})
    every.insert(every.end(), part->begin(), part->end());
  std::sort(every.begin(), every.end());
  for (std::size_t i = 0; i < every.size(); ++i)
    BOOST_TEST(every[i] == i);
  BOOST_TEST(std::is_sorted(split.train.begin(), split.train.end()));
}

BOOST_AUTO_TEST_CASE(custom_ratios_and_errors) {
  const auto all = labels();
  auto split = stratified_split(all, {0.7, 0.3, 0.0}, 3);
  BOOST_TEST(split.train.size() == 70u);
  BOOST_TEST(split.dev.size() == 30u);
  BOOST_TEST(split.test.empty());
  BOOST_CHECK_THROW(stratified_split(all, {-1, 1, 1}, 3), data_error);
  BOOST_CHECK_THROW(stratified_split(all, {0, 0, 0}, 3), data_error);
}

// data.split's rule, which the config and `axon data split --split` both ask: three ratios
// summing to 1 (0.1,0.1,0.1 used to be rescaled by `axon data split`).
BOOST_AUTO_TEST_CASE(ratios_are_three_summing_to_one) {
  BOOST_TEST(split_ratios_problem({0.8, 0.1, 0.1}) == "");
  BOOST_TEST(split_ratios_problem({0.7, 0.2, 0.1000001}) == ""); // within 1e-6
  BOOST_TEST(split_ratios_problem({0.1, 0.1, 0.1}) ==
             "data.split needs three ratios (train, dev, test) summing to 1, got 3 summing to "
             "0.30000000000000004");
  BOOST_TEST(split_ratios_problem({0.9, 0.1}) ==
             "data.split needs three ratios (train, dev, test) summing to 1, got 2 summing to 1.0");
}

// A split that leaves a part with a positive ratio empty (too few rows per label) is
// refused with the message `axon train` gives for data.path.
BOOST_AUTO_TEST_CASE(a_part_left_without_rows_is_refused) {
  const std::vector<std::int32_t> ten{0, 1, 0, 1, 0, 1, 0, 1, 0, 1};
  const split_ratios ratios; // 0.8, 0.1, 0.1: 5 rows a label give 4 train, 1 dev, 0 test
  auto split = stratified_split(ten, ratios, 13);
  BOOST_TEST(split.test.empty());
  try {
    require_rows_in_every_part(split, ratios, "ten.tsv", 10, 2);
    BOOST_FAIL("an empty test split was accepted");
  } catch (const data_error& e) {
    BOOST_TEST(std::string{e.what()} ==
               "ten.tsv: data.split gives the test split no rows: 10 rows over 2 labels are too "
               "few to split by label; give more rows per label, or data.dev and data.test");
  }
  BOOST_CHECK_NO_THROW(
    require_rows_in_every_part(stratified_split(labels(), ratios, 13), ratios, "x", 100, 3));
  // A part with no share may stay empty.
  const split_ratios no_test{0.7, 0.3, 0.0};
  BOOST_CHECK_NO_THROW(
    require_rows_in_every_part(stratified_split(labels(), no_test, 3), no_test, "x", 100, 3));
}

BOOST_AUTO_TEST_CASE(select_rows_keeps_label_names) {
  labelled_dataset data;
  data.texts = {"a", "b", "c"};
  data.labels = {0, 1, 0};
  data.label_names = {"neg", "pos"};
  data.source_lines = {2, 3, 4};
  auto subset = select_rows(data, {2, 1});
  BOOST_TEST(subset.texts == (std::vector<std::string>{"c", "b"}));
  BOOST_TEST(subset.labels == (std::vector<std::int32_t>{0, 1}));
  BOOST_TEST(subset.label_names == data.label_names);
}

BOOST_AUTO_TEST_SUITE_END()
