// Network abuse of a real `axon node` process on loopback (plain TCP and TLS): headers
// claiming gigabytes, garbage, frames cut short, 200 connections at once, 300 silent ones,
// a client that drips its bytes. Each case checks that the node survives, that its resident memory stays
// under base + 64 MiB (on main before #20 a 1 GiB claim took 1 GiB of RSS and a 4 GiB one
// killed the node), that it logs the refusal, and that a real client (`axon bench wire`,
// which places an actor on the node and sends it tensors) is served within seconds. Over
// TLS, certificate roles: only a coordinator's certificate reaches a node.
// The node runs under `ulimit -v` (2.5 GiB of address space; it starts at about 0.65), so
// an unbounded allocation fails fast instead of taking the shared machine's memory.
#include "test/cluster/cluster_fixture.hpp"
#include "test/cluster/tls_client.hpp"
#include "test/support/raw_client.hpp"

#include <random>

namespace {

using namespace axon::test;

constexpr double rss_margin_mib = 64;

// BASP's 32-byte header (CAF 0.17, network byte order): operation, two padding bytes,
// flags, payload length, operation data, source and destination actor ids.
std::string basp_header(std::uint8_t operation, std::uint32_t payload_len) {
  std::string h(32, '\0');
  h[0] = char(operation);
  for (int i = 0; i < 4; ++i)
    h[4 + i] = char(payload_len >> (24 - 8 * i));
  return h;
}
constexpr std::uint8_t client_handshake = 0x01;

struct node_fixture {
  temp_dir dir;
  int port = free_port();
  fs::path config = dir.path / "node.ini";
  std::unique_ptr<child> node;
  double base_rss = 0;

  node_fixture() {
    std::ofstream{dir.path / "d.csv"} << "good news,positive\nbad news,negative\n";
    std::ofstream{config} << "[data]\npath = \"" << (dir.path / "d.csv").string() << "\"\n"
                          << "[cluster]\nnodes = [\"worker1=127.0.0.1:" << port << "\"]\n"
                          << "heartbeat = 250ms\ntimeout = 2s\n";
  }
  ~node_fixture() {
    if (node)
      BOOST_TEST_MESSAGE("node log:\n" << node->output());
  }

  void start(const std::vector<std::string>& flags = {}) {
    std::string command = "ulimit -v 2621440 && exec '" + axon_command + "' node --config '"
                          + config.string() + "' --name worker1";
    for (const auto& f : flags)
      command += " '" + f + "'";
    node = std::make_unique<child>(std::vector<std::string>{"/bin/sh", "-c", command},
                                   dir.path / "node.log");
    BOOST_REQUIRE_MESSAGE(node->wait_for("node worker1 listening on", 20s), node->output());
    base_rss = rss_mib(node->pid());
  }

  // The node still runs, its RSS is within the margin, and a real client is served.
  void check_survived_and_serves(const std::vector<std::string>& client_flags = {}) {
    BOOST_REQUIRE_MESSAGE(alive(node->pid()), "the node died:\n" << node->output());
    const double rss = rss_mib(node->pid());
    BOOST_TEST_MESSAGE("node RSS " << base_rss << " MiB at start, " << rss << " MiB now");
    BOOST_CHECK_MESSAGE(rss < base_rss + rss_margin_mib,
                        "node RSS " << rss << " MiB, over " << base_rss << " + " << rss_margin_mib);
    BOOST_CHECK_MESSAGE(served(client_flags), "a real client was not served");
  }

