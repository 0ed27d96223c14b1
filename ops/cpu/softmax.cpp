// Softmax forward/backward over rows.
#include "ops/cpu/softmax.hpp"

#include "ops/cpu/simd_kernels.hpp"
#include "ops/op_error.hpp"
#include "runtime/compute_pool.hpp"

namespace axon::ops {

void softmax_row(float* out, const float* inp, std::int64_t count) {
  simd().softmax_row(out, inp, count);
}

void softmax_row_backward(float* dinp, const float* dout, const float* out, std::int64_t count) {
  simd().softmax_row_backward(dinp, dout, out, count);
}

void softmax_forward(const tensor& out, const tensor& inp) {
  require_same("softmax_forward", "out", out, "inp", inp);
  require(inp.rank() >= 1 && inp.size(-1) > 0, "softmax_forward",
          "inp is " + inp.describe() + ", expected a non-empty last dimension");
  auto v = inp.size(-1);
  auto n = require_rows("softmax_forward", "inp", inp, v);
  const float* x = inp.data<float>();
  float* y = out.data<float>();
  parallel_for(n, 16, [=](std::int64_t begin, std::int64_t end) {
    for (auto r = begin; r < end; ++r)
      softmax_row(y + r * v, x + r * v, v);
  });
}

void softmax_backward(const tensor& dinp, const tensor& dout, const tensor& out) {
  require_same("softmax_backward", "dinp", dinp, "out", out);
  require_same("softmax_backward", "dout", dout, "out", out);
  require(out.rank() >= 1 && out.size(-1) > 0, "softmax_backward",
          "out is " + out.describe() + ", expected a non-empty last dimension");
  auto v = out.size(-1);
  auto n = require_rows("softmax_backward", "out", out, v);
  const float *y = out.data<float>(), *dy = dout.data<float>();
  float* dx = dinp.data<float>();
  parallel_for(n, 16, [=](std::int64_t begin, std::int64_t end) {
    for (auto r = begin; r < end; ++r)
      softmax_row_backward(dx + r * v, dy + r * v, y + r * v, v);
  });
}

} // namespace axon::ops
