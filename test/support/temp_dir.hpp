// A folder for one test's files: under the system's temporary folder, named after the
// test and this process (so that suites running in parallel never share one), removed
// with everything in it at the end.
#pragma once

#include <filesystem>
#include <string>
#include <unistd.h>

namespace axon::test {

struct temp_dir {
  std::filesystem::path path;
  explicit temp_dir(const std::string& name = "axon_test")
    : path(std::filesystem::temp_directory_path() / (name + "_" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(path);
  }
  ~temp_dir() { std::filesystem::remove_all(path); }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
};

} // namespace axon::test
