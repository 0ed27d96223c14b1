// MLM head: forward/backward over the positions with a target (see mlm_head.hpp).
#include "graphs/bert/mlm_head.hpp"

#include "ops/dispatch.hpp"
#include "runtime/buffer.hpp"

#include <algorithm>
#include <stdexcept>

namespace axon::bert {

namespace op = ops::dispatch;

std::int64_t count_targets(const tensor& labels) {
  const auto* y = labels.data<std::int32_t>();
  return std::count_if(y, y + labels.numel(), [](std::int32_t v) { return v != ignore_label; });
}

namespace {

// An f32 buffer on c's device.
void buffer(tensor& t, const shape& sizes, const ops::compute& c) {
  ensure_shape(t, sizes, dtype::f32, c.where());
}

} // namespace

void mlm_head_forward(mlm_head_acts& a, const mlm_head_params& p, const bert_config& cfg,
                      const tensor& hidden, const tensor& labels, const ops::compute& on) {
  if (!labels.defined() || labels.rank() != 2 || labels.size(0) != hidden.size(0)
      || labels.size(1) != hidden.size(1) || !labels.where().is_cpu())
    throw std::invalid_argument("MLM head: labels must be (B,T) i32 on the host like the hidden"
                                " states " + hidden.describe() + ", got "
                                + (labels.defined() ? labels.describe() : std::string{"none"}));
  const std::int64_t c = cfg.hidden, v = cfg.vocab_size, n = count_targets(labels);
  ensure_shape(a.positions, {n}, dtype::i32);
  ensure_shape(a.targets, {n}, dtype::i32);
  const auto* y = labels.data<std::int32_t>();
  for (std::int64_t k = 0, i = 0; k < labels.numel(); ++k)
    if (y[k] != ignore_label) {
      a.positions.data<std::int32_t>()[i] = std::int32_t(k);
      a.targets.data<std::int32_t>()[i] = y[k];
      ++i;
    }
  a.loss = 0.0f;
  if (n == 0)
    return;
  a.positions_on = a.positions.on(on.where());
  a.targets_on = a.targets.on(on.where());
  for (auto* t : {&a.gathered, &a.dense, &a.activated, &a.normed})
    buffer(*t, {n, c}, on);
  buffer(a.mean, {n}, on);
  buffer(a.rstd, {n}, on);
  buffer(a.logits, {n, v}, on);
  buffer(a.probs, {n, v}, on);
  buffer(a.losses, {n}, on);
  op::gather_rows_forward(a.gathered, hidden, a.positions_on, on);
  op::linear_forward(a.dense, a.gathered, p.transform_weight, p.transform_bias, on);
  op::gelu_forward(a.activated, a.dense, on);
  op::layernorm_forward(a.normed, a.mean, a.rstd, a.activated, p.ln_weight, p.ln_bias,
                        cfg.layer_norm_eps, on);
  op::linear_forward(a.logits, a.normed, p.decoder_weight, p.decoder_bias, on);
  a.loss = op::cross_entropy_forward(a.losses, a.probs, a.logits, a.targets_on, on, ignore_label);
}

void mlm_head_backward(const mlm_head_params& g, const tensor& dinp, mlm_head_acts& a,
                       const mlm_head_params& p, float dloss, const ops::compute& on) {
  const auto n = a.positions.numel();
  if (n == 0)
    return;
  const auto c = a.gathered.size(1);
  buffer(a.d_logits, a.logits.sizes(), on);
  op::zero_fill(a.d_logits, on);
  op::cross_entropy_backward(a.d_logits, a.probs, a.targets_on, dloss, on, ignore_label);
  for (auto* t : {&a.d_normed, &a.d_activated, &a.d_dense, &a.d_gathered})
    buffer(*t, {n, c}, on);
  constexpr auto overwrite = ops::grad_write::overwrite;
  // The decoder's weight gradient lands in the word embeddings' gradient (tied).
  op::linear_backward(a.d_normed, g.decoder_weight, g.decoder_bias, a.d_logits, a.normed,
                      p.decoder_weight, on, overwrite);
  op::layernorm_backward(a.d_activated, g.ln_weight, g.ln_bias, a.d_normed, a.activated,
                         p.ln_weight, a.mean, a.rstd, on, overwrite);
  op::gelu_backward(a.d_dense, a.d_activated, a.dense, on, overwrite);
  op::linear_backward(a.d_gathered, g.transform_weight, g.transform_bias, a.d_dense, a.gathered,
                      p.transform_weight, on, overwrite);
  op::gather_rows_backward(dinp, a.d_gathered, a.positions_on, on); // each position once
}

mlm_row_stats mlm_row_stats_of(const mlm_head_acts& a, std::int64_t batch_rows,
                               std::int64_t seq_len) {
  mlm_row_stats s{tensor::zeros({batch_rows, 2}), tensor::zeros({batch_rows})};
  const auto n = a.positions.numel();
  if (n == 0)
    return s;
  const auto v = a.logits.size(1);
  const auto logits = a.logits.on(device::cpu()), losses = a.losses.on(device::cpu());
  for (std::int64_t i = 0; i < n; ++i) {
    const auto row = a.positions.data<std::int32_t>()[i] / seq_len;
    const float* l = logits.data<float>() + i * v;
    const auto predicted = std::int32_t(std::max_element(l, l + v) - l);
    s.counts.data<float>()[row * 2] += predicted == a.targets.data<std::int32_t>()[i];
    s.counts.data<float>()[row * 2 + 1] += 1.0f;
    s.loss_sums.data<float>()[row] += losses.data<float>()[i];
  }
  return s;
}

} // namespace axon::bert
