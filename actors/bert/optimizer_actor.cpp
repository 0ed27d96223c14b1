// optimizer actor: see optimizer_actor.hpp.
#include "actors/bert/optimizer_actor.hpp"

#include "runtime/graph/error.hpp"
#include "actors/bert/messages.hpp"
#include "runtime/graph/ports.hpp"
#include "runtime/graph/probed_actor.hpp"
#include "actors/bert/setup_compute.hpp"
#include "graphs/adamw_optimizer.hpp"
#include "graphs/bert/bert_stage.hpp"
#include "ops/dispatch.hpp"
#include "runtime/compute_pool.hpp"

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <map>
#include <memory>

namespace axon {

namespace {

struct optimizer_state {
  static inline const char* name = "axon.optimizer";
  optimizer_setup setup;
  std::vector<param_spec> specs;
  spec_range range; // this slice's tensors and elements within the stage's parameters
  ops::compute on; // the device its parameters, moments and update live on
  param_arena params;
  std::unique_ptr<adamw_optimizer> adamw;
  tensor reduced;                          // summed gradients of the step (flat)
  std::map<std::uint32_t, tensor> pending; // gradients received, by shard
  std::uint64_t step = 0;                  // the step whose gradients are being reduced
  ports edges;
  double last_sum_sq = 0;
  float last_lr = 0;
  tensor before_update; // parameters before the last update (monitoring: its norm)
};

using optimizer_actor = probed_actor<optimizer_state>;

// What `inspect` shows, with the norm of the update just applied (params now - before)
// when the parameters were copied before it.
void publish_details(optimizer_actor* self, bool with_update_norm) {
  auto* probe = self->probe();
  if (!probe)
    return;
  auto& st = self->state;
  if (with_update_norm) {
    // Copies of device tensors are ordered after the queued update (the caller's scope).
    const auto now_t = st.params.flat().on(device::cpu());
    const auto before_t = st.before_update.on(device::cpu());
    const float* now = now_t.data<float>();
    const float* before = before_t.data<float>();
    double sum_sq = 0;
    for (std::int64_t i = 0, n = st.params.numel(); i < n; ++i)
      sum_sq += double(now[i] - before[i]) * double(now[i] - before[i]);
    probe->set_detail("update_norm", std::sqrt(sum_sq));
  }
  probe->set_detail("stage", double(st.setup.stage));
  probe->set_detail("step", double(st.adamw->steps_taken()));
  probe->set_detail("lr", double(st.last_lr));
  probe->set_detail("grad_norm", std::sqrt(st.last_sum_sq));
  probe->set_detail("params", double(st.params.numel()));
}

// Sends the parameters to replicas first, ..., shards - 1 (all by default); on a device
// once the queued update has run, since the replicas' streams read them.
void publish(optimizer_actor* self, std::int32_t first = 0) {
  auto& st = self->state;
  st.on.synchronize();
  for (std::int32_t s = first; s < st.setup.shards; ++s)
    st.edges.send(self, "replica" + std::to_string(s),
                  msg::params_msg{static_cast<std::uint64_t>(st.adamw->steps_taken()),
                                  st.range.offset, st.params.flat()});
}

// Copies a parameter vector (any device) into the optimizer's parameters and sends them.
void load_and_publish(optimizer_actor* self, const tensor& flat) {
  auto& st = self->state;
  st.params.flat().copy_(flat.reshape(st.params.flat().sizes()));
  publish(self);
}

// The port of replica s's stage actor: its gradients in, the parameters out.
void declare_replica_port(optimizer_state& st, std::int32_t s) {
  st.edges.declare_in<msg::grads_msg, msg::params_msg>("replica" + std::to_string(s));
}

caf::behavior optimizer_behavior(optimizer_actor* self, optimizer_setup setup) {
  exit_on_exception(self, optimizer_name(setup.stage, setup.slice, setup.slices));
  auto& st = self->state;
  st.setup = setup;
  auto stage_specs = bert::stage_param_specs(
    setup.model, bert::split_stages(setup.model, setup.stage, setup.stages));
  st.range = split_specs(stage_specs, setup.slices).at(setup.slice);
  st.specs.assign(stage_specs.begin() + std::ptrdiff_t(st.range.first),
                  stage_specs.begin() + std::ptrdiff_t(st.range.last));
  st.on = compute_of(setup.device);
  st.params = param_arena{st.specs, st.on.where()};
  optimizer_settings settings;
  settings.adamw = setup.adamw;
  settings.decay_all = setup.decay_all;
  st.adamw = std::make_unique<adamw_optimizer>(st.params, settings, st.on);
  for (std::int32_t s = 0; s < setup.shards; ++s)
    declare_replica_port(st, s);
  st.edges.declare_in<msg::apply_update_msg, types<msg::norm_part_msg, msg::updated_msg>>(
    "coordinator");
  return {
    connect_handler(self),
    credit_handler(self),
    [=](init_atom) {
      auto& st = self->state;
      ops::compute_scope scope{st.on};
      param_arena initial{st.specs}; // drawn on the host: the same weights on every device
      bert::init_params(initial, st.setup.init_seed);
      load_and_publish(self, initial.flat());
      return true;
    },
    [=](init_atom, const tensor& flat) -> caf::result<bool> {
      auto& st = self->state;
      if (flat.numel() != st.params.numel())
        return make_error(errc::bad_input,
                               optimizer_name(st.setup.stage, st.setup.slice, st.setup.slices) + ": got "
                                 + std::to_string(flat.numel()) + " parameters, expected "
                                 + std::to_string(st.params.numel()));
      ops::compute_scope scope{st.on};
      load_and_publish(self, flat);
      return true;
    },
    [=](msg::grads_msg& m) {
      auto& st = self->state;
      ops::compute_scope scope{st.on};
      // From a replica elsewhere (another device, the host, another process): copied here.
      st.pending[m.shard] = m.grads.on(st.on.where());
      st.step = m.step;
      if (st.pending.size() < static_cast<std::size_t>(st.setup.shards))
        return;
      auto& pool = process_compute_pool();
      compute_pool::scope use_pool{&pool};
      compute_pool::busy_section busy{&pool};
      if (st.setup.shards == 1) {
        st.reduced = st.pending.begin()->second; // nothing to add: use it as is
      } else {                                   // shard 0 + shard 1 + ... in that order
        if (!st.reduced.defined() || st.reduced.shares_storage_with(st.pending.begin()->second))
          st.reduced = tensor::empty(st.params.flat().sizes(), dtype::f32, st.on.where());
        ops::dispatch::copy_into(st.reduced, st.pending.begin()->second, st.on);
        for (auto it = std::next(st.pending.begin()); it != st.pending.end(); ++it)
          ops::dispatch::add_into(st.reduced, it->second, st.on);
      }
      st.pending.clear();
      st.last_sum_sq = ops::dispatch::grad_sum_of_squares(st.reduced, st.on); // waits
      st.edges.send(self, "coordinator",
                    msg::norm_part_msg{st.step, static_cast<std::uint32_t>(st.setup.stage),
                                       static_cast<std::uint32_t>(st.setup.slice), st.last_sum_sq});
    },
    [=](const msg::apply_update_msg& m) {
      auto& st = self->state;
      auto& pool = process_compute_pool();
      compute_pool::scope use_pool{&pool};
      compute_pool::busy_section busy{&pool};
      ops::compute_scope scope{st.on};
      if (m.clip_factor != 1.0f)
        ops::dispatch::scale_grad(st.reduced, m.clip_factor, st.on);
      st.adamw->set_lr(m.lr);
      st.last_lr = m.lr;
      // The update norm costs a copy of the parameters: only while someone inspects.
      const bool update_norm = self->probe() && self->probe()->details_wanted();
      if (update_norm) {
        if (!st.before_update.defined())
          st.before_update = tensor::empty(st.params.flat().sizes(), dtype::f32, st.on.where());
        ops::dispatch::copy_into(st.before_update, st.params.flat(), st.on);
      }
      st.adamw->update(st.params, param_arena::over(st.specs, st.reduced));
      publish_details(self, update_norm);
      publish(self);
      st.edges.send(self, "coordinator",
                    msg::updated_msg{m.step, static_cast<std::uint32_t>(st.setup.stage),
                                     static_cast<std::uint32_t>(st.setup.slice)});
    },
    [=](const msg::scale_msg& m) -> caf::result<bool> {
      auto& st = self->state;
      const auto name = optimizer_name(st.setup.stage, st.setup.slice, st.setup.slices);
      if (!st.pending.empty())
        return make_error(errc::bad_input, name + ": cannot scale in the middle of a step");
      if (m.shards < 1)
        return make_error(errc::bad_input, name + ": a job needs at least one shard");
      for (auto s = m.shards; s < st.setup.shards; ++s) // replicas that leave
        st.edges.remove("replica" + std::to_string(s));
      for (auto s = st.setup.shards; s < m.shards; ++s) // replicas that join: wired next
        declare_replica_port(st, s);
      st.setup.shards = m.shards; // gradients of the next steps: summed over these
      return true;
    },
    [=](publish_atom, std::int32_t first_replica) { // to the replicas that joined
      auto& st = self->state;
      ops::compute_scope scope{st.on};
      publish(self, first_replica);
      return true;
    },
    [=](state_atom) { // host tensors (shared, or copies of device ones) for checkpoints
      auto& st = self->state;
      ops::compute_scope scope{st.on};
      return caf::make_message(st.params.flat().on(device::cpu()),
                               st.adamw->first_moments().flat().on(device::cpu()),
                               st.adamw->second_moments().flat().on(device::cpu()),
                               static_cast<std::int64_t>(st.adamw->steps_taken()));
    },
    [=](state_atom, const tensor& params, const tensor& m, const tensor& v,
        std::int64_t steps) -> caf::result<bool> {
      auto& st = self->state;
      if (params.numel() != st.params.numel())
        return make_error(errc::bad_input,
                               optimizer_name(st.setup.stage, st.setup.slice, st.setup.slices)
                                 + ": the saved state does not match its parameters");
      ops::compute_scope scope{st.on};
      st.adamw->restore(m, v, steps);
      load_and_publish(self, params);
      return true;
    },
    [=](stats_atom) {
      auto& st = self->state;
      nlohmann::json j{{"kind", "optimizer"},
                       {"stage", st.setup.stage},
                       {"slice", st.setup.slice},
                       {"steps", st.adamw->steps_taken()},
                       {"lr", st.last_lr},
                       {"grad_sum_sq", st.last_sum_sq},
                       {"params", st.params.numel()}};
      return j.dump();
    },
  };
}

} // namespace

caf::actor spawn_optimizer(caf::actor_system& sys, const optimizer_setup& setup) {
  return sys.spawn(optimizer_behavior, setup);
}

} // namespace axon
