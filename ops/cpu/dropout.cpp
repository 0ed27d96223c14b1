// Dropout forward/backward from Philox draws keyed by example, site and draw offset
// (see dropout.hpp and runtime/philox.hpp).
#include "ops/cpu/dropout.hpp"

#include "ops/cpu/simd_kernels.hpp"
#include "ops/op_error.hpp"
#include "runtime/compute_pool.hpp"
#include "runtime/philox.hpp"

#include <algorithm>
#include <array>

namespace axon::ops {

namespace {

constexpr std::int64_t block = 256; // draws computed at a time: a multiple of 4

void check_p(std::string_view op, const dropout_spec& spec) {
  require(spec.p >= 0.0f && spec.p < 1.0f, op,
          "p must be in [0, 1), got " + std::to_string(spec.p));
}

// The elements of one example in a tensor whose dimension 0 holds the examples.
std::int64_t row_elements(const tensor& t) {
  return t.rank() == 0 || t.size(0) == 0 ? 1 : t.numel() / t.size(0);
}

std::int64_t rows_of(const tensor& t, std::int64_t per_row) {
  return per_row == 0 ? 0 : t.numel() / per_row;
}

void check_offsets(std::string_view op, std::int64_t per_example) {
  require(per_example <= max_draw_offset, op,
          "an example has " + std::to_string(per_example) + " elements, over the "
            + std::to_string(max_draw_offset) + " that dropout can number");
}

// Applies y[i] (+)= x[i] * scale(i) to `rows` rows of `per_row` elements, in chunks of
// `block` elements of one row (fixed chunks: the result does not depend on the threads).
void apply_mask(float* y, const float* x, std::int64_t rows, std::int64_t per_row,
                const dropout_spec& spec, bool accumulate) {
  auto scale_by = simd().scale;
  const auto chunks = (per_row + block - 1) / block;
  parallel_for(rows * chunks, 16, [=](std::int64_t begin, std::int64_t end) {
    std::array<float, block> scale;
    for (auto k = begin; k < end; ++k) {
      const auto r = k / chunks, j = k % chunks * block;
      const auto count = std::min(block, per_row - j);
      const auto at = r * per_row + j;
      dropout_scales(scale.data(), std::uint64_t(r), j, count, spec);
      scale_by(y + at, x + at, scale.data(), count, accumulate);
    }
  });
}

// Applies y (+)= x * scale to packed rows (N,C) whose draws are those of padded row
// index[r] = b*T + t: example b, offsets t*C + j; chunks of `block` columns.
void apply_row_mask(float* y, const float* x, const std::int32_t* index, std::int64_t n,
                    std::int64_t c, std::int64_t t, const dropout_spec& spec, bool accumulate) {
  auto scale_by = simd().scale;
  parallel_for(n, 8, [=](std::int64_t begin, std::int64_t end) {
    std::array<float, block> scale;
    for (auto r = begin; r < end; ++r) {
      const auto padded = std::int64_t{index[r]};
      const auto b = padded / t, position = padded % t;
      for (std::int64_t j = 0; j < c; j += block) {
        auto count = std::min(block, c - j);
        dropout_scales(scale.data(), std::uint64_t(b), position * c + j, count, spec);
        scale_by(y + r * c + j, x + r * c + j, scale.data(), count, accumulate);
      }
    }
  });
}

// Packed rows (N,C) of the padded (B,T,C) layout of `rows`; returns C.
std::int64_t check_rows(std::string_view op, const tensor& a, const tensor& b,
                        const packed_rows& rows, const dropout_spec& spec) {
  require_same(op, "out", a, "inp", b);
  require(a.type() == dtype::f32 && a.rank() == 2, op,
          "inp is " + a.describe() + ", expected packed rows f32 (N,C)");
  require_tensor(op, "index", rows.index, {a.size(0)}, dtype::i32);
  require(rows.t > 0, op, "the packing has no padded length");
  check_p(op, spec);
  check_offsets(op, rows.t * a.size(1));
  return a.size(1);
}

} // namespace

void dropout_forward_rows(const tensor& out, const tensor& inp, const packed_rows& rows,
                          const dropout_spec& spec) {
  auto c = check_rows("dropout_forward_rows", out, inp, rows, spec);
  apply_row_mask(out.data<float>(), inp.data<float>(), rows.index.data<std::int32_t>(),
                 inp.size(0), c, rows.t, spec, false);
}

void dropout_backward_rows(const tensor& dinp, const tensor& dout, const packed_rows& rows,
                           const dropout_spec& spec) {
  auto c = check_rows("dropout_backward_rows", dinp, dout, rows, spec);
  apply_row_mask(dinp.data<float>(), dout.data<float>(), rows.index.data<std::int32_t>(),
                 dout.size(0), c, rows.t, spec, true);
}

void dropout_scales(float* scale, std::uint64_t row, std::int64_t first, std::int64_t count,
                    const dropout_spec& spec) {
  const float keep_scale = 1.0f / (1.0f - spec.p);
  const auto example = spec.first_example + row;
  auto i = first;
  const auto last = first + count;
  while (i < last) {
    auto bits = dropout_block(example, spec.site, static_cast<std::uint32_t>(i / 4), spec.seed);
    for (auto word = i % 4; word < 4 && i < last; ++word, ++i)
      *scale++ = uniform_from_bits(bits[word]) >= spec.p ? keep_scale : 0.0f;
  }
}

void dropout_forward(const tensor& out, const tensor& inp, const dropout_spec& spec) {
  require_same("dropout_forward", "out", out, "inp", inp);
  require(inp.type() == dtype::f32, "dropout_forward", "inp is " + inp.describe() + ", expected f32");
  check_p("dropout_forward", spec);
  const auto per_row = row_elements(inp);
  check_offsets("dropout_forward", per_row);
  apply_mask(out.data<float>(), inp.data<float>(), rows_of(inp, per_row), per_row, spec, false);
}

void dropout_backward(const tensor& dinp, const tensor& dout, const dropout_spec& spec) {
  require_same("dropout_backward", "dinp", dinp, "dout", dout);
  require(dout.type() == dtype::f32, "dropout_backward", "dout is " + dout.describe() + ", expected f32");
  check_p("dropout_backward", spec);
  const auto per_row = row_elements(dout);
  check_offsets("dropout_backward", per_row);
  apply_mask(dinp.data<float>(), dout.data<float>(), rows_of(dout, per_row), per_row, spec, true);
}

} // namespace axon::ops
