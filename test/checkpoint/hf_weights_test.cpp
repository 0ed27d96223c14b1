// Hugging Face weights: a tiny BertForSequenceClassification saved by transformers
// (test/make_hf_reference.py) gives the same logits in Axon within 1e-4 relative; name
// variants, missing and unused tensors, shape mismatches, bf16/f16, and config.json.
#include "graphs/bert/bert_classifier.hpp"
#include "runtime/checkpoint/hf_export.hpp"
#include "runtime/checkpoint/hf_weights.hpp"
#include "runtime/checkpoint/init_source.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace axon;
using namespace axon::checkpoint;
namespace fs = std::filesystem;

namespace {

const std::string hf_dir = AXON_TEST_DIR "/reference/hf/tiny-bert";
const std::string logits_file = AXON_TEST_DIR "/reference/hf/tiny-bert-logits.safetensors";

bert::bert_config tiny_config() {
  auto cfg = config_from_hf_json(hf_dir + "/config.json");
  cfg.hidden_dropout = cfg.attention_dropout = 0.0f; // eval mode
  return cfg;
}

safetensors_file tiny_weights() { return read_safetensors(hf_dir + "/model.safetensors"); }

// max |ours - expected| / max |expected|.
double relative_error(const tensor& ours, const tensor& expected) {
  double diff = 0.0, scale = 0.0;
  for (std::int64_t i = 0; i < expected.numel(); ++i) {
    diff = std::max(diff, double(std::fabs(ours.data<float>()[i] - expected.data<float>()[i])));
    scale = std::max(scale, double(std::fabs(expected.data<float>()[i])));
  }
  return diff / scale;
}

const tensor& logits_of(bert::bert_classifier& model) {
  auto ref = read_safetensors(logits_file);
  model.forward({ref.at("ids"), ref.at("types"), ref.at("mask"), tensor{}, tensor{}}, {});
  return model.logits();
}

// The same file with every tensor renamed by `rename` ("" drops it).
template <class Rename>
safetensors_file renamed(const safetensors_file& file, Rename rename) {
  safetensors_file out;
  out.path = file.path;
  for (const auto& [name, t] : file.tensors)
    if (auto new_name = rename(name); !new_name.empty())
      out.tensors.emplace(new_name, t);
  return out;
}

std::string replace_suffix(const std::string& name, const std::string& from, const std::string& to) {
  return name.ends_with(from) ? name.substr(0, name.size() - from.size()) + to : name;
}

} // namespace

BOOST_AUTO_TEST_SUITE(hugging_face_weights)

BOOST_AUTO_TEST_CASE(config_json_is_read) {
  auto cfg = config_from_hf_json(hf_dir + "/config.json");
  BOOST_TEST(cfg.vocab_size == 120);
  BOOST_TEST(cfg.hidden == 32);
  BOOST_TEST(cfg.layers == 2);
  BOOST_TEST(cfg.heads == 4);
  BOOST_TEST(cfg.intermediate == 64);
  BOOST_TEST(cfg.max_positions == 16);
  BOOST_TEST(cfg.type_vocab_size == 2);
  BOOST_TEST(cfg.classes == 3); // from id2label
  BOOST_TEST(cfg.layer_norm_eps == 1e-12f);
  BOOST_TEST(cfg.hidden_dropout == 0.1f);
  BOOST_TEST(cfg.attention_dropout == 0.1f);
}

