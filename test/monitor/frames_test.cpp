// Frames of the inspection protocol: a round trip, and untrusted input refused within its
// bounds (an over-long frame before any allocation, limits on counts and depth, bytes
// after the value, extension types) instead of allocating what a header claims.
#include "runtime/monitor/frames.hpp"

#include <boost/test/unit_test.hpp>
#include <msgpack.hpp>

#include <sys/socket.h>
#include <unistd.h>

namespace {

using axon::monitor::protocol_error;
using axon::monitor::request_limits;

struct socket_pair {
  int fd[2];
  socket_pair() { BOOST_REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fd) == 0); }
  ~socket_pair() {
    ::close(fd[0]);
    ::close(fd[1]);
  }
};

std::string packed(const msgpack::sbuffer& b) {
  return {b.data(), b.size()};
}

} // namespace

BOOST_AUTO_TEST_SUITE(monitor_frames)

BOOST_AUTO_TEST_CASE(a_frame_round_trips) {
  socket_pair s;
  nlohmann::json request{{"op", "actors"}, {"kind", "axon.bert.stage"}, {"last", 3}, {"x", 0.5}};
  BOOST_REQUIRE(axon::monitor::write_frame(s.fd[0], request));
  auto got = axon::monitor::read_frame(s.fd[1], request_limits);
  BOOST_REQUIRE(got.has_value());
  BOOST_TEST(*got == request);
  ::shutdown(s.fd[0], SHUT_WR);
  BOOST_TEST(!axon::monitor::read_frame(s.fd[1], request_limits).has_value()); // clean close
}

BOOST_AUTO_TEST_CASE(an_over_long_frame_is_refused_by_its_header) {
  socket_pair s;
  const unsigned char header[4] = {0x7f, 0xff, 0xff, 0xff}; // 2 GiB claimed, nothing sent
  BOOST_REQUIRE(::write(s.fd[0], header, 4) == 4);
  BOOST_CHECK_THROW(axon::monitor::read_frame(s.fd[1], request_limits), protocol_error);
  const unsigned char empty[4] = {0, 0, 0, 0};
  BOOST_REQUIRE(::write(s.fd[0], empty, 4) == 4);
  BOOST_CHECK_THROW(axon::monitor::read_frame(s.fd[1], request_limits), protocol_error);
}

BOOST_AUTO_TEST_CASE(a_frame_cut_short_is_refused) {
  socket_pair s;
  const unsigned char header[4] = {0, 0, 0, 10};
  BOOST_REQUIRE(::write(s.fd[0], header, 4) == 4);
  BOOST_REQUIRE(::write(s.fd[0], "\x81", 1) == 1);
  ::shutdown(s.fd[0], SHUT_WR);
  BOOST_CHECK_THROW(axon::monitor::read_frame(s.fd[1], request_limits), protocol_error);
}

BOOST_AUTO_TEST_CASE(counts_sizes_and_depth_are_bounded) {
  // An array header claiming 4 billion elements in 5 bytes.
  const char huge_array[] = {char(0xdd), char(0xff), char(0xff), char(0xff), char(0xff)};
  BOOST_CHECK_THROW(axon::monitor::decode_msgpack(huge_array, 5, request_limits), protocol_error);
  // A string header claiming 4 GiB.
  const char huge_string[] = {char(0xdb), char(0xff), char(0xff), char(0xff), char(0xff)};
  BOOST_CHECK_THROW(axon::monitor::decode_msgpack(huge_string, 5, request_limits), protocol_error);
  // More elements than allowed, really present.
  msgpack::sbuffer many;
  msgpack::pack(many, std::vector<int>(request_limits.max_elements + 1, 1));
  auto bytes = packed(many);
  BOOST_CHECK_THROW(axon::monitor::decode_msgpack(bytes.data(), bytes.size(), request_limits),
                    protocol_error);
  // Nesting deeper than allowed: [[[[[[[[[[1]]]]]]]]]]
  std::string deep(20, char(0x91));
  deep += char(0x01);
  BOOST_CHECK_THROW(axon::monitor::decode_msgpack(deep.data(), deep.size(), request_limits),
                    protocol_error);
  // An extension type, bytes after the value, a map with a non-string key, truncation.
  const char ext[] = {char(0xd4), 1, 0};
  BOOST_CHECK_THROW(axon::monitor::decode_msgpack(ext, 3, request_limits), protocol_error);
  const char two_values[] = {1, 2};
  BOOST_CHECK_THROW(axon::monitor::decode_msgpack(two_values, 2, request_limits), protocol_error);
  const char int_key[] = {char(0x81), 1, 2};
  BOOST_CHECK_THROW(axon::monitor::decode_msgpack(int_key, 3, request_limits), protocol_error);
  const char cut[] = {char(0x92), 1};
  BOOST_CHECK_THROW(axon::monitor::decode_msgpack(cut, 2, request_limits), protocol_error);
}

BOOST_AUTO_TEST_SUITE_END()
