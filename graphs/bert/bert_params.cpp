// BERT parameter names, shapes and views.
#include "graphs/bert/bert_params.hpp"

#include "runtime/fnv1a.hpp"
#include "runtime/random_fill.hpp"

#include <string>

namespace axon::bert {

namespace {

std::string layer_prefix(int layer) {
  return "bert.encoder.layer." + std::to_string(layer) + ".";
}

bool is_layer_norm_or_bias(const std::string& name) {
  return name.ends_with(".bias") || name.find("LayerNorm") != std::string::npos;
}

param_spec spec(std::string name, shape sizes) {
  bool decay = !is_layer_norm_or_bias(name);
  return {std::move(name), sizes, decay};
}

} // namespace

std::vector<param_spec> embedding_param_specs(const bert_config& cfg) {
  const std::int64_t c = cfg.hidden;
  std::vector<param_spec> specs{
    spec("bert.embeddings.word_embeddings.weight", {cfg.vocab_size, c}),
    spec("bert.embeddings.position_embeddings.weight", {cfg.max_positions, c})};
  if (cfg.type_vocab_size > 0)
    specs.push_back(spec("bert.embeddings.token_type_embeddings.weight", {cfg.type_vocab_size, c}));
  specs.push_back(spec("bert.embeddings.LayerNorm.weight", {c}));
  specs.push_back(spec("bert.embeddings.LayerNorm.bias", {c}));
  if (cfg.entities > 0) {
    const std::int64_t d = cfg.entity_dim;
    specs.push_back({entity_table_name, {cfg.entities, d}, false});
    specs.push_back(spec("bert.embeddings.entity_projection.weight", {c, d}));
    specs.push_back(spec("bert.embeddings.entity_projection.bias", {c}));
  }
  return specs;
}

std::vector<param_spec> block_param_specs(const bert_config& cfg, int layer) {
  const std::int64_t c = cfg.hidden, i = cfg.intermediate;
  auto p = layer_prefix(layer);
  return {spec(p + "attention.self.query.weight", {c, c}),
          spec(p + "attention.self.key.weight", {c, c}),
          spec(p + "attention.self.value.weight", {c, c}),
          spec(p + "attention.self.query.bias", {c}),
          spec(p + "attention.self.key.bias", {c}),
          spec(p + "attention.self.value.bias", {c}),
          spec(p + "attention.output.dense.weight", {c, c}),
          spec(p + "attention.output.dense.bias", {c}),
          spec(p + "attention.output.LayerNorm.weight", {c}),
          spec(p + "attention.output.LayerNorm.bias", {c}),
          spec(p + "intermediate.dense.weight", {i, c}),
          spec(p + "intermediate.dense.bias", {i}),
          spec(p + "output.dense.weight", {c, i}),
          spec(p + "output.dense.bias", {c}),
          spec(p + "output.LayerNorm.weight", {c}),
          spec(p + "output.LayerNorm.bias", {c})};
}

std::vector<param_spec> head_param_specs(const bert_config& cfg) {
  const std::int64_t c = cfg.hidden, k = cfg.classes;
  if (cfg.mlm) // the decoder weight is the word embedding matrix (tied): no tensor of its own
    return {spec("cls.predictions.transform.dense.weight", {c, c}),
            spec("cls.predictions.transform.dense.bias", {c}),
            spec("cls.predictions.transform.LayerNorm.weight", {c}),
            spec("cls.predictions.transform.LayerNorm.bias", {c}),
            spec("cls.predictions.bias", {std::int64_t{cfg.vocab_size}})};
  std::vector<param_spec> specs;
  if (cfg.pooler) {
    specs.push_back(spec("bert.pooler.dense.weight", {c, c}));
    specs.push_back(spec("bert.pooler.dense.bias", {c}));
  }
  specs.push_back(spec("classifier.weight", {k, c}));
  specs.push_back(spec("classifier.bias", {k}));
  if (cfg.documents && cfg.attention_pooling) // decayed like a weight: toward mean pooling
    specs.push_back(spec(document_query_name, {c}));
  return specs;
}

std::vector<param_spec> param_specs(const bert_config& cfg) {
  cfg.validate();
  auto specs = embedding_param_specs(cfg);
  for (int layer = 0; layer < cfg.layers; ++layer) {
    auto block = block_param_specs(cfg, layer);
    specs.insert(specs.end(), block.begin(), block.end());
  }
  auto head = head_param_specs(cfg);
  specs.insert(specs.end(), head.begin(), head.end());
  return specs;
}

embedding_params embedding_views(const param_arena& a, const bert_config& cfg) {
  embedding_params v;
  v.word = a["bert.embeddings.word_embeddings.weight"];
  v.position = a["bert.embeddings.position_embeddings.weight"];
  if (cfg.type_vocab_size > 0)
    v.token_type = a["bert.embeddings.token_type_embeddings.weight"];
  v.ln_weight = a["bert.embeddings.LayerNorm.weight"];
  v.ln_bias = a["bert.embeddings.LayerNorm.bias"];
  if (cfg.entities > 0) {
    v.entity = a[entity_table_name];
    v.entity_proj_weight = a["bert.embeddings.entity_projection.weight"];
    v.entity_proj_bias = a["bert.embeddings.entity_projection.bias"];
  }
  return v;
}

block_params block_views(const param_arena& a, const bert_config& cfg, int layer) {
  const std::int64_t c = cfg.hidden;
  auto p = layer_prefix(layer);
  block_params v;
  v.qkv_weight = a.fused(p + "attention.self.query.weight", {3 * c, c});
  v.qkv_bias = a.fused(p + "attention.self.query.bias", {3 * c});
  v.attn_out_weight = a[p + "attention.output.dense.weight"];
  v.attn_out_bias = a[p + "attention.output.dense.bias"];
  v.ln1_weight = a[p + "attention.output.LayerNorm.weight"];
  v.ln1_bias = a[p + "attention.output.LayerNorm.bias"];
  v.ffn_in_weight = a[p + "intermediate.dense.weight"];
  v.ffn_in_bias = a[p + "intermediate.dense.bias"];
  v.ffn_out_weight = a[p + "output.dense.weight"];
  v.ffn_out_bias = a[p + "output.dense.bias"];
  v.ln2_weight = a[p + "output.LayerNorm.weight"];
  v.ln2_bias = a[p + "output.LayerNorm.bias"];
  return v;
}

mlm_head_params mlm_head_views(const param_arena& a, const tensor& word_embeddings) {
  mlm_head_params v;
  v.transform_weight = a["cls.predictions.transform.dense.weight"];
  v.transform_bias = a["cls.predictions.transform.dense.bias"];
  v.ln_weight = a["cls.predictions.transform.LayerNorm.weight"];
  v.ln_bias = a["cls.predictions.transform.LayerNorm.bias"];
  v.decoder_weight = word_embeddings;
  v.decoder_bias = a["cls.predictions.bias"];
  return v;
}

head_params head_views(const param_arena& a, const bert_config& cfg) {
  head_params v;
  if (cfg.pooler) {
    v.pooler_weight = a["bert.pooler.dense.weight"];
    v.pooler_bias = a["bert.pooler.dense.bias"];
  }
  v.classifier_weight = a["classifier.weight"];
  v.classifier_bias = a["classifier.bias"];
  return v;
}

void init_params(const param_arena& arena, std::uint64_t seed) {
  const auto& specs = arena.specs();
  for (std::size_t k = 0; k < specs.size(); ++k) {
    const auto& t = arena.tensors()[k];
    const auto& name = specs[k].name;
    if (name.find("LayerNorm.weight") != std::string::npos)
      t.fill_(1.0f);
    else if (name.ends_with(".bias"))
      t.fill_(0.0f);
    else // stream: a hash of the name, so the draw does not depend on the arena's layout
      fill_normal(t, 0.0f, 0.02f, seed, fnv1a64{}.add(name).value());
  }
}

} // namespace axon::bert
