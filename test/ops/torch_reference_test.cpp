// Every CPU op against PyTorch: forward outputs and backward gradients (into zeroed
// gradients) on the cases stored by test/make_op_references.py, extreme inputs included.
// Every case runs inline and on a 4-thread compute pool. Tolerance, per element: |ours - torch| <= 1e-5 + 1e-4 * |torch| (torch evaluated in
// float64 on our float32 inputs; adamw and clip_grad in torch's own float32 arithmetic).
#include "ops/cpu/adamw.hpp"
#include "ops/cpu/attention.hpp"
#include "ops/cpu/clip_grad.hpp"
#include "ops/cpu/cross_entropy.hpp"
#include "ops/cpu/embedding.hpp"
#include "ops/cpu/gelu.hpp"
#include "ops/cpu/layernorm.hpp"
#include "ops/cpu/linear.hpp"
#include "ops/cpu/pooler.hpp"
#include "ops/cpu/softmax.hpp"
#include "ops/cpu/window_pooling.hpp"
#include "runtime/compute_pool.hpp"
#include "runtime/safetensors.hpp"
#include "test/ops/op_test_util.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

using namespace axon;
using namespace axon::ops;
using axon::test::expect_close;
using axon::test::zeros_like;

namespace {

constexpr float ref_atol = 1e-5f;
constexpr float ref_rtol = 1e-4f;

// One reference file: its cases, tensors "<case>/<name>" and scalars "<case>/<key>".
struct reference {
  std::string op;
  safetensors_file file;
  std::string mode; // "inline" or "4 threads", for messages

  explicit reference(const std::string& name)
    : op(name),
      file(read_safetensors(std::string{AXON_TEST_DIR} + "/reference/ops/" + name
                            + ".safetensors")) {}

  std::vector<std::string> cases() const {
    std::vector<std::string> names;
    std::stringstream list{file.metadata.at("cases")};
    for (std::string name; std::getline(list, name, ',');)
      names.push_back(name);
    BOOST_TEST_REQUIRE(!names.empty(), op << ": no cases in " << file.path);
    return names;
  }
  const tensor& at(const std::string& c, const std::string& name) const {
    return file.at(c + "/" + name);
  }
  /// The tensor, or an undefined one when the case has none (e.g. no bias).
  tensor optional(const std::string& c, const std::string& name) const {
    auto it = file.tensors.find(c + "/" + name);
    return it == file.tensors.end() ? tensor{} : it->second;
  }
  std::string scalar(const std::string& c, const std::string& key) const {
    return file.metadata.at(c + "/" + key);
  }
  void check(const std::string& c, const std::string& name, const tensor& got) const {
    expect_close(op + "/" + c + "/" + name + " (" + mode + ")", got, at(c, name), ref_atol,
                 ref_rtol);
  }
};

// Runs body(case) for every case, inline and then on a 4-thread compute pool, where the
// multi_chunk cases split at the ops' parallel_for grains.
template <class Body>
void for_each_case(reference& ref, Body body) {
  for (bool pooled : {false, true}) {
    std::optional<compute_pool> pool;
    std::optional<compute_pool::scope> use;
    if (pooled) {
      pool.emplace(4);
      use.emplace(&*pool);
    }
    ref.mode = pooled ? "4 threads" : "inline";
    for (const auto& c : ref.cases())
      body(c);
  }
}

} // namespace

BOOST_AUTO_TEST_CASE(linear_matches_torch) {
  reference ref{"linear"};
  for_each_case(ref, [&](const std::string& c) {
    auto inp = ref.at(c, "inp"), weight = ref.at(c, "weight"), bias = ref.optional(c, "bias");
    auto out = zeros_like(ref.at(c, "out"));
    linear_forward(out, inp, weight, bias);
    ref.check(c, "out", out);
    auto dinp = zeros_like(inp), dweight = zeros_like(weight);
    auto dbias = bias.defined() ? zeros_like(bias) : tensor{};
    linear_backward(dinp, dweight, dbias, ref.at(c, "dout"), inp, weight);
    ref.check(c, "dinp", dinp);
    ref.check(c, "dweight", dweight);
    if (bias.defined())
      ref.check(c, "dbias", dbias);
  });
}

