// The control token file.
#include "runtime/monitor/control_token.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace axon::monitor {

std::string create_token_file(const std::filesystem::path& file) {
  unsigned char random[32];
  std::ifstream urandom{"/dev/urandom", std::ios::binary};
  if (!urandom.read(reinterpret_cast<char*>(random), sizeof random))
    throw std::runtime_error("cannot read /dev/urandom for the console token");
  static const char* hex = "0123456789abcdef";
  std::string token;
  for (unsigned char b : random) {
    token += hex[b >> 4];
    token += hex[b & 15];
  }
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    throw std::runtime_error("cannot write " + file.string() + ": " + std::strerror(errno));
  const auto line = token + "\n";
  bool ok = ::fchmod(fd, 0600) == 0 && ::write(fd, line.data(), line.size()) == ssize_t(line.size());
  ::close(fd);
  if (!ok)
    throw std::runtime_error("cannot write " + file.string() + ": " + std::strerror(errno));
  return token;
}

std::string read_token_file(const std::filesystem::path& file) {
  std::ifstream in{file};
  std::string token;
  if (!in || !std::getline(in, token) || token.empty())
    throw std::runtime_error("cannot read a console token from " + file.string());
  return token;
}

bool same_token(const std::string& a, const std::string& b) {
  if (a.size() != b.size())
    return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

} // namespace axon::monitor
