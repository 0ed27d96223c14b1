// Paths in error messages: a relative path that cannot be opened is shown with the folder
// it was resolved against (the working directory), so that a user who ran the command
// from another folder sees at once why the file was not found.
#pragma once

#include <filesystem>
#include <string>
#include <system_error>

namespace axon {

/// `path`, and for a relative one " (relative to CWD)".
inline std::string path_in_error(const std::string& path) {
  std::error_code ec;
  auto cwd = std::filesystem::current_path(ec);
  if (std::filesystem::path{path}.is_absolute() || ec)
    return path;
  return path + " (relative to " + cwd.string() + ")";
}

} // namespace axon
