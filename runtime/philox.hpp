// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11),
// the counter-based generator that cuRAND and PyTorch's CUDA backend use. A random value
// is a pure function of (key, counter), so every element, replica and thread draws its
// own numbers with no shared state: dropout masks can be regenerated in backward and
// are identical wherever the op runs (host and CUDA kernels share this code).
#pragma once

#include "runtime/host_device.hpp"

#include <array>
#include <cstdint>

namespace axon {

using philox_block = std::array<std::uint32_t, 4>;

AXON_HOST_DEVICE inline philox_block philox4x32_10(philox_block counter, std::uint64_t key64) {
  constexpr std::uint32_t mul0 = 0xD2511F53u, mul1 = 0xCD9E8D57u;
  constexpr std::uint32_t weyl0 = 0x9E3779B9u, weyl1 = 0xBB67AE85u;
  std::uint32_t k0 = static_cast<std::uint32_t>(key64);
  std::uint32_t k1 = static_cast<std::uint32_t>(key64 >> 32);
  for (int round = 0; round < 10; ++round) {
    std::uint64_t p0 = std::uint64_t{mul0} * counter[0];
    std::uint64_t p1 = std::uint64_t{mul1} * counter[2];
    counter = {static_cast<std::uint32_t>(p1 >> 32) ^ counter[1] ^ k0, static_cast<std::uint32_t>(p1),
               static_cast<std::uint32_t>(p0 >> 32) ^ counter[3] ^ k1, static_cast<std::uint32_t>(p0)};
    k0 += weyl0;
    k1 += weyl1;
  }
  return counter;
}

/// The four draws of dropout block `block` (draw offsets 4*block .. 4*block+3 within one
/// example) at dropout site `site` of the example keyed `example`, under `seed`: the
/// counter is (block, site, example) (32, 32 and 64 bits). What the draws depend on is
/// only the example, the site and the offset in the example: never the shard, micro-batch,
/// actor or the batch's padded length (ops/cpu/dropout.hpp numbers the offsets).
AXON_HOST_DEVICE inline philox_block dropout_block(std::uint64_t example, std::uint32_t site,
                                                   std::uint32_t block, std::uint64_t seed) {
  philox_block counter{block, site, static_cast<std::uint32_t>(example),
                       static_cast<std::uint32_t>(example >> 32)};
  return philox4x32_10(counter, seed);
}

/// Uniform float in [0, 1) from the top 24 bits of a 32-bit draw (exactly representable).
AXON_HOST_DEVICE inline float uniform_from_bits(std::uint32_t bits) {
  return static_cast<float>(bits >> 8) * (1.0f / 16777216.0f);
}

} // namespace axon
