// `axon node --config FILE --name NAME [--join] [--group.key=value ...]`: a node process serving
// Axon's modules, training's actors and `axon serve`'s replicas
// (actors/cluster/node_process.hpp: what it reads, prints and when it ends). Exit 2: bad
// config, NAME not in cluster.nodes, bad TLS files, address in use. With --join, once it
// listens it asks the running job of FILE's train.run-dir to take it in (the protocol's
// join op, with the run's control token; docs/elastic.md): exit 1 when the job refuses.
#include "apps/axon/commands.hpp"
#include "apps/axon/console_connection.hpp"
#include "apps/axon/cpu_kernels_log.hpp"
#include "apps/axon/flags.hpp"
#include "apps/axon/serve_config.hpp"
#include "apps/axon/serve_run_model.hpp"

#include "actors/cluster/node_process.hpp"
#include "actors/modules.hpp"
#include "runtime/config/load.hpp"

#include <chrono>
#include <filesystem>
#include <iostream>
#include <string_view>
#include <thread>

namespace axon::app {

namespace {

constexpr const char* usage =
  "axon node --config FILE --name NAME [--group.key=value ...]\n"
  "Runs the node process NAME of FILE's cluster.nodes: it listens on cluster.bind at NAME's\n"
  "port and hosts the actors that `axon train` and `axon serve` place on it\n"
  "(docs/cluster.md, docs/serving.md), until SIGINT or SIGTERM. --join: first ask the job\n"
  "running in train.run-dir (placement.elastic) to take this node in (docs/elastic.md).";

// --join: the join op to the endpoint of the job in cfg's train.run-dir, with its token.
bool announce(const config::resolved_config& cfg, const std::string& name) {
  const auto run_dir = cfg.get_string("train.run-dir");
  const auto within = std::chrono::duration_cast<std::chrono::milliseconds>(
    cfg.get_timespan("cluster.elastic-timeout"));
  try {
    auto endpoint = read_run_endpoint(run_dir);
    if (endpoint.tls)
      throw std::runtime_error("the job's endpoint speaks TLS only, which --join does not");
    if (endpoint.token.empty())
      throw std::runtime_error("no console.token in " + run_dir + " to authorise the join");
    console_connection job{endpoint.address, endpoint.token, within};
    // Another control request under way (another node joining) answers "busy": again.
    for (const auto until = std::chrono::steady_clock::now() + within;;) {
      try {
        std::cout << job.call("join", {{"node", name}}).get<std::string>() << std::endl;
        return true;
      } catch (const refused_error& e) {
        const bool busy = std::string_view{e.what()}.starts_with("busy");
        if (!busy || std::chrono::steady_clock::now() > until)
          throw;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  } catch (const std::exception& e) {
    std::cerr << "axon node: --join " << run_dir << ": " << e.what() << '\n';
    return false;
  }
}

} // namespace

int node(args words) {
  node_options options;
  flag_parser flags{usage};
  flags.add("config", &options.config_file, "the cluster's config file (its [cluster] section)");
  flags.add("name", &options.name, "this node's name in cluster.nodes");
  bool join = false;
  flags.add("join", &join, "join the job running in train.run-dir once listening");
  flags.accept_config_overrides(&options.overrides);
  if (auto status = flags.parse(words))
    return *status;
  if (options.config_file.empty() || options.name.empty()) {
    std::cerr << "axon node: give --config FILE and --name NAME\n";
    flags.print_help(std::cerr);
    return 2;
  }
  // A serving config (docs/serving.md: [serve] and [cluster], no [data]) is read with its
  // own keys; any other as a job's config, whose errors are reported.
  std::string cache; // serve.node-cache: where runs shipped here are copied
  if (auto serving = config::load_config_file(options.config_file, options.overrides,
                                              serving_node_schema());
      serving.resolved) {
    options.keys = &serving_node_schema();
    cache = serving.resolved->get_string("serve.node-cache");
  }
  if (cache.empty())
    cache = (std::filesystem::temp_directory_path() / ("axon-node-" + options.name)).string();
  if (join && options.keys != nullptr) {
    std::cerr << "axon node: --join takes a training job's config (train.run-dir), not a "
                 "serving one\n";
    return 2;
  }
  if (join)
    options.on_listening = [name = options.name](const config::resolved_config& cfg) {
      return announce(cfg, name);
    };
  auto modules = axon_modules();
  // `axon serve`'s replicas placed here load the run themselves (node_replica.hpp).
  modules.add_kind("serve.replica",
                   node_replica_factory(node_model_loader(), cache, std::chrono::seconds{60}));
  return run_node(options, modules, [](const config::resolved_config&) {
    return choose_cpu_kernels("axon node", kernel_log::summary);
  });
}

} // namespace axon::app
