// Whether this process can start the threads a job asks for: `train.threads` compute
// threads and as many actor scheduler threads. Under a memory limit (`ulimit -v`, a
// container) thread creation fails with std::system_error, and where it fails inside CAF's
// scheduler or the lazily started compute pool the process aborts. Probing first turns
// that into a refusal before anything is written.
#pragma once

#include <string>
#include <string_view>

namespace axon {

/// Starts `count` idle threads, then stops and joins them. "" when all started, else the
/// problem: how many started, the system's reason and `key` (the setting to lower).
std::string probe_threads(int count, std::string_view key, long long key_value);

} // namespace axon
