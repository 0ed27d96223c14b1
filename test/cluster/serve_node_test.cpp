// `axon serve` with replicas on a real `axon node` process on 127.0.0.1 (placement.nodes):
// a replica on the node answers exactly what `axon predict` answers on the same run; with
// the node killed, the batch it was computing is answered 503 with a JSON error naming the
// replica, and the service keeps answering from its local replica; a frozen node is
// declared gone after cluster.timeout; a node restarted on its address gets its replica
// back. A reload reaches the
// node's replica; a run with a KG links through the serving process's KG service from the
// node, and the KG service itself may run on a node (moved into the serving process when
// its node dies); with TLS files the service and the node talk TLS. Placements the service
// cannot honour (the batcher on a node, a replica on a GPU) are refused at start.
#include "test/cluster/cluster_fixture.hpp"
#include "test/support/served_run.hpp"

#include <boost/test/unit_test.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <future>

using namespace axon::test;
using json = nlohmann::json;

namespace {

// A tiny run trained once for the suite, and a serve config placing replicas on worker1.
struct setting {
  temp_dir dir;
  fs::path run_dir = dir.path / "run";
  int node_port = free_port();
  setting() {
    make_serve_data(dir.path / "data");
    train_tiny_run(dir.path / "data", run_dir, dir.path / "train.ini");
  }
  // A serve config of `replicas` replicas with `placement` ("PATTERN=NODE" entries).
  fs::path serve_config(const std::string& name, int replicas, const std::string& placement) const {
    const auto config = dir.path / (name + ".ini");
    std::ofstream{config} << "[serve]\nreplicas = " << replicas << "\nmax-batch = 64\nmax-wait = 50ms\n"
                          << "[placement]\nnodes = [" << placement << "]\n"
                          << "[cluster]\nnodes = [\"worker1=127.0.0.1:" << node_port << "\"]\n"
                          << "heartbeat = 500ms\ntimeout = 5s\n";
    return config;
  }
  // A copy of the run named `name` whose best checkpoint is step 6 (a reload to step 12
  // then changes the answers).
  fs::path run_copy(const std::string& name) const {
    const auto copy = dir.path / name;
    fs::copy(run_dir, copy, fs::copy_options::recursive);
    std::ofstream{copy / "checkpoints/best.txt"} << "step-6\n";
    return copy;
  }
  std::unique_ptr<child> start_node(const fs::path& config,
                                    const std::vector<std::string>& flags = {}) const {
    std::vector<std::string> argv{axon_command, "node", "--config", config.string(), "--name", "worker1"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    auto node = std::make_unique<child>(argv, dir.path / "worker1.log");
    BOOST_REQUIRE_MESSAGE(node->wait_for("node worker1 listening on", 20s), node->output());
    return node;
  }
};

const setting& the_setting() {
  static setting instance;
  return instance;
}

// `axon serve` of the tiny run (or `run_dir`) with `config`, ready to answer (killed at
// the end), its output in NAME.log.
struct server : serving_process {
  server(const fs::path& config, const std::string& name, const std::vector<std::string>& flags = {},
         const fs::path& run_dir = {})
    : serving_process{run_dir.empty() ? the_setting().run_dir : run_dir,
                      with_config(config, flags), the_setting().dir.path / (name + ".log")} {}
  static std::vector<std::string> with_config(const fs::path& config,
                                              std::vector<std::string> flags) {
    flags.insert(flags.begin(), {"--config", config.string()});
    return flags;
  }
};

// `axon predict --json` of `lines` on the tiny run (or `run_dir`), as one batch.
std::vector<json> predict(const std::vector<std::string>& lines, const fs::path& run_dir = {}) {
  const auto& s = the_setting();
  return predict_json(run_dir.empty() ? s.run_dir : run_dir, lines, s.dir.path / "predict.txt");
}

// SIGKILL to the node holding a service's only replica; returns once the service answers
// 503 (its batcher has seen the replica go).
void kill_the_only_replicas_node(child& node, const server& service) {
  ::kill(node.pid(), SIGKILL);
  BOOST_REQUIRE(node.finished(10s));
  bool refused = false;
  for (auto until = clock_type::now() + 10s; !refused && clock_type::now() < until;) {
    auto r = service.classify(serve_sentences);
    refused = r && r->status == 503;
    if (!refused)
      std::this_thread::sleep_for(100ms);
  }
  BOOST_REQUIRE_MESSAGE(refused, service.process->output());
}

// A tiny run that fuses the served data's KG, texts naming its entities by their aliases
// (and one naming none), and `axon predict --json`'s answers for them.
struct kg_run {
  fs::path run_dir;
  std::vector<std::string> texts;
  std::vector<json> expected;
};

const kg_run& the_kg_run() {
  static const kg_run instance = [] {
    const auto& s = the_setting();
    kg_run out{s.dir.path / "kg-run", {}, {}};
    const auto kg = s.dir.path / "data/kg";
    train_tiny_run(s.dir.path / "data", out.run_dir, s.dir.path / "kg-train.ini",
                   "[kg]\ntriples = \"" + (kg / "triples.tsv").string() + "\"\naliases = \""
                     + (kg / "aliases.tsv").string() + "\"\ndim = 8\n");
    std::ifstream aliases{kg / "aliases.tsv"};
    std::string line;
    for (int i = 0; i < 3 && std::getline(aliases, line); ++i)
      out.texts.push_back("Shares of " + line.substr(line.find('\t') + 1) + " rose 5 % .");
    out.texts.push_back("Sales rose .");
    out.expected = predict(out.texts, out.run_dir);
    return out;
  }();
  return instance;
}

// Checks a KG run's answer against predict's: the probabilities and each text's entities
// (the first text names at least one).
void check_links_as_predict(const httplib::Result& r, const std::vector<json>& expected) {
  auto answer = check_equals_predict(r, expected);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    BOOST_TEST_REQUIRE(expected[i].contains("entities"));
    BOOST_TEST(answer["predictions"][i]["entities"] == expected[i]["entities"]);
  }
  BOOST_TEST(answer["predictions"][0]["entities"].size() >= 1u, answer.dump());
}

} // namespace

