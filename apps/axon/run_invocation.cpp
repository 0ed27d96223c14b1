// parse_run_invocation: see run_invocation.hpp.
#include "apps/axon/run_invocation.hpp"

#include "runtime/graph/error.hpp"
#include "actors/jobs/console_control.hpp"
#include "apps/axon/flags.hpp"
#include "apps/axon/job_config.hpp"
#include "runtime/checkpoint/init_source.hpp"
#include "runtime/checkpoint/run_files.hpp"
#include "runtime/config/compute_threads.hpp"
#include "runtime/config/load.hpp"
#include "runtime/thread_probe.hpp"

#include <caf/all.hpp>

#include <filesystem>
#include <iostream>
#include <vector>

namespace axon::app {

config::load_result load_job_config(const std::string& file,
                                    std::span<const std::string> overrides) {
  auto loaded = config::load_config_file(file, overrides);
  if (!loaded.resolved)
    return loaded;
  auto architecture = checkpoint::hf_architecture_overrides(loaded.resolved->get_string("model.init"));
  if (architecture.empty())
    return loaded;
  architecture.insert(architecture.end(), overrides.begin(), overrides.end());
  return config::load_config_file(file, architecture);
}

namespace {

bool holds_checkpoints(const std::filesystem::path& run_dir) {
  return std::filesystem::exists(run_dir / "checkpoints")
         && !std::filesystem::is_empty(run_dir / "checkpoints");
}

std::string checkpoints_problem(const std::filesystem::path& run_dir, const char* command) {
  return "the run directory " + run_dir.string() + " already holds checkpoints: continue it "
         "with `axon " + std::string{command} + " --resume " + run_dir.string()
         + "`, or remove it, or set another train.run-dir";
}

} // namespace

run_dir_lock hold_run_dir(const std::filesystem::path& run_dir, bool resume,
                          const char* command) {
  if (!resume)
    std::filesystem::create_directories(run_dir);
  run_dir_lock lock{run_dir};
  if (!resume && holds_checkpoints(run_dir)) // another run finished here meanwhile
    throw std::runtime_error(checkpoints_problem(run_dir, command));
  return lock;
}

run_invocation parse_run_invocation(args words, const char* command, const char* usage) {
  run_invocation out;
  std::vector<std::string> positional, overrides;
  flag_parser flags{usage};
  flags.add("resume", &out.resume_dir,
            "continue the run in RUN_DIR from its newest valid checkpoint");
  flags.accept_config_overrides(&overrides);
  if (auto status = flags.parse(words, &positional)) {
    out.exit_status = *status;
    return out;
  }
  std::string config_file = positional.empty() ? "" : positional.front();
  if (positional.size() > 1 || config_file.empty() == out.resume_dir.empty()) {
    std::cerr << "axon " << command << ": give either CONFIG or --resume RUN_DIR\n";
    flags.print_help(std::cerr);
    out.exit_status = 2;
    return out;
  }
  if (!out.resume_dir.empty()) {
    config_file = (std::filesystem::path{out.resume_dir} / "config.ini").string();
    overrides.push_back("--train.run-dir=" + out.resume_dir);
  }
  config::load_result loaded;
  try { // a resumed run's config.ini already holds the architecture
    loaded = out.resume_dir.empty() ? load_job_config(config_file, overrides)
                                    : config::load_config_file(config_file, overrides);
  } catch (const std::exception& e) {
    std::cerr << "axon " << command << ": " << e.what() << '\n';
    out.exit_status = 2;
    return out;
  }
  if (!loaded.resolved) {
    std::cerr << loaded.error_text();
    out.exit_status = 2;
    return out;
  }
  if (!out.resume_dir.empty()) {
    // A resumed run continues the same job: another placement of it, not another model,
    // data or optimisation (the run's checkpoints could not continue those).
    const std::vector<std::string> run_dir_only{"--train.run-dir=" + out.resume_dir};
    auto saved = config::load_config_file(config_file, run_dir_only);
    if (!saved.resolved) {
      std::cerr << saved.error_text();
      out.exit_status = 2;
      return out;
    }
    if (auto changed = changed_job_key(*saved.resolved, *loaded.resolved); !changed.empty()) {
      std::cerr << "axon " << command << ": --resume " << out.resume_dir << ": " << changed
                << '\n';
      out.exit_status = 2;
      return out;
    }
    for (const auto& change : changed_placement_keys(*saved.resolved, *loaded.resolved))
      std::cerr << "axon " << command << ": resuming with " << change << '\n';
    out.legacy_config_hash = legacy_job_hash(*saved.resolved);
  }
  const std::filesystem::path run_dir = loaded.resolved->get_string("train.run-dir");
  if (out.resume_dir.empty() && holds_checkpoints(run_dir)) {
    std::cerr << "axon " << command << ": " << checkpoints_problem(run_dir, command) << '\n';
    out.exit_status = 2;
    return out;
  }
  // The compute pool and the actor scheduler start train.threads threads each (plus a few
  // of CAF's own) after the run directory is written: find out now whether they can.
  const auto problem = probe_threads(2 * config::compute_threads(*loaded.resolved) + 4, "train.threads",
                                     loaded.resolved->get_int("train.threads"));
  if (!problem.empty()) {
    std::cerr << "axon " << command << ": " << problem << '\n';
    out.exit_status = 2;
    return out;
  }
  out.config = std::move(loaded.resolved);
  return out;
}

void check_resumable(const std::filesystem::path& run_dir,
                     const checkpoint::expected_layout& expect) {
  auto latest = checkpoint::load_latest_valid(run_dir, expect);
  if (latest.checkpoint)
    checkpoint::verify_run_files(run_dir, latest.checkpoint->info, latest.checkpoint->folder);
  // A best checkpoint at or after the step the run continues from is the newest valid one,
  // or one the resumed run writes again when it passes that step (a damaged one was skipped
  // by load_latest_valid): only an older one must still load at the end.
  const auto best = checkpoint::best_checkpoint(run_dir);
  if (!best || !latest.checkpoint || *best >= latest.checkpoint->info.step)
    return;
  const auto best_txt = run_dir / "checkpoints" / "best.txt";
  try {
    const auto folder = run_dir / "checkpoints" / ("step-" + std::to_string(*best));
    const auto checkpoint = checkpoint::load_checkpoint(folder, expect);
    checkpoint::verify_run_files(run_dir, checkpoint.info, folder);
  } catch (const checkpoint::checkpoint_error& e) {
    throw std::runtime_error(
      "the best checkpoint (step " + std::to_string(*best) + ", named by " + best_txt.string()
      + ") cannot be used: " + e.what() + ". The run would train to its end and then fail to "
      "load it for the test report: restore it, or remove " + best_txt.string()
      + " to resume without it (the test report then uses the best checkpoint saved after "
      "resuming, or else the final weights)");
  }
}

int wait_for_supervisor(caf::scoped_actor& self, const caf::actor& supervisor,
                        const char* command, monitor::endpoint* job_monitor) {
  if (job_monitor != nullptr)
    job_monitor->set_control(supervisor_control(self->system(), supervisor));
  self->monitor(supervisor);
  int status = 0;
  self->receive([&](caf::down_msg& down) {
    if (down.reason && down.reason != caf::exit_reason::normal) {
      std::cerr << "axon " << command << ": " << error_text(down.reason) << '\n';
      status = 1;
    }
  });
  return status;
}

} // namespace axon::app
