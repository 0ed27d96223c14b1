// gather_rows: one thread per element of the picked rows.
#include "ops/cuda/gather_rows.hpp"

#include "ops/cpu/gather_rows.hpp"
#include "ops/cuda/kernel_util.cuh"

namespace axon::ops::cuda {

namespace {

__device__ std::int64_t checked_row(const std::int32_t* index, std::int64_t k, std::int64_t rows,
                                    int* fault) {
  const std::int64_t row = index[k];
  if (row >= 0 && row < rows)
    return row;
  atomicCAS(fault, 0, int(device_fault::index_out_of_range));
  return -1;
}

__global__ void gather_kernel(float* y, const float* x, const std::int32_t* index,
                              std::int64_t n, std::int64_t c, std::int64_t rows, int* fault) {
  auto e = std::int64_t{blockIdx.x} * blockDim.x + threadIdx.x;
  if (e >= n * c)
    return;
  const auto row = checked_row(index, e / c, rows, fault);
  y[e] = row < 0 ? 0.0f : x[row * c + e % c];
}

__global__ void scatter_add_kernel(float* dx, const float* dy, const std::int32_t* index,
                                   std::int64_t n, std::int64_t c, std::int64_t rows,
                                   int* fault) {
  auto e = std::int64_t{blockIdx.x} * blockDim.x + threadIdx.x;
  if (e >= n * c)
    return;
  const auto row = checked_row(index, e / c, rows, fault);
  if (row >= 0)
    atomicAdd(dx + row * c + e % c, dy[e]);
}

} // namespace

void gather_rows_forward(const tensor& out, const tensor& inp, const tensor& index,
                         const op_stream& s) {
  const auto rows = check_gather_rows("gather_rows_forward", inp, out, index, s.where());
  const auto n = out.size(0), c = out.size(1);
  if (n * c == 0)
    return;
  gather_kernel<<<blocks_for(n * c), threads_per_block, 0, s.get()>>>(
    out.data<float>(), inp.data<float>(), index.data<std::int32_t>(), n, c, rows,
    s.fault_word());
  check_launch("gather_rows_forward");
}

void gather_rows_backward(const tensor& dinp, const tensor& dout, const tensor& index,
                          const op_stream& s) {
  const auto rows = check_gather_rows("gather_rows_backward", dinp, dout, index, s.where());
  const auto n = dout.size(0), c = dout.size(1);
  if (n * c == 0)
    return;
  scatter_add_kernel<<<blocks_for(n * c), threads_per_block, 0, s.get()>>>(
    dinp.data<float>(), dout.data<float>(), index.data<std::int32_t>(), n, c, rows,
    s.fault_word());
  check_launch("gather_rows_backward");
}

} // namespace axon::ops::cuda
