// Every message type that Axon actors exchange, with its CAF inspect overload, and the one
// type-id block that registers them (axon::register_message_types). Every process uses
// this header, so the set is the same everywhere: a type missing here would fail only at
// run time and only across processes.
// Tensors inside messages are shared within a process and written as raw bytes on the wire
// (tensor_inspect.hpp).
#pragma once

#include "actors/setups.hpp"
#include "actors/tensor_inspect.hpp"
#include "runtime/kg/entity_linker.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/type_id.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace axon::kg {
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, mention& x) {
  return f(caf::meta::type_name("kg_mention"), x.first_word, x.end_word, x.entity);
}
} // namespace axon::kg

namespace axon::msg {

/// Names one micro-batch of one step. `generation` increases at every recovery, so that
/// messages from before it are recognised as stale and dropped.
struct micro_batch_id {
  std::uint64_t step = 0;
  std::uint32_t shard = 0;
  std::uint32_t micro = 0;   // index within the shard's part of the step
  std::uint32_t micros = 1;  // micro-batches of this shard in this step
  std::uint32_t generation = 0;
};

/// Token data of one micro-batch, read by every stage of a replica.
struct micro_batch {
  micro_batch_id id;
  tensor ids, types, mask, labels; // (b,T) i32 each, labels (b) i32 (undefined: predict)
                                   // or (b,T) MLM targets
  tensor entities;                 // (b,T) i32 KG entity per token, -1 none (undefined: no KG)
  std::int64_t global_rows = 0;    // loss terms of the whole step (all shards): the loss is
                                   // their mean; rows, or MLM targets (bert::loss_terms)
  bool training = true;            // false: forward only, no dropout, results to the coordinator
};

/// Coordinator -> shard: the replica's micro-batches of one step or evaluation.
struct shard_work_msg {
  std::vector<micro_batch> micros;
};

/// Stage i -> stage i+1: the hidden states of a micro-batch (undefined into stage 0).
struct forward_msg {
  micro_batch batch;
  tensor hidden; // (b,T,C)
};

/// Stage i+1 -> stage i: d loss / d hidden of a micro-batch.
struct backward_msg {
  micro_batch_id id;
  tensor d_hidden; // (b,T,C)
};

/// Stage 0 -> shard: the micro-batch is through backward (or through forward in
/// evaluation): one credit comes back.
struct micro_done_msg {
  micro_batch_id id;
};

/// Head stage -> coordinator: loss of one training micro-batch (sum over its rows).
struct loss_msg {
  micro_batch_id id;
  double loss_sum = 0;
  std::int64_t rows = 0;
};

/// Head stage -> coordinator: outputs of one evaluation micro-batch.
struct eval_output_msg {
  micro_batch_id id;
  tensor logits; // (b,K); MLM: (b,2) per row [targets predicted right, targets]
  tensor losses; // (b) per-row cross-entropy (undefined without labels)
};

/// Stage replica -> its optimizer: the stage's gradients of one step (flat, arena order).
struct grads_msg {
  std::uint64_t step = 0;
  std::uint32_t shard = 0;
  std::uint32_t generation = 0;
  tensor grads;
};

/// Optimizer (slice) -> coordinator: sum of squares of its reduced gradients.
struct norm_part_msg {
  std::uint64_t step = 0;
  std::uint32_t stage = 0, slice = 0;
  double sum_sq = 0;
};

/// Coordinator -> optimizers: apply the update of `step` with this learning rate after
/// scaling the gradients by clip_factor (1 = no clipping).
struct apply_update_msg {
  std::uint64_t step = 0;
  float lr = 0;
  float clip_factor = 1;
};

/// Optimizer (slice) -> coordinator: the update of `step` is applied and published.
struct updated_msg {
  std::uint64_t step = 0;
  std::uint32_t stage = 0, slice = 0;
};

/// Optimizer (slice) -> stage replicas: parameters after `version` updates (flat, arena
/// order), elements [offset, offset + numel) of the stage's parameters. With one slice, in
/// one process, every replica views the optimizer's own tensor: nothing is copied.
struct params_msg {
  std::uint64_t version = 0;
  std::int64_t offset = 0;
  tensor params;
};

/// Loader -> supervisor: one training batch (padded to its longest row) and the loader's
/// cursor after it, which is where a resumed run continues.
struct batch_msg {
  tensor ids, types, mask, labels; // (B,T) i32 x 3, (B) i32
  tensor entities;                 // (B,T) i32 KG entity per token, -1 none (undefined: no KG)
  tensor examples;                 // (B) i32 index of each row's example in the train split
  std::uint64_t epoch = 0;         // epoch of this batch
  std::uint64_t next_epoch = 0, next_position = 0;
  bool last_in_epoch = false;
};

// ---- KG embeddings: entity-shard actors (actors/kg_shard_actor.hpp) --------------------

/// Trainer -> entity shard: the rows of entities `ids` (all owned by the shard).
struct kg_rows_request {
  std::uint64_t step = 0;
  std::vector<std::int32_t> ids;
};

/// Entity shard -> trainer: those rows, (n,D) in the order asked.
struct kg_rows_msg {
  std::uint64_t step = 0;
  std::int32_t shard = 0;
  std::vector<std::int32_t> ids;
  tensor rows;
};

/// Trainer -> entity shard: the gradient rows (n,D) of its entities `ids` in step `step`;
/// the shard then takes one Adam step over all its rows (the others with zero gradient).
struct kg_grads_msg {
  std::uint64_t step = 0;
  std::vector<std::int32_t> ids;
  tensor grads;
};

/// Entity shard -> trainer: the update of `step` is applied.
struct kg_updated_msg {
  std::uint64_t step = 0;
  std::int32_t shard = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, kg_rows_request& x) {
  return f(caf::meta::type_name("kg_rows_request"), x.step, x.ids);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, kg_rows_msg& x) {
  return f(caf::meta::type_name("kg_rows_msg"), x.step, x.shard, x.ids, x.rows);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, kg_grads_msg& x) {
  return f(caf::meta::type_name("kg_grads_msg"), x.step, x.ids, x.grads);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, kg_updated_msg& x) {
  return f(caf::meta::type_name("kg_updated_msg"), x.step, x.shard);
}

// ---- the KG service of a classification job (actors/kg_service_actor.hpp) --------------

/// -> KG service: the words of each row of a batch (the tokenizer's basic words).
struct kg_link_request {
  std::vector<std::vector<std::string>> rows;
};

/// KG service -> requester: the entity mentions (word spans) of each row, in text order.
struct kg_link_reply {
  std::vector<std::vector<kg::mention>> rows;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, kg_link_request& x) {
  return f(caf::meta::type_name("kg_link_request"), x.rows);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, kg_link_reply& x) {
  return f(caf::meta::type_name("kg_link_reply"), x.rows);
}

// ---- the PageRank example graph (examples/pagerank) -----------------------------------

/// Driver -> partition: compute iteration `iteration`.
struct pagerank_iterate_msg {
  std::int32_t iteration = 0;
};

/// Partition -> partition: rank passed along out-edges to the receiver's vertices.
struct pagerank_share_msg {
  std::int32_t iteration = 0;
  double dangling = 0; // rank of the sender's vertices without out-edges (spread over all)
  std::vector<std::int32_t> vertex;
  std::vector<double> share;
};

/// Partition -> driver: the L1 change of its ranks in an iteration.
struct pagerank_change_msg {
  std::int32_t iteration = 0;
  double change = 0;
};

/// The parameters of one partition: the edges whose source it owns.
struct pagerank_partition_setup {
  std::int32_t index = 0, partitions = 1, vertices = 0;
  double damping = 0.85;
  std::vector<std::int32_t> from, to;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, pagerank_iterate_msg& x) {
  return f(caf::meta::type_name("pagerank_iterate_msg"), x.iteration);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, pagerank_share_msg& x) {
  return f(caf::meta::type_name("pagerank_share_msg"), x.iteration, x.dangling, x.vertex, x.share);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, pagerank_change_msg& x) {
  return f(caf::meta::type_name("pagerank_change_msg"), x.iteration, x.change);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, pagerank_partition_setup& x) {
  return f(caf::meta::type_name("pagerank_partition_setup"), x.index, x.partitions, x.vertices,
           x.damping, x.from, x.to);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, micro_batch_id& x) {
  return f(caf::meta::type_name("micro_batch_id"), x.step, x.shard, x.micro, x.micros,
           x.generation);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, micro_batch& x) {
  return f(caf::meta::type_name("micro_batch"), x.id, x.ids, x.types, x.mask, x.labels,
           x.entities, x.global_rows, x.training);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shard_work_msg& x) {
  return f(caf::meta::type_name("shard_work_msg"), x.micros);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, forward_msg& x) {
  return f(caf::meta::type_name("forward_msg"), x.batch, x.hidden);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, backward_msg& x) {
  return f(caf::meta::type_name("backward_msg"), x.id, x.d_hidden);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, micro_done_msg& x) {
  return f(caf::meta::type_name("micro_done_msg"), x.id);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, loss_msg& x) {
  return f(caf::meta::type_name("loss_msg"), x.id, x.loss_sum, x.rows);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, eval_output_msg& x) {
  return f(caf::meta::type_name("eval_output_msg"), x.id, x.logits, x.losses);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, grads_msg& x) {
  return f(caf::meta::type_name("grads_msg"), x.step, x.shard, x.generation, x.grads);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, norm_part_msg& x) {
  return f(caf::meta::type_name("norm_part_msg"), x.step, x.stage, x.slice, x.sum_sq);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, apply_update_msg& x) {
  return f(caf::meta::type_name("apply_update_msg"), x.step, x.lr, x.clip_factor);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, updated_msg& x) {
  return f(caf::meta::type_name("updated_msg"), x.step, x.stage, x.slice);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, batch_msg& x) {
  return f(caf::meta::type_name("batch_msg"), x.ids, x.types, x.mask, x.labels, x.entities,
           x.examples, x.epoch, x.next_epoch, x.next_position, x.last_in_epoch);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, params_msg& x) {
  return f(caf::meta::type_name("params_msg"), x.version, x.offset, x.params);
}

} // namespace axon::msg

