// The HTTP front of `axon serve`: see serve_http.hpp.
#include "apps/axon/serve_http.hpp"

#include "actors/serve/messages.hpp"

#include <caf/all.hpp>

namespace axon::app {

namespace {

using clock_type = std::chrono::steady_clock;

// A JSON answer; `counted`: an API request, counted in /metrics by its status (the probes
// and /metrics itself are not).
http_response answer(serve_front& front, int status, std::string body, bool counted = true) {
  http_response out;
  out.status = status;
  out.body = std::move(body);
  if (status == 503)
    out.headers.emplace_back("Retry-After", "1");
  if (counted)
    front.metrics->count_status(status);
  return out;
}

// Whether the request carries the configured token ("Authorization: Bearer TOKEN").
bool authorized(const serve_front& front, const http_request& req) {
  return front.token.empty() || req.header("Authorization") == "Bearer " + front.token;
}

bool from_loopback(const http_request& req) {
  return req.remote_address.starts_with("127.") || req.remote_address == "::1"
         || req.remote_address.starts_with("::ffff:127.");
}

bool is(const http_request& req, std::string_view method, std::string_view path) {
  return req.method == method && req.path == path;
}

constexpr auto wrong_token = "missing or wrong bearer token (Authorization: Bearer TOKEN)";
constexpr auto loading = "the model is still loading; try again shortly";

// POST /v1/reload: with serve.token-file, for holders of the token; without one (then the
// service listens on loopback only), for local clients. It names no path: it can only
// make the service load what the run directory marks best (docs/serving.md).
std::optional<http_response> reload_refusal(serve_front& front, const http_request& req) {
  if (!authorized(front, req))
    return answer(front, 401, error_json({"", wrong_token}));
  if (front.token.empty() && !from_loopback(req))
    return answer(front, 403, error_json({"", "without serve.token-file a reload is taken "
                                              "from loopback only"}));
  if (!front.ready.load(std::memory_order_acquire) || !front.reloader)
    return answer(front, 503, error_json({"", loading}));
  return std::nullopt;
}

// POST /v1/classify refused before its body is parsed: a refusal costs as little as can
// be, so that it leaves the cores to the requests admitted. A request admitted counts in
// `admitted` until classify() answers it (waiting for a worker too): at most serve.queue.
std::optional<http_response> classify_refusal(serve_front& front, const http_request& req) {
  if (!authorized(front, req))
    return answer(front, 401, error_json({"", wrong_token}));
  if (auto encoding = req.header("Content-Encoding"); !encoding.empty() && encoding != "identity")
    return answer(front, 415, error_json({"", "Content-Encoding " + encoding
                                                + " is not taken: send the JSON as it is"}));
  if (!front.ready.load(std::memory_order_acquire))
    return answer(front, 503, error_json({"", loading}));
  if (front.admitted.fetch_add(1) >= front.queue) {
    --front.admitted;
    return answer(front, 503, error_json({"", queue_full_message(front.queue)}));
  }
  return std::nullopt;
}

http_response classify(serve_front& front, const http_request& req) {
  struct answered { // classify_refusal admitted it
    std::atomic<std::int64_t>& admitted;
    ~answered() { --admitted; }
  } counted{front.admitted};
  const auto start = clock_type::now();
  auto reply = [&](int status, std::string body) {
    auto out = answer(front, status, std::move(body));
    front.metrics->latency_s.observe(std::chrono::duration<double>(clock_type::now() - start).count());
    return out;
  };
  auto parsed = parse_classify_body(req.body, front.limits);
  if (auto* error = std::get_if<field_error>(&parsed))
    return reply(400, error_json(*error));
  http_response out;
  caf::scoped_actor self{*front.system};
  self->request(front.batcher, front.timeout,
                msg::classify_request{std::move(std::get<std::vector<std::string>>(parsed))})
    .receive(
      [&](msg::classify_reply& r) {
        if (r.http_status != 200) {
          out = reply(r.http_status, error_json({"", r.error}));
          return;
        }
        auto model = front.models->info(r.generation);
        out = model ? reply(200, classify_json(r.probabilities, r.entities, *model))
                    : reply(500, error_json({"", "no model generation "
                                                   + std::to_string(r.generation)}));
      },
      [&](caf::error& err) {
        out = err == caf::sec::request_timeout
                ? reply(504, error_json({"", "not answered within serve.timeout"}))
                : reply(500, error_json({"", "the batcher failed: " + front.system->render(err)}));
      });
  return out;
}

} // namespace

std::optional<http_response> quick_answer(serve_front& front, const http_request& req) {
  if (is(req, "POST", "/v1/classify"))
    return classify_refusal(front, req);
  if (is(req, "POST", "/v1/reload"))
    return reload_refusal(front, req);
  if (is(req, "GET", "/healthz") || is(req, "HEAD", "/healthz"))
    return answer(front, 200, R"({"status":"alive"})", false);
  if (is(req, "GET", "/readyz") || is(req, "HEAD", "/readyz"))
    return front.ready.load(std::memory_order_acquire)
             ? answer(front, 200, R"({"status":"ready"})", false)
             : answer(front, 503, error_json({"", "the model is still loading"}), false);
  if (is(req, "GET", "/metrics")) {
    if (!authorized(front, req))
      return answer(front, 401, error_json({"", "missing or wrong bearer token"}));
    auto serving = front.ready.load(std::memory_order_acquire) && front.models
                     ? front.models->current_info()
                     : nullptr;
    http_response out;
    out.body = front.metrics->prometheus(serving.get());
    out.content_type = "text/plain; version=0.0.4";
    return out;
  }
  return answer(front, 404, error_json({"", "no such endpoint (POST /v1/classify, /v1/reload, "
                                            "GET /healthz, /readyz, /metrics)"}));
}

http_response full_answer(serve_front& front, const http_request& req) {
  if (is(req, "POST", "/v1/reload")) {
    auto result = front.reloader->reload();
    return answer(front, result.status, reload_json(result));
  }
  return classify(front, req);
}

void count_refusal(serve_front& front, int status) {
  front.metrics->count_status(status);
}

} // namespace axon::app
