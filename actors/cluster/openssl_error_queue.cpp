// OpenSSL requires the calling thread's error queue to be empty before each TLS I/O call
// (SSL_read, SSL_write, SSL_accept, SSL_connect): SSL_get_error reads that queue, and a
// stale entry makes it report a fatal error for a call that merely would block. CAF
// 0.17.6's OpenSSL module never clears it, and all connections share the middleman's
// thread, so one failed handshake (a peer without a valid certificate, or a client
// speaking plain TCP) left an entry that then closed the next healthy connection that
// had to wait for data: a rejected intruder took a running job down.
// These definitions interpose on libssl's for the whole process (the executable's
// symbols come first in dynamic lookup), clear the queue, and call libssl's own function.
// They are linked into each executable that loads CAF's OpenSSL module, as an object
// library, so that the linker keeps them.
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <dlfcn.h>

namespace {

template <class Fn>
Fn libssl(const char* name) {
  static_assert(sizeof(Fn) == sizeof(void*));
  return reinterpret_cast<Fn>(::dlsym(RTLD_NEXT, name));
}

} // namespace

extern "C" {

int SSL_read(SSL* ssl, void* buf, int num) {
  static auto real = libssl<int (*)(SSL*, void*, int)>("SSL_read");
  ERR_clear_error();
  return real(ssl, buf, num);
}

int SSL_write(SSL* ssl, const void* buf, int num) {
  static auto real = libssl<int (*)(SSL*, const void*, int)>("SSL_write");
  ERR_clear_error();
  return real(ssl, buf, num);
}

int SSL_accept(SSL* ssl) {
  static auto real = libssl<int (*)(SSL*)>("SSL_accept");
  ERR_clear_error();
  return real(ssl);
}

int SSL_connect(SSL* ssl) {
  static auto real = libssl<int (*)(SSL*)>("SSL_connect");
  ERR_clear_error();
  return real(ssl);
}

} // extern "C"