BOOST_AUTO_TEST_CASE(embedding_matches_torch) {
  reference ref{"embedding"};
  for_each_case(ref, [&](const std::string& c) {
    auto ids = ref.at(c, "ids"), types = ref.optional(c, "types");
    auto wte = ref.at(c, "wte"), wpe = ref.at(c, "wpe"), wtt = ref.optional(c, "wtt");
    auto out = zeros_like(ref.at(c, "out"));
    embedding_forward(out, ids, types, wte, wpe, wtt);
    ref.check(c, "out", out);
    auto dwte = zeros_like(wte), dwpe = zeros_like(wpe);
    auto dwtt = wtt.defined() ? zeros_like(wtt) : tensor{};
    embedding_backward(dwte, dwpe, dwtt, ref.at(c, "dout"), ids, types);
    ref.check(c, "dwte", dwte);
    ref.check(c, "dwpe", dwpe);
    if (wtt.defined())
      ref.check(c, "dwtt", dwtt);
  });
}

BOOST_AUTO_TEST_CASE(layernorm_matches_torch) {
  reference ref{"layernorm"};
  for_each_case(ref, [&](const std::string& c) {
    auto inp = ref.at(c, "inp"), weight = ref.at(c, "weight"), bias = ref.at(c, "bias");
    float eps = std::stof(ref.scalar(c, "eps"));
    auto out = zeros_like(inp), mean = zeros_like(ref.at(c, "mean"));
    auto rstd = zeros_like(ref.at(c, "rstd"));
    layernorm_forward(out, mean, rstd, inp, weight, bias, eps);
    ref.check(c, "out", out);
    ref.check(c, "mean", mean);
    ref.check(c, "rstd", rstd);
    auto dinp = zeros_like(inp), dweight = zeros_like(weight), dbias = zeros_like(bias);
    layernorm_backward(dinp, dweight, dbias, ref.at(c, "dout"), inp, weight, mean, rstd);
    ref.check(c, "dinp", dinp);
    ref.check(c, "dweight", dweight);
    ref.check(c, "dbias", dbias);
  });
}

BOOST_AUTO_TEST_CASE(gelu_matches_torch) {
  reference ref{"gelu"};
  for_each_case(ref, [&](const std::string& c) {
    auto inp = ref.at(c, "inp");
    auto out = zeros_like(inp);
    gelu_forward(out, inp);
    ref.check(c, "out", out);
    auto dinp = zeros_like(inp);
    gelu_backward(dinp, ref.at(c, "dout"), inp);
    ref.check(c, "dinp", dinp);
  });
}

BOOST_AUTO_TEST_CASE(softmax_matches_torch) {
  reference ref{"softmax"};
  for_each_case(ref, [&](const std::string& c) {
    auto inp = ref.at(c, "inp");
    auto out = zeros_like(inp);
    softmax_forward(out, inp);
    ref.check(c, "out", out);
    auto dinp = zeros_like(inp);
    softmax_backward(dinp, ref.at(c, "dout"), out);
    ref.check(c, "dinp", dinp);
  });
}

BOOST_AUTO_TEST_CASE(attention_matches_torch) {
  reference ref{"attention"};
  for_each_case(ref, [&](const std::string& c) {
    auto qkv = ref.at(c, "qkv"), key_mask = ref.optional(c, "key_mask");
    int n_heads = std::stoi(ref.scalar(c, "n_heads"));
    auto out = zeros_like(ref.at(c, "out")), probs = zeros_like(ref.at(c, "probs"));
    attention_forward(out, probs, qkv, key_mask, n_heads, {});
    ref.check(c, "out", out);
    ref.check(c, "probs", probs);
    auto dqkv = zeros_like(qkv);
    attention_backward(dqkv, ref.at(c, "dout"), qkv, probs, key_mask, n_heads, {});
    ref.check(c, "dqkv", dqkv);
  });
}

