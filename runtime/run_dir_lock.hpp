// An exclusive lock on a run directory for the life of the process that trains in it, so
// that a second `axon train` or `axon pretrain` on the same directory is refused instead of
// interleaving its ledger, metrics and checkpoints with the first. flock(2) on the
// directory itself: nothing is written for it, and the kernel releases it when the
// process ends, however it ends (kill -9 included).
#pragma once

#include <filesystem>

namespace axon {

class run_dir_lock {
public:
  /// Locks `dir`, which must exist. Throws std::runtime_error naming the directory when
  /// another process holds it, or when it cannot be opened.
  explicit run_dir_lock(const std::filesystem::path& dir);
  ~run_dir_lock();
  run_dir_lock(run_dir_lock&& other) noexcept;
  run_dir_lock& operator=(run_dir_lock&& other) = delete;
  run_dir_lock(const run_dir_lock&) = delete;
  run_dir_lock& operator=(const run_dir_lock&) = delete;

private:
  int fd_;
};

} // namespace axon
