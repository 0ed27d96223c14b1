// Finite-difference gradient checks of every op's backward, for every differentiable input
// and parameter, driven by one table of op cases (ggml's test-backend-ops pattern). Each
// case builds its inputs, runs forward to out, and the loss is sum(out * R) for a fixed
// random R, so backward gets dout = R. The numerical gradient is the central difference
// (L(x + h) - L(x - h)) / 2h on every element (shapes are small), in float with the loss
// summed in double, h = 1e-2. Pass: ||num - ana|| / max(||num||, ||ana||) < 1e-3 and the
// worst element max|num - ana| / max(max|num|, max|ana|) < 2e-3 (the ops measure ~2e-5, so
// the margin is wide, yet a gradient 1% off fails). Also: backward accumulates (2x = 2x).
#include "ops/cpu/attention.hpp"
#include "ops/cpu/cross_entropy.hpp"
#include "ops/cpu/dropout.hpp"
#include "ops/cpu/embedding.hpp"
#include "ops/cpu/entity_fusion.hpp"
#include "ops/cpu/gelu.hpp"
#include "ops/cpu/l2_distance.hpp"
#include "ops/cpu/layernorm.hpp"
#include "ops/cpu/linear.hpp"
#include "ops/cpu/pooler.hpp"
#include "ops/cpu/rgcn.hpp"
#include "ops/cpu/softmax.hpp"
#include "ops/cpu/window_pooling.hpp"
#include "test/ops/op_test_util.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

using namespace axon;
using namespace axon::ops;
using axon::test::i32_tensor;
using axon::test::random_tensor;
using axon::test::zeros_like;

