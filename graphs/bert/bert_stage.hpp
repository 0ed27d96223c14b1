// bert_stage: a contiguous part of the BERT classifier (embeddings and/or some encoder
// blocks and/or the head), the unit that one stage actor computes. The whole model is the
// one-stage case. Activations are kept per slot, so a stage can hold several micro-batches
// in flight (pipeline schedules); backward of a slot frees it for reuse.
// A stage computes on one ops::compute: the host, or a CUDA stream on which its
// parameters, gradients, activations and the hidden states it passes on live.
// With documents (bert_config::documents) the rows are windows and the head stage runs the
// document head on their [CLS] rows (on the stage's device); given windows without their
// documents' offsets, it stops at the [CLS] rows (forward) and starts from their gradients
// (backward), and classify_documents runs the head on [CLS] rows gathered from such passes.
// Legend: b micro-batch rows, T sequence, C hidden, D documents.
#pragma once

#include "graphs/bert/bert_layers.hpp"
#include "graphs/bert/document_head.hpp"
#include "graphs/bert/mlm_head.hpp"
#include "ops/compute.hpp"
#include "runtime/param_arena.hpp"

#include <map>
#include <vector>

namespace axon::bert {

/// Which part of the model stage `index` of `count` holds: stage 0 has the embeddings,
/// the last stage the head, and the L blocks are split evenly (earlier stages get the
/// remainder one block each). An MLM model (cfg.mlm) has one stage only: its head's
/// decoder is the embeddings' word matrix.
struct stage_layout {
  int index = 0, count = 1;
  int first_layer = 0, end_layer = 0; // blocks [first_layer, end_layer)
  bool has_embeddings() const { return index == 0; }
  bool has_head() const { return index == count - 1; }
};
stage_layout split_stages(const bert_config& cfg, int index, int count);

/// Parameter names of a stage, in arena order (a slice of param_specs(cfg)).
std::vector<param_spec> stage_param_specs(const bert_config& cfg, const stage_layout& layout);

/// What a forward pass of a stage produced.
struct stage_output {
  tensor hidden;      // (b,T,C) for the next stage, on the stage's device; undefined from
                      // the head stage. Its producing work is complete (see forward).
  float loss = 0.0f;  // head stage with labels: mean cross-entropy over its loss terms
  std::int64_t loss_terms = 0; // what `loss` averages: the b rows (MLM: the targets;
                               // documents: the D documents)
  tensor logits;      // head stage, on the host: (b,K), documents (D,K); MLM, evaluation
                      // only: (b,2) per row
                      // [targets predicted right, targets] (mlm_row_stats)
  tensor losses;      // head stage with labels, on the host: (b) per-row cross-entropy (MLM:
                      // its sum
                      // over the row's targets, evaluation only)
  tensor cls;         // documents' head stage given windows without offsets: (b,C) their
                      // [CLS] rows, on the host, a tensor of their own
};

/// What the document head made of [CLS] rows gathered from windows (classify_documents).
struct documents_output {
  float loss = 0.0f;   // mean cross-entropy over the D documents (with labels)
  tensor logits;       // (D,K)
  tensor losses;       // (D) per-document cross-entropy (with labels)
  tensor d_cls;        // training: (N,C) d loss / d cls, scaled by dloss
};

class bert_stage {
public:
  /// Throws std::invalid_argument for an invalid config. Without `trainable` (inference:
  /// predict, eval, serve) no gradients are allocated, and backward throws.
  bert_stage(const bert_config& cfg, stage_layout layout, ops::compute on = {},
             bool trainable = true);

  const bert_config& config() const { return cfg_; }
  const ops::compute& compute() const { return on_; }
  const stage_layout& layout() const { return layout_; }
  /// Uses `params` (laid out by stage_param_specs, on the stage's device) from now on;
  /// shares, never copies.
  void bind(const param_arena& params);
  const param_arena& params() const { return params_; }
  const param_arena& grads() const { return grads_; }
  void zero_grads();

  /// Documents model, head stage: the document head alone on the windows' [CLS] rows cls
  /// (N,C), gathered from forwards of windows without offsets; offsets (D+1), labels (D)
  /// or undefined. With key.training and labels, backward too: the head's gradients
  /// (scaled by dloss) accumulate into grads() and d_cls is returned. Takes and returns
  /// host tensors (they come and go in messages); computes on the stage's device.
  documents_output classify_documents(const tensor& cls, const tensor& offsets,
                                      const tensor& labels, float dloss, const dropout_key& key);

  /// Forward of one micro-batch into activation slot `slot`. `hidden_in` is the previous
  /// stage's output on this stage's device (undefined for stage 0, which embeds in.ids);
  /// `in` may be on the host (it is copied to the device). On a device, forward returns
  /// once the stream has run its work, so the outputs can be handed to any thread.
  stage_output forward(int slot, const batch& in, const tensor& hidden_in, const dropout_key& key);
  /// Backward of the micro-batch in `slot`: accumulates parameter gradients and returns
  /// d loss / d hidden_in (undefined for stage 0). `d_hidden_out` is the next stage's
  /// gradient (ignored by the head stage, which starts from its loss scaled by `dloss`;
  /// a documents model's head stage given windows without offsets starts from their [CLS]
  /// rows' gradients, d_hidden_out (b,C)).
  /// On a device it returns once the gradients are computed, as forward does.
  tensor backward(int slot, const batch& in, const tensor& d_hidden_out, float dloss,
                  const dropout_key& key);
  /// Forgets the activations of a slot (its buffers are kept for reuse).
  void release(int slot);
  /// Frees a slot's buffers too (outputs already sent keep their own storage alive).
  void drop(int slot) { slots_.erase(slot); }

private:
  struct slot_acts {
    batch in;          // the micro-batch on the stage's device
    tensor hidden_in;
    embedding_acts embeddings;
    std::vector<block_acts> blocks;
    head_acts head;
    mlm_head_acts mlm;
    tensor cls, d_cls; // documents: (b,C) the windows' [CLS] rows and their gradient
    document_head_acts document;
  };

  /// `in` on the stage's device (the same tensors on the host).
  batch on_device(const batch& in) const;

  bert_config cfg_;
  stage_layout layout_;
  ops::compute on_;
  param_arena params_, grads_;
  embedding_params emb_p_, emb_g_;
  std::vector<block_params> block_p_, block_g_;
  head_params head_p_, head_g_;
  mlm_head_params mlm_p_, mlm_g_; // cfg.mlm
  document_head_params document_p_, document_g_; // cfg.documents
  document_head_acts gathered_;                  // classify_documents
  std::map<int, slot_acts> slots_;
  block_scratch scratch_;
  tensor d_hidden_[2]; // gradients between parts inside the stage, used alternately
};

} // namespace axon::bert
