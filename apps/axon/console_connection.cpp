// console_connection: connect, and request/reply frames.
#include "apps/axon/console_connection.hpp"

#include "runtime/monitor/frames.hpp"

#include <cerrno>
#include <cstring>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

namespace axon::app {

console_connection::console_connection(const std::string& address, std::string token)
  : address_(address), token_(std::move(token)) {
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
  for (auto* a = found; a != nullptr; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd >= 0 && ::connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
      fd_ = fd;
      break;
    }
    why = std::strerror(errno);
    if (fd >= 0)
      ::close(fd);
  }
  ::freeaddrinfo(found);
  if (fd_ < 0)
    throw std::runtime_error("cannot connect to " + address + ": " + why
                             + " (is the job running? its address is in RUN_DIR/monitor.json)");
}

console_connection::~console_connection() {
  if (fd_ >= 0)
    ::close(fd_);
}

nlohmann::json console_connection::call(const std::string& op, nlohmann::json args) {
  args["op"] = op;
  if (!token_.empty())
    args["token"] = token_;
  if (!monitor::write_frame(fd_, args))
    throw std::runtime_error("the job at " + address_ + " closed the connection");
  auto reply = monitor::read_frame(fd_, monitor::reply_limits);
  if (!reply)
    throw std::runtime_error("the job at " + address_ + " closed the connection");
  if (!reply->is_object() || !reply->contains("ok"))
    throw std::runtime_error("the reply from " + address_ + " is not a protocol reply");
  if (!(*reply)["ok"].get<bool>())
    throw refused_error(reply->value("error", std::string{"refused"}));
  return reply->value("result", nlohmann::json{});
}

} // namespace axon::app