namespace {

constexpr double max_rel_l2 = 1e-3;  // whole-gradient error, relative to its norm
constexpr double max_rel_inf = 2e-3; // worst element, relative to the largest element

// One op instance: the tensors the check perturbs, forward (returns out, saving whatever
// backward needs) and backward (accumulates into grads, one per param, given dout).
struct op_run {
  std::vector<std::pair<std::string, tensor>> params;
  std::function<tensor()> forward;
  std::function<void(const tensor& dout, const std::vector<tensor>& grads)> backward;
  float h = 1e-2f; // finite-difference step
};

struct grad_case {
  std::string name;
  std::function<op_run(std::mt19937&)> build;
};

double loss_of(const tensor& out, const tensor& r) {
  const float *y = out.data<float>(), *w = r.data<float>();
  double sum = 0.0;
  for (std::int64_t i = 0; i < out.numel(); ++i)
    sum += double(y[i]) * double(w[i]);
  return sum;
}

std::vector<tensor> zero_grads(const op_run& run) {
  std::vector<tensor> grads;
  for (const auto& [name, p] : run.params)
    grads.push_back(zeros_like(p));
  return grads;
}

struct param_error {
  std::string param;
  double rel_l2 = 0, rel_inf = 0;
  std::int64_t worst = 0;
  float numeric = 0, analytic = 0;
  bool ok() const { return rel_l2 < max_rel_l2 && rel_inf < max_rel_inf; }
};

// Compares backward's gradients (from `r` as dout) with central differences of the loss.
std::vector<param_error> gradcheck(op_run& run, const tensor& r) {
  auto grads = zero_grads(run);
  run.forward();
  run.backward(r, grads);
  std::vector<param_error> errors;
  for (std::size_t k = 0; k < run.params.size(); ++k) {
    const auto& [name, p] = run.params[k];
    float* x = p.data<float>();
    const float* ana = grads[k].data<float>();
    std::vector<float> num(p.numel());
    for (std::int64_t i = 0; i < p.numel(); ++i) {
      float saved = x[i];
      x[i] = saved + run.h;
      double plus = loss_of(run.forward(), r);
      x[i] = saved - run.h;
      double minus = loss_of(run.forward(), r);
      x[i] = saved;
      num[i] = float((plus - minus) / (2.0 * double(run.h)));
    }
    param_error e{name};
    double diff2 = 0, num2 = 0, ana2 = 0, diff_max = 0, num_max = 0, ana_max = 0;
    for (std::int64_t i = 0; i < p.numel(); ++i) {
      double d = std::fabs(double(num[i]) - double(ana[i]));
      diff2 += d * d, num2 += double(num[i]) * num[i], ana2 += double(ana[i]) * ana[i];
      num_max = std::max(num_max, std::fabs(double(num[i])));
      ana_max = std::max(ana_max, std::fabs(double(ana[i])));
      if (d >= diff_max)
        diff_max = d, e.worst = i, e.numeric = num[i], e.analytic = ana[i];
    }
    // A floor of 1e-4 keeps an all-zero gradient (num and ana both ~0) from dividing by 0.
    e.rel_l2 = std::sqrt(diff2) / std::max({std::sqrt(num2), std::sqrt(ana2), 1e-4});
    e.rel_inf = diff_max / std::max({num_max, ana_max, 1e-4});
    errors.push_back(e);
  }
  run.forward(); // leave the saved state at the unperturbed point
  return errors;
}

tensor random_like_out(op_run& run, std::mt19937& rng) {
  auto out = run.forward();
  return random_tensor(out.sizes(), rng);
}

// ---- the table of op cases --------------------------------------------------------------

op_run linear_case(std::mt19937& rng, bool with_bias) {
  auto inp = random_tensor({2, 3, 5}, rng), weight = random_tensor({4, 5}, rng, 0.5f);
  auto bias = with_bias ? random_tensor({4}, rng) : tensor{};
  auto out = tensor::zeros({2, 3, 4});
  op_run run;
  run.params = {{"inp", inp}, {"weight", weight}};
  if (with_bias)
    run.params.push_back({"bias", bias});
  run.forward = [=] {
    linear_forward(out, inp, weight, bias);
    return out;
  };
  run.backward = [=](const tensor& dout, const std::vector<tensor>& g) {
    linear_backward(g[0], g[1], with_bias ? g[2] : tensor{}, dout, inp, weight);
  };
  return run;
}

op_run embedding_case(std::mt19937& rng, bool with_types) {
  // ids repeat (3 appears three times) so that scatter-adds of one row are exercised.
  auto ids = i32_tensor({2, 4}, {3, 1, 3, 0, 5, 3, 2, 2});
  auto types = with_types ? i32_tensor({2, 4}, {0, 0, 1, 1, 0, 1, 0, 1}) : tensor{};
  auto wte = random_tensor({6, 3}, rng), wpe = random_tensor({5, 3}, rng);
  auto wtt = random_tensor({2, 3}, rng);
  auto out = tensor::zeros({2, 4, 3});
  op_run run;
  run.params = {{"wte", wte}, {"wpe", wpe}, {"wtt", wtt}};
  run.forward = [=] {
    embedding_forward(out, ids, types, wte, wpe, wtt);
    return out;
  };
  run.backward = [=](const tensor& dout, const std::vector<tensor>& g) {
    embedding_backward(g[0], g[1], g[2], dout, ids, types);
  };
  return run;
}

// Entity 2 is linked twice (rows of dent accumulate); -1 rows are not linked.
op_run entity_fusion_case(std::mt19937& rng, bool finetune) {
  auto entities = i32_tensor({2, 4}, {-1, 2, 0, -1, 2, -1, 3, 1});
  auto ent = random_tensor({4, 5}, rng), weight = random_tensor({6, 5}, rng, 0.5f);
  auto bias = random_tensor({6}, rng, 0.3f);
  auto base = random_tensor({2, 4, 6}, rng), out = tensor::zeros({2, 4, 6});
  op_run run;
  run.params = {{"weight", weight}, {"bias", bias}};
  if (finetune)
    run.params.push_back({"ent", ent});
  run.forward = [=] {
    std::copy(base.data<float>(), base.data<float>() + base.numel(), out.data<float>());
    entity_fusion_forward(out, entities, ent, weight, bias);
    return out;
  };
  run.backward = [=](const tensor& dout, const std::vector<tensor>& g) {
    entity_fusion_backward(finetune ? g[2] : tensor{}, g[0], g[1], dout, entities, ent, weight);
  };
  return run;
}

// 4 entities, 3 edge kinds; entity 2 receives two edges of kind 1 (norm 1/2), entity 0
// sends three messages, and one edge loops (1 -> 1).
op_run rgcn_case(std::mt19937& rng) {
  auto edges = i32_tensor({5, 3}, {0, 1, 2, 3, 1, 2, 0, 0, 1, 1, 2, 1, 0, 2, 3});
  auto norm = tensor::empty({5});
  std::copy_n(std::vector<float>{0.5f, 0.5f, 1.0f, 1.0f, 1.0f}.begin(), 5, norm.data<float>());
  auto x = random_tensor({4, 5}, rng), weight = random_tensor({3, 5, 5}, rng, 0.5f);
  auto out = tensor::zeros({4, 5});
  op_run run;
  run.params = {{"x", x}, {"weight", weight}};
  run.forward = [=] {
    rgcn_forward(out, x, weight, edges, norm);
    return out;
  };
  run.backward = [=](const tensor& dout, const std::vector<tensor>& g) {
    rgcn_backward(g[0], g[1], dout, x, weight, edges, norm);
  };
  return run;
}

op_run l2_pairwise_case(std::mt19937& rng) {
  auto q = random_tensor({3, 4}, rng), cand = random_tensor({5, 4}, rng);
  auto dist = tensor::zeros({3, 5});
  op_run run;
  run.params = {{"q", q}, {"cand", cand}};
  run.forward = [=] {
    l2_distance_pairwise_forward(dist, q, cand);
    return dist;
  };
  run.backward = [=](const tensor& dout, const std::vector<tensor>& g) {
    l2_distance_pairwise_backward(g[0], g[1], dout, q, cand, dist);
  };
  return run;
}

op_run l2_rowwise_case(std::mt19937& rng) {
  auto q = random_tensor({4, 6}, rng), target = random_tensor({4, 6}, rng);
  auto dist = tensor::zeros({4});
  op_run run;
  run.params = {{"q", q}, {"target", target}};
  run.forward = [=] {
    l2_distance_rowwise_forward(dist, q, target);
    return dist;
  };
  run.backward = [=](const tensor& dout, const std::vector<tensor>& g) {
    l2_distance_rowwise_backward(g[0], g[1], dout, q, target, dist);
  };
  return run;
}

op_run layernorm_case(std::mt19937& rng) {
  auto inp = random_tensor({2, 3, 8}, rng, 2.0f, 0.5f);
  auto weight = random_tensor({8}, rng, 0.5f, 1.0f), bias = random_tensor({8}, rng, 0.5f);
  auto out = tensor::zeros({2, 3, 8}), mean = tensor::zeros({6}), rstd = tensor::zeros({6});
  op_run run;
  run.params = {{"inp", inp}, {"weight", weight}, {"bias", bias}};
  run.forward = [=] {
    layernorm_forward(out, mean, rstd, inp, weight, bias, 1e-12f);
    return out;
  };
  run.backward = [=](const tensor& dout, const std::vector<tensor>& g) {
    layernorm_backward(g[0], g[1], g[2], dout, inp, weight, mean, rstd);
  };
  return run;
}

op_run gelu_case(std::mt19937& rng) {
  auto inp = random_tensor({3, 9}, rng, 4.0f);
  auto out = tensor::zeros({3, 9});
  op_run run;
  run.params = {{"inp", inp}};
  run.forward = [=] {
    gelu_forward(out, inp);
    return out;
  };
  run.backward = [=](const tensor& dout, const std::vector<tensor>& g) {
    gelu_backward(g[0], dout, inp);
  };
  return run;
}

op_run softmax_case(std::mt19937& rng) {
  auto inp = random_tensor({2, 3, 6}, rng, 3.0f);
  auto out = tensor::zeros({2, 3, 6});
  op_run run;
  run.params = {{"inp", inp}};
  run.forward = [=] {
    softmax_forward(out, inp);
    return out;
  };
  run.backward = [=](const tensor& dout, const std::vector<tensor>& g) {
    softmax_backward(g[0], dout, out);
  };
  return run;
}

// B=3, T=5, C=8, NH=2; key_mask rows may be undefined (no padding).
op_run attention_case(std::mt19937& rng, const tensor& key_mask, dropout_spec drop,
                      std::int64_t b = 3, std::int64_t t = 5) {
  const std::int64_t c = 8;
  const int n_heads = 2;
  auto qkv = random_tensor({b, t, 3 * c}, rng, 1.5f);
  auto out = tensor::zeros({b, t, c}), probs = tensor::zeros({b, n_heads, t, t});
  op_run run;
  run.params = {{"qkv", qkv}};
  run.forward = [=] {
    attention_forward(out, probs, qkv, key_mask, n_heads, drop);
    return out;
  };
  run.backward = [=](const tensor& dout, const std::vector<tensor>& g) {
    attention_backward(g[0], dout, qkv, probs, key_mask, n_heads, drop);
  };
  return run;
}

tensor padding_mask() {
  // Row 0 padded at the end, row 1 one real key only, row 2 all padding (attends to all).
  return i32_tensor({3, 5}, {1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0});
}

op_run dropout_case(std::mt19937& rng) {
  auto inp = random_tensor({4, 7}, rng);
  auto out = tensor::zeros({4, 7});
  dropout_spec spec{0.4f, 1234, 99};
  op_run run;
  run.params = {{"inp", inp}};
  run.forward = [=] {
    dropout_forward(out, inp, spec);
    return out;
  };
  run.backward = [=](const tensor& dout, const std::vector<tensor>& g) {
    dropout_backward(g[0], dout, spec);
  };
  return run;
}

op_run pooler_case(std::mt19937& rng) {
  auto inp = random_tensor({2, 3, 6}, rng), weight = random_tensor({6, 6}, rng, 0.5f);
  auto bias = random_tensor({6}, rng, 0.3f);
  auto out = tensor::zeros({2, 6});
  op_run run;
  run.params = {{"inp", inp}, {"weight", weight}, {"bias", bias}};
  run.forward = [=] {
    pooler_forward(out, inp, weight, bias);
    return out;
  };
  run.backward = [=](const tensor& dout, const std::vector<tensor>& g) {
    pooler_backward(g[0], g[1], g[2], dout, inp, weight, out);
  };
  return run;
}

// Three documents of 3, 1 and 4 windows and one without windows (pooled to zeros).
tensor window_offsets() { return i32_tensor({5}, {0, 3, 4, 4, 8}); }

op_run mean_pool_case(std::mt19937& rng) {
  auto inp = random_tensor({8, 5}, rng), out = tensor::zeros({4, 5});
  auto offsets = window_offsets();
  op_run run;
  run.params = {{"inp", inp}};
  run.forward = [=] {
    mean_pool_forward(out, inp, offsets);
    return out;
  };
  run.backward = [=](const tensor& dout, const std::vector<tensor>& g) {
    mean_pool_backward(g[0], dout, offsets);
  };
  return run;
}

// Scores of order 1 (inp and query uniform in [-1, 1), C = 5), so the weights differ.
op_run attention_pool_case(std::mt19937& rng) {
  auto inp = random_tensor({8, 5}, rng), query = random_tensor({5}, rng);
  auto out = tensor::zeros({4, 5}), probs = tensor::zeros({8});
  auto offsets = window_offsets();
  op_run run;
  run.params = {{"inp", inp}, {"query", query}};
  run.forward = [=] {
    attention_pool_forward(out, probs, inp, query, offsets);
    return out;
  };
  run.backward = [=](const tensor& dout, const std::vector<tensor>& g) {
    attention_pool_backward(g[0], g[1], dout, inp, query, probs, offsets);
  };
  return run;
}

// out is the mean loss as a (1) tensor, so dout[0] is the dloss given to backward.
op_run cross_entropy_case(std::mt19937& rng, const tensor& targets, int ignore_index) {
  auto n = targets.size(0);
  auto logits = random_tensor({n, 7}, rng, 2.0f);
  auto losses = tensor::zeros({n}), probs = tensor::zeros({n, 7}), loss = tensor::zeros({1});
  op_run run;
  run.params = {{"logits", logits}};
  run.forward = [=] {
    loss.data<float>()[0] = cross_entropy_forward(losses, probs, logits, targets, ignore_index);
    return loss;
  };
  run.backward = [=](const tensor& dout, const std::vector<tensor>& g) {
    cross_entropy_backward(g[0], probs, targets, dout.data<float>()[0], ignore_index);
  };
  return run;
}

std::vector<grad_case> op_cases() {
  return {
    {"linear", [](auto& rng) { return linear_case(rng, true); }},
    {"linear_no_bias", [](auto& rng) { return linear_case(rng, false); }},
    {"embedding", [](auto& rng) { return embedding_case(rng, true); }},
    {"embedding_no_types", [](auto& rng) { return embedding_case(rng, false); }},
    {"entity_fusion", [](auto& rng) { return entity_fusion_case(rng, false); }},
    {"entity_fusion_finetune", [](auto& rng) { return entity_fusion_case(rng, true); }},
    {"rgcn", rgcn_case},
    {"l2_distance_pairwise", l2_pairwise_case},
    {"l2_distance_rowwise", l2_rowwise_case},
    {"layernorm", layernorm_case},
    {"gelu", gelu_case},
    {"softmax", softmax_case},
    {"attention", [](auto& rng) { return attention_case(rng, tensor{}, {}); }},
    {"attention_padding", [](auto& rng) { return attention_case(rng, padding_mask(), {}); }},
    {"attention_dropout",
     [](auto& rng) { return attention_case(rng, padding_mask(), {0.3f, 42, 7}); }},
    {"attention_seq1",
     [](auto& rng) { return attention_case(rng, i32_tensor({1, 1}, {1}), {}, 1, 1); }},
    {"dropout", dropout_case},
    {"pooler", pooler_case},
    {"mean_pool", mean_pool_case},
    {"attention_pool", attention_pool_case},
    {"cross_entropy",
     [](auto& rng) {
       return cross_entropy_case(rng, i32_tensor({5}, {3, -100, 0, 6, -100}), -100);
     }},
    {"cross_entropy_ignore_0",
     [](auto& rng) { return cross_entropy_case(rng, i32_tensor({4}, {0, 2, 0, 5}), 0); }},
  };
}

std::string describe(const std::string& op, const param_error& e) {
  return op + " d" + e.param + ": rel L2 error " + std::to_string(e.rel_l2) + ", worst element ["
         + std::to_string(e.worst) + "] numeric " + std::to_string(e.numeric) + " analytic "
         + std::to_string(e.analytic) + " (rel " + std::to_string(e.rel_inf) + ")";
}

} // namespace

