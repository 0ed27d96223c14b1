// The BERT model's own properties: parameter names and layout, seeded init, dropout
// determinism, config validation, and that a tiny model learns a separable task.
#include "graphs/bert/bert_classifier.hpp"
#include "runtime/random_fill.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace axon;

namespace {

bert::bert_config small_config() {
  bert::bert_config cfg;
  cfg.vocab_size = 50;
  cfg.max_positions = 12;
  cfg.hidden = 32;
  cfg.layers = 2;
  cfg.heads = 2;
  cfg.intermediate = 64;
  cfg.classes = 2;
  return cfg;
}

// Label = whether token 7 occurs in the row: learnable only by attending over the row.
bert::batch separable_batch(std::uint64_t seed, std::int64_t b, std::int64_t t) {
  bert::batch in;
  in.ids = tensor::empty({b, t}, dtype::i32);
  fill_uniform_int(in.ids, 8, 50, seed, 0);
  auto flips = tensor::empty({b}, dtype::i32);
  fill_uniform_int(flips, 0, 2 * (t - 1), seed, 1);
  in.mask = tensor::full({b, t}, 1.0f).to(dtype::i32);
  in.labels = tensor::zeros({b}, dtype::i32);
  for (std::int64_t r = 0; r < b; ++r) {
    in.ids.data<std::int32_t>()[r * t] = 2; // [CLS]
    auto pos = flips.data<std::int32_t>()[r];
    if (pos < t - 1) { // half of the rows carry the marker token at a random position
      in.ids.data<std::int32_t>()[r * t + 1 + pos] = 7;
      in.labels.data<std::int32_t>()[r] = 1;
    }
  }
  return in;
}

} // namespace

BOOST_AUTO_TEST_CASE(parameter_names_follow_hugging_face) {
  auto cfg = small_config();
  bert::bert_classifier model{cfg};
  const auto& p = model.params();
  BOOST_TEST(p.contains("bert.embeddings.word_embeddings.weight"));
  BOOST_TEST(p.contains("bert.encoder.layer.1.attention.self.value.bias"));
  BOOST_TEST(p.contains("bert.encoder.layer.0.output.LayerNorm.weight"));
  BOOST_TEST(p.contains("bert.pooler.dense.weight"));
  BOOST_TEST(p["classifier.weight"].sizes() == (shape{2, 32}));
  BOOST_TEST(p["bert.encoder.layer.0.intermediate.dense.bias"].sizes() == (shape{64}));
  // No weight decay on biases and LayerNorm (Hugging Face's grouping).
  for (const auto& spec : p.specs())
    BOOST_TEST((spec.weight_decay == (!spec.name.ends_with(".bias")
                                      && spec.name.find("LayerNorm") == std::string::npos)));
  cfg.pooler = false;
  BOOST_TEST(!bert::bert_classifier{cfg}.params().contains("bert.pooler.dense.weight"));
}

BOOST_AUTO_TEST_CASE(init_is_seeded_and_bert_like) {
  bert::bert_classifier a{small_config()}, b{small_config()}, c{small_config()};
  bert::init_params(a.params(), 5);
  bert::init_params(b.params(), 5);
  bert::init_params(c.params(), 6);
  BOOST_TEST(std::memcmp(a.params().flat().raw(), b.params().flat().raw(),
                         a.params().flat().nbytes()) == 0);
  BOOST_TEST(std::memcmp(a.params().flat().raw(), c.params().flat().raw(),
                         a.params().flat().nbytes()) != 0);
  const auto& w = a.params()["bert.embeddings.word_embeddings.weight"];
  double sum_sq = 0;
  for (std::int64_t i = 0; i < w.numel(); ++i)
    sum_sq += double(w.data<float>()[i]) * w.data<float>()[i];
  BOOST_TEST(std::sqrt(sum_sq / double(w.numel())) == 0.02, boost::test_tools::tolerance(0.1));
  BOOST_TEST(a.params()["bert.embeddings.LayerNorm.weight"].data<float>()[3] == 1.0f);
  BOOST_TEST(a.params()["classifier.bias"].data<float>()[1] == 0.0f);
}

