// control_worker: see control_worker.hpp.
#include "runtime/monitor/control_worker.hpp"

#include <fcntl.h>
#include <stdexcept>
#include <unistd.h>

namespace axon::monitor {

control_worker::control_worker() {
  if (::pipe2(ready_, O_CLOEXEC | O_NONBLOCK) != 0)
    throw std::runtime_error("monitor: cannot create a pipe");
  thread_ = std::thread{[this] { run(); }};
}

control_worker::~control_worker() {
  {
    std::lock_guard lock{mutex_};
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
  ::close(ready_[0]);
  ::close(ready_[1]);
}

bool control_worker::submit(std::uint64_t id, control_fn control, nlohmann::json request) {
  {
    std::lock_guard lock{mutex_};
    if (busy_)
      return false;
    busy_ = true;
    id_ = id;
    control_ = std::move(control);
    request_ = std::move(request);
  }
  wake_.notify_one();
  return true;
}

std::optional<std::pair<std::uint64_t, nlohmann::json>> control_worker::take() {
  char drained[16];
  while (::read(ready_[0], drained, sizeof drained) > 0) {
  }
  std::lock_guard lock{mutex_};
  auto done = std::move(done_);
  done_.reset();
  return done;
}

void control_worker::run() {
  for (;;) {
    std::unique_lock lock{mutex_};
    wake_.wait(lock, [this] { return stopping_ || (busy_ && control_); });
    if (stopping_)
      return;
    auto control = std::move(control_);
    auto request = std::move(request_);
    const auto id = id_;
    lock.unlock();
    nlohmann::json reply;
    try {
      reply = control(request);
    } catch (const std::exception& e) {
      reply = {{"ok", false}, {"error", e.what()}};
    }
    lock.lock();
    done_.emplace(id, std::move(reply));
    busy_ = false;
    control_ = nullptr;
    lock.unlock();
    char byte = 1;
    (void)!::write(ready_[1], &byte, 1);
  }
}

} // namespace axon::monitor
