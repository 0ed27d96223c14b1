// endpoint: sockets, the poll loop over non-blocking connections, request dispatch and
// access control.
#include "runtime/monitor/endpoint.hpp"

#include "runtime/monitor/client_io.hpp"
#include "runtime/monitor/control_token.hpp"
#include "runtime/monitor/control_worker.hpp"
#include "runtime/monitor/frames.hpp"
#include "runtime/monitor/job_view.hpp"
#include "runtime/monitor/prometheus.hpp"
#include "runtime/tls/tls_role.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace axon::monitor {

namespace {

constexpr int sample_interval_ms = 1000;
constexpr std::size_t max_http_head = 8192;

int listen_on(const std::string& bind, int port, int* bound_port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::inet_pton(AF_INET, bind.c_str(), &addr.sin_addr) != 1)
    throw std::runtime_error("monitor.bind: '" + bind + "' is not an IPv4 address");
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  int yes = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0
      || ::listen(fd, 128) != 0) {
    auto why = std::string{std::strerror(errno)};
    if (fd >= 0)
      ::close(fd);
    throw std::runtime_error("cannot listen on " + bind + ":" + std::to_string(port) + ": " + why);
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  *bound_port = ntohs(addr.sin_port);
  return fd;
}

nlohmann::json ok(nlohmann::json result) {
  return {{"ok", true}, {"result", std::move(result)}};
}

nlohmann::json failed(const std::string& error) {
  return {{"ok", false}, {"error", error}};
}

std::string string_field(const nlohmann::json& request, const char* key, bool required) {
  auto it = request.find(key);
  if (it == request.end() || it->is_null()) {
    if (required)
      throw protocol_error(std::string{"the request needs \""} + key + "\"");
    return "";
  }
  if (!it->is_string())
    throw protocol_error(std::string{"\""} + key + "\" must be a string");
  return it->get<std::string>();
}

bool is_control(const std::string& op) {
  for (const char* c :
       {"pause", "resume", "checkpoint", "stop", "set", "kill", "scale", "join", "leave"})
    if (op == c)
      return true;
  return false;
}

} // namespace

struct endpoint::state {
  state(job_view v, int listen, int prometheus, client_limits limits)
    : view(std::move(v)), listen_fd(listen), prometheus_fd(prometheus), clients(limits) {}

  job_view view;
  int listen_fd = -1, prometheus_fd = -1;
  int wake[2] = {-1, -1};
  client_table clients;
  std::shared_ptr<ssl_ctx_st> tls_context; // monitor.tls-*; null: plain
  control_worker control;
};

endpoint::endpoint(endpoint_options options, const probe_registry& probes, log_fn log)
  : options_(std::move(options)), probes_(probes), log_(std::move(log)) {
  int listen_fd = listen_on(options_.bind, options_.port, &port_);
  int prometheus_fd = -1;
  try {
    if (options_.prometheus_port >= 0)
      prometheus_fd = listen_on(options_.prometheus_bind.empty() ? options_.bind
                                                                 : options_.prometheus_bind,
                                options_.prometheus_port, &prometheus_port_);
  } catch (...) {
    ::close(listen_fd);
    throw;
  }
  state_ = std::make_unique<state>(
    job_view{probes, {"local", options_.bind + ":" + std::to_string(port_)}}, listen_fd,
    prometheus_fd, options_.limits);
  if (options_.tls.enabled()) {
    state_->tls_context = make_tls_context(options_.tls, true, "monitor.tls");
    if (role_of(SSL_CTX_get0_certificate(state_->tls_context.get())) != tls_role::coordinator)
      throw std::runtime_error("monitor.tls-certificate " + options_.tls.certificate
                               + " is not the job's role: it needs OU="
                               + role_unit(tls_role::coordinator) + " (docs/security.md)");
  }
  if (::pipe2(state_->wake, O_CLOEXEC) != 0)
    throw std::runtime_error("monitor: cannot create a pipe");
  thread_ = std::thread{[this] { serve(); }};
}

endpoint::~endpoint() {
  char byte = 0;
  (void)!::write(state_->wake[1], &byte, 1);
  thread_.join();
  for (int fd : {state_->listen_fd, state_->prometheus_fd, state_->wake[0], state_->wake[1]})
    if (fd >= 0)
      ::close(fd);
}

void endpoint::set_control(control_fn control) {
  std::lock_guard lock{control_mutex_};
  control_ = std::move(control);
}

