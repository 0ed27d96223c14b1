// client_table: see client_table.hpp.
#include "runtime/monitor/client_table.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace axon::monitor {

namespace {

std::int64_t ns(std::chrono::milliseconds t) {
  return std::int64_t(t.count()) * 1000000;
}

} // namespace

void name_peer(int fd, std::string& host, std::string& peer) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  host = peer = "?";
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    return;
  char text[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (addr.ss_family == AF_INET) {
    auto* a = reinterpret_cast<sockaddr_in*>(&addr);
    ::inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
    port = ntohs(a->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&addr);
    ::inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof text);
    port = ntohs(a->sin6_port);
  }
  host = text;
  peer = host + ":" + std::to_string(port);
}

client_table::~client_table() {
  for (const auto& [fd, c] : clients_)
    ::close(fd);
}

std::vector<std::string> client_table::admit(int fd, client::protocol kind, std::int64_t now_ns) {
  client c;
  c.fd = fd;
  c.id = next_id_++;
  c.kind = kind;
  c.last_active_ns = now_ns;
  name_peer(fd, c.host, c.peer);
  std::vector<std::string> evicted;
  std::size_t same_host = 0;
  for (const auto& [other_fd, other] : clients_)
    same_host += other.host == c.host;
  auto evict = [&](int victim, const char* why) {
    if (victim < 0)
      return;
    evicted.push_back(clients_.at(victim).peer + " (" + why + ", to admit " + c.peer + ")");
    close(victim);
  };
  if (same_host >= limits_.max_per_client)
    evict(quietest(&c.host), "quiet longest of its address");
  if (clients_.size() >= limits_.max_connections)
    evict(quietest(nullptr), "quiet longest");
  clients_.emplace(fd, std::move(c));
  return evicted;
}

client* client_table::find_id(std::uint64_t id) {
  for (auto& [fd, c] : clients_)
    if (c.id == id)
      return &c;
  return nullptr;
}

client* client_table::find(int fd) {
  auto it = clients_.find(fd);
  return it == clients_.end() ? nullptr : &it->second;
}

void client_table::close(int fd) {
  if (clients_.erase(fd) != 0)
    ::close(fd);
}

std::int64_t client_table::idle_deadline(const client& c) const {
  return c.last_active_ns + ns(limits_.idle_timeout);
}

bool client_table::replies_under_way() const {
  for (const auto& [fd, c] : clients_)
    if (c.awaiting_control || c.replying())
      return true;
  return false;
}

std::vector<std::string> client_table::expire(std::int64_t now_ns) {
  std::vector<std::string> closed;
  for (auto it = clients_.begin(); it != clients_.end();) {
    const auto& c = it->second;
    const char* why = nullptr;
    if (c.deadline_ns != 0 && now_ns >= c.deadline_ns)
      why = c.replying() ? "did not take its reply in time (monitor.frame-timeout)"
                         : "did not send a whole request in time (monitor.frame-timeout)";
    else if (!c.awaiting_control && now_ns >= idle_deadline(c))
      why = "idle (monitor.idle-timeout)";
    if (why == nullptr) {
      ++it;
      continue;
    }
    closed.push_back(c.peer + ": " + why);
    ::close(it->first);
    it = clients_.erase(it);
  }
  return closed;
}

std::int64_t client_table::next_deadline(std::int64_t later) const {
  for (const auto& [fd, c] : clients_) {
    if (c.deadline_ns != 0 && c.deadline_ns < later)
      later = c.deadline_ns;
    if (!c.awaiting_control && idle_deadline(c) < later)
      later = idle_deadline(c);
  }
  return later;
}

void client_table::frame_started(client& c, std::int64_t now_ns) const {
  c.deadline_ns = now_ns + ns(limits_.frame_timeout);
}

void client_table::reply_queued(client& c, std::int64_t now_ns) const {
  const auto mib = std::int64_t((c.out.size() - c.sent) >> 20);
  c.deadline_ns = now_ns + ns(limits_.frame_timeout) + mib * 1000000000;
}

int client_table::quietest(const std::string* host) const {
  int victim = -1;
  std::int64_t oldest = 0;
  for (const auto& [fd, c] : clients_)
    if ((host == nullptr || c.host == *host) && (victim < 0 || c.last_active_ns < oldest)) {
      victim = fd;
      oldest = c.last_active_ns;
    }
  return victim;
}

} // namespace axon::monitor
