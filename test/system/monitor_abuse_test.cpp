// Network abuse of a real training job's inspection endpoint and Prometheus port on
// loopback: garbage, a frame claiming 4 GiB, a frame cut short and held, a client dripping
// one byte at a time, 200 idle connections, a Prometheus request held open. In each case
// `axon console` (another client) must be answered within 1.5 s, the job must survive with
// its RSS under base + 64 MiB, and the abuser's connection must end within the endpoint's
// deadlines. On main before #20 a held frame stalled every client for 5 s per read, and 64
// idle connections locked everyone out. Also: `axon console` gives up on a server that
// never answers, monitor.bind off loopback is refused without TLS, and over TLS the endpoint
// serves console certificates by role (control, read-only) and refuses others.
#include "test/support/raw_client.hpp"
#include "test/system/job_process.hpp"

#include <boost/test/unit_test.hpp>

#include <random>

namespace {

using namespace axon::test;
using namespace std::chrono_literals;

constexpr double rss_margin_mib = 64;

int port_of(const std::string& address) {
  return std::stoi(address.substr(address.rfind(':') + 1));
}

std::string frame_header(std::uint32_t size) {
  return {char(size >> 24), char(size >> 16), char(size >> 8), char(size)};
}

// One job for the suite (it starts in a few seconds and runs until the test ends).
job_process& job() {
  static job_process the_job{"monitor_abuse"};
  return the_job;
}

pid_t job_pid() {
  std::ifstream in{job().run_dir() / "monitor.json"};
  return nlohmann::json::parse(in)["pid"].get<pid_t>();
}

// `axon console ADDRESS -c nodes` answered, and how long it took.
double console_seconds(const std::string& address) {
  const auto start = std::chrono::steady_clock::now();
  auto r = run("timeout 20 " + axon_command + " console " + address + " -c \"nodes --json\"");
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  BOOST_CHECK_MESSAGE(r.status == 0, "axon console: " << r.output);
  BOOST_TEST_MESSAGE("axon console answered in " << took << " s");
  return took;
}

void check_job_survived(double base_rss) {
  BOOST_REQUIRE_MESSAGE(alive(job_pid()), "the job died:\n" << job().log());
  const double rss = rss_mib(job_pid());
  BOOST_TEST_MESSAGE("job RSS " << base_rss << " MiB before, " << rss << " MiB after");
  BOOST_CHECK_MESSAGE(rss < base_rss + rss_margin_mib,
                      "job RSS " << rss << " MiB, over " << base_rss << " + " << rss_margin_mib);
}

BOOST_AUTO_TEST_SUITE(monitor_abuse)

BOOST_AUTO_TEST_CASE(garbage_a_4_gib_claim_and_a_held_truncated_frame_stall_no_one) {
  const auto address = job().address();
  const double base_rss = rss_mib(job_pid());
  raw_client garbage{port_of(address)};
  std::string noise(64, '\0');
  std::mt19937 random{64};
  for (auto& c : noise)
    c = char(random());
  garbage.send(noise);
  raw_client huge{port_of(address)};
  huge.send(frame_header(0xFFFFFFFFu));
  raw_client truncated{port_of(address)};
  truncated.send(frame_header(100) + "\x82"); // 1 byte of 100, then nothing
  BOOST_CHECK_LT(console_seconds(address), 1.5);
  BOOST_CHECK_MESSAGE(huge.closed_within(1s), "the 4 GiB frame's connection stayed open");
  BOOST_CHECK_MESSAGE(garbage.closed_within(1s), "the garbage's connection stayed open");
  BOOST_CHECK_MESSAGE(truncated.closed_within(4s), "the truncated frame was held past 4 s");
  check_job_survived(base_rss);
}

BOOST_AUTO_TEST_CASE(a_client_dripping_a_frame_stalls_no_one_and_is_cut_off) {
  const auto address = job().address();
  raw_client slow{port_of(address)};
  auto request = nlohmann::json::to_msgpack(nlohmann::json{{"op", "nodes"}});
  const auto frame = frame_header(std::uint32_t(request.size()))
                     + std::string(request.begin(), request.end());
  std::atomic<bool> stop{false};
  std::thread drip{[&] {
    for (char c : frame) {
      if (stop || !slow.send(std::string(1, c)))
        return;
      std::this_thread::sleep_for(300ms);
    }
  }};
  std::this_thread::sleep_for(500ms);
  BOOST_CHECK_LT(console_seconds(address), 1.5);
  BOOST_CHECK_LT(console_seconds(address), 1.5);
  // The frame takes ~3 s to drip: the endpoint's frame deadline (2 s) cuts it first.
  BOOST_CHECK_MESSAGE(slow.closed_within(4s), "the dripping client was not cut off");
  stop = true;
  drip.join();
}

BOOST_AUTO_TEST_CASE(two_hundred_idle_connections_lock_no_one_out) {
  const auto address = job().address();
  const double base_rss = rss_mib(job_pid());
  std::vector<std::unique_ptr<raw_client>> idle;
  for (int i = 0; i < 200; ++i)
    idle.push_back(std::make_unique<raw_client>(port_of(address)));
  std::this_thread::sleep_for(300ms);
  BOOST_CHECK_LT(console_seconds(address), 1.5);
  // The token holder is served too.
  auto r = run(axon_command + " console --run " + job().run_dir().string()
               + " -c \"nodes\"");
  BOOST_CHECK_MESSAGE(r.status == 0, r.output);
  check_job_survived(base_rss);
}

BOOST_AUTO_TEST_CASE(a_prometheus_request_held_open_stalls_no_one) {
  const auto address = job().address();
  raw_client scraper{port_of(job().prometheus())};
  scraper.send("GET /met"); // and nothing more
  std::this_thread::sleep_for(200ms);
  BOOST_CHECK_LT(console_seconds(address), 1.5);
  raw_client good{port_of(job().prometheus())};
  good.send("GET /metrics HTTP/1.0\r\n\r\n");
  auto reply = good.receive(2s);
  BOOST_CHECK(reply.rfind("HTTP/1.0 200 OK", 0) == 0);
  BOOST_CHECK(reply.find("axon_") != std::string::npos);
  BOOST_CHECK_MESSAGE(scraper.closed_within(4s), "the held scrape was not cut off");
}

BOOST_AUTO_TEST_CASE(axon_console_gives_up_on_a_server_that_never_answers) {
  int server = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::listen(server, 4); // connections complete in the backlog; nothing is ever answered
  socklen_t len = sizeof addr;
  ::getsockname(server, reinterpret_cast<sockaddr*>(&addr), &len);
  const auto start = std::chrono::steady_clock::now();
  auto r = run("timeout 20 " + axon_command + " console 127.0.0.1:"
               + std::to_string(ntohs(addr.sin_port)) + " --timeout 1 -c nodes");
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ::close(server);
  BOOST_TEST_MESSAGE("axon console: exit " << r.status << " after " << took << " s: " << r.output);
  BOOST_CHECK_EQUAL(r.status, 1);
  BOOST_CHECK_LT(took, 4.0);
  BOOST_CHECK(r.output.find("no whole reply from 127.0.0.1:") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(idle_connections_end_at_monitor_idle_timeout) {
  job_process short_idle{"monitor_idle", "--monitor.idle-timeout=1s"};
  raw_client idle{port_of(short_idle.address())};
  const auto start = std::chrono::steady_clock::now();
  BOOST_CHECK_MESSAGE(idle.closed_within(4s), "an idle connection outlived 4 s");
  BOOST_TEST_MESSAGE("idle connection closed after "
                     << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()
                     << " s");
  BOOST_CHECK(wait_for([&] {
    return short_idle.log().find("idle (monitor.idle-timeout)") != std::string::npos;
  }, 2));
}

BOOST_AUTO_TEST_CASE(monitor_bind_off_loopback_is_refused) {
  auto r = run(axon_command + " config check " + (job().dir() / "job.ini").string()
               + " --monitor.bind=0.0.0.0");
  BOOST_CHECK_EQUAL(r.status, 2);
  BOOST_CHECK(r.output.find("monitor.bind") != std::string::npos);
  auto metrics_only = run(axon_command + " config check " + (job().dir() / "job.ini").string()
                          + " --monitor.prometheus-bind=0.0.0.0");
  BOOST_CHECK_MESSAGE(metrics_only.status == 0, metrics_only.output);
}

BOOST_AUTO_TEST_CASE(over_tls_the_endpoint_serves_console_certificates_by_role) {
  temp_dir certs;
  auto made = run(AXON_TEST_DIR "/../examples/cluster/make-certs.sh " + certs.path.string()
                  + " trainer:coordinator console1 reader:console-read worker1");
  BOOST_REQUIRE_MESSAGE(made.status == 0, made.output);
  auto file = [&](const std::string& name) { return (certs.path / name).string(); };
  job_process tls_job{"monitor_tls", "--monitor.tls-certificate=" + file("trainer.pem")
                                       + " --monitor.tls-key=" + file("trainer.key")
                                       + " --monitor.tls-ca=" + file("ca.pem")};
  const auto run_dir = tls_job.run_dir().string();
  auto as = [&](const std::string& name) {
    return " --tls-ca " + file("ca.pem") + " --tls-certificate " + file(name + ".pem")
           + " --tls-key " + file(name + ".key") + " --timeout 5";
  };
  auto console1 = tls_job.console("--run " + run_dir + as("console1") + " -c nodes");
  BOOST_CHECK_MESSAGE(console1.status == 0, console1.output);
  auto pause = tls_job.console("--run " + run_dir + as("console1") + " -c pause");
  BOOST_CHECK_MESSAGE(pause.status == 0 && pause.output.find("paused") != std::string::npos,
                      pause.output);
  auto resume = tls_job.console("--run " + run_dir + as("console1") + " -c resume");
  BOOST_CHECK_MESSAGE(resume.status == 0, resume.output);
  // A read-only console certificate reads, and is refused control even with the token.
  auto reads = tls_job.console("--run " + run_dir + as("reader") + " -c nodes");
  BOOST_CHECK_MESSAGE(reads.status == 0, reads.output);
  auto refused = tls_job.console("--run " + run_dir + as("reader") + " -c pause");
  BOOST_CHECK_NE(refused.status, 0);
  BOOST_CHECK_MESSAGE(refused.output.find("read-only") != std::string::npos, refused.output);
  // A node's certificate, and a plain client, are refused; --run without TLS flags says why.
  auto node = tls_job.console(tls_job.address() + as("worker1") + " -c nodes");
  BOOST_CHECK_EQUAL(node.status, 1);
  auto plain = tls_job.console(tls_job.address() + " --timeout 3 -c nodes");
  BOOST_CHECK_EQUAL(plain.status, 1);
  auto no_flags = tls_job.console("--run " + run_dir + " -c nodes");
  BOOST_CHECK_EQUAL(no_flags.status, 2);
  BOOST_CHECK(no_flags.output.find("speaks TLS only") != std::string::npos);
  BOOST_CHECK(wait_for([&] {
    return tls_job.log().find("(CN=worker1, OU=axon-node) is not OU=axon-console") != std::string::npos;
  }, 2));
  // With TLS, the endpoint may listen off loopback.
  auto open = run(axon_command + " config check " + (tls_job.dir() / "job.ini").string()
                  + " --monitor.bind=0.0.0.0 --monitor.tls-certificate=" + file("trainer.pem")
                  + " --monitor.tls-key=" + file("trainer.key") + " --monitor.tls-ca="
                  + file("ca.pem"));
  BOOST_CHECK_MESSAGE(open.status == 0, open.output);
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace
