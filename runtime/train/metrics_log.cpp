// Append-only JSON-lines metrics file with resume truncation (see metrics_log.hpp).
#include "runtime/train/metrics_log.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <stdexcept>
#include <unistd.h>

namespace axon::train {

namespace {

[[noreturn]] void throw_system_error(const std::string& what, const std::filesystem::path& path) {
  throw std::runtime_error("metrics_log: " + what + " " + path.string() + ": "
                           + std::strerror(errno));
}

int open_file(const std::filesystem::path& path, int flags) {
  int file_descriptor = ::open(path.c_str(), flags | O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (file_descriptor < 0)
    throw_system_error("cannot open", path);
  return file_descriptor;
}

void write_all(int file_descriptor, const std::string& bytes, const std::filesystem::path& path) {
  std::size_t written = 0;
  while (written < bytes.size()) {
    ssize_t count = ::write(file_descriptor, bytes.data() + written, bytes.size() - written);
    if (count < 0 && errno == EINTR)
      continue;
    if (count < 0)
      throw_system_error("cannot write", path);
    written += static_cast<std::size_t>(count);
  }
}

/// True if `line` is a complete JSON object whose "step" (if any) is at most last_step.
bool keep_on_resume(const std::string& line, std::int64_t last_step) {
  auto event = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!event.is_object())
    return false;
  auto step = event.find("step");
  return step == event.end() || !step->is_number() || step->get<std::int64_t>() <= last_step;
}

} // namespace

metrics_log::metrics_log(std::filesystem::path path, int file_descriptor)
  : path_(std::move(path)), file_descriptor_(file_descriptor) {}

metrics_log metrics_log::create(const std::filesystem::path& path) {
  return metrics_log(path, open_file(path, O_TRUNC | O_APPEND));
}

metrics_log metrics_log::open_for_resume(const std::filesystem::path& path,
                                         std::int64_t last_step) {
  std::string kept;
  if (std::ifstream in{path}) {
    std::string line;
    // getline also returns a last line without its newline: a cut line fails to parse.
    while (std::getline(in, line) && keep_on_resume(line, last_step))
      kept += line + "\n";
  }
  // Write the kept lines to a sibling file and rename it over the old one, so a crash
  // here leaves either the old file or the truncated one.
  auto kept_path = path;
  kept_path += ".resume";
  int kept_descriptor = open_file(kept_path, O_TRUNC);
  write_all(kept_descriptor, kept, kept_path);
  if (::fsync(kept_descriptor) != 0 || ::close(kept_descriptor) != 0)
    throw_system_error("cannot sync", kept_path);
  std::error_code error;
  std::filesystem::rename(kept_path, path, error);
  if (error)
    throw std::runtime_error("metrics_log: cannot rename " + kept_path.string() + " to "
                             + path.string() + ": " + error.message());
  return metrics_log(path, open_file(path, O_APPEND));
}

metrics_log::metrics_log(metrics_log&& other) noexcept
  : path_(std::move(other.path_)), file_descriptor_(other.file_descriptor_) {
  other.file_descriptor_ = -1;
}

metrics_log& metrics_log::operator=(metrics_log&& other) noexcept {
  if (this != &other) {
    if (file_descriptor_ >= 0)
      ::close(file_descriptor_);
    path_ = std::move(other.path_);
    file_descriptor_ = other.file_descriptor_;
    other.file_descriptor_ = -1;
  }
  return *this;
}

metrics_log::~metrics_log() {
  if (file_descriptor_ >= 0) {
    ::fsync(file_descriptor_);
    ::close(file_descriptor_);
  }
}

void metrics_log::append(const nlohmann::json& event) {
  if (file_descriptor_ < 0)
    throw std::runtime_error("metrics_log: append after close to " + path_.string());
  write_all(file_descriptor_, event.dump() + "\n", path_);
}

void metrics_log::close() {
  if (file_descriptor_ < 0)
    return;
  int file_descriptor = file_descriptor_;
  file_descriptor_ = -1;
  bool synced = ::fsync(file_descriptor) == 0;
  if (::close(file_descriptor) != 0 || !synced)
    throw_system_error("cannot sync", path_);
}

nlohmann::json train_event(std::int64_t step, int epoch, double loss, double lr,
                           double tokens_per_s) {
  return {{"event", "train"}, {"step", step},         {"epoch", epoch},
          {"loss", loss},     {"lr", lr},             {"tokens_per_s", tokens_per_s}};
}

nlohmann::json eval_event(const std::string& split, std::int64_t step, int epoch,
                          const classification_report& report) {
  nlohmann::json event = {{"event", "eval"}, {"split", split}, {"step", step}, {"epoch", epoch}};
  event.update(report.to_json());
  return event;
}

nlohmann::json early_stop_event(std::int64_t step, std::int64_t best_step, double best_value,
                                const std::string& metric) {
  return {{"event", "early_stop"},
          {"step", step},
          {"best_step", best_step},
          {"best_value", best_value},
          {"metric", metric}};
}

nlohmann::json test_event(const std::string& split, std::int64_t step,
                          const classification_report& report) {
  nlohmann::json event = {{"event", "test"}, {"split", split}, {"step", step}};
  event.update(report.to_json());
  return event;
}

} // namespace axon::train
