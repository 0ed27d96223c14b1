// console_connection: connect, and request/reply frames.
#include "apps/axon/console_connection.hpp"

#include "runtime/monitor/control_token.hpp"
#include "runtime/monitor/frames.hpp"
#include "runtime/whole_file.hpp"

#include <cerrno>
#include <fcntl.h>
#include <filesystem>
#include <poll.h>
#include <cstring>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

namespace axon::app {

namespace {

// connect() on a non-blocking socket, waiting at most `timeout`; errno set on failure.
bool connect_within(int fd, const sockaddr* addr, socklen_t len,
                    std::chrono::milliseconds timeout) {
  const int flags = ::fcntl(fd, F_GETFL);
  ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  bool connected = ::connect(fd, addr, len) == 0;
  if (!connected && errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    int error = 0;
    socklen_t error_len = sizeof error;
    if (::poll(&p, 1, int(timeout.count())) <= 0)
      errno = ETIMEDOUT;
    else if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &error_len) == 0 && error != 0)
      errno = error;
    else
      connected = true;
  }
  ::fcntl(fd, F_SETFL, flags);
  return connected;
}

} // namespace

run_endpoint read_run_endpoint(const std::string& run_dir) {
  namespace fs = std::filesystem;
  const auto file = fs::path{run_dir} / "monitor.json";
  if (!fs::exists(file))
    throw std::runtime_error("no monitor.json in " + run_dir
                             + ": is the job running with monitor.port >= 0?");
  auto read = read_whole_file(file, 1 << 20); // a few hundred bytes when the job wrote it
  if (!read.error.empty())
    throw std::runtime_error(file.string() + " " + read.error);
  auto info = nlohmann::json::parse(read.bytes);
  run_endpoint found;
  found.address = info.at("address").get<std::string>();
  found.tls = info.value("tls", false);
  if (const auto token = fs::path{run_dir} / "console.token"; fs::exists(token))
    found.token = monitor::read_token_file(token.string());
  return found;
}

console_connection::console_connection(const std::string& address, std::string token,
                                       std::chrono::milliseconds timeout,
                                       const tls_identity& tls)
  : address_(address), token_(std::move(token)), timeout_(timeout) {
  // Before connecting: a bad file is the user's to fix, whatever the server does.
  auto context = tls.enabled() ? make_tls_context(tls, false, "--tls") : nullptr;
  auto colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size())
    throw std::runtime_error("'" + address + "' is not HOST:PORT");
  auto host = address.substr(0, colon), port = address.substr(colon + 1);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0)
    throw std::runtime_error("cannot resolve " + address + ": " + ::gai_strerror(rc));
  std::string why = "no address";
  int connected = -1;
  for (auto* a = found; a != nullptr; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd >= 0 && connect_within(fd, a->ai_addr, a->ai_addrlen, timeout_)) {
      connected = fd;
      break;
    }
    why = std::strerror(errno);
    if (fd >= 0)
      ::close(fd);
  }
  ::freeaddrinfo(found);
  if (connected < 0)
    throw std::runtime_error("cannot connect to " + address + ": " + why
                             + " (is the job running? its address is in RUN_DIR/monitor.json)");
  try {
    channel_ = std::make_unique<console_channel>(connected, std::move(context), address_,
                                                 std::chrono::steady_clock::now() + timeout_);
  } catch (const monitor::frame_timeout&) {
    throw std::runtime_error("no TLS handshake with " + address_ + " within "
                             + std::to_string(timeout_.count()) + " ms");
  }
}

console_connection::~console_connection() = default;

nlohmann::json console_connection::exchange(const nlohmann::json& request) {
  const auto until = std::chrono::steady_clock::now() + timeout_;
  channel_->send_all(monitor::frame_bytes(request), until);
  unsigned char header[4];
  channel_->read_exactly(reinterpret_cast<char*>(header), 4, until);
  std::string body(monitor::frame_length(header, monitor::reply_limits), '\0');
  channel_->read_exactly(body.data(), body.size(), until);
  return monitor::decode_msgpack(body.data(), body.size(), monitor::reply_limits);
}

nlohmann::json console_connection::call(const std::string& op, nlohmann::json args) {
  args["op"] = op;
  if (!token_.empty())
    args["token"] = token_;
  std::optional<nlohmann::json> reply;
  try {
    reply = exchange(args);
  } catch (const monitor::frame_timeout&) {
    throw std::runtime_error("no whole reply from " + address_ + " within "
                             + std::to_string(timeout_.count())
                             + " ms (is it an Axon job's endpoint? --timeout allows more)");
  }
  if (!reply->is_object() || !reply->contains("ok"))
    throw std::runtime_error("the reply from " + address_ + " is not a protocol reply");
  if (!(*reply)["ok"].get<bool>())
    throw refused_error(reply->value("error", std::string{"refused"}));
  return reply->value("result", nlohmann::json{});
}

} // namespace axon::app
