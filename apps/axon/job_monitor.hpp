// job_monitor: starts the inspection endpoint of an `axon train` job from its [monitor]
// keys: writes the control token (RUN_DIR/console.token, mode 0600), listens, and writes
// RUN_DIR/monitor.json ({"address", "prometheus", "pid"}) so that `axon console --run
// RUN_DIR` finds the job. Refused control attempts go to stderr and RUN_DIR/console.log.
#pragma once

#include "runtime/config/resolved_config.hpp"
#include "runtime/monitor/endpoint.hpp"

#include <filesystem>
#include <memory>

namespace axon::app {

/// Null when monitor.port is -1 (then no probes are kept either). Throws
/// std::runtime_error when a port cannot be bound or a file cannot be written.
std::unique_ptr<monitor::endpoint> start_job_monitor(const config::resolved_config& cfg,
                                                     const std::filesystem::path& run_dir);

} // namespace axon::app
