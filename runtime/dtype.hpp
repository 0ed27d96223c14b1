// Element types and devices that a tensor can hold, plus bf16 <-> f32 conversion.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace axon {

enum class dtype : std::uint8_t { f32, bf16, i32 };

/// Bytes per element.
std::size_t dtype_size(dtype t);
/// "f32", "bf16", "i32".
std::string_view dtype_name(dtype t);

/// bfloat16: the upper 16 bits of an IEEE f32. Conversion rounds to nearest even;
/// NaN stays NaN (quiet).
struct bf16 {
  std::uint16_t bits = 0;
};

inline float bf16_to_f32(bf16 x) {
  std::uint32_t u = std::uint32_t{x.bits} << 16;
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

inline bf16 f32_to_bf16(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  if ((u & 0x7fffffffu) > 0x7f800000u) // NaN: keep it a (quiet) NaN
    return bf16{static_cast<std::uint16_t>((u >> 16) | 0x40u)};
  u += 0x7fffu + ((u >> 16) & 1u); // round to nearest, ties to even
  return bf16{static_cast<std::uint16_t>(u >> 16)};
}

/// Where a tensor's bytes live: host memory or the N-th CUDA device.
struct device {
  enum class kind : std::uint8_t { cpu, cuda };
  kind type = kind::cpu;
  int index = 0;

  static device cpu() { return {}; }
  static device cuda(int n) { return {kind::cuda, n}; }
  bool is_cpu() const { return type == kind::cpu; }
  /// "cpu" or "cuda:N".
  std::string to_string() const;
  /// Parses "cpu", "cuda" (= cuda:0) or "cuda:N"; throws std::invalid_argument otherwise.
  static device parse(std::string_view text);
  friend bool operator==(const device&, const device&) = default;
};

} // namespace axon
