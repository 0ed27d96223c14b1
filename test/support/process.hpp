// Helpers for tests that run real processes: a temporary folder removed at the end, a
// command run to completion with its output, and a child process that is killed and
// reaped when its handle goes out of scope.
#pragma once

#include "test/support/temp_dir.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace axon::test {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

/// The `axon` command of this build, or $AXON_COMMAND when set (the device check runs the
/// GPU tests from a bundle, away from the build folder: scripts/gpu-check.sh).
inline const std::string axon_command = [] {
  const char* set = std::getenv("AXON_COMMAND");
  return set && *set ? std::string{set} : std::string{AXON_BINARY_DIR "/bin/axon"};
}();

/// A child process (argv[0] is the program) with stdout and stderr going to `log`.
class child {
public:
  child(std::vector<std::string> argv, fs::path log) : log_(std::move(log)) {
    pid_ = ::fork();
    if (pid_ == 0) {
      auto fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      std::vector<char*> args;
      for (auto& a : argv)
        args.push_back(a.data());
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
  }
  ~child() {
    if (pid_ > 0 && status_ < 0) {
      ::kill(pid_, SIGCONT);
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  child(const child&) = delete;
  child& operator=(const child&) = delete;

  pid_t pid() const { return pid_; }
  std::string output() const {
    std::ifstream in{log_};
    return {std::istreambuf_iterator<char>{in}, {}};
  }
  /// Waits until the output contains `text`; false after `limit` or if the process ended.
  bool wait_for(const std::string& text, std::chrono::milliseconds limit) {
    for (auto end = clock_type::now() + limit; clock_type::now() < end;) {
      if (output().find(text) != std::string::npos)
        return true;
      if (finished(0ms))
        return output().find(text) != std::string::npos;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }
  /// Whether the process ended within `limit` (its exit status is then status()).
  bool finished(std::chrono::milliseconds limit) {
    for (auto end = clock_type::now() + limit; status_ < 0;) {
      int raw = 0;
      if (::waitpid(pid_, &raw, WNOHANG) == pid_)
        status_ = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
      else if (clock_type::now() >= end)
        return false;
      else
        std::this_thread::sleep_for(10ms);
    }
    return true;
  }
  int status() const { return status_; }

private:
  fs::path log_;
  pid_t pid_ = -1;
  int status_ = -1;
};

/// A shell command's exit status (-1 when killed by a signal) and its stdout + stderr.
struct run_result {
  int status;
  std::string output;
};

inline run_result run(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe))
    output += buffer;
  int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

/// run(command), with its output kept in `log`, and the largest resident set (KiB) that
/// the command's processes reached (wait4's rusage covers the shell and what it waited for).
struct measured_run {
  run_result result;
  long max_rss_kib = 0;
};
inline measured_run run_measured(const std::string& command, const fs::path& log) {
  const auto shell = command + " > '" + log.string() + "' 2>&1";
  const auto pid = ::fork();
  if (pid == 0) {
    ::execl("/bin/sh", "sh", "-c", shell.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  struct rusage usage {};
  ::wait4(pid, &status, 0, &usage);
  std::ifstream in{log};
  std::string output{std::istreambuf_iterator<char>{in}, {}};
  return {{WIFEXITED(status) ? WEXITSTATUS(status) : -1, output}, usage.ru_maxrss};
}

/// The events of RUN_DIR/metrics.jsonl whose "event" is `kind`. A line still being
/// written by a running job (not yet valid JSON) is skipped.
inline std::vector<nlohmann::json> events(const fs::path& run_dir, const std::string& kind) {
  std::vector<nlohmann::json> out;
  std::ifstream in{run_dir / "metrics.jsonl"};
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_discarded() && j["event"] == kind)
      out.push_back(j);
  }
  return out;
}

/// Waits until RUN_DIR/metrics.jsonl holds an event of `kind`; false after `limit`.
inline bool wait_for_event(const fs::path& run_dir, const std::string& kind,
                           std::chrono::milliseconds limit) {
  for (auto end = clock_type::now() + limit; clock_type::now() < end;) {
    if (!events(run_dir, kind).empty())
      return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

/// RUN_DIR/ledger.jsonl, a JSON object per applied step ("step", "epoch", "samples").
inline std::vector<nlohmann::json> ledger(const fs::path& run_dir) {
  std::vector<nlohmann::json> lines;
  std::ifstream in{run_dir / "ledger.jsonl"};
  for (std::string line; std::getline(in, line);)
    lines.push_back(nlohmann::json::parse(line));
  return lines;
}

/// Whether every epoch of `lines` applied each of the `train_rows` examples exactly once
/// ("" when so, else what is wrong); `epochs` is how many there must be.
inline std::string exactly_once_problem(const std::vector<nlohmann::json>& lines,
                                        std::size_t epochs, std::size_t train_rows) {
  std::map<std::int64_t, std::multiset<int>> per_epoch;
  for (const auto& line : lines)
    for (int sample : line["samples"])
      per_epoch[line["epoch"].get<std::int64_t>()].insert(sample);
  if (per_epoch.size() != epochs)
    return std::to_string(per_epoch.size()) + " epochs in the ledger, not " + std::to_string(epochs);
  for (const auto& [epoch, samples] : per_epoch) {
    auto distinct = std::set<int>(samples.begin(), samples.end()).size();
    if (samples.size() != train_rows || distinct != train_rows)
      return "epoch " + std::to_string(epoch) + " applied " + std::to_string(samples.size())
             + " samples (" + std::to_string(distinct) + " distinct) of "
             + std::to_string(train_rows);
  }
  return "";
}

} // namespace axon::test
