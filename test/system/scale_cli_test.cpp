// `scale shards N` through the real `axon` binary (issue #21, docs/elastic.md): a training
// job of 2 stages x 1 shard, scaled to 3 shards and then to 2 from `axon console` while it
// runs, trains the same model as the fixed one-shard job (every loss within 1e-4
// relative, dropout 0.1), with the same ledger: every epoch's examples exactly once. The
// scale events are in metrics.jsonl and the console's metrics; bad requests are refused
// and change nothing.
#include "test/system/job_process.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <regex>

using namespace axon::test;
using json = nlohmann::json;

namespace {

// Long enough (400 steps) that a console on a loaded machine pauses it before it ends.
constexpr int epochs = 20;
const std::string shape = " --train.epochs=" + std::to_string(epochs)
                          + " --placement.shards=1 --placement.max-shards=20";

// The stage actors the console lists.
std::size_t stage_actors(const job_process& job) {
  auto listed = job.console(job.address() + " -c \"actors --kind axon.bert.stage --json\"");
  BOOST_REQUIRE_MESSAGE(listed.status == 0, listed.output);
  return json::parse(listed.output).size();
}

} // namespace

BOOST_AUTO_TEST_SUITE(scale_cli)

BOOST_AUTO_TEST_CASE(one_three_two_shards_while_running_train_the_fixed_job) {
  job_process job{"scale", shape + " --monitor.start-paused=true"};
  const auto control = job.address() + " --run " + job.run_dir().string() + " -c ";
  auto console_ok = [&](const std::string& command) {
    auto r = job.console(control + "\"" + command + "\"");
    BOOST_REQUIRE_MESSAGE(r.status == 0, command << ": " << r.output << job.log());
    return r.output;
  };
  // Paused between steps (the job would outrun the console otherwise), scaled, resumed:
  // first before the first step (monitor.start-paused), then after a few steps.
  BOOST_REQUIRE_MESSAGE(wait_for([&] {
                          return job.log().find("paused before the first step")
                                 != std::string::npos;
                        }, 60),
                        job.log());
  BOOST_REQUIRE_MESSAGE(wait_for([&] { return job.step() == 0; }, 60), job.log());
  const auto first_at = job.step();
  BOOST_TEST(stage_actors(job) == 2u);
  // Bad requests: refused with the reason, the job unchanged.
  auto zero = job.console(control + "\"scale shards 0\"");
  BOOST_TEST(zero.status != 0);
  BOOST_TEST(zero.output.find("at least one shard") != std::string::npos, zero.output);
  auto above = job.console(control + "\"scale shards 21\"");
  BOOST_TEST(above.status != 0);
  BOOST_TEST(above.output.find("placement.max-shards = 20") != std::string::npos, above.output);
  auto rowless = job.console(control + "\"scale shards 17\""); // batches of 16 rows
  BOOST_TEST(rowless.status != 0);
  BOOST_TEST(rowless.output.find("train.batch-size = 16 is smaller than 17") != std::string::npos,
             rowless.output);
  BOOST_TEST(console_ok("scale shards 1").find("nothing to do") != std::string::npos);
  BOOST_TEST(stage_actors(job) == 2u);
  BOOST_TEST(events(job.run_dir(), "scale").empty());

  BOOST_TEST(console_ok("scale shards 3").find("scaled from 1 to 3 shards") != std::string::npos);
  BOOST_TEST(stage_actors(job) == 6u);
  console_ok("resume");
  BOOST_REQUIRE_MESSAGE(wait_for([&] { return job.step() >= first_at + 3; }, 60), job.log());
  console_ok("pause");
  BOOST_TEST(console_ok("scale shards 2").find("scaled from 3 to 2 shards") != std::string::npos);
  BOOST_TEST(stage_actors(job) == 4u);
  auto shown = console_ok("metrics --last 1");
  BOOST_TEST(shown.find("scale events:") != std::string::npos, shown);
  console_ok("resume");
  BOOST_REQUIRE_MESSAGE(job.wait_exit(300) == 0, job.log());

  auto scales = events(job.run_dir(), "scale");
  BOOST_REQUIRE(scales.size() == 2u);
  BOOST_TEST(scales[0]["shards"] == 3);
  BOOST_TEST(scales[1]["shards"] == 2);
  BOOST_TEST(scales[0]["nodes"] == json::array({"local"}));
  BOOST_TEST(scales[0]["step"].get<std::int64_t>() < scales[1]["step"].get<std::int64_t>());
  BOOST_TEST_MESSAGE("scale events took " << scales[0]["seconds"] << " s and "
                                          << scales[1]["seconds"] << " s");

  // The same job on one shard throughout.
  const auto fixed_dir = job.dir() / "fixed";
  auto fixed = run(axon_command + " train " + (job.dir() / "job.ini").string() + shape
                   + " --train.run-dir=" + fixed_dir.string());
  BOOST_REQUIRE_MESSAGE(fixed.status == 0, fixed.output);
  auto a = events(fixed_dir, "train"), b = events(job.run_dir(), "train");
  BOOST_REQUIRE(a.size() == b.size());
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    BOOST_TEST_INFO("step " << a[i]["step"]);
    BOOST_TEST(a[i]["step"] == b[i]["step"]);
    const double x = a[i]["loss"].get<double>(), y = b[i]["loss"].get<double>();
    worst = std::max(worst, std::fabs(x - y) / std::fabs(x));
  }
  BOOST_TEST_MESSAGE("largest relative loss difference, scaled 1 -> 3 -> 2 vs 1 shard: " << worst);
  BOOST_TEST(worst <= 1e-4);
  // The ledger: the same examples at the same steps, each epoch's exactly once.
  const auto scaled_ledger = ledger(job.run_dir());
  BOOST_TEST((scaled_ledger == ledger(fixed_dir)));
  std::smatch train_rows;
  BOOST_REQUIRE(std::regex_search(fixed.output, train_rows, std::regex{R"(train: (\d+) rows)"}));
  BOOST_TEST(exactly_once_problem(scaled_ledger, epochs, std::stoul(train_rows[1])) == "");
}

BOOST_AUTO_TEST_SUITE_END()
