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
  // Windows mode (documents models, docs/long-texts.md): the request's windows in chunks of
  // at most setup.micro_windows, dealt to the shards in contiguous runs; their [CLS] rows
  // are gathered here and classified at shard 0's head stage.
  struct windows_pass {
    bool active = false;
    data::batch in;         // the request's batch
    std::int64_t chunks = 0, cls_left = 0;
    tensor cls;             // (N,C) the windows' [CLS] rows
  } windows;
  std::uint64_t windows_steps = 0, windows_evals = 0;
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

// Windows mode: the windows of the job's batch `in` without their documents (the document
// head runs at shard 0's head stage on the gathered [CLS] rows).
bert::batch windows_of(const data::batch& in) {
  return {in.ids, in.token_types, in.attention_mask, {}, in.entities, {}};
}

// Windows mode: the chunk that is micro-batch `micro` of shard `shard`. Chunk c of `chunks`
// is rows [part_bound(n, chunks, c), part_bound(n, chunks, c + 1)) of the n windows, and
// the shards get contiguous runs of chunks.
std::int64_t chunk_of(std::int64_t chunks, std::int32_t shards, std::uint32_t shard,
                      std::uint32_t micro) {
  return part_bound(chunks, shards, shard) + micro;
}

// Whether micro-batches of whole documents of `whole` (documents [first, last) each, as
// `ranges` lists them) would carry more than micro_windows windows: then the request runs in
// windows mode.
bool over_budget(const bert::batch& whole,
                 const std::vector<std::pair<std::int64_t, std::int64_t>>& ranges,
                 std::int32_t micro_windows) {
  if (!whole.offsets.defined() || micro_windows < 1)
    return false;
  const auto* offsets = whole.offsets.data<std::int32_t>();
  for (auto [first, last] : ranges)
    if (offsets[last] - offsets[first] > micro_windows)
      return true;
  return false;
}

// Windows mode, either pass: chunk c's windows of the request in progress as micro-batch
// `id`; the first pass only encodes (the [CLS] rows come back), the second trains from
// d_cls's rows.
msg::micro_batch window_chunk(const coordinator_state& st, std::int64_t c,
                              const msg::micro_batch_id& id, bool training, const tensor& d_cls) {
  const auto& in = st.windows.in;
  const auto n = in.ids.size(0);
  const auto first = part_bound(n, st.windows.chunks, c),
             last = part_bound(n, st.windows.chunks, c + 1);
  const auto part = bert::take_rows(windows_of(in), first, last, true);
  msg::micro_batch m{id,     part.ids, part.token_types, part.mask, {}, part.entities,
                     0,      training, in.epoch,         in.window_position + std::uint64_t(first)};
  m.encode_only = !d_cls.defined();
  if (d_cls.defined())
    m.window_grads = d_cls.slice(first, last);
  return m;
}

// Windows mode, either pass: the chunks to every shard (with d_cls: the second pass of a
// step; a shard without chunks then gets an idle message, as in a step with fewer rows
// than shards). In training, each shard's last setup.kept_chunks chunks keep their
// activations in the first pass, and go first in the second, which reuses them.
void send_window_chunks(coordinator_actor* self, bool training, const tensor& d_cls) {
  auto& st = self->state;
  for (std::int32_t s = 0; s < st.setup.shards; ++s) {
    const auto first = part_bound(st.windows.chunks, st.setup.shards, s),
               last = part_bound(st.windows.chunks, st.setup.shards, s + 1);
    const auto kept = training ? std::max(first, last - st.setup.kept_chunks) : last;
    std::vector<std::int64_t> order; // the second pass: the kept chunks first
    for (auto c = d_cls.defined() ? kept : last; c < last; ++c)
      order.push_back(c);
    for (auto c = first; c < last; ++c)
      if (!d_cls.defined() || c < kept)
        order.push_back(c);
    msg::shard_work_msg work;
    const auto micros = std::uint32_t(last - first);
    for (auto c : order) {
      work.micros.push_back(window_chunk(st, c,
                                         {st.step, std::uint32_t(s), std::uint32_t(c - first),
                                          micros, st.generation},
                                         training, d_cls));
      work.micros.back().keep_activations = c >= kept;
    }
    if (work.micros.empty() && d_cls.defined()) {
      msg::micro_batch idle;
      idle.id = {st.step, std::uint32_t(s), 0, 0, st.generation};
      work.micros.push_back(std::move(idle));
    }
    if (!work.micros.empty())
      st.edges.send(self, shard_port(s), std::move(work));
  }
}

// Windows mode: starts the first pass of a request over the job's batch `in`.
void start_windows(coordinator_actor* self, const data::batch& in, bool training) {
  auto& st = self->state;
  const auto n = in.ids.size(0);
  st.windows.active = true;
  st.windows.in = in;
  st.windows.chunks = (n + st.setup.micro_windows - 1) / st.setup.micro_windows;
  st.windows.cls_left = st.windows.chunks;
  st.windows.cls = tensor{};
  if (auto* probe = self->probe()) { // `inspect coordinator`: windows mode's progress
    probe->set_detail("window_chunks", double(st.windows.chunks));
    probe->set_detail("window_chunks_to_encode", double(st.windows.cls_left));
  }
  send_window_chunks(self, training, tensor{});
}

