// One thread per Philox block (4 consecutive draw offsets of one example): the same draws
// as ops/cpu/dropout.cpp's dropout_scales, through the shared runtime/philox.hpp.
#include "ops/cuda/dropout.hpp"

#include "ops/cuda/kernel_util.cuh"
#include "ops/op_error.hpp"
#include "runtime/philox.hpp"

namespace axon::ops::cuda {

namespace {

struct draw_params {
  float p;
  std::uint64_t seed, first_example;
  std::uint32_t site;
};

__device__ float keep_scale_of(std::uint32_t bits, float p) {
  return uniform_from_bits(bits) >= p ? 1.0f / (1.0f - p) : 0.0f;
}

// Thread k handles block k % blocks_per_row of row k / blocks_per_row: offsets
// 4 * block .. 4 * block + 3 of the row (those below per_row).
__global__ void dropout_kernel(float* y, const float* x, std::int64_t rows,
                               std::int64_t per_row, draw_params drop, bool accumulate) {
  const auto blocks_per_row = (per_row + 3) / 4;
  const auto k = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (k >= rows * blocks_per_row)
    return;
  const auto r = k / blocks_per_row, block = k % blocks_per_row;
  auto bits = dropout_block(drop.first_example + static_cast<std::uint64_t>(r), drop.site,
                            static_cast<std::uint32_t>(block), drop.seed);
  for (int word = 0; word < 4; ++word) {
    const auto offset = block * 4 + word;
    if (offset >= per_row)
      break;
    const auto i = r * per_row + offset;
    const float v = x[i] * keep_scale_of(bits[word], drop.p);
    y[i] = accumulate ? y[i] + v : v;
  }
}

// Thread k handles 4 keys j = 4 * block .. of one probability row (b, h, i), k =
// ((b * NH + h) * T + i) * blocks_per_row + block. attention_draw_stride is a multiple of
// 4, so those keys share one Philox block.
__global__ void attention_dropout_kernel(float* y, const float* x, std::int64_t b,
                                         std::int64_t nh, std::int64_t t, draw_params drop,
                                         bool accumulate) {
  const auto blocks_per_row = (t + 3) / 4;
  const auto k = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (k >= b * nh * t * blocks_per_row)
    return;
  const auto line = k / blocks_per_row, block = k % blocks_per_row;
  const auto bi = line / (nh * t), h = line / t % nh, i = line % t;
  const auto first_offset = attention_draw_offset(h, i, block * 4);
  auto bits = dropout_block(drop.first_example + static_cast<std::uint64_t>(bi), drop.site,
                            static_cast<std::uint32_t>(first_offset / 4), drop.seed);
  for (int word = 0; word < 4; ++word) {
    const auto j = block * 4 + word;
    if (j >= t)
      break;
    const auto at = line * t + j;
    const float v = x[at] * keep_scale_of(bits[word], drop.p);
    y[at] = accumulate ? y[at] + v : v;
  }
}

draw_params params_of(const dropout_spec& spec) {
  return {spec.p, spec.seed, spec.first_example, spec.site};
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

// The elements of one example (row of dimension 0) of `t`.
std::int64_t row_elements(const tensor& t) {
  return t.rank() == 0 || t.size(0) == 0 ? 1 : t.numel() / t.size(0);
}

void apply_whole(std::string_view op, float* y, const tensor& x, const dropout_spec& spec,
                 bool accumulate, const op_stream& s) {
  const auto per_row = row_elements(x);
  require(per_row <= max_draw_offset, op,
          "an example has " + std::to_string(per_row) + " elements, over the "
            + std::to_string(max_draw_offset) + " that dropout can number");
  apply_dropout(y, x.data<float>(), per_row == 0 ? 0 : x.numel() / per_row, per_row, spec,
                accumulate, s);
}

} // namespace

void apply_dropout(float* y, const float* x, std::int64_t rows, std::int64_t per_row,
                   const dropout_spec& spec, bool accumulate, const op_stream& s) {
  const auto threads = rows * ((per_row + 3) / 4);
  if (threads == 0)
    return;
  dropout_kernel<<<blocks_for(threads), threads_per_block, 0, s.get()>>>(
    y, x, rows, per_row, params_of(spec), accumulate);
  check_launch("dropout");
}

void apply_attention_dropout(float* y, const float* x, std::int64_t b, std::int64_t nh,
                             std::int64_t t, const dropout_spec& spec, bool accumulate,
                             const op_stream& s) {
  const auto threads = b * nh * t * ((t + 3) / 4);
  if (threads == 0)
    return;
  attention_dropout_kernel<<<blocks_for(threads), threads_per_block, 0, s.get()>>>(
    y, x, b, nh, t, params_of(spec), accumulate);
  check_launch("attention dropout");
}

void dropout_forward(const tensor& out, const tensor& inp, const dropout_spec& spec,
                     const op_stream& s) {
  check("dropout_forward", "out", out, "inp", inp, spec, s);
  apply_whole("dropout_forward", out.data<float>(), inp, spec, false, s);
}

void dropout_backward(const tensor& dinp, const tensor& dout, const dropout_spec& spec,
                      const op_stream& s) {
  check("dropout_backward", "dinp", dinp, "dout", dout, spec, s);
  apply_whole("dropout_backward", dinp.data<float>(), dout, spec, true, s);
}

} // namespace axon::ops::cuda
