// Fuzz target: decoding a checkpoint manifest (manifest.msgpack: the manifest map, then the
// SHA-256 of its bytes; bounded msgpack). The checksum guards against damage, not against
// an author: with the first byte odd, the target appends the right checksum to the rest of
// the input, so the fuzzer reaches the fields behind it (an even first byte: the bytes as
// they are). A manifest that decodes must encode to bytes that decode to the same manifest.
// std::runtime_error is a refusal; anything else is a finding.
#include "test/fuzz/fuzz_target.hpp"

#include "runtime/checkpoint/durable_files.hpp"
#include "runtime/checkpoint/manifest.hpp"

#include <stdexcept>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace axon::checkpoint;
  if (size == 0)
    return 0;
  std::string bytes{axon::fuzz::as_text(data + 1, size - 1)};
  if (data[0] & 1) { // msgpack str8 of the 64 hex digits
    const auto digest = sha256_hex(bytes);
    bytes += "\xd9\x40" + digest;
  }
  try {
    const manifest info = decode_manifest(bytes, "fuzz/manifest.msgpack");
    if (!(decode_manifest(encode_manifest(info), "again") == info))
      __builtin_trap();
  } catch (const std::runtime_error&) {
    // a refusal
  }
  return 0;
}
