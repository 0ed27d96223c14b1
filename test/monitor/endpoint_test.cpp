// The endpoint over real loopback sockets, on a registry filled by hand: reads answer
// anyone, control needs the token (refusals are logged), kill reaches the actor's probe,
// a broken frame costs only its own connection, and the Prometheus text parses.
#include "runtime/monitor/control_token.hpp"
#include "runtime/monitor/endpoint.hpp"
#include "runtime/monitor/frames.hpp"
#include "runtime/monitor/prometheus.hpp"
#include "test/monitor/http_get.hpp"

#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <atomic>
#include <filesystem>
#include <mutex>
#include <netinet/in.h>
#include <regex>
#include <sstream>
#include <sys/socket.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace {

using json = nlohmann::json;
using namespace axon::monitor;

int connect_to(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(std::uint16_t(port));
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  BOOST_REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  return fd;
}

struct job_fixture {
  probe_registry probes;
  std::atomic<bool> killed{false};
  std::mutex log_mutex;
  std::vector<std::string> log;
  std::unique_ptr<endpoint> server;
  int fd = -1;

  job_fixture() {
    auto a = probes.add_actor("shard0.stage0", "axon.bert.stage", "local", "cpu", 11);
    a->messages_in = 7;
    a->set_detail("grad_norm", 0.25);
    auto b = probes.add_actor("optimizer0", "axon.optimizer", "local", "cpu", 12);
    b->kill = [this] { killed = true; };
    edge_probe e;
    e.from = "shard0.stage0";
    e.from_port = "optimizer";
    e.to = "optimizer0";
    e.to_port = "replica0";
    e.message_type = "axon::msg::grads_msg";
    e.from_id = 11;
    e.to_id = 12;
    e.credit_window = 2;
    probes.add_edge(e)->messages = 5;
    probes.add_train_point({1, 1.5, 1e-3, 1000, 0});
    probes.add_train_point({2, 1.25, 1e-3, 1100, 0});
    endpoint_options options;
    options.prometheus_port = 0;
    options.token = "secret";
    options.run_dir = "/tmp/run";
    server = std::make_unique<endpoint>(options, probes, [this](const std::string& line) {
      std::lock_guard lock{log_mutex};
      log.push_back(line);
    });
    fd = connect_to(server->port());
  }
  ~job_fixture() { ::close(fd); }

