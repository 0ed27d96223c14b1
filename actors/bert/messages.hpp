// The BERT module's messages (the job's batch, data::batch, which the coordinator's step
// and eval requests carry; micro-batches, activations and gradients between stages,
// losses and outputs to the coordinator, gradients, updates and parameters between stages,
// optimizers and coordinator; the shard count of a scale event), with their CAF inspect
// overloads, its atoms and its type-id block (which also holds the setups of
// actors/bert/setups.hpp). Tensors inside messages are shared within a process and written
// as raw bytes on the wire (tensor_inspect.hpp).
#pragma once

#include "actors/bert/setups.hpp"
#include "runtime/data/batcher.hpp"
#include "runtime/graph/type_ids.hpp"

#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <vector>

namespace axon {

using init_atom = caf::atom_constant<caf::atom("init")>; // optimizer: publish version 0
using eval_atom = caf::atom_constant<caf::atom("eval")>; // coordinator: forward only
// optimizer: (publish_atom, first_replica): the current parameters to replicas
// first_replica, ... (those that joined a scale event), replies true
using publish_atom = caf::atom_constant<caf::atom("publish")>;

} // namespace axon

namespace axon::data {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stream_cursor& x) {
  return f(caf::meta::type_name("stream_cursor"), x.epoch, x.position, x.file, x.offset,
           x.skip_tokens);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, batch& x) {
  return f(caf::meta::type_name("batch"), x.ids, x.token_types, x.attention_mask, x.labels,
           x.entities, x.examples, x.epoch, x.position, x.next, x.last_in_epoch, x.offsets,
           x.window_position);
}

} // namespace axon::data

