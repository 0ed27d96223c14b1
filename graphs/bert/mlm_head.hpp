// The masked-language-model head of BERT pretraining (Hugging Face BertOnlyMLMHead):
//   hidden[b,t] at the positions with a target -> dense -> GELU -> LayerNorm
//   -> decoder (the word embedding matrix, tied) + bias -> cross-entropy over the vocabulary
// Only the positions whose label is not ignore_label are computed (about 15% of tokens):
// the transform is per position, so the loss equals Hugging Face's over the whole
// (B,T,V) logits, at a sixth of the cost. Backward accumulates (+=) into the gradient
// views, the tied decoder's into the word embeddings' gradient, and into dinp. The head
// computes on `c` (ops/compute.hpp) like the other layers; the positions are found on the
// host, from host labels.
// Legend: B batch, T sequence, C hidden, V vocabulary, N positions with a target.
#pragma once

#include "graphs/bert/bert_config.hpp"
#include "graphs/bert/bert_params.hpp"
#include "ops/compute.hpp"
#include "runtime/tensor.hpp"

namespace axon::bert {

/// Label of a position without a target (PyTorch's ignore_index).
inline constexpr std::int32_t ignore_label = -100;

struct mlm_head_acts {
  tensor positions;   // (N) i32 flat index b*T+t of each position with a target (host)
  tensor targets;     // (N) i32 the original token ids there (host)
  tensor positions_on, targets_on; // the same on the compute's device (on the host: shared)
  tensor gathered;    // (N,C) hidden states at those positions
  tensor dense;       // (N,C) transform.dense output, before GELU
  tensor activated;   // (N,C) after GELU
  tensor normed;      // (N,C) after LayerNorm: the decoder's input
  tensor mean, rstd;  // (N)
  tensor logits;      // (N,V)
  tensor probs;       // (N,V) softmax of logits
  tensor losses;      // (N) cross-entropy per position
  float loss = 0.0f;  // mean over the N positions (0 when N = 0)
  tensor d_logits, d_normed, d_activated, d_dense, d_gathered; // backward scratch
};

/// Forward of hidden (B,T,C) against labels (B,T) i32 on the host (a token id, or
/// ignore_label).
void mlm_head_forward(mlm_head_acts& acts, const mlm_head_params& p, const bert_config& cfg,
                      const tensor& hidden, const tensor& labels, const ops::compute& c);
/// Backward of the mean loss scaled by dloss; dinp (B,T,C) += gradient at the N positions.
void mlm_head_backward(const mlm_head_params& grads, const tensor& dinp, mlm_head_acts& acts,
                       const mlm_head_params& p, float dloss, const ops::compute& c);

/// Per sequence of the batch: (B,2) f32 [targets predicted right (argmax), targets] and
/// (B) f32 the sum of the cross-entropies of its targets: what an evaluation adds up. On
/// the host (device logits are copied: call it where the head's compute is current).
struct mlm_row_stats {
  tensor counts; // (B,2)
  tensor loss_sums; // (B)
};
mlm_row_stats mlm_row_stats_of(const mlm_head_acts& acts, std::int64_t batch_rows,
                               std::int64_t seq_len);

/// Number of positions of labels (B,T) with a target (label != ignore_label).
std::int64_t count_targets(const tensor& labels);

} // namespace axon::bert
