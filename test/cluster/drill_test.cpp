// Fault drills with real processes on 127.0.0.1 (DESIGN §6): the 3-node job of
// cluster_fixture loses a node process to SIGKILL at a seeded step (each node in turn; the
// node restarted at once in every other drill, so that it rejoins, else its actors move),
// or loses its coordinator to SIGKILL and is resumed after its newest checkpoint was
// damaged. Each drill must finish with exit 0, apply every training example exactly once
// per epoch (the ledger equals the undisturbed run's), and end with the undisturbed run's
// test accuracy (within 0.5 points) and, recovery being exact, its dev losses bit for bit.
// AXON_DRILL_RUNS sets how many node kills (default 5; the `drill` label runs 20).
#include "test/cluster/cluster_fixture.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <random>
#include <regex>

using namespace axon::test;

namespace {

// Checkpoints every 10 steps (80 steps in all); a lost node that does not come back is
// given up on after 1 s.
const std::vector<std::string> drill_flags{"--train.checkpoint-every-steps=10",
                                           "--cluster.rejoin-timeout=1s"};

std::vector<std::string> with(std::vector<std::string> flags, const std::string& more) {
  flags.push_back(more);
  return flags;
}

/// The undisturbed run (in one process: the same numbers as on the nodes) to compare with.
struct reference_run : cluster_fixture {
  fs::path run_dir = dir.path / "reference";
  std::vector<nlohmann::json> ledger_lines;
  double accuracy = 0;
  std::vector<double> dev_losses; // at each evaluation
  std::size_t train_rows = 0;

  // A killed process is noticed at once (its connections close), so the connection
  // timeout can be long: a loaded 2-core machine never trips it.
  reference_run() : cluster_fixture("20s") {
    auto job = start_train("reference", with(drill_flags, "--placement.nodes="));
    BOOST_REQUIRE_MESSAGE(job->finished(180s), "the reference run did not finish");
    BOOST_REQUIRE_MESSAGE(job->status() == 0, job->output());
    ledger_lines = ledger(run_dir);
    accuracy = events(run_dir, "test").at(0)["accuracy"].get<double>();
    dev_losses = losses_of(events(run_dir, "eval"));
    std::smatch rows;
    auto out = job->output();
    BOOST_REQUIRE(std::regex_search(out, rows, std::regex{R"(train: (\d+) rows)"}));
    train_rows = std::stoul(rows[1]);
  }

  /// The checks every drill ends with.
  void same_as_reference(const fs::path& drilled) {
    auto lines = ledger(drilled);
    BOOST_TEST((lines == ledger_lines), "the ledger differs from the undisturbed run's");
    BOOST_TEST(exactly_once_problem(lines, 2, train_rows) == ""); // train.epochs = 2
    auto test = events(drilled, "test");
    BOOST_REQUIRE(test.size() == 1u);
    BOOST_TEST(std::abs(test[0]["accuracy"].get<double>() - accuracy) <= 0.005);
    // Recovery is exact: the same weights at every evaluation, bit for bit.
    BOOST_TEST(losses_of(events(drilled, "eval")) == dev_losses, boost::test_tools::per_element());
  }

