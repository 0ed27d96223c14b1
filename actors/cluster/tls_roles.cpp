// tls_roles: see tls_roles.hpp.
#include "actors/cluster/tls_roles.hpp"

#include "actors/cluster/tls_check.hpp"

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <atomic>
#include <cstdio>
#include <iostream>
#include <memory>
#include <vector>

namespace axon {

namespace {

// The roles this process's peers may have (set once, before any connection).
std::vector<tls_role> accepted;
std::atomic<bool> accepted_set{false};

std::string units(const std::vector<tls_role>& roles) {
  std::string text;
  for (auto role : roles)
    text += (text.empty() ? "OU=" : " or OU=") + std::string{role_unit(role)};
  return text;
}

} // namespace

std::string prepare_tls(const cluster::tls_files& tls, tls_role self) {
  if (!tls.enabled())
    return "";
  if (auto problem = check_tls_files(tls); !problem.empty())
    return problem;
  std::unique_ptr<FILE, decltype(&std::fclose)> file{std::fopen(tls.certificate.c_str(), "r"),
                                                      std::fclose};
  std::unique_ptr<X509, decltype(&X509_free)> cert{
    file ? PEM_read_X509(file.get(), nullptr, nullptr, nullptr) : nullptr, X509_free};
  if (!cert)
    return "cluster.tls-certificate " + tls.certificate + " cannot be read";
  if (role_of(cert.get()) != self)
    return "cluster.tls-certificate " + tls.certificate + " is not a certificate for this role: "
           "its subject has OU=" + subject_field(cert.get(), NID_organizationalUnitName)
           + ", and this command needs OU=" + role_unit(self)
           + " (issue one with examples/cluster/make-certs.sh DIR NAME:ROLE; docs/security.md)";
  accepted = self == tls_role::node ? std::vector{tls_role::coordinator}
                                    : std::vector{tls_role::node};
  accepted_set = true;
  return "";
}

bool peer_roles_set() {
  return accepted_set;
}

int verify_peer_role(int preverify_ok, x509_store_ctx_st* ctx) {
  if (preverify_ok != 1 || X509_STORE_CTX_get_error_depth(ctx) != 0)
    return preverify_ok;
  X509* cert = X509_STORE_CTX_get_current_cert(ctx);
  const auto role = role_of(cert);
  for (auto ok : accepted)
    if (role == ok)
      return 1;
  std::cerr << "[tls] refused a peer: its certificate (" << who(cert) << ") is not "
            << units(accepted) << std::endl;
  X509_STORE_CTX_set_error(ctx, X509_V_ERR_APPLICATION_VERIFICATION);
  return 0;
}

} // namespace axon
