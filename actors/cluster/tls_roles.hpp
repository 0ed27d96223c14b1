// tls_roles: certificate roles (runtime/tls/tls_role.hpp) on the cluster's connections. A
// process checks its own certificate's role before it starts (prepare_tls) and, during
// every TLS handshake, its peer's: a node accepts only coordinators, a coordinator only
// nodes (CAF 0.17 opens no node-to-node connections: automatic connections are off). The
// peer check runs in OpenSSL's verify callback, installed on CAF's TLS contexts by
// openssl_peer_roles.cpp; a refused peer fails the handshake and is logged.
#pragma once

#include "runtime/config/cluster_settings.hpp"
#include "runtime/tls/tls_role.hpp"

#include <string>

struct x509_store_ctx_st;

namespace axon {

/// Checks the TLS files (tls_check.hpp) and that the certificate's role is `self`, then
/// makes this process accept only the peer roles `self` talks to. "" when TLS is off or all
/// is well, else what is wrong (naming the file and how to issue a role certificate).
std::string prepare_tls(const cluster::tls_files& tls, tls_role self);

/// Whether prepare_tls has set the peer roles (the verify callback is then installed).
bool peer_roles_set();

/// OpenSSL verify callback: CAF's chain check (`preverify_ok`), then, for the peer's own
/// certificate, its role against those this process accepts.
int verify_peer_role(int preverify_ok, x509_store_ctx_st* ctx);

} // namespace axon
