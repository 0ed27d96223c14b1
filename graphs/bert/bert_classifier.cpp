// bert_classifier: the one-stage model.
#include "graphs/bert/bert_classifier.hpp"

#include "graphs/bert/batch_rows.hpp"

#include <algorithm>
#include <stdexcept>

namespace axon::bert {

bert_classifier::bert_classifier(const bert_config& cfg, ops::compute on, bool trainable)
  : stage_(cfg, split_stages(cfg, 0, 1), std::move(on), trainable) {
}

float bert_classifier::forward(const batch& in, const dropout_key& key) {
  auto out = stage_.forward(0, in, {}, key);
  logits_ = out.logits;
  return out.loss;
}

void bert_classifier::classify_documents(const batch& in, std::int64_t max_windows) {
  if (max_windows < 1)
    throw std::invalid_argument("bert_classifier::classify_documents: max_windows must be >= 1");
  const auto n = in.ids.size(0);
  auto cls = tensor::empty({n, std::int64_t{config().hidden}});
  // Without offsets the stage stops at the windows' [CLS] rows.
  const batch windows{in.ids, in.token_types, in.mask, {}, in.entities, {}};
  for (std::int64_t first = 0; first < n; first += max_windows) {
    const auto last = std::min(n, first + max_windows);
    auto out = stage_.forward(0, take_rows(windows, first, last, true), {}, {});
    cls.slice(first, last).copy_(out.cls);
  }
  logits_ = stage_.classify_documents(cls, in.offsets, {}, 0.0f, {}).logits;
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
