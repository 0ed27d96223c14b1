// LayerNorm forward/backward; rows split over the compute pool (dweight/dbias through
// parallel_accumulate, so their sums are deterministic).
#include "ops/cpu/layernorm.hpp"

#include "ops/cpu/simd_kernels.hpp"
#include "ops/op_error.hpp"
#include "runtime/compute_pool.hpp"

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
  auto row = simd().layernorm_forward_row;
  parallel_for(n, row_grain, [=](std::int64_t begin, std::int64_t end) {
    for (auto r = begin; r < end; ++r) {
      auto stats = row(y + r * c, x + r * c, w, b, c, eps);
      mu[r] = stats.mean;
      rs[r] = stats.rstd;
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
  auto row = simd().layernorm_backward_row;
  auto sums = parallel_accumulate(n, row_grain, 2 * c, [=](std::int64_t begin, std::int64_t end,
                                                           double* partial) {
    for (auto r = begin; r < end; ++r)
      row(dx + r * c, partial, dy + r * c, x + r * c, w, {mu[r], rs[r]}, c, accumulate);
  });
  for (std::int64_t i = 0; i < c; ++i) {
    dw[i] += static_cast<float>(sums[i]);
    db[i] += static_cast<float>(sums[c + i]);
  }
}

} // namespace axon::ops
