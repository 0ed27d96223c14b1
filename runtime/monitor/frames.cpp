// Frames: length prefix, bounded msgpack decoding into JSON values, socket I/O.
#include "runtime/monitor/frames.hpp"

#include <msgpack.hpp>

#include <cerrno>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace axon::monitor {

namespace {

nlohmann::json to_json(const msgpack::object& o) {
  switch (o.type) {
    case msgpack::type::NIL: return nullptr;
    case msgpack::type::BOOLEAN: return o.via.boolean;
    case msgpack::type::POSITIVE_INTEGER: return o.via.u64;
    case msgpack::type::NEGATIVE_INTEGER: return o.via.i64;
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64: return o.via.f64;
    case msgpack::type::STR: return std::string{o.via.str.ptr, o.via.str.size};
    case msgpack::type::BIN: return std::string{o.via.bin.ptr, o.via.bin.size};
    case msgpack::type::ARRAY: {
      auto out = nlohmann::json::array();
      for (std::uint32_t i = 0; i < o.via.array.size; ++i)
        out.push_back(to_json(o.via.array.ptr[i]));
      return out;
    }
    case msgpack::type::MAP: {
      auto out = nlohmann::json::object();
      for (std::uint32_t i = 0; i < o.via.map.size; ++i) {
        const auto& kv = o.via.map.ptr[i];
        if (kv.key.type != msgpack::type::STR)
          throw protocol_error("a msgpack map key is not a string");
        out[std::string{kv.key.via.str.ptr, kv.key.via.str.size}] = to_json(kv.val);
      }
      return out;
    }
    default: throw protocol_error("msgpack extension types are not part of the protocol");
  }
}

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    auto n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    data += n;
    size -= std::size_t(n);
  }
  return true;
}

// Reads `size` bytes, waiting at most until `deadline`; false when the peer closed first.
bool read_exactly(int fd, char* data, std::size_t size,
                  std::chrono::steady_clock::time_point deadline) {
  while (size > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, int(left.count()) + 1) == 0)
      throw frame_timeout("no complete frame within the time allowed");
    auto n = ::read(fd, data, size);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
      continue;
    if (n <= 0)
      return false;
    data += n;
    size -= std::size_t(n);
  }
  return true;
}

} // namespace

nlohmann::json decode_msgpack(const char* data, std::size_t size, const frame_limits& limits) {
  try {
    msgpack::unpack_limit bounds{limits.max_elements, limits.max_elements,
                                 limits.max_string_bytes, limits.max_string_bytes, 0,
                                 limits.max_depth};
    std::size_t offset = 0;
    auto handle = msgpack::unpack(data, size, offset, nullptr, nullptr, bounds);
    if (offset != size)
      throw protocol_error("a frame holds bytes after its msgpack value");
    return to_json(handle.get());
  } catch (const protocol_error&) {
    throw;
  } catch (const std::exception& e) {
    throw protocol_error(std::string{"bad msgpack: "} + e.what());
  }
}

std::string frame_bytes(const nlohmann::json& value) {
  auto bytes = nlohmann::json::to_msgpack(value);
  const auto n = static_cast<std::uint32_t>(bytes.size());
  std::string frame{char(n >> 24), char(n >> 16), char(n >> 8), char(n)};
  frame.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  return frame;
}

std::size_t frame_length(const unsigned char* header, const frame_limits& limits) {
  const std::size_t size = std::size_t(header[0]) << 24 | std::size_t(header[1]) << 16
                           | std::size_t(header[2]) << 8 | header[3];
  if (size == 0 || size > limits.max_frame_bytes)
    throw protocol_error("frame of " + std::to_string(size) + " bytes (allowed: 1 to "
                         + std::to_string(limits.max_frame_bytes) + ")");
  return size;
}

bool write_frame(int fd, const nlohmann::json& value) {
  auto frame = frame_bytes(value);
  return write_all(fd, frame.data(), frame.size());
}

std::optional<nlohmann::json> read_frame(int fd, const frame_limits& limits,
                                         std::chrono::milliseconds limit) {
  unsigned char header[4];
  auto deadline = std::chrono::steady_clock::now() + limit;
  if (!read_exactly(fd, reinterpret_cast<char*>(header), 1, deadline))
    return std::nullopt;
  deadline = std::chrono::steady_clock::now() + limit; // the frame's own deadline
  if (!read_exactly(fd, reinterpret_cast<char*>(header) + 1, 3, deadline))
    throw protocol_error("connection closed inside a frame header");
  const auto size = frame_length(header, limits);
  std::vector<char> body(size);
  if (!read_exactly(fd, body.data(), size, deadline))
    throw protocol_error("connection closed inside a frame");
  return decode_msgpack(body.data(), size, limits);
}

} // namespace axon::monitor
