// The three kinds of BERT stage, each a forward/backward pair over the CPU ops with the
// activations that backward needs kept in a per-micro-batch struct:
//   embeddings:  ids -> LayerNorm(word + position + token type [+ entity fusion]) -> dropout
//   block:       post-LN encoder layer (self-attention, residual, LN; FFN, residual, LN)
//   head:        [CLS] -> pooler (optional) -> dropout -> classifier -> cross-entropy
// Stage actors and the single-loop model call the same functions. Backward accumulates
// into the gradient views (llm.c convention) and into dinp. Every function runs its ops
// on `c` (ops/compute.hpp): tensors, parameters and activations are on c.where(), and on
// a device the work is queued on c's stream (head_forward's loss waits for it).
// Legend: B batch, T sequence, C hidden, I intermediate, NH heads, K classes.
#pragma once

#include "graphs/bert/bert_config.hpp"
#include "graphs/bert/bert_params.hpp"
#include "ops/compute.hpp"
#include "ops/cpu/dropout.hpp"
#include "ops/cpu/packed_rows.hpp"
#include "runtime/tensor.hpp"

#include <cstdint>
#include <optional>

namespace axon::bert {

/// One micro-batch of token ids.
struct batch {
  tensor ids;         // (B,T) i32
  tensor token_types; // (B,T) i32, or undefined (all type 0)
  tensor mask;        // (B,T) i32, 1 = token, 0 = padding
  tensor labels;      // (B) i32 classes, or (B,T) i32 MLM targets (ignore_label: none)
  tensor entities;    // (B,T) i32 KG entity id per token, -1 none; undefined: no KG
  // Long documents (bert_config::documents): the rows are windows, a document's windows
  // consecutive; offsets (D+1) i32 says where document d's start (offsets[0] = 0, offsets[D]
  // = B), and labels are then the documents' (D). Undefined: every row is a text.
  tensor offsets{};
};

/// Identifies a forward pass for dropout. Row b of the batch is the example at `position
/// + b` of epoch `epoch`'s order (the loader's cursor: a batch's rows are consecutive
/// examples of that order, and so are a micro-batch's), and every dropout draw is keyed by
/// that example, the dropout site and the position within the example (ops/cpu/dropout.hpp):
/// never by the step, shard, micro-batch, stage or actor. So a recomputed or replayed
/// micro-batch drops the same units, and so does an example trained on 1 shard or 4, in
/// 1 micro-batch or 8, on 1 stage or several: the placement does not change the model.
struct dropout_key {
  std::uint64_t seed = 0;
  std::uint64_t epoch = 0;    // the epoch (corpus pass) of the batch; below 2^24
  std::uint64_t position = 0; // row 0's index in the epoch's order; below 2^40 - 2^32
  bool training = false;      // false: no dropout (evaluation)
  // With documents (batch.offsets): document 0's index in the epoch's order, which keys the
  // document head's rows, while `position` keys the windows (documents_key).
  std::uint64_t document_position = 0;
};

/// The key of a document head's rows: `key` with position = key.document_position.
dropout_key documents_key(const dropout_key& key);

/// The dropout spec of one dropout site: `site` numbers the sites of the model. Throws
/// std::invalid_argument when the epoch or position is past what the keys number.
ops::dropout_spec dropout_at(const dropout_key& key, float p, std::uint32_t site);

// ---- embeddings --------------------------------------------------------------------
struct embedding_acts {
  tensor sum;        // (B,T,C) word + position + type
  tensor normed;     // (B,T,C) after LayerNorm
  tensor mean, rstd; // (B*T)
  tensor out;        // (B,T,C) after dropout: `dropped`, or `normed` when dropout is off
  tensor dropped;    // (B,T,C) storage for the dropout output
  tensor d_normed, d_sum; // (B,T,C) backward scratch
};
void embeddings_forward(embedding_acts& acts, const embedding_params& p, const bert_config& cfg,
                        const batch& in, const dropout_key& key, const ops::compute& c);
void embeddings_backward(const embedding_params& grads, embedding_acts& acts,
                         const embedding_params& p, const bert_config& cfg, const batch& in,
                         const tensor& dout, const dropout_key& key, const ops::compute& c);

// ---- encoder block -----------------------------------------------------------------
// On the host, a batch with padding runs on packed rows (ops/cpu/packed_rows.hpp): the
// activations below are then (N,·) over the N real tokens instead of (B,T,·), the padding's
// work is skipped, `out`'s padding rows are 0, and the result on real tokens is the padded
// computation's (the same dropout draws; float sums may round differently).
struct block_acts {
  std::optional<ops::packed_rows> packed; // set when the block ran on packed rows
  tensor inp_packed, out_packed;          // (N,C) the input's and output's real rows
  tensor qkv;            // (B,T,3C)
  tensor probs;          // (B,NH,T,T), or (B,NH,T) log-sum-exps with fused attention
  tensor context;        // (B,T,C) attention output before its dense layer
  tensor residual1;      // (B,T,C) inp + dropout(dense(context))
  tensor normed1;        // (B,T,C) LN1 output
  tensor mean1, rstd1;   // (B*T)
  tensor ffn_pre;        // (B,T,I) before GELU
  tensor ffn_act;        // (B,T,I) after GELU
  tensor residual2;      // (B,T,C) normed1 + dropout(dense(ffn_act))
  tensor mean2, rstd2;   // (B*T)
  tensor out;            // (B,T,C) LN2 output
};

/// Gradient buffers of the block's intermediate values, reused by every block.
struct block_scratch {
  tensor d_residual2, d_normed1, d_ffn_act, d_ffn_pre, d_residual1, d_context, d_qkv;
  tensor d_dropped; // (B,T,C) gradient after a dropout, when dropout is on
  tensor d_out_packed, d_inp_packed; // (N,C) on packed rows
};

void block_forward(block_acts& acts, const block_params& p, const bert_config& cfg, int layer,
                   const tensor& inp, const tensor& mask, const dropout_key& key,
                   const ops::compute& c);
/// Accumulates parameter gradients into `grads` and dinp (B,T,C) += d loss / d inp.
void block_backward(const block_params& grads, const tensor& dinp, block_scratch& scratch,
                    const block_acts& acts, const block_params& p, const bert_config& cfg,
                    int layer, const tensor& inp, const tensor& mask, const tensor& dout,
                    const dropout_key& key, const ops::compute& c);

// ---- classifier head ---------------------------------------------------------------
struct head_acts {
  tensor pooled;      // (B,C) pooler output, or the [CLS] rows without a pooler
  tensor dropped;     // (B,C) after dropout: `dropped_buf`, or `pooled` when off
  tensor dropped_buf; // (B,C) storage for the dropout output
  tensor logits;      // (B,K)
  tensor probs;       // (B,K) softmax of logits
  tensor losses;      // (B)
  float loss = 0.0f;  // mean cross-entropy over the batch
  tensor d_logits, d_dropped, d_pooled; // backward scratch
};

/// Forward to logits; the loss too when labels are defined.
void head_forward(head_acts& acts, const head_params& p, const bert_config& cfg,
                  const tensor& inp, const tensor& labels, const dropout_key& key,
                  const ops::compute& c);
/// Backward of the mean loss scaled by dloss; dinp (B,T,C) += gradient (row 0 of each
/// sequence only).
void head_backward(const head_params& grads, const tensor& dinp, head_acts& acts,
                   const head_params& p, const bert_config& cfg, const tensor& inp,
                   const tensor& labels, float dloss, const dropout_key& key,
                   const ops::compute& c);

} // namespace axon::bert
