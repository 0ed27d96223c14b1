// Seeded randomness that gives the same numbers on every machine and standard library:
// std::mt19937_64 is specified to the bit, but std::shuffle and the std distributions
// are not, so splits, shuffles and the generated data use these instead.
#pragma once

#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace axon::data {

/// Uniform in [0, bound) by rejection (no modulo bias); bound > 0.
inline std::uint64_t uniform_below(std::mt19937_64& rng, std::uint64_t bound) {
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % bound; // multiple of bound
  std::uint64_t draw;
  do
    draw = rng();
  while (draw >= limit);
  return draw % bound;
}

/// Uniform in [0, 1) with 53 random bits.
inline double uniform_unit(std::mt19937_64& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

/// Fisher-Yates, from the back.
template <class T>
void seeded_shuffle(std::vector<T>& items, std::mt19937_64& rng) {
  for (std::size_t i = items.size(); i > 1; --i)
    std::swap(items[i - 1], items[uniform_below(rng, i)]);
}

/// A seed for stream `stream` of `seed` (splitmix64 of both): independent generators
/// per epoch or per part without storing generator state.
inline std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream) {
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ull * (stream + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

} // namespace axon::data
