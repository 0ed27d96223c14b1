// A minimal HTTP/1.0 GET over loopback for tests of the Prometheus endpoint: the whole
// response (status line, headers, body) as text.
#pragma once

#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <cstdint>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

namespace axon::test {

/// Connects to "HOST:PORT" (IPv4) and sends `GET path`; fails the test when it cannot.
inline std::string http_get(const std::string& address, const std::string& path = "/metrics") {
  auto colon = address.rfind(':');
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(std::uint16_t(std::stoi(address.substr(colon + 1))));
  ::inet_pton(AF_INET, address.substr(0, colon).c_str(), &addr.sin_addr);
  BOOST_REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  const std::string get = "GET " + path + " HTTP/1.0\r\n\r\n";
  BOOST_REQUIRE(::write(fd, get.data(), get.size()) == ssize_t(get.size()));
  std::string response;
  char buffer[4096];
  for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;)
    response.append(buffer, std::size_t(n));
  ::close(fd);
  return response;
}

} // namespace axon::test
