// Nodes that join and leave a running job (issue #21, placement.elastic, docs/elastic.md),
// with real `axon node` processes on 127.0.0.1: a job started on one shard (worker1; worker2
// and worker3 absent) grows when worker2 and then worker3 join with `axon node --join`
// (1 -> 2 -> 3 shards), and shrinks when worker2 gets SIGTERM (3 -> 2: its shard1 is
// handed back and worker3's shard2 comes back as shard1), without a recovery; it trains
// the job of one shard in one process. The drill (label `drill`) runs the same over a
// longer job and compares its final test metrics; refusals leave the job unchanged.
// Every child process is killed and reaped when its handle goes out of scope.
#include "test/cluster/cluster_fixture.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <csignal>
#include <regex>

using namespace axon::test;
using json = nlohmann::json;

namespace {

// Shard k on worker k + 1; optimizers, coordinator, loader and KG service locally.
const std::string elastic_rules =
  "--placement.nodes=[\"shard0*=worker1\", \"shard1*=worker2\", \"shard2*=worker3\"]";

struct elastic_fixture : cluster_fixture {
  fs::path run_dir = dir.path / "elastic";
  std::string console = axon_command + " console --run " + run_dir.string() + " -c ";

  std::unique_ptr<child> start_member(const std::string& name, bool join) {
    std::vector<std::string> flags{"--train.run-dir=" + run_dir.string()};
    if (join)
      flags.emplace_back("--join");
    return start_node(name, flags);
  }

  std::size_t steps_done() const { return events(run_dir, "train").size(); }

  // The elastic job of `shape` (flags) with its membership changes: paused before its first
  // step, worker2 and worker3 join; after `leave_after` steps worker2 leaves on SIGTERM.
  // Returns the job, finished with status 0; `nodes` keeps the node processes.
  std::unique_ptr<child> run_elastic(const std::vector<std::string>& shape, std::size_t leave_after,
                                     std::vector<std::unique_ptr<child>>& nodes) {
    nodes.push_back(start_member("worker1", false));
    auto flags = shape;
    flags.insert(flags.end(), {"--placement.shards=1", "--placement.elastic=true",
                               "--monitor.start-paused=true", elastic_rules});
    auto job = start_train("elastic", flags);
    BOOST_REQUIRE_MESSAGE(job->wait_for("paused before the first step", 60s), job->output());
    // Refused, the job unchanged: a name not in cluster.nodes, a listed node not running.
    auto unknown = run(console + "'join worker9'");
    BOOST_TEST(unknown.status != 0);
    BOOST_TEST(unknown.output.find("worker9 is not in cluster.nodes") != std::string::npos,
               unknown.output);
    auto absent = run(console + "'join worker2'");
    BOOST_TEST(absent.status != 0);
    BOOST_TEST(absent.output.find("cannot connect within cluster.timeout") != std::string::npos,
               absent.output);
    BOOST_TEST(absent.output.find("the job goes on unchanged (1 shard)") != std::string::npos);
    nodes.push_back(start_member("worker2", true));
    BOOST_REQUIRE_MESSAGE(nodes[1]->wait_for("joined: scaled from 1 to 2 shards", 60s),
                          nodes[1]->output() + job->output());
    nodes.push_back(start_member("worker3", true));
    BOOST_REQUIRE_MESSAGE(nodes[2]->wait_for("joined: scaled from 2 to 3 shards", 60s),
                          nodes[2]->output() + job->output());
    auto again = run(console + "'join worker3'");
    BOOST_TEST(again.output.find("already part of the job") != std::string::npos, again.output);
    auto first = run(console + "'leave worker1'"); // shard0 stays while the job runs
    BOOST_TEST(first.output.find("it runs shard0") != std::string::npos, first.output);
    BOOST_REQUIRE(run(console + "resume").status == 0);
    for (auto end = clock_type::now() + 120s; steps_done() < leave_after;) {
      BOOST_REQUIRE_MESSAGE(clock_type::now() < end && !job->finished(0ms), job->output());
      std::this_thread::sleep_for(20ms);
    }
    ::kill(nodes[1]->pid(), SIGTERM); // worker2 hands its shard back, then exits 0
    BOOST_REQUIRE_MESSAGE(nodes[1]->finished(60s), nodes[1]->output());
    BOOST_TEST(nodes[1]->status() == 0, nodes[1]->output());
    BOOST_TEST(nodes[1]->output().find("left: scaled from 3 to 2 shards") != std::string::npos,
               nodes[1]->output());
    BOOST_REQUIRE_MESSAGE(job->finished(600s), job->output());
    BOOST_REQUIRE_MESSAGE(job->status() == 0, job->output());
    BOOST_TEST(events(run_dir, "recovery").empty(), job->output());
    // worker3's shard2 came back as shard1 on worker3.
    BOOST_TEST(nodes[2]->output().find("spawned shard1.stage1") != std::string::npos,
               nodes[2]->output());
    // A node with nothing placed (the job's session ended) just exits on SIGTERM.
    ::kill(nodes[2]->pid(), SIGTERM);
    BOOST_REQUIRE_MESSAGE(nodes[2]->finished(10s), nodes[2]->output());
    BOOST_TEST(nodes[2]->status() == 0);
    return job;
  }

