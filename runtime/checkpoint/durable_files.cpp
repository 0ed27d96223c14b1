// Durable writes (POSIX open/write/fsync) and SHA-256 through OpenSSL's EVP interface.
#include "runtime/checkpoint/durable_files.hpp"

#include <openssl/evp.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <stdexcept>
#include <unistd.h>
#include <vector>

namespace axon::checkpoint {

namespace {

std::runtime_error os_error(const std::filesystem::path& path, const std::string& what) {
  return std::runtime_error(path.string() + ": " + what + ": " + std::strerror(errno));
}

// One SHA-256 computation; throws if libcrypto fails (out of memory, FIPS policy).
class sha256_context {
public:
  sha256_context() : ctx_(EVP_MD_CTX_new(), &EVP_MD_CTX_free) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1)
      throw std::runtime_error("SHA-256: OpenSSL could not start a digest");
  }
  void update(const void* bytes, std::size_t n) {
    if (EVP_DigestUpdate(ctx_.get(), bytes, n) != 1)
      throw std::runtime_error("SHA-256: OpenSSL digest update failed");
  }
  std::string hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_DigestFinal_ex(ctx_.get(), digest, &n) != 1)
      throw std::runtime_error("SHA-256: OpenSSL digest final failed");
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < n; ++i) {
      out += digits[digest[i] >> 4];
      out += digits[digest[i] & 15];
    }
    return out;
  }

private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
};

} // namespace

std::string sha256_hex(std::string_view bytes) {
  sha256_context sha;
  sha.update(bytes.data(), bytes.size());
  return sha.hex();
}

file_digest digest_file(const std::filesystem::path& file) {
  int fd = ::open(file.c_str(), O_RDONLY);
  if (fd < 0)
    throw os_error(file, "cannot open for reading");
  sha256_context sha;
  file_digest result;
  std::vector<char> chunk(std::size_t{1} << 20);
  for (;;) {
    auto n = ::read(fd, chunk.data(), chunk.size());
    if (n < 0) {
      auto error = os_error(file, "read failed");
      ::close(fd);
      throw error;
    }
    if (n == 0)
      break;
    sha.update(chunk.data(), static_cast<std::size_t>(n));
    result.bytes += static_cast<std::uint64_t>(n);
  }
  ::close(fd);
  result.sha256 = sha.hex();
  return result;
}

void write_file_durably(const std::filesystem::path& file, std::string_view bytes) {
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0)
    throw os_error(file, "cannot open for writing");
  const char* p = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    auto written = ::write(fd, p, left);
    if (written < 0) {
      auto error = os_error(file, "write failed");
      ::close(fd);
      throw error;
    }
    p += written;
    left -= static_cast<std::size_t>(written);
  }
  if (::fsync(fd) != 0) {
    auto error = os_error(file, "fsync failed");
    ::close(fd);
    throw error;
  }
  if (::close(fd) != 0)
    throw os_error(file, "close failed");
}

void fsync_folder(const std::filesystem::path& folder) {
  int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0)
    throw os_error(folder, "cannot open folder to fsync it");
  if (::fsync(fd) != 0) {
    auto error = os_error(folder, "fsync of the folder failed");
    ::close(fd);
    throw error;
  }
  ::close(fd);
}

} // namespace axon::checkpoint
