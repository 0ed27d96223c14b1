// R-GCN refinement: edges, forward through the layers, TransE's loss on the output and the
// backward pass (see rgcn.hpp).
#include "graphs/kg/rgcn.hpp"

#include "ops/cpu/rgcn.hpp"

#include <algorithm>
#include <map>

namespace axon::kg {

namespace {

// Layer l's weights (K,D,D), a view of the (L,K,D,D) tensor.
tensor layer_weights(const tensor& all, std::int64_t l) {
  return all.slice(l, l + 1).reshape({all.size(1), all.size(2), all.size(3)});
}

// h[0] = X, h[l+1] = layer l of h[l]; h[L] = H.
std::vector<tensor> forward_layers(const param_arena& params, const rgcn_edges& graph) {
  const auto& weights = params[rgcn_weights_name];
  std::vector<tensor> h{params[entity_embeddings_name]};
  for (std::int64_t l = 0; l < weights.size(0); ++l) {
    h.push_back(tensor::empty(h[0].sizes()));
    ops::rgcn_forward(h.back(), h[l], layer_weights(weights, l), graph.edges, graph.norm);
  }
  return h;
}

// H and the relation table as a TransE model.
param_arena as_transe(const tensor& h, const tensor& relations) {
  param_arena out{transe_specs(h.size(0), relations.size(0), h.size(1))};
  std::copy_n(h.data<float>(), h.numel(), out[entity_embeddings_name].data<float>());
  std::copy_n(relations.data<float>(), relations.numel(),
              out[relation_embeddings_name].data<float>());
  return out;
}

void add_into(const tensor& into, const tensor& from) {
  for (std::int64_t i = 0; i < into.numel(); ++i)
    into.data<float>()[i] += from.data<float>()[i];
}

} // namespace

rgcn_edges make_rgcn_edges(const std::vector<triple>& triples, std::int64_t relations) {
  rgcn_edges out;
  out.kinds = 2 * relations;
  const auto m = std::int64_t(2 * triples.size());
  out.edges = tensor::empty({m, 3}, dtype::i32);
  out.norm = tensor::empty({m});
  auto* edge = out.edges.data<std::int32_t>();
  std::map<std::pair<std::int32_t, std::int32_t>, int> into; // (dst, kind) -> edges
  for (std::size_t i = 0; i < triples.size(); ++i) {
    const auto& t = triples[i];
    const std::int32_t r = t.relation, inverse = std::int32_t(relations) + t.relation;
    const std::int32_t rows[2][3] = {{t.tail, r, t.head}, {t.head, inverse, t.tail}};
    std::copy_n(&rows[0][0], 6, edge + 6 * i);
    ++into[{t.head, r}];
    ++into[{t.tail, inverse}];
  }
  for (std::int64_t i = 0; i < m; ++i)
    out.norm.data<float>()[i] = 1.0f / float(into[{edge[3 * i + 2], edge[3 * i + 1]}]);
  return out;
}

std::vector<param_spec> rgcn_specs(std::int64_t entities, std::int64_t relations,
                                   std::int64_t dim, std::int64_t layers) {
  auto specs = transe_specs(entities, relations, dim);
  specs.push_back({rgcn_weights_name, {layers, 2 * relations, dim, dim}, false});
  return specs;
}

param_arena rgcn_refined(const param_arena& params, const rgcn_edges& graph) {
  return as_transe(forward_layers(params, graph).back(), params[relation_embeddings_name]);
}

float rgcn_loss_and_grads(const param_arena& grads, const param_arena& params,
                          const rgcn_edges& graph, const transe_batch& batch) {
  const auto h = forward_layers(params, graph);
  const auto refined = as_transe(h.back(), params[relation_embeddings_name]);
  const auto d_refined = refined.like();
  const float loss = transe_loss_and_grads(d_refined, refined, batch);
  add_into(grads[relation_embeddings_name], d_refined[relation_embeddings_name]);
  // Back through the layers: d h[l] from d h[l+1].
  const auto& weights = params[rgcn_weights_name];
  const auto& d_weights = grads[rgcn_weights_name];
  tensor d_h = d_refined[entity_embeddings_name];
  for (auto l = weights.size(0) - 1; l >= 0; --l) {
    auto d_below = tensor::zeros(d_h.sizes());
    ops::rgcn_backward(d_below, layer_weights(d_weights, l), d_h, h[l], layer_weights(weights, l),
                       graph.edges, graph.norm);
    d_h = d_below;
  }
  add_into(grads[entity_embeddings_name], d_h);
  return loss;
}

rgcn_trainer::rgcn_trainer(const param_arena& transe, const std::vector<triple>& graph_triples,
                           std::int64_t layers, const transe_settings& settings)
  : graph_(make_rgcn_edges(graph_triples, transe[relation_embeddings_name].size(0))),
    params_(rgcn_specs(transe[entity_embeddings_name].size(0),
                       transe[relation_embeddings_name].size(0), settings.dim, layers)),
    grads_(params_.like()), optimizer_(params_, transe_adam(settings)),
    sampler_(transe[entity_embeddings_name].size(0), settings) {
  // The TransE tables as they are; the weights stay zero.
  for (const char* name : {entity_embeddings_name, relation_embeddings_name})
    std::copy_n(transe[name].data<float>(), transe[name].numel(), params_[name].data<float>());
}

double rgcn_trainer::train_epoch(const std::vector<triple>& train) {
  double loss_sum = 0;
  const auto batches = sampler_.epoch(train);
  for (const auto& batch : batches) {
    grads_.flat().zero_();
    loss_sum += rgcn_loss_and_grads(grads_, params_, graph_, batch);
    optimizer_.update(params_, grads_);
  }
  return batches.empty() ? 0.0 : loss_sum / double(batches.size());
}

} // namespace axon::kg
