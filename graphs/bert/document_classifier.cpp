// document_classifier: encoder over the windows, [CLS] rows, document head.
#include "graphs/bert/document_classifier.hpp"

#include "ops/cpu/first_rows.hpp"
#include "runtime/buffer.hpp"

namespace axon::bert {

stage_layout encoder_layout(const bert_config& cfg) {
  // Stage 0 of 2 holding every block: the embeddings and the encoder, the head elsewhere.
  return stage_layout{0, 2, 0, cfg.layers};
}

document_classifier::document_classifier(const bert_config& cfg, window_pooling pooling)
  : encoder_(cfg, encoder_layout(cfg)), pooling_(pooling),
    head_params_(document_head_param_specs(cfg, pooling)), head_grads_(head_params_.like()),
    head_p_(document_head_views(head_params_, cfg, pooling)),
    head_g_(document_head_views(head_grads_, cfg, pooling)) {
}

void document_classifier::zero_grads() {
  encoder_.zero_grads();
  head_grads_.flat().zero_();
}

float document_classifier::forward(const document_batch& in, const dropout_key& key) {
  auto out = encoder_.forward(0, in.windows, {}, key);
  ensure_shape(cls_, {out.hidden.size(0), out.hidden.size(2)});
  ops::first_rows_forward(cls_, out.hidden);
  document_head_forward(head_acts_, head_p_, config(), pooling_, cls_, in.offsets, in.labels,
                        documents_key(key), {});
  return in.labels.defined() ? head_acts_.head.loss : 0.0f;
}

void document_classifier::backward(const document_batch& in, const dropout_key& key) {
  ensure_shape(d_cls_, cls_.sizes());
  d_cls_.zero_();
  document_head_backward(head_g_, d_cls_, head_acts_, head_p_, config(), pooling_, cls_,
                         in.labels, 1.0f, documents_key(key), {});
  const auto& ids = in.windows.ids;
  ensure_shape(d_hidden_, {ids.size(0), ids.size(1), std::int64_t{config().hidden}});
  d_hidden_.zero_();
  ops::first_rows_backward(d_hidden_, d_cls_);
  encoder_.backward(0, in.windows, d_hidden_, 1.0f, key);
}

float train_step(document_classifier& model, adamw_optimizer& encoder_optimizer,
                 adamw_optimizer& head_optimizer, const document_batch& in,
                 const dropout_key& key) {
  model.zero_grads();
  float loss = model.forward(in, key);
  model.backward(in, key);
  encoder_optimizer.step(model.encoder_params(), model.encoder_grads());
  head_optimizer.step(model.head_params(), model.head_grads());
  return loss;
}

} // namespace axon::bert
