// Running a piece of a test in a child process under a small address space (`ulimit -v`),
// where thread stacks and large allocations fail as they do on a constrained machine.
// AddressSanitizer reserves terabytes of address space, so under it these checks skip.
#pragma once

#include <functional>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace axon::test {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool address_space_limits_work = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool address_space_limits_work = false;
#else
inline constexpr bool address_space_limits_work = true;
#endif
#else
inline constexpr bool address_space_limits_work = true;
#endif

/// Runs `body` in a forked child whose address space is limited to `bytes` and returns
/// the child's wait status (body's return value is its exit status).
inline int in_small_address_space(rlim_t bytes, const std::function<int()>& body) {
  pid_t pid = ::fork();
  if (pid == 0) {
    rlimit limit{bytes, bytes};
    ::setrlimit(RLIMIT_AS, &limit);
    ::_exit(body());
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

} // namespace axon::test
