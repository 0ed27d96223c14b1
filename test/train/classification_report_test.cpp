// Classification report against scikit-learn 1.9.1: every expected number and text below
// was printed by sklearn.metrics with labels=range(K) (see each case's comment), including
// a class never predicted and classes absent from the true labels.
#include "runtime/train/classification_report.hpp"

#include <boost/test/unit_test.hpp>

using namespace axon::train;

namespace {

struct sklearn_case {
  std::vector<std::string> names;
  std::vector<std::int32_t> y_true, y_pred;
  std::vector<double> precision, recall, f1;
  std::vector<std::int64_t> support;
  double macro_precision, macro_recall, macro_f1;
  double weighted_precision, weighted_recall, weighted_f1;
  double accuracy;
  std::vector<std::vector<std::int64_t>> confusion;
  std::string sklearn_text;  // classification_report(..., digits=4)
};

// Values from precision_recall_fscore_support(y_true, y_pred, labels=labels) with
// average=None / "macro" / "weighted", accuracy_score, confusion_matrix(labels=labels) and
// classification_report(y_true, y_pred, labels=labels, target_names=names, digits=4).
std::vector<sklearn_case> sklearn_cases() {
  return {
    // Three classes, all predicted and present.
    {{"negative", "neutral", "positive"},
     {0, 1, 2, 2, 1, 0, 1, 1, 2, 0, 2, 1},
     {0, 1, 2, 1, 1, 0, 2, 1, 2, 1, 2, 1},
     {1.0, 0.6666666666666666, 0.75},
     {0.6666666666666666, 0.8, 0.75},
     {0.8, 0.7272727272727273, 0.75},
     {3, 5, 4},
     0.8055555555555555, 0.7388888888888889, 0.7590909090909091,
     0.7777777777777777, 0.75, 0.753030303030303,
     0.75,
     {{2, 1, 0}, {0, 4, 1}, {0, 1, 3}},
     "              precision    recall  f1-score   support\n\n"
     "    negative     1.0000    0.6667    0.8000         3\n"
     "     neutral     0.6667    0.8000    0.7273         5\n"
     "    positive     0.7500    0.7500    0.7500         4\n\n"
     "    accuracy                         0.7500        12\n"
     "   macro avg     0.8056    0.7389    0.7591        12\n"
     "weighted avg     0.7778    0.7500    0.7530        12\n"},
    // Class "c" is never predicted: its precision is 0/0 -> 0.
    {{"a", "b", "c"},
     {0, 0, 1, 1, 2, 2, 2},
     {0, 1, 1, 1, 0, 0, 1},
     {0.3333333333333333, 0.5, 0.0},
     {0.5, 1.0, 0.0},
     {0.4, 0.6666666666666666, 0.0},
     {2, 2, 3},
     0.27777777777777773, 0.5, 0.35555555555555557,
     0.23809523809523808, 0.42857142857142855, 0.30476190476190473,
     0.42857142857142855,
     {{1, 1, 0}, {0, 2, 0}, {2, 1, 0}},
     "              precision    recall  f1-score   support\n\n"
     "           a     0.3333    0.5000    0.4000         2\n"
     "           b     0.5000    1.0000    0.6667         2\n"
     "           c     0.0000    0.0000    0.0000         3\n\n"
     "    accuracy                         0.4286         7\n"
     "   macro avg     0.2778    0.5000    0.3556         7\n"
     "weighted avg     0.2381    0.4286    0.3048         7\n"},
    // Class "bird" is predicted but absent from the true labels: its recall is 0/0 -> 0.
    {{"cat", "dog", "bird"},
     {0, 0, 1, 1, 0, 1},
     {0, 2, 1, 2, 0, 1},
     {1.0, 1.0, 0.0},
     {0.6666666666666666, 0.6666666666666666, 0.0},
     {0.8, 0.8, 0.0},
     {3, 3, 0},
     0.6666666666666666, 0.4444444444444444, 0.5333333333333333,
     1.0, 0.6666666666666666, 0.8000000000000002,
     0.6666666666666666,
     {{2, 0, 1}, {0, 2, 1}, {0, 0, 0}},
     "              precision    recall  f1-score   support\n\n"
     "         cat     1.0000    0.6667    0.8000         3\n"
     "         dog     1.0000    0.6667    0.8000         3\n"
     "        bird     0.0000    0.0000    0.0000         0\n\n"
     "    accuracy                         0.6667         6\n"
     "   macro avg     0.6667    0.4444    0.5333         6\n"
     "weighted avg     1.0000    0.6667    0.8000         6\n"},
    // A name longer than "weighted avg" widens the first column; "unused" is neither true
    // nor predicted (F1 0/0 -> 0).
    {{"a_very_long_label_name", "x", "unused"},
     {0, 1, 1, 0, 0},
     {0, 1, 0, 0, 1},
     {0.6666666666666666, 0.5, 0.0},
     {0.6666666666666666, 0.5, 0.0},
     {0.6666666666666666, 0.5, 0.0},
     {3, 2, 0},
     0.38888888888888884, 0.38888888888888884, 0.38888888888888884,
     0.6, 0.6, 0.6,
     0.6,
     {{2, 1, 0}, {1, 1, 0}, {0, 0, 0}},
     "                        precision    recall  f1-score   support\n\n"
     "a_very_long_label_name     0.6667    0.6667    0.6667         3\n"
     "                     x     0.5000    0.5000    0.5000         2\n"
     "                unused     0.0000    0.0000    0.0000         0\n\n"
     "              accuracy                         0.6000         5\n"
     "             macro avg     0.3889    0.3889    0.3889         5\n"
     "          weighted avg     0.6000    0.6000    0.6000         5\n"},
  };
}

classification_report report_of(const sklearn_case& expected) {
  classification_report report(expected.names);
  for (std::size_t i = 0; i < expected.y_true.size(); ++i)
    report.add(expected.y_true[i], expected.y_pred[i]);
  return report;
}

constexpr double tolerance = 1e-12;

} // namespace

