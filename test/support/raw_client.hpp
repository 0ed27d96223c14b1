// A hostile client for the network abuse tests: raw TCP connections to 127.0.0.1 that send
// what a test wants (garbage, a header claiming gigabytes, a frame cut short, one byte at a
// time), and a reader that waits a bounded time for the server to answer or hang up.
// Also the resident memory of a process (/proc/PID/status VmRSS).
#pragma once

#include <arpa/inet.h>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <netinet/in.h>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

namespace axon::test {

/// One TCP connection to 127.0.0.1:port; closed when destroyed.
class raw_client {
public:
  explicit raw_client(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(std::uint16_t(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~raw_client() { ::close(fd_); }
  raw_client(const raw_client&) = delete;
  raw_client& operator=(const raw_client&) = delete;

  bool connected() const { return connected_; }
  int fd() const { return fd_; }
  /// Whether all of `bytes` went out (false once the server has closed the connection).
  bool send(const std::string& bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == ssize_t(bytes.size());
  }
  /// What arrives within `limit`, until the server closes the connection (closed() is
  /// then true) or `max_bytes` have arrived.
  std::string receive(std::chrono::milliseconds limit, std::size_t max_bytes = 1 << 20) {
    std::string got;
    const auto end = std::chrono::steady_clock::now() + limit;
    while (got.size() < max_bytes) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        end - std::chrono::steady_clock::now());
      if (left.count() <= 0)
        break;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, int(left.count())) <= 0)
        break;
      char buffer[65536];
      auto n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      got.append(buffer, std::size_t(n));
    }
    return got;
  }
  /// Waits up to `limit` for the server to close the connection (reading what it sends).
  bool closed_within(std::chrono::milliseconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!closed_ && std::chrono::steady_clock::now() < end)
      receive(std::chrono::duration_cast<std::chrono::milliseconds>(
        end - std::chrono::steady_clock::now()));
    return closed_;
  }
  bool closed() const { return closed_; }

private:
  int fd_ = -1;
  bool connected_ = false, closed_ = false;
};

/// Resident memory of process `pid` in MiB (VmRSS), -1 when it is gone.
inline double rss_mib(pid_t pid) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/status"};
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmRSS:", 0) == 0)
      return std::stod(line.substr(6)) / 1024.0;
  return -1;
}

/// Whether process `pid` still runs (and is not a zombie).
inline bool alive(pid_t pid) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/stat"};
  std::string pid_text, name, state;
  return in >> pid_text >> name >> state && state != "Z";
}

} // namespace axon::test
