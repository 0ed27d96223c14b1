// pipeline: blocking requests to the coordinator and optimizers, watching every actor.
#include "graphs/bert/bert_pipeline.hpp"

#include "runtime/graph/error.hpp"
#include "runtime/graph/atoms.hpp"
#include "actors/bert/messages.hpp"
#include "actors/kg/messages.hpp"
#include "graphs/bert/bert_stage.hpp"

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace axon::bert {

namespace {

// The optimizer actors (stage by stage, slice by slice) and the range of the model's
// flat parameters each owns: consecutive, in that order.
struct optimizer_part {
  std::string node;
  std::int64_t offset, count;
};

std::vector<optimizer_part> optimizer_parts(const job_layout& layout) {
  std::vector<optimizer_part> parts;
  std::int64_t stage_offset = 0;
  for (int k = 0; k < layout.stages; ++k) {
    auto specs = stage_param_specs(layout.model, split_stages(layout.model, k, layout.stages));
    auto ranges = split_specs(specs, layout.optimizer_slices);
    for (int j = 0; j < layout.optimizer_slices; ++j)
      parts.push_back({optimizer_name(k, j, layout.optimizer_slices),
                       stage_offset + ranges[j].offset, ranges[j].count});
    stage_offset += ranges.back().offset + ranges.back().count;
  }
  return parts;
}

tensor copy_part(const tensor& flat, const optimizer_part& part) {
  auto out = tensor::empty({part.count});
  std::memcpy(out.raw(), flat.data<float>() + part.offset, out.nbytes());
  return out;
}

} // namespace

data::batch job_batch(const batch& tensors, std::uint64_t epoch, std::uint64_t position) {
  data::batch out;
  out.epoch = epoch;
  out.position = position;
  out.ids = tensors.ids;
  out.token_types = tensors.token_types;
  out.attention_mask = tensors.mask;
  out.labels = tensors.labels;
  out.entities = tensors.entities;
  out.offsets = tensors.offsets;
  return out;
}

std::vector<std::string> pipeline::note_down(const caf::down_msg& down) {
  auto name = running_.name_of(down.source);
  if (name.empty() || lost_.count(name) != 0)
    return {}; // not of this graph, or noted already (another actor of a lost node process)
  std::vector<std::string> lost_now{name};
  if (remote_ != nullptr && down.reason == caf::exit_reason::remote_link_unreachable) {
    // The node process is gone, and with it every actor it ran.
    auto node = remote_->node_name_of(down.source);
    lost_nodes_.insert(node);
    for (const auto& spec : graph_.nodes())
      if (spec.placement == node && spec.name != name)
        lost_now.push_back(spec.name);
  }
  lost_.insert(lost_now.begin(), lost_now.end());
  return lost_now;
}

template <class Done, class Handler>
caf::error pipeline::await(const std::string& what, Done done, Handler handler) {
  std::string failure;
  std::vector<std::string> lost_now;
  self_->receive_while([&] { return !done() && failure.empty(); })(
    handler, [&](caf::error& err) { failure = error_text(err); },
    [&](caf::down_msg& down) {
      lost_now = note_down(down);
      if (lost_now.empty())
        return;
      failure = "actor " + lost_now.front() + " of the training graph";
      if (remote_ != nullptr)
        failure += " on node " + remote_->where(down.source);
      failure += " stopped: " + error_text(down.reason);
      if (remote_ != nullptr && down.reason == caf::exit_reason::remote_link_unreachable)
        failure += " (its node process died, or was silent longer than cluster.timeout)";
    });
  if (failure.empty())
    return caf::none;
  return make_error(errc::failed, what + ": " + failure);
}

pipeline::pipeline(caf::actor_system& sys, const job_layout& layout,
                   std::shared_ptr<const remote_nodes> remote, std::nothrow_t)
  : sys_(sys), layout_(layout), remote_(std::move(remote)), graph_(make_graph(layout)),
    self_(sys) {
}

pipeline::pipeline(caf::actor_system& sys, const job_layout& layout,
                   std::shared_ptr<const remote_nodes> remote)
  : pipeline(sys, layout, std::move(remote), std::nothrow) {
  if (auto err = start())
    throw std::runtime_error(error_text(err));
}

caf::expected<std::unique_ptr<pipeline>>
pipeline::spawn(caf::actor_system& sys, const job_layout& layout,
                std::shared_ptr<const remote_nodes> remote) {
  std::unique_ptr<pipeline> out{new pipeline(sys, layout, std::move(remote), std::nothrow)};
  if (auto err = out->start())
    return err;
  return out;
}

caf::error pipeline::start() {
  if (remote_ != nullptr)
    for (const auto& node : graph_.nodes())
      graph_.set_placement(node.name, remote_->placement_of(node.name));
  auto spawned = graph_.spawn(sys_, kinds(), remote_.get());
  if (!spawned)
    return make_error(errc::failed,
                      "cannot start the training graph: " + error_text(spawned.error()));
  running_ = std::move(*spawned);
  for (const auto& [name, actor] : running_.actors)
    self_->monitor(actor);
  return caf::none;
}

pipeline::~pipeline() {
  for (const auto& [name, actor] : running_.actors)
    self_->demonitor(actor);
  running_.stop();
}

caf::error pipeline::init_params() {
  auto parts = optimizer_parts(layout_);
  for (const auto& part : parts)
    self_->send(running_.at(part.node), init_atom::value);
  std::size_t acks = 0;
  return await("initialising parameters", [&] { return acks == parts.size(); },
               [&](bool) { ++acks; });
}

caf::error pipeline::load_params(const param_arena& params) {
  auto parts = optimizer_parts(layout_);
  for (const auto& part : parts)
    self_->send(running_.at(part.node), init_atom::value, copy_part(params.flat(), part));
  std::size_t acks = 0;
  return await("loading parameters", [&] { return acks == parts.size(); },
               [&](bool) { ++acks; });
}

caf::error pipeline::restore_state(const training_state& state) {
  auto parts = optimizer_parts(layout_);
  for (const auto& part : parts)
    self_->send(running_.at(part.node), state_atom::value, copy_part(state.params.flat(), part),
                copy_part(state.first_moments.flat(), part),
                copy_part(state.second_moments.flat(), part), state.steps);
  std::size_t acks = 0;
  return await("restoring the optimizer state", [&] { return acks == parts.size(); },
               [&](bool) { ++acks; });
}

caf::expected<std::pair<double, double>> pipeline::train_step(const data::batch& in,
                                                              std::uint64_t step, float lr) {
  self_->send(running_.at("coordinator"), step_atom::value, step, lr, in);
  std::pair<double, double> result;
  bool done = false;
  if (auto err = await("training step " + std::to_string(step), [&] { return done; },
                       [&](double loss, double grad_norm) {
                         result = {loss, grad_norm};
                         done = true;
                       }))
    return err;
  return result;
}

caf::expected<std::pair<tensor, tensor>> pipeline::evaluate(const data::batch& in,
                                                            int micro_rows) {
  self_->send(running_.at("coordinator"), eval_atom::value, in, std::int32_t{micro_rows});
  std::pair<tensor, tensor> result;
  bool done = false;
  if (auto err = await("evaluation", [&] { return done; }, [&](tensor& logits, tensor& losses) {
        result = {std::move(logits), std::move(losses)};
        done = true;
      }))
    return err;
  return result;
}

caf::expected<std::vector<std::vector<kg::mention>>>
pipeline::link(std::vector<std::vector<std::string>> rows) {
  self_->send(running_.at("kg"), msg::kg_link_request{std::move(rows)});
  std::vector<std::vector<kg::mention>> result;
  bool done = false;
  if (auto err = await("linking entities", [&] { return done; }, [&](msg::kg_link_reply& reply) {
        result = std::move(reply.rows);
        done = true;
      }))
    return err;
  return result;
}

caf::expected<tensor> pipeline::entity_table() {
  self_->send(running_.at("kg"), embeddings_atom::value);
  tensor table;
  if (auto err = await("reading the entity embeddings", [&] { return table.defined(); },
                       [&](tensor& rows) { table = std::move(rows); }))
    return err;
  return table;
}

void pipeline::stop_coordinator() {
  const auto& coordinator = running_.at("coordinator");
  if (lost_.count("coordinator") != 0)
    return; // it went down by itself
  self_->send_exit(coordinator, caf::exit_reason::user_shutdown);
  bool gone = false;
  self_->receive_while([&] { return !gone; })([&](caf::down_msg& down) {
    gone = down.source == coordinator.address();
    if (!gone) // stopped on purpose: not lost
      note_down(down);
  });
}

caf::expected<training_state> pipeline::gather_state() {
  training_state state{param_arena{param_specs(layout_.model)}, {}, {}, -1};
  state.first_moments = state.params.like();
  state.second_moments = state.params.like();
  for (const auto& part : optimizer_parts(layout_)) {
    if (lost_.count(part.node) != 0)
      return make_error(errc::failed, "reading optimizer state: " + part.node + " is lost");
    self_->send(running_.at(part.node), state_atom::value);
    bool done = false;
    std::int64_t part_steps = 0;
    const auto from_part = caf::actor_cast<caf::strong_actor_ptr>(running_.at(part.node));
    auto err = await("reading optimizer state", [&] { return done; },
          [&](tensor& params, tensor& m, tensor& v, std::int64_t steps) {
            if (self_->current_sender() != from_part)
              return; // the answer to an earlier, interrupted reading
            for (auto [from, to] : {std::pair{&params, &state.params},
                                    {&m, &state.first_moments}, {&v, &state.second_moments}})
              std::memcpy(to->flat().data<float>() + part.offset, from->raw(), from->nbytes());
            part_steps = steps;
            done = true;
          });
    if (err)
      return err;
    if (state.steps >= 0 && part_steps != state.steps) // a step interrupted while applied
      return make_error(errc::failed, "reading optimizer state: " + part.node + " has taken "
                                        + std::to_string(part_steps) + " steps, the others "
                                        + std::to_string(state.steps));
    state.steps = part_steps;
  }
  return state;
}

caf::error pipeline::scale_shards(int shards) {
  const auto what = "scaling to " + std::to_string(shards) + " shards";
  if (shards < 1)
    return make_error(errc::bad_input, what + ": a job needs at least one shard");
  if (broken())
    return make_error(errc::failed, what + ": the graph has lost actors and must recover first");
  const int before = layout_.shards;
  if (shards == before)
    return caf::none;
  auto next = layout_;
  next.shards = shards;
  auto target = make_graph(next); // the same names, setups and devices for the shards kept
  // Kept actors stay where they run; joining ones go where the placement says now (with
  // placement.elastic that depends on the nodes connected).
  if (remote_ != nullptr)
    for (const auto& node : target.nodes()) {
      auto kept = std::find_if(graph_.nodes().begin(), graph_.nodes().end(),
                               [&](const node_spec& n) { return n.name == node.name; });
      target.set_placement(node.name, kept != graph_.nodes().end()
                                        ? kept->placement
                                        : remote_->placement_of(node.name));
    }
  const auto parts = optimizer_parts(layout_);
  std::vector<std::string> joining, leaving, steering{"coordinator"};
  for (const auto& node : target.nodes())
    if (running_.actors.count(node.name) == 0)
      joining.push_back(node.name);
  for (const auto& node : graph_.nodes())
    if (std::none_of(target.nodes().begin(), target.nodes().end(),
                     [&](const node_spec& n) { return n.name == node.name; }))
      leaving.push_back(node.name);
  for (const auto& part : parts)
    steering.push_back(part.node);
  // The joining actors first, not yet wired: when one cannot be spawned nothing changed.
  if (auto err = target.spawn_nodes(sys_, kinds(), remote_.get(), joining, running_))
    return make_error(errc::bad_input, what + ": " + error_text(err));
  for (const auto& name : joining)
    self_->monitor(running_.at(name));
  // The coordinator and optimizers declare the joining replicas' ports, forget the leaving
  // ones' and count the new shards from the next step on.
  for (const auto& name : steering)
    self_->send(running_.at(name), msg::scale_msg{shards});
  std::size_t acks = 0;
  if (auto err = await(what, [&] { return acks == steering.size(); }, [&](bool) { ++acks; }))
    return err;
  for (const auto& name : leaving)
    self_->demonitor(running_.at(name));
  running_.retire(leaving); // stopped on purpose: not lost
  graph_ = std::move(target);
  layout_ = next;
  if (auto err = graph_.wire(sys_, running_, joining))
    return make_error(errc::failed, what + ": " + error_text(err));
  if (shards < before)
    return caf::none;
  // The current parameters, straight from the optimizers, to the replicas that joined.
  for (const auto& part : parts)
    self_->send(running_.at(part.node), publish_atom::value, std::int32_t{before});
  acks = 0;
  return await(what, [&] { return acks == parts.size(); }, [&](bool) { ++acks; });
}

std::string pipeline::stats() {
  std::string out;
  for (const auto& [name, actor] : running_.actors) {
    self_->send(actor, stats_atom::value);
    self_->receive([&](std::string& json) { out += "\"" + name + "\": " + json + "\n"; },
                   [&](caf::error& err) { // said, not dropped: the actor is named with why
                     out += "\"" + name + "\": "
                            + nlohmann::json{{"error", error_text(err)}}.dump() + "\n";
                   });
  }
  return out;
}

} // namespace axon::bert
