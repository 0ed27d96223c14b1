// Seeded tensor initialisation from Philox draws: the same (seed, stream) gives the same
// values on every machine and thread count (used for BERT's N(0, 0.02) weights).
#pragma once

#include "runtime/tensor.hpp"

#include <cstdint>

namespace axon {

/// Fills an f32 tensor with N(mean, std^2) samples (Box-Muller on Philox uniforms).
void fill_normal(const tensor& t, float mean, float std, std::uint64_t seed,
                 std::uint64_t stream);

/// Fills an i32 tensor with integers uniform in [low, high) (high - low < 2^24).
void fill_uniform_int(const tensor& t, std::int32_t low, std::int32_t high, std::uint64_t seed,
                      std::uint64_t stream);

} // namespace axon
