// pipeline: blocking requests to the coordinator and optimizers, watching every actor.
#include "graphs/bert/bert_pipeline.hpp"

#include "actors/atoms.hpp"
#include "actors/messages.hpp"
#include "graphs/bert/bert_stage.hpp"

#include <caf/all.hpp>

#include <cstring>
#include <stdexcept>

namespace axon::bert {

namespace {

std::string optimizer_node(int k) {
  return "optimizer" + std::to_string(k);
}

// Receives with `handler` until `done()` holds. An error reply or a graph actor going down
// ends the wait with std::runtime_error("what: reason").
template <class Done, class Handler>
void await(caf::scoped_actor& self, caf::actor_system& sys, const std::string& what, Done done,
           Handler handler) {
  std::string failure;
  self->receive_while([&] { return !done() && failure.empty(); })(
    handler, [&](caf::error& err) { failure = sys.render(err); },
    [&](caf::down_msg& down) {
      failure = "an actor of the training graph stopped: " + sys.render(down.reason);
    });
  if (!failure.empty())
    throw std::runtime_error(what + ": " + failure);
}

} // namespace

pipeline::pipeline(caf::actor_system& sys, const job_layout& layout)
  : sys_(sys), layout_(layout), graph_(make_graph(layout)), self_(sys) {
  auto spawned = graph_.spawn(sys, kinds());
  if (!spawned)
    throw std::runtime_error("cannot start the training graph: " + sys.render(spawned.error()));
  running_ = std::move(*spawned);
  for (const auto& [name, actor] : running_.actors)
    self_->monitor(actor);
}

pipeline::~pipeline() {
  for (const auto& [name, actor] : running_.actors)
    self_->demonitor(actor);
  running_.stop();
}

void pipeline::init_params() {
  for (int k = 0; k < layout_.stages; ++k)
    self_->send(running_.at(optimizer_node(k)), init_atom::value);
  int acks = 0;
  await(self_, sys_, "initialising parameters", [&] { return acks == layout_.stages; },
        [&](bool) { ++acks; });
}

namespace {

// Stages own consecutive slices of the model's arena: [offset, offset + count) for stage k.
std::vector<std::pair<std::int64_t, std::int64_t>> stage_slices(const job_layout& layout) {
  std::vector<std::pair<std::int64_t, std::int64_t>> slices;
  std::int64_t offset = 0;
  for (int k = 0; k < layout.stages; ++k) {
    std::int64_t count = 0;
    for (const auto& s : stage_param_specs(layout.model, split_stages(layout.model, k, layout.stages)))
      count += s.sizes.numel();
    slices.emplace_back(offset, count);
    offset += count;
  }
  return slices;
}

tensor copy_slice(const tensor& flat, std::pair<std::int64_t, std::int64_t> slice) {
  auto out = tensor::empty({slice.second});
  std::memcpy(out.raw(), flat.data<float>() + slice.first, out.nbytes());
  return out;
}

} // namespace

void pipeline::load_params(const param_arena& params) {
  auto slices = stage_slices(layout_);
  for (int k = 0; k < layout_.stages; ++k)
    self_->send(running_.at(optimizer_node(k)), init_atom::value,
                copy_slice(params.flat(), slices[k]));
  int acks = 0;
  await(self_, sys_, "loading parameters", [&] { return acks == layout_.stages; },
        [&](bool) { ++acks; });
}

void pipeline::restore_state(const training_state& state) {
  auto slices = stage_slices(layout_);
  for (int k = 0; k < layout_.stages; ++k)
    self_->send(running_.at(optimizer_node(k)), state_atom::value,
                copy_slice(state.params.flat(), slices[k]),
                copy_slice(state.first_moments.flat(), slices[k]),
                copy_slice(state.second_moments.flat(), slices[k]), state.steps);
  int acks = 0;
  await(self_, sys_, "restoring the optimizer state", [&] { return acks == layout_.stages; },
        [&](bool) { ++acks; });
}

std::pair<double, double> pipeline::train_step(const batch& in, std::uint64_t step, float lr) {
  self_->send(running_.at("coordinator"), step_atom::value, step, lr, in.ids, in.token_types,
              in.mask, in.labels, in.entities);
  std::pair<double, double> result;
  bool done = false;
  await(self_, sys_, "training step " + std::to_string(step), [&] { return done; },
        [&](double loss, double grad_norm) {
          result = {loss, grad_norm};
          done = true;
        });
  return result;
}

std::pair<tensor, tensor> pipeline::evaluate(const batch& in, int micro_rows) {
  self_->send(running_.at("coordinator"), eval_atom::value, in.ids, in.token_types, in.mask,
              in.labels, in.entities, std::int32_t{micro_rows});
  std::pair<tensor, tensor> result;
  bool done = false;
  await(self_, sys_, "evaluation", [&] { return done; }, [&](tensor& logits, tensor& losses) {
    result = {std::move(logits), std::move(losses)};
    done = true;
  });
  return result;
}

training_state pipeline::gather_state() {
  training_state state{param_arena{param_specs(layout_.model)}, {}, {}, 0};
  state.first_moments = state.params.like();
  state.second_moments = state.params.like();
  std::int64_t offset = 0;
  for (int k = 0; k < layout_.stages; ++k) {
    self_->send(running_.at(optimizer_node(k)), state_atom::value);
    bool done = false;
    await(self_, sys_, "reading optimizer state", [&] { return done; },
          [&](tensor& params, tensor& m, tensor& v, std::int64_t steps) {
            for (auto [from, to] : {std::pair{&params, &state.params},
                                    {&m, &state.first_moments}, {&v, &state.second_moments}})
              std::memcpy(to->flat().data<float>() + offset, from->raw(), from->nbytes());
            offset += params.numel();
            state.steps = steps;
            done = true;
          });
  }
  return state;
}

std::string pipeline::stats() {
  std::string out;
  for (const auto& [name, actor] : running_.actors) {
    self_->send(actor, stats_atom::value);
    self_->receive([&](std::string& json) { out += "\"" + name + "\": " + json + "\n"; },
                   [&](caf::error&) {});
  }
  return out;
}

} // namespace axon::bert
