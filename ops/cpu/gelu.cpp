// GELU forward/backward, elementwise; the loops are simd_kernels.hpp's.
#include "ops/cpu/gelu.hpp"

#include "ops/cpu/simd_kernels.hpp"
#include "ops/op_error.hpp"
#include "runtime/compute_pool.hpp"

namespace axon::ops {

namespace {

constexpr std::int64_t grain = 4096;

} // namespace

void gelu_forward(const tensor& out, const tensor& inp) {
  require_same("gelu_forward", "out", out, "inp", inp);
  require(inp.type() == dtype::f32, "gelu_forward", "inp is " + inp.describe() + ", expected f32");
  const float* x = inp.data<float>();
  float* y = out.data<float>();
  auto forward = simd().gelu_forward;
  parallel_for(inp.numel(), grain, [=](std::int64_t begin, std::int64_t end) {
    forward(y, x, begin, end);
  });
}

void gelu_backward(const tensor& dinp, const tensor& dout, const tensor& inp,
                   grad_write dinp_write) {
  require_same("gelu_backward", "dinp", dinp, "inp", inp);
  require_same("gelu_backward", "dout", dout, "inp", inp);
  require(inp.type() == dtype::f32, "gelu_backward", "inp is " + inp.describe() + ", expected f32");
  const float* x = inp.data<float>();
  const float* dy = dout.data<float>();
  float* dx = dinp.data<float>();
  const bool accumulate = dinp_write == grad_write::accumulate;
  auto backward = simd().gelu_backward;
  parallel_for(inp.numel(), grain, [=](std::int64_t begin, std::int64_t end) {
    backward(dx, dy, x, begin, end, accumulate);
  });
}

} // namespace axon::ops
