// TransE loss and gradients over the CPU ops (see transe.hpp).
#include "graphs/kg/transe.hpp"

#include "ops/cpu/cross_entropy.hpp"
#include "ops/cpu/l2_distance.hpp"
#include "runtime/philox.hpp"

#include <cstring>

namespace axon::kg {

namespace {

// Rows `ids` of table (N,D) -> (n,D).
tensor gather_rows(const tensor& table, const std::vector<std::int32_t>& ids) {
  const auto d = table.size(1);
  auto out = tensor::empty({std::int64_t(ids.size()), d});
  for (std::size_t i = 0; i < ids.size(); ++i)
    std::memcpy(out.data<float>() + i * d, table.data<float>() + std::int64_t(ids[i]) * d,
                d * sizeof(float));
  return out;
}

// table[ids[i]] += sign * rows[i].
void scatter_add_rows(const tensor& table, const std::vector<std::int32_t>& ids, const tensor& rows,
                      float sign = 1.0f) {
  const auto d = table.size(1);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    float* dst = table.data<float>() + std::int64_t(ids[i]) * d;
    const float* src = rows.data<float>() + i * d;
    for (std::int64_t x = 0; x < d; ++x)
      dst[x] += sign * src[x];
  }
}

// a + sign * b, elementwise, (n,D).
tensor combine(const tensor& a, const tensor& b, float sign) {
  auto out = tensor::empty(a.sizes());
  for (std::int64_t i = 0; i < a.numel(); ++i)
    out.data<float>()[i] = a.data<float>()[i] + sign * b.data<float>()[i];
  return out;
}

} // namespace

std::vector<param_spec> transe_specs(std::int64_t entities, std::int64_t relations,
                                     std::int64_t dim) {
  return {{entity_embeddings_name, {entities, dim}, false},
          {relation_embeddings_name, {relations, dim}, false}};
}

float transe_init_value(std::uint64_t seed, std::uint32_t table, std::int64_t index,
                        std::int64_t dim) {
  const float gamma = 9.0f, bound = (gamma + 2.0f) / float(dim);
  auto bits = philox4x32_10({std::uint32_t(index), std::uint32_t(index >> 32), table, 0}, seed);
  return (2.0f * uniform_from_bits(bits[0]) - 1.0f) * bound;
}

void init_transe(const param_arena& params, std::uint64_t seed) {
  for (std::size_t k = 0; k < params.count(); ++k) {
    const auto& t = params.tensors()[k];
    for (std::int64_t i = 0; i < t.numel(); ++i)
      t.data<float>()[i] = transe_init_value(seed, std::uint32_t(k), i, t.size(1));
  }
}

float transe_loss_and_grads(const param_arena& grads, const param_arena& params,
                            const transe_batch& batch) {
  const auto& ent = params[entity_embeddings_name];
  const auto& rel = params[relation_embeddings_name];
  const auto b = std::int64_t(batch.positives.size());
  const auto k = std::int64_t(batch.tail_negatives.size());
  std::vector<std::int32_t> heads, rels, tails;
  for (const auto& t : batch.positives) {
    heads.push_back(t.head);
    rels.push_back(t.relation);
    tails.push_back(t.tail);
  }
  auto h = gather_rows(ent, heads), r = gather_rows(rel, rels), t = gather_rows(ent, tails);
  auto tail_cands = gather_rows(ent, batch.tail_negatives);
  auto head_cands = gather_rows(ent, batch.head_negatives);
  auto q_tail = combine(h, r, 1.0f);  // h + r, near t
  auto q_head = combine(t, r, -1.0f); // t - r, near h
  // Distances: the positive (same for both directions) and each direction's negatives.
  auto pos = tensor::empty({b});
  ops::l2_distance_rowwise_forward(pos, q_tail, t);
  auto neg_tail = tensor::empty({b, k}), neg_head = tensor::empty({b, k});
  ops::l2_distance_pairwise_forward(neg_tail, q_tail, tail_cands);
  ops::l2_distance_pairwise_forward(neg_head, q_head, head_cands);
  // Logits (2B, 1+K): column 0 the true entity; rows [0,B) tail queries, [B,2B) head.
  auto logits = tensor::empty({2 * b, 1 + k});
  for (std::int64_t i = 0; i < 2 * b; ++i) {
    float* row = logits.data<float>() + i * (1 + k);
    row[0] = -pos.data<float>()[i % b];
    const float* neg = (i < b ? neg_tail : neg_head).data<float>() + (i % b) * k;
    for (std::int64_t j = 0; j < k; ++j)
      row[1 + j] = -neg[j];
  }
  auto targets = tensor::zeros({2 * b}, dtype::i32);
  auto losses = tensor::empty({2 * b}), probs = tensor::empty({2 * b, 1 + k});
  float loss = ops::cross_entropy_forward(losses, probs, logits, targets);
  auto d_logits = tensor::zeros({2 * b, 1 + k});
  ops::cross_entropy_backward(d_logits, probs, targets, 1.0f);
  // d dist = -d logits.
  auto d_pos = tensor::zeros({b}), d_neg_tail = tensor::empty({b, k}),
       d_neg_head = tensor::empty({b, k});
  for (std::int64_t i = 0; i < 2 * b; ++i) {
    const float* row = d_logits.data<float>() + i * (1 + k);
    d_pos.data<float>()[i % b] -= row[0];
    float* neg = (i < b ? d_neg_tail : d_neg_head).data<float>() + (i % b) * k;
    for (std::int64_t j = 0; j < k; ++j)
      neg[j] = -row[1 + j];
  }
  auto d_q_tail = tensor::zeros({b, h.size(1)}), d_q_head = tensor::zeros({b, h.size(1)});
  auto d_t = tensor::zeros({b, h.size(1)});
  auto d_tail_cands = tensor::zeros(tail_cands.sizes()), d_head_cands = tensor::zeros(head_cands.sizes());
  ops::l2_distance_rowwise_backward(d_q_tail, d_t, d_pos, q_tail, t, pos);
  ops::l2_distance_pairwise_backward(d_q_tail, d_tail_cands, d_neg_tail, q_tail, tail_cands, neg_tail);
  ops::l2_distance_pairwise_backward(d_q_head, d_head_cands, d_neg_head, q_head, head_cands, neg_head);
  // q_tail = h + r; q_head = t - r.
  const auto& d_ent = grads[entity_embeddings_name];
  const auto& d_rel = grads[relation_embeddings_name];
  scatter_add_rows(d_ent, heads, d_q_tail);
  scatter_add_rows(d_rel, rels, d_q_tail);
  scatter_add_rows(d_ent, tails, d_q_head);
  scatter_add_rows(d_rel, rels, d_q_head, -1.0f);
  scatter_add_rows(d_ent, tails, d_t);
  scatter_add_rows(d_ent, batch.tail_negatives, d_tail_cands);
  scatter_add_rows(d_ent, batch.head_negatives, d_head_cands);
  return loss;
}

void transe_distances(const tensor& dist, const param_arena& params,
                      const std::vector<std::int32_t>& anchors,
                      const std::vector<std::int32_t>& relations, bool tail_side) {
  const auto& ent = params[entity_embeddings_name];
  auto q = combine(gather_rows(ent, anchors), gather_rows(params[relation_embeddings_name], relations),
                   tail_side ? 1.0f : -1.0f);
  ops::l2_distance_pairwise_forward(dist, q, ent);
}

} // namespace axon::kg