BOOST_AUTO_TEST_CASE(pooler_matches_torch) {
  reference ref{"pooler"};
  for_each_case(ref, [&](const std::string& c) {
    auto inp = ref.at(c, "inp"), weight = ref.at(c, "weight"), bias = ref.at(c, "bias");
    auto out = zeros_like(ref.at(c, "out"));
    pooler_forward(out, inp, weight, bias);
    ref.check(c, "out", out);
    auto dinp = zeros_like(inp), dweight = zeros_like(weight), dbias = zeros_like(bias);
    pooler_backward(dinp, dweight, dbias, ref.at(c, "dout"), inp, weight, out);
    ref.check(c, "dinp", dinp);
    ref.check(c, "dweight", dweight);
    ref.check(c, "dbias", dbias);
  });
}

BOOST_AUTO_TEST_CASE(mean_pool_matches_torch) {
  reference ref{"mean_pool"};
  for_each_case(ref, [&](const std::string& c) {
    auto inp = ref.at(c, "inp"), offsets = ref.at(c, "offsets");
    auto out = zeros_like(ref.at(c, "out"));
    mean_pool_forward(out, inp, offsets);
    ref.check(c, "out", out);
    auto dinp = zeros_like(inp);
    mean_pool_backward(dinp, ref.at(c, "dout"), offsets);
    ref.check(c, "dinp", dinp);
  });
}

BOOST_AUTO_TEST_CASE(attention_pool_matches_torch) {
  reference ref{"attention_pool"};
  for_each_case(ref, [&](const std::string& c) {
    auto inp = ref.at(c, "inp"), query = ref.at(c, "query"), offsets = ref.at(c, "offsets");
    auto out = zeros_like(ref.at(c, "out"));
    auto probs = tensor::zeros({inp.size(0)});
    attention_pool_forward(out, probs, inp, query, offsets);
    ref.check(c, "out", out);
    ref.check(c, "probs", probs);
    auto dinp = zeros_like(inp), dquery = zeros_like(query);
    attention_pool_backward(dinp, dquery, ref.at(c, "dout"), inp, query, probs, offsets);
    ref.check(c, "dinp", dinp);
    ref.check(c, "dquery", dquery);
  });
}

BOOST_AUTO_TEST_CASE(cross_entropy_matches_torch) {
  reference ref{"cross_entropy"};
  for_each_case(ref, [&](const std::string& c) {
    auto logits = ref.at(c, "logits"), targets = ref.at(c, "targets");
    int ignore_index = std::stoi(ref.scalar(c, "ignore_index"));
    auto losses = zeros_like(ref.at(c, "losses")), probs = zeros_like(logits);
    auto loss = tensor::zeros({1});
    loss.data<float>()[0] = cross_entropy_forward(losses, probs, logits, targets, ignore_index);
    ref.check(c, "loss", loss);
    ref.check(c, "losses", losses);
    ref.check(c, "probs", probs);
    auto dlogits = zeros_like(logits);
    cross_entropy_backward(dlogits, probs, targets, ref.at(c, "dloss").data<float>()[0],
                           ignore_index);
    ref.check(c, "dlogits", dlogits);
  });
}

// Where every target is ignored PyTorch returns NaN; the header promises 0 and no gradient.
BOOST_AUTO_TEST_CASE(cross_entropy_all_ignored_is_zero) {
  auto logits = tensor::full({2, 3}, 1.5f);
  auto targets = axon::test::i32_tensor({2}, {-100, -100});
  auto losses = tensor::full({2}, 9.0f), probs = zeros_like(logits);
  BOOST_TEST(cross_entropy_forward(losses, probs, logits, targets) == 0.0f);
  BOOST_TEST(losses.data<float>()[0] == 0.0f);
  BOOST_TEST(losses.data<float>()[1] == 0.0f);
  auto dlogits = zeros_like(logits);
  cross_entropy_backward(dlogits, probs, targets, 1.0f);
  for (std::int64_t i = 0; i < dlogits.numel(); ++i)
    BOOST_TEST(dlogits.data<float>()[i] == 0.0f);
}

