// check_tls_files: OpenSSL loads of the certificate, key and CA, and a chain check.
#include "actors/cluster/tls_check.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <memory>

namespace axon {

namespace {

std::string openssl_reason() {
  auto code = ERR_get_error();
  ERR_clear_error();
  if (code == 0)
    return "unknown reason";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

} // namespace

std::string check_tls_files(const cluster::tls_files& tls) {
  if (!tls.enabled())
    return "";
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx{SSL_CTX_new(TLS_method()), SSL_CTX_free};
  if (!ctx)
    return "cannot create an OpenSSL context: " + openssl_reason();
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), tls.certificate.c_str()) != 1)
    return "cluster.tls-certificate " + tls.certificate
           + " is not a readable PEM certificate: " + openssl_reason();
  if (SSL_CTX_use_PrivateKey_file(ctx.get(), tls.key.c_str(), SSL_FILETYPE_PEM) != 1)
    return "cluster.tls-key " + tls.key + " is not a readable PEM private key: "
           + openssl_reason();
  if (SSL_CTX_check_private_key(ctx.get()) != 1)
    return "cluster.tls-key " + tls.key + " does not match the certificate " + tls.certificate;
  if (SSL_CTX_load_verify_locations(ctx.get(), tls.ca.c_str(), nullptr) != 1)
    return "cluster.tls-ca " + tls.ca + " is not a readable PEM CA certificate: "
           + openssl_reason();
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> check{X509_STORE_CTX_new(),
                                                                         X509_STORE_CTX_free};
  X509_STORE_CTX_init(check.get(), SSL_CTX_get_cert_store(ctx.get()),
                      SSL_CTX_get0_certificate(ctx.get()), nullptr);
  if (X509_verify_cert(check.get()) != 1)
    return "the certificate " + tls.certificate + " does not chain to the CA " + tls.ca + ": "
           + X509_verify_cert_error_string(X509_STORE_CTX_get_error(check.get()));
  return "";
}

} // namespace axon