BOOST_AUTO_TEST_CASE(unsupported_config_is_refused_naming_the_key) {
  auto dir = fs::temp_directory_path() / ("axon_hfcfg_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto check = [&](const std::string& json, const std::string& key) {
    auto path = (dir / "config.json").string();
    std::ofstream{path} << json;
    try {
      config_from_hf_json(path);
      BOOST_FAIL("expected " + json + " to be refused");
    } catch (const std::runtime_error& e) {
      BOOST_TEST_INFO(e.what());
      BOOST_TEST(std::string{e.what()}.find(key) != std::string::npos);
    }
  };
  check(R"({"hidden_act": "relu"})", "hidden_act");
  check(R"({"hidden_size": "768"})", "hidden_size");
  check(R"({"position_embedding_type": "relative_key"})", "position_embedding_type");
  check(R"({"hidden_size": 30, "num_attention_heads": 4})", "hidden");
  check("{not json", "not valid JSON");
  fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(logits_match_hugging_face) {
  bert::bert_classifier model{tiny_config()};
  auto report = load_weights(tiny_weights(), model.params());
  BOOST_TEST(report.missing.empty());
  BOOST_TEST(report.loaded.size() == model.params().count());
  BOOST_TEST(report.unused == std::vector<std::string>{"bert.embeddings.position_ids"},
             boost::test_tools::per_element());
  auto err = relative_error(logits_of(model), read_safetensors(logits_file).at("logits"));
  BOOST_TEST_INFO("relative error " << err);
  BOOST_TEST(err <= 1e-4);
}

BOOST_AUTO_TEST_CASE(an_exported_folder_has_hugging_face_config_and_logits) {
  // transformers' reference model, loaded and exported again: config.json holds what
  // save_pretrained wrote, and the folder read back as Hugging Face files gives
  // transformers' logits.
  const auto cfg = config_from_hf_json(hf_dir + "/config.json");
  bert::bert_classifier model{cfg};
  BOOST_REQUIRE(load_weights(tiny_weights(), model.params()).missing.empty());
  const auto dir = fs::temp_directory_path() / ("axon_hf_export_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream{dir / "source-vocab.txt"} << "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nrose\nfell\n";
  hf_export_settings settings{{"LABEL_0", "LABEL_1", "LABEL_2"},
                              (dir / "source-vocab.txt").string(), 0, true, 16};
  write_hf_folder((dir / "export").string(), cfg, model.params(), settings);

  auto json_of = [](const fs::path& file) { return nlohmann::json::parse(std::ifstream{file}); };
  const auto ours = json_of(dir / "export" / "config.json");
  const auto theirs = json_of(hf_dir + "/config.json");
  for (const auto* key : {"architectures", "model_type", "vocab_size", "hidden_size",
                          "num_hidden_layers", "num_attention_heads", "intermediate_size",
                          "hidden_act", "hidden_dropout_prob", "attention_probs_dropout_prob",
                          "classifier_dropout", "max_position_embeddings", "type_vocab_size",
                          "layer_norm_eps", "position_embedding_type", "pad_token_id",
                          "initializer_range", "id2label", "label2id"})
    BOOST_TEST(ours[key] == theirs[key], key << ": " << ours[key] << " vs " << theirs[key]);
  const auto tokenizer = json_of(dir / "export" / "tokenizer_config.json");
  BOOST_TEST(tokenizer["do_lower_case"] == true);
  BOOST_TEST(tokenizer["model_max_length"] == 16);
  BOOST_TEST(fs::file_size(dir / "export" / "vocab.txt") == fs::file_size(dir / "source-vocab.txt"));

  auto back_cfg = config_from_hf_json((dir / "export" / "config.json").string());
  back_cfg.hidden_dropout = back_cfg.attention_dropout = 0.0f; // eval mode
  bert::bert_classifier back{back_cfg};
  auto report = load_weights(read_safetensors((dir / "export" / "model.safetensors").string()),
                             back.params());
  BOOST_TEST(report.missing.empty());
  BOOST_TEST(report.unused.empty());
  auto err = relative_error(logits_of(back), read_safetensors(logits_file).at("logits"));
  BOOST_TEST_INFO("relative error " << err);
  BOOST_TEST(err <= 1e-4);

  // What BertForSequenceClassification cannot hold is refused, naming it.
  auto refused = [&](bert::bert_config other, const std::string& named) {
    try {
      hf_config_json(other, settings);
      return false;
    } catch (const std::runtime_error& e) {
      return std::string{e.what()}.find(named) != std::string::npos;
    }
  };
  auto kg = cfg;
  kg.entities = 5;
  kg.entity_dim = 4;
  BOOST_TEST(refused(kg, "KG fusion"));
  auto no_pooler = cfg;
  no_pooler.pooler = false;
  BOOST_TEST(refused(no_pooler, "model.pooler"));
  auto two_classes = cfg;
  two_classes.classes = 2;
  BOOST_TEST(refused(two_classes, "3 label names for 2 classes"));
  fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(bert_model_names_and_old_layer_norm_names_load_the_same) {
  auto file = renamed(tiny_weights(), [](const std::string& name) {
    auto out = name.starts_with("bert.") ? name.substr(5) : name;
    out = replace_suffix(out, "LayerNorm.weight", "LayerNorm.gamma");
    return replace_suffix(out, "LayerNorm.bias", "LayerNorm.beta");
  });
  BOOST_REQUIRE(file.tensors.count("encoder.layer.1.output.LayerNorm.gamma") == 1u);
  bert::bert_classifier model{tiny_config()};
  auto report = load_weights(file, model.params());
  BOOST_TEST(report.missing.empty());
  BOOST_TEST(report.unused == std::vector<std::string>{"embeddings.position_ids"},
             boost::test_tools::per_element());
  auto err = relative_error(logits_of(model), read_safetensors(logits_file).at("logits"));
  BOOST_TEST(err <= 1e-4);
}

BOOST_AUTO_TEST_CASE(missing_head_and_unused_pretraining_tensors_are_reported) {
  auto file = renamed(tiny_weights(), [](const std::string& name) {
    return name.starts_with("classifier.") ? std::string{} : name;
  });
  file.tensors.emplace("cls.predictions.bias", tensor::zeros({120}));
  bert::bert_classifier model{tiny_config()};
  auto report = load_weights(file, model.params());
  BOOST_TEST(report.missing == (std::vector<std::string>{"classifier.weight", "classifier.bias"}),
             boost::test_tools::per_element());
  BOOST_TEST(report.unused
                 == (std::vector<std::string>{"bert.embeddings.position_ids", "cls.predictions.bias"}),
             boost::test_tools::per_element());
  BOOST_TEST(report.loaded.size() == model.params().count() - 2);
}

BOOST_AUTO_TEST_CASE(shape_mismatch_names_the_tensor_and_both_shapes) {
  auto file = tiny_weights();
  file.tensors["classifier.weight"] = tensor::zeros({4, 32});
  bert::bert_classifier model{tiny_config()};
  try {
    load_weights(file, model.params());
    BOOST_FAIL("a (4,32) classifier must be refused for 3 classes");
  } catch (const std::runtime_error& e) {
    std::string message = e.what();
    BOOST_TEST_INFO(message);
    BOOST_TEST(message.find("classifier.weight") != std::string::npos);
    BOOST_TEST(message.find("[4,32]") != std::string::npos);
    BOOST_TEST(message.find("[3,32]") != std::string::npos);
  }
  BOOST_TEST(model.params().flat().data<float>()[0] == 0.0f); // nothing copied
}

BOOST_AUTO_TEST_CASE(bf16_weights_are_converted_to_f32) {
  auto file = tiny_weights();
  auto exact = file.at("classifier.weight").clone();
  for (auto& [name, t] : file.tensors)
    if (t.type() == dtype::f32)
      t = t.to(dtype::bf16);
  bert::bert_classifier model{tiny_config()};
  load_weights(file, model.params());
  const auto& loaded = model.params()["classifier.weight"];
  for (std::int64_t i = 0; i < loaded.numel(); ++i)
    BOOST_TEST(loaded.data<float>()[i] == bf16_to_f32(f32_to_bf16(exact.data<float>()[i])));
  // bf16 keeps 8 significant bits: the logits stay close, not within 1e-4.
  BOOST_TEST(relative_error(logits_of(model), read_safetensors(logits_file).at("logits")) <= 5e-2);
}

BOOST_AUTO_TEST_CASE(a_model_folder_gives_weights_and_architecture) {
  // model.init = a Hugging Face folder: its model.safetensors, and config.json's
  // architecture as config overrides.
  BOOST_TEST(init_weights_file(hf_dir) == hf_dir + "/model.safetensors");
  BOOST_TEST(init_weights_file(hf_dir + "/model.safetensors") == hf_dir + "/model.safetensors");
  BOOST_TEST((hf_architecture_overrides(hf_dir)
              == std::vector<std::string>{"--model.hidden=32", "--model.layers=2",
                                          "--model.heads=4", "--model.intermediate=64",
                                          "--model.max-positions=16", "--model.type-vocab-size=2",
                                          "--model.layer-norm-eps=1e-12", "--model.dropout=0.1",
                                          "--model.attention-dropout=0.1"}));
  BOOST_TEST(hf_architecture_overrides(hf_dir + "/model.safetensors").empty());
  BOOST_CHECK_THROW(init_weights_file(hf_dir + "/absent"), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(f16_safetensors_are_read_as_f32) {
  auto path = fs::temp_directory_path() / ("axon_f16_" + std::to_string(::getpid()) + ".safetensors");
  std::string header = R"({"w":{"dtype":"F16","shape":[4],"data_offsets":[0,8]}})";
  header.append((8 - header.size() % 8) % 8, ' ');
  {
    std::ofstream out{path, std::ios::binary};
    std::uint64_t len = header.size();
    out.write(reinterpret_cast<const char*>(&len), 8); // little-endian host
    out << header;
    const std::uint16_t halves[4] = {0x3c00, 0xc000, 0x0001, 0x7c00}; // 1, -2, 2^-24, inf
    out.write(reinterpret_cast<const char*>(halves), sizeof halves);
  }
  auto file = read_safetensors(path.string());
  fs::remove(path);
  const auto& w = file.at("w");
  BOOST_REQUIRE(w.type() == dtype::f32);
  BOOST_TEST(w.data<float>()[0] == 1.0f);
  BOOST_TEST(w.data<float>()[1] == -2.0f);
  BOOST_TEST(w.data<float>()[2] == std::ldexp(1.0f, -24));
  BOOST_TEST(std::isinf(w.data<float>()[3]));
}

BOOST_AUTO_TEST_SUITE_END()
