// Knowledge-graph models: the fusion of entity embeddings into a BERT classifier (whole-
// model finite differences of every fusion parameter; frozen tables get no gradient;
// unlinked batches are unchanged), the TransE loss gradient and the R-GCN refinement's
// (layers, entity and relation tables) by finite differences.
#include "graphs/bert/bert_classifier.hpp"
#include "graphs/kg/rgcn.hpp"
#include "graphs/kg/transe.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <functional>
#include <random>

using namespace axon;

namespace {

// Central differences of `loss` w.r.t. every element of `t`, compared with `analytic`:
// the relative L2 error of the whole gradient.
double gradient_error(const tensor& t, const tensor& analytic, const std::function<double()>& loss,
                      float h) {
  double diff_sq = 0, norm_sq = 0;
  for (std::int64_t i = 0; i < t.numel(); ++i) {
    float& x = t.data<float>()[i];
    const float saved = x;
    x = saved + h;
    const double plus = loss();
    x = saved - h;
    const double minus = loss();
    x = saved;
    const double numeric = (plus - minus) / (2.0 * h);
    diff_sq += std::pow(numeric - analytic.data<float>()[i], 2);
    norm_sq += std::max(numeric * numeric, std::pow(double(analytic.data<float>()[i]), 2));
  }
  return std::sqrt(diff_sq / std::max(norm_sq, 1e-30));
}

bert::bert_config tiny_fusion_config(bool finetune) {
  bert::bert_config cfg;
  cfg.vocab_size = 12;
  cfg.max_positions = 8;
  cfg.hidden = 8;
  cfg.layers = 1;
  cfg.heads = 2;
  cfg.intermediate = 16;
  cfg.classes = 3;
  cfg.hidden_dropout = cfg.attention_dropout = 0.0f;
  cfg.layer_norm_eps = 1e-5f;
  cfg.entities = 5;
  cfg.entity_dim = 4;
  cfg.entity_finetune = finetune;
  return cfg;
}

tensor i32(const shape& sizes, std::vector<std::int32_t> values) {
  auto t = tensor::empty(sizes, dtype::i32);
  std::copy(values.begin(), values.end(), t.data<std::int32_t>());
  return t;
}

// Every weight uniform in [-0.5, 0.5] instead of BERT's N(0, 0.02): at BERT's
// initialisation the loss barely depends on the embeddings, and finite differences would
// drown in float rounding.
void order_one_weights(const bert::bert_classifier& model, unsigned seed) {
  std::mt19937 rng{seed};
  for (const auto& t : model.params().tensors())
    for (std::int64_t i = 0; i < t.numel(); ++i)
      t.data<float>()[i] = float(rng() % 2001) / 2000.0f - 0.5f;
}

bert::batch linked_batch() {
  bert::batch in;
  in.ids = i32({2, 5}, {2, 5, 6, 7, 3, 2, 8, 9, 3, 0});
  in.mask = i32({2, 5}, {1, 1, 1, 1, 1, 1, 1, 1, 1, 0});
  in.labels = i32({2}, {2, 0});
  in.entities = i32({2, 5}, {-1, 3, 3, -1, -1, -1, 1, -1, -1, -1});
  return in;
}

} // namespace

BOOST_AUTO_TEST_CASE(fusion_gradients_match_finite_differences) {
  bert::bert_classifier model{tiny_fusion_config(true)};
  order_one_weights(model, 5);
  const auto in = linked_batch();
  model.zero_grads();
  model.forward(in, {});
  model.backward(in, {});
  auto loss = [&] { return double(model.forward(in, {})); };
  // Through the whole float model the differences carry rounding noise (measured 3e-3 at
  // worst); a wiring mistake (a gradient missing, doubled or misplaced) errs by ~1. The op
  // itself is checked at 1e-3 in test_ops_gradcheck.
  for (const char* name : {bert::entity_table_name, "bert.embeddings.entity_projection.weight",
                           "bert.embeddings.entity_projection.bias"}) {
    double error = gradient_error(model.params()[name], model.grads()[name].clone(), loss, 1e-2f);
    BOOST_TEST(error < 1e-2, name << ": relative L2 gradient error " << error);
  }
  // Rows of entities that no token links get no gradient.
  const auto& d_table = model.grads()[bert::entity_table_name];
  for (std::int64_t k = 0; k < 4; ++k)
    BOOST_TEST(d_table.data<float>()[0 * 4 + k] == 0.0f);
}

