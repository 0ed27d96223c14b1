// MLM head: forward/backward over the positions with a target (see mlm_head.hpp).
#include "graphs/bert/mlm_head.hpp"

#include "ops/cpu/cross_entropy.hpp"
#include "ops/cpu/gelu.hpp"
#include "ops/cpu/layernorm.hpp"
#include "ops/cpu/linear.hpp"
#include "runtime/buffer.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace axon::bert {

using namespace axon::ops;

std::int64_t count_targets(const tensor& labels) {
  const auto* y = labels.data<std::int32_t>();
  return std::count_if(y, y + labels.numel(), [](std::int32_t v) { return v != ignore_label; });
}

void mlm_head_forward(mlm_head_acts& a, const mlm_head_params& p, const bert_config& cfg,
                      const tensor& hidden, const tensor& labels) {
  if (!labels.defined() || labels.rank() != 2 || labels.size(0) != hidden.size(0)
      || labels.size(1) != hidden.size(1))
    throw std::invalid_argument("MLM head: labels must be (B,T) i32 like the hidden states "
                                + hidden.describe() + ", got "
                                + (labels.defined() ? labels.describe() : std::string{"none"}));
  const std::int64_t c = cfg.hidden, v = cfg.vocab_size, n = count_targets(labels);
  ensure_shape(a.positions, {n}, dtype::i32);
  ensure_shape(a.targets, {n}, dtype::i32);
  ensure_shape(a.gathered, {n, c});
  const auto* y = labels.data<std::int32_t>();
  for (std::int64_t k = 0, i = 0; k < labels.numel(); ++k)
    if (y[k] != ignore_label) {
      a.positions.data<std::int32_t>()[i] = std::int32_t(k);
      a.targets.data<std::int32_t>()[i] = y[k];
      std::memcpy(a.gathered.data<float>() + i * c, hidden.data<float>() + k * c,
                  c * sizeof(float));
      ++i;
    }
  a.loss = 0.0f;
  if (n == 0)
    return;
  for (auto* t : {&a.dense, &a.activated, &a.normed})
    ensure_shape(*t, {n, c});
  ensure_shape(a.mean, {n});
  ensure_shape(a.rstd, {n});
  ensure_shape(a.logits, {n, v});
  ensure_shape(a.probs, {n, v});
  ensure_shape(a.losses, {n});
  linear_forward(a.dense, a.gathered, p.transform_weight, p.transform_bias);
  gelu_forward(a.activated, a.dense);
  layernorm_forward(a.normed, a.mean, a.rstd, a.activated, p.ln_weight, p.ln_bias,
                    cfg.layer_norm_eps);
  linear_forward(a.logits, a.normed, p.decoder_weight, p.decoder_bias);
  a.loss = cross_entropy_forward(a.losses, a.probs, a.logits, a.targets, ignore_label);
}

void mlm_head_backward(const mlm_head_params& g, const tensor& dinp, mlm_head_acts& a,
                       const mlm_head_params& p, float dloss) {
  const auto n = a.positions.numel();
  if (n == 0)
    return;
  const auto c = a.gathered.size(1);
  ensure_shape(a.d_logits, a.logits.sizes());
  a.d_logits.zero_();
  cross_entropy_backward(a.d_logits, a.probs, a.targets, dloss, ignore_label);
  ensure_shape(a.d_normed, {n, c});
  ensure_shape(a.d_activated, {n, c});
  ensure_shape(a.d_dense, {n, c});
  ensure_shape(a.d_gathered, {n, c});
  // The decoder's weight gradient lands in the word embeddings' gradient (tied).
  linear_backward(a.d_normed, g.decoder_weight, g.decoder_bias, a.d_logits, a.normed,
                  p.decoder_weight, grad_write::overwrite);
  layernorm_backward(a.d_activated, g.ln_weight, g.ln_bias, a.d_normed, a.activated,
                     p.ln_weight, a.mean, a.rstd, grad_write::overwrite);
  gelu_backward(a.d_dense, a.d_activated, a.dense, grad_write::overwrite);
  linear_backward(a.d_gathered, g.transform_weight, g.transform_bias, a.d_dense, a.gathered,
                  p.transform_weight, grad_write::overwrite);
  const auto* pos = a.positions.data<std::int32_t>();
  float* d = dinp.data<float>();
  for (std::int64_t i = 0; i < n; ++i) // scatter back: each position appears once
    for (std::int64_t k = 0; k < c; ++k)
      d[std::int64_t{pos[i]} * c + k] += a.d_gathered.data<float>()[i * c + k];
}

mlm_row_stats mlm_row_stats_of(const mlm_head_acts& a, std::int64_t batch_rows,
                               std::int64_t seq_len) {
  mlm_row_stats s{tensor::zeros({batch_rows, 2}), tensor::zeros({batch_rows})};
  const auto n = a.positions.numel();
  const auto v = n > 0 ? a.logits.size(1) : 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const auto row = a.positions.data<std::int32_t>()[i] / seq_len;
    const float* l = a.logits.data<float>() + i * v;
    const auto predicted = std::int32_t(std::max_element(l, l + v) - l);
    s.counts.data<float>()[row * 2] += predicted == a.targets.data<std::int32_t>()[i];
    s.counts.data<float>()[row * 2 + 1] += 1.0f;
    s.loss_sums.data<float>()[row] += a.losses.data<float>()[i];
  }
  return s;
}

} // namespace axon::bert