BOOST_AUTO_TEST_CASE(gradients_match_finite_differences) {
  for (const auto& c : op_cases()) {
    std::mt19937 rng{2024};
    auto run = c.build(rng);
    auto r = random_like_out(run, rng);
    for (const auto& e : gradcheck(run, r)) {
      BOOST_TEST_MESSAGE(describe(c.name, e));
      BOOST_TEST(e.ok(), describe(c.name, e));
    }
  }
}

// Backward adds into the gradients: a second call on the same gradients doubles them (up to
// float rounding: sums that add row by row into the gradient, such as pooler's dbias or a
// repeated embedding id, round differently once the gradient is non-zero).
BOOST_AUTO_TEST_CASE(backward_accumulates) {
  for (const auto& c : op_cases()) {
    std::mt19937 rng{7};
    auto run = c.build(rng);
    auto r = random_like_out(run, rng);
    auto grads = zero_grads(run);
    run.backward(r, grads);
    std::vector<tensor> once;
    for (const auto& g : grads)
      once.push_back(g.clone());
    run.backward(r, grads);
    for (std::size_t k = 0; k < grads.size(); ++k) {
      const float *g1 = once[k].data<float>(), *g2 = grads[k].data<float>();
      float scale = 0.0f;
      for (std::int64_t i = 0; i < once[k].numel(); ++i)
        scale = std::max(scale, std::fabs(g1[i]));
      BOOST_TEST(scale > 0.0f, c.name << " d" << run.params[k].first << " is all zero");
      std::int64_t bad = 0;
      for (std::int64_t i = 0; i < once[k].numel(); ++i)
        bad += !(std::fabs(g2[i] - 2.0f * g1[i]) <= 1e-6f * scale);
      BOOST_TEST(bad == 0, c.name << " d" << run.params[k].first << ": " << bad
                                  << " elements are not twice the single backward");
    }
  }
}

