// message_cap: how much one cluster connection may make this process allocate, decided
// before CAF allocates it. CAF 0.17's BASP broker reads a 32-byte header, then asks the
// connection for exactly `payload_len` bytes (a uint32 from the wire: up to 4 GiB), and the
// stream resizes its buffer to that at once. A `read_admission` sits in front of each such
// request (see capped_transport.hpp for where) and refuses:
//   - any read over cluster.max-message-mb;
//   - reads over 64 KiB among a connection's first two (the peer's handshake: header and
//     payload), so an unauthenticated stranger cannot make a node allocate more than that;
//   - a read that would take the bytes held by all connections together past
//     (cluster.nodes + 1) x cluster.max-message-mb: one full message per peer the cluster
//     can have, and one spare (a connection holds the largest read it was granted, since
//     CAF keeps a read buffer's capacity until the connection closes).
// A refusal is logged once, naming the peer and the key, and the connection is closed.
// Connections still in their handshake are also bounded in number: when 64 are, a newcomer
// closes the oldest of them, so strangers that connect and stay silent cannot take every
// socket the process may open.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>

namespace axon {

struct message_cap {
  std::size_t max_message_bytes = std::size_t{1024} << 20; // cluster.max-message-mb
  std::size_t peers = 1; // connections a process of the cluster may need (cluster.nodes)
  std::function<void(const std::string&)> log; // one line per refusal
  /// Bytes all connections together may hold in read buffers: (peers + 1) x the cap.
  std::size_t max_held_bytes() const { return (peers + 1) * max_message_bytes; }
};

/// Reads a connection's handshake (its first two reads) may ask for.
inline constexpr std::size_t handshake_read_bytes = std::size_t{64} << 10;
/// Connections that may be in their handshake at once.
inline constexpr std::size_t max_handshakes = 64;

/// One connection's account with the process-wide budget.
class read_admission {
public:
  /// For the connection on socket `fd`, which counts as in its handshake until two reads
  /// are done.
  read_admission(std::shared_ptr<const message_cap> cap, int fd);
  ~read_admission();
  read_admission(const read_admission&) = delete;
  read_admission& operator=(const read_admission&) = delete;

  /// "" when the next read of `bytes` may go ahead (the bytes are then held by this
  /// connection until it closes), else why not, naming the key to raise.
  std::string admit(std::size_t bytes);
  /// A read finished (counts the handshake's reads).
  void read_done();
  const message_cap& cap() const { return *cap_; }

  /// Bytes held by every connection of this process now (tests, logs).
  static std::size_t held_by_all() { return held_by_all_.load(); }
  /// Called before a new connection is taken in: when max_handshakes connections are still
  /// in their handshake, shuts down the oldest one's socket (CAF then reads end-of-stream
  /// and closes it). Whether one was shut down.
  static bool make_room_for_handshake(const message_cap& cap);
  /// Connections in their handshake now (tests).
  static std::size_t in_handshake();

private:
  void leave_handshake();

  std::shared_ptr<const message_cap> cap_;
  int fd_;
  std::size_t held_ = 0;
  int reads_done_ = 0;
  bool in_handshake_ = true;
  std::list<read_admission*>::iterator slot_; // in handshakes_ while in_handshake_
  static inline std::atomic<std::size_t> held_by_all_{0};
  static inline std::mutex handshakes_mutex_;
  static inline std::list<read_admission*> handshakes_; // oldest first
};

} // namespace axon
