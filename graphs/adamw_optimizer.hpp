// adamw_optimizer: AdamW state (first and second moments) for one parameter arena, the
// step counter, and global-norm clipping. Per-tensor weight decay follows the arena's
// specs (Hugging Face's convention: none on biases and LayerNorm). The optimizer actor
// owns one; the single-loop reference model uses one directly. It computes on the
// parameters' device, through the ops::compute it is given (that of their stage, so the
// update is queued behind the backward pass that wrote the gradients).
#pragma once

#include "ops/compute.hpp"
#include "ops/cpu/adamw.hpp"
#include "runtime/param_arena.hpp"

#include <cstdint>

namespace axon {

struct optimizer_settings {
  ops::adamw_hparams adamw;    // lr is the base rate; set_lr changes it per step
  float max_grad_norm = 0.0f;  // <= 0: no clipping
  bool decay_all = false;      // true: weight decay on every tensor (as plain torch AdamW)
};

class adamw_optimizer {
public:
  /// Moments are allocated like `params`, on its device, which must be `on`'s.
  adamw_optimizer(const param_arena& params, optimizer_settings settings, ops::compute on = {});

  /// Clips `grads` (same layout as params) by global norm when clipping is on, then
  /// updates params. Returns the gradient norm before clipping (0 when clipping is off:
  /// it is then not computed).
  float step(const param_arena& params, const param_arena& grads);
  /// The AdamW update alone (gradients already reduced and clipped): one more step.
  void update(const param_arena& params, const param_arena& grads);

  void set_lr(float lr) { settings_.adamw.lr = lr; }
  /// Continues a saved run: moments (same layout, any device) and the number of steps taken.
  void restore(const tensor& first_moments, const tensor& second_moments, std::int64_t steps);
  float lr() const { return settings_.adamw.lr; }
  std::int64_t steps_taken() const { return steps_; }
  const param_arena& first_moments() const { return m_; }
  const param_arena& second_moments() const { return v_; }
  const optimizer_settings& settings() const { return settings_; }

private:
  optimizer_settings settings_;
  ops::compute on_;
  param_arena m_, v_;
  std::int64_t steps_ = 0;
};

} // namespace axon
