// TransE over entity-shard actors (see transe_graph.hpp).
#include "graphs/kg/transe_graph.hpp"

#include "actors/kg/kg_shard_actor.hpp"
#include "actors/kg/messages.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <cstring>
#include <unordered_map>

namespace axon::kg {

namespace {

// Waits for `expected` replies of type Reply, passing each to `on_reply`; an actor that
// stops or an error aborts with a message naming `what`.
template <class Reply, class OnReply>
void await_replies(caf::scoped_actor& self, caf::actor_system& sys, std::size_t expected,
                   const std::string& what, OnReply on_reply) {
  std::size_t received = 0;
  std::string failure;
  self->receive_while([&] { return received < expected && failure.empty(); })(
    [&](Reply& reply) {
      on_reply(reply);
      ++received;
    },
    [&](caf::error& err) { failure = sys.render(err); },
    [&](caf::down_msg& down) { failure = "an entity shard stopped: " + sys.render(down.reason); });
  if (!failure.empty())
    throw std::runtime_error(what + ": " + failure);
}

} // namespace

transe_graph::transe_graph(caf::actor_system& sys, std::int64_t entities, std::int64_t relations,
                           const transe_settings& settings, int shards)
  : sys_(sys), self_(sys), entities_(entities), dim_(settings.dim),
    relations_(std::vector<param_spec>{transe_specs(entities, relations, settings.dim)[1]}),
    relation_grads_(relations_.like()), relation_adam_(relations_, transe_adam(settings)),
    sampler_(entities, settings) {
  if (shards < 1)
    throw std::invalid_argument("transe.shards must be >= 1");
  const auto& table = relations_[relation_embeddings_name];
  for (std::int64_t i = 0; i < table.numel(); ++i)
    table.data<float>()[i] = transe_init_value(settings.seed, 1, i, settings.dim);
  for (int s = 0; s < shards; ++s) {
    shards_.push_back(spawn_kg_shard(
      sys, {s, shards, entities, settings.dim, settings.lr, settings.seed}));
    self_->monitor(shards_.back());
  }
}

transe_graph::~transe_graph() {
  for (const auto& shard : shards_) {
    self_->demonitor(shard);
    caf::anon_send_exit(shard, caf::exit_reason::user_shutdown);
  }
}

tensor transe_graph::fetch_rows(const std::vector<std::int32_t>& ids) {
  const auto n = std::int64_t(shards_.size());
  std::vector<std::vector<std::int32_t>> asked(shards_.size());
  std::unordered_map<std::int32_t, std::int64_t> position;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    asked[ids[i] % n].push_back(ids[i]);
    position[ids[i]] = std::int64_t(i);
  }
  for (std::size_t s = 0; s < shards_.size(); ++s)
    self_->send(shards_[s], msg::kg_rows_request{std::uint64_t(steps_), asked[s]});
  auto rows = tensor::empty({std::int64_t(ids.size()), dim_});
  await_replies<msg::kg_rows_msg>(self_, sys_, shards_.size(), "fetching entity rows",
                                  [&](msg::kg_rows_msg& reply) {
    for (std::size_t i = 0; i < reply.ids.size(); ++i)
      std::memcpy(rows.data<float>() + position.at(reply.ids[i]) * dim_,
                  reply.rows.data<float>() + i * dim_, dim_ * sizeof(float));
  });
  return rows;
}

double transe_graph::step(const transe_batch& batch) {
  // The batch's entities, each once, and the batch renumbered into them.
  std::vector<std::int32_t> ids;
  for (const auto& t : batch.positives) {
    ids.push_back(t.head);
    ids.push_back(t.tail);
  }
  ids.insert(ids.end(), batch.tail_negatives.begin(), batch.tail_negatives.end());
  ids.insert(ids.end(), batch.head_negatives.begin(), batch.head_negatives.end());
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::unordered_map<std::int32_t, std::int32_t> compact;
  for (std::size_t i = 0; i < ids.size(); ++i)
    compact[ids[i]] = std::int32_t(i);
  transe_batch local = batch;
  for (auto& t : local.positives) {
    t.head = compact.at(t.head);
    t.tail = compact.at(t.tail);
  }
  for (auto* negatives : {&local.tail_negatives, &local.head_negatives})
    for (auto& e : *negatives)
      e = compact.at(e);
  // The rows this step reads, next to the (whole) relation table.
  const auto& relations = relations_[relation_embeddings_name];
  const auto specs = transe_specs(std::int64_t(ids.size()), relations.size(0), dim_);
  param_arena params{specs};
  std::memcpy(params[entity_embeddings_name].raw(), fetch_rows(ids).raw(),
              ids.size() * dim_ * sizeof(float));
  std::memcpy(params[relation_embeddings_name].raw(), relations.raw(),
              relations.numel() * sizeof(float));
  auto grads = params.like();
  const double loss = transe_loss_and_grads(grads, params, local);
  // Entity gradients to their shards (every shard steps, as dense Adam does).
  const auto n = std::int64_t(shards_.size());
  std::vector<std::vector<std::int32_t>> owned(shards_.size());
  std::vector<std::vector<std::int64_t>> rows_of(shards_.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    owned[ids[i] % n].push_back(ids[i]);
    rows_of[ids[i] % n].push_back(std::int64_t(i));
  }
  const auto& d_entities = grads[entity_embeddings_name];
  for (std::size_t s = 0; s < shards_.size(); ++s) {
    auto rows = tensor::empty({std::int64_t(owned[s].size()), dim_});
    for (std::size_t i = 0; i < owned[s].size(); ++i)
      std::memcpy(rows.data<float>() + i * dim_, d_entities.data<float>() + rows_of[s][i] * dim_,
                  dim_ * sizeof(float));
    self_->send(shards_[s], msg::kg_grads_msg{std::uint64_t(steps_), owned[s], rows});
  }
  std::memcpy(relation_grads_.flat().raw(), grads[relation_embeddings_name].raw(),
              relations.numel() * sizeof(float));
  relation_adam_.update(relations_, relation_grads_);
  await_replies<msg::kg_updated_msg>(self_, sys_, shards_.size(), "updating entity shards",
                                     [](msg::kg_updated_msg&) {});
  ++steps_;
  return loss;
}

double transe_graph::train_epoch(const std::vector<triple>& train) {
  double loss_sum = 0;
  const auto batches = sampler_.epoch(train);
  for (const auto& batch : batches)
    loss_sum += step(batch);
  return batches.empty() ? 0.0 : loss_sum / double(batches.size());
}

param_arena transe_graph::gather() {
  const auto& relations = relations_[relation_embeddings_name];
  param_arena out{transe_specs(entities_, relations.size(0), dim_)};
  std::vector<std::int32_t> all(entities_);
  for (std::int64_t e = 0; e < entities_; ++e)
    all[e] = std::int32_t(e);
  std::memcpy(out[entity_embeddings_name].raw(), fetch_rows(all).raw(),
              entities_ * dim_ * sizeof(float));
  std::memcpy(out[relation_embeddings_name].raw(), relations.raw(),
              relations.numel() * sizeof(float));
  return out;
}

} // namespace axon::kg
