// Hugging Face BERT weights (name variants, dtype conversion) and config.json parsing.
#include "runtime/checkpoint/hf_weights.hpp"

#include "runtime/path_text.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>

namespace axon::checkpoint {

namespace {

/// The model name a Hugging Face tensor name stands for, or "" when none.
std::string model_name_for(std::string name, const std::set<std::string>& model) {
  for (auto [old_suffix, new_suffix] : {std::pair{".LayerNorm.gamma", ".LayerNorm.weight"},
                                        std::pair{".LayerNorm.beta", ".LayerNorm.bias"}})
    if (name.ends_with(old_suffix))
      name = name.substr(0, name.size() - std::strlen(old_suffix)) + new_suffix;
  if (model.contains(name))
    return name;
  if (model.contains("bert." + name))
    return "bert." + name;
  return {};
}

void copy_as_f32(const tensor& dst, const tensor& src) {
  auto* out = dst.data<float>();
  if (src.type() == dtype::f32) {
    std::memcpy(out, src.raw(), dst.nbytes());
  } else {
    const auto* in = src.data<bf16>();
    for (std::int64_t i = 0; i < src.numel(); ++i)
      out[i] = bf16_to_f32(in[i]);
  }
}

} // namespace

weight_match match_weights(const safetensors_file& file, const std::vector<param_spec>& specs) {
  std::set<std::string> model;
  for (const auto& spec : specs)
    model.insert(spec.name);
  weight_match match;
  for (const auto& [name, t] : file.tensors)
    if (model.contains(name))
      match.source.emplace(name, name);
  for (const auto& [name, t] : file.tensors) {
    if (model.contains(name))
      continue;
    auto target = model_name_for(name, model);
    if (target.empty() || !match.source.emplace(target, name).second)
      match.unused.push_back(name);
  }
  for (const auto& spec : specs)
    if (!match.source.contains(spec.name))
      match.missing.push_back(spec.name);
  return match;
}

init_report load_weights(const safetensors_file& file, const param_arena& params) {
  if (params.count() > 0 && !params.flat().where().is_cpu())
    throw std::invalid_argument("load_weights: the parameters are not in host memory");
  auto match = match_weights(file, params.specs());
  for (const auto& spec : params.specs()) { // every shape and dtype before copying any
    auto it = match.source.find(spec.name);
    if (it == match.source.end())
      continue;
    const auto& t = file.tensors.at(it->second);
    if (!(t.sizes() == spec.sizes))
      throw std::runtime_error(file.path + ": tensor " + it->second + " has shape "
                               + t.sizes().to_string() + ", the model's " + spec.name + " is "
                               + spec.sizes.to_string()
                               + " (does config.json belong to these weights?)");
    if (t.type() == dtype::i32)
      throw std::runtime_error(file.path + ": tensor " + it->second
                               + " holds integers, the model's " + spec.name + " is f32");
  }
  init_report report{{}, std::move(match.missing), std::move(match.unused)};
  for (const auto& spec : params.specs())
    if (auto it = match.source.find(spec.name); it != match.source.end()) {
      copy_as_f32(params[spec.name], file.tensors.at(it->second));
      report.loaded.push_back(spec.name);
    }
  return report;
}

bert::bert_config config_from_hf_json(const std::string& path) {
  std::ifstream in{path};
  if (!in)
    throw std::runtime_error(path_in_error(path) + ": cannot open the Hugging Face config");
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(path + ": not valid JSON: " + e.what());
  }
  if (!json.is_object())
    throw std::runtime_error(path + ": not a JSON object");
  auto fail = [&](const std::string& key, const std::string& what) {
    return std::runtime_error(path + ": \"" + key + "\" " + what);
  };
  auto read_int = [&](const char* key, int& field) {
    if (!json.contains(key))
      return;
    const auto& v = json[key];
    if (!v.is_number_integer() || v.get<std::int64_t>() < 0 || v.get<std::int64_t>() > (1 << 30))
      throw fail(key, "must be a non-negative integer, found " + v.dump());
    field = v.get<int>();
  };
  auto read_float = [&](const char* key, float& field) {
    if (!json.contains(key))
      return;
    const auto& v = json[key];
    if (!v.is_number())
      throw fail(key, "must be a number, found " + v.dump());
    field = v.get<float>();
  };
  auto require_string = [&](const char* key, const std::string& wanted, const std::string& why) {
    if (json.contains(key) && json[key] != wanted)
      throw fail(key, "is " + json[key].dump() + ": " + why);
  };
  require_string("model_type", "bert", "only BERT checkpoints are supported");
  require_string("hidden_act", "gelu",
                 "Axon's BERT uses the exact (erf) GELU, Hugging Face's \"gelu\"");
  require_string("position_embedding_type", "absolute",
                 "Axon's BERT has absolute position embeddings only");

  bert::bert_config cfg; // its defaults are BertConfig's
  read_int("vocab_size", cfg.vocab_size);
  read_int("hidden_size", cfg.hidden);
  read_int("num_hidden_layers", cfg.layers);
  read_int("num_attention_heads", cfg.heads);
  read_int("intermediate_size", cfg.intermediate);
  read_int("max_position_embeddings", cfg.max_positions);
  read_int("type_vocab_size", cfg.type_vocab_size);
  read_float("layer_norm_eps", cfg.layer_norm_eps);
  read_float("hidden_dropout_prob", cfg.hidden_dropout);
  read_float("attention_probs_dropout_prob", cfg.attention_dropout);
  if (json.contains("num_labels")) {
    read_int("num_labels", cfg.classes);
  } else if (json.contains("id2label")) {
    if (!json["id2label"].is_object())
      throw fail("id2label", "must be an object {\"0\": \"label\", ...}");
    cfg.classes = static_cast<int>(json["id2label"].size());
  }
  if (json.contains("classifier_dropout") && !json["classifier_dropout"].is_null()) {
    float classifier_dropout = 0.0f;
    read_float("classifier_dropout", classifier_dropout);
    if (classifier_dropout != cfg.hidden_dropout)
      throw fail("classifier_dropout",
                 "is " + json["classifier_dropout"].dump()
                     + " but Axon uses hidden_dropout_prob for the classifier too: set it to "
                       "null or to hidden_dropout_prob");
  }
  cfg.pooler = true; // BertForSequenceClassification classifies the pooled [CLS]
  try {
    cfg.validate();
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
  return cfg;
}

} // namespace axon::checkpoint
