// widen_listen_backlog (apps/axon/listen_backlog.hpp): of 32 clients connecting at once to
// a socket listening with a backlog of 1, it can accept them all at once only after it is
// widened; a port nothing listens on widens nothing.
#include "apps/axon/listen_backlog.hpp"

#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <vector>

using namespace axon::app;

namespace {

struct fd_guard {
  int fd;
  explicit fd_guard(int descriptor) : fd{descriptor} {}
  fd_guard(const fd_guard&) = delete;
  fd_guard& operator=(const fd_guard&) = delete;
  ~fd_guard() {
    if (fd >= 0)
      close(fd);
  }
};

// A loopback socket listening with `backlog` on a free port; its port.
int listen_on_loopback(const fd_guard& s, int backlog) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  BOOST_REQUIRE(bind(s.fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  BOOST_REQUIRE(listen(s.fd, backlog) == 0);
  socklen_t length = sizeof address;
  BOOST_REQUIRE(getsockname(s.fd, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  return ntohs(address.sin_port);
}

// How many of `clients` connecting at once to the socket `server` (listening on `port`)
// it can accept within 200 ms. A client's connect completes either way; beyond the accept
// queue the kernel drops the client's last handshake packet, and that connection (and the
// request a client sends on it) waits for a retransmit 1 s later, or is reset.
int accepted_within_200ms(const fd_guard& server, int port, int clients) {
  std::vector<std::unique_ptr<fd_guard>> sockets;
  for (int i = 0; i < clients; ++i) {
    sockets.push_back(std::make_unique<fd_guard>(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connect(sockets.back()->fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  }
  usleep(50'000); // every handshake that is not dropped is done
  int accepted = 0;
  pollfd listening{server.fd, POLLIN, 0};
  while (accepted < clients && poll(&listening, 1, 150) == 1) {
    fd_guard taken{accept(server.fd, nullptr, nullptr)};
    accepted += taken.fd >= 0 ? 1 : 0;
  }
  return accepted;
}

} // namespace

BOOST_AUTO_TEST_SUITE(listen_backlog)

BOOST_AUTO_TEST_CASE(a_narrow_backlog_drops_connections_until_widened) {
  constexpr int clients = 32;
  fd_guard narrow{socket(AF_INET, SOCK_STREAM, 0)};
  const int port = listen_on_loopback(narrow, 1);
  BOOST_TEST(accepted_within_200ms(narrow, port, clients) < clients); // the kernel's behaviour
  fd_guard widened{socket(AF_INET, SOCK_STREAM, 0)};
  const int other_port = listen_on_loopback(widened, 1);
  BOOST_TEST(widen_listen_backlog(other_port) == 1);
  BOOST_TEST(accepted_within_200ms(widened, other_port, clients) == clients);
  BOOST_TEST(widen_listen_backlog(0) == 0); // no socket listens on port 0
}

BOOST_AUTO_TEST_SUITE_END()
