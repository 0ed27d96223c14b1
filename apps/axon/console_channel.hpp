// console_channel: the console's byte stream to a job's endpoint, plain TCP or TLS, with a
// deadline on every transfer: the socket is non-blocking and each wait is a poll bounded by
// what is left of the deadline, so a server that stalls or drips ends the call with an
// error instead of a hang. Over TLS the console presents its certificate (OU=axon-console
// or OU=axon-console-read) and requires the job's to be OU=axon-coordinator.
#pragma once

#include "runtime/tls/tls_stream.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace axon::app {

class console_channel {
public:
  using deadline = std::chrono::steady_clock::time_point;

  /// Over a connected socket (owned from now on); `tls` null: plain. Does the TLS
  /// handshake by `until`. Throws std::runtime_error naming `address`.
  console_channel(int fd, std::shared_ptr<ssl_ctx_st> tls, const std::string& address,
                  deadline until);
  ~console_channel();
  console_channel(const console_channel&) = delete;
  console_channel& operator=(const console_channel&) = delete;

  /// Sends all of `bytes` by `until`. Throws std::runtime_error.
  void send_all(const std::string& bytes, deadline until);
  /// Reads exactly `size` bytes by `until`. Throws monitor::frame_timeout when time runs
  /// out, std::runtime_error when the job closes the connection.
  void read_exactly(char* data, std::size_t size, deadline until);

private:
  // Waits until the transfer that returned `r` can go on; throws past `until` or if closed.
  void wait(const tls_stream::result& r, deadline until);

  int fd_;
  std::string address_;
  std::unique_ptr<tls_stream> tls_;
};

} // namespace axon::app
