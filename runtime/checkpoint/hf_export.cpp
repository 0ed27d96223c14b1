// The Hugging Face folder of a classifier (see hf_export.hpp).
#include "runtime/checkpoint/hf_export.hpp"

#include "runtime/path_text.hpp"
#include "runtime/safetensors.hpp"

#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace axon::checkpoint {

namespace {

namespace fs = std::filesystem;

/// A float as its shortest decimal, read back as a double: 1e-12f is written 1e-12, not
/// 9.999999960041972e-13.
double as_written(float x) {
  char text[32];
  auto end = std::to_chars(text, text + sizeof text - 1, x).ptr;
  *end = '\0';
  return std::strtod(text, nullptr);
}

void write_json(const fs::path& file, const nlohmann::json& json) {
  std::ofstream out{file};
  out << json.dump(2) << '\n';
  if (!out.flush())
    throw std::runtime_error(path_in_error(file.string()) + ": cannot write");
}

} // namespace

nlohmann::json hf_config_json(const bert::bert_config& cfg, const hf_export_settings& settings) {
  auto refuse = [](const std::string& why) {
    return std::runtime_error("Hugging Face's BertForSequenceClassification cannot express "
                              + why);
  };
  if (cfg.entities > 0)
    throw refuse("Axon's KG fusion (entity embeddings fused into the token embeddings)");
  if (!cfg.pooler)
    throw refuse("a classifier without the pooler (model.pooler = false)");
  if (cfg.type_vocab_size < 1)
    throw refuse("a model without token-type embeddings (model.type-vocab-size = 0)");
  if (cfg.mlm)
    throw refuse("the masked-language-model head of pretraining");
  if (settings.labels.size() != static_cast<std::size_t>(cfg.classes))
    throw std::runtime_error(std::to_string(settings.labels.size()) + " label names for "
                             + std::to_string(cfg.classes) + " classes");
  nlohmann::json id2label = nlohmann::json::object(), label2id = nlohmann::json::object();
  for (std::size_t id = 0; id < settings.labels.size(); ++id) {
    id2label[std::to_string(id)] = settings.labels[id];
    label2id[settings.labels[id]] = id;
  }
  return {{"architectures", {"BertForSequenceClassification"}},
          {"model_type", "bert"},
          {"vocab_size", cfg.vocab_size},
          {"hidden_size", cfg.hidden},
          {"num_hidden_layers", cfg.layers},
          {"num_attention_heads", cfg.heads},
          {"intermediate_size", cfg.intermediate},
          {"hidden_act", "gelu"}, // the exact (erf) GELU that Axon computes
          {"hidden_dropout_prob", as_written(cfg.hidden_dropout)},
          {"attention_probs_dropout_prob", as_written(cfg.attention_dropout)},
          {"classifier_dropout", nullptr}, // hidden_dropout_prob, as in Axon
          {"max_position_embeddings", cfg.max_positions},
          {"type_vocab_size", cfg.type_vocab_size},
          {"layer_norm_eps", as_written(cfg.layer_norm_eps)},
          {"initializer_range", 0.02},
          {"position_embedding_type", "absolute"},
          {"pad_token_id", settings.pad_id},
          {"problem_type", "single_label_classification"},
          {"id2label", id2label},
          {"label2id", label2id},
          {"torch_dtype", "float32"}};
}

void write_hf_folder(const std::string& folder, const bert::bert_config& cfg,
                     const param_arena& params, const hf_export_settings& settings) {
  const auto config = hf_config_json(cfg, settings); // refuses before anything is written
  const fs::path dir{folder};
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    throw std::runtime_error(path_in_error(folder) + ": cannot create the folder ("
                             + ec.message() + ")");
  write_json(dir / "config.json", config);
  std::vector<std::pair<std::string, tensor>> tensors;
  for (std::size_t i = 0; i < params.count(); ++i)
    tensors.emplace_back(params.specs()[i].name, params.tensors()[i]);
  write_safetensors((dir / "model.safetensors").string(), tensors, {{"format", "pt"}});
  fs::copy_file(settings.vocab_file, dir / "vocab.txt", fs::copy_options::overwrite_existing, ec);
  if (ec)
    throw std::runtime_error(path_in_error(settings.vocab_file) + ": cannot copy to "
                             + (dir / "vocab.txt").string() + " (" + ec.message() + ")");
  const nlohmann::json special = {{"unk_token", "[UNK]"}, {"sep_token", "[SEP]"},
                                  {"pad_token", "[PAD]"}, {"cls_token", "[CLS]"},
                                  {"mask_token", "[MASK]"}};
  auto tokenizer = special;
  tokenizer.update({{"tokenizer_class", "BertTokenizer"},
                    {"do_lower_case", settings.lower_case},
                    {"strip_accents", nullptr},
                    {"tokenize_chinese_chars", true},
                    {"model_max_length", settings.max_len}});
  write_json(dir / "tokenizer_config.json", tokenizer);
  write_json(dir / "special_tokens_map.json", special);
}

} // namespace axon::checkpoint
