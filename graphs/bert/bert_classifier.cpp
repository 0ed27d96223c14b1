// bert_classifier: the one-stage model.
#include "graphs/bert/bert_classifier.hpp"

namespace axon::bert {

bert_classifier::bert_classifier(const bert_config& cfg, ops::compute on)
  : stage_(cfg, split_stages(cfg, 0, 1), std::move(on)) {
}

float bert_classifier::forward(const batch& in, const dropout_key& key) {
  auto out = stage_.forward(0, in, {}, key);
  logits_ = out.logits;
  return out.loss;
}

void bert_classifier::backward(const batch& in, const dropout_key& key) {
  stage_.backward(0, in, {}, 1.0f, key);
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
