// document_classifier: the long-document classifier (data.long-text = chunk,
// docs/long-texts.md) as one plain loop, no actors: every window of a batch of documents
// through the encoder (embeddings and every block: one bert_stage without the head), the
// windows' [CLS] rows, and the document head (pooling, then the classifier head). It is
// the reference a chunked actor graph is to be checked against, as bert_classifier is for
// the pipeline. Host only. Legend: N windows, T window length, D documents, C hidden.
#pragma once

#include "graphs/adamw_optimizer.hpp"
#include "graphs/bert/bert_stage.hpp"
#include "graphs/bert/document_head.hpp"

namespace axon::bert {

/// A batch of documents as windows; a document's windows are consecutive rows.
struct document_batch {
  batch windows;  // (N,T) ids, token types, mask; labels and entities undefined
  tensor offsets; // (D+1) i32: document d's windows are rows offsets[d]..offsets[d+1]
  tensor labels;  // (D) i32, or undefined (no loss)
};

/// The encoder's part of a whole model: embeddings and every block, no head.
stage_layout encoder_layout(const bert_config& cfg);

class document_classifier {
public:
  /// Parameters are allocated zeroed: init_params(...) both arenas or copy weights in.
  document_classifier(const bert_config& cfg, window_pooling pooling);

  const bert_config& config() const { return encoder_.config(); }
  window_pooling pooling() const { return pooling_; }
  /// Encoder parameters (Hugging Face names, as bert_classifier's without the head) and the
  /// head's (pooler, classifier, and document_pooling.query with attention pooling).
  const param_arena& encoder_params() const { return encoder_.params(); }
  const param_arena& encoder_grads() const { return encoder_.grads(); }
  const param_arena& head_params() const { return head_params_; }
  const param_arena& head_grads() const { return head_grads_; }

  /// Forward pass; returns the mean cross-entropy over the documents when labels are
  /// defined (else 0). logits() holds the (D,K) outputs. Dropout: window n of the batch is
  /// example key.position + n, document d of the head key.document_position + d.
  float forward(const document_batch& in, const dropout_key& key);
  /// Accumulates d(mean loss)/d(params) into both gradient arenas; needs the forward just
  /// before. Every window gets its gradient through its [CLS] row.
  void backward(const document_batch& in, const dropout_key& key);
  void zero_grads();
  const tensor& logits() const { return head_acts_.head.logits; }

private:
  bert_stage encoder_;
  window_pooling pooling_;
  param_arena head_params_, head_grads_;
  document_head_params head_p_, head_g_;
  document_head_acts head_acts_;
  tensor cls_, d_cls_, d_hidden_;
};

/// One training step: zero grads, forward, backward, one AdamW step of each arena (the
/// optimizers over encoder_params() and head_params(); without clipping, since each would
/// clip its arena alone, not by the model's global norm). Returns the loss.
float train_step(document_classifier& model, adamw_optimizer& encoder_optimizer,
                 adamw_optimizer& head_optimizer, const document_batch& in,
                 const dropout_key& key);

} // namespace axon::bert