std::optional<nlohmann::json> endpoint::answer(const nlohmann::json& request, client& c) {
  const auto& peer = c.peer;
  const bool may_control = c.may_control;
  try {
    if (!request.is_object())
      throw protocol_error("a request is a msgpack map");
    const auto op = string_field(request, "op", true);
    const auto token = string_field(request, "token", false);
    const bool authorised = !token.empty() && same_token(token, options_.token) && may_control;
    auto& view = state_->view;
    if (op == "hello")
      return ok({{"protocol", 1},
                 {"run_dir", options_.run_dir},
                 {"node", view.node().name},
                 {"address", view.node().address},
                 {"control", authorised}});
    if (op == "nodes")
      return ok(view.nodes());
    if (op == "actors")
      return ok(view.actors(string_field(request, "node", false), string_field(request, "kind", false)));
    if (op == "inspect") {
      auto name = string_field(request, "actor", true);
      if (auto found = view.inspect(name))
        return ok(*found);
      return failed("no actor named '" + name + "' (`actors` lists them)");
    }
    if (op == "graph")
      return ok(view.graph());
    if (op == "metrics") {
      // "last" is optional (docs/protocol.md): 0, every point. An unsigned default, since
      // a plain 0 is a signed JSON number and was refused below.
      auto last = request.value("last", nlohmann::json(std::uint64_t{0}));
      if (!last.is_number_unsigned())
        throw protocol_error("\"last\" must be a non-negative integer");
      return ok(view.metrics(last.get<std::size_t>()));
    }
    if (!is_control(op))
      return failed("unknown op '" + op
                    + "' (hello, nodes, actors, inspect, graph, metrics; with the token: pause, "
                      "resume, checkpoint, set, stop, kill)");
    if (!may_control) {
      log_("monitor: refused '" + op + "' from " + peer + ": read-only certificate");
      return failed("refused: '" + op + "' needs a console certificate with OU="
                    + role_unit(tls_role::console) + "; this one is read-only");
    }
    if (!authorised) {
      log_("monitor: refused '" + op + "' from " + peer
           + (token.empty() ? ": no control token" : ": wrong control token"));
      return failed("refused: '" + op + "' needs the job's control token (axon console --run "
                    "RUN_DIR, or --token-file RUN_DIR/console.token)");
    }
    log_("monitor: '" + op + "' from " + peer);
    if (op == "kill") {
      auto name = string_field(request, "actor", true);
      for (const auto& probe : probes_.actors())
        if (probe->name == name) {
          if (!probe->kill)
            return failed("actor '" + name + "' cannot be killed from the console");
          probe->kill();
          return ok("exit (kill) sent to " + name);
        }
      return failed("no actor named '" + name + "'");
    }
    control_fn control;
    {
      std::lock_guard lock{control_mutex_};
      control = control_;
    }
    if (!control)
      return failed("the job is starting: try again in a moment");
    if (!state_->control.submit(c.id, std::move(control), request))
      return failed("busy: another control request is under way; try again in a moment");
    c.awaiting_control = true;
    return std::nullopt; // the reply comes from the control worker

  } catch (const protocol_error& e) {
    return failed(std::string{"bad request: "} + e.what());
  } catch (const std::exception& e) {
    return failed(e.what());
  }
}

void endpoint::serve() {
  auto& st = *state_;
  constexpr std::int64_t sample_ns = std::int64_t(sample_interval_ms) * 1000000;
  auto next_sample = now_ns() + sample_ns;
  // Told to stop (the destructor): the replies of control requests under way still go out
  // first, for at most 2 s; a `stop` ends the job, whose end destroys this endpoint while
  // the stop's own answer may still be on its way.
  std::int64_t leave_by = 0;
  for (;;) {
    std::vector<pollfd> fds{{st.wake[0], POLLIN, 0}, {st.listen_fd, POLLIN, 0},
                            {st.control.ready_fd(), POLLIN, 0}};
    if (st.prometheus_fd >= 0)
      fds.push_back({st.prometheus_fd, POLLIN, 0});
    for (const auto& [fd, c] : st.clients.all())
      fds.push_back({fd, c.awaiting_control ? short(0)
                         : c.tls_waits != 0 ? c.tls_waits
                                            : short(c.replying() ? POLLOUT : POLLIN), 0});
    const auto wake_at = st.clients.next_deadline(next_sample);
    const auto wait_ms = std::max<std::int64_t>(0, (wake_at - now_ns()) / 1000000 + 1);
    int ready = ::poll(fds.data(), fds.size(), int(wait_ms));
    if (now_ns() >= next_sample) {
      st.view.sample();
      next_sample = now_ns() + sample_ns;
    }
    for (const auto& line : st.clients.expire(now_ns()))
      log_("monitor: closed " + line);
    if (fds[0].revents && leave_by == 0) {
      char byte = 0;
      (void)!::read(st.wake[0], &byte, 1);
      leave_by = now_ns() + 2'000'000'000;
    }
    if (leave_by != 0 && (!st.clients.replies_under_way() || now_ns() >= leave_by))
      return;
    if (ready <= 0)
      continue;
    for (const auto& p : fds) {
      if (!p.revents || p.fd == st.wake[0])
        continue;
      if (p.fd == st.control.ready_fd())
        deliver_control_reply();
      else if (p.fd == st.listen_fd)
        accept_from(p.fd, client::protocol::frames);
      else if (p.fd == st.prometheus_fd)
        accept_from(p.fd, client::protocol::http);
      else if (auto* c = st.clients.find(p.fd)) {
        bool keep = c->replying() ? write_to(*c) : read_from(*c);
        if (keep && c->replying())
          keep = write_to(*c); // most replies go out at once
        if (!keep)
          st.clients.close(p.fd);
      }
    }
  }
}

