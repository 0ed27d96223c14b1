// FNV-1a 64: a fixed, platform-independent hash (std::hash differs between standard
// libraries) for fingerprints: config hashes, token-cache fingerprints, RNG streams.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace axon {

class fnv1a64 {
public:
  fnv1a64& add(std::string_view bytes) {
    for (unsigned char c : bytes)
      value_ = (value_ ^ c) * 1099511628211ull;
    return *this;
  }
  std::uint64_t value() const { return value_; }
  /// 16 lower-case hex digits.
  std::string hex() const {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(16, '0');
    auto v = value_;
    for (int i = 15; i >= 0; --i, v >>= 4)
      out[i] = digits[v & 0xf];
    return out;
  }

private:
  std::uint64_t value_ = 14695981039346656037ull;
};

} // namespace axon
