// http_server: the HTTP/1.1 server under `axon serve` (Boost.Beast on Boost.Asio, HTTPS
// with Asio's OpenSSL streams). Connections are served asynchronously by a few I/O
// threads, so a slow or idle client costs a socket, not a thread: each request must arrive
// whole within `request_deadline` (header and body), a body past `max_body` is refused 413
// as it arrives, at most `max_bodies` requests with a body are in memory at once (more are
// refused 503 before their body is read), and at most `max_connections` are open at once
// (more are closed at once).
// Pipelined requests are answered in order; a client that half-closes after its request
// gets its answer. A request's answer comes from `quick` on the I/O thread when it can
// (health, refusals: never blocks), else from `handle` on one of `workers` threads (which
// may wait, e.g. for the batcher).
//
//   http_server server{settings, quick, handle};   // throws std::runtime_error: cannot listen
//   server.port();                                   // the bound port (settings.port 0: a free one)
//   server.run();  ...  server.stop();               // stop() from another thread
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace axon::app {

/// Header names compared without case, as HTTP does.
struct header_name_less {
  bool operator()(const std::string& a, const std::string& b) const;
};

struct http_request {
  std::string method; // "GET", "POST", ...
  std::string path;   // the target without its query
  std::map<std::string, std::string, header_name_less> headers;
  std::string body;
  std::string remote_address; // "127.0.0.1", "::1"
  /// The header's value, or "".
  std::string header(const std::string& name) const;
};

struct http_response {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers; // beyond Content-Type/-Length
};

struct http_server_settings {
  std::string bind = "127.0.0.1";
  int port = 0;
  std::string tls_certificate, tls_key; // PEM files; both empty: plain HTTP
  int workers = 8;                      // threads running `handle`
  std::size_t max_body = 1 << 20;       // bytes
  std::size_t max_connections = 512;
  std::size_t max_bodies = 144; // requests with a body in memory at once (more: 503 at once)
  std::chrono::milliseconds request_deadline{10000}; // a whole request, and an idle keep-alive
};

class http_server {
public:
  /// An answer now, or nullopt to have `handle` answer on a worker.
  using quick_handler = std::function<std::optional<http_response>(const http_request&)>;
  using handler = std::function<http_response(const http_request&)>;
  /// What the server answered by itself (a request it could not parse: 400, a body past
  /// max_body: 413, too many connections: 503): for counting.
  using refusal_observer = std::function<void(int status)>;

  /// Listens (throws std::runtime_error saying why it cannot: the address, the port in
  /// use, the certificate or key).
  http_server(http_server_settings settings, quick_handler quick, handler handle,
              refusal_observer refused = {});
  ~http_server();
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  int port() const;
  bool tls() const;
  /// Serves until stop(); returns once the I/O threads are done.
  void run();
  /// Stops accepting and closes every connection; answers being computed are dropped.
  void stop();

  struct impl;

private:
  std::unique_ptr<impl> impl_;
};

} // namespace axon::app
