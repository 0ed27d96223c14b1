// The listen backlog of `axon serve`'s HTTP socket: see listen_backlog.hpp.
#include "apps/axon/listen_backlog.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <charconv>
#include <filesystem>

namespace axon::app {

namespace {

// The port `fd` is bound to when it is a listening IPv4/IPv6 TCP socket, else -1.
int listening_port(int fd) {
  int listening = 0;
  socklen_t size = sizeof listening;
  if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &size) != 0 || listening == 0)
    return -1;
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0)
    return -1;
  if (address.ss_family == AF_INET)
    return ntohs(reinterpret_cast<const sockaddr_in&>(address).sin_port);
  if (address.ss_family == AF_INET6)
    return ntohs(reinterpret_cast<const sockaddr_in6&>(address).sin6_port);
  return -1;
}

} // namespace

int widen_listen_backlog(int port) {
  // This process's open descriptors only (a scan up to RLIMIT_NOFILE could be a million
  // system calls at start-up).
  std::error_code error;
  int widened = 0;
  for (const auto& entry : std::filesystem::directory_iterator{"/proc/self/fd", error}) {
    int fd = -1;
    const auto name = entry.path().filename().string();
    if (std::from_chars(name.data(), name.data() + name.size(), fd).ec != std::errc{})
      continue;
    if (listening_port(fd) == port && listen(fd, SOMAXCONN) == 0)
      ++widened;
  }
  return widened;
}

} // namespace axon::app
