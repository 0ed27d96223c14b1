// `axon console -c` against a real training job (2 stages x 2 shards): actors listed with
// sane numbers, the graph's credit windows, unauthorised control refused and logged,
// pause holding the step (the supervisor, the loader and metrics.jsonl agreeing on the
// epoch meanwhile) and resume moving it, a refusal in plain words, `set train.lr` in
// metrics.jsonl and in the next steps' rates, `metrics` plotting the job's eval.metric,
// checkpoint, Prometheus text, stop with a final checkpoint; and `kill ACTOR` as a fault
// drill: the job recovers from the lost actor and trains on.
#include "test/monitor/http_get.hpp"
#include "test/system/job_process.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <regex>
#include <set>

using namespace axon::test;
using json = nlohmann::json;

BOOST_AUTO_TEST_SUITE(console_cli)

BOOST_AUTO_TEST_CASE(inspects_and_steers_a_running_job) {
  job_process job{"console", "--train.schedule=constant --train.warmup-steps=0 --train.lr=1e-3 "
                            "--eval.metric=macro_f1"};
  const auto run = "--run " + job.run_dir().string();
  BOOST_REQUIRE_MESSAGE(wait_for([&] { return job.step() >= 3; }, 60), job.log());

  // Every actor, with sane counters.
  auto listed = job.console(job.address() + " -c \"actors --json\"");
  BOOST_REQUIRE_MESSAGE(listed.status == 0, listed.output);
  auto actors = json::parse(listed.output);
  std::set<std::string> names;
  for (const auto& a : actors) {
    BOOST_TEST_INFO(a.dump());
    names.insert(a["name"]);
    BOOST_TEST(a["mailbox_depth"].get<std::int64_t>() >= 0);
    BOOST_TEST(a["mailbox_depth"].get<std::int64_t>() < 100);
    BOOST_TEST(a["busy_fraction"].get<double>() >= 0.0);
    BOOST_TEST(a["busy_fraction"].get<double>() <= 1.0);
    BOOST_TEST(a["messages_in"].get<std::int64_t>() > 0);
    BOOST_TEST(a["last_message_age_s"].get<double>() >= 0.0);
    BOOST_TEST(a["last_message_age_s"].get<double>() < 60.0);
    const std::set<std::string> states{"idle", "busy", "waiting_for_credit"};
    BOOST_TEST(states.count(a["state"]) == 1u);
  }
  for (auto name : {"supervisor", "loader", "coordinator", "shard0", "shard1", "shard0.stage0",
                    "shard1.stage1", "optimizer0", "optimizer1"})
    BOOST_TEST(names.count(name) == 1u, name);
  auto stages = json::parse(job.console(job.address() + " -c \"actors --kind axon.bert.stage --json\"").output);
  BOOST_TEST(stages.size() == 4u);
  for (const auto& a : actors)
    if (a["name"] == "shard0.stage1")
      BOOST_TEST(a["messages_out"].get<std::int64_t>() > 0); // forwards, backwards, grads
  // Norms that cost a pass over the parameters appear once someone inspects the actor.
  auto inspected = [&](const std::string& actor, const std::string& detail) {
    json found;
    wait_for([&] {
      found = json::parse(job.console(job.address() + " -c \"inspect " + actor + " --json\"").output);
      return found["details"].contains(detail);
    }, 30);
    return found;
  };
  auto stage = inspected("shard0.stage1", "grad_norm");
  BOOST_TEST(stage["details"]["params"].get<double>() > 0);
  BOOST_TEST(stage["details"].value("grad_norm", 0.0) > 0);
  auto optimizer = inspected("optimizer0", "update_norm");
  BOOST_TEST(optimizer["details"].value("update_norm", 0.0) > 0);
  BOOST_TEST(optimizer["details"]["lr"].get<double>() == 1e-3, boost::test_tools::tolerance(1e-6));
  auto graph = json::parse(job.console(job.address() + " -c \"graph --json\"").output)["edges"];
  int windowed = 0;
  for (const auto& e : graph)
    if (e["credit_window"] == 2) {
      ++windowed;
      BOOST_TEST(e["messages"].get<std::int64_t>() > 0);
      BOOST_TEST(e["in_flight"].get<std::int64_t>() <= 2);
    }
  BOOST_TEST(windowed == 4); // shard -> stage0 and stage0 -> stage1, per shard
  auto dot = job.console(job.address() + " -c \"graph --dot\"");
  BOOST_TEST(dot.output.find("digraph axon") != std::string::npos);

  // Control without the token (or with a wrong one) is refused and logged by the job.
  auto refused = job.console(job.address() + " -c pause");
  BOOST_TEST(refused.status == 1);
  BOOST_TEST(refused.output.find("refused") != std::string::npos);
  auto bad_token = job.dir() / "bad.token";
  std::ofstream{bad_token} << "0123\n";
  BOOST_TEST(job.console(job.address() + " --token-file " + bad_token.string() + " -c stop").status == 1);
  BOOST_TEST(job.log().find("refused 'pause'") != std::string::npos);
  BOOST_TEST(job.log().find("wrong control token") != std::string::npos);

  // Pause holds the step; resume moves it again.
  auto paused = job.console(run + " -c pause");
  BOOST_REQUIRE_MESSAGE(paused.status == 0, paused.output);
  const auto held = job.step();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  BOOST_TEST(job.step() == held);
  // One epoch convention (docs/commands.md): the supervisor's epoch is that of its last
  // step, the loader's that of the last batch it sent, a train line's that of its step.
  auto details = [&](const std::string& actor) {
    auto inspected = job.console(job.address() + " -c \"inspect " + actor + " --json\"");
    return json::parse(inspected.output)["details"];
  };
  const auto supervisor = details("supervisor"), loader = details("loader");
  const auto per_epoch = loader["batches_per_epoch"].get<double>();
  auto epoch_of = [&](double count) { return std::floor((count - 1) / per_epoch) + 1; };
  BOOST_TEST(supervisor["epoch"].get<double>() == epoch_of(supervisor["step"].get<double>()));
  BOOST_TEST(loader["epoch"].get<double>() == epoch_of(loader["sent"].get<double>()));
  for (const auto& e : events(job.run_dir(), "train"))
    if (e["step"].get<double>() == supervisor["step"].get<double>())
      BOOST_TEST(e["epoch"].get<double>() == supervisor["epoch"].get<double>());
  BOOST_REQUIRE(job.console(run + " -c resume").status == 0);
  BOOST_TEST(wait_for([&] { return job.step() > held + 2; }, 30));

  // A new peak rate: logged as an event, used by the next steps.
  auto set = job.console(run + " -c \"set train.lr 0.00025\"");
  BOOST_REQUIRE_MESSAGE(set.status == 0, set.output);
  auto refused_set = job.console(run + " -c \"set train.epochs 3\"");
  BOOST_TEST(refused_set.status == 1);
  // The refusal reads as plain words, not as a rendered CAF error.
  BOOST_TEST(refused_set.output
             == "set: only train.lr can be set while training, not train.epochs\n");
  auto set_events = events(job.run_dir(), "set");
  BOOST_REQUIRE(set_events.size() == 1u);
  BOOST_TEST(set_events[0]["key"] == "train.lr");
  BOOST_TEST(set_events[0]["value"].get<double>() == 0.00025);
  const auto set_at = set_events[0]["step"].get<std::int64_t>();
  BOOST_REQUIRE(wait_for([&] {
    auto train = events(job.run_dir(), "train");
    return !train.empty() && train.back()["step"].get<std::int64_t>() > set_at + 1;
  }, 30));
  for (const auto& e : events(job.run_dir(), "train")) {
    BOOST_TEST_INFO(e.dump());
    auto expected = e["step"].get<std::int64_t>() > set_at ? 0.00025 : 1e-3;
    BOOST_TEST(e["lr"].get<double>() == expected, boost::test_tools::tolerance(1e-6));
  }

  // Metrics over the protocol and in Prometheus text.
  auto metrics = json::parse(job.console(job.address() + " -c \"metrics --json\"").output);
  BOOST_TEST(metrics["train"].size() >= 3u);
  auto plot = job.console(job.address() + " -c metrics");
  BOOST_TEST(plot.output.find("tokens/s") != std::string::npos);
  // The dev plot is of the job's eval.metric (one evaluation: its value, not an axis).
  BOOST_REQUIRE(wait_for([&] { return !events(job.run_dir(), "eval").empty(); }, 60));
  auto dev_plot = job.console(job.address() + " -c metrics").output;
  const std::regex one_point{R"(\ndev macro_f1: [0-9.]+ at step \d+ \(one point\)\n)"};
  BOOST_TEST((dev_plot.find("\ndev macro_f1\n") != std::string::npos
              || std::regex_search(dev_plot, one_point)),
             dev_plot);
  BOOST_TEST(dev_plot.find("dev accuracy") == std::string::npos);
  auto scrape = http_get(job.prometheus());
  BOOST_REQUIRE(scrape.starts_with("HTTP/1.0 200 OK"));
  std::regex stage_depth{R"(\naxon_actor_mailbox_depth\{actor="shard0\.stage0",kind="axon\.bert\.stage",node="local"\} \d+\n)"};
  BOOST_TEST(std::regex_search(scrape, stage_depth));
  std::regex loss{R"(\naxon_train_loss [0-9.e+-]+\n)"}, rate{R"(\naxon_tokens_per_second [0-9.e+-]+\n)"};
  BOOST_TEST(std::regex_search(scrape, loss));
  BOOST_TEST(std::regex_search(scrape, rate));

  // A checkpoint now, then stop: a final checkpoint and a clean exit.
  job.checkpoint_and_stop();
}

