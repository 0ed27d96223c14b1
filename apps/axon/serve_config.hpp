// The settings of `axon serve`: the [serve], [monitor], [cluster] and [compute] keys of the config
// schema, placement.nodes and placement.devices (docs/config.md), read from `--config FILE`
// (a file of those keys) and `--group.key=value` flags, checked like any Axon config
// (types, ranges, unknown keys, the TLS rules), the placement of the serving graph's actors
// (replicas only, on nodes and devices; the batcher and KG service here, on the CPU), and
// the token file.
#pragma once

#include "actors/serve/messages.hpp"
#include "apps/axon/serve_request.hpp"
#include "runtime/config/cluster_settings.hpp"
#include "runtime/config/resolved_config.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>

namespace axon::app {

struct serve_settings {
  std::string bind = "127.0.0.1";
  int port = 8080;
  serve_batcher_setup batcher;
  request_limits limits;
  int http_threads = 8;
  std::chrono::milliseconds timeout{30000};
  std::string tls_certificate, tls_key; // HTTPS when set
  std::string token;                    // the token file's text, trimmed; empty: none
  std::chrono::milliseconds watch{0};   // serve.watch; 0: no polling
  std::chrono::milliseconds move_lost_after{30000}; // serve.move-lost-after; 0: never
  std::string ship_run = "auto";                  // serve.ship-run
  std::vector<replica_compute> replica_computes;  // per replica: placement.devices, compute.*
  std::string console_dir;              // serve.console-dir; empty: RUN_DIR/serve
  std::shared_ptr<const config::resolved_config> config; // every key (the [monitor] ones)
  // [cluster] and placement.nodes when some replica runs on a node process; else none.
  std::optional<cluster::cluster_settings> cluster;
};

/// The keys of a serving config as `axon node` reads it: `axon serve`'s, and train.threads
/// (the node's compute threads). A job's config holds [data] and [model] keys besides.
const config::schema& serving_node_schema();

/// The settings of `config_file` ("" for defaults) and `overrides`, or every error, one
/// per line, naming the file line or flag.
std::variant<serve_settings, std::string> load_serve_settings(const std::string& config_file,
                                                             std::span<const std::string> overrides);

} // namespace axon::app
