// add_into: one thread per element; zero_fill and copy_into: async memset and copy.
#include "ops/cuda/elementwise.hpp"

#include "ops/cuda/kernel_util.cuh"
#include "ops/op_error.hpp"
#include "runtime/cuda/check.hpp"

namespace axon::ops::cuda {

namespace {

__global__ void add_kernel(float* dst, const float* src, std::int64_t n) {
  auto i = std::int64_t{blockIdx.x} * blockDim.x + threadIdx.x;
  if (i < n)
    dst[i] += src[i];
}

} // namespace

void add_into(const tensor& dst, const tensor& src, const op_stream& s) {
  require_same("add_into", "dst", dst, "src", src);
  require_on("add_into", "dst", dst, s);
  require_on("add_into", "src", src, s);
  auto n = dst.numel();
  add_kernel<<<blocks_for(n), threads_per_block, 0, s.get()>>>(dst.data<float>(),
                                                               src.data<float>(), n);
  check_launch("add_into");
}

void zero_fill(const tensor& t, const op_stream& s) {
  require(t.defined() && t.where() == s.where(), "zero_fill",
          "the tensor is " + t.describe() + ", expected one on " + s.where().to_string());
  AXON_CUDA_CHECK(cudaMemsetAsync(t.raw(), 0, t.nbytes(), s.get()));
}

void copy_into(const tensor& dst, const tensor& src, const op_stream& s) {
  require_same("copy_into", "dst", dst, "src", src);
  require(dst.where() == s.where() && src.where() == s.where(), "copy_into",
          "dst and src must be on " + s.where().to_string());
  AXON_CUDA_CHECK(
    cudaMemcpyAsync(dst.raw(), src.raw(), dst.nbytes(), cudaMemcpyDeviceToDevice, s.get()));
}

} // namespace axon::ops::cuda
