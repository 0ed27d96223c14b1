// Stratified split (see split.hpp).
#include "runtime/data/split.hpp"

#include "runtime/data/seeded_random.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>

namespace axon::data {

split_indices stratified_split(const std::vector<std::int32_t>& labels, split_ratios ratios,
                               std::uint64_t seed) {
  if (ratios.train < 0 || ratios.dev < 0 || ratios.test < 0 ||
      ratios.train + ratios.dev + ratios.test <= 0)
    throw data_error("split ratios must be non-negative with a positive sum");
  const double total = ratios.train + ratios.dev + ratios.test;
  std::int32_t label_count = 0;
  for (auto label : labels)
    label_count = std::max(label_count, label + 1);
  std::vector<std::vector<std::size_t>> rows_of_label(label_count);
  for (std::size_t row = 0; row < labels.size(); ++row)
    rows_of_label[labels[row]].push_back(row);

  std::mt19937_64 rng(seed);
  split_indices split;
  for (auto& rows : rows_of_label) {
    seeded_shuffle(rows, rng);
    const auto n = static_cast<double>(rows.size());
    auto train = static_cast<std::size_t>(std::floor(n * ratios.train / total + 0.5));
    auto dev = static_cast<std::size_t>(std::floor(n * ratios.dev / total + 0.5));
    train = std::min(train, rows.size());
    dev = std::min(dev, rows.size() - train);
    if (ratios.test == 0) // rounding leftovers go to dev rather than to an unwanted test split
      dev = rows.size() - train;
    split.train.insert(split.train.end(), rows.begin(), rows.begin() + train);
    split.dev.insert(split.dev.end(), rows.begin() + train, rows.begin() + train + dev);
    split.test.insert(split.test.end(), rows.begin() + train + dev, rows.end());
  }
  for (auto* part : {&split.train, &split.dev, &split.test})
    std::sort(part->begin(), part->end());
  return split;
}

void require_rows_in_every_part(const split_indices& split, split_ratios ratios,
                                const std::string& file, std::size_t rows, std::size_t labels) {
  for (auto [name, share, part] : {std::tuple{"train", ratios.train, &split.train},
                                   {"dev", ratios.dev, &split.dev},
                                   {"test", ratios.test, &split.test}})
    if (share > 0 && part->empty())
      throw data_error(file + ": data.split gives the " + std::string{name} + " split no rows: "
                       + std::to_string(rows) + " rows over " + std::to_string(labels)
                       + " labels are too few to split by label; give more rows per label, or "
                         "data.dev and data.test");
}

labelled_dataset select_rows(const labelled_dataset& data, const std::vector<std::size_t>& rows) {
  labelled_dataset subset;
  subset.label_names = data.label_names;
  for (auto row : rows) {
    subset.texts.push_back(data.texts.at(row));
    subset.labels.push_back(data.labels.at(row));
    subset.source_lines.push_back(data.source_lines.at(row));
  }
  return subset;
}

} // namespace axon::data
