// Fuzz target: reading a safetensors file (untrusted header length, JSON header, dtypes,
// shapes, data offsets). std::runtime_error is a refusal naming the file; anything else
// (another exception, a sanitizer report) is a finding.
#include "test/fuzz/fuzz_target.hpp"

#include "runtime/safetensors.hpp"

#include <cstdio>
#include <stdexcept>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = axon::fuzz::scratch_file(axon::fuzz::as_text(data, size), ".safetensors");
  try {
    auto file = axon::read_safetensors(path);
    // What a reader promises: every tensor's bytes lie inside the file.
    std::size_t total = 0;
    for (const auto& [name, t] : file.tensors)
      total += t.numel();
    if (total > size * 4) // widest growth: a 2-byte dtype (F16/BF16) read as f32
      __builtin_trap();
  } catch (const std::runtime_error&) {
    // a refusal
  }
  std::remove(path.c_str());
  return 0;
}
