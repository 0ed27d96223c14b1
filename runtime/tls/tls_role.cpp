// tls_role: see tls_role.hpp.
#include "runtime/tls/tls_role.hpp"

#include <openssl/x509.h>

namespace axon {

const char* role_unit(tls_role role) {
  switch (role) {
    case tls_role::coordinator: return "axon-coordinator";
    case tls_role::node: return "axon-node";
    case tls_role::console: return "axon-console";
    case tls_role::console_read: return "axon-console-read";
  }
  return "?";
}

std::string subject_field(X509* cert, int nid) {
  char text[256] = "";
  if (cert == nullptr
      || X509_NAME_get_text_by_NID(X509_get_subject_name(cert), nid, text, sizeof text) < 0)
    return "";
  return text;
}

std::optional<tls_role> role_of(X509* cert) {
  const auto unit = subject_field(cert, NID_organizationalUnitName);
  for (auto role : {tls_role::coordinator, tls_role::node, tls_role::console,
                    tls_role::console_read})
    if (unit == role_unit(role))
      return role;
  return std::nullopt;
}

std::string who(X509* cert) {
  return "CN=" + subject_field(cert, NID_commonName)
         + ", OU=" + subject_field(cert, NID_organizationalUnitName);
}

} // namespace axon
