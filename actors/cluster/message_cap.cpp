// message_cap: see message_cap.hpp.
#include "actors/cluster/message_cap.hpp"

#include <sys/socket.h>

namespace axon {

namespace {

std::string mib(std::size_t bytes) {
  return std::to_string((bytes + (std::size_t{1} << 20) - 1) >> 20) + " MiB";
}

} // namespace

read_admission::read_admission(std::shared_ptr<const message_cap> cap, int fd)
  : cap_(std::move(cap)), fd_(fd) {
  std::lock_guard lock{handshakes_mutex_};
  slot_ = handshakes_.insert(handshakes_.end(), this);
}

read_admission::~read_admission() {
  held_by_all_ -= held_;
  leave_handshake();
}

void read_admission::leave_handshake() {
  std::lock_guard lock{handshakes_mutex_};
  if (in_handshake_)
    handshakes_.erase(slot_);
  in_handshake_ = false;
}

void read_admission::read_done() {
  if (++reads_done_ == 2)
    leave_handshake();
}

bool read_admission::make_room_for_handshake(const message_cap& cap) {
  std::lock_guard lock{handshakes_mutex_};
  if (handshakes_.size() < max_handshakes)
    return false;
  auto* oldest = handshakes_.front();
  handshakes_.pop_front();
  oldest->in_handshake_ = false;
  ::shutdown(oldest->fd_, SHUT_RDWR);
  if (cap.log)
    cap.log("closed the oldest of " + std::to_string(max_handshakes)
            + " connections still in their handshake, to take in a new one");
  return true;
}

std::size_t read_admission::in_handshake() {
  std::lock_guard lock{handshakes_mutex_};
  return handshakes_.size();
}

std::string read_admission::admit(std::size_t bytes) {
  if (bytes <= held_)
    return "";
  if (reads_done_ < 2 && bytes > handshake_read_bytes)
    return "a handshake frame of " + std::to_string(bytes) + " bytes (at most "
           + std::to_string(handshake_read_bytes) + " before a peer is known)";
  if (bytes > cap_->max_message_bytes)
    return "a message of " + std::to_string(bytes) + " bytes, over cluster.max-message-mb ("
           + mib(cap_->max_message_bytes) + "; raise it on every process of the cluster if "
           "the job really sends such messages)";
  const auto more = bytes - held_;
  auto before = held_by_all_.load();
  do {
    if (before + more > cap_->max_held_bytes())
      return "a message of " + std::to_string(bytes) + " bytes while connections already hold "
             + mib(before) + " of read buffers (at most (cluster.nodes + 1) x "
             "cluster.max-message-mb: " + mib(cap_->max_held_bytes()) + ")";
  } while (!held_by_all_.compare_exchange_weak(before, before + more));
  held_ = bytes;
  return "";
}

} // namespace axon
