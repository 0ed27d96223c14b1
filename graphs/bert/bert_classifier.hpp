// bert_classifier: the whole BERT encoder classifier as one plain loop (a single stage
// holding embeddings, every block and the head), no actors. It is the reference that the
// actor runtime (stage, shard and optimizer actors running bert_stage parts) is checked and
// measured against.
#pragma once

#include "graphs/adamw_optimizer.hpp"
#include "graphs/bert/bert_stage.hpp"

namespace axon::bert {

class bert_classifier {
public:
  /// Parameters are allocated zeroed on on.where(): call init_params(params(), seed) (on
  /// the host) or copy weights in (params().flat().copy_(host_flat)). Without `trainable`
  /// (inference) there are no gradients: backward throws.
  explicit bert_classifier(const bert_config& cfg, ops::compute on = {}, bool trainable = true);

  const bert_config& config() const { return stage_.config(); }
  const ops::compute& compute() const { return stage_.compute(); }
  const param_arena& params() const { return stage_.params(); }
  const param_arena& grads() const { return stage_.grads(); }
  /// Computes with `other`'s parameters from now on (shared, never copied; the same
  /// config and device).
  void share_weights_of(const bert_classifier& other) { stage_.bind(other.params()); }

  /// Forward pass; returns the mean cross-entropy when in.labels is defined (else 0).
  /// Activations are kept for backward; logits() holds the (B,K) outputs.
  float forward(const batch& in, const dropout_key& key);
  /// Documents model (cfg.documents), forward only: the windows of `in` (offsets defined)
  /// encoded at most `max_windows` at a time, keeping their [CLS] rows only, then the
  /// document head: memory for max_windows windows, whatever the documents' lengths.
  /// logits() holds the (D,K) outputs, as forward's.
  void classify_documents(const batch& in, std::int64_t max_windows);
  /// Accumulates d(mean loss)/d(params) into grads(); needs the forward just before.
  void backward(const batch& in, const dropout_key& key);
  void zero_grads() { stage_.zero_grads(); }
  const tensor& logits() const { return logits_; } // on the host

private:
  bert_stage stage_;
  tensor logits_;
};

/// One training step: zero grads, forward, backward, optimizer step. Returns the loss.
float train_step(bert_classifier& model, adamw_optimizer& optimizer, const batch& in,
                 const dropout_key& key);

} // namespace axon::bert
