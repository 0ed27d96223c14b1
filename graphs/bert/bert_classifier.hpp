// bert_classifier: the whole BERT encoder classifier in one object, run as one plain loop
// (embeddings -> L blocks -> head), no actors. It is the reference that the actor
// runtime (stage, shard and optimizer actors calling the same bert_layers functions) is
// checked and measured against.
#pragma once

#include "graphs/adamw_optimizer.hpp"
#include "graphs/bert/bert_layers.hpp"
#include "runtime/param_arena.hpp"

#include <vector>

namespace axon::bert {

class bert_classifier {
public:
  /// Parameters are allocated zeroed: call init_params(params(), seed) or load weights.
  explicit bert_classifier(const bert_config& cfg);

  const bert_config& config() const { return cfg_; }
  const param_arena& params() const { return params_; }
  const param_arena& grads() const { return grads_; }

  /// Forward pass; returns the mean cross-entropy when in.labels is defined (else 0).
  /// Activations are kept for backward; logits() and probs() hold the outputs.
  float forward(const batch& in, const dropout_key& key);
  /// Accumulates d(mean loss)/d(params) into grads(); needs the forward just before.
  void backward(const batch& in, const dropout_key& key);
  void zero_grads() { grads_.flat().zero_(); }

  const tensor& logits() const { return head_.logits; } // (B,K)
  const tensor& probs() const { return head_.probs; }   // (B,K)

private:
  bert_config cfg_;
  param_arena params_, grads_;
  embedding_params emb_p_, emb_g_;
  std::vector<block_params> block_p_, block_g_;
  head_params head_p_, head_g_;
  embedding_acts emb_;
  std::vector<block_acts> blocks_;
  head_acts head_;
  block_scratch scratch_;
  tensor d_hidden_[2]; // (B,T,C) gradients flowing between blocks, used alternately
};

/// One training step: zero grads, forward, backward, optimizer step. Returns the loss.
float train_step(bert_classifier& model, adamw_optimizer& optimizer, const batch& in,
                 const dropout_key& key);

} // namespace axon::bert
