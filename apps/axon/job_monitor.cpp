// job_monitor: the endpoint of a training job and the files that point to it.
#include "apps/axon/job_monitor.hpp"

#include "runtime/config/cluster_settings.hpp"
#include "runtime/monitor/control_token.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <unistd.h>

namespace axon::app {

std::unique_ptr<monitor::endpoint> start_job_monitor(const config::resolved_config& cfg,
                                                     const std::filesystem::path& run_dir) {
  const auto port = cfg.get_int("monitor.port");
  monitor::process_probes().set_enabled(port >= 0);
  if (port < 0)
    return nullptr;
  monitor::endpoint_options options;
  options.bind = cfg.get_string("monitor.bind");
  options.port = static_cast<int>(port);
  options.prometheus_port = static_cast<int>(cfg.get_int("monitor.prometheus-port"));
  options.prometheus_bind = cfg.get_string("monitor.prometheus-bind");
  options.tls = {cfg.get_string("monitor.tls-certificate"), cfg.get_string("monitor.tls-key"),
                 cfg.get_string("monitor.tls-ca")};
  using std::chrono::duration_cast, std::chrono::milliseconds;
  options.limits = {static_cast<std::size_t>(cfg.get_int("monitor.max-connections")),
                    static_cast<std::size_t>(cfg.get_int("monitor.max-connections-per-client")),
                    duration_cast<milliseconds>(cfg.get_timespan("monitor.frame-timeout")),
                    duration_cast<milliseconds>(cfg.get_timespan("monitor.idle-timeout"))};
  options.run_dir = run_dir.string();
  options.token = monitor::create_token_file(run_dir / "console.token");
  auto log_file = run_dir / "console.log";
  auto log = [log_file](const std::string& line) {
    std::cerr << line << '\n';
    std::ofstream{log_file, std::ios::app} << line << '\n';
  };
  auto endpoint = std::make_unique<monitor::endpoint>(options, monitor::process_probes(), log);
  const auto address = options.bind + ":" + std::to_string(endpoint->port());
  nlohmann::json info{{"address", address}, {"pid", ::getpid()}, {"tls", options.tls.enabled()}};
  const auto& prometheus_bind = options.prometheus_bind.empty() ? options.bind
                                                                 : options.prometheus_bind;
  if (endpoint->prometheus_port() >= 0)
    info["prometheus"] = prometheus_bind + ":" + std::to_string(endpoint->prometheus_port());
  auto tmp = run_dir / "monitor.json.tmp";
  std::ofstream{tmp} << info.dump() << '\n';
  std::filesystem::rename(tmp, run_dir / "monitor.json");
  std::cerr << "monitor: axon console " << address << " (control: --run " << run_dir.string()
            << ")";
  if (info.contains("prometheus"))
    std::cerr << "; Prometheus: http://" << info["prometheus"].get<std::string>() << "/metrics";
  std::cerr << '\n';
  if (endpoint->prometheus_port() >= 0 && !cluster::is_loopback(prometheus_bind))
    std::cerr << "monitor: Prometheus metrics are served in clear on " << prometheus_bind
              << " (metrics only, read-only)\n";
  return endpoint;
}

} // namespace axon::app