  json call(json request) {
    BOOST_REQUIRE(write_frame(fd, request));
    auto reply = read_frame(fd, reply_limits);
    BOOST_REQUIRE(reply.has_value());
    return *reply;
  }
  bool logged(const std::string& text) {
    std::lock_guard lock{log_mutex};
    for (const auto& line : log)
      if (line.find(text) != std::string::npos)
        return true;
    return false;
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(monitor_endpoint)

BOOST_FIXTURE_TEST_CASE(reads_answer_anyone, job_fixture) {
  auto hello = call({{"op", "hello"}});
  BOOST_TEST(hello["ok"].get<bool>());
  BOOST_TEST(hello["result"]["control"].get<bool>() == false);
  BOOST_TEST(call({{"op", "hello"}, {"token", "secret"}})["result"]["control"].get<bool>());
  auto stages = call({{"op", "actors"}, {"kind", "axon.bert.stage"}})["result"];
  BOOST_REQUIRE(stages.size() == 1u);
  BOOST_TEST(stages[0]["name"] == "shard0.stage0");
  BOOST_TEST(stages[0]["messages_in"] == 7);
  BOOST_TEST(stages[0]["state"] == "idle");
  BOOST_TEST(call({{"op", "actors"}})["result"].size() == 2u);
  auto inspected = call({{"op", "inspect"}, {"actor", "shard0.stage0"}})["result"];
  BOOST_TEST(inspected["details"]["grad_norm"].get<double>() == 0.25);
  auto missing = call({{"op", "inspect"}, {"actor", "nobody"}});
  BOOST_TEST(!missing["ok"].get<bool>());
  auto graph = call({{"op", "graph"}})["result"]["edges"];
  BOOST_REQUIRE(graph.size() == 1u);
  BOOST_TEST(graph[0]["credit_window"] == 2);
  BOOST_TEST(graph[0]["messages"] == 5);
  BOOST_TEST(call({{"op", "metrics"}, {"last", 1}})["result"]["train"].size() == 1u);
  auto all_metrics = call({{"op", "metrics"}}); // "last" is optional
  BOOST_TEST(all_metrics["ok"].get<bool>(), all_metrics.dump());
  BOOST_TEST(!call({{"op", "metrics"}, {"last", -1}})["ok"].get<bool>());
  BOOST_TEST(call({{"op", "nodes"}})["result"][0]["rss_bytes"].get<double>() > 0);
  BOOST_TEST(!call({{"op", "frobnicate"}})["ok"].get<bool>());
  BOOST_TEST(!call({{"op", 3}})["ok"].get<bool>());
  BOOST_TEST(!call(json::array({1, 2}))["ok"].get<bool>());
}

BOOST_FIXTURE_TEST_CASE(control_needs_the_token_and_refusals_are_logged, job_fixture) {
  auto refused = call({{"op", "pause"}});
  BOOST_TEST(!refused["ok"].get<bool>());
  BOOST_TEST(refused["error"].get<std::string>().find("refused") != std::string::npos);
  BOOST_TEST(logged("refused 'pause'"));
  BOOST_TEST(!call({{"op", "kill"}, {"actor", "optimizer0"}, {"token", "guess"}})["ok"].get<bool>());
  BOOST_TEST(logged("wrong control token"));
  BOOST_TEST(!killed);
  // Authorised, but the job has not handed over its control yet.
  auto starting = call({{"op", "pause"}, {"token", "secret"}});
  BOOST_TEST(starting["error"].get<std::string>().find("starting") != std::string::npos);
  server->set_control([](const json& request) {
    return json{{"ok", true}, {"result", request["op"].get<std::string>() + " done"}};
  });
  BOOST_TEST(call({{"op", "pause"}, {"token", "secret"}})["result"] == "pause done");
  BOOST_TEST(call({{"op", "kill"}, {"actor", "optimizer0"}, {"token", "secret"}})["ok"].get<bool>());
  BOOST_TEST(killed);
  auto not_killable = call({{"op", "kill"}, {"actor", "shard0.stage0"}, {"token", "secret"}});
  BOOST_TEST(!not_killable["ok"].get<bool>());
}

BOOST_FIXTURE_TEST_CASE(a_slow_control_request_holds_no_other_client, job_fixture) {
  // The slow control request ends when the test releases it, or leaves (a failed check
  // must not leave the endpoint's worker waiting: the fixture joins it).
  auto release = std::make_shared<std::atomic<bool>>(false);
  struct release_at_exit {
    std::shared_ptr<std::atomic<bool>> flag;
    ~release_at_exit() { *flag = true; }
  } guard{release};
  server->set_control([release](const json&) -> json {
    while (!*release)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return {{"ok", true}, {"result", "checkpoint written"}};
  });
  BOOST_REQUIRE(write_frame(fd, {{"op", "checkpoint"}, {"token", "secret"}}));
  // Another client is answered while the checkpoint is under way; a second control request
  // is told to wait instead of queueing behind the first.
  int other = connect_to(server->port());
  const auto start = std::chrono::steady_clock::now();
  BOOST_REQUIRE(write_frame(other, {{"op", "nodes"}}));
  auto nodes = read_frame(other, reply_limits, std::chrono::seconds{2});
  BOOST_TEST((std::chrono::steady_clock::now() - start < std::chrono::milliseconds(500)));
  BOOST_TEST((nodes && (*nodes)["ok"].get<bool>()));
  BOOST_REQUIRE(write_frame(other, {{"op", "pause"}, {"token", "secret"}}));
  auto busy = read_frame(other, reply_limits, std::chrono::seconds{2});
  BOOST_TEST((busy && (*busy)["error"].get<std::string>().find("busy") == 0));
  ::close(other);
  // Longer than a frame's deadline (2 s): waiting for control is not a stalled frame.
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  *release = true;
  auto done = read_frame(fd, reply_limits, std::chrono::seconds{2});
  BOOST_TEST((done && (*done)["result"] == "checkpoint written"));
}

BOOST_FIXTURE_TEST_CASE(a_broken_frame_costs_only_its_connection, job_fixture) {
  const unsigned char header[4] = {0x7f, 0, 0, 0};
  BOOST_REQUIRE(::write(fd, header, 4) == 4);
  auto reply = read_frame(fd, reply_limits);
  BOOST_REQUIRE(reply.has_value());
  BOOST_TEST(reply->at("error").get<std::string>().find("bad frame") != std::string::npos);
  char byte;
  BOOST_TEST(::read(fd, &byte, 1) == 0); // closed by the endpoint
  ::close(fd);
  fd = connect_to(server->port());
  BOOST_TEST(call({{"op", "hello"}})["ok"].get<bool>());
}

BOOST_FIXTURE_TEST_CASE(prometheus_text_parses, job_fixture) {
  auto response = axon::test::http_get("127.0.0.1:" + std::to_string(server->prometheus_port()));
  BOOST_REQUIRE(response.starts_with("HTTP/1.0 200 OK\r\n"));
  auto body = response.substr(response.find("\r\n\r\n") + 4);
  // The exposition format: comments, or `name{label="value",...} number`.
  std::regex sample{R"re(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? -?[0-9.eE+-]+(inf|nan)?$)re"};
  std::regex comment{R"(^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$)"};
  std::istringstream lines{body};
  int samples = 0;
  for (std::string line; std::getline(lines, line);) {
    BOOST_TEST_INFO(line);
    BOOST_TEST((std::regex_match(line, sample) || std::regex_match(line, comment)));
    samples += line[0] != '#';
  }
  BOOST_TEST(samples > 10);
  BOOST_TEST(body.find("axon_actor_mailbox_depth{actor=\"shard0.stage0\"") != std::string::npos);
  BOOST_TEST(body.find("axon_train_loss 1.25\n") != std::string::npos);
  BOOST_TEST(body.find("axon_tokens_per_second 1100\n") != std::string::npos);
  BOOST_TEST(escape_label("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
}

BOOST_AUTO_TEST_CASE(the_token_file_is_private) {
  auto file = std::filesystem::temp_directory_path() / ("axon_token_" + std::to_string(::getpid()));
  auto token = create_token_file(file);
  BOOST_TEST(token.size() == 64u);
  struct stat info{};
  BOOST_REQUIRE(::stat(file.c_str(), &info) == 0);
  BOOST_TEST((info.st_mode & 0777) == 0600u);
  BOOST_TEST(read_token_file(file) == token);
  BOOST_TEST(create_token_file(file) != token); // fresh each run
  BOOST_TEST(same_token("abc", "abc"));
  BOOST_TEST(!same_token("abc", "abd"));
  BOOST_TEST(!same_token("abc", "ab"));
  std::filesystem::remove(file);
}

BOOST_AUTO_TEST_SUITE_END()
