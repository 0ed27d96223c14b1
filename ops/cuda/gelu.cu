// GELU kernels: gelu(x) = 0.5 x (1 + erf(x / sqrt 2)); gelu'(x) = Phi(x) + x phi(x).
// CUDA's erff (2 ulp) stands for the CPU's erf_approx (1.5e-7 absolute).
#include "ops/cuda/gelu.hpp"

#include "ops/cuda/kernel_util.cuh"
#include "ops/op_error.hpp"

namespace axon::ops::cuda {

namespace {

constexpr float inv_sqrt2 = 0.70710678118654752f;
constexpr float inv_sqrt_2pi = 0.39894228040143268f;

__global__ void gelu_forward_kernel(float* y, const float* x, std::int64_t n) {
  auto i = std::int64_t{blockIdx.x} * blockDim.x + threadIdx.x;
  if (i < n)
    y[i] = 0.5f * x[i] * (1.0f + erff(x[i] * inv_sqrt2));
}

__global__ void gelu_backward_kernel(float* dx, const float* dy, const float* x,
                                     std::int64_t n, bool accumulate) {
  auto i = std::int64_t{blockIdx.x} * blockDim.x + threadIdx.x;
  if (i >= n)
    return;
  float cdf = 0.5f * (1.0f + erff(x[i] * inv_sqrt2));
  float pdf = inv_sqrt_2pi * expf(-0.5f * x[i] * x[i]);
  float grad = dy[i] * (cdf + x[i] * pdf);
  dx[i] = accumulate ? dx[i] + grad : grad;
}

} // namespace

void gelu_forward(const tensor& out, const tensor& inp, const op_stream& s) {
  require_same("gelu_forward", "out", out, "inp", inp);
  require_on("gelu_forward", "inp", inp, s);
  require_on("gelu_forward", "out", out, s);
  auto n = inp.numel();
  gelu_forward_kernel<<<blocks_for(n), threads_per_block, 0, s.get()>>>(out.data<float>(),
                                                                        inp.data<float>(), n);
  check_launch("gelu_forward");
}

void gelu_backward(const tensor& dinp, const tensor& dout, const tensor& inp,
                   const op_stream& s, grad_write dinp_write) {
  require_same("gelu_backward", "dinp", dinp, "inp", inp);
  require_same("gelu_backward", "dout", dout, "inp", inp);
  for (auto [name, t] : {std::pair{"dinp", &dinp}, {"dout", &dout}, {"inp", &inp}})
    require_on("gelu_backward", name, *t, s);
  auto n = inp.numel();
  gelu_backward_kernel<<<blocks_for(n), threads_per_block, 0, s.get()>>>(
    dinp.data<float>(), dout.data<float>(), inp.data<float>(), n,
    dinp_write == grad_write::accumulate);
  check_launch("gelu_backward");
}

} // namespace axon::ops::cuda
