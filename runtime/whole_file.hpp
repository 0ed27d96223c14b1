// Reading a whole file into memory, for the readers of files a user hands Axon (configs,
// data, token caches, checkpoints, weights, vocabularies). Each way it can fail is a
// reason in words, never an exception from the standard library: std::ifstream opens a
// directory on Linux and its first read throws "basic_filebuf::underflow", which named
// neither the file nor what to do.
#pragma once

#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>

namespace axon {

struct file_bytes {
  std::string bytes; // the whole file when `error` is empty
  std::string error; // why not: "is a directory, expected a file", "cannot open it (No
                     // such file or directory)", "is 3000000 bytes, more than the
                     // 65536 a valid one can have"
};

/// The contents of `file`, refused when it is a directory, cannot be opened or read, or
/// holds more than `limit` bytes. `error` does not repeat the path: callers prefix it.
file_bytes read_whole_file(const std::filesystem::path& file,
                           std::uintmax_t limit = std::numeric_limits<std::uintmax_t>::max());

} // namespace axon
