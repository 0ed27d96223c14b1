// Classification metrics and their scikit-learn text layout (see classification_report.hpp).
#include "runtime/train/classification_report.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace axon::train {

namespace {

double ratio_or_zero(double numerator, double denominator) {
  return denominator == 0 ? 0.0 : numerator / denominator;
}

/// printf into a std::string.
template <class... Args>
std::string printf_string(const char* format, Args... args) {
  int length = std::snprintf(nullptr, 0, format, args...);
  std::string out(static_cast<std::size_t>(length), '\0');
  std::snprintf(out.data(), out.size() + 1, format, args...);
  return out;
}

} // namespace

classification_report::classification_report(std::vector<std::string> class_names)
  : class_names_(std::move(class_names)),
    confusion_(class_names_.size(), std::vector<std::int64_t>(class_names_.size(), 0)) {
  if (class_names_.empty())
    throw std::invalid_argument("classification_report: no classes");
}

void classification_report::add(std::int32_t true_label, std::int32_t predicted_label) {
  auto class_count = static_cast<std::int32_t>(class_names_.size());
  if (true_label < 0 || true_label >= class_count || predicted_label < 0
      || predicted_label >= class_count)
    throw std::out_of_range("classification_report: label " + std::to_string(true_label) + " / "
                            + std::to_string(predicted_label) + " outside [0, "
                            + std::to_string(class_count) + ")");
  ++confusion_[true_label][predicted_label];
  ++example_count_;
}

void classification_report::add_loss(double mean_loss_of_examples, std::int64_t example_count) {
  loss_sum_ += mean_loss_of_examples * static_cast<double>(example_count);
  loss_example_count_ += example_count;
}

double classification_report::accuracy() const {
  std::int64_t correct = 0;
  for (std::size_t k = 0; k < class_names_.size(); ++k)
    correct += confusion_[k][k];
  return ratio_or_zero(static_cast<double>(correct), static_cast<double>(example_count_));
}

class_metrics classification_report::metrics_of(std::size_t class_index) const {
  std::int64_t true_positives = confusion_.at(class_index)[class_index];
  std::int64_t predicted_count = 0;  // column sum
  std::int64_t support = 0;          // row sum
  for (std::size_t k = 0; k < class_names_.size(); ++k) {
    predicted_count += confusion_[k][class_index];
    support += confusion_[class_index][k];
  }
  auto tp = static_cast<double>(true_positives);
  class_metrics out;
  out.support = support;
  out.precision = ratio_or_zero(tp, static_cast<double>(predicted_count));
  out.recall = ratio_or_zero(tp, static_cast<double>(support));
  // F1 as scikit-learn >= 1.3 computes it: 2 tp / (2 tp + fp + fn).
  out.f1 = ratio_or_zero(2 * tp, static_cast<double>(predicted_count + support));
  return out;
}

averaged_metrics classification_report::macro_average() const {
  averaged_metrics out;
  for (std::size_t k = 0; k < class_names_.size(); ++k) {
    auto metrics = metrics_of(k);
    out.precision += metrics.precision;
    out.recall += metrics.recall;
    out.f1 += metrics.f1;
  }
  auto class_count = static_cast<double>(class_names_.size());
  return {out.precision / class_count, out.recall / class_count, out.f1 / class_count};
}

averaged_metrics classification_report::weighted_average() const {
  averaged_metrics out;
  std::int64_t total_support = 0;
  for (std::size_t k = 0; k < class_names_.size(); ++k) {
    auto metrics = metrics_of(k);
    auto weight = static_cast<double>(metrics.support);
    out.precision += metrics.precision * weight;
    out.recall += metrics.recall * weight;
    out.f1 += metrics.f1 * weight;
    total_support += metrics.support;
  }
  auto total = static_cast<double>(total_support);
  return {ratio_or_zero(out.precision, total), ratio_or_zero(out.recall, total),
          ratio_or_zero(out.f1, total)};
}

double classification_report::mean_loss() const {
  return ratio_or_zero(loss_sum_, static_cast<double>(loss_example_count_));
}

std::string classification_report::to_text(int digits) const {
  // Layout of sklearn.metrics.classification_report: a name column as wide as the longest
  // of the names, "weighted avg" and `digits`, then four columns of width 9, one space
  // after the name column and one before each number column.
  int name_width = static_cast<int>(std::string("weighted avg").size());
  for (const auto& name : class_names_)
    name_width = std::max(name_width, static_cast<int>(name.size()));
  name_width = std::max(name_width, digits);

  auto row = [&](const std::string& heading, double precision, double recall, double f1,
                 std::int64_t support) {
    return printf_string("%*s  %9.*f %9.*f %9.*f %9lld\n", name_width, heading.c_str(), digits,
                         precision, digits, recall, digits, f1,
                         static_cast<long long>(support));
  };

  std::string text = printf_string("%*s  %9s %9s %9s %9s\n\n", name_width, "", "precision",
                                   "recall", "f1-score", "support");
  for (std::size_t k = 0; k < class_names_.size(); ++k) {
    auto metrics = metrics_of(k);
    text += row(class_names_[k], metrics.precision, metrics.recall, metrics.f1, metrics.support);
  }
  text += "\n";
  text += printf_string("%*s  %9s %9s %9.*f %9lld\n", name_width, "accuracy", "", "", digits,
                        accuracy(), static_cast<long long>(example_count_));
  auto macro = macro_average();
  text += row("macro avg", macro.precision, macro.recall, macro.f1, example_count_);
  auto weighted = weighted_average();
  text += row("weighted avg", weighted.precision, weighted.recall, weighted.f1, example_count_);

  // Confusion matrix: each column as wide as its class name or its largest count.
  text += "\nconfusion matrix (rows: true, columns: predicted)\n";
  int row_name_width = 0;
  for (const auto& name : class_names_)
    row_name_width = std::max(row_name_width, static_cast<int>(name.size()));
  std::vector<int> column_widths;
  for (std::size_t column = 0; column < class_names_.size(); ++column) {
    int width = static_cast<int>(class_names_[column].size());
    for (std::size_t row_index = 0; row_index < class_names_.size(); ++row_index)
      width = std::max(width, static_cast<int>(std::to_string(confusion_[row_index][column]).size()));
    column_widths.push_back(width);
  }
  text += printf_string("%*s", row_name_width, "");
  for (std::size_t column = 0; column < class_names_.size(); ++column)
    text += printf_string("  %*s", column_widths[column], class_names_[column].c_str());
  text += "\n";
  for (std::size_t row_index = 0; row_index < class_names_.size(); ++row_index) {
    text += printf_string("%*s", row_name_width, class_names_[row_index].c_str());
    for (std::size_t column = 0; column < class_names_.size(); ++column)
      text += printf_string("  %*lld", column_widths[column],
                            static_cast<long long>(confusion_[row_index][column]));
    text += "\n";
  }
  return text;
}

nlohmann::json classification_report::to_json() const {
  nlohmann::json per_class = nlohmann::json::object();
  for (std::size_t k = 0; k < class_names_.size(); ++k) {
    auto metrics = metrics_of(k);
    per_class[class_names_[k]] = {{"precision", metrics.precision},
                                  {"recall", metrics.recall},
                                  {"f1", metrics.f1},
                                  {"support", metrics.support}};
  }
  return {{"loss", has_loss() ? nlohmann::json(mean_loss()) : nlohmann::json(nullptr)},
          {"accuracy", accuracy()},
          {"macro_f1", macro_average().f1},
          {"per_class", per_class},
          {"confusion", confusion_},
          {"class_names", class_names_}};
}

} // namespace axon::train
