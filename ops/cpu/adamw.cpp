// AdamW update over flat float arrays, split over the compute pool.
#include "ops/cpu/adamw.hpp"

#include "ops/op_error.hpp"
#include "runtime/compute_pool.hpp"

#include <cmath>

namespace axon::ops {

void adamw_update(const tensor& param, const tensor& grad, const tensor& m, const tensor& v,
                  const adamw_hparams& hp, std::int64_t step) {
  constexpr auto op = "adamw_update";
  require_same(op, "grad", grad, "param", param);
  require_same(op, "m", m, "param", param);
  require_same(op, "v", v, "param", param);
  require(param.type() == dtype::f32, op, "param is " + param.describe() + ", expected f32");
  require(step >= 1, op, "step counts from 1, got " + std::to_string(step));
  require(hp.lr >= 0 && hp.eps > 0 && hp.beta1 >= 0 && hp.beta1 < 1 && hp.beta2 >= 0
            && hp.beta2 < 1 && hp.weight_decay >= 0,
          op, "hyper-parameters out of range (need lr >= 0, eps > 0, betas in [0,1), wd >= 0)");
  const float decay = 1.0f - hp.lr * hp.weight_decay;
  const float step_size = hp.lr / (1.0f - std::pow(hp.beta1, float(step)));
  const float bias_correction2_sqrt = std::sqrt(1.0f - std::pow(hp.beta2, float(step)));
  const float b1 = hp.beta1, b2 = hp.beta2, eps = hp.eps;
  float *p = param.data<float>(), *mm = m.data<float>(), *vv = v.data<float>();
  const float* g = grad.data<float>();
  parallel_for(param.numel(), 8192, [=](std::int64_t begin, std::int64_t end) {
    // Local restrict copies: loads through the closure would block vectorization.
    float* __restrict ps = p;
    float* __restrict ms = mm;
    float* __restrict vs = vv;
    const float* __restrict gs = g;
#pragma omp simd
    for (auto i = begin; i < end; ++i) {
      ps[i] *= decay;
      ms[i] = ms[i] * b1 + gs[i] * (1.0f - b1);
      vs[i] = vs[i] * b2 + gs[i] * gs[i] * (1.0f - b2);
      float denom = std::sqrt(vs[i]) / bias_correction2_sqrt + eps;
      ps[i] -= step_size * ms[i] / denom;
    }
  });
}

} // namespace axon::ops
