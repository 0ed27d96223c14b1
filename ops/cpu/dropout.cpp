// Dropout forward/backward from Philox draws (see runtime/philox.hpp).
#include "ops/cpu/dropout.hpp"

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
template <bool Accumulate>
void apply_mask(float* y, const float* x, std::int64_t n, const dropout_spec& spec) {
  parallel_for((n + 3) / 4, grain / 4, [=](std::int64_t begin, std::int64_t end) {
    constexpr std::int64_t block = 256;
    std::array<float, block> scale;
    for (auto i = begin * 4; i < std::min(end * 4, n); i += block) {
      auto count = std::min(block, n - i);
      dropout_scales(scale.data(), i, count, spec);
      for (std::int64_t k = 0; k < count; ++k) {
        if constexpr (Accumulate)
          y[i + k] += x[i + k] * scale[k];
        else
          y[i + k] = x[i + k] * scale[k];
      }
    }
  });
}

} // namespace

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
  apply_mask<false>(out.data<float>(), inp.data<float>(), inp.numel(), spec);
}

void dropout_backward(const tensor& dinp, const tensor& dout, const dropout_spec& spec) {
  require_same("dropout_backward", "dinp", dinp, "dout", dout);
  require(dout.type() == dtype::f32, "dropout_backward", "dout is " + dout.describe() + ", expected f32");
  check_p("dropout_backward", spec);
  apply_mask<true>(dinp.data<float>(), dout.data<float>(), dout.numel(), spec);
}

} // namespace axon::ops