BOOST_AUTO_TEST_SUITE(serve_node)

BOOST_AUTO_TEST_CASE(a_replica_on_a_node_answers_what_predict_answers) {
  const auto& s = the_setting();
  const auto config = s.serve_config("one-on-node", 1, "\"replica0=worker1\"");
  auto node = s.start_node(config);
  server service{config, "one-on-node"};
  check_equals_predict(service.classify(serve_sentences), predict(serve_sentences));
  // The replica ran on the node: it logged its placement there.
  BOOST_TEST(node->output().find("spawned replica0 (serve.replica)") != std::string::npos,
             node->output());
}

BOOST_AUTO_TEST_CASE(a_killed_node_answers_503_and_the_local_replica_serves_on) {
  const auto& s = the_setting();
  const auto config = s.serve_config("node-and-local", 2, "\"replica0=worker1\"");
  auto node = s.start_node(config);
  server service{config, "node-and-local"};
  const auto expected = predict(serve_sentences);
  // Frozen, the node's replica holds its batch; the other batch goes to replica1 (local).
  ::kill(node->pid(), SIGSTOP);
  auto first = std::async(std::launch::async, [&] { return service.classify(serve_sentences); });
  std::this_thread::sleep_for(200ms); // max-wait 50ms: the first batch has left
  auto second = std::async(std::launch::async, [&] { return service.classify(serve_sentences); });
  auto answered = second.get();
  check_equals_predict(answered, expected);
  BOOST_TEST_REQUIRE((first.wait_for(0s) == std::future_status::timeout)); // held by the node
  const auto killed_at = clock_type::now();
  ::kill(node->pid(), SIGKILL);
  auto lost = first.get();
  BOOST_REQUIRE(lost);
  BOOST_TEST(lost->status == 503, lost->body);
  BOOST_TEST(lost->get_header_value("Retry-After") == "1");
  auto error = json::parse(lost->body, nullptr, false);
  BOOST_REQUIRE(!error.is_discarded());
  BOOST_TEST(error["error"]["message"].get<std::string>().find("replica0 is gone") != std::string::npos,
             lost->body);
  const auto answered_after = clock_type::now() - killed_at;
  BOOST_TEST_MESSAGE("503 answered "
                     << std::chrono::duration_cast<std::chrono::milliseconds>(answered_after).count()
                     << " ms after the node's SIGKILL");
  BOOST_TEST((answered_after < 10s)); // not serve.timeout's 30 s
  // The service serves on from replica1, every request answered as predict answers.
  for (int i = 0; i < 4; ++i)
    check_equals_predict(service.classify(serve_sentences), expected);
  BOOST_TEST(!service.process->finished(0ms), service.process->output());
}

