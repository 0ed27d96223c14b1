// tls_stream: one TLS connection over a non-blocking socket, for the inspection endpoint's
// poll loop and for `axon console`: each call moves what it can and says what it waits
// for (the socket readable or writable), never blocking. Both sides present a certificate
// and check the peer's against the CA (mutual TLS, TLS 1.2 or later); what the peer's
// certificate allows is decided by its role (tls_role.hpp) after the handshake.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

struct ssl_st;
struct ssl_ctx_st;
struct x509_st;

namespace axon {

/// A certificate, its key and the CA that peers' certificates must chain to (PEM files).
struct tls_identity {
  std::string certificate, key, ca;
  bool enabled() const { return !certificate.empty(); }
};

/// The OpenSSL context of one side. Throws std::runtime_error naming `what` (the config
/// key or flag prefix, e.g. "monitor.tls") and the file at fault.
std::shared_ptr<ssl_ctx_st> make_tls_context(const tls_identity& identity, bool server,
                                             const std::string& what);

class tls_stream {
public:
  enum class state { moved, want_read, want_write, closed };
  struct result {
    std::size_t bytes = 0;
    state status = state::closed;
  };

  /// Over fd (not owned), as the accepting (`server`) or connecting side. OpenSSL writes
  /// with write(2), which raises SIGPIPE when the peer is gone: the first tls_stream makes
  /// the process ignore SIGPIPE, so that a vanished peer is an error return, not a kill.
  tls_stream(std::shared_ptr<ssl_ctx_st> context, int fd, bool server);
  ~tls_stream();
  tls_stream(const tls_stream&) = delete;
  tls_stream& operator=(const tls_stream&) = delete;

  /// Advances the handshake: `moved` once it is complete.
  result handshake();
  bool handshake_done() const;
  result read(char* data, std::size_t size);
  result write(const char* data, std::size_t size);
  /// The peer's verified certificate (after the handshake), or nullptr.
  x509_st* peer_certificate() const;
  /// Why the last call failed (OpenSSL's reason), for logs.
  const std::string& failure() const { return failure_; }

private:
  result outcome(int ret);

  std::shared_ptr<ssl_ctx_st> context_;
  ssl_st* ssl_ = nullptr;
  std::string failure_;
};

/// A plain recv()/send() return value (n, with errno) in tls_stream's terms, so that
/// callers handle plain and TLS connections alike.
tls_stream::result socket_result(long n, bool reading);

} // namespace axon
