// `axon node --config FILE --name NAME [--group.key=value ...]`: a node process. It reads
// the [cluster] section of FILE (every other key is validated too and train.threads sets
// its compute threads), listens on cluster.bind at NAME's port (TLS when configured;
// anything but loopback requires it), prints `node NAME listening on HOST:PORT` once
// ready, and hosts the actors that coordinators place on it until SIGINT or SIGTERM.
// Exit 2: bad config, NAME not in cluster.nodes, bad TLS files, address in use.
#include "actors/actor_error.hpp"
#include "apps/axon/commands.hpp"
#include "apps/axon/cpu_kernels_log.hpp"
#include "apps/axon/flags.hpp"
#include "apps/axon/job_config.hpp"

#include "actors/capped_transport.hpp"
#include "actors/node_manager_actor.hpp"
#include "actors/system_config.hpp"
#include "actors/tls_roles.hpp"
#include "actors/wire_sink_actor.hpp"
#include "graphs/bert/bert_graph.hpp"
#include "runtime/compute_pool.hpp"
#include "runtime/config/load.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/openssl/all.hpp>

#include <csignal>
#include <iostream>

namespace axon::app {

namespace {

constexpr const char* usage =
  "axon node --config FILE --name NAME [--group.key=value ...]\n"
  "Runs the node process NAME of FILE's cluster.nodes: it listens on cluster.bind at NAME's\n"
  "port and hosts the actors that `axon train` places on it (docs/cluster.md), until\n"
  "SIGINT or SIGTERM.";

std::string node_names(const cluster::cluster_settings& settings) {
  std::string names;
  for (const auto& n : settings.nodes)
    names += (names.empty() ? "" : ", ") + n.name;
  return names.empty() ? "none" : names;
}

} // namespace

int node(args words) {
  std::string config_file, name;
  std::vector<std::string> overrides;
  flag_parser flags{usage};
  flags.add("config", &config_file, "the cluster's config file (its [cluster] section)");
  flags.add("name", &name, "this node's name in cluster.nodes");
  flags.accept_config_overrides(&overrides);
  if (auto status = flags.parse(words))
    return *status;
  if (config_file.empty() || name.empty()) {
    std::cerr << "axon node: give --config FILE and --name NAME\n";
    flags.print_help(std::cerr);
    return 2;
  }
  auto loaded = config::load_config_file(config_file, overrides);
  if (!loaded.resolved) {
    std::cerr << loaded.error_text();
    return 2;
  }
  const auto& cfg = *loaded.resolved;
  const auto settings = cluster::cluster_settings_of(cfg);
  const auto* self_address = settings.find(name);
  if (self_address == nullptr) {
    std::cerr << "axon node: " << name << " is not in cluster.nodes of " << config_file
              << " (nodes: " << node_names(settings) << ")\n";
    return 2;
  }
  if (auto problem = prepare_tls(settings.tls, tls_role::node); !problem.empty()) {
    std::cerr << "axon node: " << problem << '\n';
    return 2;
  }
  // SIGINT/SIGTERM are taken by sigwait below: block them before any thread starts, so
  // that every thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  const int threads = compute_threads(cfg);
  if (!choose_cpu_kernels("axon node", kernel_log::summary))
    return 2;
  set_process_compute_threads(threads);
  system_config sys_cfg{threads, &settings};
  caf::actor_system sys{sys_cfg};
  auto kinds = bert::kinds();
  kinds.insert(wire_sink_kind());
  auto manager = spawn_node_manager(sys, name, std::move(kinds));
  const auto& bind = settings.bind;
  // SO_REUSEADDR: a node restarted after a crash gets its port back at once, while
  // connections of its previous process linger in TIME_WAIT; a second live listener on the
  // port is still refused.
  const bool reuse_address = true;
  // Through the capped middleman (actors/capped_transport.hpp): cluster.max-message-mb.
  auto middleman = spawn_capped_middleman(
    sys, cluster_message_cap(settings, "[node " + name + "] "), settings.tls.enabled());
  auto port = publish_capped(sys, middleman, manager, self_address->port, bind, reuse_address);
  if (!port) {
    std::cerr << "axon node: cannot listen on " << settings.bind << ":" << self_address->port
              << " (" << error_text(port.error())
              << "): is the port in use, or the address not on this machine?\n";
    caf::anon_send_exit(manager, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(middleman, caf::exit_reason::user_shutdown);
    return 2;
  }
  std::cout << "node " << name << " listening on " << settings.bind << ":" << *port
            << std::endl;
  std::cerr << "[node " << name << "] "
            << (settings.tls.enabled() ? "TLS with mutual authentication (CA " + settings.tls.ca + ")"
                                       : std::string{"plain TCP (loopback only)"})
            << std::endl;
  int signal = 0;
  sigwait(&stop_signals, &signal);
  std::cerr << "[node " << name << "] stopping (" << (signal == SIGINT ? "SIGINT" : "SIGTERM")
            << ")" << std::endl;
  caf::anon_send(middleman, caf::unpublish_atom::value, manager.address(), *port);
  caf::anon_send_exit(manager, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(middleman, caf::exit_reason::user_shutdown);
  return 0;
}

} // namespace axon::app