  // The same job on one shard in one process.
  std::unique_ptr<child> run_fixed(const std::vector<std::string>& shape) {
    auto flags = shape;
    flags.insert(flags.end(), {"--placement.shards=1", "--placement.nodes="});
    auto fixed = start_train("fixed", flags);
    BOOST_REQUIRE_MESSAGE(fixed->finished(600s), fixed->output());
    BOOST_REQUIRE_MESSAGE(fixed->status() == 0, fixed->output());
    return fixed;
  }

  // The scale events' shards and node lists, and their seconds.
  std::vector<double> check_scale_events() {
    auto scales = events(run_dir, "scale");
    BOOST_REQUIRE_EQUAL(scales.size(), 3u);
    BOOST_TEST(scales[0]["shards"] == 2);
    BOOST_TEST(scales[0]["nodes"] == json::array({"worker1", "worker2"}), scales[0].dump());
    BOOST_TEST(scales[1]["shards"] == 3);
    BOOST_TEST(scales[1]["nodes"] == json::array({"worker1", "worker2", "worker3"}),
               scales[1].dump());
    BOOST_TEST(scales[2]["shards"] == 2);
    BOOST_TEST(scales[2]["nodes"] == json::array({"worker1", "worker3"}), scales[2].dump());
    std::vector<double> seconds;
    for (const auto& e : scales)
      seconds.push_back(e["seconds"].get<double>());
    return seconds;
  }

