// `axon serve` end to end: a tiny run trained here, the real binary serving it on a free
// loopback port, and HTTP clients (cpp-httplib). Classify answers equal `axon predict`'s
// bit for bit for the same batch and within 1e-5 for other batches; the health endpoints
// and Prometheus metrics answer; every bad input is a 400 naming its field and the
// service goes on; a full queue answers 503 with Retry-After; a bind beyond loopback
// without TLS and a token is refused, and with them HTTPS asks for the token; SIGTERM
// stops it.
#include "test/support/process.hpp"

#include <boost/test/unit_test.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <cmath>
#include <fstream>
#include <regex>
#include <thread>

using namespace axon::test;
using json = nlohmann::json;

namespace {

// Sentences of several lengths (their padding differs within a batch).
const std::vector<std::string> sentences{
  "Tuomi net sales rose 40 % in the quarter .",
  "Operating profit fell to EUR 3.1 mn from EUR 7.4 mn .",
  "The company will announce its results on Friday .",
  "Sales decreased .",
  "Kesko said demand for building materials was weak and it cut staff at three stores .",
  "Profit increased .",
  "The board proposes a dividend of EUR 0.50 per share for 2009 .",
  "Net loss widened as costs rose sharply and orders dropped in all markets during the period .",
};

// One tiny run, trained once for every test of the suite, in a folder removed at exit.
struct trained_run {
  temp_dir dir;
  fs::path run_dir = dir.path / "run";
  trained_run() {
    auto data = run(axon_command + " data synth-finsent " + (dir.path / "data").string() + " --size 400");
    BOOST_REQUIRE_MESSAGE(data.status == 0, data.output);
    const auto config = dir.path / "tiny.ini";
    std::ofstream{config} << "[data]\ntrain = \"" << (dir.path / "data/train.csv").string() << "\"\n"
                          << "dev = \"" << (dir.path / "data/dev.csv").string() << "\"\n"
                          << "vocab-size = 600\nmax-len = 32\n"
                          << "[model]\nhidden = 32\nlayers = 1\nheads = 2\nintermediate = 64\n"
                          << "max-positions = 32\n[train]\nrun-dir = \"" << run_dir.string()
                          << "\"\nepochs = 1\nmax-steps = 12\nbatch-size = 16\nlr = 5e-3\nthreads = 2\n"
                          << "[eval]\nevery-steps = 6\npatience = 0\n";
    auto trained = run(axon_command + " train " + config.string());
    BOOST_REQUIRE_MESSAGE(trained.status == 0, trained.output);
  }
};

const trained_run& tiny_run() {
  static trained_run instance;
  return instance;
}

// `axon serve` on the tiny run with `flags`, ready to answer (killed at the end).
struct server {
  std::unique_ptr<child> process;
  int port = 0;
  explicit server(const std::string& flags, const std::string& name = "serve") {
    const auto& trained = tiny_run();
    static int started = 0; // a log of its own: another's "ready" must not be read as its own
    const auto log = trained.dir.path / (name + std::to_string(++started) + ".log");
    process = std::make_unique<child>(
      std::vector<std::string>{"/bin/sh", "-c", "exec " + axon_command + " serve --run "
                                                  + trained.run_dir.string() + " --serve.port=0 " + flags},
      log);
    BOOST_REQUIRE_MESSAGE(process->wait_for("axon serve: ready", 60s), process->output());
    std::smatch m;
    const auto output = process->output();
    BOOST_REQUIRE(std::regex_search(output, m, std::regex{R"(listening on https?://[0-9.]+:(\d+))"}));
    port = std::stoi(m[1]);
  }
  httplib::Client client() const {
    httplib::Client c{"127.0.0.1", port};
    c.set_read_timeout(30, 0);
    return c;
  }
  httplib::Result classify(const json& body) const { return client().Post("/v1/classify", body.dump(), "application/json"); }
};

// `axon predict --json` of `lines` (one batch: they are read at once).
std::vector<json> predict(const std::vector<std::string>& lines) {
  const auto& trained = tiny_run();
  const auto input = trained.dir.path / "predict.txt";
  std::ofstream out{input};
  for (const auto& line : lines)
    out << line << '\n';
  out.close();
  auto r = run(axon_command + " predict --json --batch 64 --run " + trained.run_dir.string() + " < " + input.string());
  BOOST_REQUIRE_MESSAGE(r.status == 0, r.output);
  std::vector<json> answers;
  std::istringstream text{r.output};
  for (std::string line; std::getline(text, line);)
    answers.push_back(json::parse(line));
  return answers;
}

// The 400's error field of posting `body` (a raw string).
std::string field_of_400(const server& s, const std::string& body) {
  auto r = s.client().Post("/v1/classify", body, "application/json");
  BOOST_REQUIRE(r);
  BOOST_TEST_INFO(body << " -> " << r->body);
  BOOST_TEST(r->status == 400);
  auto answer = json::parse(r->body, nullptr, false);
  BOOST_REQUIRE(!answer.is_discarded());
  return answer["error"].value("field", "");
}

} // namespace

BOOST_AUTO_TEST_SUITE(serve_cli)

