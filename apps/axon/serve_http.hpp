// The HTTP front of `axon serve` (cpp-httplib): the routes and what each answers
// (docs/serving.md). The front's threads hand each classify request's texts to the
// batcher actor and wait for its reply (a scoped actor with serve.timeout); everything
// else is answered from the process's state.
//   POST /v1/classify   200 predictions | 400 a field's problem | 401 | 503 queue full or
//                       loading (Retry-After) | 500 model failure | 504 timeout
//   POST /v1/reload     200 reloaded (or already serving the run's best) | 401 | 403 no
//                       token configured and not from loopback | 409 refused or busy |
//                       503 loading (serve_reload.hpp)
//   GET  /healthz       200 while the process runs
//   GET  /readyz        200 once the model is loaded, else 503
//   GET  /metrics       Prometheus text (actors/serve/serve_metrics.hpp)
#pragma once

#include "actors/serve/serve_metrics.hpp"
#include "actors/serve/serve_models.hpp"
#include "apps/axon/serve_reload.hpp"
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

/// What the routes answer from. Set `system`, `batcher`, `models` and `reloader`, then
/// `ready`.
struct serve_front {
  caf::actor_system* system = nullptr;
  caf::actor batcher;
  std::shared_ptr<serve_models> models; // what each answer names (by its generation)
  serve_reloader* reloader = nullptr;
  std::atomic<bool> ready{false};
  std::shared_ptr<serve_metrics> metrics = std::make_shared<serve_metrics>();
  request_limits limits;
  std::int64_t queue = 64; // serve.queue: refused at once when this many are held
  std::string token; // empty: no Authorization needed
  std::chrono::milliseconds timeout{30000};
};

/// Installs the routes and the JSON answer of every other error on `server`; `front`
/// must outlive it.
void add_serve_routes(httplib::Server& server, serve_front& front);

} // namespace axon::app
