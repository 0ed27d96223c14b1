// AdamW update over flat float arrays, split over the compute pool.
#include "ops/cpu/adamw.hpp"

#include "ops/cpu/simd_kernels.hpp"
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
  const adamw_coefficients k{1.0f - hp.lr * hp.weight_decay,
                             hp.lr / (1.0f - std::pow(hp.beta1, float(step))),
                             std::sqrt(1.0f - std::pow(hp.beta2, float(step))),
                             hp.beta1, hp.beta2, hp.eps};
  float *p = param.data<float>(), *mm = m.data<float>(), *vv = v.data<float>();
  const float* g = grad.data<float>();
  auto update = simd().adamw;
  parallel_for(param.numel(), 8192, [=](std::int64_t begin, std::int64_t end) {
    update(p, mm, vv, g, begin, end, k);
  });
}

} // namespace axon::ops
