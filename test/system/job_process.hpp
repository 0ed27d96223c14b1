// A job in a child process for the console's system tests: generated data, a small config
// with the inspection endpoint on (a training job, or another command's), the job started
// in the background (its output in a file) and always ended when the test ends, plus
// `axon console` runs.
#pragma once

#include "test/support/process.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace axon::test {

namespace fs = std::filesystem;


/// Polls `done` every 50 ms until it holds or `seconds` pass.
inline bool wait_for(const std::function<bool()>& done, int seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

/// One long job (it runs until stopped) with monitoring on, in a child process: by
/// default `axon train` on generated data; or any command on the config `prepare` writes.
class job_process {
public:
  /// Writes what the job reads into `dir` (its run directory is dir/run) and returns the
  /// config file.
  using prepare_fn = std::function<fs::path(const fs::path& dir, const fs::path& run_dir)>;

  explicit job_process(const std::string& name, const std::string& extra_flags = "")
    : job_process(name, "train", training_job, extra_flags) {
  }

  job_process(const std::string& name, const std::string& command, const prepare_fn& prepare,
              const std::string& extra_flags) {
    dir_ = fs::temp_directory_path() / ("axon_" + name + "_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    const auto config = prepare(dir_, run_dir());
    std::fflush(stdout); // or the child's freopen would print the parent's pending output
    std::fflush(stderr);
    child_ = ::fork();
    if (child_ == 0) {
      auto log = (dir_ / "job.log").string();
      std::freopen(log.c_str(), "w", stdout);
      std::freopen(log.c_str(), "a", stderr);
      auto line = axon_command + " " + command + " " + config.string() + " " + extra_flags;
      ::execl("/bin/sh", "sh", "-c", ("exec " + line).c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    BOOST_REQUIRE_MESSAGE(wait_for([&] { return fs::exists(run_dir() / "monitor.json"); }, 60),
                          "the job wrote no monitor.json: " + log());
    std::ifstream in{run_dir() / "monitor.json"};
    info_ = nlohmann::json::parse(in);
  }

  /// Generated finsent data and a training job of 2 stages x 2 shards for 1000 epochs.
  static fs::path training_job(const fs::path& dir, const fs::path& run_dir) {
    auto data = run(axon_command + " data synth-finsent " + (dir / "data").string()
                    + " --size 400");
    BOOST_REQUIRE_MESSAGE(data.status == 0, data.output);
    auto config = dir / "job.ini";
    std::ofstream{config} << "[data]\ntrain = \"" << (dir / "data/train.csv").string() << "\"\n"
                          << "dev = \"" << (dir / "data/dev.csv").string() << "\"\n"
                          << "vocab-size = 600\nmax-len = 32\n"
                          << "[model]\nhidden = 32\nlayers = 2\nheads = 2\nintermediate = 64\n"
                          << "max-positions = 32\n"
                          << "[train]\nrun-dir = \"" << run_dir.string() << "\"\n"
                          << "epochs = 1000\nbatch-size = 16\nlog-every-steps = 1\nthreads = 2\n"
                          << "[eval]\npatience = 0\n[placement]\nstages = 2\nshards = 2\n"
                          << "[monitor]\nprometheus-port = 0\n";
    return config;
  }

  ~job_process() {
    if (child_ > 0 && !exited_) {
      ::kill(child_, SIGKILL);
      ::waitpid(child_, nullptr, 0);
    }
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  fs::path run_dir() const { return dir_ / "run"; }
  fs::path dir() const { return dir_; }
  std::string address() const { return info_["address"]; }
  std::string prometheus() const { return info_["prometheus"]; }
  std::string log() const {
    std::ifstream in{dir_ / "job.log"};
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  /// `axon console ARGS` (e.g. `--run DIR -c "actors --json"`).
  run_result console(const std::string& arguments) const {
    return run(axon_command + " console " + arguments);
  }
  /// The supervisor's step, read through the console; -1 while the job is starting (the
  /// endpoint listens before the supervisor exists, which publishes its step a moment
  /// after it appears).
  std::int64_t step() const {
    auto r = console(address() + " -c \"inspect supervisor --json\"");
    if (r.status != 0)
      return -1;
    auto step = nlohmann::json::parse(r.output)["details"]["step"];
    return step.is_number() ? std::int64_t(step.get<double>()) : -1;
  }

  /// `kill ACTOR` through the console, then the job's first "recovery" event (the test
  /// stops when none comes within a minute).
  nlohmann::json kill_and_wait_for_recovery(const std::string& actor) const {
    auto killed = console("--run " + run_dir().string() + " -c \"kill " + actor + "\"");
    BOOST_REQUIRE_MESSAGE(killed.status == 0, killed.output);
    BOOST_REQUIRE_MESSAGE(wait_for([&] { return !events(run_dir(), "recovery").empty(); }, 60),
                          log());
    return events(run_dir(), "recovery")[0];
  }

  /// `checkpoint`, then `stop` through the console: the checkpoint is written, the job
  /// exits 0 after a final one, named by its one "stop" event.
  void checkpoint_and_stop() {
    const auto run = "--run " + run_dir().string();
    auto checkpoint = console(run + " -c checkpoint");
    BOOST_REQUIRE_MESSAGE(checkpoint.status == 0, checkpoint.output);
    std::smatch folder;
    BOOST_REQUIRE(std::regex_search(checkpoint.output, folder, std::regex{R"(step-\d+)"}));
    BOOST_TEST(fs::exists(run_dir() / "checkpoints" / folder.str()));
    auto stopped = console(run + " -c stop");
    BOOST_REQUIRE_MESSAGE(stopped.status == 0, stopped.output);
    BOOST_TEST(wait_exit(60) == 0, log());
    auto stop_events = events(run_dir(), "stop");
    BOOST_REQUIRE(stop_events.size() == 1u);
    BOOST_TEST(fs::exists(run_dir() / "checkpoints"
                          / stop_events[0]["checkpoint"].get<std::string>()));
    BOOST_TEST(log().find("stopped by the console") != std::string::npos);
  }

  /// Waits for the job to end (up to `seconds`); its exit status, or -1.
  int wait_exit(int seconds) {
    int status = 0;
    bool ended = wait_for([&] { return ::waitpid(child_, &status, WNOHANG) == child_; }, seconds);
    if (!ended)
      return -1;
    exited_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

private:
  fs::path dir_;
  pid_t child_ = -1;
  bool exited_ = false;
  nlohmann::json info_;
};

} // namespace axon::test
