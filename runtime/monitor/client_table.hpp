// client_table: the inspection endpoint's open connections and the rules that keep one
// client from holding the others (docs/security.md):
//   - each connection has its own input and output buffers on a non-blocking socket, so
//     the endpoint's one thread never waits for any client;
//   - a request (or an HTTP request head) must arrive whole within frame_timeout of its
//     first byte, and a reply must be taken whole within frame_timeout + 1 s per MiB;
//   - a connection with nothing under way for idle_timeout is closed (one waiting for a
//     control request to be carried out is not idle);
//   - at most max_connections in all and max_per_client from one address: a newcomer over
//     either limit takes the place of the connection quiet for longest (from its own
//     address first), so that idle or dripping connections cannot lock anyone out.
#pragma once

#include "runtime/tls/tls_stream.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace axon::monitor {

struct client_limits {
  std::size_t max_connections = 64;
  std::size_t max_per_client = 8;
  std::chrono::milliseconds frame_timeout{2000};
  std::chrono::milliseconds idle_timeout{60000};
};

struct client {
  enum class protocol { frames, http };
  int fd = -1;
  protocol kind = protocol::frames;
  std::string host, peer; // "127.0.0.1", "127.0.0.1:53012"
  std::string in;         // bytes of the request under way
  std::string out;        // reply bytes not yet sent, from `sent`
  std::size_t sent = 0;
  bool close_after_reply = false;
  std::int64_t last_active_ns = 0; // last byte in or out
  std::int64_t deadline_ns = 0;    // of the frame being read or the reply being sent; 0: none
  // TLS (monitor.tls-*): the connection, what it waits for (POLLIN/POLLOUT; 0: as the
  // plain protocol), and whether its certificate's role allows control.
  std::unique_ptr<tls_stream> tls;
  short tls_waits = 0;
  bool may_control = true;
  std::uint64_t id = 0;          // unique in the endpoint's life (fds are reused)
  bool awaiting_control = false; // a control request is under way (control_worker.hpp)

  bool replying() const { return sent < out.size(); }
};

class client_table {
public:
  explicit client_table(client_limits limits) : limits_(limits) {}
  ~client_table(); // closes every connection
  client_table(const client_table&) = delete;
  client_table& operator=(const client_table&) = delete;

  const client_limits& limits() const { return limits_; }

  /// Takes in an accepted non-blocking socket. Returns the connections closed to make
  /// room (their peers, for the log).
  std::vector<std::string> admit(int fd, client::protocol kind, std::int64_t now_ns);
  /// The connection on fd, or nullptr.
  client* find(int fd);
  /// The connection with that id, or nullptr.
  client* find_id(std::uint64_t id);
  void close(int fd);
  /// Closes the connections past their deadline or idle too long; their peers and why.
  std::vector<std::string> expire(std::int64_t now_ns);
  /// The nearest deadline of any connection (ns), or `later` when none is sooner.
  std::int64_t next_deadline(std::int64_t later) const;

  /// A request's first byte arrived: its deadline starts.
  void frame_started(client& c, std::int64_t now_ns) const;
  /// A reply was queued: its deadline starts (1 s more per MiB of it).
  void reply_queued(client& c, std::int64_t now_ns) const;

  const std::map<int, client>& all() const { return clients_; }
  /// Whether some client waits for a control reply or has one not yet sent.
  bool replies_under_way() const;

private:
  // The connection quiet for longest, from `host` when given; -1 when there is none.
  int quietest(const std::string* host) const;
  std::int64_t idle_deadline(const client& c) const;

  client_limits limits_;
  std::map<int, client> clients_;
  std::uint64_t next_id_ = 1;
};

/// "HOST" and "HOST:PORT" of a connected socket's peer (IPv4 or IPv6).
void name_peer(int fd, std::string& host, std::string& peer);

} // namespace axon::monitor
