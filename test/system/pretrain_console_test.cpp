// `axon pretrain` under the console, as `axon train`: pause holds the step and resume moves
// it, `set train.lr` and `checkpoint` are obeyed, stop ends the job with a final checkpoint
// (exit 0, resumable); and `kill ACTOR` is a fault drill: the pretraining job recovers
// from the lost actor (the state the optimizer actors kept, or, for a lost optimizer, its
// newest checkpoint, then equal to an uninterrupted run) and trains on, or with
// train.recovery-attempts = 0 ends with exit 1 naming the actor.
#include "test/system/job_process.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <thread>

using namespace axon::test;
using json = nlohmann::json;

namespace {

// Template sentences and a pretraining job of 2 shards that runs until stopped.
fs::path pretraining_job(const fs::path& dir, const fs::path& run_dir) {
  {
    std::ofstream corpus{dir / "corpus.txt"};
    static const char* who[] = {"the company", "the bank", "the group", "the retailer"};
    for (int i = 0; i < 600; ++i)
      corpus << who[i % 4] << " said its profit rose by " << (i % 9 + 1)
             << " percent in the quarter .\n";
  }
  auto config = dir / "pretrain.ini";
  std::ofstream{config} << "[data]\nvocab-size = 200\n"
                        << "[model]\nhidden = 32\nlayers = 2\nheads = 2\nintermediate = 64\n"
                        << "max-positions = 32\nmax-seq = 32\n"
                        << "[train]\nrun-dir = \"" << run_dir.string() << "\"\n"
                        << "batch-size = 8\nlog-every-steps = 1\nthreads = 2\n"
                        << "schedule = \"constant\"\nwarmup-steps = 0\nlr = 1e-3\n"
                        << "[pretrain]\ncorpus = [\"" << (dir / "corpus.txt").string() << "\"]\n"
                        << "eval-sequences = 16\neval-every-steps = 0\nmax-steps = 1000000\n"
                        << "[placement]\nshards = 2\n[monitor]\nprometheus-port = 0\n";
  return config;
}

} // namespace

BOOST_AUTO_TEST_SUITE(pretrain_console)

BOOST_AUTO_TEST_CASE(pretraining_obeys_pause_resume_set_checkpoint_and_stop) {
  job_process job{"pretrain_console", "pretrain", pretraining_job, ""};
  const auto run = "--run " + job.run_dir().string();
  BOOST_REQUIRE_MESSAGE(wait_for([&] { return job.step() >= 3; }, 60), job.log());

  auto paused = job.console(run + " -c pause");
  BOOST_REQUIRE_MESSAGE(paused.status == 0, paused.output);
  BOOST_TEST(paused.output.find("paused at step") != std::string::npos, paused.output);
  const auto held = job.step();
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  BOOST_TEST(job.step() == held, job.log()); // no step while paused
  auto details = json::parse(job.console(job.address() + " -c \"inspect supervisor --json\"").output);
  BOOST_TEST(details["details"]["paused"].get<double>() == 1.0, details.dump());

  auto set = job.console(run + " -c \"set train.lr 0.0005\"");
  BOOST_REQUIRE_MESSAGE(set.status == 0, set.output);
  auto refused = job.console(run + " -c \"set train.batch-size 4\"");
  BOOST_TEST(refused.status != 0);
  BOOST_TEST(refused.output.find("only train.lr can be set") != std::string::npos, refused.output);

  auto resumed = job.console(run + " -c resume");
  BOOST_REQUIRE_MESSAGE(resumed.status == 0, resumed.output);
  BOOST_REQUIRE_MESSAGE(wait_for([&] { return job.step() >= held + 3; }, 60), job.log());
  auto sets = events(job.run_dir(), "set");
  BOOST_REQUIRE(sets.size() == 1u);
  BOOST_TEST(sets[0]["value"].get<double>() == 0.0005);
  for (const auto& step : events(job.run_dir(), "train")) // the new rate from the next step
    if (step["step"].get<std::int64_t>() > held)
      BOOST_TEST(std::fabs(step["lr"].get<double>() - 0.0005) <= 1e-9, step.dump());

  job.checkpoint_and_stop();
  BOOST_TEST(job.log().find("continue with: axon pretrain --resume") != std::string::npos,
             job.log());
}

