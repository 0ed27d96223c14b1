// coordinator actor: runs one training step (or one evaluation) over shards x stages.
// Messages in:  (step_atom, step, lr, data::batch) -> replies (loss, grad_norm) once the
//               step's update is applied everywhere; (eval_atom, data::batch, micro_rows)
//               -> replies (logits, losses) in row order; loss_msg and
//               eval_output_msg from the head stages; norm_part_msg and updated_msg from
//               the optimizers; scale_msg between requests (the shards of the next
//               batches; ports of joining replicas declared, of leaving ones forgotten);
//               connect, stats.
// Messages out: shard_work_msg -> "shard<s>" (rows split evenly over shards, then over
//               micro-batches, each trimmed to its longest row); apply_update_msg ->
//               "optimizer<k>" with the clip factor from the global gradient norm (the
//               square root of the stages' sums of squares).
// One request at a time: a second one while busy is refused with an error.
#pragma once

#include "actors/bert/setups.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

namespace axon {

caf::actor spawn_coordinator(caf::actor_system& sys, const coordinator_setup& setup);

} // namespace axon
