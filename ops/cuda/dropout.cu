// One thread per Philox block (4 consecutive elements): the same draws as
// ops/cpu/dropout.cpp's dropout_scales, through the shared runtime/philox.hpp.
#include "ops/cuda/dropout.hpp"

#include "ops/cuda/kernel_util.cuh"
#include "ops/op_error.hpp"
#include "runtime/philox.hpp"

namespace axon::ops::cuda {

namespace {

__global__ void dropout_kernel(float* y, const float* x, std::int64_t first, std::int64_t n,
                               float p, std::uint64_t seed, std::uint64_t stream,
                               bool accumulate) {
  // Thread t handles the elements whose counter block is first / 4 + t.
  auto block_index = static_cast<std::uint64_t>(first / 4) + std::uint64_t{blockIdx.x} * blockDim.x
                     + threadIdx.x;
  auto block_first = static_cast<std::int64_t>(block_index * 4);
  if (block_first >= first + n)
    return;
  auto bits = dropout_block(block_index, stream, seed);
  const float keep_scale = 1.0f / (1.0f - p);
  for (int word = 0; word < 4; ++word) {
    auto i = block_first + word; // global element index
    if (i < first || i >= first + n)
      continue;
    float scale = uniform_from_bits(bits[word]) >= p ? keep_scale : 0.0f;
    auto local = i - first;
    float v = x[local] * scale;
    y[local] = accumulate ? y[local] + v : v;
  }
}

// Forward and backward: a and b of one shape, both on the stream's device; p in [0, 1).
void check(std::string_view op, std::string_view a_name, const tensor& a,
           std::string_view b_name, const tensor& b, const dropout_spec& spec,
           const op_stream& s) {
  require_same(op, a_name, a, b_name, b);
  require_on(op, a_name, a, s);
  require_on(op, b_name, b, s);
  require(spec.p >= 0.0f && spec.p < 1.0f, op,
          "p must be in [0, 1), got " + std::to_string(spec.p));
}

} // namespace

void apply_dropout(float* y, const float* x, std::int64_t first, std::int64_t n,
                   const dropout_spec& spec, bool accumulate, const op_stream& s) {
  if (n == 0)
    return;
  auto blocks = (first + n + 3) / 4 - first / 4; // Philox blocks touched
  dropout_kernel<<<blocks_for(blocks), threads_per_block, 0, s.get()>>>(
    y, x, first, n, spec.p, spec.seed, spec.stream, accumulate);
  check_launch("dropout");
}

void dropout_forward(const tensor& out, const tensor& inp, const dropout_spec& spec,
                     const op_stream& s) {
  check("dropout_forward", "out", out, "inp", inp, spec, s);
  apply_dropout(out.data<float>(), inp.data<float>(), 0, inp.numel(), spec, false, s);
}

void dropout_backward(const tensor& dinp, const tensor& dout, const dropout_spec& spec,
                      const op_stream& s) {
  check("dropout_backward", "dinp", dinp, "dout", dout, spec, s);
  apply_dropout(dinp.data<float>(), dout.data<float>(), 0, dout.numel(), spec, true, s);
}

} // namespace axon::ops::cuda