BOOST_AUTO_TEST_CASE(pretraining_recovers_from_a_killed_actor) {
  job_process job{"pretrain_kill", "pretrain", pretraining_job, ""};
  BOOST_REQUIRE_MESSAGE(wait_for([&] { return job.step() >= 2; }, 60), job.log());
  auto recovery = job.kill_and_wait_for_recovery("shard1.stage0");
  BOOST_TEST(recovery["lost"] == json::array({"shard1.stage0"}), recovery.dump());
  BOOST_TEST(recovery["restored_from"] == "optimizers", job.log());
  const auto at = recovery["step"].get<std::int64_t>();
  BOOST_REQUIRE_MESSAGE(wait_for([&] { return job.step() >= at + 3; }, 60), job.log());
  // No step is logged twice: the interrupted one is trained again, once.
  std::int64_t last = 0;
  for (const auto& step : events(job.run_dir(), "train")) {
    BOOST_TEST(step["step"].get<std::int64_t>() > last, step.dump());
    last = step["step"].get<std::int64_t>();
  }
  auto stopped = job.console("--run " + job.run_dir().string() + " -c stop");
  BOOST_REQUIRE_MESSAGE(stopped.status == 0, stopped.output);
  BOOST_TEST(job.wait_exit(60) == 0, job.log());
}

// With recovery off the failure is the job's end: exit 1, naming the actor lost.
BOOST_AUTO_TEST_CASE(without_recovery_a_lost_actor_ends_the_job_naming_it) {
  job_process job{"pretrain_no_recovery", "pretrain", pretraining_job,
                  "--train.recovery-attempts=0"};
  BOOST_REQUIRE_MESSAGE(wait_for([&] { return job.step() >= 2; }, 60), job.log());
  auto killed = job.console("--run " + job.run_dir().string() + " -c \"kill shard0.stage0\"");
  BOOST_REQUIRE_MESSAGE(killed.status == 0, killed.output);
  BOOST_TEST(job.wait_exit(60) == 1, job.log());
  BOOST_TEST(job.log().find("axon pretrain: ") != std::string::npos, job.log());
  BOOST_TEST(job.log().find("actor shard0.stage0 of the training graph stopped")
               != std::string::npos,
             job.log());
  BOOST_TEST(events(job.run_dir(), "recovery").empty());
}

// A lost optimizer actor takes its state with it: the job goes back to its newest
// checkpoint, the loader to that checkpoint's corpus cursor, and the steps after it are
// trained again. They equal an uninterrupted run's bitwise: the rollback loses nothing and
// repeats nothing.
BOOST_AUTO_TEST_CASE(a_rollback_to_the_checkpoint_equals_the_uninterrupted_run) {
  job_process job{"pretrain_rollback", "pretrain", pretraining_job,
                  "--train.checkpoint-every-steps=5"};
  BOOST_REQUIRE_MESSAGE(wait_for([&] { return job.step() >= 7; }, 60), job.log());
  auto recovery = job.kill_and_wait_for_recovery("optimizer0");
  BOOST_TEST(recovery["lost"] == json::array({"optimizer0"}), recovery.dump());
  BOOST_TEST(recovery["restored_from"].get<std::string>().starts_with("checkpoint step-"),
             recovery.dump());
  const auto back_to = recovery["step"].get<std::int64_t>();
  BOOST_TEST(back_to % 5 == 0);
  BOOST_REQUIRE_MESSAGE(wait_for([&] { return job.step() >= back_to + 8; }, 60), job.log());
  auto stopped = job.console("--run " + job.run_dir().string() + " -c stop");
  BOOST_REQUIRE_MESSAGE(stopped.status == 0, stopped.output);
  BOOST_REQUIRE(job.wait_exit(60) == 0);
  const auto steps = events(job.run_dir(), "train");
  BOOST_REQUIRE(!steps.empty());
  const auto last = steps.back()["step"].get<std::int64_t>();

  // The same job, uninterrupted, for as many steps.
  const auto whole_dir = job.dir() / "whole";
  fs::create_directories(whole_dir);
  const auto config = pretraining_job(whole_dir, whole_dir / "run");
  auto whole = run(axon_command + " pretrain " + config.string()
                   + " --train.checkpoint-every-steps=5 --pretrain.max-steps=" + std::to_string(last));
  BOOST_REQUIRE_MESSAGE(whole.status == 0, whole.output);
  const auto want = events(whole_dir / "run", "train");
  BOOST_REQUIRE_EQUAL(steps.size(), want.size());
  for (std::size_t i = 0; i < steps.size(); ++i) {
    BOOST_TEST_INFO("step " << steps[i]["step"]);
    BOOST_TEST(steps[i]["step"] == want[i]["step"]);
    BOOST_TEST(steps[i]["loss"].get<double>() == want[i]["loss"].get<double>()); // bitwise
  }
}

BOOST_AUTO_TEST_SUITE_END()
