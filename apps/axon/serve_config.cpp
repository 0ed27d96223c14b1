// The settings of `axon serve`: see serve_config.hpp.
#include "apps/axon/serve_config.hpp"

#include "ops/compute.hpp"
#include "runtime/config/cluster_settings.hpp"
#include "runtime/config/device_settings.hpp"
#include "runtime/config/graph_schema.hpp"
#include "runtime/config/load.hpp"
#include "runtime/data/labelled_data.hpp"

#include <fstream>
#include <sstream>

namespace axon::app {

namespace {

// The keys `axon serve` reads: [serve], [monitor], [cluster], [compute], placement.nodes
// and placement.devices.
bool serve_key(const std::string& key) {
  return key.starts_with("serve.") || key.starts_with("monitor.") || key.starts_with("cluster.")
         || key.starts_with("compute.") || key == "placement.nodes"
         || key == "placement.devices";
}

const config::schema& serve_schema() {
  static const config::schema instance = config::part_of_train_schema(serve_key);
  return instance;
}

// "" or what is wrong with placing the serving graph (the batcher, the KG service of a run
// with a KG and `replicas` replicas) by placement.nodes, placement.devices and compute.*;
// fills `computes` with where each replica computes.
std::string check_serve_placement(const config::resolved_config& cfg,
                                  const cluster::cluster_settings& cluster, int replicas,
                                  std::vector<replica_compute>& computes) {
  std::vector<std::string> actors{"batcher", "kg"};
  for (int r = 0; r < replicas; ++r)
    actors.push_back(replica_name(r));
  if (auto problem = cluster::check_placement(cluster, actors); !problem.empty())
    return problem;
  if (cluster.node_of("batcher") != cluster::local_node)
    return "placement.nodes puts the batcher on node " + cluster.node_of("batcher")
           + ": it runs in the serving process (with the HTTP front); place the replicas "
             "(replica0 .. replica" + std::to_string(replicas - 1) + ") and the kg only";
  // The entries parse and compute.* agree: the schema's rules checked them.
  const auto rules = config::device_rules_of(cfg);
  for (const std::string host_only : {"batcher", "kg"})
    if (auto where = config::device_of(rules, host_only); !where.is_cpu())
      return "placement.devices puts the " + host_only + " on " + where.to_string()
             + ": it runs on the CPU; put replicas on devices only (e.g. \"replica*=cuda:0\")";
  const std::string precision{ops::to_string(config::gemm_precision_of(cfg))};
  for (int r = 0; r < replicas; ++r) {
    const auto name = replica_name(r);
    const auto where = config::device_of(rules, name);
    // A device here is checked now (a node checks its own when it loads the replica).
    if (cluster.node_of(name) == cluster::local_node) {
      try {
        ops::check_device(where);
      } catch (const std::exception& e) {
        return "placement.devices puts " + name + " on " + where.to_string() + ": " + e.what();
      }
    }
    // compute.* apply on a device; the host computes f32 with the CPU's attention.
    computes.push_back(where.is_cpu() ? replica_compute{}
                                      : replica_compute{where.to_string(), precision,
                                                        cfg.get_string("compute.attention")});
  }
  return "";
}

} // namespace

const config::schema& serving_node_schema() {
  static const config::schema instance = config::part_of_train_schema(
    [](const std::string& key) { return serve_key(key) || key == "train.threads"; });
  return instance;
}

std::variant<serve_settings, std::string> load_serve_settings(const std::string& config_file,
                                                             std::span<const std::string> overrides) {
  auto loaded = config_file.empty()
                  ? config::load_config("", "(no --config)", overrides, serve_schema())
                  : config::load_config_file(config_file, overrides, serve_schema());
  if (!loaded.resolved)
    return loaded.error_text();
  const auto& cfg = *loaded.resolved;
  serve_settings s;
  s.bind = cfg.get_string("serve.bind");
  s.port = static_cast<int>(cfg.get_int("serve.port"));
  s.batcher.replicas = static_cast<std::int32_t>(cfg.get_int("serve.replicas"));
  s.batcher.max_batch = static_cast<std::int32_t>(cfg.get_int("serve.max-batch"));
  s.batcher.max_wait_us =
    std::chrono::duration_cast<std::chrono::microseconds>(cfg.get_timespan("serve.max-wait")).count();
  s.batcher.dispatch_when_idle = cfg.get_bool("serve.dispatch-when-idle");
  s.batcher.queue = static_cast<std::int32_t>(cfg.get_int("serve.queue"));
  s.limits.max_texts = static_cast<std::size_t>(cfg.get_int("serve.max-texts"));
  s.limits.max_text_bytes = static_cast<std::size_t>(cfg.get_int("serve.max-text-bytes"));
  s.http_threads = static_cast<int>(cfg.get_int("serve.http-threads"));
  s.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(cfg.get_timespan("serve.timeout"));
  s.watch = std::chrono::duration_cast<std::chrono::milliseconds>(cfg.get_timespan("serve.watch"));
  s.ship_run = cfg.get_string("serve.ship-run");
  s.move_lost_after =
    std::chrono::duration_cast<std::chrono::milliseconds>(cfg.get_timespan("serve.move-lost-after"));
  s.console_dir = cfg.get_string("serve.console-dir");
  s.config = std::make_shared<const config::resolved_config>(cfg);
  auto cluster = cluster::cluster_settings_of(cfg);
  if (auto problem = check_serve_placement(cfg, cluster, s.batcher.replicas, s.replica_computes);
      !problem.empty())
    return problem;
  if (cluster.distributed())
    s.cluster = std::move(cluster);
  s.tls_certificate = cfg.get_string("serve.tls-certificate");
  s.tls_key = cfg.get_string("serve.tls-key");
  if (const auto& file = cfg.get_string("serve.token-file"); !file.empty()) {
    std::ifstream in{file};
    std::stringstream text;
    text << in.rdbuf();
    s.token = std::string{data::trim(text.str())};
    if (!in.is_open() || s.token.empty())
      return "serve.token-file = " + file + ": cannot read a token from it (a file holding one "
             "line, the token)";
  }
  return s;
}

} // namespace axon::app
