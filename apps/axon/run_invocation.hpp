// The command line shared by `axon train` and `axon pretrain`: CONFIG or --resume RUN_DIR
// (whose config.ini is read, with train.run-dir pointed at RUN_DIR), then config
// overrides, of which a resumed run takes only placement keys (another shape of the same
// job: app::is_placement_key) and monitor.* and serve.*, refusing any other changed key
// by name; the config is loaded and checked (for a new run whose model.init is a
// Hugging Face model folder, with the architecture of its config.json, below the
// command-line overrides), and a new run refuses a run directory that already holds
// checkpoints; the threads that train.threads asks for are probed (exit 2 when the
// process cannot start them).
#pragma once

#include "apps/axon/commands.hpp"

#include <caf/actor.hpp>
#include <caf/scoped_actor.hpp>
#include "runtime/checkpoint/checkpoint.hpp"
#include "runtime/config/load.hpp"
#include "runtime/config/resolved_config.hpp"
#include "runtime/monitor/endpoint.hpp"
#include "runtime/run_dir_lock.hpp"

#include <filesystem>
#include <optional>
#include <span>
#include <string>

namespace axon::app {

struct run_invocation {
  std::optional<config::resolved_config> config; // empty: `exit_status` says how it ended
  int exit_status = 0;    // 0 with --help, 2 for bad usage or a bad config (printed)
  std::string resume_dir; // empty: a new run
  std::string legacy_config_hash; // --resume: the hash older Axon versions gave the run
};

/// load_config_file, then, when model.init names a Hugging Face model folder, again with
/// the architecture of its config.json (hf_architecture_overrides) below `overrides`.
/// Throws std::runtime_error for a config.json that Axon cannot run.
config::load_result load_job_config(const std::string& file,
                                    std::span<const std::string> overrides);

/// Parses `words` for `command` ("train", "pretrain") with `usage` as its help text.
run_invocation parse_run_invocation(args words, const char* command, const char* usage);

/// Takes the run directory for this process before anything is written to it: creates it
/// for a new run, locks it (run_dir_lock), and for a new run checks again, under the lock,
/// that no other run has left checkpoints there. Throws std::runtime_error with the
/// problem (the command then exits 2).
run_dir_lock hold_run_dir(const std::filesystem::path& run_dir, bool resume,
                          const char* command);

/// For `--resume RUN_DIR`, before training starts: the newest valid checkpoint (where the
/// run continues) and a best one older than it (which the end of the run loads for its
/// test report, and which the resumed run does not write again) load and match `expect`,
/// and the run's config.ini, labels.txt and vocab.txt are those they were written with. Throws std::runtime_error with the problem and what to do (a
/// damaged best checkpoint used to be found only after the last step).
void check_resumable(const std::filesystem::path& run_dir,
                     const checkpoint::expected_layout& expect);

/// Waits until the job's supervisor actor ends (monitoring it): 0 when it ended normally,
/// else 1, with its error on stderr after "axon COMMAND: ". With `job_monitor`, its
/// console control requests go to the supervisor meanwhile.
int wait_for_supervisor(caf::scoped_actor& self, const caf::actor& supervisor,
                        const char* command, monitor::endpoint* job_monitor = nullptr);

} // namespace axon::app
