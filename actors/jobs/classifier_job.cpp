// classifier_job: its part of checkpoints (epochs completed, the batcher's cursor, early
// stopping), of `inspect supervisor`, and KG linking of each batch. See classifier_job.hpp.
#include "actors/jobs/classifier_job.hpp"

#include "runtime/graph/error.hpp"
#include "runtime/kg/entity_linker.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace axon {

classifier_job::classifier_job(caf::blocking_actor* self, const supervisor_plan& plan)
  : self_(self), plan_(plan) {
}

void classifier_job::save_to(checkpoint::manifest& info, const data::stream_cursor& cursor) const {
  info.epoch = epoch_;
  info.cursor = {cursor.epoch, cursor.position, {plan_.layout.seed}};
  info.rng_states = {{"seed", plan_.layout.seed}};
  if (stopping_state_.has_best)
    info.best_metric = stopping_state_.best_value;
  info.metrics_history = nlohmann::json{{"early_stopping", stopping_state_}}.dump();
}

data::stream_cursor classifier_job::restore_from(const checkpoint::manifest& info) {
  epoch_ = info.epoch;
  auto history = nlohmann::json::parse(info.metrics_history);
  stopping_state_ = history.contains("early_stopping")
                      ? history["early_stopping"].get<train::early_stopping_state>()
                      : train::early_stopping_state{};
  return {info.cursor.epoch, info.cursor.position};
}

std::string classifier_job::where(const checkpoint::manifest& info) const {
  return "epoch " + std::to_string(info.epoch + 1);
}

void classifier_job::restart() {
  epoch_ = 0;
  stopping_state_ = {};
}

void classifier_job::publish(monitor::actor_probe& probe) const {
  probe.set_detail("epoch", double(current_epoch_));
  if (stopping_state_.has_best) {
    probe.set_detail("best_metric", stopping_state_.best_value);
    probe.set_detail("best_step", double(stopping_state_.best_step));
  }
  if (plan_.early_stop)
    probe.set_detail("patience_left", double(plan_.stopping.patience
                                             - stopping_state_.evals_without_improvement));
  else
    probe.set_detail("patience_left", std::string{"off (eval.patience = 0)"});
  probe.set_detail("metric", plan_.metric);
}

std::unique_ptr<batch_source>
classifier_job::batches_of(const std::shared_ptr<const supervisor_plan::examples>& split,
                           const data::batcher_options& options) const {
  if (plan_.windows)
    return document_batches(split, {options, *plan_.windows, plan_.cls_id, plan_.sep_id});
  return example_batches(split, options);
}

caf::error classifier_job::prepare(data::batch& batch, bert::pipeline&) {
  if (!plan_.layout.kg)
    return caf::none;
  auto entities = linked_entities(*plan_.train, batch);
  if (!entities)
    return entities.error();
  batch.entities = std::move(*entities);
  return caf::none;
}

// Each piece of a linked word carries the word's entity; [CLS], [SEP], other words and
// padding -1. Documents (plan_.windows): each window's pieces carry theirs.
caf::expected<tensor> classifier_job::linked_entities(const supervisor_plan::examples& split,
                                                      const data::batch& batch) {
  const auto& rows = batch.examples;
  const auto B = rows.size(0), T = batch.ids.size(1);
  const auto* row = rows.data<std::int32_t>();
  std::vector<std::vector<std::string>> words(static_cast<std::size_t>(B));
  for (std::int64_t r = 0; r < B; ++r)
    words[r] = split.at(row[r]).words;
  auto mentions = run_->pipeline().link(std::move(words));
  if (!mentions)
    return mentions.error();
  if (std::int64_t(mentions->size()) != B)
    return make_error(errc::failed, "the KG service linked " + std::to_string(mentions->size())
                                      + " rows of a batch of " + std::to_string(B));
  auto out = tensor::empty({batch.ids.size(0), T}, dtype::i32);
  auto* entities = out.data<std::int32_t>();
  std::fill(entities, entities + out.numel(), -1);
  for (std::int64_t r = 0; r < B; ++r) {
    const auto& example = split.at(row[r]);
    auto per_token =
      data::entities_of_tokens(example, kg::entity_per_word((*mentions)[r], example.words.size()));
    if (!plan_.windows) {
      std::copy(per_token.begin(), per_token.begin() + std::min<std::int64_t>(T, per_token.size()),
                entities + r * T);
      continue;
    }
    const auto* offsets = batch.offsets.data<std::int32_t>(); // document r: these rows
    const auto spans = data::window_spans(example.ids.size() - 2, *plan_.windows);
    if (std::int64_t(spans.size()) != offsets[r + 1] - offsets[r])
      return make_error(errc::failed, "document " + std::to_string(row[r]) + " has "
                                        + std::to_string(spans.size()) + " windows, its batch "
                                        + std::to_string(offsets[r + 1] - offsets[r]));
    data::window_rows_of(per_token, spans, entities + offsets[r] * T, std::size_t(T));
  }
  return out;
}

} // namespace axon