// An inference model (predict, eval, serve) holds no gradients: the same outputs as a
// trainable one with the same weights, and backward is refused.
BOOST_AUTO_TEST_CASE(an_inference_model_has_no_gradients) {
  const auto cfg = small_config();
  bert::bert_classifier trainable{cfg}, inference{cfg, {}, false};
  bert::init_params(trainable.params(), 2);
  inference.params().flat().copy_(trainable.params().flat());
  BOOST_TEST(inference.grads().count() == 0u);
  BOOST_TEST(trainable.grads().numel() == trainable.params().numel());
  const auto in = separable_batch(5, 4, 8);
  BOOST_TEST(inference.forward(in, {}) == trainable.forward(in, {}));
  const auto& a = inference.logits();
  const auto& b = trainable.logits();
  BOOST_TEST(std::memcmp(a.raw(), b.raw(), a.nbytes()) == 0);
  BOOST_CHECK_THROW(inference.backward(in, {}), std::logic_error);
  // A replica sharing the weights (axon serve's replicas in one process): the same
  // storage, the same outputs, and a change to the weights reaches both.
  bert::bert_classifier replica{cfg, {}, false};
  replica.share_weights_of(inference);
  BOOST_TEST(replica.params().flat().shares_storage_with(inference.params().flat()));
  BOOST_TEST(replica.forward(in, {}) == inference.forward(in, {}));
  bert::init_params(trainable.params(), 3);
  inference.params().flat().copy_(trainable.params().flat());
  BOOST_TEST(replica.forward(in, {}) == trainable.forward(in, {}));
}

BOOST_AUTO_TEST_CASE(dropout_is_reproducible_and_off_in_evaluation) {
  auto cfg = small_config();
  cfg.hidden_dropout = cfg.attention_dropout = 0.2f;
  bert::bert_classifier model{cfg};
  bert::init_params(model.params(), 1);
  auto in = separable_batch(3, 4, 8);
  bert::dropout_key train{11, 0, 40, true};
  float first = model.forward(in, train);
  BOOST_TEST(model.forward(in, train) == first);            // same key: same masks
  BOOST_TEST(model.forward(in, {11, 0, 44, true}) != first); // other examples: other masks
  BOOST_TEST(model.forward(in, {11, 1, 40, true}) != first); // another epoch: other masks
  float eval_a = model.forward(in, {11, 0, 40, false});
  BOOST_TEST(model.forward(in, {99, 1, 3, false}) == eval_a); // no dropout at all
}

// Padding skipped (packed rows, the default on the host) or computed: the same loss and
// gradients, dropout on (its draws are keyed by the padded positions). Within the
// model-level PyTorch tolerance: vector sums over L keys or N rows instead of T or B*T
// group their terms differently (measured up to 2e-5 relative under the generic kernels);
// a wrong mask or row would be off by orders of magnitude more.
BOOST_AUTO_TEST_CASE(packed_rows_train_as_the_padded_layout) {
  auto cfg = small_config();
  cfg.hidden_dropout = cfg.attention_dropout = 0.2f;
  auto padded_cfg = cfg;
  padded_cfg.pack_rows = false;
  bert::bert_classifier packed{cfg}, padded{padded_cfg};
  bert::init_params(packed.params(), 4);
  bert::init_params(padded.params(), 4);
  auto in = separable_batch(5, 4, 10);
  const std::int32_t lengths[] = {10, 3, 7, 1};
  for (std::int64_t r = 0; r < 4; ++r)
    for (std::int64_t j = lengths[r]; j < 10; ++j) {
      in.mask.data<std::int32_t>()[r * 10 + j] = 0;
      in.ids.data<std::int32_t>()[r * 10 + j] = 0;
    }
  for (auto key : {bert::dropout_key{11, 0, 20, true}, bert::dropout_key{}}) {
    packed.zero_grads();
    padded.zero_grads();
    float loss = packed.forward(in, key), padded_loss = padded.forward(in, key);
    packed.backward(in, key);
    padded.backward(in, key);
    BOOST_TEST(std::fabs(loss - padded_loss) <= 1e-5f * std::fabs(padded_loss));
    const auto& specs = packed.grads().specs();
    for (std::size_t k = 0; k < specs.size(); ++k) {
      const auto& got = packed.grads().tensors()[k];
      const auto& want = padded.grads().tensors()[k];
      double diff = 0, scale = 1e-6;
      for (std::int64_t i = 0; i < want.numel(); ++i) {
        diff = std::max(diff, double(std::fabs(got.data<float>()[i] - want.data<float>()[i])));
        scale = std::max(scale, double(std::fabs(want.data<float>()[i])));
      }
      BOOST_TEST(diff / scale <= 1e-4, specs[k].name << ": relative difference " << diff / scale
                                                      << " (training " << key.training << ")");
    }
  }
}

