// Helpers of the system tests that run the real `axon` binary: a shell command's exit
// status and output, and the events of a run's metrics.jsonl.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/wait.h>
#include <vector>

namespace cli_test {

struct result {
  int status;
  std::string output; // stdout and stderr
};

/// Runs `command` with sh, stderr into stdout.
inline result run(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe))
    output += buffer;
  int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

/// The events of RUN_DIR/metrics.jsonl whose "event" is `kind`. A line still being
/// written by a running job (not yet valid JSON) is skipped.
inline std::vector<nlohmann::json> events(const std::filesystem::path& run_dir,
                                          const std::string& kind) {
  std::vector<nlohmann::json> out;
  std::ifstream in{run_dir / "metrics.jsonl"};
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_discarded() && j["event"] == kind)
      out.push_back(j);
  }
  return out;
}

} // namespace cli_test