BOOST_AUTO_TEST_CASE(classify_equals_predict_bit_for_bit_for_the_same_batch) {
  server s{"--serve.max-batch=64 --serve.max-wait=100ms"};
  auto expected = predict(sentences);
  auto r = s.classify({{"texts", sentences}});
  BOOST_REQUIRE(r);
  BOOST_TEST_REQUIRE(r->status == 200, r->body);
  auto answer = json::parse(r->body);
  BOOST_TEST_REQUIRE(answer["predictions"].size() == sentences.size());
  for (std::size_t i = 0; i < sentences.size(); ++i) {
    const auto& got = answer["predictions"][i];
    BOOST_TEST(got["label"] == expected[i]["label"]);
    BOOST_TEST(got["probability"].get<double>() == expected[i]["probability"].get<double>());
    for (const auto& [label, p] : expected[i]["probabilities"].items())
      BOOST_TEST(got["probabilities"][label].get<double>() == p.get<double>()); // bitwise: same floats
  }
  BOOST_TEST(answer["model"]["run"] == tiny_run().run_dir.string());
  BOOST_TEST(answer["model"]["step"].get<int>() > 0);
  BOOST_TEST(answer["model"]["checkpoint"].get<std::string>().find("step-") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(texts_in_other_batches_agree_with_predict_within_1e_5) {
  server s{"--serve.max-batch=3 --serve.max-wait=0ms --serve.replicas=2"};
  auto expected = predict(sentences);
  // One at a time (batches of one), and all at once (split into batches of 3).
  for (std::size_t i = 0; i < sentences.size(); ++i) {
    auto r = s.classify({{"texts", {sentences[i]}}});
    BOOST_REQUIRE(r && r->status == 200);
    auto got = json::parse(r->body)["predictions"][0];
    BOOST_TEST(got["label"] == expected[i]["label"]);
    for (const auto& [label, p] : expected[i]["probabilities"].items())
      BOOST_TEST(std::abs(got["probabilities"][label].get<double>() - p.get<double>()) <= 1e-5);
  }
  auto r = s.classify({{"texts", sentences}});
  BOOST_REQUIRE(r && r->status == 200);
  auto all = json::parse(r->body)["predictions"];
  for (std::size_t i = 0; i < sentences.size(); ++i)
    for (const auto& [label, p] : expected[i]["probabilities"].items())
      BOOST_TEST(std::abs(all[i]["probabilities"][label].get<double>() - p.get<double>()) <= 1e-5);
}

BOOST_AUTO_TEST_CASE(health_readiness_and_metrics_answer) {
  server s{""};
  auto c = s.client();
  auto health = c.Get("/healthz");
  BOOST_REQUIRE(health);
  BOOST_TEST(health->status == 200);
  auto ready = c.Get("/readyz");
  BOOST_REQUIRE(ready);
  BOOST_TEST(ready->status == 200);
  for (int i = 0; i < 3; ++i)
    BOOST_REQUIRE(s.classify({{"texts", {sentences[0], sentences[1]}}})->status == 200);
  BOOST_TEST(s.classify({{"texts", json::array()}})->status == 400);
  BOOST_TEST(c.Get("/nowhere")->status == 404);
  auto metrics = c.Get("/metrics");
  BOOST_REQUIRE(metrics);
  BOOST_TEST(metrics->status == 200);
  const auto& text = metrics->body;
  BOOST_TEST_INFO(text);
  BOOST_TEST(text.find("axon_serve_requests_total{code=\"200\"} 3") != std::string::npos);
  BOOST_TEST(text.find("axon_serve_requests_total{code=\"400\"} 1") != std::string::npos);
  BOOST_TEST(text.find("axon_serve_requests_total{code=\"404\"} 1") != std::string::npos);
  BOOST_TEST(text.find("axon_serve_errors_total 2") != std::string::npos);
  BOOST_TEST(text.find("axon_serve_texts_total 6") != std::string::npos);
  BOOST_TEST(text.find("axon_serve_queue_depth 0") != std::string::npos);
  BOOST_TEST(text.find("axon_serve_batch_size_bucket{le=\"2\"} 3") != std::string::npos);
  BOOST_TEST(text.find("axon_serve_request_latency_seconds_count 4") != std::string::npos);
  BOOST_TEST(text.find("axon_serve_request_latency_seconds_bucket{le=\"+Inf\"} 4") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(every_bad_input_is_a_400_naming_its_field) {
  server s{"--serve.max-texts=4 --serve.max-text-bytes=200"};
  BOOST_TEST(field_of_400(s, "{\"texts\": [\"a\"") == "texts[1]");
  BOOST_TEST(field_of_400(s, "hello") == "body");
  BOOST_TEST(field_of_400(s, "[1, 2]") == "body");
  BOOST_TEST(field_of_400(s, R"({"texts": "one text"})") == "texts");
  BOOST_TEST(field_of_400(s, R"({"texts": [1]})") == "texts[0]");
  BOOST_TEST(field_of_400(s, R"({"texts": ["a", {"x": 1}]})") == "texts[1]");
  BOOST_TEST(field_of_400(s, R"({"texts": []})") == "texts");
  BOOST_TEST(field_of_400(s, R"({"texts": ["a", "b", "c", "d", "e"]})") == "texts");
  BOOST_TEST(field_of_400(s, json{{"texts", {"ok", std::string(201, 'x')}}}.dump()) == "texts[1]");
  BOOST_TEST(field_of_400(s, "{\"texts\": [\"ok\", \"caf\xE9 au lait\"]}") == "texts[1]"); // Latin-1
  BOOST_TEST(field_of_400(s, R"({"texts": ["  "]})") == "texts[0]");
  BOOST_TEST(field_of_400(s, R"({"sentences": ["a"]})") == "sentences");
  // The service goes on: a good request after all of them.
  auto r = s.classify({{"texts", {sentences[0]}}});
  BOOST_REQUIRE(r);
  BOOST_TEST(r->status == 200);
  BOOST_TEST(!s.process->finished(0ms));
}

BOOST_AUTO_TEST_CASE(a_full_queue_answers_503_with_retry_after_at_once) {
  // One request held at a time, each taking 64 forward passes of one text.
  server s{"--serve.queue=1 --serve.max-batch=1 --serve.max-texts=64 --serve.http-threads=16"};
  std::vector<std::string> texts;
  for (int i = 0; i < 64; ++i)
    texts.push_back(sentences[i % sentences.size()]);
  std::atomic<int> ok{0}, refused{0}, other{0}, without_retry_after{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 12; ++c)
    clients.emplace_back([&] {
      auto r = s.classify({{"texts", texts}});
      if (r && r->status == 200)
        ++ok;
      else if (r && r->status == 503) {
        ++refused;
        if (r->get_header_value("Retry-After").empty() || r->body.find("serve.queue") == std::string::npos)
          ++without_retry_after;
      } else
        ++other;
    });
  for (auto& t : clients)
    t.join();
  BOOST_TEST(ok.load() >= 1);
  BOOST_TEST(refused.load() >= 1);
  BOOST_TEST(other.load() == 0);
  BOOST_TEST(without_retry_after.load() == 0);
  auto metrics = s.client().Get("/metrics");
  BOOST_REQUIRE(metrics);
  BOOST_TEST(metrics->body.find("axon_serve_requests_total{code=\"503\"} " + std::to_string(refused.load()))
             != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_bind_beyond_loopback_without_tls_and_a_token_is_refused) {
  auto r = run("timeout 60 " + axon_command + " serve --run " + tiny_run().run_dir.string() + " --serve.bind=0.0.0.0");
  BOOST_TEST_INFO(r.output);
  BOOST_TEST(r.status == 2);
  BOOST_TEST(r.output.find("serve.tls-certificate") != std::string::npos);
  BOOST_TEST(r.output.find("serve.token-file") != std::string::npos);
  auto missing = run("timeout 60 " + axon_command + " serve --run " + (tiny_run().dir.path / "none").string() + " --serve.port=0");
  BOOST_TEST(missing.status == 2);
  BOOST_TEST(missing.output.find("none") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(https_with_a_bearer_token_may_bind_beyond_loopback) {
  const auto certs = tiny_run().dir.path / "certs", token = tiny_run().dir.path / "token";
  auto made = run(std::string{AXON_TEST_DIR} + "/../examples/cluster/make-certs.sh " + certs.string() + " serve");
  BOOST_REQUIRE_MESSAGE(made.status == 0, made.output);
  std::ofstream{token} << "s3cret-token\n";
  server s{"--serve.bind=0.0.0.0 --serve.tls-certificate=" + (certs / "serve.pem").string()
             + " --serve.tls-key=" + (certs / "serve.key").string() + " --serve.token-file=" + token.string(),
           "serve-tls"};
  BOOST_TEST(s.process->output().find("listening on https://0.0.0.0:") != std::string::npos);
  httplib::SSLClient c{"127.0.0.1", s.port};
  c.set_ca_cert_path((certs / "ca.pem").c_str());
  c.enable_server_certificate_verification(true);
  const auto body = json{{"texts", {sentences[0]}}}.dump();
  auto anonymous = c.Post("/v1/classify", body, "application/json");
  BOOST_REQUIRE(anonymous);
  BOOST_TEST(anonymous->status == 401);
  BOOST_TEST(c.Get("/healthz")->status == 200); // probes need no token
  auto wrong = c.Post("/v1/classify", {{"Authorization", "Bearer guess"}}, body, "application/json");
  BOOST_TEST(wrong->status == 401);
  auto signed_in = c.Post("/v1/classify", {{"Authorization", "Bearer s3cret-token"}}, body, "application/json");
  BOOST_REQUIRE(signed_in);
  BOOST_TEST(signed_in->status == 200);
  BOOST_TEST(!httplib::Client("127.0.0.1", s.port).Get("/healthz")); // no plain HTTP
}

BOOST_AUTO_TEST_CASE(sigterm_stops_the_service) {
  server s{""};
  ::kill(s.process->pid(), SIGTERM);
  BOOST_REQUIRE(s.process->finished(20s));
  BOOST_TEST(s.process->status() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