  // Every epoch's examples exactly once, and the same ones at the same steps as `fixed`.
  void check_ledger(const child& fixed, std::size_t epochs) {
    const auto elastic_ledger = ledger(run_dir);
    BOOST_TEST((elastic_ledger == ledger(dir.path / "fixed")));
    std::smatch rows;
    const auto said = fixed.output();
    BOOST_REQUIRE(std::regex_search(said, rows, std::regex{R"(train: (\d+) rows)"}));
    BOOST_TEST(exactly_once_problem(elastic_ledger, epochs, std::stoul(rows[1])) == "");
  }
};

double median(std::vector<double> xs) {
  std::sort(xs.begin(), xs.end());
  const auto n = xs.size();
  return n % 2 == 1 ? xs[n / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2;
}

// The job's last line `test accuracy=A macro_f1=F`: {A, F}.
std::pair<double, double> test_metrics(const std::string& output) {
  std::smatch found;
  const std::regex line{R"(test accuracy=([0-9.]+) macro_f1=([0-9.]+))"};
  BOOST_REQUIRE_MESSAGE(std::regex_search(output, found, line), output);
  return {std::stod(found[1]), std::stod(found[2])};
}

} // namespace

BOOST_AUTO_TEST_SUITE(elastic)

// One epoch at lr 1e-3 (as a_scaled_up_job_places_its_new_shard_by_the_rules: the rounding
// of 1 and 3 shards stays within 1e-4 relative over it).
BOOST_FIXTURE_TEST_CASE(nodes_join_and_leave_a_running_job, elastic_fixture) {
  const std::vector<std::string> shape{"--train.epochs=1", "--train.lr=1e-3"};
  std::vector<std::unique_ptr<child>> nodes;
  auto job = run_elastic(shape, 10, nodes);
  const auto seconds = check_scale_events();
  for (double s : seconds)
    BOOST_TEST(s < 2.0);
  BOOST_TEST_MESSAGE("scale events took " << seconds[0] << ", " << seconds[1] << " and "
                                          << seconds[2] << " s");
  auto fixed = run_fixed(shape);
  const double worst =
    compare_losses(train_losses(run_dir), train_losses(dir.path / "fixed"), 1e-4);
  BOOST_TEST_MESSAGE("largest relative loss difference, elastic 1 -> 2 -> 3 -> 2 vs 1 shard: "
                     << worst);
  check_ledger(*fixed, 1);
}

// The console's (the protocol's) leave and join: a node connected at the start but hosting
// nothing leaves at once, joins again (the same process) and takes shard1, and leaves
// again, handing it back; the node process runs on throughout.
BOOST_FIXTURE_TEST_CASE(a_node_leaves_and_joins_again_from_the_console, elastic_fixture) {
  auto worker1 = start_member("worker1", false);
  auto worker2 = start_member("worker2", false);
  auto job = start_train("elastic", {"--placement.shards=1", "--placement.elastic=true",
                                     "--monitor.start-paused=true", "--train.max-steps=5",
                                     elastic_rules});
  BOOST_REQUIRE_MESSAGE(job->wait_for("paused before the first step", 60s), job->output());
  auto said = [&](const std::string& command) {
    auto r = run(console + "'" + command + "'");
    BOOST_TEST_INFO(command << ": " << r.output);
    return r.output;
  };
  BOOST_TEST(said("leave worker2").find("node worker2 left; it ran none of the job's actors")
             != std::string::npos);
  BOOST_TEST(said("leave worker2").find("worker2 is not part of the job") != std::string::npos);
  BOOST_TEST(said("join worker2").find("node worker2 joined: scaled from 1 to 2 shards")
             != std::string::npos);
  BOOST_TEST(said("leave worker2").find("node worker2 left: scaled from 2 to 1 shard")
             != std::string::npos);
  BOOST_REQUIRE(run(console + "resume").status == 0);
  BOOST_REQUIRE_MESSAGE(job->finished(120s), job->output());
  BOOST_TEST(job->status() == 0, job->output());
  BOOST_TEST(!worker2->finished(0ms)); // still serving
  BOOST_TEST(events(run_dir, "scale").size() == 2u);
  BOOST_TEST(events(run_dir, "recovery").empty());
  BOOST_TEST(events(run_dir, "train").size() == 5u);
}

// A job without placement.elastic refuses joins and leaves, unchanged.
BOOST_FIXTURE_TEST_CASE(a_job_without_elastic_refuses_joins, elastic_fixture) {
  auto worker1 = start_member("worker1", false);
  auto worker2 = start_member("worker2", false);
  auto job = start_train("elastic", {"--placement.shards=1", "--monitor.start-paused=true",
                                     "--placement.nodes=[\"shard0*=worker1\"]"});
  BOOST_REQUIRE_MESSAGE(job->wait_for("paused before the first step", 60s), job->output());
  auto join = run(console + "'join worker2'");
  BOOST_TEST(join.status != 0);
  BOOST_TEST(join.output.find("placement.elastic is off") != std::string::npos, join.output);
  auto leave = run(console + "'leave worker1'");
  BOOST_TEST(leave.output.find("placement.elastic is off") != std::string::npos, leave.output);
  BOOST_TEST(run(console + "stop").status == 0);
  BOOST_REQUIRE_MESSAGE(job->finished(60s), job->output());
  BOOST_TEST(job->status() == 0, job->output());
  BOOST_TEST(events(run_dir, "scale").empty());
}

// A node that cannot host the joining shard's actors (they are to compute on cuda:99, which
// no node has) is refused; the job trains on, unchanged.
BOOST_FIXTURE_TEST_CASE(a_node_without_the_device_is_refused, elastic_fixture) {
  auto worker1 = start_member("worker1", false);
  auto job = start_train("elastic", {"--placement.shards=1", "--placement.elastic=true",
                                     "--monitor.start-paused=true", "--train.max-steps=5",
                                     elastic_rules,
                                     "--placement.devices=[\"shard0*=cpu\", \"shard*=cuda:99\"]"});
  BOOST_REQUIRE_MESSAGE(job->wait_for("paused before the first step", 60s), job->output());
  auto worker2 = start_member("worker2", true);
  BOOST_REQUIRE_MESSAGE(worker2->finished(60s), worker2->output());
  BOOST_TEST(worker2->status() == 1);
  BOOST_TEST(worker2->output().find("cannot use cuda:99") != std::string::npos, worker2->output());
  BOOST_TEST(worker2->output().find("the job goes on unchanged (1 shard)") != std::string::npos);
  BOOST_REQUIRE(run(console + "resume").status == 0);
  BOOST_REQUIRE_MESSAGE(job->finished(120s), job->output());
  BOOST_TEST(job->status() == 0, job->output());
  BOOST_TEST(events(run_dir, "scale").empty());
  BOOST_TEST(events(run_dir, "train").size() == 5u);
}

// The drill (label `drill`; run by name: it is disabled in the plain suite): 1 -> 2 -> 3
// -> 2 shards over 3 epochs (120 steps, worker2 leaving after 60) with nodes joining twice
// and one leaving; final test accuracy and macro-F1 within 0.5 points of the fixed run,
// every example of every epoch once, each scale event under 2 s (their median printed).
// At lr 1e-3: at the fixture's 5e-3 this tiny model amplifies float rounding (1e-7 at step
// 40, 10% by step 75), so that even fixed runs on 1, 2 and 3 shards end 0.575, 0.675 and
// 0.700 in test accuracy: no placement change could stay within 0.5 points there.
BOOST_FIXTURE_TEST_CASE(drill_one_three_two_shards_with_nodes_joining_and_leaving,
                        elastic_fixture, *boost::unit_test::disabled()) {
  const std::vector<std::string> shape{"--train.epochs=3", "--train.lr=1e-3"};
  std::vector<std::unique_ptr<child>> nodes;
  auto job = run_elastic(shape, 60, nodes);
  const auto seconds = check_scale_events();
  for (double s : seconds) {
    BOOST_TEST(s < 2.0);
    std::cout << "drill: scale event took " << s << " s\n";
  }
  std::cout << "drill: median scale event " << median(seconds) << " s\n";
  auto fixed = run_fixed(shape);
  const auto losses = train_losses(run_dir);
  const double worst = compare_losses(losses, train_losses(dir.path / "fixed"), 1e-4);
  std::cout << "drill: " << losses.size() << " steps, largest relative loss difference "
            << worst << '\n';
  const auto [accuracy, macro_f1] = test_metrics(job->output());
  const auto [fixed_accuracy, fixed_macro_f1] = test_metrics(fixed->output());
  std::cout << "drill: test accuracy " << accuracy << " (fixed run " << fixed_accuracy
            << "), macro_f1 " << macro_f1 << " (fixed run " << fixed_macro_f1 << ")\n";
  BOOST_TEST(std::abs(accuracy - fixed_accuracy) <= 0.005); // 0.5 points
  BOOST_TEST(std::abs(macro_f1 - fixed_macro_f1) <= 0.005);
  check_ledger(*fixed, 3);
}

BOOST_AUTO_TEST_SUITE_END()