BOOST_AUTO_TEST_CASE(config_errors_name_the_key) {
  auto cfg = small_config();
  cfg.heads = 5;
  try {
    cfg.validate();
    BOOST_FAIL("expected a validation error");
  } catch (const std::invalid_argument& e) {
    BOOST_TEST(std::string{e.what()}.find("model.heads") != std::string::npos);
  }
  cfg = small_config();
  cfg.hidden_dropout = 1.0f;
  BOOST_CHECK_THROW(cfg.validate(), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(adamw_over_runs_of_tensors_equals_adamw_per_tensor) {
  // The optimizer updates runs of tensors with the same weight decay as one slice: each
  // element must come out exactly as the per-tensor update (torch's per-parameter loop).
  // Sizes that are not multiples of the SIMD width, so runs and tensors split differently
  // between vector and scalar code.
  auto cfg = small_config();
  cfg.hidden = 30;
  cfg.intermediate = 62;
  cfg.classes = 3;
  bert::bert_classifier model{cfg};
  bert::init_params(model.params(), 3);
  auto grads = model.params().like();
  fill_normal(grads.flat(), 0.0f, 1e-2f, 5, 0);
  optimizer_settings settings;
  settings.adamw.lr = 1e-3f;
  adamw_optimizer optimizer{model.params(), settings};
  auto expected = model.params().clone();
  auto m = expected.like(), v = expected.like();
  for (int step = 1; step <= 3; ++step) {
    optimizer.update(model.params(), grads);
    for (std::size_t k = 0; k < expected.count(); ++k) {
      auto hp = settings.adamw;
      if (!expected.specs()[k].weight_decay)
        hp.weight_decay = 0.0f;
      ops::adamw_update(expected.tensors()[k], grads.tensors()[k], m.tensors()[k],
                        v.tensors()[k], hp, step);
    }
  }
  BOOST_TEST(std::memcmp(model.params().flat().raw(), expected.flat().raw(),
                         expected.flat().nbytes()) == 0);
  BOOST_TEST(std::memcmp(optimizer.second_moments().flat().raw(), v.flat().raw(),
                         v.flat().nbytes()) == 0);
}

BOOST_AUTO_TEST_CASE(tiny_model_learns_a_separable_task) {
  auto cfg = small_config();
  cfg.hidden_dropout = cfg.attention_dropout = 0.0f;
  bert::bert_classifier model{cfg};
  bert::init_params(model.params(), 42);
  optimizer_settings settings;
  settings.adamw.lr = 2e-3f;
  settings.max_grad_norm = 1.0f;
  adamw_optimizer optimizer{model.params(), settings};
  for (std::uint64_t step = 0; step < 150; ++step)
    bert::train_step(model, optimizer, separable_batch(100 + step, 16, 10), {});
  auto dev = separable_batch(7, 256, 10);
  model.forward(dev, {});
  int correct = 0;
  for (std::int64_t r = 0; r < 256; ++r) {
    const float* logit = model.logits().data<float>() + 2 * r;
    correct += (logit[1] > logit[0]) == (dev.labels.data<std::int32_t>()[r] == 1);
  }
  BOOST_TEST_MESSAGE("dev accuracy " << correct / 256.0);
  BOOST_TEST(correct / 256.0 > 0.95);
}
