// client_io: see client_io.hpp.
#include "runtime/monitor/client_io.hpp"

#include "runtime/tls/tls_role.hpp"

#include <poll.h>
#include <sys/socket.h>

namespace axon::monitor {

namespace {

// Notes what a TLS connection waits for before it can go on.
tls_stream::result noted(client& c, tls_stream::result r) {
  c.tls_waits = r.status == tls_stream::state::want_write  ? POLLOUT
                : r.status == tls_stream::state::want_read ? POLLIN
                                                            : 0;
  return r;
}

} // namespace

tls_stream::result receive(client& c, char* data, std::size_t size) {
  if (c.tls)
    return noted(c, c.tls->read(data, size));
  return socket_result(::recv(c.fd, data, size, 0), true);
}

tls_stream::result send_some(client& c, const char* data, std::size_t size) {
  if (c.tls)
    return noted(c, c.tls->write(data, size));
  return socket_result(::send(c.fd, data, size, MSG_NOSIGNAL), false);
}

std::string advance_handshake(client& c) {
  auto r = noted(c, c.tls->handshake());
  if (r.status == tls_stream::state::closed)
    return "TLS handshake failed: " + c.tls->failure();
  if (r.status != tls_stream::state::moved)
    return "";
  auto* cert = c.tls->peer_certificate();
  const auto role = role_of(cert);
  if (role != tls_role::console && role != tls_role::console_read)
    return "its certificate (" + who(cert) + ") is not OU=" + role_unit(tls_role::console)
           + " or OU=" + role_unit(tls_role::console_read);
  c.may_control = role == tls_role::console;
  c.deadline_ns = 0; // the handshake's deadline
  return "";
}

} // namespace axon::monitor
