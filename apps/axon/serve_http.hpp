// The HTTP front of `axon serve` (http_server.hpp: Boost.Beast): the routes and what each
// answers (docs/serving.md). What the process's state answers at once (probes, metrics,
// refusals) is answered on the server's I/O threads (quick_answer); a classify request's
// texts go to the batcher actor from a worker thread, which waits for its reply (a scoped
// actor with serve.timeout), and a reload loads on one (full_answer).
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

#include "apps/axon/http_server.hpp"

#include <optional>

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
  std::atomic<std::int64_t> admitted{0}; // classify requests taken and not yet answered
  std::string token; // empty: no Authorization needed
  std::chrono::milliseconds timeout{30000};
};

/// The answer of `request` when the process's state gives it at once (never blocks: the
/// I/O threads call it), else nullopt: full_answer's on a worker thread.
std::optional<http_response> quick_answer(serve_front& front, const http_request& request);
/// The answer of a request quick_answer left (classify, reload): may wait.
http_response full_answer(serve_front& front, const http_request& request);
/// Counts in /metrics a request the server refused by itself (400 unparsable, 413 body
/// too large, 503 too many connections).
void count_refusal(serve_front& front, int status);

} // namespace axon::app