  static std::vector<double> losses_of(const std::vector<nlohmann::json>& evals) {
    std::vector<double> losses;
    for (const auto& e : evals)
      losses.push_back(e["loss"].get<double>());
    return losses;
  }
};

/// The last step in RUN_DIR/metrics.jsonl (0 before the first).
std::int64_t last_step(const fs::path& run_dir) {
  auto train = events(run_dir, "train");
  return train.empty() ? 0 : train.back()["step"].get<std::int64_t>();
}

bool wait_for_step(const fs::path& run_dir, std::int64_t step, std::chrono::milliseconds limit) {
  for (auto end = clock_type::now() + limit; clock_type::now() < end;) {
    if (last_step(run_dir) >= step)
      return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

int drill_runs() {
  const char* runs = std::getenv("AXON_DRILL_RUNS");
  return runs != nullptr ? std::max(1, std::atoi(runs)) : 5;
}

} // namespace

BOOST_AUTO_TEST_SUITE(drill)

BOOST_FIXTURE_TEST_CASE(kill_9_of_a_node_at_a_seeded_step, reference_run) {
  std::mt19937 pick{20261129};
  const int runs = drill_runs();
  for (int k = 0; k < runs; ++k) {
    const int victim = k % 3;
    const std::string name = "worker" + std::to_string(victim + 1);
    const bool restart = k % 2 == 1;
    const std::int64_t at = 12 + std::int64_t(pick() % 60); // after the first checkpoint
    BOOST_TEST_CONTEXT("drill " << k << ": kill -9 " << name << " at step " << at
                                << (restart ? ", restarted" : ", not restarted")) {
      auto nodes = start_nodes();
      const auto run_dir = dir.path / ("drill" + std::to_string(k));
      auto job = start_train(run_dir.filename().string(),
                             restart ? with(drill_flags, "--cluster.rejoin-timeout=20s")
                                     : drill_flags);
      BOOST_REQUIRE_MESSAGE(wait_for_step(run_dir, at, 120s), job->output());
      ::kill(nodes[victim]->pid(), SIGKILL);
      BOOST_REQUIRE(nodes[victim]->finished(10s));
      if (restart)
        nodes[victim] = start_node(name);
      BOOST_REQUIRE_MESSAGE(job->finished(180s), "the job did not finish\n" + job->output());
      BOOST_TEST_INFO(job->output());
      BOOST_REQUIRE(job->status() == 0);
      auto recovery = events(run_dir, "recovery");
      BOOST_REQUIRE(recovery.size() == 1u);
      BOOST_TEST_MESSAGE("drill " << k << ": " << recovery[0].dump());
      BOOST_TEST(recovery[0]["nodes"] == nlohmann::json::array({name}));
      if (restart)
        BOOST_TEST(recovery[0]["placed"][name] == name);
      else
        BOOST_TEST(recovery[0]["placed"][name] != name);
      // worker3 holds optimizer slices: their state is lost, the checkpoint has it.
      const std::string from = recovery[0]["restored_from"];
      BOOST_TEST((victim == 2 ? from.starts_with("checkpoint step-") : from == "optimizers"), from);
      same_as_reference(run_dir);
    }
  }
}

BOOST_FIXTURE_TEST_CASE(kill_9_of_the_coordinator_then_resume_past_a_damaged_checkpoint,
                        reference_run) {
  auto nodes = start_nodes();
  const auto run_dir = dir.path / "coordinator";
  auto job = start_train("coordinator", drill_flags);
  BOOST_REQUIRE_MESSAGE(wait_for_step(run_dir, 45, 120s), job->output());
  ::kill(job->pid(), SIGKILL);
  BOOST_REQUIRE(job->finished(10s));
  for (auto& node : nodes) // each node ends the lost coordinator's session by itself
    BOOST_TEST(node->wait_for("session ended", 10s), node->output());
  // One flipped byte in the newest checkpoint's weights.
  std::vector<fs::path> folders;
  for (const auto& entry : fs::directory_iterator{run_dir / "checkpoints"})
    if (entry.path().filename().string().starts_with("step-"))
      folders.push_back(entry.path());
  auto newest = *std::max_element(folders.begin(), folders.end(), [](const auto& a, const auto& b) {
    return std::stol(a.filename().string().substr(5)) < std::stol(b.filename().string().substr(5));
  });
  fs::path weights;
  for (const auto& entry : fs::directory_iterator{newest})
    if (entry.path().extension() == ".safetensors")
      weights = entry.path();
  BOOST_REQUIRE(!weights.empty());
  {
    std::fstream file{weights, std::ios::in | std::ios::out | std::ios::binary};
    file.seekg(-7, std::ios::end);
    char byte = 0;
    file.get(byte);
    file.seekp(-7, std::ios::end);
    file.put(char(byte ^ 0x10));
  }
  auto resumed = run(axon_command + " train --resume " + run_dir.string());
  BOOST_TEST_INFO(resumed.output);
  BOOST_REQUIRE(resumed.status == 0);
  BOOST_TEST(resumed.output.find("skipping " + newest.string()) != std::string::npos);
  BOOST_TEST(resumed.output.find(weights.filename().string()) != std::string::npos);
  same_as_reference(run_dir);
}

BOOST_AUTO_TEST_SUITE_END()
