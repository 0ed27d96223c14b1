// Files that survive a crash (write, fsync the file, fsync its folder) and SHA-256 digests
// (OpenSSL libcrypto), the building blocks of checkpoint folders.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace axon::checkpoint {

struct file_digest {
  std::uint64_t bytes = 0;
  std::string sha256; // 64 lowercase hex digits
};

/// SHA-256 of `bytes` as 64 lowercase hex digits.
std::string sha256_hex(std::string_view bytes);
/// Size and SHA-256 of a file, read in chunks; throws std::runtime_error naming the file.
file_digest digest_file(const std::filesystem::path& file);

/// Creates or truncates `file`, writes `bytes`, fsyncs and closes it (no rename: callers
/// write into a temporary folder or rename themselves). Throws naming the file.
void write_file_durably(const std::filesystem::path& file, std::string_view bytes);
/// fsync of a folder, so that the names created or renamed in it are on disk.
void fsync_folder(const std::filesystem::path& folder);

} // namespace axon::checkpoint
