// Seeded stratified train/dev/test split for data that comes without one: each label's
// rows are shuffled and cut by the ratios, so every split keeps the label proportions.
// The same seed gives the same split on any machine (seeded_random.hpp).
#pragma once

#include "runtime/data/labelled_data.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace axon::data {

struct split_ratios {
  double train = 0.8;
  double dev = 0.1;
  double test = 0.1;
};

/// Row indices of each split, ascending (file order).
struct split_indices {
  std::vector<std::size_t> train, dev, test;
};

/// What data.split's rule says of `ratios`, "" when it holds: three (train, dev, test)
/// summing to 1. The config (train_rules.cpp) and `axon data split --split` both ask it, so
/// the flag takes what the key takes; each ratio's range, (0, 1), is the key's
/// (train_schema.cpp). Inline: the config library, which checks data.split, does not link
/// this one.
inline std::string split_ratios_problem(const std::vector<double>& ratios) {
  double sum = 0;
  for (double r : ratios)
    sum += r;
  if (ratios.size() == 3 && std::abs(sum - 1) <= 1e-6)
    return "";
  char digits[32]; // the shortest text that reads back as the sum, as config values print
  std::string sum_text(digits, std::to_chars(digits, digits + sizeof digits, sum).ptr);
  if (sum_text.find_first_of(".e") == std::string::npos)
    sum_text += ".0";
  return "data.split needs three ratios (train, dev, test) summing to 1, got " +
         std::to_string(ratios.size()) + " summing to " + sum_text;
}

/// Throws data_error for negative ratios or ratios summing to zero; they are normalised.
split_indices stratified_split(const std::vector<std::int32_t>& labels, split_ratios ratios,
                               std::uint64_t seed);

/// Throws data_error when `split` left a part whose ratio is positive without rows: `file`'s
/// `rows` rows over `labels` labels are too few to cut by label. `axon train` (data.path)
/// and `axon data split` refuse such a split alike.
void require_rows_in_every_part(const split_indices& split, split_ratios ratios,
                                const std::string& file, std::size_t rows, std::size_t labels);

/// The rows `rows` of `data` (same label names; no skip information).
labelled_dataset select_rows(const labelled_dataset& data, const std::vector<std::size_t>& rows);

} // namespace axon::data
