// Helpers shared by the CUDA kernels: launch sizes and block-wide sums.
#pragma once

#include <cstdint>

namespace axon::ops::cuda {

constexpr int threads_per_block = 256;

/// Blocks of `threads` covering n elements; at least one, as a launch of zero blocks is an
/// error (kernels check their index against n).
inline unsigned blocks_for(std::int64_t n, int threads = threads_per_block) {
  return n <= threads ? 1u : static_cast<unsigned>((n + threads - 1) / threads);
}

/// Sum of `v` over the block (blockDim.x a multiple of 32, at most 1024); every thread
/// gets the total. Uses 32 elements of shared memory per call site.
template <class T>
__device__ T block_sum(T v) {
  __shared__ T warp_sums[32];
  for (int offset = 16; offset > 0; offset /= 2)
    v += __shfl_xor_sync(0xffffffffu, v, offset);
  int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  __syncthreads(); // warp_sums may still be read by a previous call
  if (lane == 0)
    warp_sums[warp] = v;
  __syncthreads();
  T total = 0;
  for (int w = 0; w < int(blockDim.x / 32); ++w)
    total += warp_sums[w];
  return total;
}

/// Maximum of `v` over the block (same rules as block_sum).
__device__ inline float block_max(float v) {
  __shared__ float warp_max[32];
  for (int offset = 16; offset > 0; offset /= 2)
    v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, offset));
  int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  __syncthreads();
  if (lane == 0)
    warp_max[warp] = v;
  __syncthreads();
  float total = -INFINITY;
  for (int w = 0; w < int(blockDim.x / 32); ++w)
    total = fmaxf(total, warp_max[w]);
  return total;
}

} // namespace axon::ops::cuda
