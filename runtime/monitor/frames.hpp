// The framing of the inspection protocol (docs/protocol.md): every message is a 4-byte
// big-endian length N, then N bytes holding one msgpack value. Decoding is bounded: a
// frame longer than the reader's cap is refused before anything is allocated, and the
// msgpack inside is unpacked with msgpack::unpack_limit (element counts, string sizes,
// depth), so untrusted input cannot make a peer allocate more than about its frame size.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
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

/// The whole frame did not arrive within its deadline.
struct frame_timeout : protocol_error {
  using protocol_error::protocol_error;
};

/// msgpack bytes -> JSON value, within `limits`. Throws protocol_error.
nlohmann::json decode_msgpack(const char* data, std::size_t size, const frame_limits& limits);

/// The bytes of one frame holding `value` (length prefix, then msgpack).
std::string frame_bytes(const nlohmann::json& value);

/// The body length that a frame's 4-byte header announces. Throws protocol_error when it
/// is 0 or over limits.max_frame_bytes.
std::size_t frame_length(const unsigned char* header, const frame_limits& limits);

/// Writes one frame holding `value` as msgpack. Returns false when the peer is gone.
bool write_frame(int fd, const nlohmann::json& value);

/// Reads one frame; the whole frame must arrive within `limit` of its first byte (a
/// server that sends a byte now and then cannot hold the reader). nullopt: the peer closed
/// the connection cleanly before a frame. Throws frame_timeout when no byte came within
/// `limit` or the frame took longer, protocol_error on a broken, over-long or cut frame.
std::optional<nlohmann::json> read_frame(int fd, const frame_limits& limits,
                                         std::chrono::milliseconds limit = std::chrono::seconds{30});

} // namespace axon::monitor
