// GELU forward/backward, elementwise and vectorized (see vector_math.hpp).
#include "ops/cpu/gelu.hpp"

#include "ops/cpu/vector_math.hpp"
#include "ops/op_error.hpp"
#include "runtime/compute_pool.hpp"

namespace axon::ops {

namespace {

constexpr float inv_sqrt2 = 0.70710678118654752f;
constexpr float inv_sqrt_2pi = 0.39894228040143268f;
constexpr std::int64_t grain = 4096;

} // namespace

void gelu_forward(const tensor& out, const tensor& inp) {
  require_same("gelu_forward", "out", out, "inp", inp);
  require(inp.type() == dtype::f32, "gelu_forward", "inp is " + inp.describe() + ", expected f32");
  const float* x = inp.data<float>();
  float* y = out.data<float>();
  parallel_for(inp.numel(), grain, [x, y](std::int64_t begin, std::int64_t end) {
    // Local restrict copies: loads through the closure would block vectorization.
    const float* __restrict xs = x;
    float* __restrict ys = y;
#pragma omp simd
    for (auto i = begin; i < end; ++i)
      ys[i] = 0.5f * xs[i] * (1.0f + erf_approx(xs[i] * inv_sqrt2));
  });
}

namespace {

// dx (+)= dy * gelu'(x) over [begin, end): one vectorized loop per write mode.
template <bool Accumulate>
void gelu_backward_range(float* __restrict dx, const float* __restrict dy,
                         const float* __restrict x, std::int64_t begin, std::int64_t end) {
#pragma omp simd
  for (auto i = begin; i < end; ++i) {
    float cdf = 0.5f * (1.0f + erf_approx(x[i] * inv_sqrt2));
    float pdf = inv_sqrt_2pi * exp_approx(-0.5f * x[i] * x[i]);
    float grad = dy[i] * (cdf + x[i] * pdf);
    if constexpr (Accumulate)
      dx[i] += grad;
    else
      dx[i] = grad;
  }
}

} // namespace

void gelu_backward(const tensor& dinp, const tensor& dout, const tensor& inp,
                   grad_write dinp_write) {
  require_same("gelu_backward", "dinp", dinp, "inp", inp);
  require_same("gelu_backward", "dout", dout, "inp", inp);
  require(inp.type() == dtype::f32, "gelu_backward", "inp is " + inp.describe() + ", expected f32");
  const float* x = inp.data<float>();
  const float* dy = dout.data<float>();
  float* dx = dinp.data<float>();
  const bool accumulate = dinp_write == grad_write::accumulate;
  parallel_for(inp.numel(), grain, [=](std::int64_t begin, std::int64_t end) {
    if (accumulate)
      gelu_backward_range<true>(dx, dy, x, begin, end);
    else
      gelu_backward_range<false>(dx, dy, x, begin, end);
  });
}

} // namespace axon::ops
