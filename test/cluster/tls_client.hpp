// A TLS client for the abuse tests: connects to 127.0.0.1:port, presents a certificate of
// the cluster's CA (mutual TLS, as a node's peers do), then sends raw bytes, so that a test
// can play a certified but hostile peer.
#pragma once

#include "test/support/raw_client.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <filesystem>

namespace axon::test {

class tls_client {
public:
  tls_client(int port, const std::filesystem::path& ca, const std::filesystem::path& cert,
             const std::filesystem::path& key)
    : tcp_(port), ctx_(SSL_CTX_new(TLS_client_method())) {
    SSL_CTX_use_certificate_chain_file(ctx_, cert.c_str());
    SSL_CTX_use_PrivateKey_file(ctx_, key.c_str(), SSL_FILETYPE_PEM);
    SSL_CTX_load_verify_locations(ctx_, ca.c_str(), nullptr);
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, tcp_.fd());
    timeval limit{5, 0};
    ::setsockopt(tcp_.fd(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    done_ = tcp_.connected() && SSL_connect(ssl_) == 1;
  }
  ~tls_client() {
    SSL_free(ssl_);
    SSL_CTX_free(ctx_);
  }
  tls_client(const tls_client&) = delete;
  tls_client& operator=(const tls_client&) = delete;

  bool handshake_done() const { return done_; }
  bool send(const std::string& bytes) {
    return SSL_write(ssl_, bytes.data(), int(bytes.size())) == int(bytes.size());
  }
  /// Whether the server closed the connection within `limit` (what it sent is read).
  bool closed_within(std::chrono::milliseconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    char buffer[4096];
    while (std::chrono::steady_clock::now() < end) {
      pollfd p{tcp_.fd(), POLLIN, 0};
      if (SSL_pending(ssl_) == 0 && ::poll(&p, 1, 100) <= 0)
        continue;
      if (SSL_read(ssl_, buffer, sizeof buffer) <= 0)
        return true;
    }
    return false;
  }

private:
  raw_client tcp_;
  SSL_CTX* ctx_;
  SSL* ssl_ = nullptr;
  bool done_ = false;
};

} // namespace axon::test
