// endpoint: the job's inspection server, one thread polling non-blocking sockets. It
// listens on monitor.bind:monitor.port for the msgpack protocol (docs/protocol.md:
// length-prefixed frames, one request and one reply each) and, when monitor.prometheus-port
// is set, on monitor.prometheus-bind (default: monitor.bind) for Prometheus scrapes over
// HTTP, which get the metrics text and nothing else. Reads are open to every client;
// control requests (pause, resume, checkpoint, set, stop, kill) need the run's control
// token, and each refused one is logged. Every connection has its own buffers and
// deadlines (client_table.hpp), so a slow, idle or hostile client costs only its own
// connection. With monitor.tls-* set, the protocol port speaks TLS only: clients present a
// certificate of the CA with OU=axon-console (control with the token) or
// OU=axon-console-read (reads only). The thread samples the probes once a second.
#pragma once

#include "runtime/monitor/client_table.hpp"
#include "runtime/monitor/probes.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace axon::monitor {

struct endpoint_options {
  std::string bind = "127.0.0.1";
  int port = 0;             // 0: the system picks a free port
  int prometheus_port = -1; // -1: off, 0: the system picks one
  std::string prometheus_bind; // "": bind
  std::string token;           // the control token
  std::string run_dir;
  client_limits limits;        // monitor.max-connections, ... (client_table.hpp)
  tls_identity tls;            // monitor.tls-*: the protocol over TLS, console roles checked
};

/// Carries out a control request already authorised (op: pause, resume, checkpoint, stop
/// or set). Returns the reply {"ok": true, "result": ...} or {"ok": false, "error": ...}.
using control_fn = std::function<nlohmann::json(const nlohmann::json& request)>;

/// Writes a line to the job's log (refused control attempts, protocol errors).
using log_fn = std::function<void(const std::string&)>;

class endpoint {
public:
  /// Binds both ports and starts the thread. Throws std::runtime_error naming the address.
  endpoint(endpoint_options options, const probe_registry& probes, log_fn log);
  ~endpoint(); // stops the thread and closes every socket
  endpoint(const endpoint&) = delete;
  endpoint& operator=(const endpoint&) = delete;

  int port() const { return port_; }
  int prometheus_port() const { return prometheus_port_; }
  /// Where authorised control requests go; until set they are answered "starting".
  void set_control(control_fn control);

private:
  /// The reply to one decoded request; `peer` names the client in the log.
  /// The reply to one decoded request from `c`; nullopt when an authorised control
  /// request went to the control worker (control_worker.hpp), which replies later.
  std::optional<nlohmann::json> answer(const nlohmann::json& request, client& c);

  struct state;
  void serve();
  void accept_from(int listen_fd, client::protocol kind);
  // Reads what fd has; answers a whole request. False: close the connection.
  bool read_from(client& c);
  // Sends what is queued for fd. False: close the connection.
  bool write_to(client& c);
  // Queues the answer to the frames or HTTP request complete in c.in.
  void answer_buffered(client& c);
  // Queues the control worker's reply for its client.
  void deliver_control_reply();

  endpoint_options options_;
  const probe_registry& probes_;
  std::mutex control_mutex_;
  control_fn control_;
  log_fn log_;
  std::unique_ptr<state> state_;
  int port_ = 0, prometheus_port_ = -1;
  std::thread thread_;
};

} // namespace axon::monitor