// A node process restarted on its address gets its replica back (serve_rejoin.hpp): with
// the only replica on the node, requests get 503 once it is killed, and are answered as
// predict answers again once the restarted node runs the replica anew.
BOOST_AUTO_TEST_CASE(a_restarted_node_gets_its_replica_back) {
  const auto& s = the_setting();
  const auto config = s.serve_config("rejoin", 1, "\"replica0=worker1\"");
  auto node = s.start_node(config);
  server service{config, "rejoin"};
  const auto expected = predict(serve_sentences);
  check_equals_predict(service.classify(serve_sentences), expected);
  kill_the_only_replicas_node(*node, service);
  node = s.start_node(config);
  BOOST_REQUIRE_MESSAGE(service.process->wait_for("replica0 runs again on worker1", 30s),
                        service.process->output());
  BOOST_TEST(node->output().find("spawned replica0") != std::string::npos, node->output());
  for (int i = 0; i < 3; ++i)
    check_equals_predict(service.classify(serve_sentences), expected);
}

// A node process that stays down (serve_rejoin.hpp): its replica, the only one, is spawned
// in the serving process after serve.move-lost-after, and requests are answered as predict
// answers them again; a reload then reaches it there.
BOOST_AUTO_TEST_CASE(a_node_that_stays_down_has_its_replica_moved_here) {
  const auto& s = the_setting();
  const auto run_dir = s.run_copy("moved-run"); // best: step 6
  const auto config = s.serve_config("moved", 1, "\"replica0=worker1\"");
  auto node = s.start_node(config);
  server service{config, "moved", {"--serve.move-lost-after=2s"}, run_dir};
  const auto expected = predict(serve_sentences, run_dir);
  check_equals_predict(service.classify(serve_sentences), expected);
  kill_the_only_replicas_node(*node, service);
  BOOST_REQUIRE_MESSAGE(service.process->wait_for("replica0 runs in this process now", 30s),
                        service.process->output());
  BOOST_TEST(service.process->output().find("worker1 has not come back") != std::string::npos);
  for (int i = 0; i < 3; ++i)
    check_equals_predict(service.classify(serve_sentences), expected);
  std::ofstream{run_dir / "checkpoints/best.txt"} << "step-12\n";
  const auto at_12 = predict(serve_sentences, run_dir);
  BOOST_TEST_REQUIRE(at_12[0]["probabilities"] != expected[0]["probabilities"]);
  auto reloaded = service.reload();
  BOOST_REQUIRE(reloaded);
  BOOST_TEST_REQUIRE(reloaded->status == 200, reloaded->body);
  check_equals_predict(service.classify(serve_sentences), at_12); // the moved replica's
}