BOOST_AUTO_TEST_CASE(a_killed_actor_is_recovered_from) {
  job_process job{"console_kill"};
  BOOST_REQUIRE_MESSAGE(wait_for([&] { return job.step() >= 1; }, 60), job.log());
  // The supervisor respawns the graph, restores the state the optimizer actors kept, and
  // training goes on.
  auto recovery = job.kill_and_wait_for_recovery("shard1.stage0");
  BOOST_TEST(recovery["lost"] == json::array({"shard1.stage0"}), recovery.dump());
  BOOST_TEST(recovery["restored_from"] == "optimizers", job.log());
  BOOST_TEST(job.log().find("actor shard1.stage0 of the training graph stopped") != std::string::npos,
             job.log());
  const auto at = recovery["step"].get<std::int64_t>();
  BOOST_REQUIRE_MESSAGE(wait_for([&] { return job.step() >= at + 3; }, 60), job.log());
  // The console lists the new graph's actors once each (the old ones are gone).
  auto listed = job.console(job.address() + " -c \"actors --json\"");
  BOOST_REQUIRE_MESSAGE(listed.status == 0, listed.output);
  std::multiset<std::string> names;
  for (const auto& a : json::parse(listed.output))
    names.insert(a["name"].get<std::string>());
  BOOST_TEST(names.count("shard1.stage0") == 1u);
  BOOST_TEST(names.count("coordinator") == 1u);
  auto stopped = job.console("--run " + job.run_dir().string() + " -c stop");
  BOOST_REQUIRE_MESSAGE(stopped.status == 0, stopped.output);
  BOOST_TEST(job.wait_exit(60) == 0, job.log());
}

