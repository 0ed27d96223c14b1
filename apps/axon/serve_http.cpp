// The HTTP front of `axon serve`: see serve_http.hpp.
#include "apps/axon/serve_http.hpp"

#include "actors/serve/messages.hpp"

#include <caf/all.hpp>
#include <httplib.h>

namespace axon::app {

namespace {

using clock_type = std::chrono::steady_clock;

constexpr auto too_large_message =
  "the body is larger than serve.max-texts x serve.max-text-bytes allows";

// A JSON answer; `counted`: an API request, counted in /metrics by its status (the probes
// and /metrics itself are not).
void answer(serve_front& front, httplib::Response& res, int status, const std::string& body,
            bool counted = true) {
  res.status = status;
  res.set_content(body, "application/json");
  if (status == 503)
    res.set_header("Retry-After", "1");
  if (counted)
    front.metrics->count_status(status);
}

// Whether the request carries the configured token ("Authorization: Bearer TOKEN").
bool authorized(const serve_front& front, const httplib::Request& req) {
  return front.token.empty() || req.get_header_value("Authorization") == "Bearer " + front.token;
}

bool from_loopback(const httplib::Request& req) {
  return req.remote_addr.starts_with("127.") || req.remote_addr == "::1"
         || req.remote_addr.starts_with("::ffff:127.");
}

// POST /v1/reload: with serve.token-file, for holders of the token; without one (then the
// service listens on loopback only), for local clients. It names no path: it can only
// make the service load what the run directory marks best (docs/serving.md).
void reload(serve_front& front, const httplib::Request& req, httplib::Response& res) {
  if (!authorized(front, req))
    return answer(front, res, 401, error_json({"", "missing or wrong bearer token (Authorization: "
                                                   "Bearer TOKEN)"}));
  if (front.token.empty() && !from_loopback(req))
    return answer(front, res, 403, error_json({"", "without serve.token-file a reload is taken "
                                                   "from loopback only"}));
  if (!front.ready.load(std::memory_order_acquire) || !front.reloader)
    return answer(front, res, 503, error_json({"", "the model is still loading; try again shortly"}));
  auto result = front.reloader->reload();
  answer(front, res, result.status, reload_json(result));
}

// The body, read as it arrives and given up past the largest body a valid request has
// (serve.max-texts x serve.max-text-bytes): a chunked body, one without a length or a
// compressed one (inflated as it is read) stays bounded too.
struct read_body {
  std::string bytes;
  bool too_large = false;
  bool cut_off = false; // the client went before sending it all: nobody to answer
};

read_body bounded_body(const serve_front& front, const httplib::ContentReader& content) {
  read_body body;
  const auto limit = front.limits.max_body_bytes();
  // Past the limit the rest is read and dropped: left unread, httplib would take it for
  // the connection's next request (it keeps a connection whatever the answer says).
  const bool whole = content([&](const char* data, std::size_t length) {
    body.too_large = body.too_large || body.bytes.size() + length > limit;
    if (!body.too_large)
      body.bytes.append(data, length);
    return true;
  });
  body.cut_off = !whole && !body.too_large;
  return body;
}

void classify(serve_front& front, const httplib::Request& req, httplib::Response& res,
              const httplib::ContentReader& content) {
  const auto start = clock_type::now();
  auto reply = [&](int status, const std::string& body) {
    answer(front, res, status, body);
    front.metrics->latency_s.observe(std::chrono::duration<double>(clock_type::now() - start).count());
  };
  // The body is read first, whatever the answer: a client still sending it would see its
  // connection reset instead of the answer.
  const auto body = bounded_body(front, content);
  if (body.cut_off) { // the client went: not counted in /metrics (a body: no error handler)
    res.status = 400;
    res.set_content(error_json({"body", "the body ended before its length"}), "application/json");
    return;
  }
  if (body.too_large)
    return reply(413, error_json({"", too_large_message}));
  if (!authorized(front, req))
    return reply(401, error_json({"", "missing or wrong bearer token (Authorization: Bearer TOKEN)"}));
  if (!front.ready.load(std::memory_order_acquire))
    return reply(503, error_json({"", "the model is still loading; try again shortly"}));
  // Overload is shed here, before the body is parsed and a request actor made: a refusal
  // costs as little as can be, so that it leaves the cores to the requests admitted. The
  // batcher's count may lag by a few requests; the batcher refuses those itself.
  if (front.metrics->held.load(std::memory_order_relaxed) >= front.queue)
    return reply(503, error_json({"", queue_full_message(front.queue)}));
  auto parsed = parse_classify_body(body.bytes, front.limits);
  if (auto* error = std::get_if<field_error>(&parsed))
    return reply(400, error_json(*error));
  caf::scoped_actor self{*front.system};
  self->request(front.batcher, front.timeout,
                msg::classify_request{std::move(std::get<std::vector<std::string>>(parsed))})
    .receive(
      [&](msg::classify_reply& r) {
        if (r.http_status != 200)
          return reply(r.http_status, error_json({"", r.error}));
        auto model = front.models->info(r.generation);
        if (!model)
          return reply(500, error_json({"", "no model generation " + std::to_string(r.generation)}));
        reply(200, classify_json(r.probabilities, r.entities, *model));
      },
      [&](caf::error& err) {
        if (err == caf::sec::request_timeout)
          return reply(504, error_json({"", "not answered within serve.timeout"}));
        reply(500, error_json({"", "the batcher failed: " + front.system->render(err)}));
      });
}

} // namespace

void add_serve_routes(httplib::Server& server, serve_front& front) {
  server.Post("/v1/classify", [&front](const httplib::Request& req, httplib::Response& res,
                                       const httplib::ContentReader& content) {
    classify(front, req, res, content);
  });
  server.Post("/v1/reload", [&front](const httplib::Request& req, httplib::Response& res) {
    reload(front, req, res);
  });
  server.Get("/healthz", [&front](const httplib::Request&, httplib::Response& res) {
    answer(front, res, 200, R"({"status":"alive"})", false);
  });
  server.Get("/readyz", [&front](const httplib::Request&, httplib::Response& res) {
    if (front.ready.load(std::memory_order_acquire))
      answer(front, res, 200, R"({"status":"ready"})", false);
    else
      answer(front, res, 503, error_json({"", "the model is still loading"}), false);
  });
  server.Get("/metrics", [&front](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(front, req))
      return answer(front, res, 401, error_json({"", "missing or wrong bearer token"}));
    auto serving = front.ready.load(std::memory_order_acquire) && front.models
                     ? front.models->current_info()
                     : nullptr;
    res.set_content(front.metrics->prometheus(serving.get()), "text/plain; version=0.0.4");
  });
  // A request whose length is ambiguous (two Content-Length headers, or one beside
  // Transfer-Encoding) is refused before its body is read: a proxy in front might frame it
  // otherwise (request smuggling).
  server.set_pre_routing_handler([&front](const httplib::Request& req, httplib::Response& res) {
    const auto lengths = req.get_header_value_count("Content-Length");
    if (lengths <= 1 && !(lengths == 1 && req.has_header("Transfer-Encoding")))
      return httplib::Server::HandlerResponse::Unhandled;
    answer(front, res, 400, error_json({"", "ambiguous body length: one Content-Length, or "
                                            "Transfer-Encoding alone"}));
    return httplib::Server::HandlerResponse::Handled;
  });
  // Statuses httplib sets itself (404, 405, 413 for a body over the limit, 400 for a
  // malformed request line): a JSON error too, counted like the others.
  server.set_error_handler(httplib::Server::HandlerWithResponse{
    [&front](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty())
      return httplib::Server::HandlerResponse::Unhandled;
    auto message = res.status == 404   ? "no such endpoint (POST /v1/classify, /v1/reload, GET "
                                         "/healthz, /readyz, /metrics)"
                   : res.status == 413 ? too_large_message
                                       : "the request could not be handled";
    answer(front, res, res.status, error_json({"", message}));
    return httplib::Server::HandlerResponse::Handled;
  }});
}

} // namespace axon::app
