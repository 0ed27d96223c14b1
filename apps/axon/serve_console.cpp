// serve_console: see serve_console.hpp.
#include "apps/axon/serve_console.hpp"

#include "actors/serve/messages.hpp"
#include "apps/axon/job_monitor.hpp"
#include "runtime/config/values.hpp"
#include "runtime/graph/error.hpp"

#include <caf/all.hpp>

#include <csignal>
#include <filesystem>
#include <iostream>
#include <unistd.h>

namespace axon::app {

namespace fs = std::filesystem;

std::unique_ptr<monitor::endpoint> start_serve_monitor(const serve_settings& settings,
                                                       const std::string& run_dir) {
  if (settings.config->get_int("monitor.port") < 0) {
    monitor::process_probes().set_enabled(false);
    return nullptr;
  }
  const bool chosen = !settings.console_dir.empty();
  const fs::path dir = chosen ? fs::path{settings.console_dir} : fs::path{run_dir} / "serve";
  std::error_code error;
  fs::create_directories(dir, error);
  if (!error && ::access(dir.c_str(), W_OK) != 0)
    error = std::make_error_code(std::errc::permission_denied);
  if (error) {
    const auto why = "cannot write " + dir.string() + " (" + error.message() + ")";
    if (chosen)
      throw std::runtime_error("serve.console-dir: " + why);
    std::cerr << "axon serve: no console endpoint: " << why
              << "; set serve.console-dir to a folder it may write, or --monitor.port=-1\n";
    monitor::process_probes().set_enabled(false);
    return nullptr;
  }
  return start_job_monitor(*settings.config, dir);
}

namespace {

nlohmann::json refused(const std::string& why) {
  return {{"ok", false}, {"error", why}};
}

// The batcher's answer to a setting.
nlohmann::json ask_batcher(caf::actor_system& system, const caf::actor& batcher,
                           msg::batcher_setting setting) {
  nlohmann::json reply;
  caf::scoped_actor self{system};
  self->request(batcher, std::chrono::seconds{10}, std::move(setting))
    .receive([&](const std::string& text) { reply = {{"ok", true}, {"result", text}}; },
             [&](caf::error& err) { reply = refused(error_text(err)); });
  return reply;
}

nlohmann::json set(caf::actor_system& system, const caf::actor& batcher,
                   const nlohmann::json& request) {
  auto key = request.value("key", nlohmann::json{});
  auto value = request.value("value", nlohmann::json{});
  if (!key.is_string())
    return refused("set needs \"key\" (a string) and \"value\"");
  const auto name = key.get<std::string>();
  if (name == "serve.max-wait") {
    auto span = value.is_string() ? config::parse_timespan(value.get<std::string>()) : std::nullopt;
    if (!span)
      return refused("serve.max-wait takes a time with its unit in [0s, 10s], e.g. 5ms");
    return ask_batcher(system, batcher,
                       {name, std::chrono::duration_cast<std::chrono::microseconds>(*span).count()});
  }
  if (name == "serve.max-batch") {
    std::optional<std::int64_t> n;
    if (value.is_number_integer())
      n = value.get<std::int64_t>();
    else if (value.is_number_float() && value.get<double>() == double(std::int64_t(value.get<double>())))
      n = std::int64_t(value.get<double>());
    else if (value.is_string())
      n = config::parse_int(value.get<std::string>());
    if (!n)
      return refused("serve.max-batch takes a whole number in [1, 4096]");
    return ask_batcher(system, batcher, {name, *n});
  }
  return refused("only serve.max-wait and serve.max-batch can be set while serving, not " + name);
}

} // namespace

monitor::control_fn serve_control(caf::actor_system& system, caf::actor batcher) {
  return [&system, batcher](const nlohmann::json& request) -> nlohmann::json {
    const auto op = request.at("op").get<std::string>();
    if (op == "set")
      return set(system, batcher, request);
    if (op == "stop") {
      ::kill(::getpid(), SIGTERM); // taken by axon serve's sigwait: the usual clean stop
      return {{"ok", true}, {"result", "stopping the service"}};
    }
    return refused("axon serve does not train: '" + op
                   + "' is a training job's; the service takes set (serve.max-wait, "
                     "serve.max-batch) and stop");
  };
}

} // namespace axon::app
