// Block-per-row softmax pieces shared by softmax, attention and cross-entropy kernels.
// Each is called by every thread of a block (blockDim.x a multiple of 32) for one row.
#pragma once

#include "ops/cuda/kernel_util.cuh"

#include <cstdint>

namespace axon::ops::cuda {

/// p = softmax(x) over the entries whose keep[j] != 0 (others get exactly 0); keep may
/// be nullptr (all kept). p may be x.
__device__ inline void softmax_row(float* p, const float* x, const float* keep,
                                   std::int64_t count) {
  float max = -INFINITY;
  for (auto j = std::int64_t{threadIdx.x}; j < count; j += blockDim.x)
    if (keep == nullptr || keep[j] != 0.0f)
      max = fmaxf(max, x[j]);
  max = block_max(max);
  float sum = 0.0f;
  for (auto j = std::int64_t{threadIdx.x}; j < count; j += blockDim.x) {
    float e = keep == nullptr || keep[j] != 0.0f ? expf(x[j] - max) : 0.0f;
    p[j] = e;
    sum += e;
  }
  float inv = 1.0f / block_sum(sum);
  for (auto j = std::int64_t{threadIdx.x}; j < count; j += blockDim.x)
    p[j] *= inv;
}

/// dx (+)= y * (dy - sum(dy * y)) for one row; dx may be dy when overwriting.
__device__ inline void softmax_row_backward(float* dx, const float* dy, const float* y,
                                            std::int64_t count, bool accumulate) {
  float dot = 0.0f;
  for (auto j = std::int64_t{threadIdx.x}; j < count; j += blockDim.x)
    dot += dy[j] * y[j];
  dot = block_sum(dot);
  for (auto j = std::int64_t{threadIdx.x}; j < count; j += blockDim.x) {
    float g = y[j] * (dy[j] - dot);
    dx[j] = accumulate ? dx[j] + g : g;
  }
}

} // namespace axon::ops::cuda
