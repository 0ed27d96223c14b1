#include "runtime/checkpoint/run_files.hpp"

#include "runtime/checkpoint/checkpoint.hpp"
#include "runtime/checkpoint/durable_files.hpp"

namespace axon::checkpoint {

namespace fs = std::filesystem;

std::vector<file_entry> digest_run_files(const fs::path& run_dir) {
  std::vector<file_entry> entries;
  for (const char* name : run_file_names)
    if (fs::is_regular_file(run_dir / name)) {
      auto digest = digest_file(run_dir / name);
      entries.push_back({name, digest.bytes, digest.sha256});
    }
  return entries;
}

void verify_run_files(const fs::path& run_dir, const manifest& info, const fs::path& checkpoint) {
  for (const auto& entry : info.run_files) {
    const auto path = run_dir / entry.name;
    const auto changed = [&](const std::string& how) {
      return checkpoint_error(path.string() + " " + how + " since " + checkpoint.string()
                              + " was written (its manifest has " + std::to_string(entry.bytes)
                              + " bytes, SHA-256 " + entry.sha256 + "): the checkpoint's "
                              "weights belong to the original file; restore it");
    };
    if (entry.name.find('/') != std::string::npos || entry.name == "..")
      throw checkpoint_error(checkpoint.string() + ": its manifest lists the run file \""
                             + entry.name + "\", not a plain file name");
    if (!fs::is_regular_file(path))
      throw changed("is missing");
    file_digest digest;
    try {
      digest = digest_file(path);
    } catch (const std::exception& e) {
      throw checkpoint_error(e.what());
    }
    if (digest.bytes != entry.bytes || digest.sha256 != entry.sha256)
      throw changed("has changed (now " + std::to_string(digest.bytes) + " bytes, SHA-256 "
                    + digest.sha256 + ")");
  }
}

} // namespace axon::checkpoint
