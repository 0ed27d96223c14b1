// AdamW: one thread per element; the step-dependent scalars are computed on the host
// exactly as the CPU op computes them.
#include "ops/cuda/adamw.hpp"

#include "ops/cuda/kernel_util.cuh"
#include "ops/op_error.hpp"

#include <cmath>

namespace axon::ops::cuda {

namespace {

struct adamw_scalars {
  float decay, step_size, bias_correction2_sqrt, b1, b2, eps;
};

__global__ void adamw_kernel(float* p, const float* g, float* m, float* v, std::int64_t n,
                             adamw_scalars k) {
  auto i = std::int64_t{blockIdx.x} * blockDim.x + threadIdx.x;
  if (i >= n)
    return;
  float pi = p[i] * k.decay;
  float mi = m[i] * k.b1 + g[i] * (1.0f - k.b1);
  float vi = v[i] * k.b2 + g[i] * g[i] * (1.0f - k.b2);
  float denom = sqrtf(vi) / k.bias_correction2_sqrt + k.eps;
  p[i] = pi - k.step_size * mi / denom;
  m[i] = mi;
  v[i] = vi;
}

} // namespace

void adamw_update(const tensor& param, const tensor& grad, const tensor& m, const tensor& v,
                  const adamw_hparams& hp, std::int64_t step, const op_stream& s) {
  constexpr auto op = "adamw_update";
  require_same(op, "grad", grad, "param", param);
  require_same(op, "m", m, "param", param);
  require_same(op, "v", v, "param", param);
  for (auto [name, t] : {std::pair{"param", &param}, {"grad", &grad}, {"m", &m}, {"v", &v}})
    require_on(op, name, *t, s);
  require(step >= 1, op, "step counts from 1, got " + std::to_string(step));
  require(hp.lr >= 0 && hp.eps > 0 && hp.beta1 >= 0 && hp.beta1 < 1 && hp.beta2 >= 0
            && hp.beta2 < 1 && hp.weight_decay >= 0,
          op, "hyper-parameters out of range (need lr >= 0, eps > 0, betas in [0,1), wd >= 0)");
  adamw_scalars k{1.0f - hp.lr * hp.weight_decay,
                  hp.lr / (1.0f - std::pow(hp.beta1, float(step))),
                  std::sqrt(1.0f - std::pow(hp.beta2, float(step))), hp.beta1, hp.beta2, hp.eps};
  auto n = param.numel();
  adamw_kernel<<<blocks_for(n), threads_per_block, 0, s.get()>>>(
    param.data<float>(), grad.data<float>(), m.data<float>(), v.data<float>(), n, k);
  check_launch(op);
}

} // namespace axon::ops::cuda
