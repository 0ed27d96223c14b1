// The parameters of a BERT classifier: their Hugging Face names and shapes (the arena
// layout), and typed views of an arena (parameters or gradients, same layout).
// Query, key and value of a layer are declared consecutively (weights, then biases), so
// the arena holds them as one fused (3C,C) QKV weight and (3C) bias without copies.
#pragma once

#include "graphs/bert/bert_config.hpp"
#include "runtime/param_arena.hpp"

#include <vector>

namespace axon::bert {

/// Hugging Face BertForSequenceClassification names, e.g.
/// bert.embeddings.word_embeddings.weight, bert.encoder.layer.0.attention.self.query.weight,
/// bert.pooler.dense.weight, classifier.weight. Biases and LayerNorm: no weight decay.
/// With KG fusion also bert.embeddings.entity_embeddings.weight (no weight decay: frozen
/// unless fine-tuned) and bert.embeddings.entity_projection.{weight,bias}.
std::vector<param_spec> param_specs(const bert_config& cfg);
inline constexpr const char* entity_table_name = "bert.embeddings.entity_embeddings.weight";

/// With cfg.mlm the head is the masked-language-model head of BertForMaskedLM:
/// cls.predictions.transform.dense.{weight,bias}, cls.predictions.transform.LayerNorm.
/// {weight,bias}, cls.predictions.bias; its decoder weight is bert.embeddings.word_embeddings
/// .weight (tied, as in Hugging Face), so it has no name of its own.
/// Tensor names of one part, for stages that own part of the model.
std::vector<param_spec> embedding_param_specs(const bert_config& cfg);
std::vector<param_spec> block_param_specs(const bert_config& cfg, int layer);
/// The classifier head's tensors (pooler, classifier; MLM: cls.predictions.*), and with
/// cfg.documents and cfg.attention_pooling the document pooling's query (C) last.
std::vector<param_spec> head_param_specs(const bert_config& cfg);
inline constexpr const char* document_query_name = "document_pooling.query";

struct embedding_params {
  tensor word;        // (V,C)
  tensor position;    // (P,C)
  tensor token_type;  // (TT,C), undefined when type_vocab_size == 0
  tensor ln_weight;   // (C)
  tensor ln_bias;     // (C)
  // KG fusion, undefined without entities:
  tensor entity;            // (E,D) entity embeddings
  tensor entity_proj_weight; // (C,D)
  tensor entity_proj_bias;   // (C)
};

struct block_params {
  tensor qkv_weight;      // (3C,C): query, key, value weights stacked
  tensor qkv_bias;        // (3C)
  tensor attn_out_weight; // (C,C)
  tensor attn_out_bias;   // (C)
  tensor ln1_weight;      // (C) attention.output.LayerNorm
  tensor ln1_bias;        // (C)
  tensor ffn_in_weight;   // (I,C) intermediate.dense
  tensor ffn_in_bias;     // (I)
  tensor ffn_out_weight;  // (C,I) output.dense
  tensor ffn_out_bias;    // (C)
  tensor ln2_weight;      // (C) output.LayerNorm
  tensor ln2_bias;        // (C)
};

struct head_params {
  tensor pooler_weight;     // (C,C), undefined without a pooler
  tensor pooler_bias;       // (C)
  tensor classifier_weight; // (K,C)
  tensor classifier_bias;   // (K)
};

/// The MLM head (cfg.mlm). The decoder weight is a view of the word embeddings: used in
/// forward and, in a gradient arena, accumulated into by backward, so the tied matrix gets
/// the sum of both uses' gradients.
struct mlm_head_params {
  tensor transform_weight; // (C,C) cls.predictions.transform.dense
  tensor transform_bias;   // (C)
  tensor ln_weight;        // (C) cls.predictions.transform.LayerNorm
  tensor ln_bias;          // (C)
  tensor decoder_weight;   // (V,C) = bert.embeddings.word_embeddings.weight (tied)
  tensor decoder_bias;     // (V) cls.predictions.bias
};

/// Views into an arena laid out by the *_param_specs functions (whole model or a part).
embedding_params embedding_views(const param_arena& arena, const bert_config& cfg);
block_params block_views(const param_arena& arena, const bert_config& cfg, int layer);
head_params head_views(const param_arena& arena, const bert_config& cfg);
/// `word_embeddings` (V,C) is the same arena's word embedding tensor.
mlm_head_params mlm_head_views(const param_arena& arena, const tensor& word_embeddings);

/// BERT's initialisation: weights N(0, 0.02), biases 0, LayerNorm weight 1 and bias 0,
/// drawn from (seed, parameter index) so that a part initialises like the whole model.
void init_params(const param_arena& arena, std::uint64_t seed);

} // namespace axon::bert
