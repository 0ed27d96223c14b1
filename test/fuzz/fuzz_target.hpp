// What every fuzz target shares: the libFuzzer entry point's declaration and a scratch file
// for the parsers that read a path (readers, safetensors). One target per file, fuzz_*.cpp;
// built by libFuzzer (scripts/fuzz.sh) or by replay_main.cpp (ctest replays the corpus).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace axon::fuzz {

/// The input as text (the parsers take bytes as char).
inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// Writes `bytes` to this process's scratch file with `extension` and returns its path
/// (one file per process and extension, overwritten by each input).
inline std::string scratch_file(std::string_view bytes, const std::string& extension) {
  const char* dir = std::getenv("TMPDIR");
  std::string path = std::string{dir && *dir ? dir : "/tmp"} + "/axon-fuzz-"
                     + std::to_string(::getpid()) + extension;
  std::ofstream out{path, std::ios::binary | std::ios::trunc};
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path;
}

} // namespace axon::fuzz
