// Dropout forward/backward from Philox draws (see runtime/philox.hpp).
#include "ops/cpu/dropout.hpp"

#include "ops/cpu/simd_kernels.hpp"
#include "ops/op_error.hpp"
#include "runtime/compute_pool.hpp"
#include "runtime/philox.hpp"

#include <algorithm>
#include <array>

namespace axon::ops {

namespace {

constexpr std::int64_t grain = 4096; // a multiple of 4: chunks start on a Philox block

void check_p(std::string_view op, const dropout_spec& spec) {
  require(spec.p >= 0.0f && spec.p < 1.0f, op,
          "p must be in [0, 1), got " + std::to_string(spec.p));
}

// Applies y[i] (+)= x[i] * scale(i) over the whole tensor in blocks of `block` elements.
void apply_mask(float* y, const float* x, std::int64_t n, const dropout_spec& spec,
                bool accumulate) {
  auto scale_by = simd().scale;
  parallel_for((n + 3) / 4, grain / 4, [=](std::int64_t begin, std::int64_t end) {
    constexpr std::int64_t block = 256;
    std::array<float, block> scale;
    for (auto i = begin * 4; i < std::min(end * 4, n); i += block) {
      auto count = std::min(block, n - i);
      dropout_scales(scale.data(), i, count, spec);
      scale_by(y + i, x + i, scale.data(), count, accumulate);
    }
  });
}

// Applies y (+)= x * scale to packed rows (N,C) whose draws are those of padded row
// index[r]; chunks of `block` columns.
void apply_row_mask(float* y, const float* x, const std::int32_t* index, std::int64_t n,
                    std::int64_t c, const dropout_spec& spec, bool accumulate) {
  auto scale_by = simd().scale;
  parallel_for(n, 8, [=](std::int64_t begin, std::int64_t end) {
    constexpr std::int64_t block = 256;
    std::array<float, block> scale;
    for (auto r = begin; r < end; ++r)
      for (std::int64_t j = 0; j < c; j += block) {
        auto count = std::min(block, c - j);
        dropout_scales(scale.data(), std::int64_t{index[r]} * c + j, count, spec);
        scale_by(y + r * c + j, x + r * c + j, scale.data(), count, accumulate);
      }
  });
}

// Packed rows (N,C) and their index (N) i32; returns C.
std::int64_t check_rows(std::string_view op, const tensor& a, const tensor& b,
                        const tensor& index, const dropout_spec& spec) {
  require_same(op, "out", a, "inp", b);
  require(a.type() == dtype::f32 && a.rank() == 2, op,
          "inp is " + a.describe() + ", expected packed rows f32 (N,C)");
  require_tensor(op, "index", index, {a.size(0)}, dtype::i32);
  check_p(op, spec);
  return a.size(1);
}

} // namespace

void dropout_forward_rows(const tensor& out, const tensor& inp, const tensor& index,
                          const dropout_spec& spec) {
  auto c = check_rows("dropout_forward_rows", out, inp, index, spec);
  apply_row_mask(out.data<float>(), inp.data<float>(), index.data<std::int32_t>(), inp.size(0),
                 c, spec, false);
}

void dropout_backward_rows(const tensor& dinp, const tensor& dout, const tensor& index,
                           const dropout_spec& spec) {
  auto c = check_rows("dropout_backward_rows", dinp, dout, index, spec);
  apply_row_mask(dinp.data<float>(), dout.data<float>(), index.data<std::int32_t>(),
                 dout.size(0), c, spec, true);
}

void dropout_scales(float* scale, std::int64_t first, std::int64_t count,
                    const dropout_spec& spec) {
  const float keep_scale = 1.0f / (1.0f - spec.p);
  auto i = first;
  const auto last = first + count;
  while (i < last) {
    auto block_index = static_cast<std::uint64_t>(i) / 4;
    auto bits = dropout_block(block_index, spec.stream, spec.seed);
    for (auto word = i % 4; word < 4 && i < last; ++word, ++i)
      *scale++ = uniform_from_bits(bits[word]) >= spec.p ? keep_scale : 0.0f;
  }
}

void dropout_forward(const tensor& out, const tensor& inp, const dropout_spec& spec) {
  require_same("dropout_forward", "out", out, "inp", inp);
  require(inp.type() == dtype::f32, "dropout_forward", "inp is " + inp.describe() + ", expected f32");
  check_p("dropout_forward", spec);
  apply_mask(out.data<float>(), inp.data<float>(), inp.numel(), spec, false);
}

void dropout_backward(const tensor& dinp, const tensor& dout, const dropout_spec& spec) {
  require_same("dropout_backward", "dinp", dinp, "dout", dout);
  require(dout.type() == dtype::f32, "dropout_backward", "dout is " + dout.describe() + ", expected f32");
  check_p("dropout_backward", spec);
  apply_mask(dinp.data<float>(), dout.data<float>(), dout.numel(), spec, true);
}

} // namespace axon::ops
