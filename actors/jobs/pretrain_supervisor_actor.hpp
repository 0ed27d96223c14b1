// pretrain supervisor actor: drives MLM pretraining (`axon pretrain`). It spawns the same
// BERT actor graph as training (coordinator, shards, stages, optimizers; the model's head
// is the MLM head, cfg.mlm), streams masked batches from the corpus (data::mlm_stream),
// runs one step per batch, evaluates the held-out MLM loss and accuracy before training,
// every eval_every steps and at the end, checkpoints (safetensors with Hugging Face names,
// cls.predictions.* for the head) and stops on its budget: max_steps, or max_minutes of
// training time (summed over resumes). With `resume` it continues from the newest valid
// checkpoint exactly: the manifest holds the corpus cursor and the masking stream's
// position. A detached blocking actor (one request per step), as the training supervisor.
#pragma once

#include "actors/jobs/run_plan.hpp"
#include "runtime/data/mlm_stream.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include <memory>
#include <string>

namespace axon {

struct pretrain_plan : run_plan { // layout.model.mlm is set
  data::corpus_options corpus;
  std::shared_ptr<const data::wordpiece_tokenizer> tokenizer;
  data::mlm_stream_options stream;     // train slice; the held-out one differs in `heldout`
  std::size_t eval_sequences = 256;    // 0: no evaluation
  std::int64_t eval_every = 200;       // 0: at the end only
  std::int64_t max_steps = 0;          // 0: no step budget
  double max_minutes = 0;              // 0: no time budget
  // warmup_ratio is of max_steps (with no step budget: use warmup_steps)
};

caf::actor spawn_pretrain_supervisor(caf::actor_system& sys,
                                     std::shared_ptr<const pretrain_plan> plan);

} // namespace axon
