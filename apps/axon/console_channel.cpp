// console_channel: see console_channel.hpp.
#include "apps/axon/console_channel.hpp"

#include "runtime/monitor/frames.hpp"
#include "runtime/tls/tls_role.hpp"

#include <fcntl.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace axon::app {

console_channel::console_channel(int fd, std::shared_ptr<ssl_ctx_st> tls,
                                 const std::string& address, deadline until)
  : fd_(fd), address_(address) {
  ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
  if (!tls)
    return;
  tls_ = std::make_unique<tls_stream>(std::move(tls), fd_, false);
  for (auto r = tls_->handshake(); r.status != tls_stream::state::moved; r = tls_->handshake())
    wait(r, until);
  auto* cert = tls_->peer_certificate();
  if (role_of(cert) != tls_role::coordinator)
    throw std::runtime_error("the endpoint at " + address_ + " presents a certificate ("
                             + who(cert) + ") that is not OU=" + role_unit(tls_role::coordinator));
}

console_channel::~console_channel() {
  tls_.reset();
  ::close(fd_);
}

void console_channel::wait(const tls_stream::result& r, deadline until) {
  if (r.status == tls_stream::state::closed)
    throw std::runtime_error("the job at " + address_ + " closed the connection"
                             + (tls_ && !tls_->failure().empty() ? " (" + tls_->failure() + ")"
                                                                 : std::string{}));
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
    until - std::chrono::steady_clock::now());
  pollfd p{fd_, short(r.status == tls_stream::state::want_write ? POLLOUT : POLLIN), 0};
  if (left.count() <= 0 || ::poll(&p, 1, int(left.count()) + 1) == 0)
    throw monitor::frame_timeout("no complete transfer within the time allowed");
}

void console_channel::send_all(const std::string& bytes, deadline until) {
  for (std::size_t sent = 0; sent < bytes.size();) {
    auto r = tls_ ? tls_->write(bytes.data() + sent, bytes.size() - sent)
                  : socket_result(::send(fd_, bytes.data() + sent, bytes.size() - sent,
                                         MSG_NOSIGNAL), false);
    if (r.status == tls_stream::state::moved)
      sent += r.bytes;
    else
      wait(r, until);
  }
}

void console_channel::read_exactly(char* data, std::size_t size, deadline until) {
  while (size > 0) {
    auto r = tls_ ? tls_->read(data, size) : socket_result(::recv(fd_, data, size, 0), true);
    if (r.status != tls_stream::state::moved) {
      wait(r, until);
      continue;
    }
    data += r.bytes;
    size -= r.bytes;
  }
}

} // namespace axon::app
