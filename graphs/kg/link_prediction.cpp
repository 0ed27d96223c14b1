// Filtered ranking over all entities, a batch of queries at a time (see link_prediction.hpp).
#include "graphs/kg/link_prediction.hpp"

#include "graphs/kg/transe.hpp"

#include <cstdio>
#include <limits>
#include <unordered_map>

namespace axon::kg {

namespace {

using answer_index = std::unordered_map<std::uint64_t, std::vector<std::int32_t>>;

std::uint64_t pair_key(std::int32_t a, std::int32_t b) {
  return (std::uint64_t(std::uint32_t(a)) << 32) | std::uint32_t(b);
}

} // namespace

std::string link_metrics::to_text() const {
  char line[160];
  std::snprintf(line, sizeof line, "MRR %.4f MR %.1f H@1 %.4f H@3 %.4f H@10 %.4f (n=%zu)", mrr,
                mean_rank, hits1, hits3, hits10, ranks);
  return line;
}

link_metrics evaluate_transe(const param_arena& params, const std::vector<triple>& triples,
                             const std::vector<triple>& known) {
  answer_index tails_of, heads_of; // (h,r) -> true tails; (r,t) -> true heads
  for (const auto& t : known) {
    tails_of[pair_key(t.head, t.relation)].push_back(t.tail);
    heads_of[pair_key(t.relation, t.tail)].push_back(t.head);
  }
  const auto entities = params[entity_embeddings_name].size(0);
  constexpr std::size_t batch = 256;
  link_metrics m;
  auto dist = tensor::empty({std::int64_t(batch), entities});
  for (bool tail_side : {true, false}) {
    for (std::size_t first = 0; first < triples.size(); first += batch) {
      const auto n = std::min(batch, triples.size() - first);
      std::vector<std::int32_t> anchors, relations;
      for (std::size_t i = 0; i < n; ++i) {
        const auto& t = triples[first + i];
        anchors.push_back(tail_side ? t.head : t.tail);
        relations.push_back(t.relation);
      }
      auto d = dist.slice(0, std::int64_t(n));
      transe_distances(d, params, anchors, relations, tail_side);
      for (std::size_t i = 0; i < n; ++i) {
        const auto& t = triples[first + i];
        float* row = d.data<float>() + i * entities;
        const auto target = tail_side ? t.tail : t.head;
        const float target_dist = row[target];
        const auto& filtered = tail_side ? tails_of[pair_key(t.head, t.relation)]
                                         : heads_of[pair_key(t.relation, t.tail)];
        for (auto e : filtered)
          row[e] = std::numeric_limits<float>::infinity(); // the target too: no self-tie
        double better = 0, ties = 0;
        for (std::int64_t e = 0; e < entities; ++e) {
          better += row[e] < target_dist;
          ties += row[e] == target_dist;
        }
        const double rank = 1 + better + ties / 2;
        m.mrr += 1 / rank;
        m.mean_rank += rank;
        m.hits1 += rank <= 1;
        m.hits3 += rank <= 3;
        m.hits10 += rank <= 10;
        ++m.ranks;
      }
    }
  }
  if (m.ranks > 0)
    for (auto* x : {&m.mrr, &m.mean_rank, &m.hits1, &m.hits3, &m.hits10})
      *x /= double(m.ranks);
  return m;
}

} // namespace axon::kg
