// The cluster tests' setting: generated data and a job config over three `axon node`
// processes on free ports of 127.0.0.1 (shards on worker1 and worker2, optimizer slices on
// worker3 and the coordinator's process), with helpers to start nodes and coordinators.
#pragma once

#include "test/support/free_port.hpp"
#include "test/support/process.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>


namespace axon::test {

inline const std::string fake_node = AXON_BINARY_DIR "/test/cluster/fake_node";
inline const std::string make_certs = AXON_TEST_DIR "/../examples/cluster/make-certs.sh";

inline std::vector<double> train_losses(const fs::path& run_dir) {
  std::vector<double> losses;
  std::ifstream in{run_dir / "metrics.jsonl"};
  for (std::string line; std::getline(in, line);)
    if (auto j = nlohmann::json::parse(line); j["event"] == "train")
      losses.push_back(j["loss"].get<double>());
  return losses;
}

/// Checks that every loss of `a` is within `tolerance` relative of `b`'s (as many), and
/// returns the largest relative difference.
inline double compare_losses(const std::vector<double>& a, const std::vector<double>& b,
                             double tolerance) {
  BOOST_REQUIRE_EQUAL(a.size(), b.size());
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    BOOST_TEST(std::abs(a[i] - b[i]) <= tolerance * std::abs(b[i]), "step " << i + 1);
    worst = std::max(worst, std::abs(a[i] - b[i]) / std::abs(b[i]));
  }
  return worst;
}

/// The --cluster.tls-* flags of process `name` whose CA and certificates make-certs.sh wrote
/// to `certs`.
inline std::vector<std::string> tls_flags_in(const fs::path& certs, const std::string& name) {
  return {"--cluster.tls-ca=" + (certs / "ca.pem").string(),
          "--cluster.tls-certificate=" + (certs / (name + ".pem")).string(),
          "--cluster.tls-key=" + (certs / (name + ".key")).string()};
}

/// Generated data, a job config over three nodes on free ports, and helpers to start them.
struct cluster_fixture {
  temp_dir dir;
  std::vector<int> ports{free_port(), free_port(), free_port()};
  fs::path config = dir.path / "job.ini";

  std::string timeout; // cluster.timeout

  explicit cluster_fixture(std::string connection_timeout = "2s")
    : timeout(std::move(connection_timeout)) {
    auto r = run(axon_command + " data synth-finsent " + (dir.path / "data").string() + " --size 800");
    BOOST_REQUIRE_MESSAGE(r.status == 0, r.output);
    write_config("");
  }

  void write_config(const std::string& extra) {
    std::ofstream out{config};
    out << "[data]\ntrain = \"" << (dir.path / "data/train.csv").string() << "\"\n"
        << "dev = \"" << (dir.path / "data/dev.csv").string() << "\"\n"
        << "test = \"" << (dir.path / "data/test.csv").string() << "\"\n"
        << "vocab-size = 600\nmax-len = 32\n"
        << "[model]\nhidden = 64\nlayers = 2\nheads = 2\nintermediate = 128\n"
        << "max-positions = 32\n"
        << "[train]\nepochs = 2\nbatch-size = 16\nmicro-batches = 2\nlr = 5e-3\n"
        << "log-every-steps = 1\nthreads = 1\n"
        << "[eval]\nevery-steps = 0\n"
        << "[kg]\ntriples = \"" << (dir.path / "data/kg/triples.tsv").string() << "\"\n"
        << "aliases = \"" << (dir.path / "data/kg/aliases.tsv").string() << "\"\ndim = 16\n"
        << "[placement]\nstages = 2\nshards = 2\noptimizer-slices = 2\n"
        << "nodes = [\"shard0*=worker1\", \"shard1*=worker2\", \"optimizer0*=worker3\", "
           "\"optimizer1.1=worker3\", \"kg=worker3\"]\n"
        << "[cluster]\nnodes = [\"worker1=127.0.0.1:" << ports[0] << "\", \"worker2=127.0.0.1:"
        << ports[1] << "\", \"worker3=127.0.0.1:" << ports[2] << "\"]\n"
        << "heartbeat = 250ms\ntimeout = " << timeout << "\n"
        << extra;
  }

  std::unique_ptr<child> start_node(const std::string& name,
                                     const std::vector<std::string>& flags = {}) {
    std::vector<std::string> argv{axon_command, "node", "--config", config.string(), "--name", name};
    argv.insert(argv.end(), flags.begin(), flags.end());
    auto node = std::make_unique<child>(argv, dir.path / (name + ".log"));
    BOOST_REQUIRE_MESSAGE(node->wait_for("node " + name + " listening on", 20s), node->output());
    return node;
  }

  std::vector<std::unique_ptr<child>> start_nodes(const std::vector<std::string>& flags = {},
                                                  bool per_node_tls = false) {
    std::vector<std::unique_ptr<child>> nodes;
    for (std::string name : {"worker1", "worker2", "worker3"})
      nodes.push_back(start_node(name, per_node_tls ? tls_flags(name) : flags));
    return nodes;
  }

  std::vector<std::string> tls_flags(const std::string& name, const std::string& ca_dir = "certs") {
    auto certs = dir.path / ca_dir;
    return {"--cluster.tls-ca=" + (dir.path / "certs/ca.pem").string(),
            "--cluster.tls-certificate=" + (certs / (name + ".pem")).string(),
            "--cluster.tls-key=" + (certs / (name + ".key")).string()};
  }

  std::unique_ptr<child> start_train(const std::string& run_name,
                                     const std::vector<std::string>& flags = {}) {
    std::vector<std::string> argv{axon_command, "train", config.string(),
                                  "--train.run-dir=" + (dir.path / run_name).string()};
    argv.insert(argv.end(), flags.begin(), flags.end());
    return std::make_unique<child>(argv, dir.path / (run_name + ".log"));
  }
};

inline std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words)
    out += " '" + w + "'";
  return out;
}

} // namespace axon::test