namespace axon::msg {

/// Names one micro-batch of one step. `generation` increases at every recovery, so that
/// messages from before it are recognised as stale and dropped.
struct micro_batch_id {
  std::uint64_t step = 0;
  std::uint32_t shard = 0;
  std::uint32_t micro = 0;   // index within the shard's part of the step
  std::uint32_t micros = 1;  // micro-batches of this shard in this step; 0 in training: the
                             // shard has no rows this step (one message without tensors,
                             // its stages send zero gradients)
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
  std::uint64_t epoch = 0;         // row r is example position + r of this epoch's order:
  std::uint64_t position = 0;      // what keys its dropout draws (bert::dropout_key)
  // Long documents: the rows are windows of whole documents, offsets (d+1) i32 from 0 (as
  // bert::batch), labels (d); window r is keyed position + r and document k
  // document_position + k. Undefined offsets: a row is a text.
  tensor offsets{};
  std::uint64_t document_position = 0;
  // Windows mode (docs/long-texts.md): windows whose documents the document head at shard
  // 0's head stage classifies, so offsets and labels are undefined. encode_only: forward
  // only, keeping nothing, the [CLS] rows to the coordinator (windows_cls_msg), dropout as
  // `training` says; else (training) the forward again, then backward from window_grads
  // (b,C), the gradients of the windows' [CLS] rows.
  bool encode_only = false;
  tensor window_grads{};
  // Windows mode: the first pass keeps this chunk's activations (a shard's last chunks, as
  // many as the credit window), and the second pass reuses them instead of a forward.
  bool keep_activations = false;
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

/// Head stage -> coordinator: loss of one training micro-batch (sum over its rows, or
/// documents).
struct loss_msg {
  micro_batch_id id;
  double loss_sum = 0;
  std::int64_t rows = 0;
};

/// Head stage -> coordinator: outputs of one evaluation micro-batch.
struct eval_output_msg {
  micro_batch_id id;
  tensor logits; // (b,K), documents (d,K); MLM: (b,2) per row [targets predicted right,
                 // targets]
  tensor losses; // (b) per-row (documents: (d) per-document) cross-entropy (undefined
                 // without labels)
};

/// Head stage -> coordinator, windows mode: the [CLS] rows (b,C) of an encode_only
/// micro-batch's windows.
struct windows_cls_msg {
  micro_batch_id id;
  tensor cls;
};

/// Coordinator -> shard 0's head stage, windows mode: classify the step's (or evaluation's)
/// documents from their windows' [CLS] rows, in training with backward (the head's
/// gradients join the step's, at that stage).
struct classify_documents_msg {
  std::uint64_t step = 0;
  std::uint32_t generation = 0;
  bool training = true;
  std::uint64_t epoch = 0, document_position = 0; // the head's dropout keys: document d is
                                                  // document_position + d
  std::int64_t global_documents = 0; // the step's documents: the loss is their mean
  tensor cls;     // (N,C) the windows' [CLS] rows, a document's consecutive
  tensor offsets; // (D+1) i32
  tensor labels;  // (D) i32, undefined without labels
};

/// Shard 0's head stage -> coordinator: the documents' loss (sum over them), logits (D,K)
/// and losses (D), and in training the gradients of the windows' [CLS] rows (N,C).
struct documents_classified_msg {
  std::uint64_t step = 0;
  std::uint32_t generation = 0;
  double loss_sum = 0;
  tensor logits, losses, d_cls;
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

/// Pipeline -> coordinator and optimizers, at a step boundary (none running): the job has
/// `shards` data-parallel replicas from the next step on. Each declares the ports of the
/// replicas that join (wired next) and forgets those of the replicas that leave; the
/// coordinator splits the next global batches over `shards`, the optimizers sum `shards`
/// replicas' gradients in shard order. Replies true; an error while a step is running.
struct scale_msg {
  std::int32_t shards = 1;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, micro_batch_id& x) {
  return f(caf::meta::type_name("micro_batch_id"), x.step, x.shard, x.micro, x.micros,
           x.generation);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, micro_batch& x) {
  return f(caf::meta::type_name("micro_batch"), x.id, x.ids, x.types, x.mask, x.labels,
           x.entities, x.global_rows, x.training, x.epoch, x.position, x.offsets,
           x.document_position, x.encode_only, x.window_grads, x.keep_activations);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, windows_cls_msg& x) {
  return f(caf::meta::type_name("windows_cls_msg"), x.id, x.cls);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, classify_documents_msg& x) {
  return f(caf::meta::type_name("classify_documents_msg"), x.step, x.generation, x.training,
           x.epoch, x.document_position, x.global_documents, x.cls, x.offsets, x.labels);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, documents_classified_msg& x) {
  return f(caf::meta::type_name("documents_classified_msg"), x.step, x.generation,
           wire_float(x.loss_sum), x.logits, x.losses, x.d_cls);
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
typename Inspector::result_type inspect(Inspector& f, loss_msg& x) {
  return f(caf::meta::type_name("loss_msg"), x.id, wire_float(x.loss_sum), x.rows);
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
  return f(caf::meta::type_name("norm_part_msg"), x.step, x.stage, x.slice, wire_float(x.sum_sq));
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, apply_update_msg& x) {
  return f(caf::meta::type_name("apply_update_msg"), x.step, wire_float(x.lr),
           wire_float(x.clip_factor));
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, updated_msg& x) {
  return f(caf::meta::type_name("updated_msg"), x.step, x.stage, x.slice);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, params_msg& x) {
  return f(caf::meta::type_name("params_msg"), x.version, x.offset, x.params);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, scale_msg& x) {
  return f(caf::meta::type_name("scale_msg"), x.shards);
}

} // namespace axon::msg

CAF_BEGIN_TYPE_ID_BLOCK(axon_bert, axon::type_ids::bert)
  CAF_ADD_TYPE_ID(axon_bert, (axon::msg::micro_batch_id))
  CAF_ADD_TYPE_ID(axon_bert, (axon::msg::micro_batch))
  CAF_ADD_TYPE_ID(axon_bert, (axon::msg::shard_work_msg))
  CAF_ADD_TYPE_ID(axon_bert, (axon::msg::forward_msg))
  CAF_ADD_TYPE_ID(axon_bert, (axon::msg::backward_msg))
  CAF_ADD_TYPE_ID(axon_bert, (axon::msg::loss_msg))
  CAF_ADD_TYPE_ID(axon_bert, (axon::msg::eval_output_msg))
  CAF_ADD_TYPE_ID(axon_bert, (axon::msg::grads_msg))
  CAF_ADD_TYPE_ID(axon_bert, (axon::msg::norm_part_msg))
  CAF_ADD_TYPE_ID(axon_bert, (axon::msg::apply_update_msg))
  CAF_ADD_TYPE_ID(axon_bert, (axon::msg::updated_msg))
  CAF_ADD_TYPE_ID(axon_bert, (axon::msg::params_msg))
  CAF_ADD_TYPE_ID(axon_bert, (axon::bert::bert_config))
  CAF_ADD_TYPE_ID(axon_bert, (axon::ops::adamw_hparams))
  CAF_ADD_TYPE_ID(axon_bert, (axon::stage_setup))
  CAF_ADD_TYPE_ID(axon_bert, (axon::optimizer_setup))
  CAF_ADD_TYPE_ID(axon_bert, (axon::shard_setup))
  CAF_ADD_TYPE_ID(axon_bert, (axon::coordinator_setup))
  CAF_ADD_TYPE_ID(axon_bert, (axon::data::batch))
  CAF_ADD_TYPE_ID(axon_bert, (axon::msg::scale_msg))
  CAF_ADD_TYPE_ID(axon_bert, (axon::msg::windows_cls_msg))
  CAF_ADD_TYPE_ID(axon_bert, (axon::msg::classify_documents_msg))
  CAF_ADD_TYPE_ID(axon_bert, (axon::msg::documents_classified_msg))
CAF_END_TYPE_ID_BLOCK(axon_bert)
