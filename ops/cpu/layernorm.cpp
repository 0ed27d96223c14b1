// LayerNorm forward/backward; rows split over the compute pool (dweight/dbias through
// parallel_accumulate, so their sums are deterministic).
#include "ops/cpu/layernorm.hpp"

#include "ops/op_error.hpp"
#include "runtime/compute_pool.hpp"

#include <cmath>

namespace axon::ops {

namespace {

constexpr std::int64_t row_grain = 32;

} // namespace

void layernorm_forward(const tensor& out, const tensor& mean, const tensor& rstd,
                       const tensor& inp, const tensor& weight, const tensor& bias, float eps) {
  constexpr auto op = "layernorm_forward";
  require(weight.defined() && weight.rank() == 1, op,
          "weight is " + weight.describe() + ", expected (C)");
  auto c = weight.size(0);
  auto n = require_rows(op, "inp", inp, c);
  require_same(op, "out", out, "inp", inp);
  require_tensor(op, "bias", bias, {c});
  require_tensor(op, "mean", mean, {n});
  require_tensor(op, "rstd", rstd, {n});
  require(eps > 0, op, "eps must be > 0");
  const float *x = inp.data<float>(), *w = weight.data<float>(), *b = bias.data<float>();
  float *y = out.data<float>(), *mu = mean.data<float>(), *rs = rstd.data<float>();
  parallel_for(n, row_grain, [=](std::int64_t begin, std::int64_t end) {
    for (auto r = begin; r < end; ++r) {
      const float* xr = x + r * c;
      // Mean and variance in double: over C = 768 a float sum loses the small variance of
      // a row with a large offset (e.g. offset 20, std 0.5 gave output errors of 3e-5).
      double sum = 0.0;
#pragma omp simd reduction(+ : sum)
      for (std::int64_t i = 0; i < c; ++i)
        sum += xr[i];
      double row_mean = sum / double(c);
      double var = 0.0;
#pragma omp simd reduction(+ : var)
      for (std::int64_t i = 0; i < c; ++i)
        var += (xr[i] - row_mean) * (xr[i] - row_mean);
      float m = static_cast<float>(row_mean);
      float s = static_cast<float>(1.0 / std::sqrt(var / double(c) + double(eps)));
      float* yr = y + r * c;
      for (std::int64_t i = 0; i < c; ++i)
        yr[i] = (xr[i] - m) * s * w[i] + b[i];
      mu[r] = m;
      rs[r] = s;
    }
  });
}

void layernorm_backward(const tensor& dinp, const tensor& dweight, const tensor& dbias,
                        const tensor& dout, const tensor& inp, const tensor& weight,
                        const tensor& mean, const tensor& rstd, grad_write dinp_write) {
  constexpr auto op = "layernorm_backward";
  require(weight.defined() && weight.rank() == 1, op,
          "weight is " + weight.describe() + ", expected (C)");
  auto c = weight.size(0);
  auto n = require_rows(op, "inp", inp, c);
  require_same(op, "dinp", dinp, "inp", inp);
  require_same(op, "dout", dout, "inp", inp);
  require_tensor(op, "dweight", dweight, {c});
  require_tensor(op, "dbias", dbias, {c});
  require_tensor(op, "mean", mean, {n});
  require_tensor(op, "rstd", rstd, {n});
  const float *x = inp.data<float>(), *w = weight.data<float>(), *dy = dout.data<float>();
  const float *mu = mean.data<float>(), *rs = rstd.data<float>();
  float *dx = dinp.data<float>(), *dw = dweight.data<float>(), *db = dbias.data<float>();
  const bool accumulate = dinp_write == grad_write::accumulate;
  // sums[0:C] accumulate dweight, sums[C:2C] dbias, over rows.
  auto sums = parallel_accumulate(n, row_grain, 2 * c, [=](std::int64_t begin, std::int64_t end,
                                                           double* partial) {
    for (auto r = begin; r < end; ++r) {
      const float *xr = x + r * c, *dyr = dy + r * c;
      float m = mu[r], s = rs[r];
      float mean_g = 0.0f, mean_gx = 0.0f;
#pragma omp simd reduction(+ : mean_g, mean_gx)
      for (std::int64_t i = 0; i < c; ++i) {
        float xhat = (xr[i] - m) * s;
        float g = dyr[i] * w[i];
        mean_g += g;
        mean_gx += g * xhat;
        partial[i] += dyr[i] * xhat;
        partial[c + i] += dyr[i];
      }
      mean_g /= float(c);
      mean_gx /= float(c);
      float* dxr = dx + r * c;
      for (std::int64_t i = 0; i < c; ++i) {
        float xhat = (xr[i] - m) * s;
        float grad = s * (dyr[i] * w[i] - mean_g - xhat * mean_gx);
        dxr[i] = accumulate ? dxr[i] + grad : grad;
      }
    }
  });
  for (std::int64_t i = 0; i < c; ++i) {
    dw[i] += static_cast<float>(sums[i]);
    db[i] += static_cast<float>(sums[c + i]);
  }
}

} // namespace axon::ops
