// client_table: who is evicted to admit a newcomer (the quietest, of its own address first),
// which connections expire (a frame past its deadline, a reply not taken, idleness), and
// the deadlines' arithmetic. Sockets are socketpairs, so names come out as "?".
#include "runtime/monitor/client_table.hpp"

#include <boost/test/unit_test.hpp>

#include <sys/socket.h>
#include <unistd.h>

namespace {

using namespace axon::monitor;
using namespace std::chrono_literals;

constexpr std::int64_t ms = 1000000;

int open_socket() {
  int pair[2];
  BOOST_REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0);
  ::close(pair[1]);
  return pair[0];
}

BOOST_AUTO_TEST_SUITE(client_table_rules)

BOOST_AUTO_TEST_CASE(a_newcomer_over_the_cap_replaces_the_quietest_connection) {
  client_table table{{3, 100, 2000ms, 60000ms}};
  int a = open_socket(), b = open_socket(), c = open_socket();
  table.admit(a, client::protocol::frames, 10 * ms);
  table.admit(b, client::protocol::frames, 5 * ms); // quiet since 5 ms: the oldest
  table.admit(c, client::protocol::frames, 20 * ms);
  auto evicted = table.admit(open_socket(), client::protocol::frames, 30 * ms);
  BOOST_TEST(evicted.size() == 1u);
  BOOST_TEST(table.all().size() == 3u);
  BOOST_TEST(table.find(b) == nullptr);
  BOOST_TEST(table.find(a) != nullptr);
}

BOOST_AUTO_TEST_CASE(one_address_over_its_limit_replaces_its_own_quietest) {
  client_table table{{64, 2, 2000ms, 60000ms}};
  int a = open_socket(), b = open_socket();
  table.admit(a, client::protocol::frames, 1 * ms);
  table.admit(b, client::protocol::frames, 2 * ms);
  // Socketpairs all have the address "?": the third from it replaces the first.
  auto evicted = table.admit(open_socket(), client::protocol::frames, 3 * ms);
  BOOST_TEST(evicted.size() == 1u);
  BOOST_TEST(table.find(a) == nullptr);
  BOOST_TEST(table.all().size() == 2u);
}

BOOST_AUTO_TEST_CASE(frames_replies_and_idleness_expire_on_time) {
  client_table table{{64, 64, 2000ms, 60000ms}};
  int slow = open_socket(), taker = open_socket(), idle = open_socket(), fine = open_socket();
  for (int fd : {slow, taker, idle, fine})
    table.admit(fd, client::protocol::frames, 0);
  table.frame_started(*table.find(slow), 1000 * ms); // must be whole by 3000 ms
  auto& replying = *table.find(taker);
  replying.out = std::string(3u << 20, 'x'); // 3 MiB: 2 s + 3 s to take it
  table.reply_queued(replying, 1000 * ms);
  table.find(fine)->last_active_ns = 59000 * ms;
  table.find(slow)->last_active_ns = table.find(taker)->last_active_ns = 59000 * ms;
  BOOST_TEST(table.next_deadline(1000000 * ms) == 3000 * ms);
  BOOST_TEST(table.expire(2999 * ms).empty());
  BOOST_TEST(table.expire(3000 * ms).size() == 1u); // the slow frame
  BOOST_TEST(table.find(slow) == nullptr);
  BOOST_TEST(table.expire(5999 * ms).empty());
  BOOST_TEST(table.expire(6000 * ms).size() == 1u); // the reply not taken
  BOOST_TEST(table.expire(60000 * ms).size() == 1u); // idle since 0
  BOOST_TEST(table.find(idle) == nullptr);
  BOOST_TEST(table.find(fine) != nullptr);
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace
