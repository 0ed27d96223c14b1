// tls_role: what a certificate of an Axon CA allows its holder to be. The role is the
// certificate subject's organizationalUnitName (OU):
//   OU=axon-coordinator   `axon train`, `axon bench wire`: places actors on nodes; also
//                         the job's inspection endpoint when it speaks TLS
//   OU=axon-node          `axon node`: hosts actors
//   OU=axon-console       `axon console` with control (with the run's token)
//   OU=axon-console-read  `axon console`, reads only (control is refused even with the token)
// Where each is accepted: docs/security.md.
#pragma once

#include <optional>
#include <string>

struct x509_st;

namespace axon {

enum class tls_role { coordinator, node, console, console_read };

/// "axon-coordinator", "axon-node", "axon-console", "axon-console-read".
const char* role_unit(tls_role role);

/// The role a certificate's subject names, if any.
std::optional<tls_role> role_of(x509_st* cert);

/// A field of a certificate's subject (NID_commonName, ...); "" when absent.
std::string subject_field(x509_st* cert, int nid);

/// "CN=worker1, OU=axon-node": who a certificate names, for logs.
std::string who(x509_st* cert);

} // namespace axon
