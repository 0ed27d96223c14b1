// Two passes: block (x, y) sums columns [256x, 256x+256) over row chunk y into
// partial (chunks, cols); then one thread per column adds the chunks in order.
#include "ops/cuda/column_sums.hpp"

#include "ops/cuda/kernel_util.cuh"

namespace axon::ops::cuda {

namespace {

constexpr std::int64_t rows_per_chunk = 64;

__global__ void chunk_column_sums(double* partial, const float* in, std::int64_t rows,
                                  std::int64_t cols) {
  auto col = std::int64_t{blockIdx.x} * blockDim.x + threadIdx.x;
  if (col >= cols)
    return;
  auto first = std::int64_t{blockIdx.y} * rows_per_chunk;
  auto last = min(first + rows_per_chunk, rows);
  double sum = 0.0;
  for (auto r = first; r < last; ++r)
    sum += in[r * cols + col];
  partial[std::int64_t{blockIdx.y} * cols + col] = sum;
}

__global__ void add_chunk_sums(float* out, const double* partial, std::int64_t chunks,
                               std::int64_t cols) {
  auto col = std::int64_t{blockIdx.x} * blockDim.x + threadIdx.x;
  if (col >= cols)
    return;
  double sum = 0.0;
  for (std::int64_t c = 0; c < chunks; ++c)
    sum += partial[c * cols + col];
  out[col] += static_cast<float>(sum);
}

} // namespace

void add_column_sums(float* out, const float* in, std::int64_t rows, std::int64_t cols,
                     const op_stream& s) {
  if (rows == 0 || cols == 0)
    return;
  auto chunks = (rows + rows_per_chunk - 1) / rows_per_chunk;
  auto partial = s.scratch({chunks * cols * 2}); // doubles: two f32 slots each
  auto* sums = static_cast<double*>(partial.raw());
  chunk_column_sums<<<dim3(blocks_for(cols), unsigned(chunks)), threads_per_block, 0, s.get()>>>(
    sums, in, rows, cols);
  add_chunk_sums<<<blocks_for(cols), threads_per_block, 0, s.get()>>>(out, sums, chunks, cols);
  check_launch("column sums");
}

} // namespace axon::ops::cuda