// A frozen node (SIGSTOP: its connection stays open, silent) is declared gone after
// cluster.timeout, and its replica's batch is answered 503 then, not at serve.timeout.
BOOST_AUTO_TEST_CASE(a_frozen_node_is_declared_gone_after_cluster_timeout) {
  const auto& s = the_setting();
  const auto config = s.serve_config("frozen", 2, "\"replica0=worker1\"");
  auto node = s.start_node(config);
  server service{config, "frozen", {"--cluster.timeout=2s", "--cluster.heartbeat=250ms"}};
  ::kill(node->pid(), SIGSTOP);
  const auto frozen_at = clock_type::now();
  auto lost = service.classify(serve_sentences); // the first batch goes to replica0
  const auto answered_after = clock_type::now() - frozen_at;
  BOOST_REQUIRE(lost);
  BOOST_TEST(lost->status == 503, lost->body);
  BOOST_TEST(lost->body.find("replica0 is gone") != std::string::npos, lost->body);
  BOOST_TEST_MESSAGE("503 answered "
                     << std::chrono::duration_cast<std::chrono::milliseconds>(answered_after).count()
                     << " ms after the node froze (cluster.timeout 2s)");
  BOOST_TEST((answered_after < 10s)); // cluster.timeout and a heartbeat, not serve.timeout's 30 s
  check_equals_predict(service.classify(serve_sentences), predict(serve_sentences));
}

BOOST_AUTO_TEST_CASE(a_reload_reaches_the_replica_on_the_node) {
  const auto& s = the_setting();
  const auto run_dir = s.run_copy("reload-run"); // best: step 6
  const auto config = s.serve_config("reload", 1, "\"replica0=worker1\"");
  auto node = s.start_node(config);
  server service{config, "reload", {}, run_dir};
  const auto at_6 = predict(serve_sentences, run_dir);
  check_equals_predict(service.classify(serve_sentences), at_6);
  std::ofstream{run_dir / "checkpoints/best.txt"} << "step-12\n";
  const auto at_12 = predict(serve_sentences, run_dir);
  BOOST_TEST_REQUIRE(at_12[0]["probabilities"] != at_6[0]["probabilities"]); // else this tells nothing
  auto reloaded = service.reload();
  BOOST_REQUIRE(reloaded);
  BOOST_TEST_REQUIRE(reloaded->status == 200, reloaded->body);
  auto answer = service.classify(serve_sentences);
  check_equals_predict(answer, at_12); // computed on the node, with the new checkpoint
  BOOST_TEST(json::parse(answer->body)["model"]["step"] == 12);
}

// serve.ship-run: with auto a node that sees the run directory loads it in place; with
// always the node copies the run from the serving process into its serve.node-cache and
// answers as predict does on the run; a reload ships the new checkpoint the same way.
BOOST_AUTO_TEST_CASE(a_node_that_is_shipped_the_run_answers_from_its_copy) {
  const auto& s = the_setting();
  const auto run_dir = s.run_copy("shipped-run"); // best: step 6
  const auto cache = s.dir.path / "node-cache";
  const auto config = s.serve_config("shipped", 1, "\"replica0=worker1\"");
  auto node = s.start_node(config, {"--serve.node-cache=" + cache.string()});
  { // auto (the default): this node sees the run directory, so nothing is copied
    server seen{config, "seen", {}, run_dir};
    check_equals_predict(seen.classify(serve_sentences), predict(serve_sentences, run_dir));
    BOOST_TEST(!fs::exists(cache));
  }
  server service{config, "shipped", {"--serve.ship-run=always"}, run_dir};
  check_equals_predict(service.classify(serve_sentences), predict(serve_sentences, run_dir));
  fs::path copy; // cache/shipped-run-HASH
  for (const auto& entry : fs::directory_iterator(cache))
    copy = entry.path();
  BOOST_REQUIRE_MESSAGE(fs::exists(copy / "checkpoints/step-6"), node->output());
  for (const char* file : {"config.ini", "labels.txt", "vocab.txt"})
    BOOST_TEST(fs::exists(copy / file), file);
  BOOST_TEST(!fs::exists(copy / "checkpoints/step-12")); // only what the replica loads
  std::ofstream{run_dir / "checkpoints/best.txt"} << "step-12\n";
  auto reloaded = service.reload();
  BOOST_REQUIRE(reloaded);
  BOOST_TEST_REQUIRE(reloaded->status == 200, reloaded->body);
  check_equals_predict(service.classify(serve_sentences), predict(serve_sentences, run_dir));
  BOOST_TEST(fs::exists(copy / "checkpoints/step-12"), node->output());
}

