// bert_classifier: the single-loop forward/backward over the BERT stages.
#include "graphs/bert/bert_classifier.hpp"

#include "runtime/buffer.hpp"

namespace axon::bert {

bert_classifier::bert_classifier(const bert_config& cfg)
  : cfg_(cfg), params_(param_specs(cfg)), grads_(params_.like()) {
  emb_p_ = embedding_views(params_, cfg_);
  emb_g_ = embedding_views(grads_, cfg_);
  for (int layer = 0; layer < cfg_.layers; ++layer) {
    block_p_.push_back(block_views(params_, cfg_, layer));
    block_g_.push_back(block_views(grads_, cfg_, layer));
  }
  head_p_ = head_views(params_, cfg_);
  head_g_ = head_views(grads_, cfg_);
  blocks_.resize(cfg_.layers);
}

float bert_classifier::forward(const batch& in, const dropout_key& key) {
  embeddings_forward(emb_, emb_p_, cfg_, in, key);
  const tensor* hidden = &emb_.out;
  for (int layer = 0; layer < cfg_.layers; ++layer) {
    block_forward(blocks_[layer], block_p_[layer], cfg_, layer, *hidden, in.mask, key);
    hidden = &blocks_[layer].out;
  }
  head_forward(head_, head_p_, cfg_, *hidden, in.labels, key);
  return in.labels.defined() ? head_.loss : 0.0f;
}

void bert_classifier::backward(const batch& in, const dropout_key& key) {
  const auto& top = cfg_.layers > 0 ? blocks_.back().out : emb_.out;
  for (auto& d : d_hidden_) {
    ensure_shape(d, top.sizes());
    d.zero_();
  }
  int current = 0; // d_hidden_[current] holds d loss / d (input of the stage above)
  head_backward(head_g_, d_hidden_[current], head_, head_p_, cfg_, top, in.labels, 1.0f, key);
  for (int layer = cfg_.layers - 1; layer >= 0; --layer) {
    const auto& inp = layer > 0 ? blocks_[layer - 1].out : emb_.out;
    auto& dinp = d_hidden_[1 - current];
    dinp.zero_();
    block_backward(block_g_[layer], dinp, scratch_, blocks_[layer], block_p_[layer], cfg_, layer,
                   inp, in.mask, d_hidden_[current], key);
    current = 1 - current;
  }
  embeddings_backward(emb_g_, emb_, emb_p_, cfg_, in, d_hidden_[current], key);
}

float train_step(bert_classifier& model, adamw_optimizer& optimizer, const batch& in,
                 const dropout_key& key) {
  model.zero_grads();
  float loss = model.forward(in, key);
  model.backward(in, key);
  optimizer.step(model.params(), model.grads());
  return loss;
}

} // namespace axon::bert