BOOST_AUTO_TEST_CASE(adamw_matches_torch) {
  reference ref{"adamw"};
  for_each_case(ref, [&](const std::string& c) {
    adamw_hparams hp;
    hp.lr = std::stof(ref.scalar(c, "lr"));
    hp.beta1 = std::stof(ref.scalar(c, "beta1"));
    hp.beta2 = std::stof(ref.scalar(c, "beta2"));
    hp.eps = std::stof(ref.scalar(c, "eps"));
    hp.weight_decay = std::stof(ref.scalar(c, "weight_decay"));
    auto steps = std::stoi(ref.scalar(c, "steps"));
    auto param = ref.at(c, "param0").clone();
    auto m = zeros_like(param), v = zeros_like(param);
    const auto& grads = ref.at(c, "grads");
    const auto& params = ref.at(c, "params");
    BOOST_TEST_REQUIRE(grads.size(0) == steps);
    for (int s = 0; s < steps; ++s) {
      adamw_update(param, grads.slice(s, s + 1).reshape(param.sizes()), m, v, hp, s + 1);
      auto what = "adamw/" + c + "/params[step " + std::to_string(s + 1) + "] (" + ref.mode + ")";
      expect_close(what, param, params.slice(s, s + 1).reshape(param.sizes()), ref_atol,
                   ref_rtol);
    }
    ref.check(c, "exp_avg", m);
    ref.check(c, "exp_avg_sq", v);
  });
}

BOOST_AUTO_TEST_CASE(clip_grad_matches_torch) {
  reference ref{"clip_grad"};
  for_each_case(ref, [&](const std::string& c) {
    float max_norm = std::stof(ref.scalar(c, "max_norm"));
    int count = std::stoi(ref.scalar(c, "count"));
    std::vector<tensor> grads;
    for (int i = 0; i < count; ++i)
      grads.push_back(ref.at(c, "grad" + std::to_string(i)).clone());
    auto norm = tensor::zeros({1});
    norm.data<float>()[0] = clip_grad_norm(grads, max_norm);
    ref.check(c, "norm", norm);
    for (int i = 0; i < count; ++i)
      ref.check(c, "clipped" + std::to_string(i), grads[i]);
  });
}

// The comparison can fail: a reference value moved by 2e-4 (twice the tolerance at |ref| ~ 1)
// is caught, one moved by half the tolerance is not.
BOOST_AUTO_TEST_CASE(comparison_catches_small_errors) {
  reference ref{"softmax"};
  auto inp = ref.at("basic", "inp");
  auto out = zeros_like(inp);
  softmax_forward(out, inp);
  auto moved = ref.at("basic", "out").clone();
  float* w = moved.data<float>();
  BOOST_TEST(axon::test::compare(out, moved, ref_atol, ref_rtol).count == 0);
  w[4] += 2.0f * (ref_atol + ref_rtol * std::fabs(w[4]));
  w[7] += 0.5f * (ref_atol + ref_rtol * std::fabs(w[7]));
  auto m = axon::test::compare(out, moved, ref_atol, ref_rtol);
  BOOST_TEST(m.count == 1);
  BOOST_TEST(m.worst == 4);
}

// max_norm <= 0 only measures: the norm comes back and the gradients are untouched.
BOOST_AUTO_TEST_CASE(clip_grad_measure_only) {
  std::vector<tensor> grads{tensor::full({3}, 2.0f), tensor::full({1}, 2.0f)};
  BOOST_TEST(clip_grad_norm(grads, 0.0f) == 4.0f);
  BOOST_TEST(grads[0].data<float>()[2] == 2.0f);
  BOOST_TEST(grad_sum_of_squares(grads[0]) == 12.0);
}
