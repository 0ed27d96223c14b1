#include "runtime/memory_limit.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <sys/resource.h>
#include <unistd.h>

namespace axon {

namespace {

// A cgroup limit file's number; "max" (v2: none) and unreadable files give no limit.
std::uint64_t cgroup_limit(const char* path) {
  std::ifstream in{path};
  std::uint64_t value = 0;
  if (in >> value && value > 0)
    return value;
  return UINT64_MAX;
}

} // namespace

std::uint64_t memory_limit_bytes() {
  const auto pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  std::uint64_t limit = pages > 0 && page > 0 ? std::uint64_t(pages) * std::uint64_t(page)
                                              : UINT64_MAX;
  limit = std::min(limit, cgroup_limit("/sys/fs/cgroup/memory.max"));
  limit = std::min(limit, cgroup_limit("/sys/fs/cgroup/memory/memory.limit_in_bytes"));
  // `ulimit -v`: the address space caps every allocation (and thread stack) as well.
  if (rlimit address_space{}; ::getrlimit(RLIMIT_AS, &address_space) == 0
                              && address_space.rlim_cur != RLIM_INFINITY)
    limit = std::min<std::uint64_t>(limit, address_space.rlim_cur);
  return limit;
}

std::string bytes_text(double bytes) {
  constexpr std::array<const char*, 6> units{"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  std::size_t unit = 0;
  while (bytes >= 1024.0 && unit + 1 < units.size()) {
    bytes /= 1024.0;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.1f %s", bytes, units[unit]);
  return text;
}

} // namespace axon
