// Seeded stratified train/dev/test split for data that comes without one: each label's
// rows are shuffled and cut by the ratios, so every split keeps the label proportions.
// The same seed gives the same split on any machine (seeded_random.hpp).
#pragma once

#include "runtime/data/labelled_data.hpp"

#include <cstdint>
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

/// Throws data_error for negative ratios or ratios summing to zero; they are normalised.
split_indices stratified_split(const std::vector<std::int32_t>& labels, split_ratios ratios,
                               std::uint64_t seed);

/// The rows `rows` of `data` (same label names; no skip information).
labelled_dataset select_rows(const labelled_dataset& data, const std::vector<std::size_t>& rows);

} // namespace axon::data
