// Hugging Face BERT weights and config: copies the tensors of a safetensors file
// (BertForSequenceClassification or BertModel names, old LayerNorm gamma/beta names,
// f32/bf16/f16) into a parameter arena, and reads config.json into a bert_config.
#pragma once

#include "graphs/bert/bert_config.hpp"
#include "runtime/param_arena.hpp"
#include "runtime/safetensors.hpp"

#include <map>
#include <string>
#include <vector>

namespace axon::checkpoint {

/// What load_weights did, by name.
struct init_report {
  std::vector<std::string> loaded;  // arena tensors copied from the file
  std::vector<std::string> missing; // arena tensors the file lacks: initialise them fresh
  std::vector<std::string> unused;  // file tensors the model has no place for
};

/// Which tensor of `file` each model tensor (`specs`) takes, by the names rules of
/// load_weights, without copying or checking shapes.
struct weight_match {
  std::map<std::string, std::string> source; // model name -> file tensor name
  std::vector<std::string> missing;          // model tensors the file lacks, in spec order
  std::vector<std::string> unused;           // file tensors the model has no place for
};
weight_match match_weights(const safetensors_file& file, const std::vector<param_spec>& specs);

/// Copies every tensor of `file` that matches an arena tensor: the same name, the name
/// without "bert." (BertModel checkpoints), and "LayerNorm.gamma"/"beta" for
/// "LayerNorm.weight"/"bias"; an exact name wins over a variant. bf16 (and f16, read as
/// f32) are converted to f32. Throws std::runtime_error naming the tensor and both
/// shapes on a shape mismatch, before anything is copied. `params` must be on the host.
init_report load_weights(const safetensors_file& file, const param_arena& params);

/// Reads a Hugging Face BertConfig config.json: vocab_size, hidden_size,
/// num_hidden_layers, num_attention_heads, intermediate_size, max_position_embeddings,
/// type_vocab_size, layer_norm_eps, hidden_dropout_prob, attention_probs_dropout_prob,
/// num_labels (or the size of id2label). Absent keys take Hugging Face's defaults. Throws
/// std::runtime_error naming the file and key for what Axon cannot run (hidden_act other
/// than "gelu", a position_embedding_type other than "absolute", a model_type other than
/// "bert", a classifier_dropout other than hidden_dropout_prob) or a value of a wrong type.
bert::bert_config config_from_hf_json(const std::string& path);

} // namespace axon::checkpoint
