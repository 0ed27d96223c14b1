// What a config's [cluster] and placement.nodes keys say, parsed and checked: the node
// processes (name, host, port), where node processes listen, liveness timing, TLS files,
// and which graph nodes (actors) run on which node process. No CAF here.
//
//   [cluster]
//   nodes = ["worker1=127.0.0.1:7101", "worker2=127.0.0.1:7102"]
//   [placement]
//   nodes = ["shard0*=worker1", "shard1*=worker2"]   ; first matching pattern wins
#pragma once

#include "runtime/config/resolved_config.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace axon::cluster {

/// The process that runs `axon train` (coordinator, supervisor, loader) in placements.
inline constexpr std::string_view local_node = "local";

struct node_address {
  std::string name, host;
  std::uint16_t port = 0;
  std::string endpoint() const { return host + ":" + std::to_string(port); }
};

/// TLS is on when all three are set (mutual authentication: every process presents a
/// certificate signed by `ca` and checks the peer's against it).
struct tls_files {
  std::string certificate, key, ca;
  bool enabled() const { return !certificate.empty(); }
};

struct placement_rule {
  std::string pattern; // glob over graph node names: * any run, ? one character
  std::string node;    // a cluster node's name, or "local"
};

struct cluster_settings {
  std::vector<node_address> nodes;
  std::string bind = "127.0.0.1"; // the address node processes listen on
  std::chrono::milliseconds heartbeat{500}, timeout{5000};
  std::chrono::milliseconds elastic_timeout{60000}; // a node joining or leaving waits this long
  // placement.elastic (set by the job, not read here): nodes absent at the start are not
  // required, and rules naming a node that is not connected are skipped.
  bool elastic = false;
  tls_files tls;
  std::size_t max_message_bytes = std::size_t{1024} << 20; // cluster.max-message-mb
  std::vector<placement_rule> placement;

  const node_address* find(std::string_view name) const;
  /// "worker1, worker2", or "none": the node names, for messages.
  std::string node_names() const;
  /// The node process of a graph node: the first rule whose pattern matches, else "local".
  const std::string& node_of(std::string_view graph_node) const;
  /// As node_of, over the rules whose node `present` accepts ("local" always is): with
  /// placement.elastic, the rules naming a node that is not connected are skipped.
  const std::string& node_of(std::string_view graph_node,
                             const std::function<bool(const std::string&)>& present) const;
  /// Whether any graph node is placed on a node process.
  bool distributed() const { return !placement.empty(); }
};

/// "NAME=HOST:PORT" (cluster.nodes), or the problem.
std::optional<node_address> parse_node_entry(std::string_view entry, std::string& problem);
/// "PATTERN=NODE" (placement.nodes), or the problem.
std::optional<placement_rule> parse_placement_rule(std::string_view entry, std::string& problem);
/// Glob match: '*' any run of characters, '?' one character.
bool glob_match(std::string_view pattern, std::string_view text);
/// Whether every address `host` resolves to is a loopback address (127.0.0.0/8, ::1):
/// "localhost" is, "127.evil.example.com" (no such name, or a public one) is not.
bool is_loopback(std::string_view host);

/// The cluster keys of a validated config (the schema's rules have checked them).
cluster_settings cluster_settings_of(const config::resolved_config& cfg);

/// "" or the problem with the cluster keys: entries that do not parse, duplicate or
/// reserved names, placement naming an unknown node, partial TLS files, a non-loopback
/// address without TLS, heartbeat not below timeout. Used by the config's rules.
std::string check_cluster_keys(const config::resolved_config& cfg);

/// "" or the graph nodes' problem: a placement rule that matches none of `graph_nodes`
/// (a typo would otherwise silently leave actors local).
std::string check_placement(const cluster_settings& settings,
                            const std::vector<std::string>& graph_nodes);

} // namespace axon::cluster
