// The framing of the inspection protocol (docs/protocol.md): every message is a 4-byte
// big-endian length N, then N bytes holding one msgpack value. Decoding is bounded: a
// frame longer than the reader's cap is refused before anything is allocated, and the
// msgpack inside is unpacked with msgpack::unpack_limit (element counts, string sizes,
// depth), so untrusted input cannot make a peer allocate more than about its frame size.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace axon::monitor {

/// A peer broke the protocol (frame too long, bad msgpack, limits exceeded).
struct protocol_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Bounds of one side: requests to the endpoint are small, replies may be large.
struct frame_limits {
  std::size_t max_frame_bytes;
  std::size_t max_elements; // per array or map
  std::size_t max_string_bytes;
  std::size_t max_depth;
};
inline constexpr frame_limits request_limits{1u << 20, 4096, 64u << 10, 8};
inline constexpr frame_limits reply_limits{64u << 20, 1u << 20, 1u << 20, 16};

/// msgpack bytes -> JSON value, within `limits`. Throws protocol_error.
nlohmann::json decode_msgpack(const char* data, std::size_t size, const frame_limits& limits);

/// Writes one frame holding `value` as msgpack. Returns false when the peer is gone.
bool write_frame(int fd, const nlohmann::json& value);

/// Reads one frame. nullopt: the peer closed the connection cleanly before a frame.
/// Throws protocol_error on a broken or over-long frame, or one cut short.
std::optional<nlohmann::json> read_frame(int fd, const frame_limits& limits);

} // namespace axon::monitor