CAF_BEGIN_TYPE_ID_BLOCK(axon, caf::first_custom_type_id)
  CAF_ADD_TYPE_ID(axon, (axon::tensor))
  CAF_ADD_TYPE_ID(axon, (axon::msg::micro_batch_id))
  CAF_ADD_TYPE_ID(axon, (axon::msg::micro_batch))
  CAF_ADD_TYPE_ID(axon, (axon::msg::shard_work_msg))
  CAF_ADD_TYPE_ID(axon, (axon::msg::forward_msg))
  CAF_ADD_TYPE_ID(axon, (axon::msg::backward_msg))
  CAF_ADD_TYPE_ID(axon, (axon::msg::micro_done_msg))
  CAF_ADD_TYPE_ID(axon, (axon::msg::loss_msg))
  CAF_ADD_TYPE_ID(axon, (axon::msg::eval_output_msg))
  CAF_ADD_TYPE_ID(axon, (axon::msg::grads_msg))
  CAF_ADD_TYPE_ID(axon, (axon::msg::norm_part_msg))
  CAF_ADD_TYPE_ID(axon, (axon::msg::apply_update_msg))
  CAF_ADD_TYPE_ID(axon, (axon::msg::updated_msg))
  CAF_ADD_TYPE_ID(axon, (axon::msg::params_msg))
  CAF_ADD_TYPE_ID(axon, (axon::msg::batch_msg))
  CAF_ADD_TYPE_ID(axon, (axon::msg::pagerank_iterate_msg))
  CAF_ADD_TYPE_ID(axon, (axon::msg::pagerank_share_msg))
  CAF_ADD_TYPE_ID(axon, (axon::msg::pagerank_change_msg))
  CAF_ADD_TYPE_ID(axon, (axon::msg::pagerank_partition_setup))
  CAF_ADD_TYPE_ID(axon, (axon::bert::bert_config))
  CAF_ADD_TYPE_ID(axon, (axon::ops::adamw_hparams))
  CAF_ADD_TYPE_ID(axon, (axon::stage_setup))
  CAF_ADD_TYPE_ID(axon, (axon::optimizer_setup))
  CAF_ADD_TYPE_ID(axon, (axon::shard_setup))
  CAF_ADD_TYPE_ID(axon, (axon::coordinator_setup))
  CAF_ADD_TYPE_ID(axon, (axon::msg::kg_rows_request))
  CAF_ADD_TYPE_ID(axon, (axon::msg::kg_rows_msg))
  CAF_ADD_TYPE_ID(axon, (axon::msg::kg_grads_msg))
  CAF_ADD_TYPE_ID(axon, (axon::msg::kg_updated_msg))
  CAF_ADD_TYPE_ID(axon, (axon::kg_shard_setup))
  CAF_ADD_TYPE_ID(axon, (axon::kg_service_setup))
  CAF_ADD_TYPE_ID(axon, (axon::msg::kg_link_request))
  CAF_ADD_TYPE_ID(axon, (axon::msg::kg_link_reply))
  CAF_ADD_TYPE_ID(axon, (std::vector<std::int32_t>))
CAF_END_TYPE_ID_BLOCK(axon)

namespace axon {

/// Registers every message type above with a CAF config. Call once per process, before
/// the actor system starts.
inline void register_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_types<caf::id_block::axon>();
}

} // namespace axon
