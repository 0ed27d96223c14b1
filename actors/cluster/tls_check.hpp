// Checks a process's TLS files before CAF's OpenSSL module uses them: that module raises
// an exception inside its network thread on a bad file, which would kill the process
// with no useful message. Here each file is loaded as CAF will load it, and the problem
// names the file and what is wrong with it.
#pragma once

#include "runtime/config/cluster_settings.hpp"

#include <string>

namespace axon {

/// "" when TLS is off, or when the certificate, key and CA load, the key matches the
/// certificate and the certificate chains to the CA; else what is wrong, naming the file.
std::string check_tls_files(const cluster::tls_files& tls);

} // namespace axon
