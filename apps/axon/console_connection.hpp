// console_connection: the client side of the inspection protocol (docs/protocol.md): one
// TCP connection to a job's endpoint, one request frame and one reply frame at a time.
// Connecting and each whole exchange are bounded by a timeout: a server that never answers,
// or drips its reply, ends the call with an error that says so instead of a hang. Plain TCP
// or TLS with a console certificate (console_channel.hpp).
#pragma once

#include "apps/axon/console_channel.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <stdexcept>
#include <string>

namespace axon::app {

/// A running job's endpoint as its run directory gives it: RUN_DIR/monitor.json's address
/// and whether it speaks TLS only, and the control token (RUN_DIR/console.token; empty
/// when that file is missing).
struct run_endpoint {
  std::string address, token;
  bool tls = false;
};
/// Throws std::runtime_error when monitor.json is missing or unreadable.
run_endpoint read_run_endpoint(const std::string& run_dir);

/// The endpoint answered {"ok": false, "error": ...}.
struct refused_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class console_connection {
public:
  /// Connects to "HOST:PORT" within `timeout` (also the limit for each whole reply).
  /// Throws std::runtime_error saying what failed.
  /// With `tls` set, over TLS (console_channel.hpp).
  console_connection(const std::string& address, std::string token,
                     std::chrono::milliseconds timeout = std::chrono::seconds{10},
                     const tls_identity& tls = {});
  ~console_connection();
  console_connection(const console_connection&) = delete;
  console_connection& operator=(const console_connection&) = delete;

  /// Sends {"op": op, ...args} (with the token, when there is one) and returns "result".
  /// Throws refused_error with the endpoint's message, std::runtime_error when the
  /// connection breaks.
  nlohmann::json call(const std::string& op, nlohmann::json args = nlohmann::json::object());

  const std::string& address() const { return address_; }

private:
  std::string address_, token_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<console_channel> channel_;

  // One request frame out, one reply frame in, within timeout_.
  nlohmann::json exchange(const nlohmann::json& request);
};

} // namespace axon::app
