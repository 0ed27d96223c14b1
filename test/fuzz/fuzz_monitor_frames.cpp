// Fuzz target: the inspection protocol's framing as the endpoint reads it (4-byte big-endian
// length, then msgpack within request_limits), frame after frame from a pipe, and the
// msgpack decoder alone with the larger reply limits (what `axon console` accepts).
// protocol_error is a refusal; anything else is a finding.
#include "test/fuzz/fuzz_target.hpp"

#include "runtime/monitor/frames.hpp"

#include <unistd.h>

using namespace axon::monitor;

namespace {

// Every frame of `bytes` as a reader on a connection sees them (a pipe holds 64 KiB, more
// than libFuzzer's inputs).
void read_frames(std::string_view bytes) {
  int fds[2];
  if (::pipe(fds) != 0)
    return;
  if (::write(fds[1], bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) {
    ::close(fds[0]);
    ::close(fds[1]);
    return;
  }
  ::close(fds[1]);
  try {
    for (int frames = 0; frames < 64 && read_frame(fds[0], request_limits); ++frames) {
      // the next frame
    }
  } catch (const protocol_error&) {
    // a refusal
  }
  ::close(fds[0]);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto bytes = axon::fuzz::as_text(data, size);
  if (bytes.size() > (32u << 10))
    return 0;
  read_frames(bytes);
  try {
    (void)decode_msgpack(bytes.data(), bytes.size(), reply_limits);
  } catch (const protocol_error&) {
    // a refusal
  }
  return 0;
}
