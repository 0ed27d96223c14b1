// BERT with the MLM pretraining head (one bert_stage holding the whole model, cfg.mlm):
// loss and every parameter gradient against PyTorch (test/make_mlm_reference.py) within
// 1e-4 relative, the tied word-embedding gradient by central finite differences (it sums
// the input embedding's and the decoder's parts), Hugging Face names, the per-row
// evaluation counts, and the one-stage constraint.
#include "graphs/bert/bert_stage.hpp"
#include "runtime/safetensors.hpp"
#include "test/graphs/tiny_reference.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace axon;
using axon::test::relative_error;

namespace {

const char* reference_file = AXON_TEST_DIR "/reference/bert/mlm_tiny.safetensors";

bert::bert_config tiny_mlm_config() {
  auto cfg = test::tiny_reference_config();
  cfg.pooler = false;
  cfg.mlm = true;
  return cfg;
}

struct loaded_model {
  safetensors_file ref = read_safetensors(reference_file);
  bert::bert_stage stage{tiny_mlm_config(), bert::split_stages(tiny_mlm_config(), 0, 1)};
  bert::batch in{ref.at("batch/ids"), ref.at("batch/types"), ref.at("batch/mask"),
                 ref.at("batch/labels"), tensor{}};

  loaded_model() {
    const auto& specs = stage.params().specs();
    for (std::size_t k = 0; k < specs.size(); ++k) {
      const auto& src = ref.at("init/" + specs[k].name);
      BOOST_REQUIRE_MESSAGE(src.sizes() == stage.params().tensors()[k].sizes(), specs[k].name);
      std::memcpy(stage.params().tensors()[k].raw(), src.raw(), src.nbytes());
    }
  }
  float loss() { return stage.forward(0, in, {}, {}).loss; }
};

} // namespace

BOOST_AUTO_TEST_SUITE(mlm_head)

BOOST_AUTO_TEST_CASE(names_follow_hugging_face_and_the_decoder_is_tied) {
  auto cfg = tiny_mlm_config();
  auto specs = bert::param_specs(cfg);
  std::vector<std::string> names;
  for (const auto& s : specs)
    names.push_back(s.name);
  for (auto want : {"cls.predictions.transform.dense.weight", "cls.predictions.transform.dense.bias",
                    "cls.predictions.transform.LayerNorm.weight",
                    "cls.predictions.transform.LayerNorm.bias", "cls.predictions.bias"})
    BOOST_TEST((std::find(names.begin(), names.end(), want) != names.end()), want);
  for (const auto& name : names) // no decoder weight of its own, no classifier, no pooler
    BOOST_TEST((name.find("decoder") == std::string::npos && !name.starts_with("classifier")
                && !name.starts_with("bert.pooler")), name);
  BOOST_CHECK_THROW(bert::split_stages(cfg, 0, 2), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(loss_and_every_gradient_match_pytorch) {
  loaded_model m;
  m.stage.zero_grads();
  auto out = m.stage.forward(0, m.in, {}, {});
  m.stage.backward(0, m.in, {}, 1.0f, {});
  const float expected = m.ref.at("loss").data<float>()[0];
  BOOST_TEST(std::fabs(out.loss - expected) <= 1e-4 * std::fabs(expected));
  BOOST_TEST(out.loss_terms == bert::count_targets(m.in.labels));
  // Evaluation counts: every target is counted once, in its row.
  double targets = 0;
  for (std::int64_t r = 0; r < out.logits.size(0); ++r)
    targets += out.logits.data<float>()[2 * r + 1];
  BOOST_TEST(targets == double(out.loss_terms));
  double loss_sum = 0;
  for (std::int64_t r = 0; r < out.losses.numel(); ++r)
    loss_sum += out.losses.data<float>()[r];
  BOOST_TEST(std::fabs(loss_sum / targets - expected) <= 1e-4 * expected);
  const auto& specs = m.stage.grads().specs();
  for (std::size_t k = 0; k < specs.size(); ++k) {
    auto err = relative_error(m.stage.grads().tensors()[k], m.ref.at("grad/" + specs[k].name));
    BOOST_TEST_INFO(specs[k].name << ": relative error " << err);
    BOOST_TEST(err <= 1e-4);
  }
}

BOOST_AUTO_TEST_CASE(tied_gradient_by_finite_differences) {
  loaded_model m;
  m.stage.zero_grads();
  m.stage.forward(0, m.in, {}, {});
  m.stage.backward(0, m.in, {}, 1.0f, {});
  auto word = m.stage.params()["bert.embeddings.word_embeddings.weight"];
  auto grad = m.stage.grads()["bert.embeddings.word_embeddings.weight"];
  const auto c = word.size(1);
  // Entries of a target token (decoder path, through its logit, and the input path when it
  // also occurs in the input) and of an input-only token (every token's decoder row gets
  // gradient through the softmax too).
  const auto* ids = m.in.ids.data<std::int32_t>();
  const auto* labels = m.in.labels.data<std::int32_t>();
  std::int32_t target = labels[0] == -100 ? -1 : labels[0];
  for (std::int64_t k = 0; k < m.in.labels.numel() && target < 0; ++k)
    if (labels[k] != -100)
      target = labels[k];
  BOOST_REQUIRE(target >= 0);
  std::int32_t input_only = -1; // a token of the input that is no target
  for (std::int64_t k = 0; k < m.in.ids.numel() && input_only < 0; ++k)
    if (std::find(labels, labels + m.in.labels.numel(), ids[k]) == labels + m.in.labels.numel())
      input_only = ids[k];
  BOOST_REQUIRE(input_only >= 0);
  for (std::int32_t token : {target, input_only}) {
    for (std::int64_t j : {std::int64_t{0}, c / 2, c - 1}) {
      float& w = word.data<float>()[token * c + j];
      const float saved = w, eps = 1e-2f;
      w = saved + eps;
      const double up = m.loss();
      w = saved - eps;
      const double down = m.loss();
      w = saved;
      const double numeric = (up - down) / (2.0 * eps);
      const double analytic = grad.data<float>()[token * c + j];
      BOOST_TEST_INFO("token " << token << " dim " << j << ": analytic " << analytic
                               << ", numeric " << numeric);
      BOOST_TEST(std::fabs(analytic - numeric) <= 1e-3 + 0.02 * std::fabs(numeric));
    }
  }
  // The decoder path alone is not zero: the targets' rows get gradient through the logits.
  double target_row = 0;
  for (std::int64_t j = 0; j < c; ++j)
    target_row += std::fabs(grad.data<float>()[target * c + j]);
  BOOST_TEST(target_row > 0.0);
}

BOOST_AUTO_TEST_SUITE_END()
