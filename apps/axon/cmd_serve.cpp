// `axon serve --run RUN_DIR [--config FILE] [--serve.key=value ...]`: the run's best model
// as an HTTP/1.1 JSON service (docs/serving.md). The process listens first (GET /healthz
// answers, /readyz says 503 while loading), starts its console endpoint ([monitor] keys,
// serve_console.hpp), loads serve.replicas copies of the model, spawns the serving graph
// (a batcher and the replicas, actors/serve/) and is ready; POST /v1/reload and
// serve.watch switch to the run's new best checkpoint while it serves
// (serve_reload.hpp). It stops on SIGINT or SIGTERM (or the console's stop). Predictions
// are those of `axon predict` on the same run.
#include "actors/cluster/graph_process.hpp"
#include "actors/modules.hpp"
#include "actors/serve/run_files.hpp"
#include "actors/serve/serve_graph.hpp"
#include "apps/axon/commands.hpp"
#include "apps/axon/serve_rejoin.hpp"
#include "apps/axon/flags.hpp"
#include "apps/axon/serve_config.hpp"
#include "apps/axon/serve_console.hpp"
#include "apps/axon/http_server.hpp"
#include "apps/axon/serve_http.hpp"
#include "apps/axon/serve_reload.hpp"
#include "apps/axon/serve_run_model.hpp"
#include "runtime/graph/error.hpp"

#include <condition_variable>
#include <functional>
#include <csignal>
#include <iostream>
#include <mutex>
#include <optional>
#include <pthread.h>
#include <thread>

