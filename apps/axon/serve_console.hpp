// serve_console: `axon serve` under `axon console`, like a training job
// (docs/serving.md, docs/console.md). The [monitor] keys start the same inspection
// endpoint, which shows the serving graph's actors (the batcher with its queue depth and
// batch sizes, the replicas), its edges and their rates; monitor.json and console.token go
// to serve.console-dir (RUN_DIR/serve by default: the run's own monitor.json belongs to
// its training job). Control: `set serve.max-wait 5ms` and `set serve.max-batch N` change
// the batcher from its next batch; `stop` stops the service as SIGTERM does; pause,
// resume and checkpoint are training's and are refused.
#pragma once

#include "apps/axon/serve_config.hpp"
#include "runtime/monitor/endpoint.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include <memory>
#include <string>

namespace axon::app {

/// The endpoint, or null when monitor.port is -1, or when the default folder cannot be
/// written (then a warning says so and the service runs without a console). Throws
/// std::runtime_error when a port cannot be bound or an explicit serve.console-dir cannot
/// be written.
std::unique_ptr<monitor::endpoint> start_serve_monitor(const serve_settings& settings,
                                                       const std::string& run_dir);

/// The endpoint's control requests, carried to `batcher` (set) or to this process (stop).
monitor::control_fn serve_control(caf::actor_system& system, caf::actor batcher);

} // namespace axon::app
