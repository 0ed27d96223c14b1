// A node process: it reads the [cluster] section of a config file (every other key is
// validated too, and train.threads sets its compute threads), listens on cluster.bind at
// its node's port (TLS when configured; anything but loopback requires it), prints
// `node NAME listening on HOST:PORT` once ready, and hosts the actors that coordinators
// place on it (the kinds of its registry) until SIGINT or SIGTERM. On either signal it first
// asks the coordinators with a session here to retire the actors they placed here (a job
// with placement.elastic shrinks between steps; docs/elastic.md), waiting at most
// cluster.elastic-timeout, then exits 0.
//
// `axon node` is one (with Axon's modules); a user's program serving its own graph's
// kinds is another, with one call from its main:
//
//   int main(int argc, char** argv) {
//     axon::registry modules;
//     modules.add_types<caf::id_block::my_graph>("my_graph");
//     modules.add_kind("my.partition", axon::factory_of<partition_setup>(spawn_partition));
//     return axon::node_main(argc, argv, modules); // PROGRAM --config FILE --name NAME
//   }
#pragma once

#include "runtime/config/resolved_config.hpp"
#include "runtime/config/schema.hpp"
#include "runtime/graph/registry.hpp"

#include <functional>
#include <string>
#include <vector>

namespace axon {

struct node_options {
  std::string config_file, name;
  std::vector<std::string> overrides; // "--group.key=value"
  std::string program = "axon node";  // for messages
  const config::schema* keys = nullptr; // the config's schema; null: train_schema()
  /// Runs once the node listens (`axon node --join`: announce it to the running job);
  /// false: the node stops with exit 1, having said why.
  std::function<bool(const config::resolved_config&)> on_listening;
};

/// Runs the node until SIGINT or SIGTERM. Returns the exit code: 0, or 2 for a bad
/// config, a name not in cluster.nodes, bad TLS files or an address in use (said on
/// stderr). `prepare` runs once the config is read, before any thread starts (false:
/// exit 2, having said why).
int run_node(const node_options& options, const registry& modules,
             const std::function<bool(const config::resolved_config&)>& prepare = {});

/// A user's program as a node process: `PROGRAM --config FILE --name NAME
/// [--group.key=value ...]` (--help prints the usage), FILE read with graph_schema()
/// ([cluster], placement.nodes, train.threads). Returns the exit code.
int node_main(int argc, char** argv, const registry& modules);

} // namespace axon
