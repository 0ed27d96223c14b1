// coordinator actor: see coordinator_actor.hpp.
#include "actors/bert/coordinator_actor.hpp"

#include "runtime/graph/error.hpp"
#include "actors/bert/messages.hpp"
#include "runtime/graph/ports.hpp"
#include "runtime/graph/probed_actor.hpp"
#include "graphs/bert/batch_rows.hpp"

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <map>

namespace axon {

namespace {

struct coordinator_state {
  static inline const char* name = "axon.coordinator";
  coordinator_setup setup;
  ports edges;
  std::uint32_t generation = 0;
  // The step in progress.
  bool stepping = false;
  caf::response_promise step_done;
  std::uint64_t step = 0;
  float lr = 0;
  double loss_sum = 0;
  std::vector<double> sum_sq; // per optimizer (stage x slice), summed in that order
  std::int64_t rows = 0;
  int losses_left = 0, norms_left = 0, updates_left = 0;
  double grad_norm = 0;
  // The evaluation in progress.
  bool evaluating = false;
  caf::response_promise eval_done;
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::int64_t> eval_first_row; // (shard, micro)
  tensor eval_logits, eval_losses; // (rows,K), (rows)
  std::int64_t eval_rows = 0;
  int eval_left = 0;
  std::uint64_t steps_done = 0, evals_done = 0;
};

using coordinator_actor = probed_actor<coordinator_state>;

std::string shard_port(std::int32_t s) {
  return "shard" + std::to_string(s);
}

// Splits rows [0, n) into `parts` contiguous ranges whose sizes differ by at most one.
std::int64_t part_bound(std::int64_t n, std::int64_t parts, std::int64_t k) {
  return k * n / parts;
}

// The tensors of the job's batch, as the layers read them (bert::take_rows cuts them).
bert::batch tensors_of(const data::batch& in) {
  return {in.ids, in.token_types, in.attention_mask, in.labels, in.entities, in.offsets};
}

// Items [first, last) of the job's batch `in` (rows, or whole documents with their
// windows) as micro-batch `id`. Its rows are the examples in.position + first, ... of epoch
// in.epoch's order, which key their dropout draws; documents key their head's rows so,
// and their windows by in.window_position + their first window's row in the batch.
msg::micro_batch micro_batch_of(const bert::batch& whole, std::int64_t first, std::int64_t last,
                                const msg::micro_batch_id& id, std::int64_t global_rows,
                                bool training, const data::batch& in) {
  const bool documents = whole.offsets.defined();
  const auto part = documents ? bert::take_documents(whole, first, last, true)
                              : bert::take_rows(whole, first, last, true);
  msg::micro_batch m{id,          part.ids,    part.token_types, part.mask,
                     part.labels, part.entities, global_rows,    training,
                     in.epoch,    in.position + std::uint64_t(first)};
  if (documents) {
    m.offsets = part.offsets;
    m.document_position = m.position;
    m.position = in.window_position + std::uint64_t(whole.offsets.data<std::int32_t>()[first]);
  }
  return m;
}

// The end of the evaluation micro-batch starting at item `first` of `whole`: micro_rows
// rows, or as many whole documents as hold at most micro_rows windows (at least one).
std::int64_t eval_chunk_end(const bert::batch& whole, std::int64_t first, std::int64_t micro_rows) {
  const auto items = bert::batch_items(whole);
  if (!whole.offsets.defined())
    return std::min(items, first + micro_rows);
  const auto* offsets = whole.offsets.data<std::int32_t>();
  auto last = first + 1;
  while (last < items && offsets[last + 1] - offsets[first] <= micro_rows)
    ++last;
  return last;
}

// The ports to and from replica s: its shard actor's work, its head stage's outputs.
void declare_shard_ports(coordinator_state& st, std::int32_t s) {
  st.edges.declare_out<msg::shard_work_msg>(shard_port(s));
  st.edges.declare_in<types<msg::loss_msg, msg::eval_output_msg>>("head" + std::to_string(s));
}

void maybe_finish_step(coordinator_actor* self) {
  auto& st = self->state;
  if (!st.stepping || st.losses_left > 0 || st.updates_left > 0)
    return;
  st.stepping = false;
  ++st.steps_done;
  if (auto* probe = self->probe()) {
    probe->set_detail("steps", double(st.steps_done));
    probe->set_detail("loss", st.loss_sum / double(st.rows));
    probe->set_detail("grad_norm", st.grad_norm);
    probe->set_detail("evaluations", double(st.evals_done));
  }
  st.step_done.deliver(st.loss_sum / double(std::max<std::int64_t>(st.rows, 1)), st.grad_norm);
}

caf::behavior coordinator_behavior(coordinator_actor* self, coordinator_setup setup) {
  exit_on_exception(self, "coordinator");
  auto& st = self->state;
  st.setup = setup;
  for (std::int32_t s = 0; s < setup.shards; ++s)
    declare_shard_ports(st, s);
  for (std::int32_t k = 0; k < setup.stages; ++k)
    for (std::int32_t j = 0; j < setup.optimizer_slices; ++j)
      st.edges.declare_out<msg::apply_update_msg, types<msg::norm_part_msg, msg::updated_msg>>(
        optimizer_name(k, j, setup.optimizer_slices));
  return {
    connect_handler(self),
    credit_handler(self),
    [=](step_atom, std::uint64_t step, float lr,
        const data::batch& in) -> caf::result<double, double> {
      auto& st = self->state;
      const auto& cfg = st.setup;
      if (st.stepping || st.evaluating)
        return make_error(errc::bad_input, "coordinator: a request is running");
      const auto whole = tensors_of(in);
      const auto b = bert::batch_items(whole); // rows, or documents: never split
      if (b < 1)
        return make_error(errc::bad_input, "coordinator: a training batch without rows");
      st.stepping = true;
      st.step = step;
      st.lr = lr;
      st.loss_sum = 0;
      st.sum_sq.assign(std::size_t(cfg.stages * cfg.optimizer_slices), 0.0);
      st.rows = 0;
      st.losses_left = 0;
      st.norms_left = cfg.stages * cfg.optimizer_slices;
      st.updates_left = cfg.stages * cfg.optimizer_slices;
      if (auto* probe = self->probe(); probe && whole.offsets.defined()) {
        // `inspect coordinator`: what the step in progress holds, with long documents
        probe->set_detail("step_documents", double(b));
        probe->set_detail("step_windows", double(whole.ids.size(0)));
      }
      const auto terms = bert::loss_terms(whole); // rows, documents or MLM targets
      for (std::int32_t s = 0; s < cfg.shards; ++s) {
        auto first = part_bound(b, cfg.shards, s), last = part_bound(b, cfg.shards, s + 1);
        auto micros = std::min<std::int64_t>(cfg.micro_batches, last - first);
        msg::shard_work_msg work;
        if (micros == 0) {
          // Fewer rows than shards (an epoch's short last batch): this replica has none and
          // contributes zero gradients, so the optimizers still hear from every replica.
          msg::micro_batch idle;
          idle.id = {step, std::uint32_t(s), 0, 0, st.generation};
          idle.global_rows = terms;
          work.micros.push_back(std::move(idle));
        }
        for (std::int64_t k = 0; k < micros; ++k) {
          work.micros.push_back(
            micro_batch_of(whole, first + part_bound(last - first, micros, k),
                           first + part_bound(last - first, micros, k + 1),
                           {step, std::uint32_t(s), std::uint32_t(k), std::uint32_t(micros),
                            st.generation},
                           terms, true, in));
        }
        st.losses_left += int(micros);
        st.edges.send(self, shard_port(s), std::move(work));
      }
      st.step_done = self->make_response_promise();
      return st.step_done;
    },
    [=](eval_atom, const data::batch& in,
        std::int32_t micro_rows) -> caf::result<tensor, tensor> {
      auto& st = self->state;
      if (st.stepping || st.evaluating)
        return make_error(errc::bad_input, "coordinator: a request is running");
      if (micro_rows < 1)
        return make_error(errc::bad_input, "evaluation micro_rows must be >= 1");
      const auto whole = tensors_of(in);
      const auto b = bert::batch_items(whole); // rows, or documents
      st.evaluating = true;
      st.eval_rows = b;
      st.eval_first_row.clear();
      st.eval_logits = tensor{};
      st.eval_losses = in.labels.defined() ? tensor::zeros({b}) : tensor{};
      st.eval_left = 0;
      // Chunks of micro_rows rows (whole documents of at most micro_rows windows), dealt to
      // the shards in turn.
      std::vector<msg::shard_work_msg> work(st.setup.shards);
      for (std::int64_t first = 0, chunk = 0, last = 0; first < b; first = last, ++chunk) {
        last = eval_chunk_end(whole, first, micro_rows);
        auto s = std::uint32_t(chunk % st.setup.shards);
        auto micro = std::uint32_t(work[s].micros.size());
        work[s].micros.push_back(micro_batch_of(whole, first, last,
                                                {st.step, s, micro, 0, st.generation}, b, false,
                                                in));
        st.eval_first_row[{s, micro}] = first;
        ++st.eval_left;
      }
      for (std::int32_t s = 0; s < st.setup.shards; ++s)
        if (!work[s].micros.empty())
          st.edges.send(self, shard_port(s), std::move(work[s]));
      st.eval_done = self->make_response_promise();
      return st.eval_done;
    },
    [=](const msg::loss_msg& m) {
      auto& st = self->state;
      if (!st.stepping || m.id.step != st.step || m.id.generation != st.generation)
        return; // stale
      st.loss_sum += m.loss_sum;
      st.rows += m.rows;
      --st.losses_left;
      maybe_finish_step(self);
    },
    [=](const msg::norm_part_msg& m) {
      auto& st = self->state;
      if (!st.stepping || m.step != st.step)
        return;
      const auto slices = st.setup.optimizer_slices;
      st.sum_sq.at(m.stage * std::uint32_t(slices) + m.slice) = m.sum_sq;
      if (--st.norms_left > 0)
        return;
      double total = 0; // in (stage, slice) order, never arrival order
      for (double part : st.sum_sq)
        total += part;
      st.grad_norm = std::sqrt(total);
      float factor = 1.0f;
      if (st.setup.max_grad_norm > 0 && st.grad_norm > st.setup.max_grad_norm)
        factor = st.setup.max_grad_norm / float(st.grad_norm + 1e-6);
      for (std::int32_t k = 0; k < st.setup.stages; ++k)
        for (std::int32_t j = 0; j < slices; ++j)
          st.edges.send(self, optimizer_name(k, j, slices),
                        msg::apply_update_msg{st.step, st.lr, factor});
    },
    [=](const msg::updated_msg& m) {
      auto& st = self->state;
      if (!st.stepping || m.step != st.step)
        return;
      --st.updates_left;
      maybe_finish_step(self);
    },
    [=](const msg::eval_output_msg& m) {
      auto& st = self->state;
      auto it = st.eval_first_row.find({m.id.shard, m.id.micro});
      if (!st.evaluating || it == st.eval_first_row.end() || m.id.generation != st.generation)
        return;
      const auto first = it->second, k = m.logits.size(1);
      if (!st.eval_logits.defined())
        st.eval_logits = tensor::zeros({st.eval_rows, k});
      std::memcpy(st.eval_logits.data<float>() + first * k, m.logits.raw(), m.logits.nbytes());
      if (st.eval_losses.defined() && m.losses.defined())
        std::memcpy(st.eval_losses.data<float>() + first, m.losses.raw(), m.losses.nbytes());
      if (--st.eval_left > 0)
        return;
      st.evaluating = false;
      ++st.evals_done;
      st.eval_done.deliver(st.eval_logits, st.eval_losses);
    },
    [=](const msg::scale_msg& m) -> caf::result<bool> {
      auto& st = self->state;
      if (st.stepping || st.evaluating)
        return make_error(errc::bad_input, "coordinator: cannot scale while a request is running");
      if (m.shards < 1)
        return make_error(errc::bad_input, "coordinator: a job needs at least one shard");
      for (auto s = m.shards; s < st.setup.shards; ++s) { // replicas that leave
        st.edges.remove(shard_port(s));
        st.edges.remove("head" + std::to_string(s));
      }
      for (auto s = st.setup.shards; s < m.shards; ++s) // replicas that join: wired next
        declare_shard_ports(st, s);
      st.setup.shards = m.shards; // the next batches split over these
      return true;
    },
    [=](stats_atom) {
      auto& st = self->state;
      nlohmann::json j{{"kind", "coordinator"},
                       {"steps", st.steps_done},
                       {"evaluations", st.evals_done},
                       {"stepping", st.stepping},
                       {"evaluating", st.evaluating}};
      return j.dump();
    },
  };
}

} // namespace

caf::actor spawn_coordinator(caf::actor_system& sys, const coordinator_setup& setup) {
  return sys.spawn(coordinator_behavior, setup);
}

} // namespace axon