// The ports to and from replica s: its shard actor's work, its head stage's outputs.
void declare_shard_ports(coordinator_state& st, std::int32_t s) {
  st.edges.declare_out<msg::shard_work_msg>(shard_port(s));
  st.edges.declare_in<types<msg::loss_msg, msg::eval_output_msg, msg::windows_cls_msg>>(
    "head" + std::to_string(s));
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
    probe->set_detail("windows_mode_steps", double(st.windows_steps));
  }
  st.step_done.deliver(st.loss_sum / double(std::max<std::int64_t>(st.rows, 1)), st.grad_norm);
}

caf::behavior coordinator_behavior(coordinator_actor* self, coordinator_setup setup) {
  exit_on_exception(self, "coordinator");
  auto& st = self->state;
  st.setup = setup;
  for (std::int32_t s = 0; s < setup.shards; ++s)
    declare_shard_ports(st, s);
  if (setup.micro_windows > 0)
    st.edges.declare_out<msg::classify_documents_msg, msg::documents_classified_msg>("documents");
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
      // Shard s's items [first, last) in at most micro_batches micro-batches: their ranges.
      std::vector<std::vector<std::pair<std::int64_t, std::int64_t>>> micros(cfg.shards);
      std::vector<std::pair<std::int64_t, std::int64_t>> all;
      for (std::int32_t s = 0; s < cfg.shards; ++s) {
        auto first = part_bound(b, cfg.shards, s), last = part_bound(b, cfg.shards, s + 1);
        auto count = std::min<std::int64_t>(cfg.micro_batches, last - first);
        for (std::int64_t k = 0; k < count; ++k)
          micros[s].emplace_back(first + part_bound(last - first, count, k),
                                 first + part_bound(last - first, count, k + 1));
        all.insert(all.end(), micros[s].begin(), micros[s].end());
      }
      st.step_done = self->make_response_promise();
      if (over_budget(whole, all, cfg.micro_windows)) {
        // Windows mode: encode, classify at shard 0's head stage, encode and backward.
        st.losses_left = 1; // the documents' loss, once classified
        ++st.windows_steps;
        start_windows(self, in, true);
        return st.step_done;
      }
      for (std::int32_t s = 0; s < cfg.shards; ++s) {
        msg::shard_work_msg work;
        if (micros[s].empty()) {
          // Fewer rows than shards (an epoch's short last batch): this replica has none and
          // contributes zero gradients, so the optimizers still hear from every replica.
          msg::micro_batch idle;
          idle.id = {step, std::uint32_t(s), 0, 0, st.generation};
          idle.global_rows = terms;
          work.micros.push_back(std::move(idle));
        }
        const auto count = std::uint32_t(micros[s].size());
        for (std::uint32_t k = 0; k < count; ++k)
          work.micros.push_back(micro_batch_of(whole, micros[s][k].first, micros[s][k].second,
                                               {step, std::uint32_t(s), k, count, st.generation},
                                               terms, true, in));
        st.losses_left += int(count);
        st.edges.send(self, shard_port(s), std::move(work));
      }
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
      std::vector<std::pair<std::int64_t, std::int64_t>> chunks;
      for (std::int64_t first = 0; first < b; first = chunks.back().second)
        chunks.emplace_back(first, eval_chunk_end(whole, first, micro_rows));
      if (over_budget(whole, chunks, st.setup.micro_windows)) {
        ++st.windows_evals;
        start_windows(self, in, false); // then classified at shard 0's head stage
        st.eval_done = self->make_response_promise();
        return st.eval_done;
      }
      std::vector<msg::shard_work_msg> work(st.setup.shards);
      for (std::size_t chunk = 0; chunk < chunks.size(); ++chunk) {
        const auto [first, last] = chunks[chunk];
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
    [=](const msg::windows_cls_msg& m) {
      auto& st = self->state;
      auto& w = st.windows;
      if (!w.active || m.id.step != st.step || m.id.generation != st.generation)
        return; // stale
      const auto c = chunk_of(w.chunks, st.setup.shards, m.id.shard, m.id.micro);
      const auto n = w.in.ids.size(0);
      const auto first = part_bound(n, w.chunks, c);
      if (!w.cls.defined())
        w.cls = tensor::zeros({n, m.cls.size(1)});
      w.cls.slice(first, first + m.cls.size(0)).copy_(m.cls);
      --w.cls_left;
      if (auto* probe = self->probe())
        probe->set_detail("window_chunks_to_encode", double(w.cls_left));
      if (w.cls_left > 0)
        return;
      const bool training = st.stepping;
      st.edges.send(self, "documents",
                    msg::classify_documents_msg{st.step, st.generation, training, w.in.epoch,
                                                w.in.position, w.in.offsets.size(0) - 1, w.cls,
                                                w.in.offsets, w.in.labels});
    },
    [=](const msg::documents_classified_msg& m) {
      auto& st = self->state;
      auto& w = st.windows;
      if (!w.active || m.step != st.step || m.generation != st.generation)
        return; // stale
      const auto documents = w.in.offsets.size(0) - 1;
      if (st.evaluating) {
        w = {};
        st.evaluating = false;
        ++st.evals_done;
        st.eval_done.deliver(m.logits, m.losses);
        return;
      }
      st.loss_sum += m.loss_sum;
      st.rows += documents;
      send_window_chunks(self, true, m.d_cls); // the second pass: forward and backward
      w = {};
      --st.losses_left;
      maybe_finish_step(self);
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
                       {"windows_mode_steps", st.windows_steps},
                       {"windows_mode_evaluations", st.windows_evals},
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
