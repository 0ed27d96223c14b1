// The head of a long-document classifier (data.long-text = chunk, docs/long-texts.md): the
// [CLS] vectors of each document's windows, pooled (mean or attention) into one vector per
// document, then BERT's classifier head on it as on a one-token sequence (pooler, dropout,
// classifier, cross-entropy). A document of one window is therefore classified exactly as
// bert_classifier classifies that window's text. On the host or a CUDA device (the
// compute's): cls, labels, parameters and gradients there, offsets on the host (checked
// there, then copied to the device).
// Legend: N windows of all documents (a document's windows are consecutive rows), D
// documents, C hidden, K classes; offsets i32 (D+1) as in ops/cpu/window_pooling.hpp.
#pragma once

#include "graphs/bert/bert_layers.hpp"
#include "runtime/param_arena.hpp"

#include <optional>
#include <string_view>
#include <vector>

namespace axon::bert {

enum class window_pooling { mean, attention };
const char* to_string(window_pooling pooling);
/// "mean" or "attention"; nothing otherwise.
std::optional<window_pooling> parse_window_pooling(std::string_view name);

/// The pooling of a documents model (cfg.documents): attention with cfg.attention_pooling.
window_pooling pooling_of(const bert_config& cfg);
/// `cfg` as a documents model pooling with `pooling`.
bert_config documents_config(bert_config cfg, window_pooling pooling);

/// head_param_specs(cfg) (pooler, classifier), then the query (document_query_name, C) with
/// attention pooling.
std::vector<param_spec> document_head_param_specs(const bert_config& cfg, window_pooling pooling);

struct document_head_params {
  head_params head;
  tensor query; // (C), undefined with mean pooling
};
document_head_params document_head_views(const param_arena& arena, const bert_config& cfg,
                                         window_pooling pooling);

struct document_head_acts {
  tensor offsets; // forward's offsets on the compute's device (backward reuses them)
  tensor pooled; // (D,1,C) the documents' vectors, which the head reads as sequences of one
  tensor probs;  // (N) attention weights of the windows (attention pooling)
  head_acts head;
  tensor d_pooled; // (D,1,C) backward scratch
};

/// Forward from the windows' [CLS] vectors cls (N,C) to logits acts.head.logits (D,K), and
/// the mean cross-entropy over the documents (acts.head.loss) when labels (D) are defined.
/// Row d of the head's dropout is keyed as example key.position + d: the caller passes
/// the documents' key (documents_key).
void document_head_forward(document_head_acts& acts, const document_head_params& p,
                           const bert_config& cfg, window_pooling pooling, const tensor& cls,
                           const tensor& offsets, const tensor& labels, const dropout_key& key,
                           const ops::compute& c);

/// Backward of the mean loss scaled by dloss: accumulates the head's (and the query's)
/// gradients into `grads` and d_cls (N,C) += d loss / d cls, a gradient for every window.
/// Needs the forward of the same cls and labels into `acts` just before (its offsets are
/// kept there).
void document_head_backward(const document_head_params& grads, const tensor& d_cls,
                            document_head_acts& acts, const document_head_params& p,
                            const bert_config& cfg, window_pooling pooling, const tensor& cls,
                            const tensor& labels, float dloss, const dropout_key& key,
                            const ops::compute& c);

} // namespace axon::bert