// serve.ship-run = auto with a node that does not see the run: the service names the run
// by a relative path from its own working folder, which the node's does not hold.
BOOST_AUTO_TEST_CASE(with_auto_a_node_that_does_not_see_the_run_is_shipped_it) {
  const auto& s = the_setting();
  const auto run_dir = s.run_copy("unseen-run");
  const auto cache = s.dir.path / "unseen-cache";
  BOOST_REQUIRE(!fs::exists(fs::path{"unseen-run"})); // the node's (and this test's) folder
  const auto config = s.serve_config("unseen", 1, "\"replica0=worker1\"");
  auto node = s.start_node(config, {"--serve.node-cache=" + cache.string()});
  serving_process service{
    std::vector<std::string>{"/bin/sh", "-c",
                             "cd " + s.dir.path.string() + " && exec " + axon_command
                               + " serve --run unseen-run --config " + config.string()
                               + " --serve.port=0 --monitor.port=-1"},
    s.dir.path / "unseen.log"};
  check_equals_predict(service.classify(serve_sentences), predict(serve_sentences, run_dir));
  BOOST_REQUIRE_MESSAGE(fs::exists(cache), node->output());
  fs::path copy;
  for (const auto& entry : fs::directory_iterator(cache))
    copy = entry.path();
  BOOST_TEST(fs::exists(copy / "checkpoints/step-6"), node->output());
}

BOOST_AUTO_TEST_CASE(with_tls_files_the_service_and_the_node_talk_tls) {
  const auto& s = the_setting();
  const auto certs = s.dir.path / "certs";
  auto made = run(make_certs + " " + certs.string() + " coordinator worker1");
  BOOST_REQUIRE_MESSAGE(made.status == 0, made.output);
  const auto config = s.serve_config("tls", 1, "\"replica0=worker1\"");
  auto node = s.start_node(config, tls_flags_in(certs, "worker1"));
  BOOST_TEST(node->wait_for("TLS with mutual authentication", 10s), node->output());
  // Without TLS files the service cannot reach the TLS node.
  auto plain = run(axon_command + " serve --run " + s.run_dir.string() + " --config " + config.string()
                   + " --serve.port=0 --monitor.port=-1 --cluster.timeout=1s --cluster.heartbeat=250ms");
  BOOST_TEST(plain.status == 2, plain.output);
  server service{config, "tls", tls_flags_in(certs, "coordinator")};
  check_equals_predict(service.classify(serve_sentences), predict(serve_sentences));
}

BOOST_AUTO_TEST_CASE(a_replica_on_a_node_links_through_the_kg_service_as_predict_links) {
  const auto& s = the_setting();
  const auto& kg = the_kg_run();
  const auto config = s.serve_config("kg", 1, "\"replica0=worker1\"");
  auto node = s.start_node(config);
  server service{config, "kg", {}, kg.run_dir};
  check_links_as_predict(service.classify(kg.texts), kg.expected);
  BOOST_TEST(node->output().find("spawned replica0 (serve.replica)") != std::string::npos,
             node->output());
}

// The KG service on a node process ("kg=worker1"): the local replica links through it as
// predict links; when the node is killed, the service spawns the KG service in its own
// process at once (serve_rejoin.hpp) and links the replica to it: meanwhile a request is
// answered 503 (Retry-After) or as predict, and afterwards as predict again.
BOOST_AUTO_TEST_CASE(the_kg_service_on_a_node_links_and_moves_here_when_its_node_dies) {
  const auto& s = the_setting();
  const auto& kg = the_kg_run();
  const auto config = s.serve_config("kg-on-node", 1, "\"kg=worker1\"");
  auto node = s.start_node(config);
  server service{config, "kg-on-node", {}, kg.run_dir};
  check_links_as_predict(service.classify(kg.texts), kg.expected);
  BOOST_TEST(node->output().find("spawned kg (axon.kg)") != std::string::npos, node->output());
  ::kill(node->pid(), SIGKILL);
  BOOST_REQUIRE(node->finished(10s));
  int refused = 0;
  for (auto until = clock_type::now() + 30s;
       service.process->output().find("kg runs in this process now") == std::string::npos;) {
    BOOST_REQUIRE_MESSAGE(clock_type::now() < until, service.process->output());
    auto r = service.classify(kg.texts);
    BOOST_REQUIRE(r);
    if (r->status == 503) {
      ++refused;
      BOOST_TEST(r->get_header_value("Retry-After") == "1");
      BOOST_TEST(r->body.find("the KG service did not link the texts") != std::string::npos, r->body);
    } else {
      check_links_as_predict(r, kg.expected);
    }
    std::this_thread::sleep_for(50ms);
  }
  BOOST_TEST_MESSAGE(refused << " request(s) answered 503 while the KG service moved");
  BOOST_TEST(service.process->output().find("the one on worker1 is gone") != std::string::npos,
             service.process->output());
  for (int i = 0; i < 3; ++i)
    check_links_as_predict(service.classify(kg.texts), kg.expected);
}

