// Installs Axon's peer-role check (tls_roles.hpp) on the TLS contexts that CAF 0.17.6's
// OpenSSL module creates: CAF sets peer verification with no callback of its own, and offers
// no hook for one. This definition interposes on libssl's SSL_CTX_set_verify for the whole
// process (linked, like openssl_error_queue.cpp, into each executable that loads CAF's
// OpenSSL module) and adds verify_peer_role once prepare_tls has set the roles. A callback
// given by the caller is kept as it is.
#include "actors/cluster/tls_roles.hpp"

#include <openssl/ssl.h>

#include <dlfcn.h>

extern "C" {

void SSL_CTX_set_verify(SSL_CTX* ctx, int mode, SSL_verify_cb callback) {
  using set_verify = void (*)(SSL_CTX*, int, SSL_verify_cb);
  static auto real = reinterpret_cast<set_verify>(::dlsym(RTLD_NEXT, "SSL_CTX_set_verify"));
  if (callback == nullptr && (mode & SSL_VERIFY_PEER) != 0 && axon::peer_roles_set())
    callback = axon::verify_peer_role;
  real(ctx, mode, callback);
}

} // extern "C"
