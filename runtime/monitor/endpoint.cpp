// endpoint: sockets, the poll loop, request dispatch and access control.
#include "runtime/monitor/endpoint.hpp"

#include "runtime/monitor/control_token.hpp"
#include "runtime/monitor/frames.hpp"
#include "runtime/monitor/job_view.hpp"
#include "runtime/monitor/prometheus.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace axon::monitor {

namespace {

constexpr int max_clients = 64;
constexpr int sample_interval_ms = 1000;

int listen_on(const std::string& bind, int port, int* bound_port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::inet_pton(AF_INET, bind.c_str(), &addr.sin_addr) != 1)
    throw std::runtime_error("monitor.bind: '" + bind + "' is not an IPv4 address");
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int yes = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0
      || ::listen(fd, 16) != 0) {
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

std::string peer_name(int fd) {
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    return "?";
  char host[INET_ADDRSTRLEN] = "?";
  ::inet_ntop(AF_INET, &addr.sin_addr, host, sizeof host);
  return std::string{host} + ":" + std::to_string(ntohs(addr.sin_port));
}

// A slow or stalled client must not hold the loop: reads and writes time out.
void set_timeouts(int fd) {
  timeval t{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &t, sizeof t);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &t, sizeof t);
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
  for (const char* c : {"pause", "resume", "checkpoint", "stop", "set", "kill"})
    if (op == c)
      return true;
  return false;
}

} // namespace

struct endpoint::state {
  job_view view;
  int listen_fd = -1, prometheus_fd = -1;
  int wake[2] = {-1, -1};
  std::map<int, std::string> clients; // fd -> peer
};

endpoint::endpoint(endpoint_options options, const probe_registry& probes, log_fn log)
  : options_(std::move(options)), probes_(probes), log_(std::move(log)) {
  int listen_fd = listen_on(options_.bind, options_.port, &port_);
  int prometheus_fd = -1;
  try {
    if (options_.prometheus_port >= 0)
      prometheus_fd = listen_on(options_.bind, options_.prometheus_port, &prometheus_port_);
  } catch (...) {
    ::close(listen_fd);
    throw;
  }
  state_ = std::make_unique<state>(
    state{job_view{probes, {"local", options_.bind + ":" + std::to_string(port_)}},
          listen_fd, prometheus_fd, {-1, -1}, {}});
  if (::pipe2(state_->wake, O_CLOEXEC) != 0)
    throw std::runtime_error("monitor: cannot create a pipe");
  thread_ = std::thread{[this] { serve(); }};
}

endpoint::~endpoint() {
  char byte = 0;
  (void)!::write(state_->wake[1], &byte, 1);
  thread_.join();
  for (const auto& [fd, peer] : state_->clients)
    ::close(fd);
  for (int fd : {state_->listen_fd, state_->prometheus_fd, state_->wake[0], state_->wake[1]})
    if (fd >= 0)
      ::close(fd);
}

void endpoint::set_control(control_fn control) {
  std::lock_guard lock{control_mutex_};
  control_ = std::move(control);
}

nlohmann::json endpoint::answer(const nlohmann::json& request, const std::string& peer) {
  try {
    if (!request.is_object())
      throw protocol_error("a request is a msgpack map");
    const auto op = string_field(request, "op", true);
    const auto token = string_field(request, "token", false);
    const bool authorised = !token.empty() && same_token(token, options_.token);
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
    return control(request);
  } catch (const protocol_error& e) {
    return failed(std::string{"bad request: "} + e.what());
  } catch (const std::exception& e) {
    return failed(e.what());
  }
}

void endpoint::serve() {
  auto& st = *state_;
  auto next_sample = now_ns() + std::int64_t(sample_interval_ms) * 1000000;
  for (;;) {
    std::vector<pollfd> fds{{st.wake[0], POLLIN, 0}, {st.listen_fd, POLLIN, 0}};
    if (st.prometheus_fd >= 0)
      fds.push_back({st.prometheus_fd, POLLIN, 0});
    for (const auto& [fd, peer] : st.clients)
      fds.push_back({fd, POLLIN, 0});
    auto wait_ms = std::max<std::int64_t>(0, (next_sample - now_ns()) / 1000000);
    int ready = ::poll(fds.data(), fds.size(), int(wait_ms));
    if (now_ns() >= next_sample) {
      st.view.sample();
      next_sample = now_ns() + std::int64_t(sample_interval_ms) * 1000000;
    }
    if (ready <= 0)
      continue;
    if (fds[0].revents)
      return;
    for (const auto& p : fds) {
      if (!p.revents || p.fd == st.wake[0])
        continue;
      if (p.fd == st.listen_fd) {
        int client = ::accept4(st.listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0)
          continue;
        if (int(st.clients.size()) >= max_clients) {
          ::close(client);
          continue;
        }
        set_timeouts(client);
        st.clients[client] = peer_name(client);
      } else if (p.fd == st.prometheus_fd) {
        int client = ::accept4(st.prometheus_fd, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0)
          continue;
        set_timeouts(client);
        // Read the request head (bounded), answer every path with the metrics.
        std::string head;
        char buffer[1024];
        while (head.size() < 8192 && head.find("\r\n\r\n") == std::string::npos) {
          auto n = ::read(client, buffer, sizeof buffer);
          if (n <= 0)
            break;
          head.append(buffer, std::size_t(n));
        }
        auto body = prometheus_text(st.view);
        auto reply = "HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: "
                     + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
        (void)!::send(client, reply.data(), reply.size(), MSG_NOSIGNAL);
        ::close(client);
      } else {
        const auto peer = st.clients[p.fd];
        bool keep = true;
        try {
          auto request = read_frame(p.fd, request_limits);
          keep = request && write_frame(p.fd, answer(*request, peer));
        } catch (const protocol_error& e) {
          log_("monitor: closing " + peer + ": " + e.what());
          write_frame(p.fd, failed(std::string{"bad frame: "} + e.what()));
          keep = false;
        }
        if (!keep) {
          ::close(p.fd);
          st.clients.erase(p.fd);
        }
      }
    }
  }
}

} // namespace axon::monitor