BOOST_AUTO_TEST_CASE(placements_the_service_cannot_honour_are_refused) {
  const auto& s = the_setting();
  auto refused = [&](const std::string& placement, const std::string& extra) {
    const auto config = s.serve_config("refused", 1, placement);
    return run(axon_command + " serve --run " + s.run_dir.string() + " --config " + config.string()
               + " --serve.port=0 " + extra);
  };
  auto batcher = refused("\"batcher=worker1\"", "");
  BOOST_TEST(batcher.status == 2);
  BOOST_TEST(batcher.output.find("puts the batcher on node worker1") != std::string::npos, batcher.output);
  // A device this process lacks (no CUDA in this build, or no 16th GPU), before loading.
  auto gpu = refused("", "--placement.devices='[\"replica*=cuda:15\"]'");
  BOOST_TEST(gpu.status == 2);
  BOOST_TEST(gpu.output.find("puts replica0 on cuda:15: cannot use cuda:15") != std::string::npos,
             gpu.output);
  // The first matching rule decides: replica0 computes on the CPU, replica1 would not.
  auto first = refused("", "--serve.replicas=2 --placement.devices='[\"replica0=cpu\", "
                           "\"replica*=cuda:15\"]'");
  BOOST_TEST(first.status == 2);
  BOOST_TEST(first.output.find("puts replica1 on cuda:15") != std::string::npos, first.output);
  BOOST_TEST(first.output.find("replica0") == std::string::npos, first.output);
  auto host_only = refused("", "--placement.devices='[\"batch*=cuda:0\"]'");
  BOOST_TEST(host_only.status == 2);
  BOOST_TEST(host_only.output.find("puts the batcher on cuda:0") != std::string::npos,
             host_only.output);
  // Reduced precision applies to replicas on a device: with none, the CPU replicas serve
  // (compute.* keys are not refused for lack of a device).
  auto mixed = refused("", "--compute.tf32=true --compute.precision=bf16");
  BOOST_TEST(mixed.status == 2);
  BOOST_TEST(mixed.output.find("compute.tf32 = true applies to f32 GEMMs") != std::string::npos,
             mixed.output);
  auto typo = refused("\"replcia0=worker1\"", "");
  BOOST_TEST(typo.status == 2, typo.output);
}

BOOST_AUTO_TEST_CASE(a_replica_placed_on_a_device_its_node_lacks_fails_the_start) {
  const auto& s = the_setting();
  const auto config = s.serve_config("node-device", 1, "\"replica0=worker1\"");
  auto node = s.start_node(config);
  // The serving process does not check a node's devices: the node does, loading the model.
  auto r = run(axon_command + " serve --run " + s.run_dir.string() + " --config " + config.string()
               + " --serve.port=0 --monitor.port=-1 --placement.devices='[\"replica0=cuda:15\"]'");
  BOOST_TEST(r.status == 2);
  BOOST_TEST(r.output.find("replica0 cannot compute on cuda:15 on this node: cannot use cuda:15")
               != std::string::npos,
             r.output);
  BOOST_TEST(r.output.find("axon serve: ready") == std::string::npos, r.output);
}

BOOST_AUTO_TEST_SUITE_END()
