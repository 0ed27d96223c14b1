// Fuzz target: decoding a checkpoint manifest (manifest.msgpack: the manifest map, then the
// SHA-256 of its bytes; bounded msgpack). A manifest that decodes must encode to bytes that
// decode to the same manifest. std::runtime_error is a refusal; anything else is a finding.
#include "test/fuzz/fuzz_target.hpp"

#include "runtime/checkpoint/manifest.hpp"

#include <stdexcept>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace axon::checkpoint;
  try {
    const manifest info = decode_manifest(axon::fuzz::as_text(data, size), "fuzz/manifest.msgpack");
    if (!(decode_manifest(encode_manifest(info), "again") == info))
      __builtin_trap();
  } catch (const std::runtime_error&) {
    // a refusal
  }
  return 0;
}
