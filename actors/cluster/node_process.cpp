// node process: see node_process.hpp.
#include "actors/cluster/node_process.hpp"

#include "actors/cluster/atoms.hpp"
#include "actors/cluster/node_manager_actor.hpp"
#include "actors/cluster/system_config.hpp"
#include "actors/cluster/capped_transport.hpp"
#include "actors/cluster/tls_roles.hpp"
#include "runtime/compute_pool.hpp"
#include "runtime/config/compute_threads.hpp"
#include "runtime/config/graph_schema.hpp"
#include "runtime/config/load.hpp"
#include "runtime/graph/error.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <csignal>
#include <iostream>
#include <string_view>

namespace axon {

namespace {

// Asks the coordinators with a session here to retire their actors here first (the node
// manager's leave_atom), so that an elastic job shrinks instead of recovering; `within`
// bounds the wait (cluster.elastic-timeout).
void hand_back(caf::actor_system& sys, const caf::actor& manager, const std::string& name,
               std::chrono::milliseconds within) {
  caf::scoped_actor self{sys};
  auto say = [&](const std::string& text) {
    std::cerr << "[node " << name << "] " << text << std::endl;
  };
  // The manager's own requests end within `within`; one more second for its answer.
  self->request(manager, within + std::chrono::seconds(1), leave_atom::value,
                caf::timespan{within})
    .receive([&](const std::string& said) { say(said); },
             [&](caf::error& err) { say("no answer from the job: " + error_text(err)); });
}

} // namespace

int run_node(const node_options& options, const registry& modules,
             const std::function<bool(const config::resolved_config&)>& prepare) {
  const auto& name = options.name;
  auto loaded = options.keys != nullptr
                  ? config::load_config_file(options.config_file, options.overrides, *options.keys)
                  : config::load_config_file(options.config_file, options.overrides);
  if (!loaded.resolved) {
    std::cerr << loaded.error_text();
    return 2;
  }
  const auto& cfg = *loaded.resolved;
  const auto settings = cluster::cluster_settings_of(cfg);
  const auto* self_address = settings.find(name);
  if (self_address == nullptr) {
    std::cerr << options.program << ": " << name << " is not in cluster.nodes of "
              << options.config_file << " (nodes: " << settings.node_names() << ")\n";
    return 2;
  }
  if (auto problem = prepare_tls(settings.tls, tls_role::node); !problem.empty()) {
    std::cerr << options.program << ": " << problem << '\n';
    return 2;
  }
  // SIGINT/SIGTERM are taken by sigwait below: block them before any thread starts, so
  // that every thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  if (prepare && !prepare(cfg))
    return 2;
  const int threads = config::compute_threads(cfg);
  set_process_compute_threads(threads);
  system_config sys_cfg{modules, threads, &settings};
  caf::actor_system sys{sys_cfg};
  auto manager = spawn_node_manager(sys, name, modules);
  const auto& bind = settings.bind;
  // SO_REUSEADDR: a node restarted after a crash gets its port back at once, while
  // connections of its previous process linger in TIME_WAIT; a second live listener on the
  // port is still refused.
  const bool reuse_address = true;
  // Through the capped middleman (capped_transport.hpp): cluster.max-message-mb.
  auto middleman = spawn_capped_middleman(
    sys, cluster_message_cap(settings, "[node " + name + "] "), settings.tls.enabled());
  auto port = publish_capped(sys, middleman, manager, self_address->port, bind, reuse_address);
  if (!port) {
    std::cerr << options.program << ": cannot listen on " << settings.bind << ":"
              << self_address->port << " (" << error_text(port.error())
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
  int status = 0;
  if (options.on_listening && !options.on_listening(cfg)) {
    status = 1;
  } else {
    int signal = 0;
    sigwait(&stop_signals, &signal);
    std::cerr << "[node " << name << "] stopping (" << (signal == SIGINT ? "SIGINT" : "SIGTERM")
              << ")" << std::endl;
    hand_back(sys, manager, name, settings.elastic_timeout);
  }
  caf::anon_send(middleman, caf::unpublish_atom::value, manager.address(), *port);
  caf::anon_send_exit(manager, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(middleman, caf::exit_reason::user_shutdown);
  return status;
}

int node_main(int argc, char** argv, const registry& modules) {
  node_options options;
  options.program = argc > 0 ? argv[0] : "node";
  options.keys = &config::graph_schema();
  const std::string usage = "usage: " + options.program
                            + " --config FILE --name NAME [--group.key=value ...]\n"
                              "Runs node NAME of FILE's cluster.nodes, serving the kinds: ";
  auto print_usage = [&](std::ostream& out) {
    out << usage;
    std::string kinds;
    for (const auto& [kind, factory] : modules.kinds())
      kinds += (kinds.empty() ? "" : ", ") + kind;
    out << (kinds.empty() ? "none" : kinds) << '\n';
  };
  for (int k = 1; k < argc; ++k) {
    std::string_view arg = argv[k];
    auto value_of = [&](std::string_view flag, std::string& out) {
      if (arg == flag && k + 1 < argc) {
        out = argv[++k];
        return true;
      }
      if (arg.starts_with(std::string{flag} + "=")) {
        out = std::string{arg.substr(flag.size() + 1)};
        return true;
      }
      return false;
    };
    if (arg == "--help" || arg == "-h") {
      print_usage(std::cout);
      return 0;
    }
    if (value_of("--config", options.config_file) || value_of("--name", options.name))
      continue;
    if (arg.starts_with("--") && arg.find('=') != std::string_view::npos) {
      options.overrides.emplace_back(arg);
      continue;
    }
    std::cerr << options.program << ": unknown argument '" << arg << "'\n";
    print_usage(std::cerr);
    return 2;
  }
  if (options.config_file.empty() || options.name.empty()) {
    std::cerr << options.program << ": give --config FILE and --name NAME\n";
    print_usage(std::cerr);
    return 2;
  }
  return run_node(options, modules);
}

} // namespace axon
