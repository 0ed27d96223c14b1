// stage actor: see stage_actor.hpp.
#include "actors/bert/stage_actor.hpp"

#include "runtime/graph/error.hpp"
#include "actors/bert/messages.hpp"
#include "runtime/graph/ports.hpp"
#include "runtime/graph/probed_actor.hpp"
#include "actors/bert/setup_compute.hpp"
#include "graphs/bert/bert_stage.hpp"
#include "ops/dispatch.hpp"
#include "runtime/compute_pool.hpp"

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <deque>
#include <limits>
#include <map>
#include <memory>

namespace axon {

namespace {

struct stage_state {
  static inline const char* name = "axon.stage";
  stage_setup setup;
  std::unique_ptr<bert::bert_stage> model;
  ports edges;
  bool have_params = false;
  std::uint64_t params_version = 0;
  // With a sliced optimizer: the parts of the next version are copied in here until all
  // slices' parts have arrived.
  std::vector<spec_range> slices; // the optimizer slices' ranges of this stage's parameters
  param_arena assembled;
  std::uint64_t assembling_version = 0;
  int parts_received = 0;
  std::uint32_t generation = 0;
  std::uint64_t grads_step = std::numeric_limits<std::uint64_t>::max();
  std::uint32_t backwards_done = 0;
  struct flight {
    msg::micro_batch batch;
    int slot = 0; // its activations' slot in the model
  };
  std::map<std::uint32_t, flight> in_flight; // training micro-batches by index
  // Windows mode: chunks whose first-pass activations are kept for the second pass, by
  // index (their batch's step in flight.batch.id).
  std::map<std::uint32_t, flight> kept;
  std::deque<msg::forward_msg> waiting_for_params;
  std::deque<msg::classify_documents_msg> documents_waiting; // windows mode, for params
  // counters for tests and the console
  std::uint64_t forwards = 0, backwards = 0, stale_dropped = 0;
};

using stage_actor = probed_actor<stage_state>;

// What `inspect` shows of a stage, after each step's backward.
void publish_details(stage_actor* self) {
  auto* probe = self->probe();
  if (!probe)
    return;
  auto& st = self->state;
  probe->set_detail("stage", double(st.setup.stage));
  probe->set_detail("shard", double(st.setup.shard));
  probe->set_detail("params", double(st.model->params().numel()));
  probe->set_detail("params_version", double(st.params_version));
  if (probe->details_wanted()) { // a pass over the gradients: only while inspected
    const auto& on = st.model->compute();
    ops::compute_scope scope{on};
    probe->set_detail("grad_norm",
                      std::sqrt(ops::dispatch::grad_sum_of_squares(st.model->grads().flat(), on)));
  }
  probe->set_detail("micro_batches_in_flight", double(st.in_flight.size()));
  probe->set_detail("forwards", double(st.forwards));
  probe->set_detail("backwards", double(st.backwards));
  probe->set_detail("stale_dropped", double(st.stale_dropped));
}

bert::batch as_batch(const msg::micro_batch& m) {
  return {m.ids, m.types, m.mask, m.labels, m.entities, m.offsets};
}

bert::dropout_key dropout_key_of(const stage_state& st, const msg::micro_batch& m) {
  // Keyed by the examples (epoch, position in its order), never by step, shard or
  // micro-batch: every placement drops the same units of an example.
  return {st.setup.seed, m.epoch, m.position, m.training, m.document_position};
}

// A forward message from "prev" is done with (after its backward in training, its forward
// in evaluation): its credit goes back. Stale messages (from before a recovery, whose
// sender is gone) are dropped without credit.
void done_with_input(stage_actor* self) {
  self->state.edges.grant(self, "prev");
}

// The step's gradients to the optimizer: each optimizer slice gets a view of its own
// range (nothing is copied in-process, and only that range crosses the wire).
void send_grads(stage_actor* self, const msg::micro_batch_id& id) {
  auto& st = self->state;
  const int slices = int(st.slices.size());
  for (int j = 0; j < slices; ++j)
    st.edges.send(self, optimizer_port(j, slices),
                  msg::grads_msg{id.step, id.shard, id.generation,
                                 st.model->grads().flat().slice(
                                   st.slices[j].offset, st.slices[j].offset + st.slices[j].count)});
  publish_details(self);
}

// The activation slot for training micro-batch `micro`: the lowest that no other micro-batch
// in flight holds, so that a stage keeps activations for as many micro-batches as are in
// flight (the credit window bounds them), however many a step has (windows mode).
int free_slot(const stage_state& st, std::uint32_t micro) {
  for (int slot = 0;; ++slot) {
    bool used = false;
    for (const auto& [other, f] : st.in_flight)
      used |= other != micro && f.slot == slot;
    for (const auto& [other, f] : st.kept)
      used |= f.slot == slot;
    if (!used)
      return slot;
  }
}

// Windows mode's first pass, a chunk whose activations the second pass reuses: its forward
// into a slot of its own, kept. Chunks kept for an earlier step (never trained: a step that
// failed) are forgotten first.
bert::stage_output keep_forward(stage_state& st, const msg::forward_msg& m, const bert::batch& in,
                          const bert::dropout_key& key) {
  for (auto it = st.kept.begin(); it != st.kept.end();)
    if (it->second.batch.id.step != m.batch.id.step) {
      st.model->release(it->second.slot);
      it = st.kept.erase(it);
    } else {
      ++it;
    }
  const int slot = free_slot(st, m.batch.id.micro);
  auto out = st.model->forward(slot, in, m.hidden, key);
  st.kept[m.batch.id.micro] = {m.batch, slot};
  return out;
}

// After a micro-batch's backward: pass the gradient back (stage 0 has none to pass), return
// credit, and hand the step's gradients to the optimizer when every micro-batch is through.
void finish_backward(stage_actor* self, const msg::micro_batch_id& id, tensor d_in) {
  auto& st = self->state;
  st.model->release(st.in_flight.at(id.micro).slot);
  st.in_flight.erase(id.micro);
  ++st.backwards;
  if (st.setup.stage > 0)
    st.edges.send<caf::message_priority::high>(self, "prev", msg::backward_msg{id, std::move(d_in)});
  done_with_input(self);
  if (++st.backwards_done == id.micros)
    send_grads(self, id);
}

// The step's gradients start from zero at the first of its messages to arrive (a micro-batch,
// or in windows mode the documents to classify): later ones add to them.
void begin_step(stage_state& st, std::uint64_t step) {
  if (st.grads_step == step)
    return;
  st.model->zero_grads();
  st.grads_step = step;
  st.backwards_done = 0;
}

// A step in which this replica has no rows (micros = 0: fewer rows than shards): zero
// gradients to the optimizer, the message on to the next stage, its credit back.
void run_idle(stage_actor* self, const msg::forward_msg& m) {
  auto& st = self->state;
  const auto& id = m.batch.id;
  begin_step(st, id.step);
  if (!st.model->layout().has_head())
    st.edges.send(self, "next", msg::forward_msg{m.batch, tensor{}});
  done_with_input(self);
  send_grads(self, id);
}

void run_forward(stage_actor* self, msg::forward_msg& m) {
  auto& st = self->state;
  auto& pool = process_compute_pool();
  compute_pool::scope use_pool{&pool};
  compute_pool::busy_section busy{&pool};
  const auto& id = m.batch.id;
  if (m.batch.training && id.micros == 0) {
    run_idle(self, m);
    return;
  }
  const auto in = as_batch(m.batch);
  const auto key = dropout_key_of(st, m.batch);
  ++st.forwards;
  if (!m.batch.training || m.batch.encode_only) {
    // Evaluation, or windows mode's first pass: a throw-away slot, so outputs already sent
    // are never overwritten (or one kept for the second pass).
    constexpr int eval_slot = -1;
    const bool keep = m.batch.training && m.batch.keep_activations;
    auto out = keep ? keep_forward(st, m, in, key)
                    : st.model->forward(eval_slot, in, m.hidden, key);
    if (!keep)
      st.model->drop(eval_slot);
    if (!st.model->layout().has_head())
      st.edges.send(self, "next", msg::forward_msg{m.batch, out.hidden});
    else if (out.cls.defined())
      st.edges.send(self, "coordinator", msg::windows_cls_msg{id, out.cls});
    else
      st.edges.send(self, "coordinator", msg::eval_output_msg{id, out.logits, out.losses});
    done_with_input(self);
    return;
  }
  begin_step(st, id.step);
  if (m.batch.keep_activations) { // windows mode's second pass: the first pass's forward
    auto kept = st.kept.find(id.micro);
    if (kept == st.kept.end() || kept->second.batch.id.step != id.step)
      throw std::logic_error("stage: chunk " + std::to_string(id.micro) + " of step "
                             + std::to_string(id.step) + " has no kept activations");
    st.in_flight[id.micro] = kept->second;
    st.kept.erase(kept);
    if (!st.model->layout().has_head()) { // the next stage kept its own
      st.edges.send(self, "next", msg::forward_msg{m.batch, tensor{}});
      return;
    }
    const int slot = st.in_flight[id.micro].slot;
    auto d_in = st.model->backward(slot, in, m.batch.window_grads, 0.0f, key);
    finish_backward(self, id, std::move(d_in));
    return;
  }
  const int slot = free_slot(st, id.micro);
  st.in_flight[id.micro] = {m.batch, slot};
  auto out = st.model->forward(slot, in, m.hidden, key);
  if (!st.model->layout().has_head()) {
    st.edges.send(self, "next", msg::forward_msg{m.batch, out.hidden});
    return;
  }
  if (out.cls.defined()) { // windows mode: backward from their [CLS] rows' gradients
    auto d_in = st.model->backward(slot, in, m.batch.window_grads, 0.0f, key);
    finish_backward(self, id, std::move(d_in));
    return;
  }
  const auto terms = out.loss_terms; // rows, or MLM targets
  st.edges.send(self, "coordinator", msg::loss_msg{id, double(out.loss) * double(terms), terms});
  // The step's loss is the mean over all its terms: this micro-batch's mean weighs
  // terms/total.
  float dloss = float(terms) / float(std::max<std::int64_t>(m.batch.global_rows, 1));
  auto d_in = st.model->backward(slot, in, {}, dloss, key);
  finish_backward(self, id, std::move(d_in));
}

bool is_stale(const stage_state& st, const msg::micro_batch_id& id, bool training) {
  return id.generation < st.generation
         || (training && st.have_params && id.step < st.params_version);
}

// Windows mode: the document head on the [CLS] rows the coordinator gathered; in training
// its gradients join the step's (sent with the windows' once they are through).
void classify_documents(stage_actor* self, const msg::classify_documents_msg& m) {
  auto& st = self->state;
  auto& pool = process_compute_pool();
  compute_pool::scope use_pool{&pool};
  compute_pool::busy_section busy{&pool};
  const auto documents = m.offsets.numel() - 1;
  if (m.training)
    begin_step(st, m.step);
  const bert::dropout_key key{st.setup.seed, m.epoch, 0, m.training, m.document_position};
  const float dloss = float(documents) / float(std::max<std::int64_t>(m.global_documents, 1));
  auto out = st.model->classify_documents(m.cls, m.offsets, m.labels, dloss, key);
  st.edges.send(self, "documents",
                msg::documents_classified_msg{m.step, m.generation,
                                              double(out.loss) * double(documents), out.logits,
                                              out.losses, out.d_cls});
}

// Whether `m` can run now: its parameters are those of its step (in training).
bool params_ready(const stage_state& st, const msg::classify_documents_msg& m) {
  return st.have_params && (!m.training || st.params_version == m.step);
}

void drain_waiting(stage_actor* self) {
  auto& st = self->state;
  while (!st.documents_waiting.empty() && params_ready(st, st.documents_waiting.front())) {
    auto m = std::move(st.documents_waiting.front());
    st.documents_waiting.pop_front();
    classify_documents(self, m);
  }
  while (!st.waiting_for_params.empty()
         && st.waiting_for_params.front().batch.id.step == st.params_version) {
    auto m = std::move(st.waiting_for_params.front());
    st.waiting_for_params.pop_front();
    run_forward(self, m);
  }
}

caf::behavior stage_behavior(stage_actor* self, stage_setup setup) {
  exit_on_exception(self, "stage " + std::to_string(setup.stage) + " of shard "
                            + std::to_string(setup.shard));
  auto& st = self->state;
  st.setup = setup;
  st.model = std::make_unique<bert::bert_stage>(
    setup.model, bert::split_stages(setup.model, setup.stage, setup.stages),
    compute_of(setup.device, setup.precision, setup.attention));
  // Backward: stage 0 passes no gradient to its shard, only credit.
  if (setup.stage == 0)
    st.edges.declare_in<msg::forward_msg>("prev");
  else
    st.edges.declare_in<msg::forward_msg, msg::backward_msg>("prev");
  st.edges.declare_out<msg::forward_msg, msg::backward_msg>("next");
  st.slices = split_specs(st.model->params().specs(), setup.optimizer_slices);
  for (int j = 0; j < setup.optimizer_slices; ++j)
    st.edges.declare_out<msg::grads_msg, msg::params_msg>(optimizer_port(j, setup.optimizer_slices));
  st.edges.declare_out<types<msg::loss_msg, msg::eval_output_msg, msg::windows_cls_msg>>(
    "coordinator");
  if (setup.model.documents && setup.shard == 0 && st.model->layout().has_head())
    st.edges.declare_in<msg::classify_documents_msg, msg::documents_classified_msg>("documents");
  return {
    connect_handler(self),
    credit_handler(self),
    [=](msg::params_msg& m) {
      auto& st = self->state;
      const auto& specs = st.model->params().specs();
      const auto& on = st.model->compute();
      ops::compute_scope scope{on};
      // Parameters from an optimizer elsewhere (another device, the host, another process)
      // are copied to the stage's device; from one on the same device they are shared.
      if (st.slices.size() == 1) {
        st.model->bind(param_arena::over(specs, m.params.on(on.where())));
      } else { // a part: complete the version before using it
        if (!st.assembled.count())
          st.assembled = param_arena{specs, on.where()};
        if (m.version != st.assembling_version) { // a new version (or a restore) starts over
          st.assembling_version = m.version;
          st.parts_received = 0;
        }
        if (m.offset < 0 || m.offset + m.params.numel() > st.assembled.numel())
          throw std::invalid_argument("a parameter part beyond the stage's parameters");
        st.assembled.flat().slice(m.offset, m.offset + m.params.numel()).copy_(m.params);
        if (++st.parts_received < int(st.slices.size()))
          return;
        st.parts_received = 0;
        st.model->bind(param_arena::over(specs, st.assembled.flat()));
      }
      st.params_version = m.version;
      st.have_params = true;
      // Forwards that waited for older versions can never run: drop them.
      while (!st.waiting_for_params.empty()
             && st.waiting_for_params.front().batch.id.step < st.params_version) {
        st.waiting_for_params.pop_front();
        ++st.stale_dropped;
      }
      while (!st.documents_waiting.empty() && st.documents_waiting.front().training
             && st.documents_waiting.front().step < st.params_version) {
        st.documents_waiting.pop_front();
        ++st.stale_dropped;
      }
      drain_waiting(self);
    },
    [=](msg::forward_msg& m) {
      auto& st = self->state;
      if (is_stale(st, m.batch.id, m.batch.training)) {
        ++st.stale_dropped;
        return;
      }
      if (!st.have_params || (m.batch.training && st.params_version != m.batch.id.step)) {
        st.waiting_for_params.push_back(std::move(m));
        return;
      }
      run_forward(self, m);
    },
    [=](msg::classify_documents_msg& m) {
      auto& st = self->state;
      if (is_stale(st, {m.step, 0, 0, 1, m.generation}, m.training)) {
        ++st.stale_dropped;
        return;
      }
      if (!params_ready(st, m)) {
        st.documents_waiting.push_back(std::move(m));
        return;
      }
      classify_documents(self, m);
    },
    [=](msg::backward_msg& m) {
      auto& st = self->state;
      auto it = st.in_flight.find(m.id.micro);
      if (it == st.in_flight.end() || it->second.batch.id.step != m.id.step
          || m.id.generation < st.generation) {
        ++st.stale_dropped;
        return;
      }
      auto& pool = process_compute_pool();
      compute_pool::scope use_pool{&pool};
      compute_pool::busy_section busy{&pool};
      const auto in = as_batch(it->second.batch);
      auto d_in = st.model->backward(it->second.slot, in, m.d_hidden, 0.0f,
                                     dropout_key_of(st, it->second.batch));
      finish_backward(self, m.id, std::move(d_in));
    },
    [=](stats_atom) {
      auto& st = self->state;
      const auto& next = st.edges["next"];
      nlohmann::json j{{"kind", "stage"},
                       {"stage", st.setup.stage},
                       {"shard", st.setup.shard},
                       {"forwards", st.forwards},
                       {"backwards", st.backwards},
                       {"params_version", st.params_version},
                       {"next_in_flight", next.in_flight},
                       {"max_next_in_flight", next.max_in_flight},
                       {"next_credit_window", next.credit_window},
                       {"stale_dropped", st.stale_dropped}};
      return j.dump();
    },
  };
}

} // namespace

caf::actor spawn_stage(caf::actor_system& sys, const stage_setup& setup) {
  return sys.spawn(stage_behavior, setup);
}

} // namespace axon
