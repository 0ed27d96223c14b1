// How much memory this process may use: the machine's physical memory, or less where a
// cgroup (a container, a systemd slice) or `ulimit -v` (the address space) sets a limit. Used to refuse
// sizes that cannot fit before anything is allocated.
#pragma once

#include <cstdint>
#include <string>

namespace axon {

/// min(physical memory, cgroup v2 memory.max, cgroup v1 memory.limit_in_bytes,
/// RLIMIT_AS), in bytes.
std::uint64_t memory_limit_bytes();

/// E.g. "23.4 GiB", "512.0 MiB", "7.6 TiB".
std::string bytes_text(double bytes);

} // namespace axon
