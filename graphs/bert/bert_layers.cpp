// BERT stages: forward/backward of embeddings, encoder blocks and the classifier head.
#include "graphs/bert/bert_layers.hpp"

#include "ops/cpu/attention.hpp"
#include "ops/cpu/cross_entropy.hpp"
#include "ops/cpu/elementwise.hpp"
#include "ops/cpu/embedding.hpp"
#include "ops/cpu/entity_fusion.hpp"
#include "ops/cpu/gelu.hpp"
#include "ops/cpu/layernorm.hpp"
#include "ops/cpu/linear.hpp"
#include "ops/cpu/pooler.hpp"
#include "ops/cpu/softmax.hpp"
#include "runtime/buffer.hpp"

#include <cstring>
#include <stdexcept>

namespace axon::bert {

using namespace axon::ops;

namespace {

// Dropout site numbers: 0 embeddings; 1 + 3*layer + {0 attention probs, 1 attention
// output, 2 feed-forward output}; 1 + 3*layers for the head.
std::uint32_t block_site(int layer, int which) {
  return 1 + 3 * static_cast<std::uint32_t>(layer) + which;
}

void zeroed(tensor& t, const shape& sizes) {
  ensure_shape(t, sizes);
  t.zero_();
}

// Gradient through dropout: returns the gradient of dropout's input, using `scratch`.
const tensor& through_dropout(tensor& scratch, const tensor& dout, const dropout_spec& drop) {
  if (!drop.active())
    return dout;
  zeroed(scratch, dout.sizes());
  dropout_backward(scratch, dout, drop);
  return scratch;
}

} // namespace

dropout_spec dropout_at(const dropout_key& key, float p, std::uint32_t site) {
  if (!key.training || p == 0.0f)
    return {};
  if (site >= (1u << 16) || key.micro_batch >= (1u << 16))
    throw std::invalid_argument("dropout_at: site and micro-batch must be < 65536");
  return {p, key.seed, (key.step << 32) | (std::uint64_t{key.micro_batch} << 16) | site};
}

// ---- embeddings --------------------------------------------------------------------

void embeddings_forward(embedding_acts& a, const embedding_params& p, const bert_config& cfg,
                        const batch& in, const dropout_key& key) {
  const auto b = in.ids.size(0), t = in.ids.size(1), c = std::int64_t{cfg.hidden};
  ensure_shape(a.sum, {b, t, c});
  ensure_shape(a.normed, {b, t, c});
  ensure_shape(a.mean, {b * t});
  ensure_shape(a.rstd, {b * t});
  embedding_forward(a.sum, in.ids, in.token_types, p.word, p.position, p.token_type);
  if (cfg.entities > 0 && in.entities.defined())
    entity_fusion_forward(a.sum, in.entities, p.entity, p.entity_proj_weight, p.entity_proj_bias);
  layernorm_forward(a.normed, a.mean, a.rstd, a.sum, p.ln_weight, p.ln_bias, cfg.layer_norm_eps);
  auto drop = dropout_at(key, cfg.hidden_dropout, 0);
  if (drop.active()) {
    ensure_shape(a.dropped, {b, t, c});
    dropout_forward(a.dropped, a.normed, drop);
    a.out = a.dropped;
  } else {
    a.out = a.normed;
  }
}

void embeddings_backward(const embedding_params& g, embedding_acts& a,
                         const embedding_params& p, const bert_config& cfg, const batch& in,
                         const tensor& dout, const dropout_key& key) {
  const auto& d_normed = through_dropout(a.d_normed, dout, dropout_at(key, cfg.hidden_dropout, 0));
  ensure_shape(a.d_sum, a.sum.sizes());
  layernorm_backward(a.d_sum, g.ln_weight, g.ln_bias, d_normed, a.sum, p.ln_weight, a.mean, a.rstd,
                     grad_write::overwrite);
  embedding_backward(g.word, g.position, g.token_type, a.d_sum, in.ids, in.token_types);
  if (cfg.entities > 0 && in.entities.defined())
    entity_fusion_backward(cfg.entity_finetune ? g.entity : tensor{}, g.entity_proj_weight,
                           g.entity_proj_bias, a.d_sum, in.entities, p.entity, p.entity_proj_weight);
}

// ---- encoder block -----------------------------------------------------------------

void block_forward(block_acts& a, const block_params& p, const bert_config& cfg, int layer,
                   const tensor& inp, const tensor& mask, const dropout_key& key) {
  const auto b = inp.size(0), t = inp.size(1);
  const std::int64_t c = cfg.hidden, i = cfg.intermediate;
  ensure_shape(a.qkv, {b, t, 3 * c});
  ensure_shape(a.probs, {b, cfg.heads, t, t});
  for (auto* x : {&a.context, &a.residual1, &a.normed1, &a.residual2, &a.out})
    ensure_shape(*x, {b, t, c});
  for (auto* x : {&a.mean1, &a.rstd1, &a.mean2, &a.rstd2})
    ensure_shape(*x, {b * t});
  ensure_shape(a.ffn_pre, {b, t, i});
  ensure_shape(a.ffn_act, {b, t, i});

  linear_forward(a.qkv, inp, p.qkv_weight, p.qkv_bias);
  attention_forward(a.context, a.probs, a.qkv, mask, cfg.heads,
                    dropout_at(key, cfg.attention_dropout, block_site(layer, 0)));
  // residual1 = inp + dropout(dense(context))
  linear_forward(a.residual1, a.context, p.attn_out_weight, p.attn_out_bias);
  if (auto drop = dropout_at(key, cfg.hidden_dropout, block_site(layer, 1)); drop.active())
    dropout_forward(a.residual1, a.residual1, drop);
  add_into(a.residual1, inp);
  layernorm_forward(a.normed1, a.mean1, a.rstd1, a.residual1, p.ln1_weight, p.ln1_bias,
                    cfg.layer_norm_eps);
  linear_forward(a.ffn_pre, a.normed1, p.ffn_in_weight, p.ffn_in_bias);
  gelu_forward(a.ffn_act, a.ffn_pre);
  // residual2 = normed1 + dropout(dense(ffn_act))
  linear_forward(a.residual2, a.ffn_act, p.ffn_out_weight, p.ffn_out_bias);
  if (auto drop = dropout_at(key, cfg.hidden_dropout, block_site(layer, 2)); drop.active())
    dropout_forward(a.residual2, a.residual2, drop);
  add_into(a.residual2, a.normed1);
  layernorm_forward(a.out, a.mean2, a.rstd2, a.residual2, p.ln2_weight, p.ln2_bias,
                    cfg.layer_norm_eps);
}

void block_backward(const block_params& g, const tensor& dinp, block_scratch& s,
                    const block_acts& a, const block_params& p, const bert_config& cfg,
                    int layer, const tensor& inp, const tensor& mask, const tensor& dout,
                    const dropout_key& key) {
  // Fresh scratch gradients are overwritten by the op that first writes them (no zeroing).
  constexpr auto overwrite = grad_write::overwrite;
  const auto bt_c = a.out.sizes();
  ensure_shape(s.d_residual2, bt_c);
  layernorm_backward(s.d_residual2, g.ln2_weight, g.ln2_bias, dout, a.residual2, p.ln2_weight,
                     a.mean2, a.rstd2, overwrite);
  // residual2 = normed1 + dropout(dense(ffn_act)): both branches get d_residual2.
  ensure_shape(s.d_normed1, bt_c);
  copy_into(s.d_normed1, s.d_residual2);
  const auto& d_ffn_out = through_dropout(
    s.d_dropped, s.d_residual2, dropout_at(key, cfg.hidden_dropout, block_site(layer, 2)));
  ensure_shape(s.d_ffn_act, a.ffn_act.sizes());
  linear_backward(s.d_ffn_act, g.ffn_out_weight, g.ffn_out_bias, d_ffn_out, a.ffn_act,
                  p.ffn_out_weight, overwrite);
  ensure_shape(s.d_ffn_pre, a.ffn_pre.sizes());
  gelu_backward(s.d_ffn_pre, s.d_ffn_act, a.ffn_pre, overwrite);
  linear_backward(s.d_normed1, g.ffn_in_weight, g.ffn_in_bias, s.d_ffn_pre, a.normed1,
                  p.ffn_in_weight); // adds to the residual branch's share
  ensure_shape(s.d_residual1, bt_c);
  layernorm_backward(s.d_residual1, g.ln1_weight, g.ln1_bias, s.d_normed1, a.residual1,
                     p.ln1_weight, a.mean1, a.rstd1, overwrite);
  // residual1 = inp + dropout(dense(context))
  add_into(dinp, s.d_residual1);
  const auto& d_attn_out = through_dropout(
    s.d_dropped, s.d_residual1, dropout_at(key, cfg.hidden_dropout, block_site(layer, 1)));
  ensure_shape(s.d_context, bt_c);
  linear_backward(s.d_context, g.attn_out_weight, g.attn_out_bias, d_attn_out, a.context,
                  p.attn_out_weight, overwrite);
  ensure_shape(s.d_qkv, a.qkv.sizes());
  attention_backward(s.d_qkv, s.d_context, a.qkv, a.probs, mask, cfg.heads,
                     dropout_at(key, cfg.attention_dropout, block_site(layer, 0)), overwrite);
  linear_backward(dinp, g.qkv_weight, g.qkv_bias, s.d_qkv, inp, p.qkv_weight);
}

// ---- classifier head ---------------------------------------------------------------

void head_forward(head_acts& a, const head_params& p, const bert_config& cfg, const tensor& inp,
                  const tensor& labels, const dropout_key& key) {
  const auto b = inp.size(0), t = inp.size(1), c = std::int64_t{cfg.hidden};
  ensure_shape(a.pooled, {b, c});
  ensure_shape(a.logits, {b, std::int64_t{cfg.classes}});
  ensure_shape(a.probs, {b, std::int64_t{cfg.classes}});
  ensure_shape(a.losses, {b});
  if (cfg.pooler) {
    pooler_forward(a.pooled, inp, p.pooler_weight, p.pooler_bias);
  } else { // the [CLS] row of each sequence
    for (std::int64_t r = 0; r < b; ++r)
      std::memcpy(a.pooled.data<float>() + r * c, inp.data<float>() + r * t * c, c * sizeof(float));
  }
  auto drop = dropout_at(key, cfg.hidden_dropout, block_site(cfg.layers, 0));
  if (drop.active()) {
    ensure_shape(a.dropped_buf, {b, c});
    dropout_forward(a.dropped_buf, a.pooled, drop);
    a.dropped = a.dropped_buf;
  } else {
    a.dropped = a.pooled;
  }
  linear_forward(a.logits, a.dropped, p.classifier_weight, p.classifier_bias);
  if (labels.defined())
    a.loss = cross_entropy_forward(a.losses, a.probs, a.logits, labels);
  else
    softmax_forward(a.probs, a.logits);
}

void head_backward(const head_params& g, const tensor& dinp, head_acts& a,
                   const head_params& p, const bert_config& cfg, const tensor& inp,
                   const tensor& labels, float dloss, const dropout_key& key) {
  zeroed(a.d_logits, a.logits.sizes());
  cross_entropy_backward(a.d_logits, a.probs, labels, dloss);
  zeroed(a.d_dropped, a.dropped.sizes());
  linear_backward(a.d_dropped, g.classifier_weight, g.classifier_bias, a.d_logits, a.dropped,
                  p.classifier_weight);
  const auto& d_pooled = through_dropout(a.d_pooled, a.d_dropped,
                                         dropout_at(key, cfg.hidden_dropout, block_site(cfg.layers, 0)));
  if (cfg.pooler) {
    pooler_backward(dinp, g.pooler_weight, g.pooler_bias, d_pooled, inp, p.pooler_weight, a.pooled);
  } else {
    const auto b = inp.size(0), t = inp.size(1), c = std::int64_t{cfg.hidden};
    for (std::int64_t r = 0; r < b; ++r)
      for (std::int64_t k = 0; k < c; ++k)
        dinp.data<float>()[r * t * c + k] += d_pooled.data<float>()[r * c + k];
  }
}

} // namespace axon::bert
