// first_rows: a 2-D strided async copy forward; one thread per (row, column) backward.
#include "ops/cuda/first_rows.hpp"

#include "ops/cpu/first_rows.hpp"
#include "ops/cuda/kernel_util.cuh"
#include "runtime/cuda/check.hpp"

namespace axon::ops::cuda {

namespace {

// dx[r*T*C + k] += dy[r*C + k] for r < B, k < C.
__global__ void add_first_rows_kernel(float* dx, const float* dy, std::int64_t b,
                                      std::int64_t t, std::int64_t c) {
  auto i = std::int64_t{blockIdx.x} * blockDim.x + threadIdx.x;
  if (i >= b * c)
    return;
  auto r = i / c, k = i % c;
  dx[r * t * c + k] += dy[i];
}

} // namespace

void first_rows_forward(const tensor& out, const tensor& inp, const op_stream& s) {
  check_first_rows("first_rows_forward", inp, out, s.where());
  const auto b = inp.size(0), t = inp.size(1), c = inp.size(2);
  if (b == 0 || c == 0)
    return;
  const auto row = static_cast<std::size_t>(c) * sizeof(float);
  AXON_CUDA_CHECK(cudaMemcpy2DAsync(out.raw(), row, inp.raw(), row * t, row, b,
                                    cudaMemcpyDeviceToDevice, s.get()));
}

void first_rows_backward(const tensor& dinp, const tensor& dout, const op_stream& s) {
  check_first_rows("first_rows_backward", dinp, dout, s.where());
  const auto b = dinp.size(0), t = dinp.size(1), c = dinp.size(2);
  if (b * c == 0)
    return;
  add_first_rows_kernel<<<blocks_for(b * c), threads_per_block, 0, s.get()>>>(
    dinp.data<float>(), dout.data<float>(), b, t, c);
  check_launch("first_rows_backward");
}

} // namespace axon::ops::cuda