// The check must be able to fail: deliberately wrong backwards are caught.
BOOST_AUTO_TEST_CASE(gradcheck_catches_wrong_gradients) {
  auto expect_caught = [](const std::string& name, op_run run) {
    std::mt19937 rng{11};
    auto r = random_like_out(run, rng);
    bool caught = false;
    for (const auto& e : gradcheck(run, r)) {
      BOOST_TEST_MESSAGE("negative control " << describe(name, e));
      caught = caught || !e.ok();
    }
    BOOST_TEST(caught, name << " was not caught");
  };
  std::mt19937 rng{3};
  {
    auto run = linear_case(rng, true); // bias gradient forgotten
    run.backward = [inner = run.backward](const tensor& dout, const std::vector<tensor>& g) {
      inner(dout, {g[0], g[1], zeros_like(g[2])});
    };
    expect_caught("linear without dbias", run);
  }
  {
    auto run = softmax_case(rng); // 1% too large everywhere
    run.backward = [inner = run.backward](const tensor& dout, const std::vector<tensor>& g) {
      auto tmp = zeros_like(g[0]);
      inner(dout, {tmp});
      for (std::int64_t i = 0; i < tmp.numel(); ++i)
        g[0].data<float>()[i] += 1.01f * tmp.data<float>()[i];
    };
    expect_caught("softmax gradient scaled by 1.01", run);
  }
  {
    auto run = gelu_case(rng); // one element 10% off
    run.backward = [inner = run.backward](const tensor& dout, const std::vector<tensor>& g) {
      auto tmp = zeros_like(g[0]);
      inner(dout, {tmp});
      tmp.data<float>()[5] *= 1.1f;
      for (std::int64_t i = 0; i < tmp.numel(); ++i)
        g[0].data<float>()[i] += tmp.data<float>()[i];
    };
    expect_caught("gelu with one element 10% off", run);
  }
  {
    auto run = attention_case(rng, padding_mask(), {0.3f, 42, 7}); // dropout forgotten
    auto qkv = run.params[0].second;
    auto probs = tensor::zeros({3, 2, 5, 5});
    run.backward = [=](const tensor& dout, const std::vector<tensor>& g) {
      auto out = tensor::zeros({3, 5, 8});
      attention_forward(out, probs, qkv, padding_mask(), 2, {0.3f, 42, 7});
      attention_backward(g[0], dout, qkv, probs, padding_mask(), 2, {});
    };
    expect_caught("attention backward without the dropout mask", run);
  }
  {
    auto run = attention_pool_case(rng); // dinp as if the weights were constants
    auto inp = run.params[0].second, query = run.params[1].second;
    run.backward = [=](const tensor& dout, const std::vector<tensor>& g) {
      auto probs = tensor::zeros({8}), out = tensor::zeros({4, 5});
      attention_pool_forward(out, probs, inp, query, window_offsets());
      attention_pool_backward(g[0], g[1], dout, inp, zeros_like(query), probs, window_offsets());
    };
    expect_caught("attention_pool dinp without the path through the scores", run);
  }
  {
    auto run = layernorm_case(rng); // dinp = rstd * dout * weight: mean terms forgotten
    auto inp = run.params[0].second, weight = run.params[1].second;
    auto bias = run.params[2].second;
    run.backward = [=, inner = run.backward](const tensor& dout, const std::vector<tensor>& g) {
      auto dinp = zeros_like(inp);
      inner(dout, {dinp, g[1], g[2]}); // dweight and dbias stay right
      auto mean = tensor::zeros({6}), rstd = tensor::zeros({6}), out = zeros_like(inp);
      layernorm_forward(out, mean, rstd, inp, weight, bias, 1e-12f);
      for (std::int64_t i = 0; i < inp.numel(); ++i)
        g[0].data<float>()[i] +=
          dout.data<float>()[i] * weight.data<float>()[i % 8] * rstd.data<float>()[i / 8];
    };
    expect_caught("layernorm dinp without the normalisation terms", run);
  }
}