  bool served(const std::vector<std::string>& client_flags, int mib = 1) {
    const auto start = clock_type::now();
    auto r = run("timeout 20 '" + axon_command + "' bench wire --config '" + config.string()
                 + "' --node worker1 --mib " + std::to_string(mib)
                 + " --messages 4 --window 2 --repeats 1" + join(client_flags));
    BOOST_TEST_MESSAGE("bench wire (" << mib << " MiB): exit " << r.status << " after "
                       << std::chrono::duration<double>(clock_type::now() - start).count()
                       << " s\n" << r.output);
    return r.status == 0;
  }
};

BOOST_AUTO_TEST_SUITE(node_abuse)

BOOST_AUTO_TEST_CASE(a_header_claiming_4_gib_is_refused_before_allocation) {
  node_fixture f;
  f.start();
  raw_client attacker{f.port};
  BOOST_REQUIRE(attacker.connected());
  attacker.send(basp_header(client_handshake, 0xFFFFFFFFu));
  BOOST_CHECK_MESSAGE(attacker.closed_within(3s), "the node kept the connection open");
  f.check_survived_and_serves();
  BOOST_CHECK(f.node->output().find("refused a handshake frame of 4294967295 bytes")
              != std::string::npos);
}

BOOST_AUTO_TEST_CASE(garbage_and_a_truncated_frame_cost_only_their_connection) {
  node_fixture f;
  f.start();
  raw_client garbage{f.port};
  std::string noise(64, '\0');
  std::mt19937 random{20};
  for (auto& c : noise)
    c = char(random());
  garbage.send(noise);
  // A handshake header claiming 1 GiB, 1000 bytes of it, then nothing: held open.
  raw_client truncated{f.port};
  truncated.send(basp_header(client_handshake, 1u << 30) + std::string(1000, 'x'));
  BOOST_CHECK_MESSAGE(truncated.closed_within(3s), "the truncated 1 GiB frame was kept");
  f.check_survived_and_serves();
}

BOOST_AUTO_TEST_CASE(two_hundred_connections_at_once_leave_the_node_serving) {
  node_fixture f;
  f.start();
  std::mt19937 random{200};
  std::vector<std::unique_ptr<raw_client>> clients;
  for (int i = 0; i < 200; ++i) {
    clients.push_back(std::make_unique<raw_client>(f.port));
    // Random bytes, with a BASP operation code in the first byte (0-6) so that most headers
    // get as far as asking for their random payload length.
    std::string bytes(64, '\0');
    for (auto& c : bytes)
      c = char(random());
    bytes[0] = char(i % 7);
    clients.back()->send(bytes);
  }
  std::this_thread::sleep_for(1s);
  f.check_survived_and_serves();
  BOOST_TEST_MESSAGE("node log:\n" << f.node->output());
}

BOOST_AUTO_TEST_CASE(three_hundred_silent_connections_hold_at_most_64_sockets) {
  node_fixture f;
  f.start();
  auto sockets = [&] {
    return std::distance(fs::directory_iterator{"/proc/" + std::to_string(f.node->pid()) + "/fd"},
                         fs::directory_iterator{});
  };
  const auto base = sockets();
  std::vector<std::unique_ptr<raw_client>> silent;
  for (int i = 0; i < 300; ++i)
    silent.push_back(std::make_unique<raw_client>(f.port));
  std::this_thread::sleep_for(500ms);
  BOOST_TEST_MESSAGE("node file descriptors: " << base << " at start, " << sockets()
                     << " with 300 silent connections");
  BOOST_CHECK_LE(sockets(), base + 64 + 4);
  f.check_survived_and_serves();
  BOOST_CHECK(f.node->output().find("connections still in their handshake") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_client_dripping_a_2_gib_header_delays_no_one) {
  node_fixture f;
  f.start();
  raw_client slow{f.port};
  const auto header = basp_header(client_handshake, 2u << 30);
  std::thread drip{[&] {
    for (char c : header) {
      slow.send(std::string(1, c));
      std::this_thread::sleep_for(100ms);
    }
  }};
  const auto start = clock_type::now();
  const bool served = f.served({});
  const auto took = clock_type::now() - start;
  drip.join();
  BOOST_CHECK(served);
  BOOST_CHECK_MESSAGE(took < 10s, "a client waited "
                                    << std::chrono::duration<double>(took).count() << " s");
  BOOST_CHECK_MESSAGE(slow.closed_within(3s), "the dripped 2 GiB header was not refused");
  f.check_survived_and_serves();
}

BOOST_AUTO_TEST_CASE(a_message_over_max_message_mb_from_a_real_peer_is_refused_and_logged) {
  node_fixture f;
  f.start({"--cluster.max-message-mb=2"});
  BOOST_CHECK_MESSAGE(f.served({"--cluster.max-message-mb=2"}, 1), "1 MiB under a 2 MiB cap");
  BOOST_CHECK_MESSAGE(!f.served({"--cluster.max-message-mb=2"}, 4), "4 MiB passed a 2 MiB cap");
  BOOST_CHECK(f.node->output().find("over cluster.max-message-mb (2 MiB") != std::string::npos);
  f.check_survived_and_serves({"--cluster.max-message-mb=2"});
}

BOOST_AUTO_TEST_CASE(over_tls_a_certified_client_claiming_4_gib_is_refused) {
  node_fixture f;
  auto certs = f.dir.path / "certs";
  auto r = run(make_certs + " " + certs.string() + " coordinator worker1");
  BOOST_REQUIRE_MESSAGE(r.status == 0, r.output);
  f.start(tls_flags_in(certs, "worker1"));
  tls_client attacker{f.port, certs / "ca.pem", certs / "coordinator.pem", certs / "coordinator.key"};
  BOOST_REQUIRE_MESSAGE(attacker.handshake_done(), "the TLS handshake failed");
  attacker.send(basp_header(client_handshake, 0xFFFFFFFFu));
  BOOST_CHECK_MESSAGE(attacker.closed_within(3s), "the node kept the connection open");
  f.check_survived_and_serves(tls_flags_in(certs, "coordinator"));
  BOOST_CHECK(f.node->output().find("refused a handshake frame") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(over_tls_only_a_coordinator_certificate_reaches_a_node) {
  node_fixture f;
  auto certs = f.dir.path / "certs";
  auto r = run(make_certs + " " + certs.string()
               + " coordinator worker1 worker2 console1 reader:console-read");
  BOOST_REQUIRE_MESSAGE(r.status == 0, r.output);
  // A process refuses to start with a certificate of another role.
  auto wrong = run("'" + axon_command + "' node --config '" + f.config.string()
                   + "' --name worker1" + join(tls_flags_in(certs, "coordinator")));
  BOOST_CHECK_EQUAL(wrong.status, 2);
  BOOST_CHECK(wrong.output.find("needs OU=axon-node") != std::string::npos);
  BOOST_CHECK(!f.served(tls_flags_in(certs, "worker2"))); // a node's certificate cannot act as coordinator
  f.start(tls_flags_in(certs, "worker1"));
  // The node itself refuses peers of other roles during the TLS handshake.
  for (const std::string name : {"worker2", "console1", "reader"}) {
    tls_client peer{f.port, certs / "ca.pem", certs / (name + ".pem"), certs / (name + ".key")};
    BOOST_CHECK_MESSAGE(!peer.handshake_done() || peer.closed_within(3s),
                        "the node kept a TLS connection from " << name);
  }
  tls_client coordinator{f.port, certs / "ca.pem", certs / "coordinator.pem",
                         certs / "coordinator.key"};
  BOOST_CHECK(coordinator.handshake_done());
  BOOST_CHECK_MESSAGE(!coordinator.closed_within(1s), "the node closed a coordinator's connection");
  BOOST_CHECK(f.node->output().find("[tls] refused a peer: its certificate (CN=console1, "
                                    "OU=axon-console) is not OU=axon-coordinator")
              != std::string::npos);
  f.check_survived_and_serves(tls_flags_in(certs, "coordinator"));
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace
