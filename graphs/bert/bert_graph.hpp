// The BERT classifier as an actor graph: `shards` data-parallel replicas, each a pipeline
// of `stages` stage actors fed by a shard actor; one optimizer actor per stage reducing
// the replicas' gradients; one coordinator running steps. Declared with actor_graph:
//
//   coordinator --shard_work--> shard<s> --forward/credit W--> shard<s>.stage0 --> ...
//       ^   \--apply_update--> optimizer<k> <--grads-- shard<s>.stage<k>
//       +------------------------loss/eval outputs--- shard<s>.stage<K-1>
// A job that fuses a knowledge graph has one more node, "kg" (the KG service,
// actors/kg_service_actor.hpp), with no edges: the supervisor asks it to link each batch.
#pragma once

#include "runtime/graph/actor_graph.hpp"
#include "graphs/bert/bert_config.hpp"
#include "ops/cpu/adamw.hpp"
#include "ops/compute.hpp"
#include "ops/gemm_precision.hpp"
#include "runtime/config/device_settings.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace axon {
struct kg_service_setup;
}

namespace axon::bert {

struct job_layout {
  bert_config model;
  int stages = 1, shards = 1, micro_batches = 1;
  int optimizer_slices = 1; // optimizer actors per stage (ZeRO-1 slices of its tensors)
  int credit_window = 2;   // micro-batches in flight per pipeline edge
  int micro_windows = 64;  // documents models: windows per micro-batch (train.micro-windows)
  ops::adamw_hparams adamw;
  bool decay_all = false;  // weight decay on every tensor (else not on biases/LayerNorm)
  float max_grad_norm = 0; // <= 0: no clipping
  std::uint64_t seed = 0;  // initialisation and dropout
  std::shared_ptr<const kg_service_setup> kg; // the job's KG service; null: no KG
  std::vector<config::device_rule> devices; // placement.devices; none: all on the host
  ops::gemm_precision precision = ops::gemm_precision::f32; // GEMMs of device stages
  ops::attention_kernel attention = ops::attention_kernel::gemm; // of device stages
};

/// Where graph node `name` computes under `job.devices` (the host when no rule matches).
device device_of(const job_layout& job, const std::string& name);

/// Shard `s`'s graph node name, "shard<s>" (its stages are "shard<s>.stage<k>").
std::string shard_node(int s);

/// Node names: "coordinator", "shard<s>", "shard<s>.stage<k>", "optimizer<k>" (or
/// "optimizer<k>.<j>" with optimizer slices), and "kg" with a KG. Throws
/// std::invalid_argument for a device rule that matches no stage or optimizer actor.
actor_graph make_graph(const job_layout& layout);

/// Factories of the kinds make_graph uses: axon.coordinator, axon.shard, axon.bert.stage,
/// axon.optimizer, axon.kg.
kind_table kinds();

} // namespace axon::bert
