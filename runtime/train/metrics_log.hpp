// RUN_DIR/metrics.jsonl: one JSON object per line for each training event (train step,
// evaluation, early stop, test), written straight to the file after each line and fsynced
// on close; a resumed run first drops the lines written after its checkpoint's step.
#pragma once

#include "runtime/train/classification_report.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>

namespace axon::train {

class metrics_log {
public:
  /// Creates `path` (truncating an existing file) for a new run. Throws std::runtime_error.
  static metrics_log create(const std::filesystem::path& path);

  /// Opens `path` of an interrupted run resumed from step `last_step`: keeps its lines up
  /// to the first one whose "step" exceeds last_step or that is not a complete JSON object
  /// (a line cut by a crash), drops that line and all after it, and appends from there.
  /// A missing file is created. Throws std::runtime_error.
  static metrics_log open_for_resume(const std::filesystem::path& path, std::int64_t last_step);

  metrics_log(metrics_log&& other) noexcept;
  metrics_log& operator=(metrics_log&& other) noexcept;
  metrics_log(const metrics_log&) = delete;
  metrics_log& operator=(const metrics_log&) = delete;
  ~metrics_log();  // close(), errors ignored

  /// Writes `event.dump()` and a newline with one write(2). Throws std::runtime_error.
  void append(const nlohmann::json& event);

  /// fsyncs and closes; later appends throw. Throws std::runtime_error if fsync fails.
  void close();

  const std::filesystem::path& path() const { return path_; }

private:
  metrics_log(std::filesystem::path path, int file_descriptor);

  std::filesystem::path path_;
  int file_descriptor_ = -1;
};

/// {"event":"train","step","epoch","loss","lr","tokens_per_s"}
nlohmann::json train_event(std::int64_t step, int epoch, double loss, double lr,
                           double tokens_per_s);

/// {"event":"eval","split":split,"step","epoch"} merged with report.to_json().
nlohmann::json eval_event(const std::string& split, std::int64_t step, int epoch,
                          const classification_report& report);

/// {"event":"early_stop","step","best_step","best_value","metric"}
nlohmann::json early_stop_event(std::int64_t step, std::int64_t best_step, double best_value,
                                const std::string& metric);

/// {"event":"test","split":split,"step"} merged with report.to_json().
nlohmann::json test_event(const std::string& split, std::int64_t step,
                          const classification_report& report);

} // namespace axon::train
