// Sums of squares: a fixed grid of blocks writes one double partial each, then one block
// adds the partials in order into a device total (deterministic, no atomics).
#include "ops/cuda/clip_grad.hpp"

#include "ops/cuda/kernel_util.cuh"
#include "ops/op_error.hpp"
#include "runtime/cuda/check.hpp"

#include <cmath>

namespace axon::ops::cuda {

namespace {

constexpr int partial_blocks = 256;

__global__ void partial_sums_of_squares(double* partial, const float* g, std::int64_t n) {
  double sum = 0.0;
  for (auto i = std::int64_t{blockIdx.x} * blockDim.x + threadIdx.x; i < n;
       i += std::int64_t{gridDim.x} * blockDim.x)
    sum += double(g[i]) * double(g[i]);
  sum = block_sum(sum);
  if (threadIdx.x == 0)
    partial[blockIdx.x] = sum;
}

__global__ void add_partials(double* total, const double* partial) {
  double sum = block_sum(partial[threadIdx.x]); // blockDim.x == partial_blocks
  if (threadIdx.x == 0)
    *total += sum;
}

__global__ void scale_kernel(float* g, float factor, std::int64_t n) {
  auto i = std::int64_t{blockIdx.x} * blockDim.x + threadIdx.x;
  if (i < n)
    g[i] *= factor;
}

// *total = sum over grads of their sums of squares, read back to the host.
double sum_of_squares(std::span<const tensor> grads, const op_stream& s) {
  auto scratch = s.scratch({2 * (partial_blocks + 1)}); // doubles: total, then partials
  auto* total = static_cast<double*>(scratch.raw());
  auto* partial = total + 1;
  AXON_CUDA_CHECK(cudaMemsetAsync(total, 0, sizeof(double), s.get()));
  for (const auto& g : grads) {
    require_on("clip_grad_norm", "gradient", g, s);
    partial_sums_of_squares<<<partial_blocks, threads_per_block, 0, s.get()>>>(
      partial, g.data<float>(), g.numel());
    add_partials<<<1, partial_blocks, 0, s.get()>>>(total, partial);
  }
  check_launch("clip_grad_norm");
  double result = 0.0;
  AXON_CUDA_CHECK(
    cudaMemcpyAsync(&result, total, sizeof result, cudaMemcpyDeviceToHost, s.get()));
  s.synchronize();
  return result;
}

} // namespace

double grad_sum_of_squares(const tensor& grad, const op_stream& s) {
  return sum_of_squares({&grad, 1}, s);
}

void scale_grad(const tensor& grad, float factor, const op_stream& s) {
  require_on("scale_grad", "gradient", grad, s);
  auto n = grad.numel();
  if (n == 0)
    return;
  scale_kernel<<<blocks_for(n), threads_per_block, 0, s.get()>>>(grad.data<float>(), factor, n);
  check_launch("scale_grad");
}

float clip_grad_norm(std::span<const tensor> grads, float max_norm, const op_stream& s) {
  auto norm = static_cast<float>(std::sqrt(sum_of_squares(grads, s)));
  if (max_norm > 0.0f && norm > max_norm) {
    float factor = max_norm / (norm + 1e-6f);
    for (const auto& g : grads)
      scale_grad(g, factor, s);
  }
  return norm;
}

} // namespace axon::ops::cuda
