// The control token: a random secret the job writes to RUN_DIR/console.token (mode 0600)
// when it starts. A console that presents it may pause, resume, checkpoint, set, stop and
// kill; without it the endpoint is read-only. Whoever can read the run directory can
// steer the job, the same as whoever can write its files.
#pragma once

#include <filesystem>
#include <string>

namespace axon::monitor {

/// Writes a fresh token (64 hex digits from /dev/urandom) to `file` with mode 0600 and
/// returns it. Throws std::runtime_error naming the file.
std::string create_token_file(const std::filesystem::path& file);

/// The token in `file` (first line). Throws std::runtime_error naming the file.
std::string read_token_file(const std::filesystem::path& file);

/// Compares in time independent of where the strings differ.
bool same_token(const std::string& a, const std::string& b);

} // namespace axon::monitor
