// exp and erf written so that the compiler vectorizes loops over them (no libm calls;
// clamps as selects, which GCC if-converts under -fno-trapping-math, set for ops/).
// Always inlined: simd_kernels.inc builds them once per instruction set, and an
// out-of-line copy would be shared between those builds by the linker.
// Accuracy: exp_approx within 2 ulp (Cephes expf polynomial); erf_approx within 1.5e-7
// absolute (Abramowitz & Stegun 7.1.26, as PyTorch's AVX2 erf).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

namespace axon::ops {

[[gnu::always_inline]] inline float exp_approx(float x) {
  // exp(x) = 2^n * exp(r), n = round(x / ln 2), r = x - n ln 2 in [-ln2/2, ln2/2].
  x = x < -87.3f ? -87.3f : x;
  x = x > 88.3f ? 88.3f : x;
  float n = std::floor(x * 1.44269504088896341f + 0.5f);
  float r = x - n * 0.693359375f;    // ln 2 split in two parts so that
  r = r - n * -2.12194440e-4f;       // n * ln2 is exact to float precision
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  std::int32_t scale_bits = (static_cast<std::int32_t>(n) + 127) << 23; // 2^n
  float scale;
  std::memcpy(&scale, &scale_bits, sizeof scale);
  return p * scale;
}

[[gnu::always_inline]] inline float erf_approx(float x) {
  // erf(|x|) = 1 - t (a1 + t (a2 + ...)) exp(-x^2), t = 1 / (1 + p |x|); odd in x.
  float ax = x < 0.0f ? -x : x;
  float t = 1.0f / (1.0f + 0.3275911f * ax);
  float poly = 1.061405429f;
  poly = poly * t - 1.453152027f;
  poly = poly * t + 1.421413741f;
  poly = poly * t - 0.284496736f;
  poly = poly * t + 0.254829592f;
  float y = 1.0f - poly * t * exp_approx(-ax * ax);
  return x < 0.0f ? -y : y;
}

} // namespace axon::ops
