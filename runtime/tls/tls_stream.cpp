// tls_stream: see tls_stream.hpp.
#include "runtime/tls/tls_stream.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cerrno>
#include <climits>
#include <csignal>
#include <mutex>
#include <stdexcept>

namespace axon {

namespace {

std::string openssl_reason() {
  auto code = ERR_get_error();
  ERR_clear_error();
  if (code == 0)
    return "the peer closed the connection";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

// OpenSSL's own chain check decides. A callback of our own (rather than none) also keeps
// the cluster's peer-role check (actors/cluster/openssl_peer_roles.cpp) off these contexts: their
// roles are checked by whoever holds the stream.
int chain_check_only(int preverify_ok, X509_STORE_CTX*) {
  return preverify_ok;
}

} // namespace

std::shared_ptr<SSL_CTX> make_tls_context(const tls_identity& identity, bool server,
                                          const std::string& what) {
  std::shared_ptr<SSL_CTX> ctx{SSL_CTX_new(server ? TLS_server_method() : TLS_client_method()),
                               SSL_CTX_free};
  if (!ctx)
    throw std::runtime_error(what + ": cannot create an OpenSSL context: " + openssl_reason());
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), identity.certificate.c_str()) != 1)
    throw std::runtime_error(what + "-certificate " + identity.certificate
                             + " is not a readable PEM certificate: " + openssl_reason());
  if (SSL_CTX_use_PrivateKey_file(ctx.get(), identity.key.c_str(), SSL_FILETYPE_PEM) != 1
      || SSL_CTX_check_private_key(ctx.get()) != 1)
    throw std::runtime_error(what + "-key " + identity.key
                             + " is not the PEM private key of " + identity.certificate + ": "
                             + openssl_reason());
  if (SSL_CTX_load_verify_locations(ctx.get(), identity.ca.c_str(), nullptr) != 1)
    throw std::runtime_error(what + "-ca " + identity.ca + " is not a readable PEM CA "
                             "certificate: " + openssl_reason());
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                     chain_check_only);
  return ctx;
}

tls_stream::tls_stream(std::shared_ptr<SSL_CTX> context, int fd, bool server)
  : context_(std::move(context)), ssl_(SSL_new(context_.get())) {
  static std::once_flag ignore_sigpipe;
  std::call_once(ignore_sigpipe, [] { std::signal(SIGPIPE, SIG_IGN); });
  if (ssl_ == nullptr)
    throw std::runtime_error("cannot create a TLS connection: " + openssl_reason());
  SSL_set_fd(ssl_, fd);
  if (server)
    SSL_set_accept_state(ssl_);
  else
    SSL_set_connect_state(ssl_);
}

tls_stream::~tls_stream() {
  SSL_free(ssl_);
}

tls_stream::result tls_stream::outcome(int ret) {
  if (ret > 0)
    return {std::size_t(ret), state::moved};
  switch (SSL_get_error(ssl_, ret)) {
    case SSL_ERROR_WANT_READ: return {0, state::want_read};
    case SSL_ERROR_WANT_WRITE: return {0, state::want_write};
    default: failure_ = openssl_reason(); return {0, state::closed};
  }
}

tls_stream::result tls_stream::handshake() {
  ERR_clear_error();
  auto r = outcome(SSL_do_handshake(ssl_));
  if (r.status == state::moved)
    r.bytes = 0;
  return r;
}

bool tls_stream::handshake_done() const {
  return SSL_is_init_finished(ssl_) == 1;
}

tls_stream::result tls_stream::read(char* data, std::size_t size) {
  ERR_clear_error();
  return outcome(SSL_read(ssl_, data, int(std::min<std::size_t>(size, INT_MAX))));
}

tls_stream::result tls_stream::write(const char* data, std::size_t size) {
  ERR_clear_error();
  return outcome(SSL_write(ssl_, data, int(std::min<std::size_t>(size, INT_MAX))));
}

tls_stream::result socket_result(long n, bool reading) {
  if (n > 0)
    return {std::size_t(n), tls_stream::state::moved};
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    return {0, reading ? tls_stream::state::want_read : tls_stream::state::want_write};
  return {0, tls_stream::state::closed};
}

x509_st* tls_stream::peer_certificate() const {
  return SSL_get0_peer_certificate(ssl_);
}

} // namespace axon