void endpoint::deliver_control_reply() {
  auto done = state_->control.take();
  if (!done)
    return;
  auto* c = state_->clients.find_id(done->first);
  if (c == nullptr)
    return; // the client left meanwhile
  c->awaiting_control = false;
  c->last_active_ns = now_ns();
  c->out = frame_bytes(done->second);
  state_->clients.reply_queued(*c, now_ns());
  if (!write_to(*c))
    state_->clients.close(c->fd);
}

void endpoint::accept_from(int listen_fd, client::protocol kind) {
  // Everything waiting is taken in at once, so that a flood cannot fill the backlog.
  for (int taken = 0; taken < 256; ++taken) {
    int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0)
      return;
    for (const auto& line : state_->clients.admit(fd, kind, now_ns()))
      log_("monitor: closed " + line);
    if (kind == client::protocol::frames && state_->tls_context) {
      auto& c = *state_->clients.find(fd);
      c.tls = std::make_unique<tls_stream>(state_->tls_context, fd, true);
      state_->clients.frame_started(c, now_ns()); // the handshake's deadline
    }
  }
}

bool endpoint::read_from(client& c) {
  if (c.tls && !c.tls->handshake_done()) {
    if (auto refused = advance_handshake(c); !refused.empty()) {
      log_("monitor: refused " + c.peer + ": " + refused);
      return false;
    }
    if (!c.tls->handshake_done())
      return true;
  }
  const std::size_t cap = c.kind == client::protocol::http ? max_http_head
                                                           : 4 + request_limits.max_frame_bytes;
  char buffer[65536];
  // Until the socket (or TLS) has nothing more: TLS may hold decrypted bytes that poll
  // would not announce.
  while (c.in.size() < cap) {
    auto r = receive(c, buffer, std::min(sizeof buffer, cap - c.in.size()));
    if (r.status == tls_stream::state::closed)
      return false; // closed by the client (a frame cut short costs only this connection)
    if (r.status != tls_stream::state::moved)
      break;
    if (c.in.empty())
      state_->clients.frame_started(c, now_ns());
    c.in.append(buffer, r.bytes);
    c.last_active_ns = now_ns();
  }
  if (!c.replying())
    answer_buffered(c);
  return true;
}

bool endpoint::write_to(client& c) {
  while (c.replying()) {
    auto r = send_some(c, c.out.data() + c.sent, c.out.size() - c.sent);
    if (r.status == tls_stream::state::closed)
      return false;
    if (r.status != tls_stream::state::moved)
      return true;
    c.sent += r.bytes;
    c.last_active_ns = now_ns();
  }
  c.out.clear();
  c.sent = 0;
  c.deadline_ns = 0;
  if (c.close_after_reply)
    return false;
  if (!c.in.empty()) { // the start of a request sent before this reply was taken
    state_->clients.frame_started(c, now_ns());
    answer_buffered(c);
  }
  return !c.tls || read_from(c); // TLS may hold a next request already decrypted
}

void endpoint::answer_buffered(client& c) {
  if (c.kind == client::protocol::http) {
    const bool whole = c.in.find("\r\n\r\n") != std::string::npos;
    if (!whole && c.in.size() < max_http_head)
      return;
    // Every path gets the metrics; nothing else is served on this port.
    auto body = whole ? prometheus_text(state_->view) : std::string{"request head too long\n"};
    c.out = std::string{whole ? "HTTP/1.0 200 OK" : "HTTP/1.0 431 Request Header Fields Too Large"}
            + "\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: "
            + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    c.in.clear();
    c.close_after_reply = true;
    state_->clients.reply_queued(c, now_ns());
    return;
  }
  if (c.in.size() < 4)
    return;
  try {
    const auto size = frame_length(reinterpret_cast<const unsigned char*>(c.in.data()),
                                   request_limits);
    if (c.in.size() < 4 + size)
      return;
    auto request = decode_msgpack(c.in.data() + 4, size, request_limits);
    c.in.erase(0, 4 + size);
    auto reply = answer(request, c);
    if (!reply) { // under way on the control worker, which may take long
      c.deadline_ns = 0;
      return;
    }
    c.out = frame_bytes(*reply);
  } catch (const protocol_error& e) {
    log_("monitor: closing " + c.peer + ": " + e.what());
    c.out = frame_bytes(failed(std::string{"bad frame: "} + e.what()));
    c.in.clear();
    c.close_after_reply = true;
  }
  state_->clients.reply_queued(c, now_ns());
}

} // namespace axon::monitor
