// Classification metrics over (true label, predicted label) pairs: accuracy, per-class
// precision / recall / F1 / support, macro and weighted averages, confusion matrix, mean
// loss. Numbers and the text layout match scikit-learn's classification_report.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace axon::train {

/// Metrics of one class. A ratio whose denominator is zero is 0 (scikit-learn's default
/// zero_division="warn").
struct class_metrics {
  double precision = 0;
  double recall = 0;
  double f1 = 0;
  std::int64_t support = 0;  // examples whose true label is this class
};

/// Precision, recall and F1 averaged over classes (macro: plain mean; weighted: by support).
struct averaged_metrics {
  double precision = 0;
  double recall = 0;
  double f1 = 0;
};

class classification_report {
public:
  /// One name per class; labels are indices into it. Throws std::invalid_argument if empty.
  explicit classification_report(std::vector<std::string> class_names);

  /// Counts one example. Throws std::out_of_range for a label outside [0, class count).
  void add(std::int32_t true_label, std::int32_t predicted_label);

  /// Adds a loss that is the mean over `example_count` examples (mean_loss() weights by it).
  void add_loss(double mean_loss_of_examples, std::int64_t example_count = 1);

  const std::vector<std::string>& class_names() const { return class_names_; }
  std::int64_t example_count() const { return example_count_; }

  /// confusion()[true][predicted] = number of examples.
  const std::vector<std::vector<std::int64_t>>& confusion() const { return confusion_; }

  double accuracy() const;
  class_metrics metrics_of(std::size_t class_index) const;
  averaged_metrics macro_average() const;
  averaged_metrics weighted_average() const;

  bool has_loss() const { return loss_example_count_ > 0; }
  /// 0 when no loss was added.
  double mean_loss() const;

  /// scikit-learn's classification_report(digits) text, then a blank line and the
  /// confusion matrix with class names (rows = true, columns = predicted).
  std::string to_text(int digits = 4) const;

  /// {"loss" (null without losses), "accuracy", "macro_f1",
  ///  "per_class": {name: {"precision","recall","f1","support"}},
  ///  "confusion": [[..]] (rows = true), "class_names": [..] (order of the confusion rows)}.
  nlohmann::json to_json() const;

private:
  std::vector<std::string> class_names_;
  std::vector<std::vector<std::int64_t>> confusion_;
  std::int64_t example_count_ = 0;
  double loss_sum_ = 0;  // sum over examples of their loss
  std::int64_t loss_example_count_ = 0;
};

} // namespace axon::train
