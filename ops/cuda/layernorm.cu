// One block per row. Mean and variance in two passes over the row with double partial
// sums (the CPU op's precision: a float single pass loses the variance of offset rows).
// Backward: dinp per row in one block; dweight = column sums of dout * xhat and
// dbias = column sums of dout, through a scratch (N,C) of dout * xhat.
#include "ops/cuda/layernorm.hpp"

#include "ops/cuda/column_sums.hpp"
#include "ops/cuda/kernel_util.cuh"
#include "ops/op_error.hpp"

namespace axon::ops::cuda {

namespace {

constexpr int row_threads = 256;

__global__ void layernorm_forward_kernel(float* y, float* mean, float* rstd, const float* x,
                                         const float* w, const float* b, std::int64_t c,
                                         float eps) {
  const float* xr = x + std::int64_t{blockIdx.x} * c;
  float* yr = y + std::int64_t{blockIdx.x} * c;
  double sum = 0.0;
  for (auto i = std::int64_t{threadIdx.x}; i < c; i += blockDim.x)
    sum += xr[i];
  double row_mean = block_sum(sum) / double(c);
  double var = 0.0;
  for (auto i = std::int64_t{threadIdx.x}; i < c; i += blockDim.x)
    var += (xr[i] - row_mean) * (xr[i] - row_mean);
  var = block_sum(var) / double(c);
  float m = static_cast<float>(row_mean);
  float s = static_cast<float>(1.0 / sqrt(var + double(eps)));
  for (auto i = std::int64_t{threadIdx.x}; i < c; i += blockDim.x)
    yr[i] = (xr[i] - m) * s * w[i] + b[i];
  if (threadIdx.x == 0) {
    mean[blockIdx.x] = m;
    rstd[blockIdx.x] = s;
  }
}

// dx = rstd * (dy w - mean(dy w) - xhat * mean(dy w xhat)); dyxhat = dy * xhat.
__global__ void layernorm_backward_kernel(float* dx, float* dyxhat, const float* dy,
                                          const float* x, const float* w, const float* mean,
                                          const float* rstd, std::int64_t c, bool accumulate) {
  auto row = std::int64_t{blockIdx.x} * c;
  float m = mean[blockIdx.x], s = rstd[blockIdx.x];
  float sum_g = 0.0f, sum_gx = 0.0f;
  for (auto i = std::int64_t{threadIdx.x}; i < c; i += blockDim.x) {
    float xhat = (x[row + i] - m) * s;
    float g = dy[row + i] * w[i];
    sum_g += g;
    sum_gx += g * xhat;
    dyxhat[row + i] = dy[row + i] * xhat;
  }
  float mean_g = block_sum(sum_g) / float(c);
  float mean_gx = block_sum(sum_gx) / float(c);
  for (auto i = std::int64_t{threadIdx.x}; i < c; i += blockDim.x) {
    float xhat = (x[row + i] - m) * s;
    float grad = s * (dy[row + i] * w[i] - mean_g - xhat * mean_gx);
    dx[row + i] = accumulate ? dx[row + i] + grad : grad;
  }
}

std::int64_t check(std::string_view op, const tensor& inp, const tensor& weight,
                   const tensor& mean, const tensor& rstd, const op_stream& s) {
  require(weight.defined() && weight.rank() == 1, op,
          "weight is " + weight.describe() + ", expected (C)");
  auto c = weight.size(0);
  require_tensor(op, "weight", weight, {c}, dtype::f32, s.where());
  auto n = require_rows(op, "inp", inp, c, dtype::f32, s.where());
  require_tensor(op, "mean", mean, {n}, dtype::f32, s.where());
  require_tensor(op, "rstd", rstd, {n}, dtype::f32, s.where());
  return n;
}

} // namespace

void layernorm_forward(const tensor& out, const tensor& mean, const tensor& rstd,
                       const tensor& inp, const tensor& weight, const tensor& bias, float eps,
                       const op_stream& s) {
  constexpr auto op = "layernorm_forward";
  auto n = check(op, inp, weight, mean, rstd, s);
  auto c = weight.size(0);
  require_same(op, "out", out, "inp", inp);
  require_on(op, "out", out, s);
  require_tensor(op, "bias", bias, {c}, dtype::f32, s.where());
  require(eps > 0, op, "eps must be > 0");
  if (n == 0)
    return;
  layernorm_forward_kernel<<<unsigned(n), row_threads, 0, s.get()>>>(
    out.data<float>(), mean.data<float>(), rstd.data<float>(), inp.data<float>(),
    weight.data<float>(), bias.data<float>(), c, eps);
  check_launch(op);
}

void layernorm_backward(const tensor& dinp, const tensor& dweight, const tensor& dbias,
                        const tensor& dout, const tensor& inp, const tensor& weight,
                        const tensor& mean, const tensor& rstd, const op_stream& s,
                        grad_write dinp_write) {
  constexpr auto op = "layernorm_backward";
  auto n = check(op, inp, weight, mean, rstd, s);
  auto c = weight.size(0);
  require_same(op, "dinp", dinp, "inp", inp);
  require_same(op, "dout", dout, "inp", inp);
  require_on(op, "dinp", dinp, s);
  require_on(op, "dout", dout, s);
  require_tensor(op, "dweight", dweight, {c}, dtype::f32, s.where());
  require_tensor(op, "dbias", dbias, {c}, dtype::f32, s.where());
  if (n == 0)
    return;
  auto dyxhat = s.scratch({n, c});
  layernorm_backward_kernel<<<unsigned(n), row_threads, 0, s.get()>>>(
    dinp.data<float>(), dyxhat.data<float>(), dout.data<float>(), inp.data<float>(),
    weight.data<float>(), mean.data<float>(), rstd.data<float>(), c,
    dinp_write == grad_write::accumulate);
  check_launch(op);
  add_column_sums(dweight.data<float>(), dyxhat.data<float>(), n, c, s);
  add_column_sums(dbias.data<float>(), dout.data<float>(), n, c, s);
}

} // namespace axon::ops::cuda