BOOST_AUTO_TEST_SUITE(classification_report_suite)

BOOST_AUTO_TEST_CASE(numbers_match_sklearn) {
  for (const auto& expected : sklearn_cases()) {
    BOOST_TEST_CONTEXT("classes " << expected.names[0] << ", ...") {
      auto report = report_of(expected);
      BOOST_TEST(report.accuracy() == expected.accuracy, boost::test_tools::tolerance(tolerance));
      for (std::size_t k = 0; k < expected.names.size(); ++k) {
        auto metrics = report.metrics_of(k);
        BOOST_TEST(metrics.precision == expected.precision[k], boost::test_tools::tolerance(tolerance));
        BOOST_TEST(metrics.recall == expected.recall[k], boost::test_tools::tolerance(tolerance));
        BOOST_TEST(metrics.f1 == expected.f1[k], boost::test_tools::tolerance(tolerance));
        BOOST_TEST(metrics.support == expected.support[k]);
      }
      auto macro = report.macro_average();
      BOOST_TEST(macro.precision == expected.macro_precision, boost::test_tools::tolerance(tolerance));
      BOOST_TEST(macro.recall == expected.macro_recall, boost::test_tools::tolerance(tolerance));
      BOOST_TEST(macro.f1 == expected.macro_f1, boost::test_tools::tolerance(tolerance));
      auto weighted = report.weighted_average();
      BOOST_TEST(weighted.precision == expected.weighted_precision, boost::test_tools::tolerance(tolerance));
      BOOST_TEST(weighted.recall == expected.weighted_recall, boost::test_tools::tolerance(tolerance));
      BOOST_TEST(weighted.f1 == expected.weighted_f1, boost::test_tools::tolerance(tolerance));
      BOOST_TEST(report.confusion() == expected.confusion);
    }
  }
}

BOOST_AUTO_TEST_CASE(text_starts_with_sklearn_report_then_confusion_matrix) {
  for (const auto& expected : sklearn_cases()) {
    auto text = report_of(expected).to_text();
    BOOST_TEST(text.substr(0, expected.sklearn_text.size()) == expected.sklearn_text);
  }
  auto text = report_of(sklearn_cases()[0]).to_text();
  std::string confusion_text = "\nconfusion matrix (rows: true, columns: predicted)\n"
                               "          negative  neutral  positive\n"
                               "negative         2        1         0\n"
                               " neutral         0        4         1\n"
                               "positive         0        1         3\n";
  BOOST_TEST(text.substr(sklearn_cases()[0].sklearn_text.size()) == confusion_text);
}

BOOST_AUTO_TEST_CASE(digits_change_precision_of_the_text) {
  // classification_report(y_true, y_pred, labels=[0,1,2], target_names=names, digits=2)
  // for the first case gives these rows.
  auto text = report_of(sklearn_cases()[0]).to_text(2);
  BOOST_TEST(text.find("    negative       1.00      0.67      0.80         3\n") != std::string::npos);
  BOOST_TEST(text.find("    accuracy                           0.75        12\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(json_has_loss_accuracy_per_class_and_confusion) {
  auto expected = sklearn_cases()[1];
  auto report = report_of(expected);
  BOOST_TEST(report.to_json()["loss"].is_null());
  report.add_loss(0.5, 3);  // mean 0.5 over 3 examples
  report.add_loss(1.0, 1);
  BOOST_TEST(report.has_loss());
  BOOST_TEST(report.mean_loss() == 2.5 / 4, boost::test_tools::tolerance(tolerance));

  auto json = report.to_json();
  BOOST_TEST(json["loss"].get<double>() == 0.625, boost::test_tools::tolerance(tolerance));
  BOOST_TEST(json["accuracy"].get<double>() == expected.accuracy, boost::test_tools::tolerance(tolerance));
  BOOST_TEST(json["macro_f1"].get<double>() == expected.macro_f1, boost::test_tools::tolerance(tolerance));
  BOOST_TEST(json["per_class"]["b"]["precision"].get<double>() == 0.5);
  BOOST_TEST(json["per_class"]["b"]["recall"].get<double>() == 1.0);
  BOOST_TEST(json["per_class"]["c"]["f1"].get<double>() == 0.0);
  BOOST_TEST(json["per_class"]["c"]["support"].get<std::int64_t>() == 3);
  BOOST_TEST(json["confusion"].get<std::vector<std::vector<std::int64_t>>>() == expected.confusion);
  BOOST_TEST(json["class_names"].get<std::vector<std::string>>() == expected.names);
}

BOOST_AUTO_TEST_CASE(empty_report_is_all_zero) {
  classification_report report({"a", "b"});
  BOOST_TEST(report.accuracy() == 0.0);
  BOOST_TEST(report.weighted_average().f1 == 0.0);
  BOOST_TEST(report.mean_loss() == 0.0);
  BOOST_TEST(!report.has_loss());
}

BOOST_AUTO_TEST_CASE(rejects_bad_labels_and_no_classes) {
  classification_report report({"a", "b"});
  BOOST_CHECK_THROW(report.add(2, 0), std::out_of_range);
  BOOST_CHECK_THROW(report.add(0, -1), std::out_of_range);
  BOOST_TEST(report.example_count() == 0);
  BOOST_CHECK_THROW(classification_report({}), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