// Long documents in windows mode (docs/long-texts.md): killing shard 0's head stage, which
// classifies every document of a step, is recovered from like any actor, and training goes
// on in windows mode (the generated sentences as documents of 2-3 windows of 6 pieces, at
// most 4 windows a micro-batch).
BOOST_AUTO_TEST_CASE(a_killed_document_head_is_recovered_from_in_windows_mode) {
  job_process job{"console_kill_windows",
                  "--data.long-text=chunk --data.chunk-len=8 --data.chunk-stride=2"
                  " --data.max-chunks=16 --train.micro-windows=4"};
  BOOST_REQUIRE_MESSAGE(wait_for([&] { return job.step() >= 1; }, 60), job.log());
  auto recovery = job.kill_and_wait_for_recovery("shard0.stage1");
  BOOST_TEST(recovery["lost"] == json::array({"shard0.stage1"}), recovery.dump());
  const auto at = recovery["step"].get<std::int64_t>();
  BOOST_REQUIRE_MESSAGE(wait_for([&] { return job.step() >= at + 3; }, 60), job.log());
  json coordinator; // the new coordinator counts its steps in windows mode
  wait_for([&] {
    coordinator = json::parse(
      job.console(job.address() + " -c \"inspect coordinator --json\"").output);
    return coordinator["details"].value("windows_mode_steps", 0.0) >= 1;
  }, 30);
  BOOST_TEST(coordinator["details"].value("windows_mode_steps", 0.0) >= 1, coordinator.dump());
  BOOST_TEST(coordinator["details"].contains("window_chunks"), coordinator.dump());
  auto stopped = job.console("--run " + job.run_dir().string() + " -c stop");
  BOOST_REQUIRE_MESSAGE(stopped.status == 0, stopped.output);
  BOOST_TEST(job.wait_exit(60) == 0, job.log());
}

// The KG service is a node of the training graph like the others: the console lists it,
// and killing it is recovered from (the graph with a new service goes on linking).
BOOST_AUTO_TEST_CASE(a_killed_kg_service_is_recovered_from) {
  const auto data = fs::temp_directory_path() /
                    ("axon_console_kill_kg_" + std::to_string(::getpid())) / "data" / "kg";
  job_process job{"console_kill_kg", "--kg.triples=" + (data / "triples.tsv").string() +
                                       " --kg.aliases=" + (data / "aliases.tsv").string()};
  BOOST_REQUIRE_MESSAGE(wait_for([&] { return job.step() >= 1; }, 60), job.log());
  BOOST_TEST(job.log().find("served by the KG service actor") != std::string::npos, job.log());
  auto listed = job.console(job.address() + " -c \"actors --json\"");
  BOOST_REQUIRE_MESSAGE(listed.status == 0, listed.output);
  bool listed_kg = false;
  for (const auto& a : json::parse(listed.output))
    listed_kg = listed_kg || (a["name"] == "kg" && a["kind"] == "axon.kg");
  BOOST_TEST(listed_kg, listed.output);
  auto recovery = job.kill_and_wait_for_recovery("kg");
  BOOST_TEST(recovery["lost"] == json::array({"kg"}), recovery.dump());
  BOOST_TEST(recovery["restored_from"] == "optimizers", job.log());
  const auto at = recovery["step"].get<std::int64_t>();
  BOOST_REQUIRE_MESSAGE(wait_for([&] { return job.step() >= at + 3; }, 60), job.log());
  auto stopped = job.console("--run " + job.run_dir().string() + " -c stop");
  BOOST_REQUIRE_MESSAGE(stopped.status == 0, stopped.output);
  BOOST_TEST(job.wait_exit(60) == 0, job.log());
}

BOOST_AUTO_TEST_SUITE_END()
