// The HTTP front of `axon serve` (cpp-httplib): the routes and what each answers
// (docs/serving.md). The front's threads hand each classify request's texts to the
// batcher actor and wait for its reply (a scoped actor with serve.timeout); everything
// else is answered from the process's state.
//   POST /v1/classify   200 predictions | 400 a field's problem | 401 | 503 queue full or
//                       loading (Retry-After) | 500 model failure | 504 timeout
//   GET  /healthz       200 while the process runs
//   GET  /readyz        200 once the model is loaded, else 503
//   GET  /metrics       Prometheus text (actors/serve/serve_metrics.hpp)
#pragma once

#include "actors/serve/serve_metrics.hpp"
#include "apps/axon/serve_request.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace httplib {
class Server;
}

namespace axon::app {

/// What the routes answer from. Set `batcher`, `labels` and `model`, then `ready`.
struct serve_front {
  caf::actor_system* system = nullptr;
  caf::actor batcher;
  std::vector<std::string> labels;
  served_model model;
  std::atomic<bool> ready{false};
  std::shared_ptr<serve_metrics> metrics = std::make_shared<serve_metrics>();
  request_limits limits;
  std::string token; // empty: no Authorization needed
  std::chrono::milliseconds timeout{30000};
};

/// Installs the routes and the JSON answer of every other error on `server`; `front`
/// must outlive it.
void add_serve_routes(httplib::Server& server, serve_front& front);

} // namespace axon::app
