// bert_config: the architecture of a BERT encoder classifier (names as Hugging Face's
// BertConfig where one exists).
#pragma once

#include <cstdint>

namespace axon::bert {

struct bert_config {
  int vocab_size = 30522;
  int max_positions = 512;    // max_position_embeddings
  int type_vocab_size = 2;    // 0: no token-type embedding
  int hidden = 768;           // C
  int layers = 12;            // L
  int heads = 12;             // NH
  int intermediate = 3072;    // I, the feed-forward width
  int classes = 2;            // K, classifier outputs
  bool pooler = true;         // dense + tanh on [CLS] before the classifier
  float layer_norm_eps = 1e-12f;
  float hidden_dropout = 0.1f;    // embeddings, attention output, feed-forward output, pooled
  float attention_dropout = 0.1f; // on attention probabilities
  // Knowledge-graph fusion (Axon's, not Hugging Face's): entity embeddings (E,D) projected
  // into the token embeddings at linked tokens. entities = 0: no fusion.
  int entities = 0;               // E, the KG's entity count
  int entity_dim = 0;             // D
  bool entity_finetune = false;   // false: entity embeddings frozen (no gradient)
  // Head: false, the classifier (pooler, classifier); true, the masked-language-model head
  // of pretraining (cls.predictions.*, decoder tied to the word embeddings, so the head
  // must share a stage with the embeddings: a one-stage model).
  bool mlm = false;
  // Long documents (data.long-text = chunk, docs/long-texts.md): false, a row is one text;
  // true, the rows are windows and the head is the document head (document_head.hpp), which
  // pools each document's windows' [CLS] vectors by their mean, or with attention_pooling
  // by a learned query (document_pooling.query), then classifies the documents.
  bool documents = false;
  bool attention_pooling = false;
  // How, not what: on the host, encoder blocks compute only the real tokens of a batch with
  // padding (bert_layers.hpp). false computes the padded layout too (tests, benchmarks).
  bool pack_rows = true;

  /// Throws std::invalid_argument naming the field and the allowed range.
  void validate() const;
};

} // namespace axon::bert
