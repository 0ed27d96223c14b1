// metrics.jsonl: one complete JSON object per line, readable while the log is open,
// doubles round-trip, event builders, and resume truncation after the checkpoint's step.
#include "runtime/train/metrics_log.hpp"

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <unistd.h>

using namespace axon::train;
namespace fs = std::filesystem;

namespace {

/// A fresh run directory for one test, removed at the end.
struct run_dir {
  fs::path path;
  explicit run_dir(const std::string& name)
    : path(fs::temp_directory_path()
           / ("axon_metrics_log_" + name + "_" + std::to_string(::getpid()))) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~run_dir() { fs::remove_all(path); }
};

std::vector<std::string> read_lines(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

std::vector<std::int64_t> steps_of(const fs::path& path) {
  std::vector<std::int64_t> steps;
  for (const auto& line : read_lines(path))
    steps.push_back(nlohmann::json::parse(line).at("step").get<std::int64_t>());
  return steps;
}

} // namespace

BOOST_AUTO_TEST_SUITE(metrics_log_suite)

BOOST_AUTO_TEST_CASE(lines_are_on_disk_after_each_append) {
  run_dir dir("append");
  auto path = dir.path / "metrics.jsonl";
  auto log = metrics_log::create(path);
  log.append(train_event(10, 1, 0.5, 2e-5, 1234.5));
  BOOST_TEST(read_lines(path).size() == 1u);  // visible before close
  log.append(train_event(20, 1, 0.25, 1.9e-5, 1200.0));
  log.close();
  BOOST_CHECK_THROW(log.append(train_event(30, 1, 0.1, 1e-5, 1.0)), std::runtime_error);

  auto lines = read_lines(path);
  BOOST_TEST_REQUIRE(lines.size() == 2u);
  auto first = nlohmann::json::parse(lines[0]);
  BOOST_TEST(first["event"] == "train");
  BOOST_TEST(first["step"] == 10);
  BOOST_TEST(first["epoch"] == 1);
  BOOST_TEST(first["loss"].get<double>() == 0.5);
  BOOST_TEST(first["lr"].get<double>() == 2e-5);
  BOOST_TEST(first["tokens_per_s"].get<double>() == 1234.5);
}

BOOST_AUTO_TEST_CASE(doubles_round_trip) {
  run_dir dir("round_trip");
  auto path = dir.path / "metrics.jsonl";
  std::vector<double> values = {0.1, 1.0 / 3.0, 1.977777777777778e-05, 6.02214076e23,
                                4.9406564584124654e-324};
  {
    auto log = metrics_log::create(path);
    for (double value : values)
      log.append({{"event", "train"}, {"step", 1}, {"loss", value}});
  }
  auto lines = read_lines(path);
  BOOST_TEST_REQUIRE(lines.size() == values.size());
  for (std::size_t i = 0; i < values.size(); ++i)
    BOOST_TEST(nlohmann::json::parse(lines[i])["loss"].get<double>() == values[i]);
}

BOOST_AUTO_TEST_CASE(create_truncates_an_old_file) {
  run_dir dir("create");
  auto path = dir.path / "metrics.jsonl";
  std::ofstream(path) << "{\"event\":\"train\",\"step\":1}\n";
  metrics_log::create(path).append(train_event(5, 1, 1.0, 0.0, 0.0));
  BOOST_TEST(steps_of(path) == std::vector<std::int64_t>{5});
}

BOOST_AUTO_TEST_CASE(event_builders) {
  classification_report report({"neg", "pos"});
  report.add(0, 0);
  report.add(1, 0);
  report.add_loss(0.7, 2);
  auto eval = eval_event("dev", 300, 2, report);
  BOOST_TEST(eval["event"] == "eval");
  BOOST_TEST(eval["split"] == "dev");
  BOOST_TEST(eval["step"] == 300);
  BOOST_TEST(eval["epoch"] == 2);
  BOOST_TEST(eval["accuracy"].get<double>() == 0.5);
  BOOST_TEST(eval["loss"].get<double>() == 0.7, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(eval["per_class"]["neg"]["support"] == 1);

  auto test = test_event("test", 900, report);
  BOOST_TEST(test["event"] == "test");
  BOOST_TEST(test["split"] == "test");
  BOOST_TEST(test["confusion"] == report.to_json()["confusion"]);

  auto stop = early_stop_event(900, 600, 0.91, "dev_macro_f1");
  BOOST_TEST(stop["event"] == "early_stop");
  BOOST_TEST(stop["best_step"] == 600);
  BOOST_TEST(stop["best_value"].get<double>() == 0.91);
  BOOST_TEST(stop["metric"] == "dev_macro_f1");
}

BOOST_AUTO_TEST_CASE(resume_keeps_lines_up_to_last_step) {
  run_dir dir("resume");
  auto path = dir.path / "metrics.jsonl";
  {
    auto log = metrics_log::create(path);
    for (std::int64_t step : {10, 20, 30, 40, 50})
      log.append(train_event(step, 1, 0.5, 1e-5, 100.0));
  }
  {
    auto log = metrics_log::open_for_resume(path, 30);
    BOOST_TEST(steps_of(path) == (std::vector<std::int64_t>{10, 20, 30}));
    log.append(train_event(40, 1, 0.4, 1e-5, 100.0));
  }
  BOOST_TEST(steps_of(path) == (std::vector<std::int64_t>{10, 20, 30, 40}));
  BOOST_TEST(!fs::exists(dir.path / "metrics.jsonl.resume"));
}

BOOST_AUTO_TEST_CASE(resume_drops_everything_after_the_first_later_or_cut_line) {
  run_dir dir("resume_cut");
  auto path = dir.path / "metrics.jsonl";
  // A line without "step" before the cut is kept; after it, dropped. A crash left the
  // last line cut in the middle.
  std::ofstream(path) << "{\"event\":\"start\"}\n"
                      << "{\"event\":\"train\",\"step\":10}\n"
                      << "{\"event\":\"eval\",\"step\":20}\n"
                      << "{\"event\":\"note\"}\n"
                      << "{\"event\":\"train\",\"ste";
  metrics_log::open_for_resume(path, 20).close();
  auto lines = read_lines(path);
  BOOST_TEST_REQUIRE(lines.size() == 4u);
  BOOST_TEST(lines[3] == "{\"event\":\"note\"}");

  metrics_log::open_for_resume(path, 15).close();
  BOOST_TEST(read_lines(path).size() == 2u);
}

BOOST_AUTO_TEST_CASE(resume_of_missing_file_creates_it) {
  run_dir dir("resume_missing");
  auto path = dir.path / "metrics.jsonl";
  metrics_log::open_for_resume(path, 100).append(train_event(101, 2, 0.3, 1e-5, 10.0));
  BOOST_TEST(steps_of(path) == std::vector<std::int64_t>{101});
}

BOOST_AUTO_TEST_CASE(missing_directory_throws) {
  BOOST_CHECK_THROW(metrics_log::create("/nonexistent_axon_dir/metrics.jsonl"),
                    std::runtime_error);
}

BOOST_AUTO_TEST_SUITE_END()
