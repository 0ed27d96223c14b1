// client_io: bytes in and out of one endpoint connection, plain or TLS, never blocking;
// and, for TLS, the handshake and the role check that decides what the client may do
// (OU=axon-console: reads and control with the token; OU=axon-console-read: reads only;
// any other certificate is refused).
#pragma once

#include "runtime/monitor/client_table.hpp"

namespace axon::monitor {

/// Reads into data; `moved` with the count, or what the connection waits for, or closed.
tls_stream::result receive(client& c, char* data, std::size_t size);
/// Sends from data; the same outcomes.
tls_stream::result send_some(client& c, const char* data, std::size_t size);

/// Advances a TLS client's handshake. Returns "" while it is under way (c.tls_waits says
/// for what) or once it is done and the role is accepted (c.may_control set); else why the
/// client is refused (for the log).
std::string advance_handshake(client& c);

} // namespace axon::monitor
