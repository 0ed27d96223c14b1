// Philox-based fills. Element i uses counter (i / 4, stream) and word i % 4 (uniform ints)
// or words 2(i%2), 2(i%2)+1 of counter (i / 2, stream) (normals: two uniforms each).
#include "runtime/random_fill.hpp"

#include "runtime/philox.hpp"

#include <cmath>
#include <stdexcept>

namespace axon {

namespace {

philox_block draw(std::uint64_t block, std::uint64_t stream, std::uint64_t seed) {
  return philox4x32_10({static_cast<std::uint32_t>(block), static_cast<std::uint32_t>(block >> 32),
                        static_cast<std::uint32_t>(stream),
                        static_cast<std::uint32_t>(stream >> 32)},
                       seed);
}

} // namespace

void fill_normal(const tensor& t, float mean, float std, std::uint64_t seed,
                 std::uint64_t stream) {
  float* out = t.data<float>();
  for (std::int64_t i = 0; i < t.numel(); ++i) {
    auto bits = draw(static_cast<std::uint64_t>(i) / 2, stream, seed);
    int word = 2 * static_cast<int>(i % 2);
    // u1 in (0, 1] so that log(u1) is finite.
    double u1 = (static_cast<double>(bits[word] >> 8) + 1.0) / 16777216.0;
    double u2 = static_cast<double>(bits[word + 1] >> 8) / 16777216.0;
    double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
    out[i] = mean + std * static_cast<float>(z);
  }
}

void fill_uniform_int(const tensor& t, std::int32_t low, std::int32_t high, std::uint64_t seed,
                      std::uint64_t stream) {
  if (high <= low || std::int64_t{high} - low >= (1 << 24))
    throw std::invalid_argument("fill_uniform_int: need low < high and high - low < 2^24");
  auto* out = t.data<std::int32_t>();
  const std::int64_t range = std::int64_t{high} - low;
  for (std::int64_t i = 0; i < t.numel(); ++i) {
    auto bits = draw(static_cast<std::uint64_t>(i) / 4, stream, seed);
    out[i] = low + static_cast<std::int32_t>((std::int64_t{bits[i % 4] >> 8} * range) >> 24);
  }
}

} // namespace axon
