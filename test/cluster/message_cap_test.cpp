// read_admission (actors/message_cap.hpp): a handshake may ask for 64 KiB, a message for
// cluster.max-message-mb, all connections together for (peers + 1) x that; a grant is
// given back when it closes; the oldest of 64 connections still in their handshake makes
// room for a newcomer. Socketpairs stand in for connections.
#include "actors/cluster/message_cap.hpp"

#include <boost/test/unit_test.hpp>

#include <array>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace {

using axon::message_cap;
using axon::read_admission;

std::shared_ptr<const message_cap> cap_of(std::size_t max_bytes) {
  auto cap = std::make_shared<message_cap>();
  cap->max_message_bytes = max_bytes;
  return cap;
}

void handshake(read_admission& a) {
  BOOST_REQUIRE(a.admit(32).empty());
  a.read_done();
  BOOST_REQUIRE(a.admit(1000).empty());
  a.read_done();
}

BOOST_AUTO_TEST_SUITE(message_cap_rules)

BOOST_AUTO_TEST_CASE(a_handshake_may_not_ask_for_more_than_64_kib) {
  read_admission a{cap_of(std::size_t{1} << 30), -1};
  BOOST_TEST(a.admit(32).empty());
  a.read_done();
  BOOST_TEST(a.admit(65536).empty());
  BOOST_TEST(a.admit(65537).find("handshake frame of 65537 bytes") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_message_over_the_cap_is_refused_naming_the_key) {
  read_admission a{cap_of(std::size_t{2} << 20), -1};
  handshake(a);
  BOOST_TEST(a.admit(std::size_t{2} << 20).empty());
  auto why = a.admit((std::size_t{2} << 20) + 1);
  BOOST_TEST(why.find("over cluster.max-message-mb (2 MiB") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(connections_together_hold_one_cap_per_peer_and_a_spare_until_they_close) {
  const auto before = read_admission::held_by_all();
  auto cap = cap_of(std::size_t{8} << 20); // one peer: 16 MiB in all
  {
    read_admission a{cap, -1}, b{cap, -1}, c{cap, -1};
    for (auto* x : {&a, &b, &c})
      handshake(*x);
    BOOST_TEST(a.admit(std::size_t{8} << 20).empty());
    BOOST_TEST(b.admit(std::size_t{7} << 20).empty());
    BOOST_TEST(c.admit(std::size_t{2} << 20).find("already hold") != std::string::npos);
    BOOST_TEST(a.admit(std::size_t{4} << 20).empty()); // within what a holds already
  }
  BOOST_TEST(read_admission::held_by_all() == before);
  read_admission d{cap, -1};
  handshake(d);
  BOOST_TEST(d.admit(std::size_t{8} << 20).empty());
}

BOOST_AUTO_TEST_CASE(the_oldest_of_64_silent_connections_makes_room_for_a_newcomer) {
  auto cap = cap_of(std::size_t{8} << 20);
  std::vector<std::array<int, 2>> sockets(axon::max_handshakes);
  std::vector<std::unique_ptr<read_admission>> silent;
  for (auto& pair : sockets) {
    BOOST_REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair.data()) == 0);
    silent.push_back(std::make_unique<read_admission>(cap, pair[0]));
  }
  handshake(*silent[1]); // done: no longer counts
  BOOST_TEST(read_admission::in_handshake() == axon::max_handshakes - 1);
  BOOST_TEST(!read_admission::make_room_for_handshake(*cap));
  read_admission newcomer{cap, -1};
  BOOST_TEST(read_admission::make_room_for_handshake(*cap));
  char byte;
  BOOST_TEST(::recv(sockets[0][1], &byte, 1, MSG_DONTWAIT) == 0); // the oldest was shut down
  BOOST_TEST(::recv(sockets[2][1], &byte, 1, MSG_DONTWAIT) == -1); // the next was not
  BOOST_TEST(read_admission::in_handshake() == axon::max_handshakes - 1);
  silent.clear();
  for (auto& pair : sockets)
    for (int fd : pair)
      ::close(fd);
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace
