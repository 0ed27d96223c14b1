// The BERT classifier training on the GPU against the same training on the CPU (the
// specification): one step's loss and gradients, three AdamW steps' losses and parameter
// updates, and a model split into stages whose hidden states stay on the device. The
// tiny reference architecture (test/graphs/tiny_reference.hpp) with 3 classes, dropout
// 0.1 (the CUDA dropout draws the CPU's masks), padded rows and token types.
#include "cuda_compare.hpp"

#include "graphs/adamw_optimizer.hpp"
#include "graphs/bert/bert_classifier.hpp"
#include "graphs/bert/bert_params.hpp"
#include "graphs/bert/bert_stage.hpp"
#include "graphs/bert/document_head.hpp"
#include "graphs/bert/mlm_head.hpp"
#include "ops/compute.hpp"
#include "test/graphs/tiny_reference.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <tuple>
#include <vector>

using namespace axon;
using ops::gemm_precision;

namespace {

// Normalised error thresholds of whole-model results, per GEMM precision: the ops' own
// (cuda_compare.hpp) compounded over two blocks and the head.
double model_threshold(gemm_precision p) {
  switch (p) {
    case gemm_precision::f32: return 1e-4;
    case gemm_precision::tf32: return 3e-2;
    case gemm_precision::bf16: return 1e-1;
  }
  return 0;
}

// The same for what three AdamW steps changed: Adam's first steps are about lr * sign of
// the gradient, so an element whose gradient is near 0 may move the other way; reduced
// precisions flip more of them.
double update_threshold(gemm_precision p) {
  switch (p) {
    case gemm_precision::f32: return 2e-2;
    case gemm_precision::tf32: return 2e-1;
    case gemm_precision::bf16: return 4e-1;
  }
  return 0;
}

bert::bert_config config(bool pooler) {
  auto cfg = test::tiny_reference_config();
  cfg.classes = 3;
  cfg.pooler = pooler;
  cfg.hidden_dropout = cfg.attention_dropout = 0.1f;
  return cfg;
}

bert::batch make_batch(std::uint32_t seed, const bert::bert_config& cfg) {
  constexpr std::int64_t b = 4, t = 12;
  std::mt19937 rng{seed};
  bert::batch in;
  in.ids = tensor::empty({b, t}, dtype::i32);
  in.token_types = tensor::empty({b, t}, dtype::i32);
  in.mask = tensor::empty({b, t}, dtype::i32);
  in.labels = tensor::empty({b}, dtype::i32);
  for (std::int64_t r = 0; r < b; ++r) {
    const auto length = t - 3 * r; // rows of 12, 9, 6 and 3 tokens
    for (std::int64_t j = 0; j < t; ++j) {
      const bool real = j < length;
      in.ids.data<std::int32_t>()[r * t + j] = real ? int(rng() % unsigned(cfg.vocab_size)) : 0;
      in.token_types.data<std::int32_t>()[r * t + j] = real && j >= length / 2;
      in.mask.data<std::int32_t>()[r * t + j] = real;
    }
    in.labels.data<std::int32_t>()[r] = int(rng() % unsigned(cfg.classes));
  }
  return in;
}

// The host's initial weights, copied into `params` (on any device).
void load_initial(const param_arena& params) {
  param_arena initial{params.specs()};
  bert::init_params(initial, 7);
  params.flat().copy_(initial.flat());
}

tensor on_host(const tensor& t, const ops::compute& c) {
  c.synchronize();
  return t.to(device::cpu());
}

tensor difference(const tensor& a, const tensor& b) {
  auto d = a.clone();
  for (std::int64_t i = 0; i < d.numel(); ++i)
    d.data<float>()[i] -= b.data<float>()[i];
  return d;
}

const bert::dropout_key key0{11, 0, 0, true};

double norm(const tensor& t) {
  return test::normalised_error(t, tensor::zeros(t.sizes(), dtype::f32));
}

// The attention key bias has an exactly zero gradient: adding b to every key shifts all of
// a query's scores by q.b, which softmax ignores (sum_j dS_ij = 0, so sum_j dK_j = 0). The
// CPU and the GPU both return rounding noise for it (seen on an H200: 1e-9 against 1e-5,
// "normalised error" 1e4 in bf16), so it is held to being noise: at most `tol` of the
// whole gradient's norm. Any other tensor: its own normalised error.
double tensor_error(const std::string& name, const tensor& got, const tensor& want,
                    const tensor& whole_want) {
  if (name.ends_with("attention.self.key.bias"))
    return norm(got) / norm(whole_want);
  return test::normalised_error(got, want);
}

} // namespace

BOOST_AUTO_TEST_SUITE(cuda_training)

BOOST_AUTO_TEST_CASE(one_step_loss_and_gradients_match_cpu) {
  for (bool pooler : {false, true})
    for (auto precision : {gemm_precision::f32, gemm_precision::tf32, gemm_precision::bf16}) {
      const auto cfg = config(pooler);
      const auto in = make_batch(3, cfg);
      bert::bert_classifier cpu{cfg};
      load_initial(cpu.params());
      bert::bert_classifier gpu{cfg, ops::compute::on(test::gpu, precision)};
      load_initial(gpu.params());
      const std::string what = std::string{pooler ? "pooler/" : "cls/"}
                               + std::string{ops::to_string(precision)};
      const float want = cpu.forward(in, key0), got = gpu.forward(in, key0);
      const double tol = model_threshold(precision);
      BOOST_TEST(std::abs(got - want) <= tol * std::abs(want),
                 what << ": loss " << got << " vs " << want);
      BOOST_TEST(test::normalised_error(gpu.logits(), cpu.logits()) <= tol, what << ": logits");
      cpu.backward(in, key0);
      gpu.backward(in, key0);
      auto got_grads = on_host(gpu.grads().flat(), gpu.compute());
      auto error = test::normalised_error(got_grads, cpu.grads().flat());
      BOOST_TEST(error <= tol, what << ": gradients, normalised error " << error);
      // No tensor may hide in the total (small ones are noisier: a looser bound, capped).
      const double per_tensor = std::min(10 * tol, 0.3);
      for (std::size_t k = 0; k < cpu.grads().count(); ++k) {
        auto name = cpu.grads().specs()[k].name;
        auto e = tensor_error(name, on_host(gpu.grads()[name], gpu.compute()),
                              cpu.grads()[name], cpu.grads().flat());
        BOOST_TEST(e <= per_tensor, what << ": " << name << " normalised error " << e);
      }
    }
}

BOOST_AUTO_TEST_CASE(fused_attention_gives_the_cpu_gradients) {
  for (bool pooler : {false, true}) {
    const auto cfg = config(pooler);
    const auto in = make_batch(4, cfg);
    bert::bert_classifier cpu{cfg};
    load_initial(cpu.params());
    bert::bert_classifier gpu{cfg, ops::compute::on(test::gpu, gemm_precision::f32,
                                                    ops::attention_kernel::fused)};
    load_initial(gpu.params());
    const float want = cpu.forward(in, key0), got = gpu.forward(in, key0);
    BOOST_TEST(std::abs(got - want) <= 1e-4 * std::abs(want), "loss " << got << " vs " << want);
    cpu.backward(in, key0);
    gpu.backward(in, key0);
    auto error = test::normalised_error(on_host(gpu.grads().flat(), gpu.compute()),
                                        cpu.grads().flat());
    BOOST_TEST(error <= 1e-4, "gradients, normalised error " << error);
  }
}

BOOST_AUTO_TEST_CASE(three_adamw_steps_match_cpu) {
  for (auto precision : {gemm_precision::f32, gemm_precision::tf32, gemm_precision::bf16}) {
    const auto cfg = config(true);
    optimizer_settings settings;
    settings.adamw.lr = 1e-3f;
    settings.max_grad_norm = 1.0f;
    bert::bert_classifier cpu{cfg};
    load_initial(cpu.params());
    adamw_optimizer cpu_opt{cpu.params(), settings};
    bert::bert_classifier gpu{cfg, ops::compute::on(test::gpu, precision)};
    load_initial(gpu.params());
    adamw_optimizer gpu_opt{gpu.params(), settings, gpu.compute()};
    const auto initial = cpu.params().flat().clone();
    const double tol = model_threshold(precision);
    for (std::uint64_t step = 0; step < 3; ++step) {
      const auto in = make_batch(20 + std::uint32_t(step), cfg);
      const bert::dropout_key key{11, 0, step * std::uint64_t(in.ids.size(0)), true};
      const float want = bert::train_step(cpu, cpu_opt, in, key);
      const float got = bert::train_step(gpu, gpu_opt, in, key);
      BOOST_TEST(std::abs(got - want) <= tol * std::abs(want),
                 ops::to_string(precision)
                   << " step " << step << ": loss " << got << " vs " << want);
    }
    auto got_update = difference(on_host(gpu.params().flat(), gpu.compute()), initial);
    auto want_update = difference(cpu.params().flat(), initial);
    auto error = test::normalised_error(got_update, want_update);
    BOOST_TEST(error <= update_threshold(precision),
               ops::to_string(precision) << ": parameter updates, normalised error " << error);
  }
}

BOOST_AUTO_TEST_CASE(stages_on_the_gpu_match_the_whole_model_on_the_cpu) {
  const auto cfg = config(false);
  const auto in = make_batch(5, cfg);
  bert::bert_classifier cpu{cfg};
  load_initial(cpu.params());
  const float want = cpu.forward(in, key0);
  cpu.backward(in, key0);

  // Three stages (embeddings + block 0, block 1, head) on one device, each with its own
  // stream, as three stage actors would have: hidden states and their gradients pass
  // between them as device tensors.
  std::vector<bert::bert_stage> stages;
  for (int k = 0; k < 3; ++k) {
    stages.emplace_back(cfg, bert::split_stages(cfg, k, 3), ops::compute::on(test::gpu));
    param_arena initial{stages.back().params().specs()};
    param_arena whole{bert::param_specs(cfg)};
    bert::init_params(whole, 7);
    for (std::size_t j = 0; j < initial.count(); ++j)
      initial.tensors()[j].copy_(whole[initial.specs()[j].name]);
    stages.back().params().flat().copy_(initial.flat());
    stages.back().zero_grads();
  }
  tensor hidden;
  float got = 0;
  for (auto& s : stages) {
    auto out = s.forward(0, in, hidden, key0);
    hidden = out.hidden;
    got = out.loss;
    if (hidden.defined())
      BOOST_TEST((hidden.where() == test::gpu), "hidden states are " << hidden.describe());
  }
  BOOST_TEST(std::abs(got - want) <= 1e-4 * std::abs(want), "loss " << got << " vs " << want);
  tensor grad;
  for (int k = 2; k >= 0; --k)
    grad = stages[std::size_t(k)].backward(0, in, grad, 1.0f, key0);
  for (auto& s : stages)
    for (std::size_t j = 0; j < s.grads().count(); ++j) {
      const auto& name = s.grads().specs()[j].name;
      auto e = tensor_error(name, on_host(s.grads().tensors()[j], s.compute()),
                            cpu.grads()[name], cpu.grads().flat());
      BOOST_TEST(e <= 1e-3, name << ": normalised error " << e);
    }
}

BOOST_AUTO_TEST_CASE(an_mlm_pretraining_step_matches_cpu) {
  // The MLM head on one stage: 15 % of the real tokens carry a target (label = the id).
  auto cfg = config(false);
  cfg.mlm = true;
  auto in = make_batch(6, cfg);
  std::mt19937 rng{8};
  in.labels = tensor::full(in.ids.sizes(), float(bert::ignore_label)).to(dtype::i32);
  for (std::int64_t k = 0; k < in.ids.numel(); ++k)
    if (in.mask.data<std::int32_t>()[k] != 0 && rng() % 100 < 15)
      in.labels.data<std::int32_t>()[k] = in.ids.data<std::int32_t>()[k];
  const auto layout = bert::split_stages(cfg, 0, 1);
  for (bool training : {true, false}) {
    bert::bert_stage cpu{cfg, layout};
    bert::bert_stage gpu{cfg, layout, ops::compute::on(test::gpu)};
    param_arena whole{cpu.params().specs()};
    bert::init_params(whole, 7);
    cpu.params().flat().copy_(whole.flat());
    gpu.params().flat().copy_(whole.flat());
    const bert::dropout_key key{11, 0, 0, training};
    auto want = cpu.forward(0, in, {}, key), got = gpu.forward(0, in, {}, key);
    BOOST_TEST(got.loss_terms == want.loss_terms);
    BOOST_TEST(std::abs(got.loss - want.loss) <= 1e-4 * std::abs(want.loss),
               "loss " << got.loss << " vs " << want.loss);
    if (!training) { // the evaluation's per-row counts and loss sums
      BOOST_TEST(test::normalised_error(got.logits, want.logits) == 0.0);
      BOOST_TEST(test::normalised_error(got.losses, want.losses) <= 1e-4);
      continue;
    }
    cpu.backward(0, in, {}, 1.0f, key);
    gpu.backward(0, in, {}, 1.0f, key);
    auto error = test::normalised_error(on_host(gpu.grads().flat(), gpu.compute()),
                                        cpu.grads().flat());
    BOOST_TEST(error <= 1e-4, "gradients, normalised error " << error);
  }
}

BOOST_AUTO_TEST_CASE(a_kg_fused_training_step_matches_cpu) {
  // Entity embeddings fused at linked tokens (some tokens of each row link to one of 10
  // entities, one entity twice), frozen and fine-tuned.
  for (bool finetune : {false, true}) {
    auto cfg = config(false);
    cfg.entities = 10;
    cfg.entity_dim = 8;
    cfg.entity_finetune = finetune;
    auto in = make_batch(9, cfg);
    in.entities = tensor::full(in.ids.sizes(), -1.0f).to(dtype::i32);
    for (std::int64_t k = 0; k < in.ids.numel(); k += 5)
      in.entities.data<std::int32_t>()[k] = std::int32_t(k % 7); // 0 and 5 repeat
    bert::bert_classifier cpu{cfg};
    load_initial(cpu.params());
    bert::bert_classifier gpu{cfg, ops::compute::on(test::gpu)};
    load_initial(gpu.params());
    const float want = cpu.forward(in, key0), got = gpu.forward(in, key0);
    BOOST_TEST(std::abs(got - want) <= 1e-4 * std::abs(want), "loss " << got << " vs " << want);
    cpu.backward(in, key0);
    gpu.backward(in, key0);
    for (const auto* name : {"bert.embeddings.entity_projection.weight",
                             "bert.embeddings.entity_embeddings.weight"}) {
      if (!cpu.grads().contains(name))
        continue;
      auto e = test::normalised_error(on_host(gpu.grads()[name], gpu.compute()),
                                      cpu.grads()[name]);
      BOOST_TEST(e <= 1e-4, name << ": normalised error " << e);
    }
    auto error = test::normalised_error(on_host(gpu.grads().flat(), gpu.compute()),
                                        cpu.grads().flat());
    BOOST_TEST(error <= 1e-4, "gradients, normalised error " << error);
  }
}