namespace axon::app {

namespace {

// How long a request to an actor of the serving graph may take without a cluster (with
// one: cluster.timeout).
constexpr std::chrono::milliseconds local_timeout{5000};

// What runs once the model is loaded.
struct service {
  std::unique_ptr<graph_process> process;
  actor_graph spec; // what `graph` was spawned from: lost replicas are spawned from it again
  running_graph graph;
  std::unique_ptr<serve_reloader> reloader;
  // The run files actor nodes copy the run from; a node that was sent its handle keeps it
  // registered (CAF keeps an actor known remotely alive), so it is stopped explicitly.
  caf::actor files;
};

// Loads the models of the replicas in this process (one at least: it verifies the
// checkpoint), connects to the node processes that placement.nodes names and spawns the
// serving graph, its replicas where placed (and its KG service with a run that fuses a
// KG); the front is ready on success.
std::string start_graph(const std::string& run_dir, const serve_settings& s, serve_front& front,
                        service& out) {
  replica_places places{{}, s.replica_computes};
  for (int r = 0; r < s.batcher.replicas; ++r)
    places.here.push_back(!s.cluster
                          || s.cluster->node_of(replica_name(r)) == cluster::local_node);
  auto pool = serve_compute_pool();
  auto loaded = load_replicas(run_dir, places, pool);
  const auto first = loaded.info;
  const auto kg = std::move(loaded.kg);
  auto models = std::make_shared<serve_models>(std::move(loaded.models), std::move(loaded.info));
  auto modules = axon_modules(); // the message types the nodes share
  add_serve_module(modules, front.metrics, models);
  auto started = graph_process::start(std::move(modules), s.cluster, 2);
  if (!started)
    return error_text(started.error());
  out.process = std::move(*started);
  // Replicas on node processes copy the run from here when they do not see it.
  if (s.cluster && s.ship_run != "never")
    out.files = spawn_run_files(out.process->system(), run_dir);
  out.spec = serve_graph(s.batcher, first, kg ? &*kg : nullptr, s.ship_run, out.files,
                         s.replica_computes);
  auto spawned = out.process->spawn(out.spec);
  if (!spawned)
    return error_text(spawned.error());
  out.graph = std::move(*spawned);
  const auto within = s.cluster ? s.cluster->timeout : local_timeout;
  if (auto err = link_through_kg(out.process->system(), out.graph,
                                 replica_names(s.batcher.replicas), within))
    return error_text(err);
  out.reloader = std::make_unique<serve_reloader>(run_dir, places, pool, models, front.metrics,
                                                  out.process->system(),
                                                  out.graph.at("batcher"), first.checkpoint);
  front.system = &out.process->system();
  front.batcher = out.graph.at("batcher");
  front.models = models;
  front.reloader = out.reloader.get();
  front.ready.store(true, std::memory_order_release);
  return "";
}

// Calls `task` every `every` on its own thread until destroyed: serve.watch's look at the
// run directory, and taking back the replicas of node processes that return.
class every_period {
public:
  every_period(std::function<void()> task, std::chrono::milliseconds every)
    : thread_{[this, task = std::move(task), every] {
        std::unique_lock lock{mutex_};
        while (!cv_.wait_for(lock, every, [this] { return stop_; })) {
          lock.unlock();
          task();
          lock.lock();
        }
      }} {}
  ~every_period() {
    {
      std::lock_guard lock{mutex_};
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_; // last: starts once the members above exist
};

} // namespace

int serve(args words) {
  std::string run_dir, config_file;
  std::vector<std::string> overrides;
  flag_parser flags{"axon serve --run RUN_DIR [--config FILE] [--serve.key=value ...]"};
  flags.add("run", &run_dir, "run directory written by `axon train` (its best checkpoint is served)");
  flags.add("config", &config_file, "a config file of [serve] keys (docs/config.md)");
  flags.accept_config_overrides(&overrides);
  if (auto status = flags.parse(words))
    return *status;
  if (run_dir.empty()) {
    std::cerr << "axon serve: --run RUN_DIR is required (see --help)\n";
    return 2;
  }
  auto loaded = load_serve_settings(config_file, overrides);
  if (auto* error = std::get_if<std::string>(&loaded)) {
    std::cerr << "axon serve: " << *error << '\n';
    return 2;
  }
  const auto& settings = std::get<serve_settings>(loaded);
  // SIGINT and SIGTERM are taken by sigwait below, in no other thread (blocked before any starts).
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  // A client or a log reader that goes away is an error return, never the service's end
  // (Asio sends with MSG_NOSIGNAL; stdout and stderr may be pipes).
  std::signal(SIGPIPE, SIG_IGN);

  serve_front front;
  front.limits = settings.limits;
  front.queue = settings.batcher.queue;
  front.token = settings.token;
  front.timeout = settings.timeout;
  const int threads = settings.http_threads;
  std::unique_ptr<http_server> server;
  try {
    http_server_settings http{settings.bind, settings.port, settings.tls_certificate,
                              settings.tls_key, threads, settings.limits.max_body_bytes()};
    // Bodies in memory: a full queue's, and one being read or refused per worker.
    http.max_bodies = static_cast<std::size_t>(settings.batcher.queue + threads);
    server = std::make_unique<http_server>(
      std::move(http),
      [&front](const http_request& r) { return quick_answer(front, r); },
      [&front](const http_request& r) { return full_answer(front, r); },
      [&front](int status) { count_refusal(front, status); });
  } catch (const std::exception& e) {
    std::cerr << "axon serve: " << e.what() << '\n';
    return 2;
  }
  const auto scheme = server->tls() ? "https" : "http";
  std::cout << "axon serve: listening on " << scheme << "://" << settings.bind << ':'
            << server->port() << std::endl;
  std::thread listener{[&] { server->run(); }};
  std::string error;

  service running;
  std::unique_ptr<monitor::endpoint> console;
  int status = 0;
  try {
    console = start_serve_monitor(settings, run_dir); // before the graph: its probes
    error = start_graph(run_dir, settings, front, running);
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (!error.empty()) {
    std::cerr << "axon serve: " << error << '\n';
    status = 2;
  } else {
    if (console)
      console->set_control(serve_control(running.process->system(), front.batcher));
    const auto serving = front.models->current_info();
    std::cout << "axon serve: ready: " << serving->checkpoint << " (" << serving->labels.size()
              << " labels), " << settings.batcher.replicas << " replica(s), max-batch "
              << settings.batcher.max_batch << ", queue " << settings.batcher.queue << std::endl;
    std::optional<replica_keeper> keeper; // before taking_back, which calls it: outlives it
    std::optional<every_period> watching, taking_back;
    if (settings.watch.count() > 0) // says what it did on stdout (or stderr when refused)
      watching.emplace([&] { running.reloader->poll(); }, settings.watch);
    // Without a cluster it respawns a killed KG service (replicas here are lost only with
    // the process).
    keeper.emplace(*running.process, running.spec, running.graph, front.batcher,
                   settings.cluster ? settings.cluster->timeout : local_timeout,
                   settings.move_lost_after,
                   [&](std::size_t r) { running.reloader->bring_here(r); });
    taking_back.emplace([&] { keeper->round(); }, std::chrono::seconds{1});
    int signal = 0;
    sigwait(&stop_signals, &signal);
    std::cout << "axon serve: stopping (signal " << signal << ")" << std::endl;
  }
  server->stop();
  listener.join();
  server.reset(); // its workers finish what they compute, with the graph still running
  console.reset(); // its control requests use the actor system: stop it first
  front.ready = false;
  front.reloader = nullptr;
  running.reloader.reset();
  running.graph.stop();
  if (running.files)
    caf::anon_send_exit(running.files, caf::exit_reason::user_shutdown);
  front.batcher = nullptr;
  return status;
}

} // namespace axon::app