BOOST_AUTO_TEST_CASE(frozen_entity_table_gets_no_gradient_and_unlinked_batches_ignore_it) {
  bert::bert_classifier model{tiny_fusion_config(false)};
  order_one_weights(model, 6);
  auto in = linked_batch();
  model.zero_grads();
  const float linked_loss = model.forward(in, {});
  model.backward(in, {});
  const auto& d_table = model.grads()[bert::entity_table_name];
  for (std::int64_t i = 0; i < d_table.numel(); ++i)
    BOOST_TEST_REQUIRE(d_table.data<float>()[i] == 0.0f);
  float proj_norm = 0;
  const auto& d_proj = model.grads()["bert.embeddings.entity_projection.weight"];
  for (std::int64_t i = 0; i < d_proj.numel(); ++i)
    proj_norm += std::fabs(d_proj.data<float>()[i]);
  BOOST_TEST(proj_norm > 0.0f);
  // All -1: the same loss as no entities at all, and different from the linked one.
  auto unlinked = in;
  unlinked.entities = i32({2, 5}, std::vector<std::int32_t>(10, -1));
  auto without = in;
  without.entities = tensor{};
  BOOST_TEST(model.forward(unlinked, {}) == model.forward(without, {}));
  BOOST_TEST(model.forward(without, {}) != linked_loss);
}

BOOST_AUTO_TEST_CASE(transe_gradients_match_finite_differences) {
  param_arena params{kg::transe_specs(7, 3, 4)};
  kg::init_transe(params, 9);
  for (std::int64_t i = 0; i < params.numel(); ++i)
    params.flat().data<float>()[i] *= 20.0f; // distances of order 1, not 0.1
  kg::transe_batch batch{{{0, 1, 2}, {3, 0, 4}, {2, 2, 2}}, {5, 6, 0, 2}, {1, 3, 6, 6}};
  auto grads = params.like();
  kg::transe_loss_and_grads(grads, params, batch);
  auto scratch = params.like();
  auto loss = [&] { return double(kg::transe_loss_and_grads(scratch, params, batch)); };
  for (const char* name : {kg::entity_embeddings_name, kg::relation_embeddings_name}) {
    double error = gradient_error(params[name], grads[name].clone(), loss, 1e-2f);
    BOOST_TEST(error < 2e-3, name << ": relative L2 gradient error " << error);
  }
}

// Two layers over a 7-entity graph with non-zero random weights (at their zero start the
// gradient of X through the messages would vanish and a mistake there go unseen).
BOOST_AUTO_TEST_CASE(rgcn_gradients_match_finite_differences) {
  const std::vector<kg::triple> triples{{0, 1, 2}, {3, 0, 4}, {2, 2, 2}, {5, 0, 4}, {6, 1, 0}};
  const auto graph = kg::make_rgcn_edges(triples, 3);
  param_arena params{kg::rgcn_specs(7, 3, 4, 2)};
  std::mt19937 rng{3};
  for (std::int64_t i = 0; i < params.numel(); ++i)
    params.flat().data<float>()[i] = float(rng() % 2001) / 2000.0f - 0.5f;
  kg::transe_batch batch{{{0, 1, 2}, {3, 0, 4}, {6, 1, 0}}, {5, 6, 0, 2}, {1, 3, 6, 6}};
  auto grads = params.like();
  kg::rgcn_loss_and_grads(grads, params, graph, batch);
  auto scratch = params.like();
  auto loss = [&] { return double(kg::rgcn_loss_and_grads(scratch, params, graph, batch)); };
  for (const char* name :
       {kg::entity_embeddings_name, kg::relation_embeddings_name, kg::rgcn_weights_name}) {
    double error = gradient_error(params[name], grads[name].clone(), loss, 1e-2f);
    BOOST_TEST(error < 2e-3, name << ": relative L2 gradient error " << error);
  }
}

// Each triple gives two edges, normalised per receiver and kind: entity 4 receives 3 and 5
// through kind 2 (the inverse of relation 0), so each of those carries 1/2.
BOOST_AUTO_TEST_CASE(rgcn_edges_are_both_directions_with_mean_norms) {
  const auto graph = kg::make_rgcn_edges({{3, 0, 4}, {5, 0, 4}, {3, 1, 5}}, 2);
  BOOST_TEST(graph.kinds == 4);
  const std::vector<std::int32_t> edges(graph.edges.data<std::int32_t>(),
                                        graph.edges.data<std::int32_t>() + graph.edges.numel());
  const std::vector<float> norm(graph.norm.data<float>(), graph.norm.data<float>() + 6);
  // Rows [src, kind, dst]: 3 receives 4 through kind 0, 4 receives 3 through kind 2, ...
  BOOST_TEST(edges == (std::vector<std::int32_t>{4, 0, 3, 3, 2, 4, 4, 0, 5, 5, 2, 4, 5, 1, 3,
                                                 3, 3, 5}),
             boost::test_tools::per_element());
  BOOST_TEST(norm == (std::vector<float>{1, 0.5f, 1, 0.5f, 1, 1}), boost::test_tools::per_element());
}