// Long documents (data.long-text = chunk): 4 windows of 2 documents (3 and 1 windows), with
// mean and attention pooling. Whole documents through bert_classifier, then windows mode
// on one stage as the actor graph runs it: windows forward to their [CLS] rows, the
// document head on the gathered rows (classify_documents), windows backward from the
// rows' gradients. Every result comes back to the host equal to the CPU's.
BOOST_AUTO_TEST_CASE(a_documents_model_matches_cpu_whole_and_in_windows_mode) {
  for (auto pooling : {bert::window_pooling::mean, bert::window_pooling::attention}) {
    const auto cfg = bert::documents_config(config(false), pooling);
    auto in = make_batch(13, cfg);
    in.labels = tensor::empty({2}, dtype::i32);
    in.labels.data<std::int32_t>()[0] = 2;
    in.labels.data<std::int32_t>()[1] = 0;
    const std::int32_t offsets[] = {0, 3, 4};
    in.offsets = tensor::empty({3}, dtype::i32);
    std::memcpy(in.offsets.raw(), offsets, sizeof offsets);
    const std::string what = bert::to_string(pooling);
    {
      bert::bert_classifier cpu{cfg};
      load_initial(cpu.params());
      bert::bert_classifier gpu{cfg, ops::compute::on(test::gpu)};
      load_initial(gpu.params());
      const float want = cpu.forward(in, key0), got = gpu.forward(in, key0);
      BOOST_TEST(std::abs(got - want) <= 1e-4 * std::abs(want),
                 what << ": loss " << got << " vs " << want);
      BOOST_TEST(test::normalised_error(gpu.logits(), cpu.logits()) <= 1e-4, what << ": logits");
      cpu.backward(in, key0);
      gpu.backward(in, key0);
      auto error = test::normalised_error(on_host(gpu.grads().flat(), gpu.compute()),
                                          cpu.grads().flat());
      BOOST_TEST(error <= 1e-4, what << ": whole documents, gradients " << error);
      // Inference, windows 3 at a time (prediction and serving).
      cpu.classify_documents(in, 3);
      gpu.classify_documents(in, 3);
      BOOST_TEST(test::normalised_error(gpu.logits(), cpu.logits()) <= 1e-4,
                 what << ": classify_documents logits");
    }
    const bert::batch windows{in.ids, in.token_types, in.mask, {}, {}, {}};
    auto windows_mode = [&](const ops::compute& on) {
      bert::bert_stage stage{cfg, bert::split_stages(cfg, 0, 1), on, true};
      load_initial(stage.params());
      stage.zero_grads();
      auto cls = stage.forward(0, windows, {}, key0).cls;
      auto head = stage.classify_documents(cls, in.offsets, in.labels, 1.0f, key0);
      stage.backward(0, windows, head.d_cls, 0.0f, key0);
      return std::make_tuple(cls, head, on_host(stage.grads().flat(), on));
    };
    auto [cpu_cls, cpu_head, cpu_grads] = windows_mode({});
    auto [gpu_cls, gpu_head, gpu_grads] = windows_mode(ops::compute::on(test::gpu));
    BOOST_TEST(gpu_cls.where().is_cpu(), what << ": the [CLS] rows come back to the host");
    BOOST_TEST(test::normalised_error(gpu_cls, cpu_cls) <= 1e-4, what << ": [CLS] rows");
    BOOST_TEST(std::abs(gpu_head.loss - cpu_head.loss) <= 1e-4 * std::abs(cpu_head.loss),
               what << ": windows mode loss " << gpu_head.loss << " vs " << cpu_head.loss);
    BOOST_TEST(test::normalised_error(gpu_head.d_cls, cpu_head.d_cls) <= 1e-4,
               what << ": d [CLS] rows");
    auto error = test::normalised_error(gpu_grads, cpu_grads);
    BOOST_TEST(error <= 1e-4, what << ": windows mode, gradients " << error);
  }
}

BOOST_AUTO_TEST_SUITE_END()
