// The parameters the BERT module's actor kinds are spawned with (node parameters of the
// graph API), as plain inspectable structs so that a node can be spawned in another process.
#pragma once

#include "graphs/bert/bert_config.hpp"
#include "ops/cpu/adamw.hpp"
#include "runtime/graph/wire_float.hpp"

#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <string>
#include <vector>

// inspect overloads live in the namespace of their type, where CAF's lookup finds them.
namespace axon::bert {
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, bert_config& x) {
  return f(caf::meta::type_name("bert_config"), x.vocab_size, x.max_positions, x.type_vocab_size,
           x.hidden, x.layers, x.heads, x.intermediate, x.classes, x.pooler,
           wire_float(x.layer_norm_eps), wire_float(x.hidden_dropout),
           wire_float(x.attention_dropout), x.entities, x.entity_dim, x.entity_finetune, x.mlm,
           x.documents, x.attention_pooling, x.pack_rows);
}
} // namespace axon::bert

namespace axon::ops {
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, adamw_hparams& x) {
  return f(caf::meta::type_name("adamw_hparams"), wire_float(x.lr), wire_float(x.beta1),
           wire_float(x.beta2), wire_float(x.eps), wire_float(x.weight_decay));
}
} // namespace axon::ops

namespace axon {

/// One pipeline stage of one data-parallel replica of the BERT classifier.
struct stage_setup {
  bert::bert_config model;
  std::int32_t stage = 0, stages = 1;
  std::int32_t shard = 0;
  std::uint64_t seed = 0; // dropout masks
  std::int32_t optimizer_slices = 1; // optimizer actors sharing the stage's parameters
  std::string device = "cpu";    // where it computes: "cpu" or "cuda:N" (placement.devices)
  std::string precision = "f32"; // GEMMs on a device: f32, tf32 or bf16 (compute.*)
  std::string attention = "gemm"; // on a device: gemm or fused (compute.attention)
};

/// The optimizer of one stage, or of slice `slice` of it (ZeRO-1: the stage's tensors split
/// by split_specs into `slices` runs, each with its own optimizer actor): AdamW over those
/// parameters, reducing `shards` replicas' gradients in shard order.
struct optimizer_setup {
  bert::bert_config model;
  std::int32_t stage = 0, stages = 1;
  std::int32_t shards = 1;
  ops::adamw_hparams adamw;
  bool decay_all = false;  // weight decay on every tensor (else not on biases/LayerNorm)
  std::uint64_t init_seed = 0;
  std::int32_t slice = 0, slices = 1;
  std::string device = "cpu"; // where its parameters, moments and update live
};

/// Graph node name of optimizer slice `slice` of stage `stage` (also the coordinator's port
/// to it): "optimizer<stage>", or "optimizer<stage>.<slice>" when the stage is sliced.
inline std::string optimizer_name(int stage, int slice, int slices) {
  return "optimizer" + std::to_string(stage) + (slices > 1 ? "." + std::to_string(slice) : "");
}

/// A stage replica's port to optimizer slice `slice`: "optimizer", or "optimizer.<slice>".
inline std::string optimizer_port(int slice, int slices) {
  return "optimizer" + (slices > 1 ? "." + std::to_string(slice) : std::string{});
}

/// Feeds one replica's micro-batches into its first stage within the edge's credit window.
struct shard_setup {
  std::int32_t shard = 0;
};

/// Runs steps over shards x stages: splits batches, gathers losses and gradient norms,
/// clips, orders the optimizers' updates.
struct coordinator_setup {
  std::int32_t stages = 1, shards = 1, micro_batches = 1;
  float max_grad_norm = 0; // <= 0: no clipping
  std::int32_t optimizer_slices = 1;
  // Documents models (data.long-text = chunk): the most windows one micro-batch carries
  // through the encoder (train.micro-windows); 0: not a documents model. A step or
  // evaluation whose whole-document micro-batches would carry more runs in windows mode
  // (docs/long-texts.md).
  std::int32_t micro_windows = 0;
  // Windows mode: the first pass keeps the activations of each shard's last
  // `kept_chunks` chunks (the credit window), which the second pass then reuses.
  std::int32_t kept_chunks = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stage_setup& x) {
  return f(caf::meta::type_name("stage_setup"), x.model, x.stage, x.stages, x.shard, x.seed,
           x.optimizer_slices, x.device, x.precision, x.attention);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, optimizer_setup& x) {
  return f(caf::meta::type_name("optimizer_setup"), x.model, x.stage, x.stages, x.shards, x.adamw,
           x.decay_all, x.init_seed, x.slice, x.slices, x.device);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shard_setup& x) {
  return f(caf::meta::type_name("shard_setup"), x.shard);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, coordinator_setup& x) {
  return f(caf::meta::type_name("coordinator_setup"), x.stages, x.shards, x.micro_batches,
           wire_float(x.max_grad_norm), x.optimizer_slices, x.micro_windows, x.kept_chunks);
}

} // namespace axon
