#include "runtime/run_dir_lock.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/file.h>
#include <unistd.h>

namespace axon {

run_dir_lock::run_dir_lock(const std::filesystem::path& dir)
  : fd_{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)} {
  if (fd_ < 0)
    throw std::runtime_error("cannot open the run directory " + dir.string() + ": "
                             + std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    ::close(fd_);
    throw std::runtime_error(
      error == EWOULDBLOCK
        ? "the run directory " + dir.string() + " is in use by another axon process: wait "
            "for it to end, or set another train.run-dir"
        : "cannot lock the run directory " + dir.string() + ": " + std::strerror(error));
  }
}

run_dir_lock::run_dir_lock(run_dir_lock&& other) noexcept : fd_{other.fd_} {
  other.fd_ = -1;
}

run_dir_lock::~run_dir_lock() {
  if (fd_ >= 0)
    ::close(fd_); // releases the lock
}

} // namespace axon
