// job_monitor: the endpoint of a training job and the files that point to it.
#include "apps/axon/job_monitor.hpp"

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
  options.run_dir = run_dir.string();
  options.token = monitor::create_token_file(run_dir / "console.token");
  auto log_file = run_dir / "console.log";
  auto log = [log_file](const std::string& line) {
    std::cerr << line << '\n';
    std::ofstream{log_file, std::ios::app} << line << '\n';
  };
  auto endpoint = std::make_unique<monitor::endpoint>(options, monitor::process_probes(), log);
  const auto address = options.bind + ":" + std::to_string(endpoint->port());
  nlohmann::json info{{"address", address}, {"pid", ::getpid()}};
  if (endpoint->prometheus_port() >= 0)
    info["prometheus"] = options.bind + ":" + std::to_string(endpoint->prometheus_port());
  auto tmp = run_dir / "monitor.json.tmp";
  std::ofstream{tmp} << info.dump() << '\n';
  std::filesystem::rename(tmp, run_dir / "monitor.json");
  std::cerr << "monitor: axon console " << address << " (control: --run " << run_dir.string()
            << ")";
  if (info.contains("prometheus"))
    std::cerr << "; Prometheus: http://" << info["prometheus"].get<std::string>() << "/metrics";
  std::cerr << '\n';
  if (options.bind != "127.0.0.1")
    std::cerr << "monitor: listening on " << options.bind
              << ": anyone who can reach it can read the job's state, and control tokens "
                 "cross the network unencrypted (this endpoint has no TLS: prefer 127.0.0.1 "
                 "and an SSH tunnel)\n";
  return endpoint;
}

} // namespace axon::app
