// `axon bench wire --config FILE --node NAME`: how fast tensors cross the process boundary.
// Places a wire sink actor (actors/wire_sink_actor) on the running node process NAME of
// FILE's cluster, sends it f32 tensors of --mib MiB, keeping --window of them in flight
// (each is acknowledged with its size), and reports GB/s (10^9 bytes per second) of
// payload per timed round, the median over --repeats rounds. The same path as training
// messages: CAF's middleman, BASP over TCP (TLS when configured), the tensor written as
// one raw byte block (actors/tensor_inspect.hpp). One JSON object on stdout.
#include "apps/axon/commands.hpp"
#include "apps/axon/flags.hpp"
#include "apps/axon/median.hpp"

#include "runtime/graph/error.hpp"
#include "actors/cluster/cluster_connection.hpp"
#include "actors/bert/messages.hpp"
#include "actors/cluster/system_config.hpp"
#include "actors/modules.hpp"
#include "actors/cluster/tls_check.hpp"
#include "runtime/config/load.hpp"
#include "runtime/random_fill.hpp"

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>

namespace axon::app {

int bench_wire(args words) {
  std::string config_file, node;
  int mib = 4, messages = 100, window = 4, repeats = 5;
  flag_parser flags{"axon bench wire --config FILE --node NAME [FLAGS]"};
  flags.add("config", &config_file, "config whose [cluster] lists the node (required)");
  flags.add("node", &node, "name of a running `axon node` of that cluster (required)");
  flags.add("mib", &mib, "payload of each message in MiB (f32 tensor)");
  flags.add("messages", &messages, "messages per timed round");
  flags.add("window", &window, "messages in flight (sent before their acknowledgement)");
  flags.add("repeats", &repeats, "timed rounds after one warm-up round; the median is reported");
  std::vector<std::string> overrides; // e.g. this process's --cluster.tls-certificate=...
  flags.accept_config_overrides(&overrides);
  if (auto status = flags.parse(words))
    return *status;
  if (config_file.empty() || node.empty() || mib < 1 || messages < 1 || window < 1
      || repeats < 1) {
    std::cerr << "axon bench wire: give --config and --node; --mib, --messages, --window and "
                 "--repeats must be >= 1\n";
    return 2;
  }
  auto loaded = config::load_config_file(config_file, overrides);
  if (!loaded.resolved) {
    std::cerr << loaded.error_text();
    return 2;
  }
  auto settings = cluster::cluster_settings_of(*loaded.resolved);
  if (settings.find(node) == nullptr) {
    std::cerr << "axon bench wire: node " << node << " is not in cluster.nodes of "
              << config_file << '\n';
    return 2;
  }
  if (auto problem = check_tls_files(settings.tls); !problem.empty()) {
    std::cerr << "axon bench wire: " << problem << '\n';
    return 2;
  }
  settings.placement = {{"wire.sink", node}};
  const auto modules = axon_modules();
  system_config sys_cfg{modules, 1, &settings};
  caf::actor_system sys{sys_cfg};
  auto connection = cluster_connection::open(sys, settings, modules);
  if (!connection) {
    std::cerr << "axon bench wire: " << error_text(connection.error()) << '\n';
    return 2;
  }
  auto sink = (*connection)->spawn({"wire.sink", "axon.wire.sink", {}, node});
  if (!sink) {
    std::cerr << "axon bench wire: " << error_text(sink.error()) << '\n';
    return 2;
  }
  auto payload = tensor::empty({std::int64_t{mib} << 18}); // 2^18 floats = 1 MiB
  fill_normal(payload, 0, 1, 0, 0);
  caf::scoped_actor self{sys};
  std::string failure;
  // One round: `messages` sends with at most `window` unacknowledged.
  auto round = [&] {
    int sent = 0, acked = 0;
    for (; sent < std::min(window, messages); ++sent)
      self->send(*sink, payload);
    while (acked < messages && failure.empty())
      self->receive(
        [&](std::int64_t bytes) {
          ++acked;
          if (bytes != static_cast<std::int64_t>(payload.nbytes()))
            failure = "the sink received " + std::to_string(bytes) + " bytes, not "
                      + std::to_string(payload.nbytes());
          if (sent < messages) {
            self->send(*sink, payload);
            ++sent;
          }
        },
        caf::after(settings.timeout) >> [&] { failure = "no acknowledgement within cluster.timeout"; });
  };
  round(); // warm-up: connection buffers, allocator
  std::vector<double> rates;
  for (int r = 0; r < repeats && failure.empty(); ++r) {
    auto t0 = std::chrono::steady_clock::now();
    round();
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    rates.push_back(double(payload.nbytes()) * messages / seconds / 1e9);
    std::cerr << "round " << r + 1 << ": " << rates.back() << " GB/s\n";
  }
  caf::anon_send_exit(*sink, caf::exit_reason::user_shutdown);
  connection->reset();
  if (!failure.empty()) {
    std::cerr << "axon bench wire: " << failure << '\n';
    return 1;
  }
  nlohmann::json out{{"bench", "wire"},       {"node", node},
                     {"tls", settings.tls.enabled()}, {"mib", mib},
                     {"messages", messages},  {"window", window},
                     {"gb_per_s_median", median(rates)}, {"gb_per_s", rates}};
  std::cout << out.dump() << std::endl;
  return 0;
}

} // namespace axon::app
