// The document head: pooling of the windows' [CLS] vectors, then the classifier head.
#include "graphs/bert/document_head.hpp"

#include "ops/cpu/window_pooling.hpp"
#include "ops/dispatch.hpp"
#include "runtime/buffer.hpp"

#include <stdexcept>

namespace axon::bert {

const char* to_string(window_pooling pooling) {
  return pooling == window_pooling::attention ? "attention" : "mean";
}

std::optional<window_pooling> parse_window_pooling(std::string_view name) {
  if (name == "mean")
    return window_pooling::mean;
  if (name == "attention")
    return window_pooling::attention;
  return std::nullopt;
}

window_pooling pooling_of(const bert_config& cfg) {
  return cfg.attention_pooling ? window_pooling::attention : window_pooling::mean;
}

bert_config documents_config(bert_config cfg, window_pooling pooling) {
  cfg.documents = true;
  cfg.attention_pooling = pooling == window_pooling::attention;
  return cfg;
}

std::vector<param_spec> document_head_param_specs(const bert_config& cfg, window_pooling pooling) {
  if (cfg.mlm)
    throw std::invalid_argument("a document head classifies: it has no MLM form");
  return head_param_specs(documents_config(cfg, pooling));
}

document_head_params document_head_views(const param_arena& arena, const bert_config& cfg,
                                         window_pooling pooling) {
  document_head_params v;
  v.head = head_views(arena, cfg);
  if (pooling == window_pooling::attention)
    v.query = arena[document_query_name];
  return v;
}

void document_head_forward(document_head_acts& a, const document_head_params& p,
                           const bert_config& cfg, window_pooling pooling, const tensor& cls,
                           const tensor& offsets, const tensor& labels, const dropout_key& key,
                           const ops::compute& c) {
  ops::check_window_offsets("document_head_forward", offsets, cls.size(0));
  const auto where = c.where();
  a.offsets = offsets.on(where);
  const auto documents = offsets.size(0) - 1, hidden = std::int64_t{cfg.hidden};
  ensure_shape(a.pooled, {documents, 1, hidden}, dtype::f32, where);
  const auto pooled_rows = a.pooled.reshape({documents, hidden});
  if (pooling == window_pooling::attention) {
    ensure_shape(a.probs, {cls.size(0)}, dtype::f32, where);
    ops::dispatch::attention_pool_forward(pooled_rows, a.probs, cls, p.query, a.offsets, c);
  } else {
    ops::dispatch::mean_pool_forward(pooled_rows, cls, a.offsets, c);
  }
  head_forward(a.head, p.head, cfg, a.pooled, labels, key, c);
}

void document_head_backward(const document_head_params& g, const tensor& d_cls,
                            document_head_acts& a, const document_head_params& p,
                            const bert_config& cfg, window_pooling pooling, const tensor& cls,
                            const tensor& labels, float dloss, const dropout_key& key,
                            const ops::compute& c) {
  ensure_shape(a.d_pooled, a.pooled.sizes(), dtype::f32, c.where());
  ops::dispatch::zero_fill(a.d_pooled, c);
  head_backward(g.head, a.d_pooled, a.head, p.head, cfg, a.pooled, labels, dloss, key, c);
  const auto d_rows = a.d_pooled.reshape({a.pooled.size(0), a.pooled.size(2)});
  if (pooling == window_pooling::attention)
    ops::dispatch::attention_pool_backward(d_cls, g.query, d_rows, cls, p.query, a.probs,
                                           a.offsets, c);
  else
    ops::dispatch::mean_pool_backward(d_cls, d_rows, a.offsets, c);
}

} // namespace axon::bert
