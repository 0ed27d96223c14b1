// AdamW (Loshchilov & Hutter): Adam with decoupled weight decay and bias correction,
// step for step the arithmetic of torch.optim.AdamW (1.13, single-tensor path).
#pragma once

#include "runtime/tensor.hpp"

#include <cstdint>

namespace axon::ops {

struct adamw_hparams {
  float lr = 1e-3f;
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float eps = 1e-8f;
  float weight_decay = 0.01f;
};

/// One update of param (any shape) from grad, with moments m and v (same shape),
/// `step` counting from 1:
///   param *= 1 - lr * wd;  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
///   param -= lr / (1 - b1^step) * m / (sqrt(v) / sqrt(1 - b2^step) + eps).
void adamw_update(const tensor& param, const tensor& grad, const tensor& m, const tensor& v,
                  const adamw_hparams& hp, std::int64_t step);

} // namespace axon::ops
