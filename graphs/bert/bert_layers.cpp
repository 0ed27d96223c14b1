// BERT stages: forward/backward of embeddings, encoder blocks and the classifier head.
#include "graphs/bert/bert_layers.hpp"

#include "ops/cpu/attention.hpp"
#include "ops/dispatch.hpp"
#include "runtime/buffer.hpp"

#include <stdexcept>
#include <string>

namespace axon::bert {

using ops::dropout_spec;
using ops::grad_write;
namespace op = ops::dispatch;

namespace {

// Dropout site numbers: 0 embeddings; 1 + 3*layer + {0 attention probs, 1 attention
// output, 2 feed-forward output}; 1 + 3*layers for the head.
std::uint32_t block_site(int layer, int which) {
  return 1 + 3 * static_cast<std::uint32_t>(layer) + which;
}

// An f32 buffer of `sizes` on c's device (contents unspecified).
void buffer(tensor& t, const shape& sizes, const ops::compute& on) {
  ensure_shape(t, sizes, dtype::f32, on.where());
}

void zeroed(tensor& t, const shape& sizes, const ops::compute& on) {
  buffer(t, sizes, on);
  op::zero_fill(t, on);
}

// Gradient through dropout: returns the gradient of dropout's input, using `scratch`.
const tensor& through_dropout(tensor& scratch, const tensor& dout, const dropout_spec& drop,
                              const ops::compute& on) {
  if (!drop.active())
    return dout;
  zeroed(scratch, dout.sizes(), on);
  op::dropout_backward(scratch, dout, drop, on);
  return scratch;
}

} // namespace

dropout_spec dropout_at(const dropout_key& key, float p, std::uint32_t site) {
  if (!key.training || p == 0.0f)
    return {};
  // Example keys: epoch * 2^40 + position, with room for a batch's rows above position.
  constexpr std::uint64_t epochs = std::uint64_t{1} << 24;
  constexpr std::uint64_t positions = (std::uint64_t{1} << 40) - (std::uint64_t{1} << 32);
  if (key.epoch >= epochs || key.position >= positions)
    throw std::invalid_argument("dropout_at: epoch " + std::to_string(key.epoch) + ", position "
                                + std::to_string(key.position)
                                + " is past the examples that dropout keys number");
  return {p, key.seed, site, (key.epoch << 40) | key.position};
}

dropout_key documents_key(const dropout_key& key) {
  auto out = key;
  out.position = key.document_position;
  return out;
}

// ---- embeddings --------------------------------------------------------------------

void embeddings_forward(embedding_acts& a, const embedding_params& p, const bert_config& cfg,
                        const batch& in, const dropout_key& key, const ops::compute& on) {
  const auto b = in.ids.size(0), t = in.ids.size(1), c = std::int64_t{cfg.hidden};
  buffer(a.sum, {b, t, c}, on);
  buffer(a.normed, {b, t, c}, on);
  buffer(a.mean, {b * t}, on);
  buffer(a.rstd, {b * t}, on);
  op::embedding_forward(a.sum, in.ids, in.token_types, p.word, p.position, p.token_type, on);
  if (cfg.entities > 0 && in.entities.defined())
    op::entity_fusion_forward(a.sum, in.entities, p.entity, p.entity_proj_weight,
                              p.entity_proj_bias, on);
  op::layernorm_forward(a.normed, a.mean, a.rstd, a.sum, p.ln_weight, p.ln_bias,
                        cfg.layer_norm_eps, on);
  auto drop = dropout_at(key, cfg.hidden_dropout, 0);
  if (drop.active()) {
    buffer(a.dropped, {b, t, c}, on);
    op::dropout_forward(a.dropped, a.normed, drop, on);
    a.out = a.dropped;
  } else {
    a.out = a.normed;
  }
}

void embeddings_backward(const embedding_params& g, embedding_acts& a,
                         const embedding_params& p, const bert_config& cfg, const batch& in,
                         const tensor& dout, const dropout_key& key, const ops::compute& on) {
  const auto& d_normed =
    through_dropout(a.d_normed, dout, dropout_at(key, cfg.hidden_dropout, 0), on);
  buffer(a.d_sum, a.sum.sizes(), on);
  op::layernorm_backward(a.d_sum, g.ln_weight, g.ln_bias, d_normed, a.sum, p.ln_weight, a.mean,
                         a.rstd, on, grad_write::overwrite);
  op::embedding_backward(g.word, g.position, g.token_type, a.d_sum, in.ids, in.token_types, on);
  if (cfg.entities > 0 && in.entities.defined())
    op::entity_fusion_backward(cfg.entity_finetune ? g.entity : tensor{}, g.entity_proj_weight,
                               g.entity_proj_bias, a.d_sum, in.entities, p.entity,
                               p.entity_proj_weight, on);
}

// ---- encoder block -----------------------------------------------------------------

namespace {

// The rows a block's ops see: the padded (B,T) layout with its key mask, or on the host
// the packed real tokens (ops/cpu/packed_rows.hpp), which skips the padding's work.
struct block_rows {
  const ops::packed_rows* packed; // null: the padded layout
  const tensor& mask;             // the padded layout's key mask
  std::int64_t b, t;
  /// The shape of a (rows, width) activation: (B,T,width) or (N,width).
  shape of(std::int64_t width) const {
    return packed ? shape{packed->count(), width} : shape{b, t, width};
  }
  std::int64_t count() const { return packed ? packed->count() : b * t; }
};

// An f32 buffer of rows.of(width) (width 0: of rows.count()) whose storage holds the padded
// layout's B*T rows, so that batches with different numbers of real tokens reuse one
// allocation instead of growing it batch after batch.
void row_buffer(tensor& t, const block_rows& rows, std::int64_t width, const ops::compute& on) {
  const auto capacity = rows.b * rows.t * std::max<std::int64_t>(width, 1);
  ensure_shape(t, {capacity}, dtype::f32, on.where());
  t = tensor::from_storage(t.bytes(), 0, width == 0 ? shape{rows.count()} : rows.of(width),
                           dtype::f32);
}

void dropout_forward_on(const tensor& x, const block_rows& rows, const dropout_spec& drop,
                        const ops::compute& on) {
  if (rows.packed)
    ops::dropout_forward_rows(x, x, *rows.packed, drop);
  else
    op::dropout_forward(x, x, drop, on);
}

const tensor& through_dropout_on(tensor& scratch, const tensor& dout, const block_rows& rows,
                                 const dropout_spec& drop, const ops::compute& on) {
  if (!rows.packed || !drop.active())
    return through_dropout(scratch, dout, drop, on);
  row_buffer(scratch, rows, dout.size(-1), on);
  op::zero_fill(scratch, on);
  ops::dropout_backward_rows(scratch, dout, *rows.packed, drop);
  return scratch;
}

// The block on `rows`: inp and out are (rows, C).
void block_forward_on(block_acts& a, const block_params& p, const bert_config& cfg, int layer,
                      const tensor& inp, const block_rows& rows, const tensor& out,
                      const dropout_key& key, const ops::compute& on) {
  const std::int64_t c = cfg.hidden, i = cfg.intermediate;
  row_buffer(a.qkv, rows, 3 * c, on);
  buffer(a.probs, op::attention_state_shape(rows.b, cfg.heads, rows.t, on), on);
  for (auto* x : {&a.context, &a.residual1, &a.normed1, &a.residual2})
    row_buffer(*x, rows, c, on);
  for (auto* x : {&a.mean1, &a.rstd1, &a.mean2, &a.rstd2})
    row_buffer(*x, rows, 0, on);
  row_buffer(a.ffn_pre, rows, i, on);
  row_buffer(a.ffn_act, rows, i, on);

  op::linear_forward(a.qkv, inp, p.qkv_weight, p.qkv_bias, on);
  const auto attention_drop = dropout_at(key, cfg.attention_dropout, block_site(layer, 0));
  if (rows.packed)
    ops::attention_forward_packed(a.context, a.probs, a.qkv, *rows.packed, cfg.heads,
                                  attention_drop);
  else
    op::attention_forward(a.context, a.probs, a.qkv, rows.mask, cfg.heads, attention_drop, on);
  // residual1 = inp + dropout(dense(context))
  op::linear_forward(a.residual1, a.context, p.attn_out_weight, p.attn_out_bias, on);
  if (auto drop = dropout_at(key, cfg.hidden_dropout, block_site(layer, 1)); drop.active())
    dropout_forward_on(a.residual1, rows, drop, on);
  op::add_into(a.residual1, inp, on);
  op::layernorm_forward(a.normed1, a.mean1, a.rstd1, a.residual1, p.ln1_weight, p.ln1_bias,
                        cfg.layer_norm_eps, on);
  op::linear_forward(a.ffn_pre, a.normed1, p.ffn_in_weight, p.ffn_in_bias, on);
  op::gelu_forward(a.ffn_act, a.ffn_pre, on);
  // residual2 = normed1 + dropout(dense(ffn_act))
  op::linear_forward(a.residual2, a.ffn_act, p.ffn_out_weight, p.ffn_out_bias, on);
  if (auto drop = dropout_at(key, cfg.hidden_dropout, block_site(layer, 2)); drop.active())
    dropout_forward_on(a.residual2, rows, drop, on);
  op::add_into(a.residual2, a.normed1, on);
  op::layernorm_forward(out, a.mean2, a.rstd2, a.residual2, p.ln2_weight, p.ln2_bias,
                        cfg.layer_norm_eps, on);
}

// Backward of block_forward_on: dinp (rows, C) += d loss / d inp, from dout (rows, C).
void block_backward_on(const block_params& g, const tensor& dinp, block_scratch& s,
                       const block_acts& a, const block_params& p, const bert_config& cfg,
                       int layer, const tensor& inp, const block_rows& rows, const tensor& dout,
                       const dropout_key& key, const ops::compute& on) {
  // Fresh scratch gradients are overwritten by the op that first writes them (no zeroing).
  constexpr auto overwrite = grad_write::overwrite;
  const std::int64_t c = cfg.hidden, i = cfg.intermediate;
  row_buffer(s.d_residual2, rows, c, on);
  op::layernorm_backward(s.d_residual2, g.ln2_weight, g.ln2_bias, dout, a.residual2, p.ln2_weight,
                         a.mean2, a.rstd2, on, overwrite);
  // residual2 = normed1 + dropout(dense(ffn_act)): both branches get d_residual2.
  row_buffer(s.d_normed1, rows, c, on);
  op::copy_into(s.d_normed1, s.d_residual2, on);
  const auto& d_ffn_out =
    through_dropout_on(s.d_dropped, s.d_residual2, rows,
                       dropout_at(key, cfg.hidden_dropout, block_site(layer, 2)), on);
  row_buffer(s.d_ffn_act, rows, i, on);
  op::linear_backward(s.d_ffn_act, g.ffn_out_weight, g.ffn_out_bias, d_ffn_out, a.ffn_act,
                      p.ffn_out_weight, on, overwrite);
  row_buffer(s.d_ffn_pre, rows, i, on);
  op::gelu_backward(s.d_ffn_pre, s.d_ffn_act, a.ffn_pre, on, overwrite);
  op::linear_backward(s.d_normed1, g.ffn_in_weight, g.ffn_in_bias, s.d_ffn_pre, a.normed1,
                      p.ffn_in_weight, on); // adds to the residual branch's share
  row_buffer(s.d_residual1, rows, c, on);
  op::layernorm_backward(s.d_residual1, g.ln1_weight, g.ln1_bias, s.d_normed1, a.residual1,
                         p.ln1_weight, a.mean1, a.rstd1, on, overwrite);
  // residual1 = inp + dropout(dense(context))
  op::add_into(dinp, s.d_residual1, on);
  const auto& d_attn_out =
    through_dropout_on(s.d_dropped, s.d_residual1, rows,
                       dropout_at(key, cfg.hidden_dropout, block_site(layer, 1)), on);
  row_buffer(s.d_context, rows, c, on);
  op::linear_backward(s.d_context, g.attn_out_weight, g.attn_out_bias, d_attn_out, a.context,
                      p.attn_out_weight, on, overwrite);
  row_buffer(s.d_qkv, rows, 3 * c, on);
  const auto attention_drop = dropout_at(key, cfg.attention_dropout, block_site(layer, 0));
  if (rows.packed)
    ops::attention_backward_packed(s.d_qkv, s.d_context, a.qkv, a.probs, *rows.packed,
                                   cfg.heads, attention_drop, overwrite);
  else
    op::attention_backward(s.d_qkv, s.d_context, a.context, a.qkv, a.probs, rows.mask,
                           cfg.heads, attention_drop, on, overwrite);
  op::linear_backward(dinp, g.qkv_weight, g.qkv_bias, s.d_qkv, inp, p.qkv_weight, on);
}

} // namespace

void block_forward(block_acts& a, const block_params& p, const bert_config& cfg, int layer,
                   const tensor& inp, const tensor& mask, const dropout_key& key,
                   const ops::compute& on) {
  const auto b = inp.size(0), t = inp.size(1), c = std::int64_t{cfg.hidden};
  a.packed = on.on_host() && cfg.pack_rows ? ops::pack_rows(mask) : std::nullopt;
  buffer(a.out, {b, t, c}, on);
  if (!a.packed) {
    block_forward_on(a, p, cfg, layer, inp, {nullptr, mask, b, t}, a.out, key, on);
    return;
  }
  const block_rows rows{&*a.packed, mask, b, t};
  row_buffer(a.inp_packed, rows, c, on);
  row_buffer(a.out_packed, rows, c, on);
  op::gather_rows_forward(a.inp_packed, inp, a.packed->index, on);
  block_forward_on(a, p, cfg, layer, a.inp_packed, rows, a.out_packed, key, on);
  op::zero_fill(a.out, on); // padding rows: 0
  op::gather_rows_backward(a.out, a.out_packed, a.packed->index, on);
}

void block_backward(const block_params& g, const tensor& dinp, block_scratch& s,
                    const block_acts& a, const block_params& p, const bert_config& cfg,
                    int layer, const tensor& inp, const tensor& mask, const tensor& dout,
                    const dropout_key& key, const ops::compute& on) {
  const auto b = inp.size(0), t = inp.size(1);
  if (!a.packed) {
    block_backward_on(g, dinp, s, a, p, cfg, layer, inp, {nullptr, mask, b, t}, dout, key, on);
    return;
  }
  const block_rows rows{&*a.packed, mask, b, t};
  row_buffer(s.d_out_packed, rows, cfg.hidden, on);
  op::gather_rows_forward(s.d_out_packed, dout, a.packed->index, on);
  row_buffer(s.d_inp_packed, rows, cfg.hidden, on);
  op::zero_fill(s.d_inp_packed, on);
  block_backward_on(g, s.d_inp_packed, s, a, p, cfg, layer, a.inp_packed, rows, s.d_out_packed,
                    key, on);
  op::gather_rows_backward(dinp, s.d_inp_packed, a.packed->index, on); // dinp += on real rows
}

// ---- classifier head ---------------------------------------------------------------

void head_forward(head_acts& a, const head_params& p, const bert_config& cfg, const tensor& inp,
                  const tensor& labels, const dropout_key& key, const ops::compute& on) {
  const auto b = inp.size(0), c = std::int64_t{cfg.hidden};
  buffer(a.pooled, {b, c}, on);
  buffer(a.logits, {b, std::int64_t{cfg.classes}}, on);
  buffer(a.probs, {b, std::int64_t{cfg.classes}}, on);
  buffer(a.losses, {b}, on);
  if (cfg.pooler) {
    op::pooler_forward(a.pooled, inp, p.pooler_weight, p.pooler_bias, on);
  } else { // the [CLS] row of each sequence
    op::first_rows_forward(a.pooled, inp, on);
  }
  auto drop = dropout_at(key, cfg.hidden_dropout, block_site(cfg.layers, 0));
  if (drop.active()) {
    buffer(a.dropped_buf, {b, c}, on);
    op::dropout_forward(a.dropped_buf, a.pooled, drop, on);
    a.dropped = a.dropped_buf;
  } else {
    a.dropped = a.pooled;
  }
  op::linear_forward(a.logits, a.dropped, p.classifier_weight, p.classifier_bias, on);
  if (labels.defined())
    a.loss = op::cross_entropy_forward(a.losses, a.probs, a.logits, labels, on);
  else
    op::softmax_forward(a.probs, a.logits, on);
}

void head_backward(const head_params& g, const tensor& dinp, head_acts& a,
                   const head_params& p, const bert_config& cfg, const tensor& inp,
                   const tensor& labels, float dloss, const dropout_key& key,
                   const ops::compute& on) {
  zeroed(a.d_logits, a.logits.sizes(), on);
  op::cross_entropy_backward(a.d_logits, a.probs, labels, dloss, on);
  zeroed(a.d_dropped, a.dropped.sizes(), on);
  op::linear_backward(a.d_dropped, g.classifier_weight, g.classifier_bias, a.d_logits, a.dropped,
                      p.classifier_weight, on);
  const auto& d_pooled = through_dropout(a.d_pooled, a.d_dropped,
                                         dropout_at(key, cfg.hidden_dropout,
                                                    block_site(cfg.layers, 0)),
                                         on);
  if (cfg.pooler) {
    op::pooler_backward(dinp, g.pooler_weight, g.pooler_bias, d_pooled, inp, p.pooler_weight,
                        a.pooled, on);
  } else {
    op::first_rows_backward(dinp, d_pooled, on);
  }
}

} // namespace axon::bert
