// `axon serve` end to end: a tiny run trained here, the real binary serving it on a free
// loopback port, and HTTP clients (cpp-httplib). Classify answers equal `axon predict`'s
// bit for bit for the same batch and within 1e-5 for other batches; the health endpoints
// and Prometheus metrics answer; every bad input is a 400 naming its field and the
// service goes on; a full queue answers 503 with Retry-After; a bind beyond loopback
// without TLS and a token is refused, and with them HTTPS asks for the token; SIGTERM
// stops it. Reloads: POST /v1/reload and serve.watch switch to the run's new best
// checkpoint, a damaged one is refused and the old model keeps answering identically. A
// run that fuses a KG answers each text's linked entities, those `axon predict --json`
// shows, linked by the serving graph's KG service. A chunked run (data.long-text = chunk)
// classifies each text as a document of windows, as `axon predict` does.
#include "test/support/raw_client.hpp"
#include "test/support/served_run.hpp"

#include <boost/test/unit_test.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <cmath>
#include <fstream>
#include <map>
#include <regex>
#include <thread>

using namespace axon::test;
using json = nlohmann::json;

namespace {

const auto& sentences = serve_sentences;

// Tiny runs, each trained once for every test of the suite, in a folder removed at exit:
// one without a KG (checkpoints at steps 6 and 12) and one that fuses the generated KG.
struct trained_run {
  temp_dir dir;
  fs::path run_dir = dir.path / "run";
  fs::path kg_dir = dir.path / "data/kg";
  trained_run() {
    make_serve_data(dir.path / "data");
    train(run_dir, "");
  }
  // Trains RUN_DIR with the tiny config and `extra` keys.
  void train(const fs::path& into, const std::string& extra) const {
    train_tiny_run(dir.path / "data", into, dir.path / (into.filename().string() + ".ini"), extra);
  }
};

const trained_run& tiny_run() {
  static trained_run instance;
  return instance;
}

const fs::path& tiny_kg_run() {
  static const fs::path instance = [] {
    const auto& trained = tiny_run();
    auto run_dir = trained.dir.path / "kg-run";
    trained.train(run_dir, "[kg]\ntriples = \"" + (trained.kg_dir / "triples.tsv").string()
                             + "\"\naliases = \"" + (trained.kg_dir / "aliases.tsv").string()
                             + "\"\ndim = 8\n");
    return run_dir;
  }();
  return instance;
}

// A copy of the tiny run (a run of its own to reload in), its best checkpoint `best`.
fs::path copy_of_tiny_run(const std::string& name, int best) {
  const auto copy = tiny_run().dir.path / name;
  fs::remove_all(copy);
  fs::copy(tiny_run().run_dir, copy, fs::copy_options::recursive);
  fs::remove_all(copy / "serve");
  std::ofstream{copy / "checkpoints/best.txt"} << "step-" << best << '\n';
  return copy;
}

// Marks step `best` best as a training job does (a new file renamed over the old one).
void mark_best(const fs::path& run_dir, int best) {
  std::ofstream{run_dir / "checkpoints/best.txt.tmp"} << "step-" << best << '\n';
  fs::rename(run_dir / "checkpoints/best.txt.tmp", run_dir / "checkpoints/best.txt");
}

// `axon serve` on the tiny run (or `run_dir`) with `flags`, ready to answer (killed at the end).
struct server : serving_process {
  explicit server(const std::string& flags, const std::string& name = "serve",
                  const fs::path& run_dir = {})
    : serving_process{command(flags, run_dir), log_of(name)} {}
  // Through the shell: tests write their flags as one line, quoted as a user would.
  static std::vector<std::string> command(const std::string& flags, const fs::path& run_dir) {
    const auto served = run_dir.empty() ? tiny_run().run_dir : run_dir;
    return {"/bin/sh", "-c",
            "exec " + axon_command + " serve --run " + served.string() + " --serve.port=0 " + flags};
  }
  // A log of its own: another's "ready" must not be read as its own.
  static fs::path log_of(const std::string& name) {
    static int started = 0;
    return tiny_run().dir.path / (name + std::to_string(++started) + ".log");
  }
  httplib::Result classify(const json& body) const {
    return client().Post("/v1/classify", body.dump(), "application/json");
  }
  // The checkpoint a classify answer names.
  std::string checkpoint() const {
    auto r = classify({{"texts", {"Sales rose ."}}});
    BOOST_REQUIRE(r && r->status == 200);
    return json::parse(r->body)["model"]["checkpoint"];
  }
};

// `axon predict --json` of `lines` on the tiny run (or `run_dir`; one batch: they are read at once).
std::vector<json> predict(const std::vector<std::string>& lines, const fs::path& run_dir = {}) {
  const auto& trained = tiny_run();
  return predict_json(run_dir.empty() ? trained.run_dir : run_dir, lines,
                      trained.dir.path / "predict.txt");
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
  auto answer = check_equals_predict(s.classify({{"texts", sentences}}), predict(sentences));
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
  BOOST_TEST(field_of_400(s, R"({"texts": ["ok", "\u00a0\u200b\ufeff\u0000"]})") == "texts[1]");
  BOOST_TEST(field_of_400(s, R"({"sentences": ["a"]})") == "sentences");
  // The parser's message quotes half of "é" (valid UTF-8 in the body): still JSON, a 400.
  BOOST_TEST(field_of_400(s, "{\"texts\": tru\xC3\xA9}") == "texts");
  // The service goes on: a good request after all of them.
  auto r = s.classify({{"texts", {sentences[0]}}});
  BOOST_REQUIRE(r);
  BOOST_TEST(r->status == 200);
  BOOST_TEST(!s.process->finished(0ms));
}

// The body limit (serve.max-texts x serve.max-text-bytes) holds however a body is framed:
// a chunked body past it is answered 413 as it arrives; a body whose length is ambiguous
// is refused 400 (request smuggling); a client that goes mid-body is not counted as a 400.
BOOST_AUTO_TEST_CASE(a_body_past_the_limit_is_refused_however_it_is_framed) {
  server s{"--serve.max-texts=1 --serve.max-text-bytes=100"}; // at most 5 KiB: 6 x 100 + 16 + 4096
  auto exchange = [&](const std::string& request, const std::string& body_chunk, int chunks) {
    raw_client c{s.port};
    BOOST_REQUIRE(c.connected());
    c.send(request);
    for (int i = 0; i < chunks && c.send(body_chunk); ++i) {
    }
    return c.receive(10s, 4096);
  };
  const std::string head = "POST /v1/classify HTTP/1.1\r\nHost: x\r\n";
  std::string chunks; // 1 MiB in chunks of 4 KiB, and the last chunk
  for (int i = 0; i < 256; ++i)
    chunks += "1000\r\n" + std::string(0x1000, ' ') + "\r\n";
  auto chunked = exchange(head + "Transfer-Encoding: chunked\r\n\r\n", chunks + "0\r\n\r\n", 1);
  BOOST_TEST(chunked.starts_with("HTTP/1.1 413"), chunked);
  BOOST_TEST(chunked.find("larger than serve.max-texts x serve.max-text-bytes") != std::string::npos);
  auto twice = exchange(head + "Content-Length: 2\r\nContent-Length: 40\r\n\r\n", "{}", 1);
  BOOST_TEST(twice.starts_with("HTTP/1.1 400"), twice);
  BOOST_TEST(twice.find("not an HTTP/1.1 request within the limits: bad Content-Length")
               != std::string::npos,
             twice);
  auto both = exchange(head + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n",
                       "0\r\n\r\n", 1);
  BOOST_TEST(both.starts_with("HTTP/1.1 400"), both);
  auto count_400 = [&] {
    auto metrics = s.client().Get("/metrics");
    BOOST_REQUIRE(metrics);
    std::smatch m;
    BOOST_REQUIRE(std::regex_search(metrics->body, m,
                                    std::regex{R"(axon_serve_requests_total\{code="400"\} (\d+))"}));
    return std::stoi(m[1]);
  };
  const auto before = count_400();
  { // half a body, then gone
    raw_client c{s.port};
    c.send(head + "Content-Length: 100\r\n\r\n{\"texts\": [");
  }
  std::this_thread::sleep_for(300ms);
  BOOST_TEST(count_400() == before);
  auto r = s.classify({{"texts", {sentences[0]}}});
  BOOST_REQUIRE(r);
  BOOST_TEST(r->status == 200);
}

// The front (http_server.hpp) costs a slow client a socket, not a thread: with 100
// connections sending nothing, or a header a byte at a time, others are answered at once.
// Pipelined requests are each answered, in order; a client that half-closes after its
// request gets the answer; HEAD gets the headers only; a compressed body is refused 415.
BOOST_AUTO_TEST_CASE(slow_pipelining_and_half_closing_clients_are_served) {
  server s{"--serve.http-threads=2 --serve.queue=1"}; // fewer threads than the slow clients
  std::vector<std::unique_ptr<raw_client>> slow;
  for (int i = 0; i < 100; ++i) {
    slow.push_back(std::make_unique<raw_client>(s.port));
    BOOST_REQUIRE(slow.back()->connected());
    slow.back()->send(i % 2 ? "POST /v1/classify HTTP/1.1\r\nHo" : "");
  }
  const auto started = std::chrono::steady_clock::now();
  auto r = s.classify({{"texts", {sentences[0]}}});
  BOOST_REQUIRE(r);
  BOOST_TEST(r->status == 200);
  BOOST_TEST((std::chrono::steady_clock::now() - started < 2s));

  raw_client pipelined{s.port};
  pipelined.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
                 "GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const auto answers = pipelined.receive(10s);
  const auto alive = answers.find("HTTP/1.1 200"), missing = answers.find("HTTP/1.1 404"),
             ready = answers.find("\"ready\"");
  BOOST_TEST((alive < missing && missing < ready && ready != std::string::npos), answers);

  raw_client half_closed{s.port};
  const auto body = json{{"texts", {sentences[0]}}}.dump();
  half_closed.send("POST /v1/classify HTTP/1.1\r\nHost: x\r\nContent-Length: "
                   + std::to_string(body.size()) + "\r\n\r\n" + body);
  ::shutdown(half_closed.fd(), SHUT_WR);
  const auto answer = half_closed.receive(10s);
  BOOST_TEST(answer.starts_with("HTTP/1.1 200"), answer);

  raw_client head{s.port};
  head.send("HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const auto head_answer = head.receive(10s);
  BOOST_TEST(head_answer.starts_with("HTTP/1.1 200"), head_answer);
  BOOST_TEST(head_answer.find("alive") == std::string::npos, head_answer);

  httplib::Headers gzip{{"Content-Encoding", "gzip"}};
  auto compressed = s.client().Post("/v1/classify", gzip, body, "application/json");
  BOOST_REQUIRE(compressed);
  BOOST_TEST(compressed->status == 415);
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

// The same predictions as `axon predict` on `run_dir`, bit for bit (one batch).
void check_serves_predict(const server& s, const fs::path& run_dir) {
  check_equals_predict(s.classify({{"texts", sentences}}), predict(sentences, run_dir));
}

BOOST_AUTO_TEST_CASE(reload_switches_to_the_new_best_and_refuses_a_damaged_checkpoint) {
  const auto run_dir = copy_of_tiny_run("reload-run", 6);
  BOOST_REQUIRE(fs::exists(run_dir / "checkpoints/step-12"));
  server s{"--serve.max-batch=64 --serve.max-wait=50ms", "reload", run_dir};
  BOOST_TEST(s.checkpoint() == (run_dir / "checkpoints/step-6").string());
  auto same = s.reload(); // nothing new: nothing loaded
  BOOST_REQUIRE(same);
  BOOST_TEST(same->status == 200);
  BOOST_TEST(json::parse(same->body)["reloaded"] == false);

  mark_best(run_dir, 12);
  // Clients keep classifying through the reload: every request is answered, none refused.
  std::atomic<bool> reloading{true};
  std::atomic<int> answered{0}, not_ok{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 3; ++c)
    clients.emplace_back([&] {
      while (reloading.load()) {
        auto r = s.classify({{"texts", {sentences[3]}}});
        (r && r->status == 200 ? answered : not_ok)++;
      }
    });
  auto reloaded = s.reload();
  reloading = false;
  for (auto& t : clients)
    t.join();
  BOOST_TEST(not_ok.load() == 0);
  BOOST_TEST(answered.load() > 0);
  BOOST_REQUIRE(reloaded);
  BOOST_TEST_REQUIRE(reloaded->status == 200, reloaded->body);
  auto answer = json::parse(reloaded->body);
  BOOST_TEST(answer["reloaded"] == true);
  BOOST_TEST(answer["model"]["checkpoint"] == (run_dir / "checkpoints/step-12").string());
  BOOST_TEST(answer["model"]["step"] == 12);
  BOOST_TEST(answer["previous"]["step"] == 6);
  BOOST_TEST(s.checkpoint() == (run_dir / "checkpoints/step-12").string());
  check_serves_predict(s, run_dir); // the new model, exactly as predict loads it
  BOOST_TEST(s.process->output().find("axon serve: reloaded: " + (run_dir / "checkpoints/step-12").string())
             != std::string::npos);

  // Step 6 damaged (one byte of its weights), then marked best: refused, step 12 serves on.
  const auto before = s.classify({{"texts", sentences}});
  BOOST_REQUIRE(before && before->status == 200);
  {
    std::fstream weights{run_dir / "checkpoints/step-6/model.safetensors",
                         std::ios::in | std::ios::out | std::ios::binary};
    weights.seekg(-5, std::ios::end);
    char byte = 0;
    weights.get(byte);
    weights.seekp(-5, std::ios::end);
    weights.put(char(byte ^ 0x5a));
  }
  mark_best(run_dir, 6);
  auto refused = s.reload();
  BOOST_REQUIRE(refused);
  BOOST_TEST(refused->status == 409);
  auto why = json::parse(refused->body);
  BOOST_TEST_INFO(refused->body);
  BOOST_TEST(why["error"]["message"].get<std::string>().find("model.safetensors") != std::string::npos);
  BOOST_TEST(why["model"]["step"] == 12); // what still serves
  const auto after = s.classify({{"texts", sentences}});
  BOOST_REQUIRE(after && after->status == 200);
  BOOST_TEST(after->body == before->body); // the same model, the same bits

  auto metrics = s.client().Get("/metrics");
  BOOST_REQUIRE(metrics);
  BOOST_TEST_INFO(metrics->body);
  BOOST_TEST(metrics->body.find("axon_serve_reloads_total{result=\"ok\"} 1") != std::string::npos);
  BOOST_TEST(metrics->body.find("axon_serve_reloads_total{result=\"refused\"} 1") != std::string::npos);
  BOOST_TEST(metrics->body.find("axon_serve_model_info{run=\"" + run_dir.string() + "\",checkpoint=\""
                                + (run_dir / "checkpoints/step-12").string() + "\",step=\"12\"} 1")
             != std::string::npos);
}

// With a token file, a reload needs the token like every API request.
BOOST_AUTO_TEST_CASE(reload_needs_the_token_when_one_is_configured) {
  const auto run_dir = copy_of_tiny_run("reload-token-run", 6);
  const auto token = tiny_run().dir.path / "reload-token";
  std::ofstream{token} << "reload-s3cret\n";
  server s{"--serve.token-file=" + token.string(), "reload-token", run_dir};
  mark_best(run_dir, 12);
  auto anonymous = s.reload();
  BOOST_REQUIRE(anonymous);
  BOOST_TEST(anonymous->status == 401);
  auto signed_in = s.client().Post("/v1/reload", {{"Authorization", "Bearer reload-s3cret"}}, "",
                                   "application/json");
  BOOST_REQUIRE(signed_in);
  BOOST_TEST(signed_in->status == 200, signed_in->body);
  BOOST_TEST(json::parse(signed_in->body)["model"]["step"] == 12);
}

BOOST_AUTO_TEST_CASE(a_watched_run_switches_to_its_new_best_checkpoint) {
  const auto run_dir = copy_of_tiny_run("watch-run", 6);
  server s{"--serve.watch=100ms", "watch", run_dir};
  BOOST_TEST(s.checkpoint() == (run_dir / "checkpoints/step-6").string());
  mark_best(run_dir, 12);
  const auto want = (run_dir / "checkpoints/step-12").string();
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (s.checkpoint() != want && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(50ms);
  BOOST_TEST(s.checkpoint() == want);
}

BOOST_AUTO_TEST_CASE(a_kg_run_answers_each_texts_linked_entities_as_predict_shows_them) {
  const auto& run_dir = tiny_kg_run();
  // Sentences naming the generated KG's entities by their aliases, and one naming none.
  std::vector<std::string> texts;
  {
    std::ifstream aliases{tiny_run().kg_dir / "aliases.tsv"};
    std::string line;
    for (int i = 0; i < 3 && std::getline(aliases, line); ++i)
      texts.push_back("Shares of " + line.substr(line.find('\t') + 1) + " rose 5 % .");
  }
  texts.push_back("Sales rose .");
  auto expected = predict(texts, run_dir);
  const auto console_dir = tiny_run().dir.path / "kg-console";
  server s{"--serve.max-batch=64 --serve.max-wait=50ms --serve.console-dir=" + console_dir.string(),
           "kg", run_dir};
  auto r = s.classify({{"texts", texts}});
  BOOST_REQUIRE(r);
  BOOST_TEST_REQUIRE(r->status == 200, r->body);
  auto answer = json::parse(r->body);
  for (std::size_t i = 0; i < texts.size(); ++i) {
    BOOST_TEST_INFO(texts[i] << ": " << answer["predictions"][i].dump());
    BOOST_TEST_REQUIRE(expected[i].contains("entities"));
    BOOST_TEST(answer["predictions"][i]["entities"] == expected[i]["entities"]);
    for (const auto& [label, p] : expected[i]["probabilities"].items())
      BOOST_TEST(answer["predictions"][i]["probabilities"][label].get<double>() == p.get<double>());
  }
  for (std::size_t i = 0; i < 3; ++i) // each names its entity
    BOOST_TEST(answer["predictions"][i]["entities"].size() >= 1u, answer["predictions"][i].dump());
  BOOST_TEST(answer["predictions"][3]["entities"] == json::array());
  // The serving graph's KG service linked them (one batch of 4 rows), not the replica.
  auto kg = run(axon_command + " console --run " + console_dir.string() + " -c \"inspect kg --json\"");
  BOOST_REQUIRE_MESSAGE(kg.status == 0, kg.output);
  BOOST_TEST(json::parse(kg.output)["details"]["rows_linked"].get<double>() == 4.0, kg.output);
  // Killed (a fault drill), the KG service is spawned anew within a second (serve_rejoin.hpp)
  // and links as before.
  auto killed = run(axon_command + " console --run " + console_dir.string() + " -c \"kill kg\"");
  BOOST_REQUIRE_MESSAGE(killed.status == 0, killed.output);
  BOOST_REQUIRE_MESSAGE(s.process->wait_for("kg runs in this process now: the one here is gone", 20s),
                        s.process->output());
  auto again = s.classify({{"texts", texts}});
  BOOST_REQUIRE(again);
  BOOST_TEST_REQUIRE(again->status == 200, again->body);
  BOOST_TEST(json::parse(again->body)["predictions"] == answer["predictions"]);
  // A run without a KG answers no "entities".
  server plain{""};
  auto without = plain.classify({{"texts", {texts[0]}}});
  BOOST_REQUIRE(without && without->status == 200);
  BOOST_TEST(!json::parse(without->body)["predictions"][0].contains("entities"));
}

// `axon console` sees the service like a training job: its actors and edges, the
// batcher's queue and batch sizes; `set serve.max-wait` changes the batcher at once, keys
// it cannot change and training's controls are refused, control needs the token, and
// `stop` ends the service as SIGTERM does.
BOOST_AUTO_TEST_CASE(the_console_sees_the_service_and_sets_max_wait_live) {
  const auto console_dir = tiny_run().dir.path / "serve-console";
  // dispatch-when-idle off: a lone text waits max-wait, which shows the live change below.
  server s{"--serve.max-batch=64 --serve.max-wait=0ms --serve.dispatch-when-idle=false "
           "--serve.console-dir=" + console_dir.string(),
           "console"};
  BOOST_REQUIRE(fs::exists(console_dir / "monitor.json"));
  BOOST_REQUIRE(fs::exists(console_dir / "console.token"));
  auto console = [&](const std::string& command) {
    return run(axon_command + " console --run " + console_dir.string() + " -c \"" + command + "\"");
  };
  for (int i = 0; i < 4; ++i)
    BOOST_REQUIRE(s.classify({{"texts", {sentences[0], sentences[1]}}})->status == 200);

  auto actors = console("actors --json");
  BOOST_REQUIRE_MESSAGE(actors.status == 0, actors.output);
  std::map<std::string, std::string> kinds;
  for (const auto& a : json::parse(actors.output))
    kinds[a["name"]] = a["kind"];
  BOOST_TEST(kinds["batcher"] == "serve.batcher");
  BOOST_TEST(kinds["replica0"] == "serve.replica");
  auto graph = console("graph --json");
  BOOST_REQUIRE_MESSAGE(graph.status == 0, graph.output);
  bool edge = false;
  const auto edges = json::parse(graph.output)["edges"];
  for (const auto& e : edges)
    edge = edge || (e["from"] == "batcher" && e["to"] == "replica0" && e["credit_window"] == 1);
  BOOST_TEST(edge, graph.output);

  auto inspect = [&] {
    auto r = console("inspect batcher --json");
    BOOST_REQUIRE_MESSAGE(r.status == 0, r.output);
    return json::parse(r.output)["details"];
  };
  auto details = inspect();
  BOOST_TEST_INFO(details.dump());
  BOOST_TEST(details["requests"].get<double>() == 4.0);
  BOOST_TEST(details["batches"].get<double>() == 4.0);
  BOOST_TEST(details["mean_batch_size"].get<double>() == 2.0);
  BOOST_TEST(details["queue_depth"].get<double>() == 0.0);
  BOOST_TEST(details["max_wait_ms"].get<double>() == 0.0);
  BOOST_TEST(details["checkpoint"].get<std::string>().find("step-") != std::string::npos);
  auto replica = console("inspect replica0 --json");
  BOOST_TEST(json::parse(replica.output)["details"]["texts"].get<double>() == 8.0, replica.output);

  auto set = console("set serve.max-wait 400ms");
  BOOST_REQUIRE_MESSAGE(set.status == 0, set.output);
  BOOST_TEST(set.output.find("serve.max-wait = 400") != std::string::npos, set.output);
  BOOST_TEST(inspect()["max_wait_ms"].get<double>() == 400.0);
  // A lone text now waits 400 ms for its batch to fill.
  auto start = std::chrono::steady_clock::now();
  BOOST_REQUIRE(s.classify({{"texts", {sentences[2]}}})->status == 200);
  BOOST_TEST((std::chrono::steady_clock::now() - start >= 350ms));
  auto back = console("set serve.max-wait 0ms");
  BOOST_REQUIRE_MESSAGE(back.status == 0, back.output);

  auto other = console("set serve.queue 5");
  BOOST_TEST(other.status != 0);
  BOOST_TEST(other.output.find("only serve.max-wait and serve.max-batch") != std::string::npos,
             other.output);
  auto unitless = console("set serve.max-wait 5");
  BOOST_TEST(unitless.status != 0);
  BOOST_TEST(unitless.output.find("with its unit") != std::string::npos, unitless.output);
  auto paused = console("pause");
  BOOST_TEST(paused.status != 0);
  BOOST_TEST(paused.output.find("does not train") != std::string::npos, paused.output);
  const auto address = json::parse(std::ifstream{console_dir / "monitor.json"})["address"].get<std::string>();
  auto anonymous = run(axon_command + " console " + address + " -c \"set serve.max-wait 1ms\"");
  BOOST_TEST(anonymous.status != 0);
  BOOST_TEST(anonymous.output.find("control token") != std::string::npos, anonymous.output);

  auto stopped = console("stop");
  BOOST_REQUIRE_MESSAGE(stopped.status == 0, stopped.output);
  BOOST_REQUIRE(s.process->finished(20s));
  BOOST_TEST(s.process->status() == 0);
}

BOOST_AUTO_TEST_CASE(sigterm_stops_the_service) {
  server s{""};
  ::kill(s.process->pid(), SIGTERM);
  BOOST_REQUIRE(s.process->finished(20s));
  BOOST_TEST(s.process->status() == 0);
}

// data.long-text = chunk: every text a document of several windows of 8 tokens (stride
// 2), pooled by attention; the service chunks them as `axon predict` does. One batch: the
// same floats. Texts in batches of one, on 2 replicas: within 1e-5.
BOOST_AUTO_TEST_CASE(a_chunked_run_classifies_documents_as_predict_does) {
  const auto& trained = tiny_run();
  const auto run_dir = trained.dir.path / "chunked-run";
  trained.train(run_dir, "[data]\nlong-text = \"chunk\"\nchunk-len = 8\nchunk-stride = 2\n"
                         "[model]\nwindow-pooling = \"attention\"\n");
  {
    server s{"--serve.max-batch=64 --serve.max-wait=100ms", "chunked", run_dir};
    check_serves_predict(s, run_dir);
  }
  const auto expected = predict(sentences, run_dir);
  server s{"--serve.max-batch=1 --serve.max-wait=0ms --serve.replicas=2", "chunked", run_dir};
  for (std::size_t i = 0; i < sentences.size(); ++i)
    check_equals_predict(s.classify({{"texts", {sentences[i]}}}), {expected[i]}, 1e-5);
}

BOOST_AUTO_TEST_SUITE_END()
