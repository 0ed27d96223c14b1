// adamw_optimizer: clipping then per-tensor AdamW.
#include "graphs/adamw_optimizer.hpp"

#include "ops/dispatch.hpp"

#include <stdexcept>

namespace axon {

adamw_optimizer::adamw_optimizer(const param_arena& params, optimizer_settings settings,
                                 ops::compute on)
  : settings_(settings), on_(std::move(on)), m_(params.like()), v_(params.like()) {
  if (params.flat().where() != on_.where())
    throw std::invalid_argument("adamw_optimizer: parameters on "
                                + params.flat().where().to_string()
                                + " but the optimizer computes on " + on_.where().to_string());
}

void adamw_optimizer::restore(const tensor& first_moments, const tensor& second_moments,
                              std::int64_t steps) {
  if (first_moments.numel() != m_.numel() || second_moments.numel() != v_.numel() || steps < 0)
    throw std::invalid_argument("adamw_optimizer::restore: moments of " + first_moments.describe()
                                + " and " + second_moments.describe() + " do not match "
                                + std::to_string(m_.numel()) + " parameters");
  ops::compute_scope scope{on_};
  m_.flat().copy_(first_moments.reshape(m_.flat().sizes()));
  v_.flat().copy_(second_moments.reshape(v_.flat().sizes()));
  steps_ = steps;
}

float adamw_optimizer::step(const param_arena& params, const param_arena& grads) {
  ops::compute_scope scope{on_};
  float norm = settings_.max_grad_norm > 0.0f
                 ? ops::dispatch::clip_grad_norm(grads.tensors(), settings_.max_grad_norm, on_)
                 : 0.0f;
  update(params, grads);
  return norm;
}

void adamw_optimizer::update(const param_arena& params, const param_arena& grads) {
  if (grads.count() != params.count() || grads.numel() != params.numel()
      || m_.numel() != params.numel())
    throw std::invalid_argument("adamw_optimizer: parameters, gradients and moments differ in layout");
  ops::compute_scope scope{on_};
  ++steps_;
  // A run of consecutive tensors with the same weight decay is one contiguous slice of
  // each arena: update it at once (AdamW is elementwise; on a device, one kernel launch
  // instead of one per tensor).
  const auto& specs = params.specs();
  std::int64_t begin = 0;
  for (std::size_t k = 0; k < specs.size();) {
    auto decays = [&](std::size_t j) { return settings_.decay_all || specs[j].weight_decay; };
    const bool decay = decays(k);
    std::int64_t end = begin;
    for (; k < specs.size() && decays(k) == decay; ++k)
      end += specs[k].sizes.numel();
    auto hp = settings_.adamw;
    if (!decay)
      hp.weight_decay = 0.0f;
    auto run = [&](const param_arena& arena) { return arena.flat().slice(begin, end); };
    ops::dispatch::adamw_update(run(params), run(grads), run(m_), run(v_), hp, steps_, on_);
    begin = end;
  }
}

} // namespace axon
