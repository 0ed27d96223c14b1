// Exporting a trained classifier as a Hugging Face BertForSequenceClassification folder
// (config.json, model.safetensors, vocab.txt, tokenizer_config.json,
// special_tokens_map.json) that `transformers` loads with from_pretrained: the reverse of
// hf_weights.hpp, whose reader a test runs on what this writes.
#pragma once

#include "graphs/bert/bert_config.hpp"
#include "runtime/param_arena.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace axon::checkpoint {

/// What the folder needs besides the architecture and the weights.
struct hf_export_settings {
  std::vector<std::string> labels; // class names in id order: id2label, label2id
  std::string vocab_file;          // the WordPiece vocabulary, copied as vocab.txt
  std::int32_t pad_id = 0;         // pad_token_id
  bool lower_case = true;          // the tokenizer's do_lower_case (not data.cased)
  std::size_t max_len = 128;       // the tokenizer's model_max_length
};

/// BertConfig's config.json for `cfg` (a BertForSequenceClassification). Throws
/// std::runtime_error naming what Hugging Face's BERT cannot express: KG fusion, a model
/// without the pooler or without token-type embeddings, the MLM head, or labels whose
/// count is not cfg.classes.
nlohmann::json hf_config_json(const bert::bert_config& cfg, const hf_export_settings& settings);

/// Writes the folder (created if absent; the files in it replaced): config.json from
/// hf_config_json, model.safetensors with `params` (on the host) under their own names,
/// which are Hugging Face's, the vocabulary and the tokenizer settings. Throws
/// std::runtime_error naming the file that cannot be written, or as hf_config_json.
void write_hf_folder(const std::string& folder, const bert::bert_config& cfg,
                     const param_arena& params, const hf_export_settings& settings);

} // namespace axon::checkpoint
